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
    const { drift: _learned, ...rest } = pool;
    const drift = before?.pools[poolId]?.drift;
    pools[poolId] = drift ? { ...rest, drift } : rest;
  }
  const { incomplete: _i, problems: _p, ...rest } = next;
  return {
    ...rest,
    pools,
    ...(before?.incomplete ? { incomplete: before.incomplete } : {}),
    ...(before?.problems ? { problems: before.problems } : {}),
  };
}
