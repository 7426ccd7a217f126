import { ConflictError, errorReason, MalformedDocumentError } from '../errors.js';
import { keepAlertMarks } from './alert-marks.js';
import { contentHash } from './canonical.js';
import { clampRunTimes, clampStateTimes } from './clamp-times.js';
import { diffPool } from './diff.js';
import type { BaselineDoc, PoolOutcome, PoolState, RunDoc, SnapshotDoc, StateDoc } from './documents.js';
import { FORMAT_VERSION } from './documents.js';
import type { DriftStore, Versioned } from './drift-store.js';
import { IgnoreMatcher, type IgnoreRules, NO_IGNORE_RULES } from './ignore.js';
import {
  type AlertMessage,
  type ListedObject,
  type Logger,
  type MetricsSink,
  type Notifier,
  type PoolReader,
  PoolReadInterrupted,
  type PoolRef,
} from './ports.js';
import {
  type PoolDrift,
  type ReadProblem,
  type RunContext,
  renderBaselineCreated,
  renderDriftDigest,
  renderResolved,
  renderScanIncomplete,
  renderStoreProblems,
} from './render.js';
import { LeaseLostError, leaseStatus, mayTakeUp, RunLease } from './run-lease.js';
import { classify, highestSeverity } from './severity.js';
import type { Finding, PoolSnapshot } from './types.js';
import { Severity } from './types.js';

/** What the detector talks to. Everything with a side effect comes in here. */
export interface DetectorDeps {
  reader: PoolReader;
  store: DriftStore;
  notifier: Notifier;
  logger: Logger;
  metrics?: MetricsSink;
  /** The clock; a parameter so that tests control time. */
  now: () => Date;
}

export interface DetectorOptions {
  accountId: string;
  region: string;
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
  /** The run this invocation continues (from the state machine's loop); omitted to start or take one up. */
  runId?: string;
  /**
   * For a run document written before leases existed: one updated more recently than this is being
   * worked on by another invocation, and a fresh start leaves it alone.
   * @default 16 minutes (one Lambda invocation plus a margin)
   */
  activeRunGraceMs?: number;
  /**
   * How long this invocation's hold on the run lasts without a refresh (see run-lease.ts); it is
   * refreshed after each pool and on a timer while scanning.
   * @default 5 minutes
   */
  leaseMs?: number;
  ignore?: IgnoreRules;
  /** `false`: look only (CLI `diff`): no document is written and no message sent. */
  persist?: boolean;
  /**
   * Whether a published message reaches people (an SNS topic). `false` (a CLI run without a topic,
   * whose messages are printed): the state is written without new alert marks.
   * @default true
   */
  alertsDelivered?: boolean;
  /** Called after each pool is read, for a progress display. */
  onProgress?: (done: number, total: number) => void;
}

/** What one pool looks like after a run: for the CLI, the report and the tests. */
export interface PoolResult {
  poolId: string;
  poolName: string;
  outcome: PoolOutcome['status'];
  findings: Finding[];
}

export interface RunResult {
  runId: string;
  /** False when the time ran out: invoke again with the same run to continue. */
  done: boolean;
  firstRun: boolean;
  pools: PoolResult[];
  messages: AlertMessage[];
  readProblems: ReadProblem[];
  storeProblems: ReadProblem[];
  unmatchedIgnoreRules: string[];
  /** Why this invocation did nothing (another invocation is working on the run), if it did nothing. */
  skipped?: string;
  poolsScanned: number;
  clientsScanned: number;
  notCovered: number;
}

/**
 * One detector run (or one chunk of it): read every pool, compare with its baseline, record the
 * latest snapshots, and send at most one message of each kind.
 *
 * A run that cannot finish in one invocation persists its progress (`runs/current.json`) and
 * returns `done: false`; the next invocation continues it. Alerts go out once, when it is done.
 */
export async function runDetection(deps: DetectorDeps, options: DetectorOptions): Promise<RunResult> {
  return new DetectorRun(deps, options).execute();
}

class DetectorRun {
  private readonly persist: boolean;
  private readonly ignore: IgnoreMatcher;
  private readonly startedMs: number;
  /**
   * Whether a baseline was ever recorded. Not just "the state document exists": if that were lost,
   * pools without a baseline must still be reported as added, never silently baselined.
   */
  private initialized = false;
  /** How many listed pools the ignore rules hid, when they hid every one. */
  private allPoolsIgnored = 0;
  /** This invocation's hold on the run document (none when nothing is persisted). */
  private lease: RunLease | undefined;

