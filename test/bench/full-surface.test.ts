import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  callsNeeded,
  describedClients,
  poolShape,
  runFullSurfaceBench,
  seedCatalogExamples,
} from '../../bench/full-surface.js';
import { CognitoReader } from '../../lambda/adapters/cognito-reader.js';
import { catalogOperations } from '../../lambda/core/catalog.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { CognitoStandin } from '../support/cognito-standin.js';
import { TEST_DIGEST_KEY } from '../support/digest-key.js';

/**
 * The bench's quota-bound minimum is only as right as its count of the calls a scan needs. That
 * count is derived (the kinds' declared `calls` over their seeded `examples`); here it is checked
 * against the requests the stand-in actually answered for one real run of the reader and detector.
 */
describe('full-surface bench call count', () => {
  it('needs exactly the calls a real scan makes, per operation, for every kind the world seeds', async () => {
    const result = await runFullSurfaceBench({
      pools: 2,
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
    // And every catalog operation is counted (an operation without a count fails the bench).
    for (const op of catalogOperations(CATALOG)) expect(result.operations[op.name], op.name).toBeDefined();
  });
});

/**
 * The same check in the organization bench's world, where half the pools have no domain, two thirds
 * no threat protection and about half the clients no secret: the kinds not read there
 * (`readOnlyWhen`) and the secrets of a client without one (`CLIENT_SECRETS_READ`) are counted as not
 * read.
 */
describe('bench call count where kinds have no effect', () => {
  it('needs exactly the calls the reader makes, none for a kind without effect in a pool or a client without a secret', async () => {
    const standin = await CognitoStandin.start({ latencyMs: 0, quotas: false, seed: 1 });
    const client = new CognitoIdentityProviderClient(standin.clientConfig({ maxAttempts: 1 }));
    try {
      const poolIds = standin.seed(6, 3);
      const listed = seedCatalogExamples(standin, poolIds);
      const shapes = poolIds.map((poolId) =>
        poolShape(
          standin.describePool(poolId) as Record<string, unknown>,
          describedClients(standin, poolId),
          listed.get(poolId),
        ),
      );
      standin.resetStats();
      const reader = new CognitoReader({
        client,
        digestKey: TEST_DIGEST_KEY,
        surfaces: SURFACE_NAMES.filter((name) => name !== 'waf' && name !== 'identityPools'),
        quotaShare: 1,
        quotas: { userPoolRead: 1e6, userPoolClientRead: 1e6, perPoolClientRead: 1e6 },
        categoryRps: { UserPoolResourceRead: 1e6 },
      });
      const reads = await Promise.all(poolIds.map((poolId) => reader.readPool({ poolId, poolName: '' })));
      for (const read of reads) expect(read.status === 'ok' && read.unreadableSurfaces).toEqual([]);

      // Per pool, one count each (the account-level operations are not read here).
      const needed = Object.entries(callsNeeded(shapes, 0)).filter(([, c]) => c.length === poolIds.length);
      const answered = standin.stats.calls as Record<string, number>;
      const compared = needed.map(([op, counts]) => [
        op,
        counts.reduce((a, b) => a + b, 0),
        answered[op] ?? 0,
      ]);
      expect(compared.filter(([, want, got]) => want !== got)).toEqual([]);
      expect(compared.map(([op]) => op)).toEqual(
        expect.arrayContaining([
          'DescribeUserPool',
          'DescribeUserPoolClient',
          'ListUserPoolClientSecrets',
          'ListTerms',
          'GetUICustomization',
          'DescribeRiskConfiguration',
        ]),
      );
      // The world has pools on both sides of every condition: some kinds were skipped for some pools.
      expect(shapes.some((s) => s.notApplicable.length > 0)).toBe(true);
      expect(shapes.some((s) => s.notApplicable.length === 0)).toBe(true);
      // And public clients beside confidential ones: secrets listed for some clients, not for all.
      const secretReads = shapes.reduce((n, s) => n + (s.clientReads.ListUserPoolClientSecrets ?? 0), 0);
      const clients = shapes.reduce((n, s) => n + s.clients, 0);
      expect(secretReads).toBeGreaterThan(0);
      expect(secretReads).toBeLessThan(clients);
    } finally {
      client.destroy();
      await standin.stop();
    }
  });
});
