import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUOTAS } from '../../lambda/adapters/quotas.js';
import { CognitoStandin } from './cognito-standin.js';

const IAM_RPS = QUOTAS['IAM.Read'].rps;
const LAMBDA_RPS = QUOTAS['Lambda.GetPolicy'].rps;

/** Sends `n` calls one after the other and counts the answers that were not throttles. */
async function admitted(n: number, send: () => Promise<unknown>): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) {
    try {
      await send();
      count += 1;
    } catch (error) {
      // Not found is an admitted call (the quota gate let it through); only a throttle is not.
      const name = (error as { name?: string }).name ?? '';
      if (!['Throttling', 'TooManyRequestsException'].includes(name)) count += 1;
    }
  }
  return count;
}

/**
 * IAM is global: its rate is the account's, shared by every Region (`scope: 'account'` in
 * `lambda/adapters/quotas.ts`). The stand-in keeps one IAM bucket per account for all of that
 * account's (account, region) targets, and a regional category's bucket per target. Its clock stands
 * still (the `now` option), so every count below is exact.
 */
describe('CognitoStandin: an account-scoped category is one bucket per account', () => {
  let standin: CognitoStandin;
  let nowMs = 0;
  const clients: { destroy(): void }[] = [];
  const iam = (region: string) => {
    const client = new IAMClient(standin.clientConfig({ region }));
    clients.push(client);
    return client;
  };
  const lambda = (region: string) => {
    const client = new LambdaClient(standin.clientConfig({ region }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0, burstSeconds: 1, now: () => nowMs });
    // The default account's second Region: its own target, on the same port.
    standin.target(standin.accountId, 'us-west-2');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await standin?.stop();
  });

  it("two Regions of one account share IAM's bucket, and each keeps its own regional ones", async () => {
    const east = standin;
    const west = standin.target(standin.accountId, 'us-west-2');
    east.resetQuotas();
    west.resetQuotas();
    east.resetStats();
    west.resetStats();
    const role = new GetRoleCommand({ RoleName: 'absent' });

    // A full bucket is one second of the account's rate: us-east-1 takes all of it.
    expect(await admitted(IAM_RPS, () => iam('us-east-1').send(role))).toBe(IAM_RPS);
    // us-west-2's first IAM call finds the account's bucket empty.
    expect(await admitted(1, () => iam('us-west-2').send(role))).toBe(0);
    expect(west.stats.byCategory['IAM.Read']).toMatchObject({ calls: 1, admitted: 0, throttled: 1 });

    // A regional category stays per target: us-west-2's Lambda bucket is full whatever us-east-1 did.
    const policy = new GetPolicyCommand({ FunctionName: 'absent' });
    expect(await admitted(LAMBDA_RPS, () => lambda('us-east-1').send(policy))).toBe(LAMBDA_RPS);
    expect(await admitted(LAMBDA_RPS, () => lambda('us-west-2').send(policy))).toBe(LAMBDA_RPS);

    // 100 ms refill one IAM token for the account, which either Region may take, not one each.
    nowMs += 1000 / IAM_RPS;
    expect(await admitted(1, () => iam('us-west-2').send(role))).toBe(1);
    expect(await admitted(1, () => iam('us-east-1').send(role))).toBe(0);
    expect(east.stats.byCategory['IAM.Read'].admitted + west.stats.byCategory['IAM.Read'].admitted).toBe(
      IAM_RPS + 1,
    );
  });
});
