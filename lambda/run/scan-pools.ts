import { setMaxListeners } from 'node:events';
import { forEachConcurrently } from '../concurrency.js';
import type { BaselineDoc, PoolOutcome, RunDoc, StateDoc } from '../core/documents.js';
import {
  type ListedObject,
  type PartialPoolRead,
  type PoolReader,
  PoolReadInterrupted,
  type PoolRef,
} from '../core/ports.js';
import { referenceKey } from '../core/references.js';
import { ConflictError, errorReason, MalformedDocumentError } from '../errors.js';
import { IDENTITY_POOLS, isIdentityPoolId } from '../surfaces/identity-pools.js';
import {
  cachedBaseline,
  type EvaluationContext,
  evaluatePool,
  type KnownBaseline,
  loadedBaseline,
  mergeRead,
  needsLastKnown,
  snapshotToWrite,
  surfaceUpgrade,
} from './evaluate-pool.js';
import { MAX_INTERRUPTED_ATTEMPTS, tooLargeOutcome } from './run-plan.js';
import type { RunSession } from './run-session.js';

/** Why the reads in flight were aborted: the invocation's time is up (not another pool's failure). */
export class InvocationTimeLimitError extends Error {
  constructor() {
    super('invocation time limit');
    this.name = 'InvocationTimeLimitError';
  }
}

/**
 * Scanning the pools of a run: the reads and writes around `evaluate-pool`, several pools at once,
 * until done or out of time.
 */

/**
 * Reads pending pools, `poolConcurrency` at a time, until done or out of time. Records an
 * outcome for each pool finished; returns how many finished.
 *
 * A pool's listed baseline is taken out of `baselines` once the pool has an outcome (its version is
 * in the outcome): what is left are the baselines of pools not read, the removal candidates, so
 * the listing a run holds shrinks as it goes instead of staying the size of the account. A pool
 * found gone keeps its entry: it is a removal candidate.
 */
export async function scanPools(
  s: RunSession,
  pending: PoolRef[],
  run: RunDoc,
  state: StateDoc | undefined,
  baselines: Map<string, ListedObject>,
): Promise<number> {
  const { remainingTimeMs } = s.options;
  const margin = s.options.safetyMarginMs;
  const abort = new AbortController();
  // Every read in flight (clients and surfaces of several pools) listens on this one signal: more
  // than Node's default of 10 listeners is expected, not a leak.
  setMaxListeners(0, abort.signal);
  let timer: NodeJS.Timeout | undefined;
  if (remainingTimeMs) {
    const ms = Math.max(0, remainingTimeMs() - margin / 2);
    timer = setTimeout(() => abort.abort(new InvocationTimeLimitError()), ms);
  }
  let finished = 0;
  // One failure stops the other pools (aborting their reads), and the run rejects only once every
  // started pool has settled: one left running would write after the failure (in Lambda, during
  // the next invocation).
  try {
    await forEachConcurrently(
      pending,
      s.options.poolConcurrency,
      async (ref) => {
        try {
          const outcome = await scanPool(s, ref, run, state, baselines, abort.signal);
          if (!outcome) return;
          run.outcomes[ref.poolId] = outcome;
          if (outcome.status !== 'gone') baselines.delete(ref.poolId);
          finished += 1;
          s.options.onProgress?.(Object.keys(run.outcomes).length, run.pools.length);
          await s.lease?.refreshIfDue();
        } catch (error) {
          abort.abort(error);
          throw error;
        }
      },
      () => abort.signal.aborted || Boolean(remainingTimeMs && remainingTimeMs() < margin),
    );
  } finally {
    clearTimeout(timer);
  }
  return finished;
}

