import { DescribeIdentityProviderCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { fakeIo } from '../support/cli-harness.js';
import { TEST_DIGEST_KEY_SECRET_ARN } from '../support/digest-key.js';
import { ACCOUNT_ID, BUCKET, DetectorHarness, FakeAccount, REGION, serialize } from '../support/fake-aws.js';

/** One canary per credential-like field the new surfaces carry, and their rotated values. */
const CANARY = {
  oidcSecret: 'CANARY-OIDC-CLIENT-SECRET-7f3a9c',
  googleSecret: 'CANARY-GOOGLE-CLIENT-SECRET-2b8e1d',
  applePrivateKey: '-----BEGIN PRIVATE KEY-----CANARY-APPLE-KEY-5c4d3e-----END PRIVATE KEY-----',
  rotatedOidc: 'CANARY-ROTATED-OIDC-SECRET-9a8b7c',
  backdoorSecret: 'CANARY-BACKDOOR-SECRET-1e2f3a',
};
const FRAGMENT = 'CANARY-';

describe('secrets the new surfaces carry (IdP client_secret, Apple private_key)', () => {
  let aws: FakeAccount | undefined;
  afterEach(() => aws?.restore());

  it('reach no S3 object, SNS message, log line, error, report or CLI output, though they were read', async () => {
    aws = new FakeAccount();
    const sts = mockClient(STSClient)
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT_ID, Arn: 'me' });
    const harness = new DetectorHarness(aws, { poolConcurrency: 1 }, SURFACE_NAMES);
    const pool = aws.addPool({
      name: 'customers',
      identityProviders: [
        {
          name: 'Okta',
          type: 'OIDC',
          details: {
            client_id: 'okta',
            client_secret: CANARY.oidcSecret,
            oidc_issuer: 'https://okta.example.com',
            authorize_scopes: 'openid',
            attributes_request_method: 'GET',
          },
        },
        {
          name: 'Google',
          type: 'Google',
          details: { client_id: 'g', client_secret: CANARY.googleSecret, authorize_scopes: 'openid' },
        },
        {
          name: 'SignInWithApple',
          type: 'SignInWithApple',
          details: {
            client_id: 'com.example',
            team_id: 'T',
            key_id: 'K',
            private_key: CANARY.applePrivateKey,
          },
        },
      ],
      groups: [{ name: 'admins' }],
    });
    aws.addClient(pool.poolId, { name: 'web' });
    aws.addPool({ name: 'staff' });
    const errors: unknown[] = [];

    // First run: baselines, snapshots, the notice.
    await harness.run();
    // The secret rotated, a back door added with its own secret: digest, report, snapshot.
    aws.updateIdentityProvider(pool.poolId, 'Okta', { details: { client_secret: CANARY.rotatedOidc } });
    aws.addIdentityProvider(pool.poolId, {
      name: 'Backdoor',
      type: 'OIDC',
      details: { client_id: 'x', client_secret: CANARY.backdoorSecret, oidc_issuer: 'https://evil.example' },
    });
    const drift = await harness.run();
    expect(drift.sent.some((m) => m.Message?.includes('secret changed (value not shown)'))).toBe(true);
    // A surface failing after the providers (and their secrets) were read: a read problem is recorded.
    aws.fail('ListGroups', { poolId: pool.poolId, error: 'InternalErrorException', times: 1 });
    const incomplete = await harness.run();
    expect(incomplete.readProblems.map((p) => p.what)).toEqual([
      `ListGroups on pool customers (${pool.poolId})`,
    ]);
    // A publish that fails: the run rejects with an error.
    aws.updateIdentityProvider(pool.poolId, 'Google', {
      details: { client_secret: `${CANARY.googleSecret}-2` },
    });
    aws.fail('Publish', { error: 'InternalError', times: 1 });
    await harness.run().catch((error: unknown) => errors.push(error));
    // The failed invocation released its run: the next one finishes it and sends the alert again.
    await harness.run();
    // A run cut short by time, then resumed.
    aws.updateIdentityProvider(pool.poolId, 'SignInWithApple', {
      details: { private_key: `${CANARY.applePrivateKey}2` },
    });
    let calls = 0;
    const cut = await harness.run({ remainingTimeMs: () => (calls++ < 2 ? 900_000 : 0) });
    await harness.run();
    // The CLI over the same account: check (alerts on stdout), --json, diff.
    const cli: string[] = [];
    for (const args of [['check'], ['check', '--json'], ['diff'], ['diff', '--json', '--verbose']]) {
      const io = fakeIo({
        env: { AWS_REGION: REGION, SURFACES: 'all', DIGEST_KEY_SECRET_ARN: TEST_DIGEST_KEY_SECRET_ARN },
      });
      aws.updateIdentityProvider(pool.poolId, 'Okta', {
        details: { client_secret: `${CANARY.rotatedOidc}${args.length}` },
      });
      const code = await main([...args, '--bucket', BUCKET, '--region', REGION], io);
      cli.push(`${code}\n${io.out()}\n${io.err()}`);
    }
    sts.restore();

    // It was read: DescribeIdentityProvider handed every canary to the reader.
    const answered = await Promise.all(
      aws.cognito.commandCalls(DescribeIdentityProviderCommand).map((call) => call.returnValue),
    );
    const served = serialize(answered);
    for (const value of Object.values(CANARY)) expect(served).toContain(value);
    expect(errors).toHaveLength(1);
    expect(cut.done).toBe(false);
    expect(cli.join('\n')).toContain('ProviderDetails.client_secret: secret changed (value not shown)');

    const everything = [
      ...aws.bucket.allBodies().map((o) => `${o.key}\n${o.body}`),
      ...aws.published.map((m) => serialize(m)),
      harness.logger.text(),
      ...errors.map((e) => `${serialize(e)}\n${String(e)}`),
      ...cli,
    ];
    expect(aws.bucket.keys('reports/').length).toBeGreaterThan(0);
    for (const text of everything) expect(text).not.toContain(FRAGMENT);
  });
});
