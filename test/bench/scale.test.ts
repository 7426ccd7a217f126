import { describe, expect, it } from 'vitest';
import { runScaleBench } from '../../bench/scale.js';

/**
 * The scale bench drives the detector invocation after invocation, as the state machine does; its
 * figures mean something only if that loop carries one run to its end and its alert. A small world
 * whose quota-bound minimum is longer than one invocation must need several.
 */
// A hang guard only: a run paced at the documented rates over the wire takes tens of seconds on
// this shared machine; nothing here asserts a time.
describe('scale bench', { timeout: 180_000 }, () => {
  it('carries a run longer than one invocation to its end and alerts on both planted changes', async () => {
    const result = await runScaleBench({
      pools: 16,
      clients: 2,
      identityPools: 1,
      webAcls: 1,
      share: 1,
      latencyMs: 0,
      burstSeconds: 1,
      invocationSeconds: 4,
      timeScale: 1,
    });

    // Derived from the declared calls, not timed: the run cannot fit in one invocation.
    expect(result.minimumSeconds).toBeGreaterThan(result.invocationSeconds);
    expect(result.invocations.length).toBeGreaterThan(1);
    expect(result.done).toBe(true);
    expect(result.failedReads).toBe(0);
    expect(result.messages.filter((m) => m.kind === 'drift')).toHaveLength(1);
    expect(result.driftPools).toBe(2);
    expect(result.mix).toEqual({ domains: 6, threatProtection: 4, guarded: 2 });
  });
});
