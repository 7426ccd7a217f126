import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetPolicyCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { CognitoReader } from '../../../lambda/adapters/cognito-reader.js';
import type { SendingClient } from '../../../lambda/adapters/surface-reads.js';
import { ManualClock } from '../../support/manual-timer-clock.js';
import { type AdmittedCall, timedClient } from '../../support/timed-clients.js';

const SHARE = 0.5;
const answering = { send: async () => ({}) };

/**
 * Sends 100 GetRole and 100 GetPolicy at once through a reader's clients and counts what its pacing
 * admits in the first 4 simulated seconds (a manual clock: no call is answered late or early).
 */
async function admittedIn4s(accountTargets?: number): Promise<{ iam: number; lambda: number }> {
  const clock = new ManualClock();
  const admitted: AdmittedCall[] = [];
  const client = (latencyMs = 0) => timedClient(answering, clock, latencyMs, admitted);
  const iam = client() as SendingClient;
  const lambda = client() as SendingClient;
  new CognitoReader({
    client: client() as CognitoIdentityProviderClient,
    iamClient: iam,
    lambdaClient: lambda,
    quotaShare: SHARE,
    clock,
    ...(accountTargets === undefined ? {} : { accountTargets }),
  });
  for (let i = 0; i < 100; i++) {
    void iam.send(new GetRoleCommand({ RoleName: `role-${i}` }));
    void lambda.send(new GetPolicyCommand({ FunctionName: `fn-${i}` }));
  }
  await clock.runUntil(3999);
  return {
    iam: admitted.filter((c) => c.operation === 'GetRole').length,
    lambda: admitted.filter((c) => c.operation === 'GetPolicy').length,
  };
}

describe('CognitoReader: an account-scoped rate divided among the account’s targets', () => {
  it("paces IAM (the account's rate) at a quarter when the account has 4 targets in the run, and Lambda (regional) as before", async () => {
    const alone = await admittedIn4s();
    const oneOfFour = await admittedIn4s(4);

    // IAM.Read: 10/s × 0.5 = 5/s alone (0, 200, ..., 3800 ms); 1.25/s as one of 4 (0, 800, ..., 3200).
    expect(alone.iam).toBe(20);
    expect(oneOfFour.iam).toBe(5);
    // Lambda.GetPolicy is per Region: 15/s × 0.5 = 7.5/s either way.
    expect(alone.lambda).toBe(30);
    expect(oneOfFour.lambda).toBe(alone.lambda);
  });

  it('takes 1 for a missing count (a single-target deployment) and refuses a count below 1', async () => {
    expect(await admittedIn4s(1)).toEqual(await admittedIn4s());
    expect(
      () =>
        new CognitoReader({ client: {} as CognitoIdentityProviderClient, quotaShare: 1, accountTargets: 0 }),
    ).toThrow(/accountTargets must be a whole number >= 1, got 0/);
  });
});
