import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { DetectorHarness, FakeAccount, HOUR } from '../support/fake-aws.js';
import { POSTURE_CLEAN_POOL } from '../support/posture-pools.js';

/**
 * Posture in the Lambda run: the first "Baseline recorded" notice counts the risky settings it
 * recorded; a change, a new client or a new identity pool that makes a setting risky gets a
 * "Posture" section in its drift alert (only what is newly risky); an accepted finding is listed in
 * the run's result as accepted and never sent.
 */

/** Passes every control that can be judged without surfaces, except deletion protection. */
const MOSTLY_CLEAN: UserPoolType = { ...POSTURE_CLEAN_POOL, DeletionProtection: 'INACTIVE' };

function setUp(options: ConstructorParameters<typeof DetectorHarness>[1] = {}, surfaces: string[] = []) {
  const aws = new FakeAccount();
  const harness = new DetectorHarness(aws, options, surfaces);
  const pool = aws.addPool({ name: 'customers', config: MOSTLY_CLEAN });
  return { aws, harness, pool };
}

describe('posture in the Lambda run', () => {
  it('summarizes the risky settings in the first "Baseline recorded" notice', async () => {
    const { harness } = setUp();

    const first = await harness.run();

    expect(first.sent).toHaveLength(1);
    const body = first.sent[0]?.Message ?? '';
    expect(first.sent[0]?.Subject).toBe(
      '[cognito-drift 123456789012/us-east-1] Baseline recorded: watching 1 pool, 0 clients',
    );
    expect(body).toContain('Posture: 1 risky setting in 1 pool, by public control (see docs/posture.md):');
    expect(body).toContain(
      '  - [MEDIUM] Cognito.6 x1: Cognito user pools should have deletion protection enabled',
    );
    expect(body).toContain('Recording a baseline does not approve them');
  });

  it('alerts what a change made risky in a "Posture" section, not what the baseline already had', async () => {
    const { aws, harness, pool } = setUp();
    await harness.run();

    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const result = await harness.run();

    const body = result.sent[0]?.Message ?? '';
    expect(body).toContain('  Posture: 2 settings now risky by a public control (see docs/posture.md):');
    expect(body).toContain(
      '    [MEDIUM] Cognito.5: MFA is off on a password-only pool (MfaConfiguration OFF)\n        MFA should be enabled for Cognito user pools',
    );
    expect(body).toContain(
      '    [MEDIUM] cognito_user_pool_mfa_enabled: MFA is not required (MfaConfiguration OFF)',
    );
    expect(body).not.toContain('Cognito.6');
    // Not every run: the next run, an hour later with nothing changed, sends nothing.
    expect((await harness.run()).sent).toEqual([]);
  });

  it('alerts a new client that is risky, naming the client', async () => {
    const { aws, harness, pool } = setUp();
    await harness.run();

    const client = aws.addClient(pool.poolId, {
      name: 'legacy',
      config: { PreventUserExistenceErrors: 'LEGACY', EnableTokenRevocation: true },
    });
    const body = (await harness.run()).sent[0]?.Message ?? '';

    expect(body).toContain(
      `    [MEDIUM] cognito_user_pool_client_prevent_user_existence_errors: client legacy (${client.clientId}): sign-in errors reveal whether a user exists (PreventUserExistenceErrors LEGACY)`,
    );
  });

  it('alerts a new identity pool with guest access as Cognito.2', async () => {
    const { aws, harness } = setUp({}, ['identityPools']);
    await harness.run();

    aws.addIdentityPool({ name: 'partner-guests', allowUnauthenticated: true });
    const body = (await harness.run()).sent[0]?.Message ?? '';

    expect(body).toContain(
      '    [MEDIUM] Cognito.2 (also cognito_identity_pool_guest_access_disabled): guest access is on (AllowUnauthenticatedIdentities true)',
    );
  });

  it('lists an accepted finding as accepted in the result and does not send it, then or in a reminder', async () => {
    const accept = {
      fields: [],
      pools: [],
      clients: [],
      posture: [{ control: 'Cognito.5', resource: 'us-east-1_*', reason: 'passkeys only from Q3' }],
    };
    const { aws, harness, pool } = setUp();
    await harness.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });

    const alerted = await harness.run();
    expect(alerted.sent[0]?.Message).toContain('Cognito.5: MFA is off');

    // Accepted after the alert: the reminder a day later no longer carries it.
    harness.period = 25 * HOUR;
    const reminder = await harness.run({ ignore: accept });

    const body = reminder.sent[0]?.Message ?? '';
    expect(reminder.sent[0]?.Subject).toContain('Reminder:');
    expect(body).toContain('Posture: 1 setting now risky');
    expect(body).toContain('cognito_user_pool_mfa_enabled');
    expect(body).not.toContain('Cognito.5');
    const posture = reminder.pools.flatMap((p) => p.posture ?? []);
    expect(posture.map((f) => [f.control, f.accepted ?? null])).toEqual([
      ['Cognito.5', 'passkeys only from Q3'],
      ['cognito_user_pool_mfa_enabled', null],
    ]);
  });

  it('reports an accept rule that matched nothing, as it does a typo in the other rules', async () => {
    const { harness } = setUp({
      ignore: {
        fields: [],
        pools: [],
        clients: [],
        posture: [{ control: 'Cognito.5', resource: 'us-east-1_nope', reason: 'typo' }],
      },
    });

    const result = await harness.run();

    expect(result.unmatchedIgnoreRules).toEqual(['posture: Cognito.5 on us-east-1_nope']);
  });
});
