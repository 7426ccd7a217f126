import { setMaxListeners } from 'node:events';
import type { DriftStore, Versioned } from '../adapters/drift-store.js';
import { forEachConcurrently } from '../concurrency.js';
import { keepAlertMarks, type PendingAlertMarks, pendingAlertMarks } from '../core/alert-marks.js';
import { type AlertClock, decideAlerts, dueMark } from '../core/alert-policy.js';
import {
  type Attribution,
  type Attributor,
  attributeSafely,
  lookupStart,
  reportAttribution,
} from '../core/attribution.js';
import {
  clearAuthorsPending,
  dueAuthorFollowUps,
  followUpsToSend,
  markAuthorsPending,
} from '../core/author-follow-up.js';
import { contentHash } from '../core/canonical.js';
import { clampRunTimes, clampStateTimes } from '../core/clamp-times.js';
import { diffPool } from '../core/diff.js';
import type {
  BaselineDoc,
  PoolOutcome,
  PoolState,
  RunDoc,
  SnapshotDoc,
  StateDoc,
} from '../core/documents.js';
import { FORMAT_VERSION } from '../core/documents.js';
import { type FindingSink, publishFindingSinks, toSinkReport } from '../core/finding-sinks.js';
import { IgnoreMatcher, type IgnoreRules, NO_IGNORE_RULES } from '../core/ignore.js';
import {
  type AlertMessage,
  type ListedObject,
  type Logger,
  type MetricsSink,
  type Notifier,
  type PoolReader,
  PoolReadInterrupted,
  type PoolRef,
} from '../core/ports.js';
import {
  type PoolDrift,
  type ReadProblem,
  type RunContext,
  renderAuthorFollowUp,
  renderBaselineCreated,
  renderDriftDigest,
  renderNowWatching,
  renderResolved,
  renderScanIncomplete,
  renderStoreProblems,
} from '../core/render.js';
import { type SecretPolicy, secretLifecycleChanges } from '../core/secret-hygiene.js';
import { classify, severityRules } from '../core/severity.js';
import { findingsMetric, METRIC } from '../core/telemetry.js';
import type { Finding, PoolSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { ConflictError, describeError, errorReason, MalformedDocumentError } from '../errors.js';
import { IDENTITY_POOL_LIST, IDENTITY_POOLS, isIdentityPoolId } from '../surfaces/identity-pools.js';
import { CATALOG } from '../surfaces/index.js';
import { LeaseLostError, leaseStatus, mayTakeUp, RunLease } from './run-lease.js';

/** Every severity rule: the pool's and clients', and each catalog entry's. */
const RULES = severityRules(CATALOG);

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
  /**
   * Where alerted drift goes besides the alert (EventBridge, Security Hub): fed from the same
   * decision, after the alert is published. A failing sink is logged, never fails the run.
   */
  sinks?: readonly FindingSink[];
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
  /** Secret lifecycle limits (unfinished rotation, maximum age); omit to report neither. */
  secretPolicy?: SecretPolicy;
  /**
   * Whether a published message reaches people (an SNS topic). `false` (a CLI run without a topic,
   * whose messages are printed): the state is written without new alert marks.
   * @default true
   */
  alertsDelivered?: boolean;
  /** Called after each pool is read, for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /**
   * A targeted check (real-time path): read only these pools (DescribeUserPool, no ListUserPools),
   * in one invocation, with no run document. Nothing outside them is reported as removed; alert
   * marks go to the same state, so the next sweep does not alert the same drift again.
   */
  targetPools?: readonly string[];
  /**
   * For a targeted check: per pool, the only clients to read again (those the events named). The
   * pool's other clients are taken from its latest snapshot: no event said they changed, and the
   * sweep re-reads everything anyway. A pool not listed here is read in full.
   */
  changedClients?: Readonly<Record<string, readonly string[]>>;
  /** Attribution looks for the events of new drift this far back. @default 2 hours */
  attributionWindowMs?: number;
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
  /** Who made the alerted changes, per pool, one per finding (when an attributor was given). */
  attributions?: Record<string, Attribution[]>;
  /**
   * With `alertsDelivered: false`: the alert marks the state would hold had the messages been
   * delivered. Whoever delivers them later (the organization's aggregate step) applies these.
   */
  alertMarks?: PendingAlertMarks;
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
  /** The pools of a targeted check; undefined for a sweep. */
  private readonly targets: Set<string> | undefined;
  /** The marks left out of the state written (`alertsDelivered: false`), for whoever delivers. */
  private pendingMarks: PendingAlertMarks | undefined;
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
    this.targets = options.targetPools ? new Set(options.targetPools) : undefined;
  }

  async execute(): Promise<RunResult> {
    const { store, logger } = this.deps;
    const state = await this.readState();
    const baselines = await store.listBaselines();
    this.initialized = Boolean(state) || baselines.size > 0;

    if (this.targets && !this.initialized) {
      logger.info('No baseline yet: the first sweep records it; nothing to check against', {});
      return this.skipped(this.options.runId ?? 'targeted', 'no baseline recorded yet');
    }
    const started = this.targets ? await this.startTargeted() : await this.startOrResume(baselines);
    if ('listingError' in started) return this.listingFailed(started.listingError, state);
    if ('skip' in started) {
      logger.info('Nothing to do in this invocation', { runId: started.runId, reason: started.skip });
      return this.skipped(started.runId, started.skip);
    }
    const { run } = started;
    // A first run that failed after writing some baselines is still the first run when taken up
    // again: its pools without a baseline get one, they are not reported as created.
    if (run.firstRun) this.initialized = false;
    if (this.persist && !this.targets) {
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
    if (notCovered > 0 && !this.targets) {
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

  /** A targeted check's run: only its pools, in memory (a sweep's run document is left alone). */
  private async startTargeted(): Promise<{ run: RunDoc; etag: null }> {
    const at = this.deps.now().toISOString();
    const pools = [...(this.targets ?? [])]
      .filter((poolId) => !this.ignore.ignoresPool(poolId, ''))
      .sort()
      .map((poolId) => ({ poolId, poolName: '' }));
    const runId = this.options.runId ?? `targeted-${at.replace(/[:.]/g, '-')}`;
    const run: RunDoc = {
      formatVersion: FORMAT_VERSION,
      kind: 'run',
      runId,
      startedAt: at,
      updatedAt: at,
      status: 'scanning',
      pools,
      outcomes: {},
      invocations: 0,
    };
    for (const { poolId } of pools) {
      const changed = this.options.changedClients?.[poolId];
      if (!changed) continue;
      const latest = await this.deps.store.getSnapshot(poolId).catch(() => undefined);
      if (!latest?.doc.pool) continue;
      const skip = new Set([...changed, ...latest.doc.unreadableClients.map((c) => c.clientId)]);
      const clients = Object.values(latest.doc.pool.clients).filter((c) => !skip.has(c.clientId));
      run.partials = { ...run.partials, [poolId]: { clients } };
    }
    return { run, etag: null };
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
      ...(unlisted ? { unlisted } : {}),
      watching: [...(reader.surfaceNames ?? [])],
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
    const unreadableSurfaces = read.unreadableSurfaces ?? [];
    const needsBaselineDoc = read.unreadableClients.length > 0 || unreadableSurfaces.length > 0;
    const loadBaseline = async () => {
      const version = await store.getBaseline(ref.poolId);
      baseline = version?.doc;
      baselineHash = baseline?.snapshotHash ?? null;
      baselineEtag = version?.etag;
    };
    try {
      if (listed && poolState?.baseline?.etag === listed.etag && !needsBaselineDoc) {
        baselineHash = poolState.baseline.snapshotHash;
        baselineEtag = listed.etag;
      } else if (listed) {
        await loadBaseline();
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
    // Likewise a surface that could not be read keeps its baseline: never reported as removed.
    for (const { surface } of unreadableSurfaces) {
      const kept = baseline?.pool?.surfaces?.[surface];
      if (kept) pool.surfaces = { ...pool.surfaces, [surface]: kept };
    }
    const snapshotHash = contentHash(pool);
    this.ignore.observe(pool);

    if (this.persist && (poolState?.snapshotHash !== snapshotHash || needsBaselineDoc)) {
      const doc: SnapshotDoc = {
        formatVersion: FORMAT_VERSION,
        kind: 'snapshot',
        poolId: ref.poolId,
        capturedAt: this.deps.now().toISOString(),
        runId: run.runId,
        hash: snapshotHash,
        unreadableClients: read.unreadableClients,
        ...(unreadableSurfaces.length > 0 ? { unreadableSurfaces } : {}),
        pool,
      };
      await store.putSnapshot(doc);
    }

    let findings: Finding[] = [];
    let newlyCovered: string[] = [];
    let upgradedFrom: { snapshotHash: string; baselineHash: string | null } | undefined;
    if (listed && baselineHash !== snapshotHash) {
      if (!baseline) await loadBaseline();
      newlyCovered = await this.recordNewSurfaces(ref.poolId, baseline, baselineEtag, pool);
      if (newlyCovered.length > 0) {
        // The hashes before the surfaces were recorded: drift alerted against them is unchanged.
        upgradedFrom = { snapshotHash: contentHash(withoutSurfaces(pool, newlyCovered)), baselineHash };
        const upgraded = await store.getBaseline(ref.poolId);
        baseline = upgraded?.doc;
        baselineHash = baseline?.snapshotHash ?? null;
        baselineEtag = upgraded?.etag;
      }
      findings = this.findings(baseline?.pool ?? null, pool);
    } else if (!listed && this.initialized && !this.newlyWatched(ref.poolId, state)) {
      findings = this.findings(null, pool);
    }
    if (this.initialized) findings.push(...this.secretHygiene(pool));
    return {
      status: 'scanned',
      poolName: pool.poolName,
      snapshotHash,
      baselineHash,
      baselineEtag,
      ...(baseline?.approvedAt ? { baselineApprovedAt: baseline.approvedAt } : {}),
      hasBaseline: Boolean(listed),
      clientCount: Object.keys(pool.clients).length,
      findings,
      unreadableClients: read.unreadableClients,
      ...(unreadableSurfaces.length > 0 ? { unreadableSurfaces } : {}),
      ...(newlyCovered.length > 0 ? { newlyCovered } : {}),
      ...(upgradedFrom ? { upgradedFrom } : {}),
    };
  }

  /**
   * A baseline recorded before a surface was watched has nothing to compare that surface with: the
   * surface's current state is added to the baseline (the approval of the rest is kept), so an
   * upgrade reports no drift for it. Returns the surfaces recorded.
   */
  private async recordNewSurfaces(
    poolId: string,
    baseline: BaselineDoc | undefined,
    etag: string | undefined,
    current: PoolSnapshot,
  ): Promise<string[]> {
    if (!this.persist || !baseline?.pool || etag === undefined) return [];
    const added = Object.keys(current.surfaces ?? {}).filter((s) => !(s in (baseline.pool?.surfaces ?? {})));
    if (added.length === 0) return [];
    const surfaces = { ...baseline.pool.surfaces };
    for (const surface of added) surfaces[surface] = current.surfaces?.[surface] ?? {};
    const pool = { ...baseline.pool, surfaces };
    await this.deps.store.putBaseline({ ...baseline, snapshotHash: contentHash(pool), pool }, etag);
    this.deps.logger.info('Recorded newly watched surfaces into the baseline', { poolId, surfaces: added });
    return added.sort();
  }

  /**
   * An identity pool seen by a deployment that did not watch identity pools before (an upgrade, or
   * identity pools turned on): recorded as baseline, not alerted as created.
   */
  private newlyWatched(poolId: string, state: StateDoc | undefined): boolean {
    return isIdentityPoolId(poolId) && !(state?.watching ?? []).includes(IDENTITY_POOLS);
  }

  /** Secret lifecycle findings of the current state (not a diff): unfinished rotation, old secrets. */
  private secretHygiene(pool: PoolSnapshot): Finding[] {
    const policy = this.options.secretPolicy;
    if (!policy) return [];
    return classify(
      secretLifecycleChanges(pool, policy, this.deps.now()),
      { baseline: null, current: pool },
      RULES,
    );
  }

  private findings(baseline: PoolSnapshot | null, current: PoolSnapshot | null): Finding[] {
    const changes = this.ignore.filter(diffPool(baseline, current), { baseline, current });
    return classify(changes, { baseline, current }, RULES);
  }

  /** ListUserPools itself failed: nothing can be compared, nothing is reported as removed. */
  private async listingFailed(reason: string, state: Versioned<StateDoc> | undefined): Promise<RunResult> {
    const problems = [{ what: 'ListUserPools (the list of all user pools)', reason }];
    this.deps.logger.error('Could not list user pools; nothing was compared', { reason });
    this.deps.metrics?.count(METRIC.readErrors, 1);
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
    const mark = dueMark(state?.doc.incomplete, contentHash(problems), this.clock());
    if (mark) messages.push(renderScanIncomplete(this.context(run), problems));
    if (this.persist && messages.length > 0) {
      for (const message of messages) await this.deps.notifier.publish(message);
      if (state)
        await this.deps.store.putState(
          this.remembered({ ...state.doc, incomplete: mark }, state.doc),
          state.etag,
        );
    }
    const result = this.result(run, {
      done: true,
      firstRun: !state,
      messages,
      notCovered: 0,
      readProblems: problems,
    });
    return this.pendingMarks ? { ...result, alertMarks: this.pendingMarks } : result;
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
    let readProblems: ReadProblem[] = [];
    const resolved: { poolId: string; poolName: string }[] = [];
    for (const { kind, reason } of run.unlisted ?? []) {
      if (kind === 'identityPools')
        readProblems.push({ what: `${IDENTITY_POOL_LIST} (the list of all identity pools)`, reason });
    }

    // Pools with a baseline that ListUserPools no longer names, or that vanished mid-scan: removed.
    const listed = new Set(run.pools.map((p) => p.poolId));
    const identityPoolsListed = (run.watching ?? []).includes(IDENTITY_POOLS) && !run.unlisted?.length;
    for (const [poolId, object] of baselines) {
      // A targeted check knows nothing of the pools it did not read.
      if (this.targets && !this.targets.has(poolId)) continue;
      if (listed.has(poolId) && run.outcomes[poolId]?.status !== 'gone') continue;
      // Identity pools not listed this run (not watched, or their listing failed) are not removed,
      // unless their own describe said they are gone (a targeted check after DeleteIdentityPool).
      if (isIdentityPoolId(poolId) && !identityPoolsListed && run.outcomes[poolId]?.status !== 'gone')
        continue;
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
          baselineApprovedAt: baseline.doc.approvedAt,
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

    // First run (or identity pools watched for the first time): what exists now becomes the baseline.
    let clientsWatched = 0;
    let recordedIdentityPools = 0;
    for (const ref of run.pools) {
      const outcome = run.outcomes[ref.poolId];
      if (outcome?.status !== 'scanned') continue;
      clientsWatched += outcome.clientCount;
      if (outcome.hasBaseline || !this.persist) continue;
      const newlyWatched = this.newlyWatched(ref.poolId, stateVersion?.doc);
      if (this.initialized && !newlyWatched) continue;
      if (this.initialized) recordedIdentityPools += 1;
      const snapshot = (await store.getSnapshot(ref.poolId))?.doc;
      if (!snapshot?.pool) continue;
      const recorded = await this.recordFirstBaseline({
        formatVersion: FORMAT_VERSION,
        kind: 'baseline',
        poolId: ref.poolId,
        approvedAt: at.toISOString(),
        approvedBy: 'cognito-drift (first run)',
        reason: newlyWatched
          ? 'Baseline recorded when identity pools were first watched'
          : 'Initial baseline recorded by the first detector run',
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
    const decision = decideAlerts(run.outcomes, state, this.clock(), { readProblems, resolved }, (key) =>
      store.locate(key),
    );
    const { drifts, storeProblems } = decision;
    readProblems = decision.readProblems;
    const newlyCovered = new Set(decision.newlyCovered);

    const sinceOf = (drift: PoolDrift) => {
      const outcome = run.outcomes[drift.poolId];
      return lookupStart({
        at,
        windowMs: this.options.attributionWindowMs ?? 2 * 3_600_000,
        ...(drift.status === 'reminder' && drift.unapprovedSince
          ? { alertedSince: drift.unapprovedSince }
          : {}),
        ...(outcome?.status === 'scanned' && outcome.baselineApprovedAt
          ? { baselineApprovedAt: outcome.baselineApprovedAt }
          : {}),
      });
    };
    // A sweep keeps the promise of real-time alerts: the authors they could not name, looked up now.
    const followUps =
      this.persist && !this.targets && this.deps.attribute
        ? dueAuthorFollowUps(decision.state, run.outcomes, drifts, this.deps.now())
        : [];
    let attributed = new Map<string, Attribution[]>();
    if (this.deps.attribute && drifts.length + followUps.length > 0) {
      attributed = await attributeSafely(
        this.deps.attribute,
        [
          ...drifts.map((drift) => ({
            poolId: drift.poolId,
            findings: drift.findings,
            since: sinceOf(drift),
          })),
          ...followUps,
        ],
        (error) =>
          logger.warn('Attribution failed: the alert says "author unknown"', {
            reason: describeError(error),
          }),
      );
      for (const drift of drifts) drift.attributions = attributed.get(drift.poolId);
    }
    const followUpsSent = followUpsToSend(followUps, (poolId) => attributed.get(poolId), this.deps.now());
    // A targeted check marks what it could not attribute; a sweep clears what it attributed.
    const nextState = this.targets
      ? markAuthorsPending(decision.state, drifts, at, sinceOf)
      : clearAuthorsPending(
          decision.state,
          [...drifts, ...followUpsSent].map((p) => p.poolId),
        );

    const messages: AlertMessage[] = [];
    const report = this.result(run, {
      done: true,
      firstRun,
      messages,
      notCovered: 0,
      readProblems,
      storeProblems,
    });
    if (drifts.some((d) => d.attributions))
      report.attributions = Object.fromEntries(drifts.map((d) => [d.poolId, [...(d.attributions ?? [])]]));
    const needsReport = drifts.length > 0 || readProblems.length > 0 || storeProblems.length > 0;
    if (needsReport && this.persist)
      ctx.reportLocation = await store.putReport(run.runId, reportOf(report, ctx));

    if (firstRun && this.persist) {
      messages.push(renderBaselineCreated(ctx, run.pools.length, clientsWatched));
    }
    if (recordedIdentityPools > 0) newlyCovered.add(IDENTITY_POOLS);
    if (!firstRun && newlyCovered.size > 0 && this.persist)
      messages.push(renderNowWatching(ctx, [...newlyCovered].sort(), recordedIdentityPools));
    if (drifts.length > 0) messages.push(renderDriftDigest(ctx, drifts));
    if (followUpsSent.length > 0)
      messages.push(
        renderAuthorFollowUp(
          ctx,
          followUpsSent.map((f) => ({ ...f, attributions: attributed.get(f.poolId) ?? [] })),
        ),
      );
    if (decision.resolved.length > 0) messages.push(renderResolved(ctx, decision.resolved));
    if (decision.sendIncomplete) messages.push(renderScanIncomplete(ctx, readProblems));
    if (decision.sendStoreProblems) messages.push(renderStoreProblems(ctx, storeProblems));

    if (this.persist) {
      // Send first, remember second: if sending fails, the next run sends again. Nothing is lost.
      for (const message of messages) await notifier.publish(message);
      await this.writeState(
        this.remembered(
          { ...nextState, watching: run.watching ?? decision.state.watching ?? [] },
          stateVersion?.doc,
        ),
        stateVersion?.etag ?? null,
        Object.keys(run.outcomes),
      );
      await this.lease?.complete();
      // The finding sinks see exactly what was alerted, once it was: one drift, one event.
      if (this.options.alertsDelivered !== false && this.deps.sinks?.length)
        await publishFindingSinks(toSinkReport(ctx, drifts, decision.resolved), this.deps.sinks, this.deps);
    }
    this.emitMetrics(report, readProblems.length + storeProblems.length);
    return { ...report, messages, ...(this.pendingMarks ? { alertMarks: this.pendingMarks } : {}) };
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
        const pools = { ...current.doc.pools };
        for (const poolId of touched) {
          if (state.pools[poolId]) pools[poolId] = state.pools[poolId];
          else delete pools[poolId];
        }
        const merged: StateDoc = { ...current.doc, pools };
        if (!this.targets) {
          merged.incomplete = state.incomplete;
          merged.problems = state.problems;
          if (!state.incomplete) delete merged.incomplete;
          if (!state.problems) delete merged.problems;
        } else {
          if (state.incomplete) merged.incomplete = state.incomplete;
          if (state.problems) merged.problems = state.problems;
        }
        state = merged;
        etag = current.etag;
      }
    }
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

  private clock(): AlertClock {
    return { now: this.deps.now(), reminderIntervalMs: this.options.reminderIntervalMs };
  }

  /** The state to write: with the new alert marks only when the messages were delivered. */
  private remembered(next: StateDoc, before: StateDoc | undefined): StateDoc {
    if (this.options.alertsDelivered !== false) return next;
    this.pendingMarks = pendingAlertMarks(next, before);
    return keepAlertMarks(next, before);
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
      catalog: CATALOG,
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
    // The missed-runs alarm watches sweeps: a targeted check does not stand in for one.
    if (!this.targets) metrics.count(METRIC.runsCompleted, 1);
    metrics.count(METRIC.poolsScanned, result.poolsScanned);
    metrics.count(METRIC.clientsScanned, result.clientsScanned);
    metrics.count(METRIC.readErrors, errors);
    const findings = result.pools.flatMap((p) => p.findings);
    metrics.count(METRIC.findings, findings.length);
    for (const severity of [Severity.HIGH, Severity.MEDIUM, Severity.LOW]) {
      metrics.count(findingsMetric(severity), findings.filter((f) => f.severity === severity).length);
    }
    metrics.durationMs(METRIC.scanDurationMs, this.deps.now().getTime() - this.startedMs);
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
    ...(result.attributions
      ? {
          attributions: Object.fromEntries(
            Object.entries(result.attributions).map(([poolId, list]) => [
              poolId,
              list.map(reportAttribution),
            ]),
          ),
        }
      : {}),
  };
}

/** The pool without the named surfaces, as a baseline recorded before they were watched holds it. */
function withoutSurfaces(pool: PoolSnapshot, names: readonly string[]): PoolSnapshot {
  const kept = Object.entries(pool.surfaces ?? {}).filter(([name]) => !names.includes(name));
  return { ...pool, surfaces: kept.length > 0 ? Object.fromEntries(kept) : undefined };
}
