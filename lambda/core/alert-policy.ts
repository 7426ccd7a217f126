import { contentHash } from './canonical.js';
import type { AlertMark, PoolOutcome, StateDoc } from './documents.js';
import { openFindings } from './posture.js';
import type { PoolDrift } from './render.js';
import type { ReadProblem } from './run-notices.js';
import { highestSeverity } from './severity.js';
import { type Finding, Severity } from './types.js';

/** The alert policy's view of time: now, and how long unchanged drift waits before a reminder. */
export interface AlertClock {
  now: Date;
  reminderIntervalMs: number;
}

/**
 * A fresh alert mark when the thing is new, changed, or due for a reminder; undefined when it was
 * alerted as it is less than a reminder interval ago.
 */
export function dueMark(
  previous: AlertMark | undefined,
  fingerprint: string,
  clock: AlertClock,
): AlertMark | undefined {
  const now = clock.now.toISOString();
  if (previous && previous.fingerprint === fingerprint) {
    const since = clock.now.getTime() - Date.parse(previous.lastAlertedAt);
    if (since < clock.reminderIntervalMs) return undefined;
    return { ...previous, lastAlertedAt: now };
  }
  return { fingerprint, firstAlertedAt: previous?.firstAlertedAt ?? now, lastAlertedAt: now };
}

/**
 * The settings a pool's drift made risky, less the accepted ones: accepting a risk takes it out of
 * the alert without changing the drift (the same drift is not re-sent for it).
 */
function postureOfDrift(outcome: Extract<PoolOutcome, { status: 'scanned' }>): Pick<PoolDrift, 'posture'> {
  const open = openFindings(outcome.posture ?? []);
  return open.length > 0 ? { posture: open } : {};
}

/** What to send, and the state to remember once it is sent. */
export interface AlertDecision {
  /** Pools whose drift is new, changed, or due for a reminder. */
  drifts: PoolDrift[];
  /** Pools whose alerted drift is gone (reverted or approved). */
  resolved: { poolId: string; poolName: string }[];
  readProblems: ReadProblem[];
  storeProblems: ReadProblem[];
  /** Whether the "scan incomplete" / "unusable documents" notices are due (new, changed or reminder). */
  sendIncomplete: boolean;
  sendStoreProblems: boolean;
  /** Surfaces recorded into baselines this run (an upgrade, or a surface turned on). */
  newlyCovered: string[];
  /** The state with every mark updated as if the messages above were delivered. */
  state: StateDoc;
}

/**
 * The alert policy, as a pure function of the run's outcomes, the remembered state and the time:
 * which drift is new, changed, due for a reminder, or resolved; which problems to (re)send. It does
 * not mutate `state`: the caller stores `decision.state` only after the messages were delivered, so
 * a failed send is retried by the next run and nothing is lost.
 *
 * @param outcomes each pool's outcome of this run, by pool id
 * @param extra problems found outside the pools (a failed listing) and pools already resolved
 * @param locate turns a document key into where a person finds it
 */
