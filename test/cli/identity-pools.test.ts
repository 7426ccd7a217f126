import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { BaselineDoc } from '../../lambda/core/documents.js';
import { fakeIo } from '../support/cli-harness.js';
import { TEST_DIGEST_KEY_SECRET_ARN } from '../support/digest-key.js';
import { ACCOUNT_ID, BUCKET, FakeAccount, REGION } from '../support/fake-aws.js';

const OPERATOR = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/operator/alice`;
const AUTH_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/identity-authenticated`;

/** Runs the CLI against the fake account's bucket, watching every surface. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo({ env: { SURFACES: 'all', DIGEST_KEY_SECRET_ARN: TEST_DIGEST_KEY_SECRET_ARN } });
  const code = await main([...args, '--bucket', BUCKET, '--region', REGION], io);
  return { code, out: io.out(), err: io.err() };
}

describe('identity pools on the command line', () => {
  let aws: FakeAccount;
  let sts: ReturnType<typeof mockClient>;
  let identityPoolId: string;
  let userPoolId: string;

  beforeEach(async () => {
    aws = new FakeAccount();
    sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT_ID, Arn: OPERATOR });
    const userPool = aws.addPool({ name: 'customers' });
    aws.addClient(userPool.poolId, { name: 'web' });
    userPoolId = userPool.poolId;
    identityPoolId = aws.addIdentityPool({ name: 'mobile-identities', roles: { authenticated: AUTH_ROLE } });
    expect((await cli(['check'])).code).toBe(0);
    aws.updateIdentityPool(identityPoolId, { allowUnauthenticated: true });
    const alerted = await cli(['check']);
    expect(alerted.code).toBe(2);
    expect(alerted.out).toContain(`npm run approve -- --pool ${identityPoolId} --bucket ${BUCKET}`);
  });

  afterEach(() => {
    sts.restore();
    aws.restore();
  });

  it('diff and diff --json show the identity pool drift', async () => {
    const text = await cli(['diff']);
    const json = await cli(['diff', '--json']);

    expect(text.code).toBe(2);
    expect(text.out).toContain(`mobile-identities (${identityPoolId})`);
    expect(text.out).toContain('AllowUnauthenticatedIdentities: false -> true');
    expect(json.code).toBe(2);
    const report = JSON.parse(json.out) as {
      drift: { poolId: string; findings: Record<string, unknown>[] }[];
    };
    expect(report.drift.map((d) => d.poolId)).toEqual([identityPoolId]);
    expect(report.drift[0]?.findings).toEqual([
      expect.objectContaining({
        path: 'AllowUnauthenticatedIdentities',
        before: false,
        after: true,
        severity: 'HIGH',
        rule: 'identity-pool-guest-or-classic-access',
      }),
    ]);
  });

  it('approve --pool <identityPoolId> accepts it, recording who; the next diff is clean', async () => {
    const approved = await cli(['approve', '--pool', identityPoolId, '--yes', '--reason', 'CHG-7 guests']);
    const after = await cli(['diff']);

    expect(approved.err).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.out).toContain('AllowUnauthenticatedIdentities: false -> true');
    expect(approved.out).toContain(
      `Approved mobile-identities (${identityPoolId}), 1 change as ${OPERATOR}.`,
    );
    const baseline = aws.bucket.readJson<BaselineDoc>(
      `baselines/${ACCOUNT_ID}/${REGION}/${identityPoolId}.json`,
    );
    expect(baseline).toMatchObject({ approvedBy: OPERATOR, reason: 'CHG-7 guests' });
    expect(baseline.pool?.config.AllowUnauthenticatedIdentities).toBe(true);
    expect(
      aws.bucket.readJson<BaselineDoc>(`baselines/${ACCOUNT_ID}/${REGION}/${userPoolId}.json`).approvedBy,
    ).toBe('cognito-drift (first run)');
    expect(after.code).toBe(0);
  });

  it('approving the identity pool leaves a user pool drift pending, and the other way round', async () => {
    aws.updatePool(userPoolId, { MfaConfiguration: 'OFF' });
    await cli(['check']);

    expect((await cli(['approve', '--pool', identityPoolId, '--yes'])).code).toBe(0);
    const pending = await cli(['diff']);

    expect(pending.code).toBe(2);
    expect(pending.out).toContain('MfaConfiguration: ON -> OFF');
    expect(pending.out).not.toContain(identityPoolId);
  });
});
