import { setMaxListeners } from 'node:events';
import type { DriftStore, Versioned } from '../adapters/drift-store.js';
import { forEachConcurrently } from '../concurrency.js';
import type { PendingAlertMarks } from '../core/alert-marks.js';
import type { AlertClock } from '../core/alert-policy.js';
import { type Attributor, attributeSafely } from '../core/attribution.js';
import { clampRunTimes, clampStateTimes } from '../core/clamp-times.js';
import type { BaselineDoc, PoolOutcome, RunDoc, StateDoc } from '../core/documents.js';
import { IgnoreMatcher, type IgnoreRules, NO_IGNORE_RULES } from '../core/ignore.js';
import {
  type ListedObject,
  type Logger,
  type MetricsSink,
  type Notifier,
  type PoolReader,
  PoolReadInterrupted,
  type PoolRef,
} from '../core/ports.js';
import { type RunContext, renderStoreProblems } from '../core/render.js';
import { type RunAlerts, renderRunAlerts } from '../core/run-alerts.js';
import type { SecretPolicy } from '../core/secret-hygiene.js';
import { Severity } from '../core/types.js';
import { ConflictError, describeError, errorReason, MalformedDocumentError } from '../errors.js';
import { IDENTITY_POOLS, isIdentityPoolId } from '../surfaces/identity-pools.js';
import {
  concludeListingFailure,
  concludeRemovals,
  concludeRun,
  type FetchedBaseline,
  freshState,
  mergeStates,
  nextState,
  removalCandidates,
} from './conclude-run.js';
import {
  cachedBaseline,
  type EvaluationContext,
  evaluatePool,
  type KnownBaseline,
  loadedBaseline,
  mergeRead,
  snapshotToWrite,
  surfaceUpgrade,
} from './evaluate-pool.js';
import { listingFailureOf } from './listing-failure.js';
import { LeaseLostError, RunLease } from './run-lease.js';
import { delivers, persists, type RunMode, SWEEP, targetsOf } from './run-mode.js';
import {
  carriedClients,
  failedListingRun,
  newRun,
  planStart,
  runIdAt,
  targetedPools,
  targetedRun,
} from './run-plan.js';
import { type PoolResult, type RunResult, reportDocument, resultOf, skippedResult } from './run-result.js';

export type { PoolResult, RunResult };

/** What the detector talks to. Everything with a side effect comes in here. */
export interface DetectorDeps {
  reader: PoolReader;
  store: DriftStore;
  notifier: Notifier;
  logger: Logger;
  metrics?: MetricsSink;
  /** The clock; a parameter so that tests control time. */
  now: () => Date;
  /**
   * Who made the changes: called once per run with the pools about to be alerted. Never fails or
   * holds back the alert: a failure is "author unknown (reason)" (see `attributeSafely`).
   */
  attribute?: Attributor;
}

