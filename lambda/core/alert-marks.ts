import type { StateDoc } from './documents.js';

/**
 * The state to remember after a run whose messages were NOT delivered (a CLI `check` without a
 * topic prints them, or puts them in its JSON): everything the run learned, but the alert marks as
 * they were before it. Only a delivered SNS publish may mark drift as alerted; otherwise the
 * deployed detector would stay silent about drift nobody was told of until the reminder.
 */
export function keepAlertMarks(next: StateDoc, before: StateDoc | undefined): StateDoc {
  const pools: StateDoc['pools'] = {};
  for (const [poolId, pool] of Object.entries(next.pools)) {
    const { drift: learned, shown: _shown, ...rest } = pool;
    const previous = before?.pools[poolId];
    const drift = previous?.drift;
    // What was shown instead: a new mark this run computed, else what an earlier run showed.
    const shown =
      learned && learned !== drift && learned.lastAlertedAt !== drift?.lastAlertedAt
        ? { snapshotHash: learned.snapshotHash, shownAt: learned.lastAlertedAt }
        : learned
          ? previous?.shown
          : undefined;
    pools[poolId] = { ...rest, ...(drift ? { drift } : {}), ...(shown ? { shown } : {}) };
  }
  const { incomplete: _i, problems: _p, ...rest } = next;
  return {
    ...rest,
    pools,
    ...(before?.incomplete ? { incomplete: before.incomplete } : {}),
    ...(before?.problems ? { problems: before.problems } : {}),
  };
}

type Mark = { fingerprint: string; lastAlertedAt: string; authorPending?: unknown } | undefined;

/** One mark to set: what it was when the run read it (`from`), and what it becomes (`to`, null: cleared). */
export interface MarkChange<T> {
  from: string | null;
  to: T | null;
}

/**
 * The alert marks a run would have written had its messages been delivered, as changes from what it
 * read. An organization target's scan keeps its messages for the one organization digest and writes
 * its state without these; the aggregate step applies them with {@link applyAlertMarks} only after
 * the digest was published.
 */
export interface PendingAlertMarks {
  pools: Record<string, MarkChange<NonNullable<StateDoc['pools'][string]['drift']>>>;
  incomplete?: MarkChange<NonNullable<StateDoc['incomplete']>>;
  problems?: MarkChange<NonNullable<StateDoc['problems']>>;
}

/**
 * A mark's identity: which drift, alerted when, and whether its author follow-up is still owed (a
 * sent follow-up clears it, a change the aggregate applies once the notice is delivered).
 */
function markId(mark: Mark): string | null {
  return mark
    ? `${mark.fingerprint}@${mark.lastAlertedAt}${mark.authorPending ? '+author-pending' : ''}`
    : null;
}

function change<T extends NonNullable<Mark>>(next: T | undefined, before: T | undefined) {
  return markId(next) === markId(before) ? undefined : { from: markId(before), to: next ?? null };
}

/** What {@link keepAlertMarks} leaves out of `next`: the marks that changed since `before`. */
export function pendingAlertMarks(next: StateDoc, before: StateDoc | undefined): PendingAlertMarks {
  const pending: PendingAlertMarks = { pools: {} };
  for (const poolId of new Set([...Object.keys(next.pools), ...Object.keys(before?.pools ?? {})])) {
    const changed = change(next.pools[poolId]?.drift, before?.pools[poolId]?.drift);
    if (changed) pending.pools[poolId] = changed;
  }
  const incomplete = change(next.incomplete, before?.incomplete);
  if (incomplete) pending.incomplete = incomplete;
  const problems = change(next.problems, before?.problems);
  if (problems) pending.problems = problems;
  return pending;
}

/** Whether applying `pending` would change anything. */
export function hasPendingMarks(pending: PendingAlertMarks): boolean {
  return Object.keys(pending.pools).length > 0 || !!pending.incomplete || !!pending.problems;
}

/**
 * Sets the marks of messages that were delivered. A mark is set only where it still is what the
 * run read: if another run (a targeted check, the next sweep) has marked or cleared it since, that
 * newer mark stands. A pool no longer in the state (its deletion approved) is left out.
 */
export function applyAlertMarks(state: StateDoc, pending: PendingAlertMarks): StateDoc {
  const pools = { ...state.pools };
  for (const [poolId, { from, to }] of Object.entries(pending.pools)) {
    const pool = pools[poolId];
    if (!pool || markId(pool.drift) !== from) continue;
    const { drift: _drift, shown: _shown, ...rest } = pool;
    pools[poolId] = to ? { ...rest, drift: to } : rest;
  }
  const next: StateDoc = { ...state, pools };
  for (const field of ['incomplete', 'problems'] as const) {
    const pendingChange = pending[field];
    if (!pendingChange || markId(state[field]) !== pendingChange.from) continue;
    if (pendingChange.to) next[field] = pendingChange.to;
    else delete next[field];
  }
  return next;
}
