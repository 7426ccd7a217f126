import { type AlertMark, DEFAULT_LEASE_MS, type RunDoc, type StateDoc } from './documents.js';

/**
 * Times read from stored documents are never later than now. Anyone who can write the bucket could
 * otherwise put an alert time in the future (the drift is never "due" again: silenced for good) or
 * a run's last activity in the future (every later run skips it as live: the detector is stuck).
 * A clamped time is written back with the document, so the next run sees the present.
 */
export function clampToPresent(iso: string, now: Date): string {
  return Date.parse(iso) > now.getTime() ? now.toISOString() : iso;
}

function clampMark<T extends AlertMark>(mark: T, now: Date): T {
  return {
    ...mark,
    firstAlertedAt: clampToPresent(mark.firstAlertedAt, now),
    lastAlertedAt: clampToPresent(mark.lastAlertedAt, now),
  };
}

/** The state with every alert time at most `now`. Does not change the argument. */
export function clampStateTimes(state: StateDoc, now: Date): StateDoc {
  const pools: StateDoc['pools'] = {};
  for (const [poolId, pool] of Object.entries(state.pools)) {
    pools[poolId] = pool.drift ? { ...pool, drift: clampMark(pool.drift, now) } : pool;
  }
  return {
    ...state,
    pools,
    ...(state.incomplete ? { incomplete: clampMark(state.incomplete, now) } : {}),
    ...(state.problems ? { problems: clampMark(state.problems, now) } : {}),
  };
}

/** How far ahead another writer's clock may be before its times count as forged. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The run with its start at most `now`. A lease cannot run out later than one lease period from
 * now, and a last activity cannot lie in the future: either one further ahead (beyond clock skew)
 * was not written by a worker, and counts as no hold at all, so the run is taken up, not stuck.
 * Does not change the argument.
 */
export function clampRunTimes(run: RunDoc, now: Date): RunDoc {
  const at = now.getTime();
  const updatedAt =
    Date.parse(run.updatedAt) > at + CLOCK_SKEW_MS
      ? new Date(0).toISOString()
      : clampToPresent(run.updatedAt, now);
  const lease =
    run.lease && Date.parse(run.lease.expiresAt) > at + DEFAULT_LEASE_MS + CLOCK_SKEW_MS
      ? { ...run.lease, expiresAt: now.toISOString() }
      : run.lease;
  return {
    ...run,
    startedAt: clampToPresent(run.startedAt, now),
    updatedAt,
    ...(lease ? { lease } : {}),
  };
}
