import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { CLIENT_WEB, fakeAws, fakeIo, POOL_A, POOL_B, REGION } from '../support/cli-harness.js';
import { POSTURE_CLEAN_POOL } from '../support/posture-pools.js';

/**
 * `cognito-drift posture` on pools seeded with risky settings: each listed by its control id, the
 * exit code telling CI, accepted ones listed as accepted (with their reason) and not failing it.
 */

const aws = fakeAws();
const ARGS = ['posture', '--region', REGION, '--surfaces', 'none'];

/** Passes every control the command can judge without surfaces. */
const CLEAN = POSTURE_CLEAN_POOL;
/** The same, with deletion protection and MFA off: three controls fail. */
const RISKY: UserPoolType = { ...CLEAN, DeletionProtection: 'INACTIVE', MfaConfiguration: 'OFF' };
const WEB = {
  ClientId: CLIENT_WEB,
  ClientName: 'web',
  PreventUserExistenceErrors: 'ENABLED' as const,
  EnableTokenRevocation: true,
};

let dir: string;
beforeEach(async () => {
  aws.reset();
  dir = await mkdtemp(join(tmpdir(), 'posture-'));
  return () => rm(dir, { recursive: true, force: true });
});
afterAll(() => aws.restore());

async function ignoreFile(rules: unknown): Promise<string> {
  const path = join(dir, 'ignore.json');
  await writeFile(path, JSON.stringify(rules));
  return path;
}

