import type { Versioned } from '../adapters/drift-store.js';
import type { PendingAlertMarks } from '../core/alert-marks.js';
import {
  type Attribution,
  type AttributionRequest,
  attributeSafely,
  lookupStart,
} from '../core/attribution.js';
import {
  clearAuthorsPending,
  dueAuthorFollowUps,
  followUpsToSend,
  markAuthorsPending,
} from '../core/author-follow-up.js';
import { clampStateTimes } from '../core/clamp-times.js';
import type { RunDoc, StateDoc } from '../core/documents.js';
import { publishFindingSinks, toSinkReport } from '../core/finding-sinks.js';
import type { ListedObject } from '../core/ports.js';
import type { PoolDrift } from '../core/render.js';
import { type RunAlerts, renderRunAlerts } from '../core/run-alerts.js';
import { findingsMetric, METRIC } from '../core/telemetry.js';
import { Severity } from '../core/types.js';
import { ConflictError, describeError, MalformedDocumentError } from '../errors.js';
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
import { settleDeployedChanges } from './deployed-changes.js';
import { listingFailureOf } from './listing-failure.js';
import { delivers } from './run-mode.js';
import { failedListingRun } from './run-plan.js';
import { type RunResult, reportDocument, resultOf } from './run-result.js';
import { alertClock, type RunSession, runContext } from './run-session.js';
import { recordFirstBaseline } from './scan-pools.js';

/**
 * Finishing a run: the reads and writes around `conclude-run` (removals, the alert decision),
 * attribution, the JSON report, the messages and the state, in that order.
 */

/** ListUserPools itself failed: nothing can be compared, nothing is reported as removed. */
export async function listingFailed(
  s: RunSession,
  error: unknown,
  state: Versioned<StateDoc> | undefined,
): Promise<RunResult> {
  const listingFailure = listingFailureOf(error);
  const problems = [{ what: 'ListUserPools (the list of all user pools)', reason: listingFailure.reason }];
  s.deps.logger.error('Could not list user pools; nothing was compared', {
    reason: listingFailure.reason,
  });
  s.deps.metrics?.count(METRIC.readErrors, 1);
  const run = failedListingRun(s.deps.now());
  const { mark, alerts } = concludeListingFailure(state?.doc, problems, alertClock(s));
  const messages = renderRunAlerts(runContext(s, run), alerts);
  let pendingMarks: PendingAlertMarks | undefined;
  if (s.persist && messages.length > 0) {
    for (const message of messages) await s.deps.notifier.publish(message);
    if (state) {
      const next = nextState({ ...state.doc, incomplete: mark }, state.doc, delivers(s.mode));
      pendingMarks = next.pendingMarks;
      await s.deps.store.putState(next.state, state.etag);
    }
  }
  const result = resultOf(run, {
    done: true,
    firstRun: !state,
    notCovered: 0,
    unmatchedIgnoreRules: s.ignore.unmatched(),
    readProblems: problems,
    alerts,
    messages,
  });
  return { ...result, listingFailure, ...(pendingMarks ? { alertMarks: pendingMarks } : {}) };
}

/**
 * All pools have an outcome: find removals, decide what to send, send it, remember it. The decision
 * is taken again on the state as it is just before publishing: a real-time check (or another run)
 * that alerted the same drift meanwhile has marked it, and one drift gets one alert.
 */