  constructor(
    private readonly deps: DetectorDeps,
    private readonly options: DetectorOptions,
  ) {
    this.persist = options.persist ?? true;
    this.ignore = new IgnoreMatcher(options.ignore ?? NO_IGNORE_RULES);
    this.startedMs = deps.now().getTime();
  }

  async execute(): Promise<RunResult> {
    const { store, logger } = this.deps;
    const state = await this.readState();
    const baselines = await store.listBaselines();
    this.initialized = Boolean(state) || baselines.size > 0;

    const started = await this.startOrResume(baselines);
    if ('listingError' in started) return this.listingFailed(started.listingError, state);
    if ('skip' in started) {
      logger.info('Nothing to do in this invocation', { runId: started.runId, reason: started.skip });
      return this.skipped(started.runId, started.skip);
    }
    const { run } = started;
    // A first run that failed after writing some baselines is still the first run when taken up
    // again: its pools without a baseline get one, they are not reported as created.
    if (run.firstRun) this.initialized = false;
    if (this.persist) {
      // Take the run up before the long part, so that another execution sees it is held.
      this.lease = new RunLease(store, run, started.etag, this.deps.now, this.options.leaseMs);
      try {
        await this.lease.take();
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        return this.skipped(run.runId, `run ${run.runId} was taken up by another execution`);
      }
      this.lease.startTimer();
    }
    try {
      return await this.scanAndFinish(run, state, baselines);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        logger.warn('Another execution took the run over; this one stops', { runId: run.runId });
        return this.skipped(run.runId, error.message);
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
    if (notCovered > 0) {
      this.deps.logger.info('Time is running out: persisting progress, the next invocation continues', {
        runId: run.runId,
        done: Object.keys(run.outcomes).length,
        remaining: notCovered,
      });
      run.updatedAt = this.deps.now().toISOString();
      await this.lease?.handOff();
      return this.result(run, { done: false, firstRun: !state, messages: [], notCovered });
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
      const at = this.deps.now().toISOString();
      const ctx = this.context({ runId: at.replace(/[:.]/g, '-'), startedAt: at });
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

  /** Resumes the persisted run when there is a recent one, else lists pools and starts a new one. */
  private async startOrResume(
    baselines: Map<string, ListedObject>,
  ): Promise<
    { run: RunDoc; etag: string | null } | { listingError: string } | { skip: string; runId: string }
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
    const continuing = this.options.runId;
    if (
      continuing !== undefined &&
      (existing?.doc.runId !== continuing || existing.doc.status !== 'scanning')
    ) {
      return { skip: `run ${continuing} was finished or taken up by another execution`, runId: continuing };
    }
    if (existing && existing.doc.status === 'scanning') {
      const age = now().getTime() - Date.parse(existing.doc.startedAt);
      const lease = leaseStatus(existing.doc, now(), this.options.activeRunGraceMs ?? 16 * 60_000);
      if (
        !mayTakeUp(lease, continuing !== undefined) &&
        (continuing !== undefined || age <= this.options.maxRunAgeMs)
      ) {
        return {
          skip: `run ${existing.doc.runId} is in progress in another execution`,
          runId: existing.doc.runId,
        };
      }
      if (age <= this.options.maxRunAgeMs) {
        logger.info('Resuming run', {
          runId: existing.doc.runId,
          done: Object.keys(existing.doc.outcomes).length,
        });
        return { run: existing.doc, etag: existing.etag };
      }
      logger.warn('Abandoning a stale run and starting over', { runId: existing.doc.runId, ageMs: age });
    }
    let pools: PoolRef[];
    try {
      pools = await reader.listPools();
    } catch (error) {
      return { listingError: errorReason(error) };
    }
    const at = now();
    const run: RunDoc = {
      formatVersion: FORMAT_VERSION,
      kind: 'run',
      runId: at.toISOString().replace(/[:.]/g, '-'),
      startedAt: at.toISOString(),
      updatedAt: at.toISOString(),
      status: 'scanning',
      pools: (await this.watchedPools(pools, baselines)).sort((a, b) => a.poolId.localeCompare(b.poolId)),
      outcomes: {},
      invocations: 0,
      ...(this.initialized ? {} : { firstRun: true }),
    };
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
    let timer: NodeJS.Timeout | undefined;
    if (remainingTimeMs) {
      const ms = Math.max(0, remainingTimeMs() - margin / 2);
      timer = setTimeout(() => abort.abort(new Error('invocation time limit')), ms);
    }
    const queue = [...pending];
    let finished = 0;
    const worker = async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) {
        if (abort.signal.aborted || (remainingTimeMs && remainingTimeMs() < margin)) return;
        const outcome = await this.scanPool(ref, run, state, baselines, abort.signal);
        if (outcome) {
          run.outcomes[ref.poolId] = outcome;
          finished += 1;
          this.options.onProgress?.(Object.keys(run.outcomes).length, run.pools.length);
        }
        await this.lease?.refreshIfDue();
      }
    };
    // One failure stops the other workers, and the run rejects only once they have stopped: a
    // worker left running would write after the failure (in Lambda, during the next invocation).
    const stopOthers = (error: unknown) => {
      abort.abort(error);
      throw error;
    };
    let settled: PromiseSettledResult<void>[];
    try {
      settled = await Promise.allSettled(
        Array.from({ length: Math.max(1, this.options.poolConcurrency) }, () => worker().catch(stopOthers)),
      );
    } finally {
      clearTimeout(timer);
    }
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return finished;
  }

