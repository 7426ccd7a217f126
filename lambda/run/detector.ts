import type { Versioned } from '../adapters/drift-store.js';
import { clampRunTimes, clampStateTimes } from '../core/clamp-times.js';
import type { RunDoc, StateDoc } from '../core/documents.js';
import { IgnoreMatcher, NO_IGNORE_RULES } from '../core/ignore.js';
import type { ListedObject, PoolRef } from '../core/ports.js';
import { renderStoreProblems } from '../core/run-notices.js';
import { describeError, MalformedDocumentError } from '../errors.js';
import { finishRun, listingFailed } from './finish-run.js';
import { LeaseLostError, RunLease } from './run-lease.js';
import { persists, type RunMode, SWEEP, targetsOf } from './run-mode.js';
import { carriedClients, newRun, planStart, runIdAt, targetedPools, targetedRun } from './run-plan.js';
import { type PoolResult, type RunResult, resultOf, skippedResult } from './run-result.js';
import { type DetectorDeps, type DetectorOptions, type RunSession, runContext } from './run-session.js';
import { scanPools } from './scan-pools.js';

export type { DetectorDeps, DetectorOptions, PoolResult, RunResult };

/**
 * One detector run (or one chunk of it): read every pool, compare with its baseline, record the
 * latest snapshots, and send at most one message of each kind. The decisions are pure functions
 * (run-plan, evaluate-pool, conclude-run); this sequences the reads, writes and sends around them.
 *
 * A sweep that cannot finish in one invocation persists its progress (`runs/current.json`) and
 * returns `done: false`; the next invocation continues it. Alerts go out once, when it is done.
 */
export async function runDetection(deps: DetectorDeps, options: DetectorOptions): Promise<RunResult> {
  return new DetectorRun(deps, options).execute();
}

class DetectorRun {
  private readonly s: RunSession;

  constructor(deps: DetectorDeps, options: DetectorOptions) {
    const mode = options.mode ?? SWEEP;
    this.s = {
      deps,
      options,
      mode,
      persist: persists(mode),
      ignore: new IgnoreMatcher(options.ignore ?? NO_IGNORE_RULES),
      targets: targetsOf(mode),
      initialized: false,
      allPoolsIgnored: 0,
      lease: undefined,
      startedMs: deps.now().getTime(),
    };
  }