export async function finishRun(
  s: RunSession,
  run: RunDoc,
  stateVersion: Versioned<StateDoc> | undefined,
  baselines: Map<string, ListedObject>,
): Promise<RunResult> {
  const { store, notifier, logger, now } = s.deps;
  const at = now();
  await recordLegacyFirstBaselines(s, run);

  // Pools with a baseline that the listing no longer names, or that vanished mid-scan: removed.
  const removedIn = (state: StateDoc) =>
    removalCandidates({
      run,
      baselines,
      state,
      ignore: s.ignore,
      ...(s.targets ? { targets: s.targets } : {}),
    });
  const candidates = new Map<string, { object: ListedObject; fetched: FetchedBaseline }>();
  for (const poolId of removedIn(stateVersion?.doc ?? freshState(at))) {
    const object = baselines.get(poolId) as ListedObject;
    try {
      candidates.set(poolId, { object, fetched: { version: await store.getBaseline(poolId) } });
    } catch (error) {
      if (!(error instanceof MalformedDocumentError)) throw error;
      candidates.set(poolId, { object, fetched: { malformed: { key: error.key, reason: error.reason } } });
    }
  }
  const decideOn = (base: StateDoc | undefined) => {
    const state = base ?? freshState(at);
    const judged = new Set(removedIn(state));
    const removals = concludeRemovals({
      candidates: new Map([...candidates].filter(([poolId]) => judged.has(poolId))),
      state,
      ignore: s.ignore,
      persist: s.persist,
      at,
      runId: run.runId,
    });
    const outcomes = { ...run.outcomes, ...removals.outcomes };
    const conclusion = concludeRun({
      run: { ...run, outcomes },
      state: removals.state,
      // No run has completed yet (the first, or a first whose notice failed to send): send the notice.
      firstRun: !base,
      persist: s.persist,
      resolved: removals.resolved,
      allPoolsIgnored: s.allPoolsIgnored,
      clock: alertClock(s),
      locate: (key) => store.locate(key),
      targeted: Boolean(s.targets),
    });
    return { removals, outcomes, conclusion };
  };

  let base = stateVersion;
  let decided = decideOn(base?.doc);
  for (const tombstone of decided.removals.tombstones) await store.putSnapshot(tombstone);
  if (s.persist) {
    const latest = await latestState(s, base);
    if (latest !== base) {
      logger.info('The state changed during the run (a real-time check or another run): deciding again', {
        runId: run.runId,
      });
      base = latest;
      decided = decideOn(base?.doc);
    }
  }
  run.outcomes = decided.outcomes;
  const { decision, readProblems, storeProblems } = decided.conclusion;
  const firstRun = !base;

  const sinceOf = (drift: PoolDrift) => {
    const outcome = run.outcomes[drift.poolId];
    return lookupStart({
      at,
      windowMs: s.options.attributionWindowMs ?? 2 * 3_600_000,
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
    s.persist && !s.targets && s.deps.attribute
      ? dueAuthorFollowUps(decision.state, run.outcomes, decided.conclusion.alerts.drifts, now())
      : [];
  const attributed = await attribute(s, [
    ...decided.conclusion.alerts.drifts.map((drift) => ({
      poolId: drift.poolId,
      findings: drift.findings,
      since: sinceOf(drift),
    })),
    ...followUps,
  ]);
  // Each change labelled by its origin; drift the pool's own stack deployed notified or recorded.
  const settled = await settleDeployedChanges(
    s,
    run,
    decided.conclusion.alerts.drifts.map((drift) => {
      const attributions = attributed.get(drift.poolId);
      return attributions ? { ...drift, attributions } : drift;
    }),
    base?.doc,
  );
  const { drifts, deployed } = settled;
  const followUpsSent = followUpsToSend(followUps, (poolId) => attributed.get(poolId), now());
  // A targeted check marks what it could not attribute; a sweep clears what it attributed.
  const decidedState = settled.state(
    s.targets
      ? markAuthorsPending(decision.state, drifts, at, sinceOf)
      : clearAuthorsPending(
          decision.state,
          [...drifts, ...deployed, ...followUpsSent].map((p) => p.poolId),
        ),
  );
  const alerts: RunAlerts = {
    ...decided.conclusion.alerts,
    drifts,
    ...(deployed.length > 0 ? { deployed } : {}),
    resolved: [...decided.conclusion.alerts.resolved, ...settled.resolved],
    ...(followUpsSent.length > 0
      ? {
          authorFollowUps: followUpsSent.map((f) => ({
            poolId: f.poolId,
            poolName: f.poolName,
            alertedAt: f.alertedAt,
            findings: f.findings,
            attributions: attributed.get(f.poolId) ?? [],
          })),
        }
      : {}),
  };

  const report = resultOf(run, {
    done: true,
    firstRun,
    notCovered: 0,
    unmatchedIgnoreRules: s.ignore.unmatched(),
    readProblems,
    storeProblems,
    alerts,
  });
  if (settled.approved.length > 0) report.approvedDeployments = settled.approved;
  const attributedDrift = [...alerts.drifts, ...deployed];
  if (attributedDrift.some((d) => d.attributions))
    report.attributions = Object.fromEntries(
      attributedDrift.map((d) => [d.poolId, [...(d.attributions ?? [])]]),
    );
  const ctx = runContext(s, run);
  const needsReport =
    alerts.drifts.length > 0 || deployed.length > 0 || readProblems.length > 0 || storeProblems.length > 0;
  if (needsReport && s.persist)
    ctx.reportLocation = await store.putReport(run.runId, reportDocument(report, ctx));
  const messages = renderRunAlerts(ctx, alerts);

  let pendingMarks: PendingAlertMarks | undefined;
  if (s.persist) {
    // Send first, remember second: if sending fails, the next run sends again. Nothing is lost.
    for (const message of messages) await notifier.publish(message);
    const next = nextState(
      { ...decidedState, watching: run.watching ?? decision.state.watching ?? [] },
      base?.doc,
      delivers(s.mode),
    );
    pendingMarks = next.pendingMarks;
    // Conditional on the version decided on (If-Match): a write in between is merged, not overwritten.
    await writeState(s, next.state, base?.etag ?? null, Object.keys(run.outcomes));
    await s.lease?.complete();
    // The finding sinks see exactly what was alerted, once it was: one drift, one event.
    if (delivers(s.mode) && s.deps.sinks?.length)
      await publishFindingSinks(toSinkReport(ctx, alerts.drifts, alerts.resolved), s.deps.sinks, s.deps);
  }
  emitMetrics(s, report, readProblems.length + storeProblems.length);
  return {
    ...report,
    messages,
    ...(ctx.reportLocation ? { reportLocation: ctx.reportLocation } : {}),
    ...(pendingMarks ? { alertMarks: pendingMarks } : {}),
  };
}

/**
 * The state as stored now: `current` itself when unchanged (same version), else the newer version.
 * An unusable newer version keeps `current`: the write that follows then fails its condition and merges.
 */
async function latestState(
  s: RunSession,
  current: Versioned<StateDoc> | undefined,
): Promise<Versioned<StateDoc> | undefined> {
  let latest: Versioned<StateDoc> | undefined;
  try {
    latest = await s.deps.store.getState();
  } catch (error) {
    if (!(error instanceof MalformedDocumentError)) throw error;
    return current;
  }
  if (!latest || latest.etag === current?.etag) return current;
  return { ...latest, doc: clampStateTimes(latest.doc, s.deps.now()) };
}

/** Who made the changes about to be alerted: never fails, never holds the alert back. */
async function attribute(
  s: RunSession,
  requests: readonly AttributionRequest[],
): Promise<Map<string, Attribution[]>> {
  const attributor = s.deps.attribute;
  if (!attributor || requests.length === 0) return new Map();
  return attributeSafely(attributor, requests, (error) =>
    s.deps.logger.warn('Attribution failed: the alert says "author unknown"', {
      reason: describeError(error),
    }),
  );
}

/**
 * A first run resumed from a run document of an earlier release: the pools it scanned then have no
 * baseline yet (that release recorded them at the end, from their snapshots).
 */
async function recordLegacyFirstBaselines(s: RunSession, run: RunDoc): Promise<void> {
  if (!s.persist || s.initialized) return;
  for (const ref of run.pools) {
    const outcome = run.outcomes[ref.poolId];
    if (outcome?.status !== 'scanned' || outcome.hasBaseline || outcome.recorded) continue;
    const snapshot = (await s.deps.store.getSnapshot(ref.poolId))?.doc;
    if (!snapshot?.pool || snapshot.hash === null) continue;
    const recorded = await recordFirstBaseline(s, {
      formatVersion: snapshot.formatVersion,
      kind: 'baseline',
      poolId: ref.poolId,
      approvedAt: s.deps.now().toISOString(),
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
async function writeState(
  s: RunSession,
  state: StateDoc,
  etag: string | null,
  touched: readonly string[],
): Promise<void> {
  const { store } = s.deps;
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
      state = mergeStates(state, current.doc, touched, Boolean(s.targets));
      etag = current.etag;
    }
  }
}

function emitMetrics(s: RunSession, result: RunResult, errors: number): void {
  const metrics = s.deps.metrics;
  if (!metrics) return;
  // The missed-runs alarm watches sweeps: a targeted check does not stand in for one.
  if (!s.targets) metrics.count(METRIC.runsCompleted, 1);
  metrics.count(METRIC.poolsScanned, result.poolsScanned);
  metrics.count(METRIC.clientsScanned, result.clientsScanned);
  metrics.count(METRIC.readErrors, errors);
  const findings = result.pools.flatMap((p) => p.findings);
  metrics.count(METRIC.findings, findings.length);
  for (const severity of [Severity.HIGH, Severity.MEDIUM, Severity.LOW]) {
    metrics.count(findingsMetric(severity), findings.filter((f) => f.severity === severity).length);
  }
  metrics.durationMs(METRIC.scanDurationMs, s.deps.now().getTime() - s.startedMs);
}
