import { beforeEach, describe, expect, it } from 'vitest';
import type { SnapshotDoc, StateDoc } from '../../lambda/core/documents.js';
import {
  DetectorHarness,
  FakeAccount,
  type FakeClient,
  type FakePool,
  HOUR,
  PREFIX,
} from '../support/fake-aws.js';
import { addCustomers, watchedAccount } from './watched-account.js';

describe('drift', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;
  let backend: FakeClient;
  let legacy: FakeClient;
  let quiet: FakePool;

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws);
    pool = aws.addPool({ name: 'customers' });
    web = aws.addClient(pool.poolId, { name: 'web' });
    backend = aws.addClient(pool.poolId, { name: 'backend', confidential: true });
    legacy = aws.addClient(pool.poolId, { name: 'legacy' });
    quiet = aws.addPool({ name: 'quiet' });
    aws.addClient(quiet.poolId, { name: 'quiet-app' });
    await harness.run();
    aws.published.length = 0;
  });

  /** Every kind of change the digest must carry, all in one pool. */
  function driftEverything(): { addedSecret: string; removedSecret: string; removedSecretDate: string } {
    aws.updateClient(pool.poolId, web.clientId, {
      CallbackURLs: ['https://app.example.com/callback', 'https://login.attacker.example.net/cb'],
      RefreshTokenValidity: 3650,
    });
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    aws.addClient(pool.poolId, { name: 'mobile' });
    aws.deleteClient(pool.poolId, legacy.clientId);
    const old = backend.secrets[0] as { id: string; createdAt: Date };
    const addedSecret = aws.addSecret(
      pool.poolId,
      backend.clientId,
      'rotated-value',
      new Date('2026-01-05T05:30:00.000Z'),
    );
    aws.removeSecret(pool.poolId, backend.clientId, old.id);
    return { addedSecret, removedSecret: old.id, removedSecretDate: old.createdAt.toISOString() };
  }

  it('sends one digest naming every change, the highest severity and the counts', async () => {
    const secrets = driftEverything();

    const result = await harness.run();

    expect(result.sent).toHaveLength(1);
    const [digest] = result.sent;
    const subject = digest?.Subject ?? '';
    expect(subject).toBe(`${PREFIX}HIGH drift: 7 changes in 1 pool`);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    const body = digest?.Message ?? '';
    for (const text of [
      'account 123456789012',
      'region us-east-1',
      `Pool customers (${pool.poolId})`,
      `Client web (${web.clientId})`,
      'https://login.attacker.example.net/cb',
      'RefreshTokenValidity: 30 -> 3650',
      'MfaConfiguration: ON -> OFF',
      'App client created: mobile',
      `App client deleted: legacy (${legacy.clientId})`,
      `Client backend (${backend.clientId})`,
      `Client secret added: id ${secrets.addedSecret}, created 2026-01-05T05:30:00.000Z`,
      `Client secret removed: id ${secrets.removedSecret}, created ${secrets.removedSecretDate}`,
      `AWS_REGION=us-east-1 npm run approve -- --pool ${pool.poolId} --bucket drift-baselines`,
    ]) {
      expect(body).toContain(text);
    }
    expect(body).not.toContain(quiet.poolId);
    expect(digest?.MessageAttributes?.severity?.StringValue).toBe('HIGH');
    expect(digest?.MessageAttributes?.kind?.StringValue).toBe('drift');
    const findings = result.pools.find((p) => p.poolId === pool.poolId)?.findings ?? [];
    expect(findings.map((f) => [f.kind, f.severity])).toEqual(
      expect.arrayContaining([
        ['list-changed', 'HIGH'],
        ['field-changed', 'HIGH'],
        ['client-added', 'HIGH'],
        ['client-removed', 'HIGH'],
        ['secret-added', 'HIGH'],
        ['secret-removed', 'HIGH'],
      ]),
    );
  });

  it('puts drift in several pools into the same single digest', async () => {
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    aws.updatePool(quiet.poolId, { UserPoolTags: { team: 'growth' } });

    const result = await harness.run();

    expect(result.sent).toHaveLength(1);
    expect(result.sent[0]?.Subject).toBe(`${PREFIX}HIGH drift: 2 changes in 2 pools`);
    expect(result.sent[0]?.Message).toContain(quiet.poolId);
  });

  it('stores the full report, and the snapshot an approval would accept', async () => {
    driftEverything();

    const result = await harness.run();

    expect(aws.bucket.keys('reports/')).toEqual([`reports/${result.runId}.json`]);
    expect(result.sent[0]?.Message).toContain(
      `Full JSON report: s3://drift-baselines/reports/${result.runId}.json`,
    );
    const snapshot = aws.bucket.readJson<SnapshotDoc>(`snapshots/${pool.poolId}.json`);
    expect(Object.keys(snapshot.pool?.clients ?? {})).not.toContain(legacy.clientId);
  });

  describe('once alerted', () => {
    let originalSecrets: FakeClient['secrets'];

    beforeEach(async () => {
      originalSecrets = [...backend.secrets];
      driftEverything();
      const alerted = await harness.run();
      expect(alerted.sent).toHaveLength(1);
    });

    it('is not sent again by the next run', async () => {
      const result = await harness.run();

      expect(result.sent).toEqual([]);
      expect(result.pools.find((p) => p.poolId === pool.poolId)?.findings).toHaveLength(7);
    });

    it('is sent again as a reminder once the reminder interval has passed', async () => {
      await harness.run();
      harness.clock.advance(23 * HOUR);

      const result = await harness.run();

      expect(result.sent).toHaveLength(1);
      expect(result.sent[0]?.Subject).toBe(`${PREFIX}Reminder: HIGH drift: 7 changes in 1 pool`);
      expect(result.sent[0]?.Message).toContain('reminder: unapproved since 2026-01-05T07:00:00.000Z');
      expect(result.sent[0]?.MessageAttributes?.kind?.StringValue).toBe('reminder');

      const next = await harness.run();
      expect(next.sent).toEqual([]);
    });

    it('is sent again at once when the drift itself changes', async () => {
      aws.updateClient(pool.poolId, web.clientId, { PreventUserExistenceErrors: 'LEGACY' });

      const result = await harness.run();

      expect(result.sent).toHaveLength(1);
      expect(result.sent[0]?.Subject).toBe(`${PREFIX}HIGH drift: 8 changes in 1 pool`);
      expect(result.sent[0]?.Message).toContain('drift changed since the last alert');
      expect(result.sent[0]?.Message).toContain('PreventUserExistenceErrors: ENABLED -> LEGACY');
    });

    it('sends one "Resolved" notice when the drift is reverted', async () => {
      aws.updatePool(pool.poolId, { MfaConfiguration: 'ON' });
      aws.updateClient(pool.poolId, web.clientId, {
        CallbackURLs: ['https://app.example.com/callback'],
        RefreshTokenValidity: 30,
      });
      for (const client of aws.pool(pool.poolId).clients.values())
        if (client.clientName === 'mobile') aws.deleteClient(pool.poolId, client.clientId);
      // Client ids are never reused: put the deleted client and the removed secret back as they were.
      aws.restoreClient(pool.poolId, legacy);
      aws.client(pool.poolId, backend.clientId).secrets = originalSecrets;

      const result = await harness.run();

      expect(result.sent).toHaveLength(1);
      expect(result.sent[0]?.Subject).toBe(`${PREFIX}Resolved: drift gone in 1 pool`);
      expect(result.sent[0]?.Message).toContain(`customers (${pool.poolId})`);
      expect((await harness.run()).sent).toEqual([]);
    });

    it('sends one "Resolved" notice when the current state is approved as the new baseline', async () => {
      await harness.approve(pool.poolId);

      const result = await harness.run();

      expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Resolved: drift gone in 1 pool`]);
      const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
      expect(state.pools[pool.poolId]?.drift).toBeUndefined();
      expect((await harness.run()).sent).toEqual([]);
    });
  });
});

describe('pools created and deleted', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;

  beforeEach(async () => {
    ({ aws, harness, pool } = await watchedAccount(addCustomers));
  });

  it('reports a deleted pool once, and resolves it when the deletion is approved', async () => {
    aws.deletePool(pool.poolId);

    const deleted = await harness.run();
    const again = await harness.run();
    await harness.approve(pool.poolId);
    const approved = await harness.run();

    expect(deleted.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(deleted.sent[0]?.Message).toContain(`Pool deleted: customers (${pool.poolId})`);
    expect(aws.bucket.readJson<SnapshotDoc>(`snapshots/${pool.poolId}.json`).pool).toBeNull();
    expect(again.sent).toEqual([]);
    expect(approved.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Resolved: drift gone in 1 pool`]);
    expect(approved.sent[0]?.Message).toContain(`customers (${pool.poolId})`);
    expect((await harness.run()).sent).toEqual([]);
  });

  it('reports a pool created after the first run until it is approved', async () => {
    const created = aws.addPool({ name: 'partners' });

    const first = await harness.run();
    await harness.approve(created.poolId);
    const approved = await harness.run();

    expect(first.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
    expect(first.sent[0]?.Message).toContain(`Pool created: partners (${created.poolId})`);
    expect(approved.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Resolved: drift gone in 1 pool`]);
    expect((await harness.run()).sent).toEqual([]);
  });
});
