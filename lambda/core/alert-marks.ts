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
