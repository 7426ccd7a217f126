import { describe, expect, it } from 'vitest';
import { runFullSurfaceBench } from '../../bench/full-surface.js';
import { catalogOperations } from '../../lambda/core/catalog.js';
import { CATALOG } from '../../lambda/surfaces/index.js';

/**
 * The bench's quota-bound minimum is only as right as its count of the calls a scan needs. That
 * count is derived (the kinds' declared `calls` over their seeded `examples`); here it is checked
 * against the requests the stand-in actually answered for one real run of the reader and detector.
 */
describe('full-surface bench call count', () => {
  it('needs exactly the calls a real scan makes, per operation, for every kind the world seeds', async () => {
    const result = await runFullSurfaceBench({
      // The third pool is on the Plus tier with threat protection: its per-client risk reads count too.
      pools: 3,
      clients: 3,
      idps: 2,
      groups: 1,
      resourceServers: 1,
      identityPools: 1,
      webAcls: 1,
      share: 1,
      latencyMs: 0,
      burstSeconds: 10,
    });

    expect(result.done).toBe(true);
    expect(result.failedReads).toBe(0);
    const mismatched = Object.entries(result.operations).filter(([, c]) => c.needed !== c.answered);
    expect(mismatched).toEqual([]);
    // Every kind with example items is read in this world, so its counts were exercised, not zero.
    for (const entry of CATALOG.entries.filter((e) => e.examples))
      for (const op of entry.operations)
        expect(result.operations[op.name]?.answered, op.name).toBeGreaterThan(0);
    // The conditional declarations were exercised: the risk configuration of 3 pools and of the 3
    // clients of the one with threat protection; the hosted UI of 3 pools with a domain and their 9 clients.
    expect(result.operations.DescribeRiskConfiguration?.answered).toBe(6);
    expect(result.operations.GetUICustomization?.answered).toBe(12);
    // And every catalog operation is counted (an operation without a count fails the bench).
    for (const op of catalogOperations(CATALOG)) expect(result.operations[op.name], op.name).toBeDefined();
  });
});
