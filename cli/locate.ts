import { keys } from '../lambda/core/documents.js';
import type { DocumentStore } from '../lambda/core/ports.js';
import { UsageError } from '../lambda/errors.js';
import { compareTargets, type ScanTarget, targetName } from '../lambda/org/target.js';

/**
 * Where a pool's documents are: every target (account, region) of the store that holds a document
 * of it under one of `prefixes` (`baselines/<account>/<region>/<poolId>.json`, `snapshots/...`).
 * Pool ids carry their region; the account is read from the keys.
 */
export async function targetsHolding(
  documents: DocumentStore,
  poolId: string,
  prefixes: readonly string[],
): Promise<ScanTarget[]> {
  const found = new Map<string, ScanTarget>();
  const file = `${poolId}.json`;
  // `eu-west-1_AbC...` (user pool) or `eu-west-1:<uuid>` (identity pool).
  const region = poolId.split(/[_:]/)[0];
  for (const prefix of prefixes) {
    for (const object of await documents.list(prefix)) {
      const target = targetOfKey(object.key, prefix);
      if (target?.file === file && target.region === region) {
        found.set(targetName(target), { accountId: target.accountId, region: target.region });
      }
    }
  }
  return [...found.values()].sort(compareTargets);
}

/** Every target holding a document under `prefix`, with the pool ids of those documents. */
export async function poolsByTarget(
  documents: DocumentStore,
  prefix: string,
): Promise<{ target: ScanTarget; poolIds: string[] }[]> {
  const byTarget = new Map<string, { target: ScanTarget; poolIds: string[] }>();
  for (const object of await documents.list(prefix)) {
    const found = targetOfKey(object.key, prefix);
    if (!found?.file.endsWith('.json')) continue;
    const target = { accountId: found.accountId, region: found.region };
    const entry = byTarget.get(targetName(target)) ?? { target, poolIds: [] };
    entry.poolIds.push(found.file.slice(0, -'.json'.length));
    byTarget.set(targetName(target), entry);
  }
  return [...byTarget.values()].sort((a, b) => compareTargets(a.target, b.target));
}

/** `<prefix><account>/<region>/<file>`, or undefined for any other key (the former flat layout). */
function targetOfKey(
  key: string,
  prefix: string,
): { accountId: string; region: string; file: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split('/');
  if (parts.length !== 3 || !/^\d{12}$/.test(parts[0] ?? '')) return undefined;
  const [accountId = '', region = '', file = ''] = parts;
  return { accountId, region, file };
}

/** Whether the pool has documents in the former layout (`baselines/<poolId>.json`) only. */
export async function inFormerLayout(documents: DocumentStore, poolId: string): Promise<boolean> {
  for (const key of [keys.baseline(poolId), keys.snapshot(poolId)]) {
    if (await documents.get(key)) return true;
  }
  return false;
}

/** Why a command refuses a store that was not moved to the account/region layout yet. */
export function formerLayoutError(location: string, poolIds: readonly string[]): UsageError {
  return new UsageError(
    `${location} still has the layout from before account/region folders (baselines/<poolId>.json), so the account of ${poolIds.join(', ')} is not known. Let the deployed detector run once, or run \`cognito-drift check\` with the same store (both move the documents in place, keeping the old ones), then try again. Nothing was written.`,
  );
}

/**
 * The one target of a pool, chosen from `targets` (where the store holds it): with `account`, that
 * account's; otherwise the only one. Two accounts holding the same id is an error that lists them.
 */
export function chooseTarget(
  poolId: string,
  targets: readonly ScanTarget[],
  account: string | undefined,
): ScanTarget | { problem: string } | undefined {
  const candidates = account ? targets.filter((t) => t.accountId === account) : targets;
  if (candidates.length === 0) {
    if (account && targets.length > 0) {
      return {
        problem: `${poolId}: not stored for account ${account}, only for ${unique(targets).join(', ')}.`,
      };
    }
    return undefined;
  }
  if (candidates.length > 1) {
    return {
      problem: `${poolId} is stored for several accounts (${unique(candidates).join(', ')}): name one with --account <accountId>.`,
    };
  }
  return candidates[0];
}

function unique(targets: readonly ScanTarget[]): string[] {
  return [...new Set(targets.map((t) => t.accountId))];
}
