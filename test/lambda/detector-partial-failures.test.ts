import { beforeEach, describe, expect, it } from 'vitest';
import {
  type DetectorHarness,
  type FakeAccount,
  type FakeClient,
  type FakePool,
  HOUR,
  PREFIX,
  serviceError,
} from '../support/fake-aws.js';
import { addCustomers, addStaff, watchedAccount } from './watched-account.js';

describe('partial failures', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;
  let admin: FakeClient;
  let other: FakePool;

  beforeEach(async () => {
    ({ aws, harness, pool, web, admin, other } = await watchedAccount((aws) => {
      const customers = addCustomers(aws);
      const admin = aws.addClient(customers.pool.poolId, { name: 'admin', confidential: true });
      return { ...customers, admin, other: addStaff(aws) };
    }));
  });

  /** Every version of the pool's baseline and snapshot, to prove they were not touched. */
  function storedVersions(poolId: string): number[] {
    return [`baselines/${poolId}.json`, `snapshots/${poolId}.json`].map((k) => aws.bucket.versions(k).length);
  }

  describe.each([
    ['AccessDeniedException', 'AccessDeniedException (HTTP 400)'],
    ['InternalErrorException', 'InternalErrorException (HTTP 500)'],
    ['TooManyRequestsException', 'TooManyRequestsException (HTTP 400)'],
  ])('a pool that DescribeUserPool answers with %s', (error, reason) => {
    it('is not reported as removed; a separate "Scan incomplete" notice names it and why', async () => {
      const before = storedVersions(pool.poolId);
      aws.updatePool(other.poolId, { MfaConfiguration: 'OFF' });
      aws.fail('DescribeUserPool', { poolId: pool.poolId, error });

      const result = await harness.run();

      expect(result.pools.find((p) => p.poolId === pool.poolId)?.outcome).toBe('unreadable');
      expect(result.pools.flatMap((p) => p.findings).map((f) => f.kind)).toEqual(['field-changed']);
      expect(result.sent.map((m) => m.Subject)).toEqual([
        `${PREFIX}HIGH drift: 1 change in 1 pool`,
        `${PREFIX}Scan incomplete: 1 item unreadable`,
      ]);
      const notice = result.sent[1]?.Message ?? '';
      expect(notice).toContain(`Pool customers (${pool.poolId}): ${reason}`);
      expect(notice).toContain('NOT treated as deleted or changed');
      expect(result.sent[0]?.Message).not.toContain(pool.poolId);
      expect(storedVersions(pool.poolId)).toEqual(before);
    });
  });

  describe('an unreadable pool, once its notice was sent', () => {
    beforeEach(async () => {
      aws.fail('DescribeUserPool', { poolId: pool.poolId, error: 'AccessDeniedException' });
      expect((await harness.run()).sent).toHaveLength(1);
    });

    it('is not notified again by the next run', async () => {
      expect((await harness.run()).sent).toEqual([]);
    });

    it('is notified again after the reminder interval', async () => {
      harness.clock.advance(24 * HOUR);

      const result = await harness.run();

      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
    });

    it('raises no alert when it becomes readable again, unchanged', async () => {
      aws.heal();

      const result = await harness.run();

      expect(result.sent).toEqual([]);
      expect(result.readProblems).toEqual([]);
    });

    it('reports its drift when it becomes readable again, changed', async () => {
      aws.heal();
      aws.updatePool(pool.poolId, { DeletionProtection: 'INACTIVE' });

      const result = await harness.run();

      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    });
  });

  describe('a pool with alerted drift that becomes unreadable', () => {
    it('is neither resolved nor alerted again, and stays quiet when readable with the same drift', async () => {
      aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
      expect((await harness.run()).sent).toHaveLength(1);
      aws.fail('DescribeUserPool', { poolId: pool.poolId, error: 'InternalErrorException', times: 1 });

      const unreadable = await harness.run();
      const readable = await harness.run();

      expect(unreadable.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
      expect(readable.sent).toEqual([]);
      expect(readable.pools.find((p) => p.poolId === pool.poolId)?.findings).toHaveLength(1);
    });
  });

  describe('a client that DescribeUserPoolClient cannot read', () => {
    it('is not reported as removed, and the rest of the pool is still compared', async () => {
      aws.fail('DescribeUserPoolClient', { clientId: admin.clientId, error: 'AccessDeniedException' });
      aws.updateClient(pool.poolId, web.clientId, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
      aws.updatePool(pool.poolId, { MfaConfiguration: 'OPTIONAL' });

      const result = await harness.run();

      const findings = result.pools.find((p) => p.poolId === pool.poolId)?.findings ?? [];
      expect(findings.map((f) => `${f.kind} ${f.clientId ?? 'pool'}`).sort()).toEqual([
        'field-changed pool',
        `list-changed ${web.clientId}`,
      ]);
      expect(result.sent.map((m) => m.Subject)).toEqual([
        `${PREFIX}HIGH drift: 2 changes in 1 pool`,
        `${PREFIX}Scan incomplete: 1 item unreadable`,
      ]);
      expect(result.sent[1]?.Message).toContain(
        `App client ${admin.clientId} in pool customers (${pool.poolId}): AccessDeniedException`,
      );
      expect(result.sent[0]?.Message).not.toContain('App client deleted');
    });

    it('raises nothing when it can be read again, unchanged', async () => {
      aws.fail('ListUserPoolClientSecrets', { clientId: admin.clientId, error: 'InternalErrorException' });
      const failing = await harness.run();
      expect(failing.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
      aws.heal();

      const result = await harness.run();

      expect(result.sent).toEqual([]);
      expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
    });
  });

  describe('ResourceNotFoundException between listing and describing', () => {
    it('reports a pool that vanished as removed, not as an error', async () => {
      aws.beforeCall('DescribeUserPool', { poolId: pool.poolId }, () => aws.deletePool(pool.poolId));

      const result = await harness.run();

      expect(result.readProblems).toEqual([]);
      expect(result.pools.find((p) => p.poolId === pool.poolId)?.findings.map((f) => f.kind)).toEqual([
        'pool-removed',
      ]);
      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
      expect(result.sent[0]?.Message).toContain(`Pool deleted: customers (${pool.poolId})`);
      expect((await harness.run()).sent).toEqual([]);
    });

    it('reports a client that vanished as removed, not as an error', async () => {
      aws.beforeCall('DescribeUserPoolClient', { clientId: admin.clientId }, () =>
        aws.deleteClient(pool.poolId, admin.clientId),
      );

      const result = await harness.run();

      expect(result.readProblems).toEqual([]);
      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
      expect(result.sent[0]?.Message).toContain(`App client deleted: admin (${admin.clientId})`);
    });

    it('ends a pool that had no baseline yet quietly', async () => {
      const fresh = aws.addPool({ name: 'fresh' });
      aws.beforeCall('DescribeUserPool', { poolId: fresh.poolId }, () => aws.deletePool(fresh.poolId));

      const result = await harness.run();

      expect(result.sent).toEqual([]);
      expect(result.readProblems).toEqual([]);
    });
  });

  describe('ListUserPools failing', () => {
    it('sends a "Scan incomplete" notice and reports nothing as removed', async () => {
      aws.fail('ListUserPools', { error: 'AccessDeniedException' });

      const result = await harness.run();

      expect(result.pools).toEqual([]);
      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
      expect(result.sent[0]?.Message).toContain('ListUserPools');
      expect(result.sent[0]?.Message).toContain('AccessDeniedException');
      expect(aws.bucket.versions(`snapshots/${pool.poolId}.json`)).toHaveLength(1);
      expect((await harness.run()).sent).toEqual([]);
    });

    it('on a later page, still reports nothing as removed', async () => {
      for (let i = 0; i < 70; i++) aws.addPool();
      let page = 0;
      aws.beforeCall(
        'ListUserPools',
        {},
        () => {
          page += 1;
          if (page === 2) throw serviceError('ListUserPools', 'InternalErrorException');
        },
        2,
      );

      const result = await harness.run();

      expect(result.pools).toEqual([]);
      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
    });
  });
});
