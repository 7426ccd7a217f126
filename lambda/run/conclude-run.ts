import { keepAlertMarks, type PendingAlertMarks, pendingAlertMarks } from '../core/alert-marks.js';
import { type AlertClock, type AlertDecision, decideAlerts, dueMark } from '../core/alert-policy.js';
import { contentHash } from '../core/canonical.js';
import { poolStack } from '../core/deployments.js';
import {
  type AlertMark,
  type BaselineDoc,
  FORMAT_VERSION,
  type PoolOutcome,
  type RunDoc,
  type SnapshotDoc,
  type StateDoc,
} from '../core/documents.js';
import type { IgnoreMatcher } from '../core/ignore.js';
import type { ListedObject } from '../core/ports.js';
import { summarizePosture } from '../core/posture.js';
import { concludeReferences, mergeReportedReferences } from '../core/references.js';
import { NO_ALERTS, type ResolvedPool, type RunAlerts } from '../core/run-alerts.js';
import type { ReadProblem } from '../core/run-notices.js';
import { IDENTITY_POOL_LIST, IDENTITY_POOLS, isIdentityPoolId } from '../surfaces/identity-pools.js';
import { POSTURE_CONTROLS } from '../surfaces/posture-controls.js';
import { findingsOf } from './evaluate-pool.js';

/**
 * Concluding a run, as pure functions: which pools were removed, what to alert (as data, rendered
 * at the edge), and the state to remember. The caller reads the baselines asked for, and writes and
 * sends what these functions return.
 */

/** An empty state: no run has completed yet. */
export function freshState(at: Date): StateDoc {
  return { formatVersion: FORMAT_VERSION, kind: 'state', initializedAt: at.toISOString(), pools: {} };
}

/**
 * The pools whose baseline must be read to tell whether they were removed: a baseline that the
 * listing no longer names (or whose pool vanished mid-scan), less what this run cannot judge.
 */
export function removalCandidates(input: {
  run: RunDoc;
  /** The listed baselines; those of pools read (and not found gone) may already be taken out. */
  baselines: ReadonlyMap<string, ListedObject>;
  state: StateDoc;
  /** The pools of a targeted check: it knows nothing of the others. */
  targets?: ReadonlySet<string>;
  ignore: IgnoreMatcher;
}): string[] {
  const { run, state, targets, ignore } = input;
  const listed = new Set(run.pools.map((p) => p.poolId));
  const identityPoolsListed = (run.watching ?? []).includes(IDENTITY_POOLS) && !run.unlisted?.length;
  const candidates: string[] = [];
  for (const [poolId, object] of input.baselines) {
    if (targets && !targets.has(poolId)) continue;
    if (listed.has(poolId) && run.outcomes[poolId]?.status !== 'gone') continue;
    // Identity pools not listed this run (not watched, or their listing failed) are not removed,
    // unless their own describe said they are gone (a targeted check after DeleteIdentityPool).
    if (isIdentityPoolId(poolId) && !identityPoolsListed && run.outcomes[poolId]?.status !== 'gone') continue;
    // Its deletion was approved, and a run already saw that version.
    const cached = state.pools[poolId]?.baseline;
    if (cached?.etag === object.etag && cached.snapshotHash === null) continue;
    if (ignore.ignoresPool(poolId, '')) continue;
    candidates.push(poolId);
  }
  return candidates;
}

/** A removal candidate's baseline as read: the document (absent: deleted meanwhile) or why it is unusable. */
export type FetchedBaseline =
  | { version: { doc: BaselineDoc; etag: string } | undefined }
  | { malformed: { key: string; reason: string } };

export interface Removals {
  outcomes: Record<string, PoolOutcome>;
  /** The removed pools' snapshots to record (`pool: null`), where not recorded yet. */
  tombstones: SnapshotDoc[];
  /** Alerted drift of pools whose deletion was approved. */
  resolved: ResolvedPool[];
  /** The state with the removals noted. */
  state: StateDoc;
}