  /** One pool: read, carry over unreadable clients, write the snapshot if it changed, diff. */
  private async scanPool(
    ref: PoolRef,
    run: RunDoc,
    state: StateDoc | undefined,
    baselines: Map<string, ListedObject>,
    signal: AbortSignal,
  ): Promise<PoolOutcome | undefined> {
    const { reader, store, logger } = this.deps;
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
    let baseline: BaselineDoc | undefined;
    let baselineHash: string | null = null;
    let baselineEtag: string | undefined;
    const listed = baselines.get(ref.poolId);
    const pool = read.pool;
    const needsBaselineDoc = read.unreadableClients.length > 0;
    try {
      if (listed && poolState?.baseline?.etag === listed.etag && !needsBaselineDoc) {
        baselineHash = poolState.baseline.snapshotHash;
        baselineEtag = listed.etag;
      } else if (listed) {
        const version = await store.getBaseline(ref.poolId);
        baseline = version?.doc;
        baselineHash = baseline?.snapshotHash ?? null;
        baselineEtag = version?.etag;
      }
    } catch (error) {
      if (error instanceof MalformedDocumentError) {
        return { status: 'bad-document', poolName: ref.poolName, key: error.key, reason: error.reason };
      }
      throw error;
    }

    // A client that could not be read keeps its baseline entry: never reported as deleted or changed.
    for (const { clientId } of read.unreadableClients) {
      const kept = baseline?.pool?.clients[clientId];
      if (kept) pool.clients[clientId] = kept;
    }
    const snapshotHash = contentHash(pool);
    this.ignore.observe(pool);

    if (this.persist && (poolState?.snapshotHash !== snapshotHash || read.unreadableClients.length > 0)) {
      const doc: SnapshotDoc = {
        formatVersion: FORMAT_VERSION,
        kind: 'snapshot',
        poolId: ref.poolId,
        capturedAt: this.deps.now().toISOString(),
        runId: run.runId,
        hash: snapshotHash,
        unreadableClients: read.unreadableClients,
        pool,
      };
      await store.putSnapshot(doc);
    }

    let findings: Finding[] = [];
    if (listed && baselineHash !== snapshotHash) {
      baseline ??= (await store.getBaseline(ref.poolId))?.doc;
      findings = this.findings(baseline?.pool ?? null, pool);
    } else if (!listed && this.initialized) {
      findings = this.findings(null, pool);
    }
    return {
      status: 'scanned',
      poolName: pool.poolName,
      snapshotHash,
      baselineHash,
      baselineEtag,
      hasBaseline: Boolean(listed),
      clientCount: Object.keys(pool.clients).length,
      findings,
      unreadableClients: read.unreadableClients,
    };
  }

  private findings(baseline: PoolSnapshot | null, current: PoolSnapshot | null): Finding[] {
    const changes = this.ignore.filter(diffPool(baseline, current), { baseline, current });
    return classify(changes, { baseline, current });
  }

