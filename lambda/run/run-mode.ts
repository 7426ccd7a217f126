/**
 * What a run is for, as one value instead of flags: the three kinds of run share the engine but
 * differ in what they read, write and send.
 */
export type RunMode =
  /**
   * Every pool of the target. `runId` continues that run (the state machine's loop); omitted, the
   * invocation starts a run or takes up the persisted one.
   */
  | { kind: 'sweep'; alerts: AlertDelivery; runId?: string }
  /**
   * The real-time path: only `pools` (DescribeUserPool, no ListUserPools), in one invocation, with
   * no run document. Nothing outside them is reported as removed; alert marks go to the same state,
   * so the next sweep does not alert the same drift again. `changedClients`: per pool, the only
   * clients to read again (those the events named); the others come from the latest snapshot.
   */
  | {
      kind: 'targeted';
      alerts: AlertDelivery;
      runId: string;
      pools: readonly string[];
      changedClients?: Readonly<Record<string, readonly string[]>>;
    }
  /** CLI `diff`: every pool compared, no document written and no message sent. */
  | { kind: 'look-only' };

/**
 * Whether a published message reaches people. `pending`: it does not (the organization step keeps
 * its messages for one digest; a CLI run without a topic prints them): the state is written without
 * the new alert marks, which the run returns for whoever delivers the messages later.
 */
export type AlertDelivery = 'delivered' | 'pending';

/** The scheduled sweep whose messages go out at once: the default. */
export const SWEEP: RunMode = { kind: 'sweep', alerts: 'delivered' };

/** Whether the run writes documents and sends messages. */
export function persists(mode: RunMode): boolean {
  return mode.kind !== 'look-only';
}

/** The pools of a targeted check; undefined for every other run. */
export function targetsOf(mode: RunMode): ReadonlySet<string> | undefined {
  return mode.kind === 'targeted' ? new Set(mode.pools) : undefined;
}

/** Whether the messages this run publishes reach people (see {@link AlertDelivery}). */
export function delivers(mode: RunMode): boolean {
  return mode.kind !== 'look-only' && mode.alerts === 'delivered';
}