/** The removed pools' outcomes, from their baselines: a removal is a finding until approved. */
export function concludeRemovals(input: {
  candidates: ReadonlyMap<string, { object: ListedObject; fetched: FetchedBaseline }>;
  state: StateDoc;
  ignore: IgnoreMatcher;
  persist: boolean;
  at: Date;
  runId: string;
}): Removals {
  const state = structuredClone(input.state);
  const removals: Removals = { outcomes: {}, tombstones: [], resolved: [], state };
  for (const [poolId, { object, fetched }] of input.candidates) {
    if ('malformed' in fetched) {
      removals.outcomes[poolId] = { status: 'bad-document', poolName: poolId, ...fetched.malformed };
      continue;
    }
    const baseline = fetched.version;
    state.pools[poolId] ??= {};
    const poolState = state.pools[poolId];
    if (!baseline?.doc.pool) {
      // The deletion was approved: nothing to compare, and any alerted drift is resolved.
      if (poolState.drift) removals.resolved.push({ poolId, poolName: poolState.drift.poolName ?? poolId });
      delete poolState.drift;
      poolState.baseline = { etag: object.etag, snapshotHash: null };
      continue;
    }
    if (input.ignore.ignoresPool(poolId, baseline.doc.pool.poolName)) {
      if (Object.keys(poolState).length === 0) delete state.pools[poolId];
      continue;
    }
    const findings = findingsOf(input, baseline.doc.pool, null);
    removals.outcomes[poolId] = {
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
      ...(findings.length > 0 ? { stack: poolStack(null, baseline.doc.pool) } : {}),
    };
    if (input.persist && poolState.snapshotHash !== null) {
      removals.tombstones.push({
        formatVersion: FORMAT_VERSION,
        kind: 'snapshot',
        poolId,
        capturedAt: input.at.toISOString(),
        runId: input.runId,
        hash: null,
        unreadableClients: [],
        pool: null,
      });
    }
    poolState.snapshotHash = null;
  }
  return removals;
}

/** What a run concluded: the alert decision, and what to say, as data. */
export interface Conclusion {
  decision: AlertDecision;
  alerts: RunAlerts;
  readProblems: ReadProblem[];
  storeProblems: ReadProblem[];
}

/**
 * The alert decision of a run whose pools all have an outcome: new, changed, reminded and resolved
 * drift, the notices due, and the first-run and newly-watched notices.
 *
 * @param state the remembered state, with the removals noted
 * @param firstRun no run had completed before (no state document)
 */
export function concludeRun(input: {
  run: RunDoc;
  state: StateDoc;
  firstRun: boolean;
  persist: boolean;
  resolved: readonly ResolvedPool[];
  /** How many listed pools the ignore rules hid, when they hid every one. */
  allPoolsIgnored: number;
  clock: AlertClock;
  locate: (key: string) => string;
  /** A targeted check: it read only some pools, and knows nothing of what the others point to. */
  targeted?: boolean;
}): Conclusion {
  const { run, persist } = input;
  const targeted = input.targeted ?? false;
  const readProblems: ReadProblem[] = [];
  for (const { kind, reason } of run.unlisted ?? []) {
    if (kind === 'identityPools')
      readProblems.push({ what: `${IDENTITY_POOL_LIST} (the list of all identity pools)`, reason });
  }
  if (input.allPoolsIgnored > 0) {
    readProblems.push({
      what: 'Ignore rules',
      reason: `all ${input.allPoolsIgnored} pools of the account match an ignore rule: 0 pools are watched. Narrow the pools rules`,
    });
  }
  let clientsWatched = 0;
  let recordedIdentityPools = 0;
  for (const outcome of Object.values(run.outcomes)) {
    if (outcome.status !== 'scanned' || outcome.snapshotHash === 'removed') continue;
    clientsWatched += outcome.clientCount;
    if (outcome.recorded === 'newly-watched') recordedIdentityPools += 1;
  }
  const decision = decideAlerts(
    run.outcomes,
    input.state,
    input.clock,
    { readProblems, resolved: [...input.resolved] },
    input.locate,
  );
  // What pools point to and this account cannot read: reported once, remembered in the state
  // until it is read again or no pool points to it any more.
  const references = concludeReferences({
    pools: Object.entries(run.outcomes).flatMap(([poolId, o]) =>
      o.status === 'scanned' && (o.unreadableReferences || o.nowReadable)
        ? [
            {
              poolId,
              poolName: o.poolName,
              unreadable: o.unreadableReferences ?? [],
              nowReadable: o.nowReadable ?? [],
            },
          ]
        : [],
    ),
    reported: decision.state.unreadableReferences,
    judged: (poolId, surface) => referencesJudged(run.outcomes[poolId], surface, targeted),
    unjudged: (surface) =>
      Object.keys(run.outcomes).filter(
        (poolId) => !referencesJudged(run.outcomes[poolId], surface, targeted),
      ),
    targeted,
    at: input.clock.now,
  });
  if (Object.keys(references.reported).length > 0) decision.state.unreadableReferences = references.reported;
  else delete decision.state.unreadableReferences;
  const newlyCovered = new Set(decision.newlyCovered);
  if (recordedIdentityPools > 0) newlyCovered.add(IDENTITY_POOLS);
  const alerts: RunAlerts = {
    ...(input.firstRun && persist
      ? {
          baselineCreated: {
            pools: run.pools.length,
            clients: clientsWatched,
            posture: summarizePosture(
              Object.values(run.outcomes).map((o) => (o.status === 'scanned' ? (o.postureCounts ?? {}) : {})),
              POSTURE_CONTROLS,
            ),
          },
        }
      : {}),
    ...(!input.firstRun && newlyCovered.size > 0 && persist
      ? { nowWatching: { surfaces: [...newlyCovered].sort(), identityPools: recordedIdentityPools } }
      : {}),
    drifts: decision.drifts,
    resolved: decision.resolved,
    ...(decision.sendIncomplete ? { incomplete: decision.readProblems } : {}),
    ...(decision.sendStoreProblems ? { storeProblems: decision.storeProblems } : {}),
    ...(references.notices.length > 0 && persist ? { notReadable: references.notices } : {}),
    ...(references.nowReadable.length > 0 && persist ? { nowReadable: references.nowReadable } : {}),
  };
  return { decision, alerts, readProblems: decision.readProblems, storeProblems: decision.storeProblems };
}