  /** ListUserPools itself failed: nothing can be compared, nothing is reported as removed. */
  private async listingFailed(reason: string, state: Versioned<StateDoc> | undefined): Promise<RunResult> {
    const problems = [{ what: 'ListUserPools (the list of all user pools)', reason }];
    this.deps.logger.error('Could not list user pools; nothing was compared', { reason });
    this.deps.metrics?.count('ReadErrors', 1);
    const run: RunDoc = {
      formatVersion: FORMAT_VERSION,
      kind: 'run',
      runId: this.deps.now().toISOString().replace(/[:.]/g, '-'),
      startedAt: this.deps.now().toISOString(),
      updatedAt: this.deps.now().toISOString(),
      status: 'complete',
      pools: [],
      outcomes: {},
      invocations: 1,
    };
    const messages: AlertMessage[] = [];
    const mark = this.dueMark(state?.doc.incomplete, contentHash(problems));
    if (mark) messages.push(renderScanIncomplete(this.context(run), problems));
    if (this.persist && messages.length > 0) {
      for (const message of messages) await this.deps.notifier.publish(message);
      if (state)
        await this.deps.store.putState(
          this.remembered({ ...state.doc, incomplete: mark }, state.doc),
          state.etag,
        );
    }
    return this.result(run, {
      done: true,
      firstRun: !state,
      messages,
      notCovered: 0,
      readProblems: problems,
    });
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
    const state: StateDoc = structuredClone(stateVersion?.doc) ?? {
      formatVersion: FORMAT_VERSION,
      kind: 'state',
      initializedAt: at.toISOString(),
      pools: {},
    };
    const ctx = this.context(run);
    const storeProblems: ReadProblem[] = [];
    const readProblems: ReadProblem[] = [];
    const drifts: PoolDrift[] = [];
    const resolved: { poolId: string; poolName: string }[] = [];

    // Pools with a baseline that ListUserPools no longer names, or that vanished mid-scan: removed.
    const listed = new Set(run.pools.map((p) => p.poolId));
    for (const [poolId, object] of baselines) {
      if (listed.has(poolId) && run.outcomes[poolId]?.status !== 'gone') continue;
      const cached = state.pools[poolId]?.baseline;
      if (cached?.etag === object.etag && cached.snapshotHash === null) continue;
      if (this.ignore.ignoresPool(poolId, '')) continue;
      try {
        const baseline = await store.getBaseline(poolId);
        if (!baseline?.doc.pool) {
          // The deletion was approved: nothing to compare, and any alerted drift is resolved.
          const poolState = this.poolState(state, poolId);
          if (poolState.drift) resolved.push({ poolId, poolName: poolState.drift.poolName ?? poolId });
          delete poolState.drift;
          poolState.baseline = { etag: object.etag, snapshotHash: null };
          continue;
        }
        if (this.ignore.ignoresPool(poolId, baseline.doc.pool.poolName)) continue;
        const findings = this.findings(baseline.doc.pool, null);
        run.outcomes[poolId] = {
          status: 'scanned',
          poolName: baseline.doc.pool.poolName,
          snapshotHash: 'removed',
          baselineHash: baseline.doc.snapshotHash,
          baselineEtag: baseline.etag,
          hasBaseline: true,
          clientCount: 0,
          findings,
          unreadableClients: [],
        };
        if (this.persist && state.pools[poolId]?.snapshotHash !== null) {
          await store.putSnapshot({
            formatVersion: FORMAT_VERSION,
            kind: 'snapshot',
            poolId,
            capturedAt: at.toISOString(),
            runId: run.runId,
            hash: null,
            unreadableClients: [],
            pool: null,
          });
        }
        this.poolState(state, poolId).snapshotHash = null;
      } catch (error) {
        if (!(error instanceof MalformedDocumentError)) throw error;
        run.outcomes[poolId] = {
          status: 'bad-document',
          poolName: poolId,
          key: error.key,
          reason: error.reason,
        };
      }
    }

    // First run: what exists now becomes the baseline.
    let clientsWatched = 0;
    for (const ref of run.pools) {
      const outcome = run.outcomes[ref.poolId];
      if (outcome?.status !== 'scanned') continue;
      clientsWatched += outcome.clientCount;
      if (this.initialized || outcome.hasBaseline || !this.persist) continue;
      const snapshot = (await store.getSnapshot(ref.poolId))?.doc;
      if (!snapshot?.pool) continue;
      const recorded = await this.recordFirstBaseline({
        formatVersion: FORMAT_VERSION,
        kind: 'baseline',
        poolId: ref.poolId,
        approvedAt: at.toISOString(),
        approvedBy: 'cognito-drift (first run)',
        reason: 'Initial baseline recorded by the first detector run',
        snapshotHash: snapshot.hash,
        pool: snapshot.pool,
      });
      this.poolState(state, ref.poolId).baseline = recorded;
      outcome.baselineHash = recorded.snapshotHash;
    }

    if (this.allPoolsIgnored > 0) {
      readProblems.push({
        what: 'Ignore rules',
        reason: `all ${this.allPoolsIgnored} pools of the account match an ignore rule: 0 pools are watched. Narrow the pools rules`,
      });
    }
    // Decide, pool by pool, what is new, changed, due for a reminder, or resolved.
    for (const [poolId, outcome] of Object.entries(run.outcomes).sort(([a], [b]) => a.localeCompare(b))) {
      const poolState = this.poolState(state, poolId);
      if (outcome.status === 'unreadable') {
        readProblems.push({ what: `Pool ${outcome.poolName} (${poolId})`, reason: outcome.reason });
        continue;
      }
      if (outcome.status === 'bad-document') {
        storeProblems.push({ what: store.locate(outcome.key), reason: outcome.reason });
        continue;
      }
      if (outcome.status === 'gone') {
        if (poolState.drift) resolved.push({ poolId, poolName: outcome.poolName });
        delete state.pools[poolId];
        continue;
      }
      for (const client of outcome.unreadableClients) {
        readProblems.push({
          what: `App client ${client.clientId} in pool ${outcome.poolName} (${poolId})`,
          reason: client.reason,
        });
      }
      if (outcome.snapshotHash !== 'removed') poolState.snapshotHash = outcome.snapshotHash;
      // Cache the hash with the ETag it was read at: the baseline may have changed since (a run that
      // spans invocations), and a hash paired with a newer ETag would hide drift from the new baseline.
      if (outcome.baselineEtag !== undefined) {
        poolState.baseline = { etag: outcome.baselineEtag, snapshotHash: outcome.baselineHash };
      }
      const findings = outcome.findings as Finding[];
      if (findings.length === 0) {
        if (poolState.drift) resolved.push({ poolId, poolName: outcome.poolName });
        delete poolState.drift;
        continue;
      }
      const fingerprint = contentHash([outcome.baselineHash, outcome.snapshotHash, findings.length]);
      const previous = poolState.drift;
      const due = this.dueMark(previous, fingerprint);
      if (!due) continue;
      const status: PoolDrift['status'] = !previous
        ? 'new'
        : previous.fingerprint !== fingerprint
          ? 'changed'
          : 'reminder';
      drifts.push({
        poolId,
        poolName: outcome.poolName,
        findings,
        status,
        unapprovedSince: previous?.firstAlertedAt,
      });
      poolState.drift = {
        ...due,
        snapshotHash: outcome.snapshotHash === 'removed' ? null : outcome.snapshotHash,
        baselineHash: outcome.baselineHash,
        highest: highestSeverity(findings) ?? Severity.LOW,
        changeCount: findings.length,
        poolName: outcome.poolName,
      };
    }

    const messages: AlertMessage[] = [];
    const report = this.result(run, {
      done: true,
      firstRun,
      messages,
      notCovered: 0,
      readProblems,
      storeProblems,
    });
    const needsReport = drifts.length > 0 || readProblems.length > 0 || storeProblems.length > 0;
    if (needsReport && this.persist)
      ctx.reportLocation = await store.putReport(run.runId, reportOf(report, ctx));

    if (firstRun && this.persist) {
      messages.push(renderBaselineCreated(ctx, run.pools.length, clientsWatched));
    }
    if (drifts.length > 0) messages.push(renderDriftDigest(ctx, drifts));
    if (resolved.length > 0) messages.push(renderResolved(ctx, resolved));
    if (readProblems.length > 0) {
      const mark = this.dueMark(state.incomplete, contentHash(readProblems));
      if (mark) messages.push(renderScanIncomplete(ctx, readProblems));
      state.incomplete = mark ?? state.incomplete;
    } else delete state.incomplete;
    if (storeProblems.length > 0) {
      const mark = this.dueMark(state.problems, contentHash(storeProblems));
      if (mark) messages.push(renderStoreProblems(ctx, storeProblems));
      state.problems = mark ?? state.problems;
    } else delete state.problems;

    for (const rule of this.ignore.unmatched())
      logger.warn('Ignore rule matched nothing: check it for a typo', { rule });

    if (this.persist) {
      // Send first, remember second: if sending fails, the next run sends again. Nothing is lost.
      for (const message of messages) await notifier.publish(message);
      await store.putState(this.remembered(state, stateVersion?.doc), stateVersion?.etag ?? null);
      await this.lease?.complete();
    }
    this.emitMetrics(report, readProblems.length + storeProblems.length);
    return { ...report, messages };
  }

