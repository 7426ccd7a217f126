import { z } from 'zod';
import type { DocumentStore } from '../core/ports.js';
import type { ScanTarget } from './target.js';

/** The targets the last organization run listed: the organization's target list, for real time. */
export const ORGANIZATION_TARGETS_KEY = 'state/organization-targets.json';

const targetListSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('organization-targets'),
  orgRunId: z.string(),
  listedAt: z.string(),
  /** Account id → its regions scanned. */
  accounts: z.record(z.string(), z.array(z.string())),
});
export type TargetList = z.infer<typeof targetListSchema>;

/** The document the list step writes: every target of this run, by account. */
export function targetListDocument(
  orgRunId: string,
  listedAt: string,
  targets: readonly ScanTarget[],
): string {
  const accounts: Record<string, string[]> = {};
  for (const { accountId, region } of targets) accounts[accountId] = [...(accounts[accountId] ?? []), region];
  const doc: TargetList = { formatVersion: 1, kind: 'organization-targets', orgRunId, listedAt, accounts };
  return JSON.stringify(doc);
}

/** The last run's target list; undefined when none was written or it is unusable. */
export async function readTargetList(documents: DocumentStore): Promise<TargetList | undefined> {
  const object = await documents.get(ORGANIZATION_TARGETS_KEY);
  if (!object) return undefined;
  try {
    return targetListSchema.parse(JSON.parse(object.body));
  } catch {
    // Only the list step writes it: an unusable one is as good as none until the next run rewrites it.
    return undefined;
  }
}
