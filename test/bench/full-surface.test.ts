import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import {
  callsNeeded,
  describedClients,
  poolShape,
  runFullSurfaceBench,
  seedCatalogExamples,
} from '../../bench/full-surface.js';
import { seedReferences } from '../../bench/reference-seed.js';
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
    // What the pools point to is read, each once: 2 pools' triggers (pool 0's four functions, pool
    // 1's none), 4 roles (2 group roles, pool 1's SMS caller, the identity pool's), and the managed
    // policy the group and identity pool roles share, read once however many attach it.
    expect(result.operations.GetFunctionConfiguration).toEqual({ needed: 4, answered: 4 });
    expect(result.operations.GetRole).toEqual({ needed: 4, answered: 4 });
    expect(result.operations.GetPolicyVersion).toEqual({ needed: 1, answered: 1 });
    expect(result.categories['IAM.Read']?.admitted).toBeGreaterThan(0);
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
    const config = standin.clientConfig({ maxAttempts: 1 });
    const client = new CognitoIdentityProviderClient(config);
    const lambdaClient = new LambdaClient(config);
    const iamClient = new IAMClient(config);
    const kmsClient = new KMSClient(config);
    try {
      const poolIds = standin.seed(6, 3);
      const listed = seedCatalogExamples(standin, poolIds);
      // Two pools send email through one custom sender, with one key: each read once for both.
      const sender = `arn:aws:lambda:${standin.region}:${standin.accountId}:function:bench-email-sender`;
      const key = `arn:aws:kms:${standin.region}:${standin.accountId}:key/1111aaaa-2222-4333-8444-555566667777`;
      for (const poolId of poolIds.slice(1, 3)) {
        const own = standin.describePool(poolId).LambdaConfig as Record<string, unknown>;
        standin.updatePool(poolId, {
          config: {
            LambdaConfig: {
              ...own,
              CustomEmailSender: { LambdaVersion: 'V1_0', LambdaArn: sender },
              KMSKeyID: key,
            },
          },
        });
      }
      const references = seedReferences(standin, poolIds);
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
        lambdaClient,
        iamClient,
        kmsClient,
        digestKey: TEST_DIGEST_KEY,
        surfaces: SURFACE_NAMES.filter((name) => name !== 'waf' && name !== 'identityPools'),
        quotaShare: 1,
        quotas: { userPoolRead: 1e6, userPoolClientRead: 1e6, perPoolClientRead: 1e6 },
        categoryRps: {
          UserPoolResourceRead: 1e6,
          'Lambda.ControlPlane': 1e6,
          'Lambda.GetPolicy': 1e6,
          'IAM.Read': 1e6,
        },
      });
      const reads = await Promise.all(poolIds.map((poolId) => reader.readPool({ poolId, poolName: '' })));
      for (const read of reads) expect(read.status === 'ok' && read.unreadableSurfaces).toEqual([]);

      // Per pool, one count each (the account-level operations are not read here).
      const all = callsNeeded(shapes, 0, 0, references);
      const needed = Object.entries(all).filter(([, c]) => c.length === poolIds.length);
      const answered = standin.stats.calls as Record<string, number>;
      // What the pools point to: one count for the target, each distinct resource read once.
      const referenceOps = catalogOperations(CATALOG).filter((op) => op.calls?.per === 'reference');
      expect(
        referenceOps.filter((op) => all[op.name]?.[0] !== (answered[op.name] ?? 0)).map((op) => op.name),
      ).toEqual([]);
      expect([all.DescribeKey, all.GetKeyPolicy]).toEqual([[1], [1]]);
      expect(references.functions).toBeGreaterThan(1);
      expect(all.GetFunctionConfiguration).toEqual([references.functions]);
      expect(all.GetRole?.[0]).toBeGreaterThan(0);
      // Each was there to read: no not-found answer (which the reader would keep as "not readable").
      expect(standin.stats.errors).toEqual({});
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
      lambdaClient.destroy();
      iamClient.destroy();
      kmsClient.destroy();
      await standin.stop();
    }
  });
});
