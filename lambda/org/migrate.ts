import { keys, type TargetScope, targetKey } from '../core/documents.js';
import type { DocumentStore, Logger } from '../core/ports.js';
import { ConflictError } from '../errors.js';
import { TRAIL_CHECK_KEY } from '../realtime/trail-check.js';

/** What {@link migrateSingleTargetLayout} did. */
export interface MigrationResult {
  /** Documents copied to the target's keys (0: nothing to migrate, or already migrated). */
  copied: number;
  /** Keys of the former layout that were read. They stay where they are, with their history. */
  legacyKeys: string[];
}

/** A key of the layout before targets: `baselines/<poolId>.json`, with no account/region folder. */
function isLegacyKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && key.endsWith('.json') && !key.slice(prefix.length).includes('/');
}

/**
 * Moves the documents of a deployment that watched one account and region (the layout before
 * targets: `baselines/<poolId>.json`, `snapshots/<poolId>.json`, `state/detector-state.json`,
 * `state/realtime-trail.json`) to that
 * target's keys, byte for byte. Nothing is re-baselined and nothing is alerted again: the baselines,
 * snapshots and what was alerted all carry over, and the baseline ETag caches still match (same
 * bytes, same ETag). The old keys are left in place, so their S3 versions (the approval history)
 * stay readable.
 *
 * Idempotent and safe to interrupt: copies are create-only, and the state document, copied last,
 * marks the migration done. A target that already has its own state is never touched.
 */
export async function migrateSingleTargetLayout(
  documents: DocumentStore,
  target: TargetScope,
  logger?: Logger,
): Promise<MigrationResult> {
  const done: MigrationResult = { copied: 0, legacyKeys: [] };
  if (await documents.get(targetKey(target, keys.state))) return done;
  const legacyState = await documents.get(keys.state);
  const baselines = (await documents.list(keys.baselinePrefix)).filter((o) =>
    isLegacyKey(o.key, keys.baselinePrefix),
  );
  if (!legacyState && baselines.length === 0) return done;
  const snapshots = (await documents.list('snapshots/')).filter((o) => isLegacyKey(o.key, 'snapshots/'));
  const copy = async (key: string, body?: string): Promise<void> => {
    const text = body ?? (await documents.get(key))?.body;
    if (text === undefined) return;
    done.legacyKeys.push(key);
    try {
      await documents.put(targetKey(target, key), text, { ifNoneMatch: '*' });
      done.copied += 1;
    } catch (error) {
      // Copied by an earlier, interrupted migration (or written since): keep what is there.
      if (!(error instanceof ConflictError)) throw error;
    }
  };
  for (const object of [...baselines, ...snapshots]) await copy(object.key);
  // When the daily trail check last ran and sent its notice: without it, a notice could go out again.
  await copy(TRAIL_CHECK_KEY);
  if (legacyState) await copy(keys.state, legacyState.body);
  logger?.info('Migrated the single-target documents to the account/region layout', {
    accountId: target.accountId,
    region: target.region,
    copied: done.copied,
  });
  return done;
}