  async execute(): Promise<RunResult> {
    const { store, logger } = this.s.deps;
    const state = await this.readState();
    const baselines = await store.listBaselines();
    this.s.initialized = Boolean(state) || baselines.size > 0;

    const mode = this.s.mode;
    if (mode.kind === 'targeted' && !this.s.initialized) {
      logger.info('No baseline yet: the first sweep records it; nothing to check against', {});
      return skippedResult(mode.runId, 'no baseline recorded yet');
    }
    const started =
      mode.kind === 'targeted' ? await this.startTargeted(mode) : await this.startOrResume(baselines);
    if ('listingError' in started) return listingFailed(this.s, started.listingError, state);
    if ('skip' in started) {
      logger.info('Nothing to do in this invocation', { runId: started.runId, reason: started.skip });
      return skippedResult(started.runId, started.skip);
    }
    const { run } = started;
    // A first run that failed after writing some baselines is still the first run when taken up
    // again: its pools without a baseline get one, they are not reported as created.
    if (run.firstRun) this.s.initialized = false;
    if (mode.kind === 'sweep') {
      // Take the run up before the long part, so that another execution sees it is held.
      this.s.lease = new RunLease(store, run, started.etag, this.s.deps.now, this.s.options.leaseMs);
      try {
        await this.s.lease.take();
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        return skippedResult(run.runId, `run ${run.runId} was taken up by another execution`);
      }
      this.s.lease.startTimer();
    }
    try {
      return await this.scanAndFinish(run, state, baselines);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        logger.warn('Another execution took the run over; this one stops', { runId: run.runId });
        return skippedResult(run.runId, error.message);
      }
      // Give the run up, progress saved, so the next execution resumes it at once.
      if (await this.s.lease?.release()) logger.info('Run released after a failure', { runId: run.runId });
      throw error;
    } finally {
      this.s.lease?.stopTimer();
    }
  }

  private async scanAndFinish(
    run: RunDoc,
    state: Versioned<StateDoc> | undefined,
    baselines: Map<string, ListedObject>,
  ): Promise<RunResult> {
    const pending = run.pools.filter((p) => !(p.poolId in run.outcomes));
    const scanned = await scanPools(this.s, pending, run, state?.doc, baselines);
    run.invocations += 1;
    const notCovered = pending.length - scanned;
    if (notCovered > 0 && !this.s.targets) {
      this.s.deps.logger.info('Time is running out: persisting progress, the next invocation continues', {
        runId: run.runId,
        done: Object.keys(run.outcomes).length,
        remaining: notCovered,
      });
      run.updatedAt = this.s.deps.now().toISOString();
      await this.s.lease?.handOff();
      return resultOf(run, { done: false, firstRun: !state, notCovered, unmatchedIgnoreRules: [] });
    }
    return finishRun(this.s, run, state, baselines);
  }

  /**
   * The detector's memory. If it is unusable, the run cannot know what was already alerted or
   * approved, so it stops (the error alarm fires) after telling people which object to fix: with a
   * guess, it would either re-baseline pools silently or flood them with old alerts.
   */
  private async readState(): Promise<Versioned<StateDoc> | undefined> {
    try {
      const state = await this.s.deps.store.getState();
      return state && { ...state, doc: clampStateTimes(state.doc, this.s.deps.now()) };
    } catch (error) {
      if (!(error instanceof MalformedDocumentError) || !this.s.persist) throw error;
      const at = this.s.deps.now();
      const ctx = runContext(this.s, { runId: runIdAt(at), startedAt: at.toISOString() });
      await this.s.deps.notifier.publish(
        renderStoreProblems(ctx, [
          {
            what: this.s.deps.store.locate(error.key),
            reason: `${error.reason}. No pool is compared until it is fixed or an earlier version restored`,
          },
        ]),
      );
      throw error;
    }
  }

  /** A targeted check's run: its pools, with the clients no event named taken from the latest snapshot. */
  private async startTargeted(
    mode: Extract<RunMode, { kind: 'targeted' }>,
  ): Promise<{ run: RunDoc; etag: null }> {
    const pools = targetedPools(mode, this.s.ignore);
    const partials: NonNullable<RunDoc['partials']> = {};
    for (const { poolId } of pools) {
      const changed = mode.changedClients?.[poolId];
      if (!changed) continue;
      const latest = await this.s.deps.store.getSnapshot(poolId).catch(() => undefined);
      const carried = carriedClients(changed, latest?.doc);
      if (carried) partials[poolId] = carried;
    }
    return { run: targetedRun(mode, this.s.deps.now(), pools, partials), etag: null };
  }

  /** Resumes the persisted run when there is a recent one, else lists pools and starts a new one. */
  private async startOrResume(
    baselines: Map<string, ListedObject>,
  ): Promise<
    { run: RunDoc; etag: string | null } | { listingError: unknown } | { skip: string; runId: string }
  > {
    const { store, reader, now, logger } = this.s.deps;
    let existing: Versioned<RunDoc> | undefined;
    let discardedEtag: string | undefined;
    try {
      existing = this.s.persist ? await store.getRun() : undefined;
      if (existing) existing = { ...existing, doc: clampRunTimes(existing.doc, now()) };
    } catch (error) {
      if (!(error instanceof MalformedDocumentError)) throw error;
      // Only the detector writes this scratch document: start over rather than fail every run.
      logger.warn('Discarding an unusable run-progress document and starting a new run', {
        reason: error.reason,
      });
      discardedEtag = error.etag;
    }
    const plan = planStart({
      existing: existing?.doc,
      continuing: this.s.mode.kind === 'sweep' ? this.s.mode.runId : undefined,
      now: now(),
      maxRunAgeMs: this.s.options.maxRunAgeMs,
      activeRunGraceMs: this.s.options.activeRunGraceMs ?? 16 * 60_000,
    });
    if (plan.action === 'skip') return { skip: plan.reason, runId: plan.runId };
    if (plan.action === 'resume' && existing) {
      logger.info('Resuming run', { runId: plan.run.runId, done: Object.keys(plan.run.outcomes).length });
      return { run: plan.run, etag: existing.etag };
    }
    if (plan.action === 'start' && plan.abandoned)
      logger.warn('Abandoning a stale run and starting over', plan.abandoned);
    let pools: PoolRef[];
    try {
      pools = await reader.listPools();
    } catch (error) {
      return { listingError: error };
    }
    // A failed identity-pool listing is one read problem: the user pools are still compared.
    let unlisted: RunDoc['unlisted'];
    try {
      pools = [...pools, ...((await reader.listIdentityPools?.()) ?? [])];
    } catch (error) {
      unlisted = [{ kind: 'identityPools', reason: describeError(error) }];
      logger.warn('Could not list identity pools; they are not compared this run', {
        reason: unlisted[0]?.reason,
      });
    }
    const run = newRun({
      at: now(),
      pools: await this.watchedPools(pools, baselines),
      initialized: this.s.initialized,
      ...(unlisted ? { unlisted } : {}),
      watching: reader.surfaceNames ?? [],
    });
    return { run, etag: existing?.etag ?? discardedEtag ?? null };
  }

  /**
   * The listed pools the ignore rules leave. A pool whose current name matches a rule is skipped
   * only if the name it was approved under matches too (one GET of its baseline); a pool renamed
   * into a rule stays watched, and the rename is reported. When rules leave no pool at all, that is
   * itself reported, every run: nothing would be watched, silently.
   */
  private async watchedPools(pools: PoolRef[], baselines: Map<string, ListedObject>): Promise<PoolRef[]> {
    const watched: PoolRef[] = [];
    for (const ref of pools) {
      let baselineName: string | undefined;
      if (this.s.ignore.poolNameMatches(ref.poolId, ref.poolName) && baselines.has(ref.poolId)) {
        try {
          baselineName = (await this.s.deps.store.getBaseline(ref.poolId))?.doc.pool?.poolName;
        } catch (error) {
          if (!(error instanceof MalformedDocumentError)) throw error;
          // Unusable baseline: watch the pool, whose scan reports the document.
          watched.push(ref);
          continue;
        }
      }
      if (!this.s.ignore.skipsPool(ref.poolId, ref.poolName, baselineName)) watched.push(ref);
    }
    if (pools.length > 0 && watched.length === 0) this.s.allPoolsIgnored = pools.length;
    return watched;
  }
}
