import { beforeEach, describe, expect, it } from 'vitest';
import {
  DetectorHarness,
  FakeAccount,
  type FakeClient,
  type FakePool,
  HOUR,
  PREFIX,
} from '../support/fake-aws.js';

/** The harness clock starts at 2026-01-05T06:00Z; the first run is then, each later one an hour on. */
const DAY = 24 * HOUR;

describe('secret hygiene (lifecycle of client secrets, by id and creation date)', () => {
  let aws: FakeAccount;
  let pool: FakePool;
  let partner: FakeClient;
  let originalId: string;

  beforeEach(() => {
    aws = new FakeAccount();
    pool = aws.addPool({ name: 'b2b' });
    // Created 2025-06-01 by the fake: about 218 days before the first run.
    partner = aws.addClient(pool.poolId, { name: 'partner-api', secretValue: 'first-secret' });
    originalId = partner.secrets[0]?.id ?? '';
  });

  it('reports "rotation not finished" when two secrets outlive rotationWindowDays, then only as a reminder', async () => {
    const harness = new DetectorHarness(aws, { secretPolicy: { rotationWindowDays: 7 } });
    const second = aws.addSecret(
      pool.poolId,
      partner.clientId,
      'second-secret',
      new Date('2025-12-20T06:00:00.000Z'),
    );
    await harness.run();

    const reported = await harness.run();
    const quiet = await harness.run();
    harness.clock.advance(DAY);
    const reminded = await harness.run();

    expect(reported.sent.map((m) => m.Subject)).toEqual([`${PREFIX}MEDIUM drift: 1 change in 1 pool`]);
    expect(reported.sent[0]?.Message).toContain(
      `  Client partner-api (${partner.clientId})\n    [MEDIUM] Secret rotation not finished: two or more secrets for 16 days (limit 7); newest id ${second}, created 2025-12-20T06:00:00.000Z`,
    );
    expect(quiet.sent).toEqual([]);
    expect(quiet.pools[0]?.findings.map((f) => f.kind)).toEqual(['secret-lifecycle']);
    expect(reminded.sent.map((m) => m.Subject)).toEqual([
      `${PREFIX}Reminder: MEDIUM drift: 1 change in 1 pool`,
    ]);
    for (const run of [reported, reminded]) {
      expect(run.sent[0]?.Message).not.toContain('first-secret');
      expect(run.sent[0]?.Message).not.toContain('second-secret');
    }
  });

  it('does not report a rotation still inside the window, nor a single old secret without a maximum age', async () => {
    const harness = new DetectorHarness(aws, { secretPolicy: { rotationWindowDays: 7 } });
    aws.addSecret(pool.poolId, partner.clientId, 'second-secret', new Date('2026-01-01T06:00:00.000Z'));
    await harness.run();

    const inside = await harness.run();
    aws.removeSecret(pool.poolId, partner.clientId, originalId);
    // The removal is recorded (and alerted as drift), then approved.
    await harness.run();
    await harness.approve(pool.poolId);
    harness.clock.advance(30 * DAY);
    const single = await harness.run();

    expect(inside.sent).toEqual([]);
    expect(inside.pools[0]?.findings).toEqual([]);
    expect(single.pools[0]?.findings.filter((f) => f.kind === 'secret-lifecycle')).toEqual([]);
  });

  it('reports a secret older than maxSecretAgeDays; replacing it resolves the finding', async () => {
    const harness = new DetectorHarness(aws, {
      secretPolicy: { rotationWindowDays: 7, maxSecretAgeDays: 90 },
    });
    await harness.run();

    const old = await harness.run();
    const created = partner.secrets[0]?.createdAt.toISOString();
    const fresh = aws.addSecret(
      pool.poolId,
      partner.clientId,
      'new-secret',
      new Date('2026-01-05T06:30:00.000Z'),
    );
    aws.removeSecret(pool.poolId, partner.clientId, originalId);
    await harness.run();
    await harness.approve(pool.poolId);
    const resolved = await harness.run();

    expect(old.sent.map((m) => m.Subject)).toEqual([`${PREFIX}MEDIUM drift: 1 change in 1 pool`]);
    expect(old.sent[0]?.Message).toMatch(
      new RegExp(
        `\\[MEDIUM\\] Client secret older than 90 days: id ${originalId}, created ${created?.replace(/\./g, '\\.')} \\(2\\d\\d days ago\\)`,
      ),
    );
    expect(fresh).not.toBe(originalId);
    expect(resolved.pools[0]?.findings).toEqual([]);
    expect(resolved.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Resolved: drift gone in 1 pool`]);
  });

  it('reports neither without a secret policy', async () => {
    const harness = new DetectorHarness(aws);
    aws.addSecret(pool.poolId, partner.clientId, 'second-secret', new Date('2025-12-01T06:00:00.000Z'));
    await harness.run();

    const result = await harness.run();

    expect(result.sent).toEqual([]);
  });
});
