import { describe, expect, it } from 'vitest';
import { parseIgnoreRules } from '../../lambda/core/ignore.js';
import { resolveDetectorSettings } from '../../lib/config.js';
import { DetectorHarness, FakeAccount } from '../support/fake-aws.js';

/**
 * Ignore rules match by id, or by the approved name and the current name together: a name is
 * whatever someone set it to, so renaming a resource into a rule must not hide its drift.
 */

const rules = { fields: [], pools: ['sandbox-*'], clients: ['load-test-*'] };

function kindsAndSeverities(result: Awaited<ReturnType<DetectorHarness['run']>>) {
  return result.pools.flatMap((p) => p.findings.map((f) => [f.kind, f.severity]));
}

describe('a resource renamed into an ignore rule', () => {
  it('client: its new callback and implicit grant are reported, and so is the rename, HIGH', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { ignore: rules });
    const pool = aws.addPool({ name: 'customers' });
    const web = aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();

    const client = aws.client(pool.poolId, web.clientId);
    client.clientName = 'load-test-web';
    aws.updateClient(pool.poolId, web.clientId, {
      CallbackURLs: ['https://app.example.com/callback', 'https://attacker.example.net/cb'],
      AllowedOAuthFlows: ['code', 'implicit'],
    });
    const result = await harness.run();

    const findings = result.pools.flatMap((p) => p.findings);
    expect(findings).toContainEqual(
      expect.objectContaining({
        kind: 'now-ignored',
        severity: 'HIGH',
        rule: 'renamed-into-ignore-rule',
        clientId: web.clientId,
        previousName: 'web',
      }),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({ kind: 'list-changed', path: 'CallbackURLs', severity: 'HIGH' }),
    );
    const body = result.sent[0]?.Message ?? '';
    expect(body).toContain(
      'App client now hidden by ignore rule "clients: load-test-*": renamed web -> load-test-web; its changes are still reported',
    );
    expect(body).toContain('https://attacker.example.net/cb');
  });

  it('pool: MFA turned off is reported with the rename, never as a removed pool', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { ignore: rules });
    const pool = aws.addPool({ name: 'customers' });
    await harness.run();

    aws.pool(pool.poolId).poolName = 'sandbox-customers';
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const result = await harness.run();

    expect(kindsAndSeverities(result)).toEqual([
      ['now-ignored', 'HIGH'],
      ['field-changed', 'HIGH'],
    ]);
    expect(result.sent[0]?.Message).toContain(
      'Pool now hidden by ignore rule "pools: sandbox-*": renamed customers -> sandbox-customers',
    );
  });

  it('still ignores what was approved under a matching name, and what is created under one', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const sandbox = aws.addPool({ name: 'sandbox-1' });
    const pool = aws.addPool({ name: 'customers' });
    const load = aws.addClient(pool.poolId, { name: 'load-test-1' });
    await harness.run();

    aws.updatePool(sandbox.poolId, { MfaConfiguration: 'OFF' });
    aws.updateClient(pool.poolId, load.clientId, { RefreshTokenValidity: 3650 });
    aws.addClient(pool.poolId, { name: 'load-test-2' });
    const result = await harness.run({ ignore: rules });

    expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(result.pools.map((p) => p.poolId)).toEqual([pool.poolId]);
    expect(result.sent).toEqual([]);
  });
});

describe('a rule that would hide everything', () => {
  it.each([
    ['pools', { pools: ['*'] }],
    ['pools', { pools: ['**'] }],
    ['clients', { clients: ['*'] }],
    ['fields', { fields: ['**'] }],
    ['fields', { fields: ['pool.**'] }],
    ['fields', { fields: ['*.*'] }],
  ])('is refused when the rules are read (%s: %j)', (key, raw) => {
    expect(() => parseIgnoreRules(JSON.stringify(raw), 'IGNORE_RULES')).toThrow(
      new RegExp(`IGNORE_RULES: ${key}\\.0: matches every`),
    );
  });

  it('is refused at synth', () => {
    expect(() =>
      resolveDetectorSettings({ alertEmails: ['a@example.com'], ignoreRules: { pools: ['*'] } }),
    ).toThrow(/ignoreRules.*pools\.0: matches every pool/);
  });

  it('that hides every pool in the account is reported every run as "0 pools watched"', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { ignore: { fields: [], pools: ['team-*'], clients: [] } });
    aws.addPool({ name: 'team-a' });
    aws.addPool({ name: 'team-b' });

    const first = await harness.run();
    const second = await harness.run({ reminderIntervalMs: 0 });

    for (const result of [first, second]) {
      expect(result.readProblems).toEqual([
        {
          what: 'Ignore rules',
          reason: expect.stringContaining('all 2 pools of the account match an ignore rule'),
        },
      ]);
      expect(result.sent.map((m) => m.MessageAttributes?.kind?.StringValue)).toContain('scan-incomplete');
    }
  });
});