export function decideAlerts(
  outcomes: Readonly<Record<string, PoolOutcome>>,
  previous: StateDoc,
  clock: AlertClock,
  extra: {
    readProblems?: ReadProblem[];
    resolved?: { poolId: string; poolName: string }[];
    /** A targeted check saw only some pools: no problem is known to be gone, so none is forgotten. */
    partial?: boolean;
  },
  locate: (key: string) => string,
): AlertDecision {
  const state = structuredClone(previous);
  const drifts: PoolDrift[] = [];
  const resolved = [...(extra.resolved ?? [])];
  const readProblems = [...(extra.readProblems ?? [])];
  const storeProblems: ReadProblem[] = [];
  const newlyCovered = new Set<string>();
  const poolState = (poolId: string) => {
    state.pools[poolId] ??= {};
    return state.pools[poolId];
  };

  for (const [poolId, outcome] of Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))) {
    if (outcome.status === 'unreadable') {
      readProblems.push({ what: `Pool ${outcome.poolName} (${poolId})`, reason: outcome.reason });
      continue;
    }
    if (outcome.status === 'bad-document') {
      storeProblems.push({ what: locate(outcome.key), reason: outcome.reason });
      continue;
    }
    const pool = poolState(poolId);
    if (outcome.status === 'gone') {
      if (pool.drift) resolved.push({ poolId, poolName: outcome.poolName });
      delete state.pools[poolId];
      continue;
    }
    for (const client of outcome.unreadableClients) {
      readProblems.push({
        what: `App client ${client.clientId} in pool ${outcome.poolName} (${poolId})`,
        reason: client.reason,
      });
    }
    for (const surface of outcome.unreadableSurfaces ?? []) {
      readProblems.push({
        what: `${surface.operation} on pool ${outcome.poolName} (${poolId})`,
        reason: surface.reason,
      });
    }
    for (const surface of outcome.newlyCovered ?? []) newlyCovered.add(surface);
    if (outcome.snapshotHash !== 'removed') pool.snapshotHash = outcome.snapshotHash;
    // Cache the hash with the ETag it was read at: the baseline may have changed since (a run that
    // spans invocations), and a hash paired with a newer ETag would hide drift from the new baseline.
    if (outcome.baselineEtag !== undefined) {
      pool.baseline = { etag: outcome.baselineEtag, snapshotHash: outcome.baselineHash };
    }
    // Part of the pool could not be read (a client, a surface): that part is its last known state in
    // this run's view (see `mergeRead`), so alerted drift in it is neither resolved nor alerted again,
    // and new drift elsewhere in the pool still is. "Resolved" follows only a run that read the whole
    // pool: a partial read with no findings keeps the alert mark exactly as it was.
    const partial = outcome.unreadableClients.length > 0 || (outcome.unreadableSurfaces ?? []).length > 0;
    const findings = outcome.findings as Finding[];
    if (partial && pool.drift && findings.length === 0) continue;
    if (findings.length === 0) {
      if (pool.drift) resolved.push({ poolId, poolName: outcome.poolName });
      delete pool.drift;
      continue;
    }
    const fingerprint = contentHash([outcome.baselineHash, outcome.snapshotHash, findings.length]);
    const before = pool.drift;
    // Surfaces recorded into the baseline (an upgrade) change both hashes, not the drift alerted.
    const was = outcome.upgradedFrom;
    if (before && was?.snapshotHash === before.snapshotHash && was.baselineHash === before.baselineHash)
      Object.assign(before, {
        fingerprint,
        snapshotHash: outcome.snapshotHash,
        baselineHash: outcome.baselineHash,
      });
    const due = dueMark(before, fingerprint, clock);
    if (!due) continue;
    drifts.push({
      poolId,
      poolName: outcome.poolName,
      findings,
      status: !before ? 'new' : before.fingerprint !== fingerprint ? 'changed' : 'reminder',
      unapprovedSince: before?.firstAlertedAt,
      ...postureOfDrift(outcome),
    });
    pool.drift = {
      ...due,
      snapshotHash: outcome.snapshotHash === 'removed' ? null : outcome.snapshotHash,
      baselineHash: outcome.baselineHash,
      highest: highestSeverity(findings) ?? Severity.LOW,
      changeCount: findings.length,
      poolName: outcome.poolName,
    };
  }

  const incomplete =
    readProblems.length > 0 ? dueMark(state.incomplete, contentHash(readProblems), clock) : undefined;
  if (readProblems.length === 0 && !extra.partial) delete state.incomplete;
  else if (incomplete) state.incomplete = incomplete;
  const problems =
    storeProblems.length > 0 ? dueMark(state.problems, contentHash(storeProblems), clock) : undefined;
  if (storeProblems.length === 0 && !extra.partial) delete state.problems;
  else if (problems) state.problems = problems;

  return {
    drifts,
    resolved,
    readProblems,
    storeProblems,
    sendIncomplete: incomplete !== undefined,
    sendStoreProblems: problems !== undefined,
    newlyCovered: [...newlyCovered].sort(),
    state,
  };
}
