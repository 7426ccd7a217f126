import { describe, expect, it } from 'vitest';
import type { SnapshotDoc } from '../../lambda/core/documents.js';
import { DetectorHarness, FakeAccount, serialize } from '../support/fake-aws.js';

const PLANTED = 'SUPER-SECRET-VALUE-1234567890';
const ROTATED = 'SUPER-SECRET-VALUE-ROTATED-0987654321';

describe('client secrets', () => {
  it('reports a rotation by secret id and creation date', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'b2b' });
    const client = aws.addClient(pool.poolId, { name: 'partner-api', secretValue: PLANTED });
    const original = client.secrets[0] as { id: string; createdAt: Date };
    await harness.run();

    const added = aws.addSecret(pool.poolId, client.clientId, ROTATED, new Date('2026-01-05T06:30:00.000Z'));
    const addedRun = await harness.run();
    aws.removeSecret(pool.poolId, client.clientId, original.id);
    const removedRun = await harness.run();

    expect(addedRun.sent[0]?.Message).toContain(
      `Client secret added: id ${added}, created 2026-01-05T06:30:00.000Z`,
    );
    expect(removedRun.sent[0]?.Message).toContain(
      `Client secret removed: id ${original.id}, created ${original.createdAt.toISOString()}`,
    );
    const snapshot = aws.bucket.readJson<SnapshotDoc>(`snapshots/${pool.poolId}.json`);
    expect(snapshot.pool?.clients[client.clientId]?.secrets).toEqual({
      [added]: { createdAt: '2026-01-05T06:30:00.000Z' },
    });
  });

  it('never lets a secret value reach S3, SNS, the log or an error', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { poolConcurrency: 1 });
    const pool = aws.addPool({ name: 'b2b' });
    const client = aws.addClient(pool.poolId, { name: 'partner-api', secretValue: PLANTED });
    const other = aws.addClient(pool.poolId, { name: 'reporting', secretValue: PLANTED });
    aws.addPool({ name: 'second' });
    const errors: unknown[] = [];

    // First run: baselines, snapshots, the "recorded" notice.
    await harness.run();
    // Rotation and other drift: digest, report, snapshot.
    aws.addSecret(pool.poolId, client.clientId, ROTATED);
    aws.updateClient(pool.poolId, client.clientId, { AccessTokenValidity: 1440 });
    await harness.run();
    // A client whose secrets cannot be listed after its value was read: an error reason is recorded.
    aws.fail('ListUserPoolClientSecrets', {
      clientId: other.clientId,
      error: 'InternalErrorException',
      times: 1,
    });
    const incomplete = await harness.run();
    expect(incomplete.readProblems).toHaveLength(1);
    // A failed publish: the run rejects with an error that is logged and rethrown.
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OPTIONAL' });
    aws.fail('Publish', { error: 'InternalError', times: 1 });
    await harness.run().catch((error: unknown) => errors.push(error));
    // The next run resumes the released run and sends the alert, so the run below starts afresh.
    await harness.run();
    // A run cut short by time: the run document holds every outcome so far.
    aws.updateClient(pool.poolId, other.clientId, { IdTokenValidity: 1440 });
    let calls = 0;
    const cut = await harness.run({ remainingTimeMs: () => (calls++ < 2 ? 900_000 : 0) });
    const resumed = await harness.run();

    expect(cut.done).toBe(false);
    expect(resumed.done).toBe(true);

    expect(errors).toHaveLength(1);
    expect(aws.published.length).toBeGreaterThanOrEqual(3);
    const everything = [
      ...aws.bucket.allBodies().map((o) => `${o.key}\n${o.body}`),
      ...aws.published.map((m) => serialize(m)),
      harness.logger.text(),
      ...errors.map((e) => serialize(e)),
      ...errors.map((e) => String(e)),
    ];
    expect(aws.bucket.allBodies().length).toBeGreaterThan(10);
    for (const text of everything) {
      expect(text).not.toContain(PLANTED);
      expect(text).not.toContain(ROTATED);
      expect(text).not.toContain('SUPER-SECRET');
    }
  });
});