export interface DetectorOptions {
  accountId: string;
  region: string;
  /** What the run is for (sweep, targeted check, look only) and whether its messages reach people. @default SWEEP */
  mode?: RunMode;
  /** Unchanged, unapproved drift is alerted again after this long. */
  reminderIntervalMs: number;
  approveCommand: (poolId: string) => string;
  /** Milliseconds left in this invocation (Lambda context); omit for no limit. */
  remainingTimeMs?: () => number;
  /** No new pool is started with less time than this left; a pool in progress is abandoned at half of it. */
  safetyMarginMs: number;
  /** Pools read at once. The reader paces requests to the quotas; this only keeps the pace busy. */
  poolConcurrency: number;
  /** A persisted run older than this is abandoned and a new one started. */
  maxRunAgeMs: number;
  /**
   * For a run document written before leases existed: one updated more recently than this is being
   * worked on by another invocation, and a fresh start leaves it alone.
   * @default 16 minutes (one Lambda invocation plus a margin)
   */
  activeRunGraceMs?: number;
  /**
   * How long this invocation's hold on the run lasts without a refresh (see run-lease.ts).
   * @default 5 minutes
   */
  leaseMs?: number;
  ignore?: IgnoreRules;
  /** Secret lifecycle limits (unfinished rotation, maximum age); omit to report neither. */
  secretPolicy?: SecretPolicy;
  /** Called after each pool is read, for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /** Attribution looks for the events of new drift this far back. @default 2 hours */
  attributionWindowMs?: number;
}

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
  private readonly mode: RunMode;
  private readonly persist: boolean;
  private readonly ignore: IgnoreMatcher;
  private readonly startedMs: number;
  /**
   * Whether a baseline was ever recorded. Not just "the state document exists": if that were lost,
   * pools without a baseline must still be reported as added, never silently baselined.
   */
  private initialized = false;
  /** The pools of a targeted check; undefined for a sweep. */
  private readonly targets: ReadonlySet<string> | undefined;
  /** How many listed pools the ignore rules hid, when they hid every one. */
  private allPoolsIgnored = 0;
  /** This invocation's hold on the run document (none when nothing is persisted). */
  private lease: RunLease | undefined;

  constructor(
    private readonly deps: DetectorDeps,
    private readonly options: DetectorOptions,
  ) {
    this.mode = options.mode ?? SWEEP;
    this.persist = persists(this.mode);
    this.ignore = new IgnoreMatcher(options.ignore ?? NO_IGNORE_RULES);
    this.startedMs = deps.now().getTime();
    this.targets = targetsOf(this.mode);
  }

  async execute(): Promise<RunResult> {
    const { store, logger } = this.deps;
    const state = await this.readState();
    const baselines = await store.listBaselines();
    this.initialized = Boolean(state) || baselines.size > 0;

    const mode = this.mode;
    if (mode.kind === 'targeted' && !this.initialized) {
      logger.info('No baseline yet: the first sweep records it; nothing to check against', {});
      return skippedResult(mode.runId, 'no baseline recorded yet');
    }
    const started =
      mode.kind === 'targeted' ? await this.startTargeted(mode) : await this.startOrResume(baselines);
    if ('listingError' in started) return this.listingFailed(started.listingError, state);
    if ('skip' in started) {
      logger.info('Nothing to do in this invocation', { runId: started.runId, reason: started.skip });
      return skippedResult(started.runId, started.skip);
    }
    const { run } = started;
    // A first run that failed after writing some baselines is still the first run when taken up
    // again: its pools without a baseline get one, they are not reported as created.
    if (run.firstRun) this.initialized = false;
    if (mode.kind === 'sweep') {
      // Take the run up before the long part, so that another execution sees it is held.
      this.lease = new RunLease(store, run, started.etag, this.deps.now, this.options.leaseMs);
      try {
        await this.lease.take();
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        return skippedResult(run.runId, `run ${run.runId} was taken up by another execution`);
      }
      this.lease.startTimer();
    }
    try {
      return await this.scanAndFinish(run, state, baselines);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        logger.warn('Another execution took the run over; this one stops', { runId: run.runId });
        return skippedResult(run.runId, error.message);
      }
      // Give the run up, progress saved, so the next execution resumes it at once.
      if (await this.lease?.release()) logger.info('Run released after a failure', { runId: run.runId });
      throw error;
    } finally {
      this.lease?.stopTimer();
    }
  }

  private async scanAndFinish(
    run: RunDoc,
    state: Versioned<StateDoc> | undefined,
    baselines: Map<string, ListedObject>,
  ): Promise<RunResult> {
    const pending = run.pools.filter((p) => !(p.poolId in run.outcomes));
    const scanned = await this.scanPools(pending, run, state?.doc, baselines);
    run.invocations += 1;
    const notCovered = pending.length - scanned;
    if (notCovered > 0 && !this.targets) {
      this.deps.logger.info('Time is running out: persisting progress, the next invocation continues', {
        runId: run.runId,
        done: Object.keys(run.outcomes).length,
        remaining: notCovered,
      });
      run.updatedAt = this.deps.now().toISOString();
      await this.lease?.handOff();
      return resultOf(run, { done: false, firstRun: !state, notCovered, unmatchedIgnoreRules: [] });
    }
    return this.finish(run, state, baselines);
  }

  /**
   * The detector's memory. If it is unusable, the run cannot know what was already alerted or
   * approved, so it stops (the error alarm fires) after telling people which object to fix: with a
   * guess, it would either re-baseline pools silently or flood them with old alerts.
   */
  private async readState(): Promise<Versioned<StateDoc> | undefined> {
    try {
      const state = await this.deps.store.getState();
      return state && { ...state, doc: clampStateTimes(state.doc, this.deps.now()) };
    } catch (error) {
      if (!(error instanceof MalformedDocumentError) || !this.persist) throw error;
      const at = this.deps.now();
      const ctx = this.context({ runId: runIdAt(at), startedAt: at.toISOString() });
      await this.deps.notifier.publish(
        renderStoreProblems(ctx, [
          {
            what: this.deps.store.locate(error.key),
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
    const pools = targetedPools(mode, this.ignore);
    const partials: NonNullable<RunDoc['partials']> = {};
    for (const { poolId } of pools) {
      const changed = mode.changedClients?.[poolId];
      if (!changed) continue;
      const latest = await this.deps.store.getSnapshot(poolId).catch(() => undefined);
      const carried = carriedClients(changed, latest?.doc);
      if (carried) partials[poolId] = carried;
    }
    return { run: targetedRun(mode, this.deps.now(), pools, partials), etag: null };
  }

  /** Resumes the persisted run when there is a recent one, else lists pools and starts a new one. */
  private async startOrResume(
    baselines: Map<string, ListedObject>,
  ): Promise<
    { run: RunDoc; etag: string | null } | { listingError: unknown } | { skip: string; runId: string }
  > {
    const { store, reader, now, logger } = this.deps;
    let existing: Versioned<RunDoc> | undefined;
    let discardedEtag: string | undefined;
    try {
      existing = this.persist ? await store.getRun() : undefined;
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
      continuing: this.mode.kind === 'sweep' ? this.mode.runId : undefined,
      now: now(),
      maxRunAgeMs: this.options.maxRunAgeMs,
      activeRunGraceMs: this.options.activeRunGraceMs ?? 16 * 60_000,
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
      initialized: this.initialized,
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
      if (this.ignore.poolNameMatches(ref.poolId, ref.poolName) && baselines.has(ref.poolId)) {
        try {
          baselineName = (await this.deps.store.getBaseline(ref.poolId))?.doc.pool?.poolName;
        } catch (error) {
          if (!(error instanceof MalformedDocumentError)) throw error;
          // Unusable baseline: watch the pool, whose scan reports the document.
          watched.push(ref);
          continue;
        }
      }
      if (!this.ignore.skipsPool(ref.poolId, ref.poolName, baselineName)) watched.push(ref);
    }
    if (pools.length > 0 && watched.length === 0) this.allPoolsIgnored = pools.length;
    return watched;
  }

  /**
   * Reads pending pools, `poolConcurrency` at a time, until done or out of time. Records an
   * outcome for each pool finished; returns how many finished.
   */
  private async scanPools(
    pending: PoolRef[],
    run: RunDoc,
    state: StateDoc | undefined,
    baselines: Map<string, ListedObject>,
  ): Promise<number> {
    const { remainingTimeMs } = this.options;
    const margin = this.options.safetyMarginMs;
    const abort = new AbortController();
    // Every read in flight (clients and surfaces of several pools) listens on this one signal: more
    // than Node's default of 10 listeners is expected, not a leak.
    setMaxListeners(0, abort.signal);
    let timer: NodeJS.Timeout | undefined;
    if (remainingTimeMs) {
      const ms = Math.max(0, remainingTimeMs() - margin / 2);
      timer = setTimeout(() => abort.abort(new Error('invocation time limit')), ms);
    }
    let finished = 0;
    // One failure stops the other pools (aborting their reads), and the run rejects only once every
    // started pool has settled: one left running would write after the failure (in Lambda, during
    // the next invocation).
    try {
      await forEachConcurrently(
        pending,
        this.options.poolConcurrency,
        async (ref) => {
          try {
            const outcome = await this.scanPool(ref, run, state, baselines, abort.signal);
            if (!outcome) return;
            run.outcomes[ref.poolId] = outcome;
            finished += 1;
            this.options.onProgress?.(Object.keys(run.outcomes).length, run.pools.length);
            await this.lease?.refreshIfDue();
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
  private async scanPool(
    ref: PoolRef,
    run: RunDoc,
    state: StateDoc | undefined,
    baselines: Map<string, ListedObject>,
    signal: AbortSignal,
  ): Promise<PoolOutcome | undefined> {
    const { reader, store, logger, now } = this.deps;
    let read: Awaited<ReturnType<PoolReader['readPool']>>;
    try {
      read = await reader.readPool(ref, signal, run.partials?.[ref.poolId]);
    } catch (error) {
      if (signal.aborted) {
        if (error instanceof PoolReadInterrupted) {
          run.partials = { ...run.partials, [ref.poolId]: error.partial };
          logger.info('Pool not finished in this invocation; the next one goes on from here', {
            poolId: ref.poolId,
            clientsRead: error.partial.clients.length,
          });
        }
        return undefined;
      }
      read = { status: 'unreadable', reason: errorReason(error) };
    }
    if (run.partials) delete run.partials[ref.poolId];
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
      merged = mergeRead(read, known.doc?.pool);
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
    if (this.persist && snapshot) await store.putSnapshot(snapshot);

    let upgrade: ReturnType<typeof surfaceUpgrade>;
    if (this.persist && listed && known.hash !== merged.snapshotHash && known.etag !== undefined) {
      upgrade = surfaceUpgrade(known.doc, merged.pool);
      if (upgrade) {
        // The upgraded baseline is what was written: its version is the write's, nothing is read back.
        const etag = await store.putBaseline(upgrade.doc, known.etag);
        logger.info('Recorded newly watched surfaces into the baseline', {
          poolId: ref.poolId,
          surfaces: upgrade.added,
        });
        known = { hash: upgrade.doc.snapshotHash, etag, doc: upgrade.doc };
      }
    }
    const newlyWatched = this.newlyWatched(ref.poolId, state);
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
      this.evaluationContext(run, at),
    );
    const { outcome, firstBaseline } = evaluation;
    if (firstBaseline) {
      const recorded = await this.recordFirstBaseline(firstBaseline);
      outcome.baselineHash = recorded.snapshotHash;
      outcome.baselineEtag = recorded.etag;
      outcome.recorded = this.initialized && newlyWatched ? 'newly-watched' : 'first-run';
    }
    return outcome;
  }

  private evaluationContext(run: RunDoc, now: Date): EvaluationContext {
    return {
      ignore: this.ignore,
      ...(this.options.secretPolicy ? { secretPolicy: this.options.secretPolicy } : {}),
      now,
      initialized: this.initialized,
      persist: this.persist,
      runId: run.runId,
    };
  }

  /**
   * An identity pool seen by a deployment that did not watch identity pools before (an upgrade, or
   * identity pools turned on): recorded as baseline, not alerted as created.
   */
  private newlyWatched(poolId: string, state: StateDoc | undefined): boolean {
    return isIdentityPoolId(poolId) && !(state?.watching ?? []).includes(IDENTITY_POOLS);
  }

  /** ListUserPools itself failed: nothing can be compared, nothing is reported as removed. */
  private async listingFailed(error: unknown, state: Versioned<StateDoc> | undefined): Promise<RunResult> {
    const listingFailure = listingFailureOf(error);
    const problems = [{ what: 'ListUserPools (the list of all user pools)', reason: listingFailure.reason }];
    this.deps.logger.error('Could not list user pools; nothing was compared', {
      reason: listingFailure.reason,
    });
    this.deps.metrics?.count('ReadErrors', 1);
    const run = failedListingRun(this.deps.now());
    const { mark, alerts } = concludeListingFailure(state?.doc, problems, this.clock());
    const messages = renderRunAlerts(this.context(run), alerts);
    let pendingMarks: PendingAlertMarks | undefined;
    if (this.persist && messages.length > 0) {
      for (const message of messages) await this.deps.notifier.publish(message);
      if (state) {
        const next = nextState({ ...state.doc, incomplete: mark }, state.doc, delivers(this.mode));
        pendingMarks = next.pendingMarks;
        await this.deps.store.putState(next.state, state.etag);
      }
    }
    const result = resultOf(run, {
      done: true,
      firstRun: !state,
      notCovered: 0,
      unmatchedIgnoreRules: this.ignore.unmatched(),
      readProblems: problems,
      alerts,
      messages,
    });
    return { ...result, listingFailure, ...(pendingMarks ? { alertMarks: pendingMarks } : {}) };
  }

  /** All pools have an outcome: find removals, decide what to send, send it, remember it. */
  private async finish(
    run: RunDoc,
    stateVersion: Versioned<StateDoc> | undefined,
    baselines: Map<string, ListedObject>,
  ): Promise<RunResult> {
    const { store, notifier, logger, now } = this.deps;
    const at = now();
    // No run has completed yet (the first, or a first whose notice failed to send): send the notice.
    const firstRun = !stateVersion;
    let state = stateVersion?.doc ?? freshState(at);
    await this.recordLegacyFirstBaselines(run);

    // Pools with a baseline that the listing no longer names, or that vanished mid-scan: removed.
    const candidates = new Map<string, { object: ListedObject; fetched: FetchedBaseline }>();
    for (const poolId of removalCandidates({
      run,
      baselines,
      state,
      ignore: this.ignore,
      ...(this.targets ? { targets: this.targets } : {}),
    })) {
      const object = baselines.get(poolId) as ListedObject;
      try {
        candidates.set(poolId, { object, fetched: { version: await store.getBaseline(poolId) } });
      } catch (error) {
        if (!(error instanceof MalformedDocumentError)) throw error;
        candidates.set(poolId, { object, fetched: { malformed: { key: error.key, reason: error.reason } } });
      }
    }
    const removals = concludeRemovals({
      candidates,
      state,
      ignore: this.ignore,
      persist: this.persist,
      at,
      runId: run.runId,
    });
    Object.assign(run.outcomes, removals.outcomes);
    for (const tombstone of removals.tombstones) await store.putSnapshot(tombstone);
    state = removals.state;

    const conclusion = concludeRun({
      run,
      state,
      firstRun,
      persist: this.persist,
      resolved: removals.resolved,
      allPoolsIgnored: this.allPoolsIgnored,
      clock: this.clock(),
      locate: (key) => store.locate(key),
    });
    const { decision, readProblems, storeProblems } = conclusion;
    const alerts: RunAlerts = {
      ...conclusion.alerts,
      drifts: await this.attribute(conclusion.alerts.drifts, at),
    };

    const report = resultOf(run, {
      done: true,
      firstRun,
      notCovered: 0,
      unmatchedIgnoreRules: this.ignore.unmatched(),
      readProblems,
      storeProblems,
      alerts,
    });
    if (alerts.drifts.some((d) => d.attributions))
      report.attributions = Object.fromEntries(
        alerts.drifts.map((d) => [d.poolId, [...(d.attributions ?? [])]]),
      );
    const ctx = this.context(run);
    const needsReport = alerts.drifts.length > 0 || readProblems.length > 0 || storeProblems.length > 0;
    if (needsReport && this.persist)
      ctx.reportLocation = await store.putReport(run.runId, reportDocument(report, ctx));
    const messages = renderRunAlerts(ctx, alerts);

    for (const rule of this.targets ? [] : this.ignore.unmatched())
      logger.warn('Ignore rule matched nothing: check it for a typo', { rule });

    let pendingMarks: PendingAlertMarks | undefined;
    if (this.persist) {
      // Send first, remember second: if sending fails, the next run sends again. Nothing is lost.
      for (const message of messages) await notifier.publish(message);
      const next = nextState(
        { ...decision.state, watching: run.watching ?? decision.state.watching ?? [] },
        stateVersion?.doc,
        delivers(this.mode),
      );
      pendingMarks = next.pendingMarks;
      await this.writeState(next.state, stateVersion?.etag ?? null, Object.keys(run.outcomes));
      await this.lease?.complete();
    }
    this.emitMetrics(report, readProblems.length + storeProblems.length);
    return { ...report, messages, ...(pendingMarks ? { alertMarks: pendingMarks } : {}) };
  }

  /** Who made the drift about to be alerted: never fails, never holds the alert back. */
  private async attribute(drifts: RunAlerts['drifts'], at: Date): Promise<RunAlerts['drifts']> {
    const attribute = this.deps.attribute;
    if (!attribute || drifts.length === 0) return drifts;
    const window = this.options.attributionWindowMs ?? 2 * 3_600_000;
    const attributed = await attributeSafely(
      attribute,
      drifts.map((drift) => ({
        poolId: drift.poolId,
        findings: drift.findings,
        since: new Date(
          (drift.status === 'reminder' && drift.unapprovedSince
            ? Date.parse(drift.unapprovedSince)
            : at.getTime()) - window,
        ).toISOString(),
      })),
      (error) =>
        this.deps.logger.warn('Attribution failed: the alert says "author unknown"', {
          reason: describeError(error),
        }),
    );
    return drifts.map((drift) => {
      const attributions = attributed.get(drift.poolId);
      return attributions ? { ...drift, attributions } : drift;
    });
  }

  /**
   * A first run resumed from a run document of an earlier release: the pools it scanned then have no
   * baseline yet (that release recorded them at the end, from their snapshots).
   */
  private async recordLegacyFirstBaselines(run: RunDoc): Promise<void> {
    if (!this.persist || this.initialized) return;
    for (const ref of run.pools) {
      const outcome = run.outcomes[ref.poolId];
      if (outcome?.status !== 'scanned' || outcome.hasBaseline || outcome.recorded) continue;
      const snapshot = (await this.deps.store.getSnapshot(ref.poolId))?.doc;
      if (!snapshot?.pool || snapshot.hash === null) continue;
      const recorded = await this.recordFirstBaseline({
        formatVersion: snapshot.formatVersion,
        kind: 'baseline',
        poolId: ref.poolId,
        approvedAt: this.deps.now().toISOString(),
        approvedBy: 'cognito-drift (first run)',
        reason: 'Initial baseline recorded by the first detector run',
        snapshotHash: snapshot.hash,
        pool: snapshot.pool,
      });
      Object.assign(outcome, {
        baselineHash: recorded.snapshotHash,
        baselineEtag: recorded.etag,
        recorded: 'first-run',
      });
    }
  }

  /**
   * Writes the state; if a targeted check and a sweep finished at once (the write's condition
   * fails), merges: the pools this run read are taken from it, the rest from what is stored.
   */
  private async writeState(state: StateDoc, etag: string | null, touched: readonly string[]): Promise<void> {
    const { store } = this.deps;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await store.putState(state, etag);
        return;
      } catch (error) {
        const current =
          error instanceof ConflictError && attempt < 3
            ? await store.getState().catch(() => undefined)
            : undefined;
        // Not a conflict, or what the other writer left is unusable: fail as before.
        if (!current) throw error;
        state = mergeStates(state, current.doc, touched, Boolean(this.targets));
        etag = current.etag;
      }
    }
  }

  /**
   * Writes a first baseline, only where none exists. A first run that failed after writing some
   * (and is now resumed) finds them there: the same snapshot is accepted as written; a different one
   * (approved meanwhile) is kept, and the next run compares against it.
   */
  private async recordFirstBaseline(
    doc: BaselineDoc,
  ): Promise<{ etag: string; snapshotHash: string | null }> {
    const { store, logger } = this.deps;
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

  private clock(): AlertClock {
    return { now: this.deps.now(), reminderIntervalMs: this.options.reminderIntervalMs };
  }

  private context(run: Pick<RunDoc, 'runId' | 'startedAt'>): RunContext {
    return {
      accountId: this.options.accountId,
      region: this.options.region,
      runId: run.runId,
      at: run.startedAt,
      approveCommand: this.options.approveCommand,
    };
  }

  private emitMetrics(result: RunResult, errors: number): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    // The missed-runs alarm watches sweeps: a targeted check does not stand in for one.
    if (!this.targets) metrics.count('RunsCompleted', 1);
    metrics.count('PoolsScanned', result.poolsScanned);
    metrics.count('ClientsScanned', result.clientsScanned);
    metrics.count('ReadErrors', errors);
    const findings = result.pools.flatMap((p) => p.findings);
    metrics.count('Findings', findings.length);
    for (const severity of [Severity.HIGH, Severity.MEDIUM, Severity.LOW]) {
      metrics.count(
        `Findings${severity[0]}${severity.slice(1).toLowerCase()}`,
        findings.filter((f) => f.severity === severity).length,
      );
    }
    metrics.durationMs('ScanDurationMs', this.deps.now().getTime() - this.startedMs);
  }
}