  /**
   * Writes a first-run baseline, only where none exists. A first run that failed after writing some
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

  /** The result of an invocation that found nothing to do. */
  private skipped(runId: string, reason: string): RunResult {
    return {
      runId,
      done: true,
      firstRun: false,
      pools: [],
      messages: [],
      readProblems: [],
      storeProblems: [],
      unmatchedIgnoreRules: [],
      skipped: reason,
      poolsScanned: 0,
      clientsScanned: 0,
      notCovered: 0,
    };
  }

  /** A fresh alert mark when the thing is new, changed, or due for a reminder; undefined otherwise. */
  private dueMark(
    previous: { fingerprint: string; firstAlertedAt: string; lastAlertedAt: string } | undefined,
    fingerprint: string,
  ): { fingerprint: string; firstAlertedAt: string; lastAlertedAt: string } | undefined {
    const now = this.deps.now();
    if (previous && previous.fingerprint === fingerprint) {
      const since = now.getTime() - Date.parse(previous.lastAlertedAt);
      if (since < this.options.reminderIntervalMs) return undefined;
      return { ...previous, lastAlertedAt: now.toISOString() };
    }
    return {
      fingerprint,
      firstAlertedAt: previous?.firstAlertedAt ?? now.toISOString(),
      lastAlertedAt: now.toISOString(),
    };
  }