/** One pool: read it, then evaluate it (pure), writing what the evaluation asks for. */
async function scanPool(
  s: RunSession,
  ref: PoolRef,
  run: RunDoc,
  state: StateDoc | undefined,
  baselines: Map<string, ListedObject>,
  signal: AbortSignal,
): Promise<PoolOutcome | undefined> {
  const { reader, store, logger, now } = s.deps;
  const interrupted = run.interrupted?.[ref.poolId] ?? 0;
  const bound = tooLargeOutcome(
    ref,
    interrupted,
    s.options.maxInterruptedAttempts ?? MAX_INTERRUPTED_ATTEMPTS,
  );
  if (bound) {
    logger.warn('Pool not read: its reads were cut off by the time limit in every attempt', {
      poolId: ref.poolId,
      attempts: interrupted,
    });
    if (run.partials) delete run.partials[ref.poolId];
    return bound;
  }
  let read: Awaited<ReturnType<PoolReader['readPool']>>;
  try {
    read = await reader.readPool(ref, signal, run.partials?.[ref.poolId]);
  } catch (error) {
    if (signal.aborted) {
      // Cut off by the time limit (not by another pool's failure) without reading one more client
      // or surface: one more attempt that made no progress. Reads that go on count as progress.
      const before = partialSize(run.partials?.[ref.poolId]);
      const progressed = error instanceof PoolReadInterrupted && partialSize(error.partial) > before;
      if (signal.reason instanceof InvocationTimeLimitError)
        run.interrupted = { ...run.interrupted, [ref.poolId]: progressed ? 0 : interrupted + 1 };
      if (error instanceof PoolReadInterrupted) {
        run.partials = { ...run.partials, [ref.poolId]: error.partial };
        logger.info('Pool not finished in this invocation; the next one goes on from here', {
          poolId: ref.poolId,
          clientsRead: error.partial.clients.length,
          surfacesRead: Object.keys(error.partial.surfaces ?? {}).length,
        });
      }
      return undefined;
    }
    read = { status: 'unreadable', reason: errorReason(error) };
  }
  if (run.partials) delete run.partials[ref.poolId];
  if (run.interrupted) delete run.interrupted[ref.poolId];
  if (read.status === 'gone') return { status: 'gone', poolName: ref.poolName };
  if (read.status === 'unreadable') {
    logger.warn('Pool could not be read', { poolId: ref.poolId, reason: read.reason });
    return { status: 'unreadable', poolName: ref.poolName, reason: read.reason };
  }

  const poolState = state?.pools[ref.poolId];
  const listed = baselines.get(ref.poolId);
  const load = async () => loadedBaseline(await store.getBaseline(ref.poolId));
  let known: KnownBaseline;
  let merged: ReturnType<typeof mergeRead>;
  try {
    known = cachedBaseline(read, listed, poolState) ?? (await load());
    const lastKnown = needsLastKnown(read, poolState) ? await store.getSnapshot(ref.poolId) : undefined;
    merged = mergeRead(read, known.doc?.pool, lastKnown?.doc.pool);
    // The hashes differ: the findings need the baseline document itself.
    if (listed && known.hash !== merged.snapshotHash && !known.doc) known = await load();
  } catch (error) {
    if (error instanceof MalformedDocumentError) {
      return { status: 'bad-document', poolName: ref.poolName, key: error.key, reason: error.reason };
    }
    throw error;
  }
  const at = now();
  const snapshot = snapshotToWrite({ ref, read, ...merged, poolState, runId: run.runId, now: at });
  if (s.persist && snapshot) await store.putSnapshot(snapshot);

  let upgrade: ReturnType<typeof surfaceUpgrade>;
  if (listed && known.hash !== merged.snapshotHash && known.etag !== undefined) {
    upgrade = surfaceUpgrade(known.doc, merged.pool);
    if (upgrade) {
      // The upgraded baseline is what was written: its version is the write's, nothing is read back.
      // A run that writes nothing (CLI diff) compares with it all the same, so it shows no false drift.
      const etag = s.persist ? await store.putBaseline(upgrade.doc, known.etag) : known.etag;
      if (s.persist)
        logger.info('Recorded newly watched surfaces or newly readable references into the baseline', {
          poolId: ref.poolId,
          surfaces: upgrade.added,
          references: upgrade.recorded.map(referenceKey),
        });
      known = { hash: upgrade.doc.snapshotHash, etag, doc: upgrade.doc };
    }
  }
  const newlyWatched = isNewlyWatched(ref.poolId, state);
  const evaluation = evaluatePool(
    {
      ref,
      read,
      ...merged,
      hasBaseline: Boolean(listed),
      known,
      newlyWatched,
      ...(upgrade ? { upgrade } : {}),
    },
    evaluationContext(s, run, at, state),
  );
  const { outcome, firstBaseline } = evaluation;
  if (firstBaseline) {
    const recorded = await recordFirstBaseline(s, firstBaseline);
    outcome.baselineHash = recorded.snapshotHash;
    outcome.baselineEtag = recorded.etag;
    outcome.recorded = s.initialized && newlyWatched ? 'newly-watched' : 'first-run';
  }
  return outcome;
}

function evaluationContext(
  s: RunSession,
  run: RunDoc,
  now: Date,
  state: StateDoc | undefined,
): EvaluationContext {
  return {
    ...(state?.unreadableReferences ? { unreadableBefore: state.unreadableReferences } : {}),
    ignore: s.ignore,
    ...(s.options.secretPolicy ? { secretPolicy: s.options.secretPolicy } : {}),
    now,
    initialized: s.initialized,
    persist: s.persist,
    runId: run.runId,
    ...(s.options.posture ? { posture: s.options.posture } : {}),
  };
}

/**
 * An identity pool seen by a deployment that did not watch identity pools before (an upgrade, or
 * identity pools turned on): recorded as baseline, not alerted as created.
 */
function isNewlyWatched(poolId: string, state: StateDoc | undefined): boolean {
  return isIdentityPoolId(poolId) && !(state?.watching ?? []).includes(IDENTITY_POOLS);
}

/**
 * Writes a first baseline, only where none exists. A first run that failed after writing some
 * (and is now resumed) finds them there: the same snapshot is accepted as written; a different one
 * (approved meanwhile) is kept, and the next run compares against it.
 */
export async function recordFirstBaseline(
  s: RunSession,
  doc: BaselineDoc,
): Promise<{ etag: string; snapshotHash: string | null }> {
  const { store, logger } = s.deps;
  try {
    return { etag: await store.putBaseline(doc, null), snapshotHash: doc.snapshotHash };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await store.getBaseline(doc.poolId);
    if (!existing) throw error;
    if (existing.doc.snapshotHash !== doc.snapshotHash) {
      logger.warn('A baseline was approved while the first run was in progress; it is kept', {
        poolId: doc.poolId,
      });
    }
    return { etag: existing.etag, snapshotHash: existing.doc.snapshotHash };
  }
}

/** Reads kept of a pool: its clients and surfaces read so far (0 for none). */
function partialSize(partial: PartialPoolRead | undefined): number {
  return (partial?.clients.length ?? 0) + Object.keys(partial?.surfaces ?? {}).length;
}