describe('cognito-drift posture', () => {
  it('lists each risky setting by control id and exits 2', async () => {
    aws.cognito.addPool(POOL_A, RISKY, [WEB]);
    aws.cognito.addPool(POOL_B, CLEAN);
    const io = fakeIo();

    const code = await main(ARGS, io);

    expect(code).toBe(2);
    const out = io.out();
    expect(out).toContain('3 risky settings in 1 pool of account');
    expect(out).toContain('Cognito.5 [MEDIUM] MFA should be enabled for Cognito user pools');
    expect(out).toContain(
      `RISKY pool pool-aaaa1 (${POOL_A}): MFA is off on a password-only pool (MfaConfiguration OFF)`,
    );
    expect(out).toContain(
      'Cognito.6 (also cognito_user_pool_deletion_protection_enabled) [MEDIUM] Cognito user pools should have deletion protection enabled',
    );
    expect(out).toContain(
      `RISKY pool pool-aaaa1 (${POOL_A}): deletion protection is off (DeletionProtection INACTIVE)`,
    );
    expect(out).toContain(`RISKY pool pool-aaaa1 (${POOL_A}): MFA is not required (MfaConfiguration OFF)`);
    expect(out).not.toContain(POOL_B);
  });

  it('exits 0 on pools that pass every control', async () => {
    aws.cognito.addPool(POOL_B, CLEAN, [WEB]);
    const io = fakeIo();

    expect(await main(ARGS, io)).toBe(0);
    expect(io.out()).toContain('No risky setting left unaccepted in 1 pool of account');
  });

  it('lists an accepted finding as accepted with its reason (by a twin id too); exits 0 once all are', async () => {
    aws.cognito.addPool(POOL_A, RISKY, [WEB]);
    const some = await ignoreFile({
      posture: [
        {
          control: 'cognito_user_pool_deletion_protection_enabled',
          resource: POOL_A,
          reason: 'CHG-7 torn down nightly',
        },
      ],
    });
    const io = fakeIo();

    expect(await main([...ARGS, '--ignore-file', some], io)).toBe(2);
    expect(io.out()).toContain(`ACCEPTED pool pool-aaaa1 (${POOL_A}): deletion protection is off`);
    expect(io.out()).toContain('reason: CHG-7 torn down nightly');
    expect(io.out()).toContain('2 risky settings in 1 pool of account');
    expect(io.out()).toContain('(1 accepted)');

    const all = await ignoreFile({
      fields: [],
      posture: [
        { control: 'Cognito.6', resource: POOL_A, reason: 'sandbox' },
        { control: 'Cognito.5', resource: 'us-east-1_*', reason: 'passkeys planned' },
        { control: 'cognito_user_pool_mfa_enabled', resource: POOL_A, reason: 'passkeys planned' },
      ],
    });
    expect(await main([...ARGS, '--ignore-file', all], fakeIo())).toBe(0);
  });

  it('prints JSON with every finding and the accepted ones marked', async () => {
    aws.cognito.addPool(POOL_A, RISKY, [{ ...WEB, EnableTokenRevocation: false }]);
    const file = await ignoreFile({
      posture: [{ control: 'Cognito.6', resource: POOL_A, reason: 'sandbox' }],
    });
    const io = fakeIo();

    expect(await main([...ARGS, '--json', '--ignore-file', file], io)).toBe(2);
    const report = JSON.parse(io.out());
    const rows = report.findings.map((f: { control: string; resource: string; accepted?: string }) => [
      f.control,
      f.resource,
      f.accepted ?? null,
    ]);
    expect(rows).toEqual([
      ['Cognito.5', POOL_A, null],
      ['Cognito.6', POOL_A, 'sandbox'],
      ['cognito_user_pool_client_token_revocation_enabled', `${POOL_A}/${CLIENT_WEB}`, null],
      ['cognito_user_pool_mfa_enabled', POOL_A, null],
    ]);
    expect(report.risky).toBe(3);
    expect(report.accepted).toBe(1);
  });

  it('escapes control characters in a pool name', async () => {
    const pool = aws.cognito.addPool(POOL_A, RISKY);
    pool.poolName = 'evil\n[LOW] all fine\u001b[2J';
    const io = fakeIo();

    expect(await main(ARGS, io)).toBe(2);
    expect(io.out()).toContain('pool evil\\x0a[LOW] all fine\\x1b[2J');
    expect(io.out()).not.toContain('\u001b[2J');
  });

  it('prints no client secret or identity-provider secret, though both were read', async () => {
    const clientSecret = 'PLANTED-CLIENT-SECRET-0123456789';
    const idpSecret = 'PLANTED-IDP-SECRET-9876543210';
    aws.account.addPool({
      poolId: POOL_A,
      name: 'customers',
      config: RISKY,
      identityProviders: [
        {
          name: 'Okta',
          type: 'OIDC',
          details: {
            client_id: 'okta',
            client_secret: idpSecret,
            oidc_issuer: 'https://okta.example.com',
            authorize_scopes: 'openid',
            attributes_request_method: 'GET',
          },
        },
      ],
    });
    const client = aws.account.addClient(POOL_A, { name: 'server', secretValue: clientSecret });
    const text = fakeIo();
    const json = fakeIo();

    expect(await main(['posture', '--region', REGION, '--surfaces', 'all'], text)).toBe(2);
    expect(await main(['posture', '--region', REGION, '--surfaces', 'all', '--json'], json)).toBe(2);

    // The secrets were there to leak: the client and the provider were described with their values.
    expect(aws.cognito.mock).toHaveReceivedCommandWith(DescribeUserPoolClientCommand, {
      UserPoolId: POOL_A,
      ClientId: client.clientId,
    });
    expect(aws.cognito.mock).toHaveReceivedCommandWith(DescribeIdentityProviderCommand, {
      UserPoolId: POOL_A,
      ProviderName: 'Okta',
    });
    expect(client.secretValue).toBe(clientSecret);
    const printed = [text.out(), text.err(), json.out(), json.err()].join('\n');
    expect(printed).toContain('Cognito.6');
    expect(printed).not.toContain(clientSecret);
    expect(printed).not.toContain(idpSecret);
  });

  it('exits 1 when a pool could not be read, even with risky settings elsewhere: its posture is unknown', async () => {
    aws.cognito.addPool(POOL_A, RISKY);
    aws.cognito.addPool(POOL_B, CLEAN);
    aws.account.fail('DescribeUserPool', { poolId: POOL_B, error: 'AccessDeniedException' });
    const io = fakeIo();

    expect(await main(ARGS, io)).toBe(1);
    expect(io.out()).toContain(`RISKY pool pool-aaaa1 (${POOL_A}): deletion protection is off`);
    expect(io.err()).toContain(`could not read Pool pool-bbbb2 (${POOL_B}): AccessDeniedException`);
  });

  it('refuses an accept rule without a reason, naming the file', async () => {
    aws.cognito.addPool(POOL_A, RISKY);
    const file = await ignoreFile({ posture: [{ control: 'Cognito.6', resource: POOL_A, reason: ' ' }] });
    const io = fakeIo();

    expect(await main([...ARGS, '--ignore-file', file], io)).toBe(1);
    expect(io.err()).toContain(`${file}: posture.0.reason: is empty: say why the risk is accepted`);
  });
});
