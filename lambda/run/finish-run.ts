import type { Versioned } from '../adapters/drift-store.js';
import type { PendingAlertMarks } from '../core/alert-marks.js';
import { attributeSafely } from '../core/attribution.js';
import type { RunDoc, StateDoc } from '../core/documents.js';
import type { ListedObject } from '../core/ports.js';
import { type RunAlerts, renderRunAlerts } from '../core/run-alerts.js';
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
  s.deps.metrics?.count('ReadErrors', 1);
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

/** All pools have an outcome: find removals, decide what to send, send it, remember it. */
export async function finishRun(
  s: RunSession,
  run: RunDoc,
  stateVersion: Versioned<StateDoc> | undefined,
  baselines: Map<string, ListedObject>,
): Promise<RunResult> {
  const { store, notifier, logger, now } = s.deps;
  const at = now();
  // No run has completed yet (the first, or a first whose notice failed to send): send the notice.
  const firstRun = !stateVersion;
  let state = stateVersion?.doc ?? freshState(at);
  await recordLegacyFirstBaselines(s, run);

  // Pools with a baseline that the listing no longer names, or that vanished mid-scan: removed.
  const candidates = new Map<string, { object: ListedObject; fetched: FetchedBaseline }>();
  for (const poolId of removalCandidates({
    run,
    baselines,
    state,
    ignore: s.ignore,
    ...(s.targets ? { targets: s.targets } : {}),
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
    ignore: s.ignore,
    persist: s.persist,
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
    persist: s.persist,
    resolved: removals.resolved,
    allPoolsIgnored: s.allPoolsIgnored,
    clock: alertClock(s),
    locate: (key) => store.locate(key),
  });
  const { decision, readProblems, storeProblems } = conclusion;
  const alerts: RunAlerts = {
    ...conclusion.alerts,
    drifts: await attribute(s, conclusion.alerts.drifts, at),
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
  if (alerts.drifts.some((d) => d.attributions))
    report.attributions = Object.fromEntries(
      alerts.drifts.map((d) => [d.poolId, [...(d.attributions ?? [])]]),
    );
  const ctx = runContext(s, run);
  const needsReport = alerts.drifts.length > 0 || readProblems.length > 0 || storeProblems.length > 0;
  if (needsReport && s.persist)
    ctx.reportLocation = await store.putReport(run.runId, reportDocument(report, ctx));
  const messages = renderRunAlerts(ctx, alerts);

  for (const rule of s.targets ? [] : s.ignore.unmatched())
    logger.warn('Ignore rule matched nothing: check it for a typo', { rule });

  let pendingMarks: PendingAlertMarks | undefined;
  if (s.persist) {
    // Send first, remember second: if sending fails, the next run sends again. Nothing is lost.
    for (const message of messages) await notifier.publish(message);
    const next = nextState(
      { ...decision.state, watching: run.watching ?? decision.state.watching ?? [] },
      stateVersion?.doc,
      delivers(s.mode),
    );
    pendingMarks = next.pendingMarks;
    await writeState(s, next.state, stateVersion?.etag ?? null, Object.keys(run.outcomes));
    await s.lease?.complete();
  }
  emitMetrics(s, report, readProblems.length + storeProblems.length);
  return {
    ...report,
    messages,
    ...(ctx.reportLocation ? { reportLocation: ctx.reportLocation } : {}),
    ...(pendingMarks ? { alertMarks: pendingMarks } : {}),
  };
}

/** Who made the drift about to be alerted: never fails, never holds the alert back. */
async function attribute(s: RunSession, drifts: RunAlerts['drifts'], at: Date): Promise<RunAlerts['drifts']> {
  const attribute = s.deps.attribute;
  if (!attribute || drifts.length === 0) return drifts;
  const window = s.options.attributionWindowMs ?? 2 * 3_600_000;
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
      s.deps.logger.warn('Attribution failed: the alert says "author unknown"', {
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
  if (!s.targets) metrics.count('RunsCompleted', 1);
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
  metrics.durationMs('ScanDurationMs', s.deps.now().getTime() - s.startedMs);
}