  /** The state to write: with the new alert marks only when the messages were delivered. */
  private remembered(next: StateDoc, before: StateDoc | undefined): StateDoc {
    return this.options.alertsDelivered === false ? keepAlertMarks(next, before) : next;
  }

  private poolState(state: StateDoc, poolId: string): PoolState {
    state.pools[poolId] ??= {};
    return state.pools[poolId];
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

  private result(
    run: RunDoc,
    extra: Pick<RunResult, 'done' | 'firstRun' | 'messages' | 'notCovered'> &
      Partial<Pick<RunResult, 'readProblems' | 'storeProblems'>>,
  ): RunResult {
    const pools: PoolResult[] = Object.entries(run.outcomes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([poolId, outcome]) => ({
        poolId,
        poolName: outcome.poolName,
        outcome: outcome.status,
        findings: outcome.status === 'scanned' ? (outcome.findings as Finding[]) : [],
      }));
    const scanned = Object.values(run.outcomes).filter(
      (o) => o.status === 'scanned' && o.snapshotHash !== 'removed',
    );
    return {
      runId: run.runId,
      pools,
      readProblems: [],
      storeProblems: [],
      unmatchedIgnoreRules: extra.done ? this.ignore.unmatched() : [],
      poolsScanned: scanned.length,
      clientsScanned: scanned.reduce((n, o) => n + (o.status === 'scanned' ? o.clientCount : 0), 0),
      ...extra,
    };
  }

  private emitMetrics(result: RunResult, errors: number): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    metrics.count('RunsCompleted', 1);
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

/** The full JSON report: every finding and problem of the run. Holds no secret value. */
function reportOf(result: RunResult, ctx: RunContext) {
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'report',
    runId: result.runId,
    accountId: ctx.accountId,
    region: ctx.region,
    at: ctx.at,
    poolsScanned: result.poolsScanned,
    clientsScanned: result.clientsScanned,
    pools: result.pools.filter((p) => p.findings.length > 0 || p.outcome !== 'scanned'),
    readProblems: result.readProblems,
    storeProblems: result.storeProblems,
    unmatchedIgnoreRules: result.unmatchedIgnoreRules,
  };
}
