import { beforeEach, describe, expect, it } from 'vitest';
import type { BaselineDoc } from '../../lambda/core/documents.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { DetectorHarness, FakeAccount, type FakeClient, type FakePool, PREFIX } from '../support/fake-aws.js';

/**
 * A pool's surfaces are read alongside its clients, for the clients the listing named (issue 18
 * item 3). What a client's own read finds must still decide what its per-client surfaces mean: an
 * unreadable client's hosted UI is not "removed", and a client deleted since the listing is
 * reported deleted, not as a surface that could not be read.
 */
describe('per-client surfaces of a client whose own read did not succeed', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;
  let admin: FakeClient;

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    pool = aws.addPool({ name: 'customers', domain: { domain: 'customers-login' } });
    web = aws.addClient(pool.poolId, { name: 'web', uiCustomization: { css: '.web { color: blue; }' } });
    admin = aws.addClient(pool.poolId, {
      name: 'admin',
      confidential: true,
      uiCustomization: { css: '.admin { color: red; }' },
    });
    const first = await harness.run();
    expect(first.firstRun).toBe(true);
    // The baseline holds each client's own hosted UI: there is something that could go missing.
    expect(
      Object.keys(
        aws.bucket.readJson<BaselineDoc>(`baselines/${pool.poolId}.json`).pool?.surfaces?.uiCustomization ??
          {},
      ).sort(),
    ).toEqual([admin.clientId, web.clientId].sort());
  });

  it('an unreadable client keeps its hosted UI: nothing is reported removed, only the client as unreadable', async () => {
    aws.fail('DescribeUserPoolClient', { clientId: admin.clientId, error: 'AccessDeniedException' });

    const result = await harness.run();

    expect(result.pools.find((p) => p.poolId === pool.poolId)?.findings).toEqual([]);
    expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
    expect(result.sent[0]?.Message).toContain(`App client ${admin.clientId} in pool customers`);
  });

  it('a client deleted between the listing and its read is reported deleted, and every surface is read', async () => {
    aws.beforeCall('DescribeUserPoolClient', { clientId: admin.clientId }, () =>
      aws.deleteClient(pool.poolId, admin.clientId),
    );

    const result = await harness.run();

    expect(result.readProblems).toEqual([]);
    expect(result.sent.map((m) => m.Subject)).toEqual([
      expect.stringMatching(/drift: \d+ changes? in 1 pool$/),
    ]);
    expect(result.sent[0]?.Message).toContain(`App client deleted: admin (${admin.clientId})`);
    // Every finding is about the deleted client (it, and its hosted UI with it); the remaining
    // client's hosted UI was read and is unchanged.
    const findings = result.pools.find((p) => p.poolId === pool.poolId)?.findings ?? [];
    expect(findings.map((f) => f.kind).sort()).toEqual(['client-removed', 'resource-removed']);
    expect(findings.filter((f) => f.clientId !== admin.clientId && f.resourceId !== admin.clientId)).toEqual(
      [],
    );
  });
});
