import { z } from 'zod';
import type { DocumentStore } from '../core/ports.js';
import type { CloudTrailApiEvent } from '../realtime/api-event.js';
import { handleApiEvent, type RealtimeOutcome } from '../realtime/targeted-check.js';
import { DEFAULT_POOL_CONCURRENCY } from '../run/run-policy.js';
import { targetStore } from '../run/scan-service.js';
import { scanTargetSchema } from './contract.js';
import { AssumeRoleError } from './credentials.js';
import type { OrganizationDeps, OrganizationSettings } from './organization-run.js';
import { type ScanTarget, targetName } from './target.js';

/**
 * The real time of the member accounts, on the detector's side: an event forwarded from a member
 * account's default bus to the member event bus (`lib/realtime-path.ts`) names its target by its
 * `account` and `region`. Only a target of the organization run is checked, with the one targeted
 * check of the real-time path (its debounce, per target, under that target's keys) and the member
 * role; anything else is ignored with a log line.
 */

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

async function readTargetList(documents: DocumentStore): Promise<TargetList | undefined> {
  const object = await documents.get(ORGANIZATION_TARGETS_KEY);
  if (!object) return undefined;
  try {
    return targetListSchema.parse(JSON.parse(object.body));
  } catch {
    // Only the list step writes it: an unusable one is as good as none until the next run rewrites it.
    return undefined;
  }
}

/**
 * Why a forwarded event's target is not checked, or undefined when it is: it must be selected by the
 * settings (accounts, regions) and listed by the last organization run (a target listed by no run
 * has no baseline to compare with; the run records it). The deployment's own account and region
 * are left to its own rules.
 */
export function whyNotChecked(
  target: ScanTarget,
  settings: Pick<OrganizationSettings, 'accounts' | 'regions' | 'selfAccountId' | 'stackRegion'>,
  listed: TargetList | undefined,
): string | undefined {
  const { accountId, region } = target;
  const { accounts, regions } = settings;
  if (accountId === settings.selfAccountId && region === settings.stackRegion)
    return "the deployment's own account and region: its own rules start the check";
  if (accounts.kind === 'self' && accountId !== settings.selfAccountId)
    return `account ${accountId} is not scanned (accounts: self)`;
  if (accounts.kind === 'list' && !accounts.accountIds.includes(accountId))
    return `account ${accountId} is not one of the accounts scanned`;
  if (regions.kind === 'stack' && region !== settings.stackRegion)
    return `region ${region} is not scanned (regions: stack, ${settings.stackRegion})`;
  if (regions.kind === 'list' && !regions.regions.includes(region))
    return `region ${region} is not one of the regions scanned`;
  if (!listed)
    return 'no organization run has listed the targets yet (the first run records their baselines)';
  const listedRegions = listed.accounts[accountId];
  if (!listedRegions)
    return `account ${accountId} was not a target of the last organization run (${listed.orgRunId})`;
  if (!listedRegions.includes(region))
    return `region ${region} of account ${accountId} was not a target of the last organization run (${listed.orgRunId})`;
  return undefined;
}

/** The target a forwarded event is about, or undefined when it names none. */
function targetOf(input: CloudTrailApiEvent): ScanTarget | undefined {
  const parsed = scanTargetSchema.safeParse({ accountId: input.account, region: input.region });
  return parsed.success ? parsed.data : undefined;
}

/**
 * One forwarded event: ignored (logged) unless its target is one of the organization's; otherwise
 * queued in that target's batch, and the invocation that opened the batch checks the pools named
 * during the debounce window, reading only that target, signed with its member role.
 */
export async function handleMemberEvent(
  input: CloudTrailApiEvent,
  deps: OrganizationDeps & Required<Pick<OrganizationDeps, 'sleep'>>,
  settings: OrganizationSettings & Required<Pick<OrganizationSettings, 'debounceMs'>>,
): Promise<RealtimeOutcome> {
  const ignored: RealtimeOutcome = { done: true, runId: 'ignored', action: 'ignored' };
  const target = targetOf(input);
  const eventName = (input.detail as { eventName?: unknown } | null)?.eventName;
  if (!target) {
    deps.logger.info('Forwarded event ignored: it names no account and region', { eventName });
    return ignored;
  }
  const reason = whyNotChecked(target, settings, await readTargetList(deps.documents));
  if (reason) {
    deps.logger.info(`Forwarded event ignored: ${reason}`, { target: targetName(target), eventName });
    return ignored;
  }
  const self = target.accountId === settings.selfAccountId;
  const reader = deps.reader(target, deps.credentials.providerFor(target.accountId), { accountReads: false });
  try {
    return await handleApiEvent(
      input,
      {
        reader,
        store: targetStore(deps.documents, target),
        notifier: deps.notifier,
        logger: deps.logger,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        now: deps.now,
        sleep: deps.sleep,
        // Only the invocation that checks assumes the role (and a missing role stops it here, not
        // as a failed read of every pool).
        prepare: async () => {
          if (!self) await deps.credentials.get(target.accountId);
        },
      },
      {
        ...settings.scan,
        approveCommand: settings.approveCommand,
        poolConcurrency: reader.poolConcurrency ?? DEFAULT_POOL_CONCURRENCY,
        ...target,
        debounceMs: settings.debounceMs,
      },
    );
  } catch (error) {
    if (!(error instanceof AssumeRoleError)) throw error;
    // The organization run reports the account as unreachable; its sweep is the safety net.
    deps.logger.warn('Forwarded event not checked: cannot assume the member role', {
      target: targetName(target),
      code: error.code,
    });
    return ignored;
  }
}
