/**
 * The author follow-up of a real-time alert. A real-time check knows only the calls that started it,
 * so a change it alerts that none of them made is "author unknown" there. The alert promises that
 * the next sweep looks the author up in CloudTrail; these pure functions keep that promise: mark the
 * pool's alerted drift as pending, pick the pending drift a sweep should look up (once CloudTrail has
 * had time to deliver), and clear the mark once the notice is sent. The mark lives on the drift's
 * alert mark in the state document, so a drift that changes or resolves drops it with the mark.
 */
import type { Attribution, AttributionRequest } from './attribution.js';
import type { PoolOutcome, StateDoc } from './documents.js';
import type { PoolDrift } from './render.js';
import type { Finding } from './types.js';

/**
 * A sweep looks a pending author up only this long after the real-time alert: CloudTrail delivers
 * events to its event history minutes after the call, not at once.
 */
export const AUTHOR_FOLLOW_UP_DELAY_MS = 15 * 60_000;

/** Whether an attribution is a promise that the next sweep looks the author up. */
export function isPendingAuthor(attribution: Attribution | undefined): boolean {
  return attribution?.kind === 'unknown' && attribution.followUp === true;
}

/**
 * The state after a real-time check's alert: each alerted drift with a change whose author the check
 * could not name gets `authorPending` on its alert mark. `since` is where that drift's lookup starts.
 */
export function markAuthorsPending(
  state: StateDoc,
  drifts: readonly PoolDrift[],
  alertedAt: Date,
  sinceOf: (drift: PoolDrift) => string,
): StateDoc {
  const next = structuredClone(state);
  for (const drift of drifts) {
    const mark = next.pools[drift.poolId]?.drift;
    if (!mark || !drift.attributions?.some(isPendingAuthor)) continue;
    mark.authorPending = { alertedAt: alertedAt.toISOString(), since: sinceOf(drift) };
  }
  return next;
}

/** One pending author lookup a sweep makes: the pool's current findings, from where the check began. */
export interface AuthorFollowUp extends AttributionRequest {
  poolName: string;
  alertedAt: string;
}

/**
 * The pending author lookups a sweep makes now: drift still alerted as it was (a drift alerted again
 * in this run is attributed with its alert), still there, and alerted long enough ago for CloudTrail
 * to have the events.
 */
export function dueAuthorFollowUps(
  state: StateDoc,
  outcomes: Readonly<Record<string, PoolOutcome>>,
  alertedNow: readonly PoolDrift[],
  now: Date,
): AuthorFollowUp[] {
  const realerted = new Set(alertedNow.map((d) => d.poolId));
  const due: AuthorFollowUp[] = [];
  for (const [poolId, pool] of Object.entries(state.pools).sort(([a], [b]) => a.localeCompare(b))) {
    const pending = pool.drift?.authorPending;
    const outcome = outcomes[poolId];
    if (!pending || realerted.has(poolId) || outcome?.status !== 'scanned') continue;
    if (Date.parse(pending.alertedAt) + AUTHOR_FOLLOW_UP_DELAY_MS > now.getTime()) continue;
    const findings = outcome.findings as Finding[];
    if (findings.length === 0) continue;
    due.push({
      poolId,
      poolName: outcome.poolName,
      alertedAt: pending.alertedAt,
      since: pending.since,
      findings,
    });
  }
  return due;
}

/**
 * A follow-up is sent with "author unknown" only this long after the alert: until then a sweep whose
 * lookup found no author (CloudTrail late, the lookup throttled or out of time) leaves it for the next.
 */
export const AUTHOR_FOLLOW_UP_GIVE_UP_MS = 24 * 3_600_000;

/**
 * The follow-ups to send now: those whose lookup named an author, and those past
 * {@link AUTHOR_FOLLOW_UP_GIVE_UP_MS}, sent as they are. The rest stay pending.
 */
export function followUpsToSend<T extends AuthorFollowUp>(
  followUps: readonly T[],
  attributionsOf: (poolId: string) => readonly Attribution[] | undefined,
  now: Date,
): T[] {
  return followUps.filter(
    (f) =>
      attributionsOf(f.poolId)?.some((a) => a.kind === 'event') ||
      Date.parse(f.alertedAt) + AUTHOR_FOLLOW_UP_GIVE_UP_MS <= now.getTime(),
  );
}

/** The state once the follow-up notice for these pools is sent: their marks no longer pending. */
export function clearAuthorsPending(state: StateDoc, poolIds: readonly string[]): StateDoc {
  const next = structuredClone(state);
  for (const poolId of poolIds) delete next.pools[poolId]?.drift?.authorPending;
  return next;
}