/**
 * Whether a run read what a pool points to of `surface`: a pool read (with that surface) or found
 * gone. A sweep reads every pool it watches, so one without an outcome points to nothing it watches.
 */
function referencesJudged(outcome: PoolOutcome | undefined, surface: string, targeted: boolean): boolean {
  if (!outcome) return !targeted;
  if (outcome.status === 'gone') return true;
  if (outcome.status !== 'scanned') return false;
  return !(outcome.unreadableSurfaces ?? []).some((u) => u.surface === surface);
}

/** ListUserPools failed: nothing compared; the "scan incomplete" notice when due, and its mark. */
export function concludeListingFailure(
  state: StateDoc | undefined,
  problems: ReadProblem[],
  clock: AlertClock,
): { mark: AlertMark | undefined; alerts: RunAlerts } {
  const mark = dueMark(state?.incomplete, contentHash(problems), clock);
  return { mark, alerts: mark ? { ...NO_ALERTS, incomplete: problems } : NO_ALERTS };
}

/**
 * The state to write after the messages went out: with the new alert marks when they reach people;
 * otherwise with the marks as they were, the new ones returned for whoever delivers them.
 */
export function nextState(
  decided: StateDoc,
  before: StateDoc | undefined,
  delivered: boolean,
): { state: StateDoc; pendingMarks?: PendingAlertMarks } {
  if (delivered) return { state: decided };
  return { state: keepAlertMarks(decided, before), pendingMarks: pendingAlertMarks(decided, before) };
}

/**
 * When a targeted check and a sweep finish at once (the state write's condition fails): the pools
 * this run read are taken from `mine`, the rest from what is stored. A sweep's notices replace the
 * stored ones; a targeted check only adds its own.
 */
export function mergeStates(
  mine: StateDoc,
  current: StateDoc,
  touched: readonly string[],
  targeted: boolean,
): StateDoc {
  const pools = { ...current.pools };
  for (const poolId of touched) {
    const pool = mine.pools[poolId];
    if (pool) pools[poolId] = pool;
    else delete pools[poolId];
  }
  const merged: StateDoc = { ...current, pools };
  if (!targeted) {
    delete merged.incomplete;
    delete merged.problems;
  }
  const references = mergeReportedReferences(
    mine.unreadableReferences,
    current.unreadableReferences,
    new Set(touched),
  );
  if (references) merged.unreadableReferences = references;
  else delete merged.unreadableReferences;
  if (mine.incomplete) merged.incomplete = mine.incomplete;
  if (mine.problems) merged.problems = mine.problems;
  return merged;
}
