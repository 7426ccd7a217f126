import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { SURFACE_NAMES } from '../../../lambda/surfaces/selection.js';
import {
  ACCOUNT_ID,
  DetectorHarness,
  FakeAccount,
  type Operation,
  REGION,
  serialize,
} from '../../support/fake-aws.js';
import { allowPolicy, putRole, webIdentityTrust } from '../../support/reference-seeds.js';
import { driftMessage } from './surface-run.js';

const FN = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:pre-token`;
const FN_V3 = `${FN}:3`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1111aaaa-2222-4333-8444-555566667777`;
const ADMINS_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/pool-admins`;
const AUTH_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/identity-authenticated`;
const CANARY = 'CANARY-TRIGGER-ENV-SECRET-4d5e6f';
const ROTATED = 'CANARY-TRIGGER-ENV-ROTATED-7a8b9c';

/** A function as GetFunctionConfiguration answers it. */
function fn(arn: string, code: string, env: Record<string, string> = {}) {
  return {
    FunctionName: 'pre-token',
    FunctionArn: arn,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Role: `arn:aws:iam::${ACCOUNT_ID}:role/pre-token-exec`,
    CodeSha256: code,
    Version: arn.endsWith(':3') ? '3' : '$LATEST',
    Environment: { Variables: env },
  };
}

/** A role with one inline policy, trusted by `federated`. */
function role(aws: FakeAccount, arn: string, inline: object, federated = 'cognito-identity.amazonaws.com') {
  putRole(aws.catalogItems, arn, { inline, trust: webIdentityTrust(federated) });
}

const allow = allowPolicy;

function triggers(arn: string): UserPoolType {
  return {
    LambdaConfig: {
      PreTokenGeneration: arn,
      PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: arn },
      CustomSMSSender: { LambdaVersion: 'V1_0', LambdaArn: arn },
      KMSKeyID: KEY,
    },
  };
}

describe('what pools point to (Lambda triggers, IAM roles, KMS keys), in whole detector runs', () => {
  let aws: FakeAccount | undefined;
  afterEach(() => aws?.restore());

  async function watched() {
    aws = new FakeAccount();
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    aws.catalogItems.put(
      'GetFunctionConfiguration',
      { FunctionName: FN },
      fn(FN, 'code-v1', { API_TOKEN: CANARY, STAGE: 'prod' }),
    );
    aws.catalogItems.put(
      'DescribeKey',
      { KeyId: KEY },
      { KeyMetadata: { KeyId: KEY, Arn: KEY, Enabled: true, KeyState: 'Enabled' } },
    );
    aws.catalogItems.put(
      'GetKeyPolicy',
      { KeyId: KEY },
      { PolicyName: 'default', Policy: JSON.stringify(allow('kms:Decrypt', '*')) },
    );
    role(aws, ADMINS_ROLE, allow('s3:GetObject', 'arn:aws:s3:::reports/*'));
    role(aws, AUTH_ROLE, allow('execute-api:Invoke', 'arn:aws:execute-api:*:*:api/prod/*'));
    const customers = aws.addPool({
      name: 'customers',
      config: triggers(FN),
      groups: [{ name: 'admins', roleArn: ADMINS_ROLE }],
    });
    const staff = aws.addPool({ name: 'staff', config: triggers(FN) });
    const identityPoolId = aws.addIdentityPool({
      name: 'app-identities',
      roles: { authenticated: AUTH_ROLE },
    });
    const first = await harness.run();
    expect(first.firstRun).toBe(true);
    expect(first.readProblems).toEqual([]);
    return { aws, harness, customers, staff, identityPoolId };
  }

  it('reads a function two pools share once per run, and alerts its changed code as HIGH under both pools', async () => {
    const { aws, harness, customers, staff } = await watched();
    // Two pools, three trigger fields each: one read of the function and of its policy in the first run.
    expect(aws.lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(1);
    expect(aws.lambda.commandCalls(GetPolicyCommand)).toHaveLength(1);
    expect(aws.kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);

    aws.catalogItems.put(
      'GetFunctionConfiguration',
      { FunctionName: FN },
      fn(FN, 'code-BACKDOOR', { API_TOKEN: CANARY, STAGE: 'prod' }),
    );
    const run = await harness.run();
    expect(aws.lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(2);
    const findings = run.pools.flatMap((p) => p.findings.map((f) => ({ pool: p.poolId, ...f })));
    const code = findings.filter((f) => 'path' in f && f.path === 'CodeSha256');
    expect(code.map((f) => [f.pool, f.surface, f.resourceId, f.severity]).sort()).toEqual(
      [
        [customers.poolId, 'lambdaTriggers', FN, 'HIGH'],
        [staff.poolId, 'lambdaTriggers', FN, 'HIGH'],
      ].sort(),
    );
    const message = driftMessage(run)?.Message ?? '';
    expect(message).toContain('customers');
    expect(message).toContain('staff');
    expect(message).toContain('code-BACKDOOR');
  });

  it('alerts a changed environment variable of a trigger as changed, never printing its value', async () => {
    const { aws, harness } = await watched();
    aws.catalogItems.put(
      'GetFunctionConfiguration',
      { FunctionName: FN },
      fn(FN, 'code-v1', { API_TOKEN: ROTATED, STAGE: 'prod' }),
    );
    const run = await harness.run();
    const env = run.pools
      .flatMap((p) => p.findings)
      .filter((f) => 'path' in f && f.path === 'Environment.Variables.API_TOKEN');
    expect(env).toHaveLength(2);
    const message = driftMessage(run)?.Message ?? '';
    expect(message).toContain('Environment.Variables.API_TOKEN');
    // It was read: the function's answer held both values.
    const served = serialize(
      await Promise.all(aws.lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.returnValue)),
    );
    expect(served).toContain(CANARY);
    expect(served).toContain(ROTATED);
    const everything = [
      ...aws.bucket.allBodies().map((o) => `${o.key}\n${o.body}`),
      ...aws.published.map((m) => serialize(m)),
      harness.logger.text(),
    ];
    for (const text of everything) expect(text).not.toContain('CANARY-');
  });

  it('alerts a widened group role policy and a widened identity-pool role policy as HIGH, naming the pools', async () => {
    const { aws, harness, customers, identityPoolId } = await watched();
    role(aws, ADMINS_ROLE, allow(['s3:GetObject', 's3:*'], 'arn:aws:s3:::reports/*'));
    role(aws, AUTH_ROLE, allow('execute-api:Invoke', ['arn:aws:execute-api:*:*:api/prod/*', '*']));
    const run = await harness.run();
    const widened = run.pools.flatMap((p) =>
      p.findings
        .filter((f) => f.surface === 'iamRoles' && f.kind === 'list-changed')
        .map((f) => [p.poolId, f.resourceId, 'path' in f ? f.path : '', f.severity]),
    );
    expect(widened.sort()).toEqual(
      [
        [customers.poolId, ADMINS_ROLE, 'InlinePolicies.main.Statement.Main.Action', 'HIGH'],
        [identityPoolId, AUTH_ROLE, 'InlinePolicies.main.Statement.Main.Resource', 'HIGH'],
      ].sort(),
    );
    const message = driftMessage(run)?.Message ?? '';
    expect(message).toContain('customers');
    expect(message).toContain('app-identities');
    expect(message).toContain('s3:*');
  });

  it('alerts a changed trust policy as HIGH', async () => {
    const { aws, harness } = await watched();
    role(aws, ADMINS_ROLE, allow('s3:GetObject', 'arn:aws:s3:::reports/*'), 'accounts.google.com');
    const run = await harness.run();
    const trustChanges = run.pools
      .flatMap((p) => p.findings)
      .filter((f) => 'path' in f && f.path.startsWith('TrustPolicy.'));
    expect(trustChanges.length).toBeGreaterThan(0);
    expect(trustChanges.every((f) => f.severity === 'HIGH')).toBe(true);
  });

  it('reads a version-qualified trigger by its qualified ARN', async () => {
    aws = new FakeAccount();
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    aws.catalogItems.put('GetFunctionConfiguration', { FunctionName: FN_V3 }, fn(FN_V3, 'code-v3'));
    aws.addPool({
      name: 'versioned',
      config: {
        LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: FN_V3 } },
      } as UserPoolType,
    });
    await harness.run();
    expect(
      aws.lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input.FunctionName),
    ).toEqual([FN_V3]);
    aws.catalogItems.put('GetFunctionConfiguration', { FunctionName: FN_V3 }, fn(FN_V3, 'code-v3b'));
    const run = await harness.run();
    expect(run.pools[0]?.findings.map((f) => ('path' in f ? f.path : f.kind))).toEqual(['CodeSha256']);
  });

  it('reports a function this account cannot read once, naming its pools, and not on the next run', async () => {
    aws = new FakeAccount();
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    const elsewhere = 'arn:aws:lambda:us-east-1:999999999999:function:shared-trigger';
    aws.fail('GetFunctionConfiguration' as Operation, {
      error: 'AccessDeniedException',
      times: Number.POSITIVE_INFINITY,
    });
    aws.addPool({ name: 'customers', config: { LambdaConfig: { PreSignUp: elsewhere } } });
    aws.addPool({ name: 'staff', config: { LambdaConfig: { PostConfirmation: elsewhere } } });
    const first = await harness.run();
    const notices = first.sent.filter((m) => m.MessageAttributes?.kind?.StringValue === 'not-readable');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.Subject).toContain('Not readable from this account: 1 referenced resource');
    expect(notices[0]?.Message).toContain(elsewhere);
    expect(notices[0]?.Message).toContain('customers');
    expect(notices[0]?.Message).toContain('staff');
    expect(notices[0]?.Message).toContain('AccessDeniedException');
    expect(first.readProblems).toEqual([]);

    const second = await harness.run();
    expect(aws.lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(2);
    expect(second.sent).toEqual([]);
    expect(second.pools.flatMap((p) => p.findings)).toEqual([]);
  });

  it('keeps an unreadable reference out of drift: a role that stops being readable is no change', async () => {
    const { aws, harness } = await watched();
    aws.catalogItems.remove('GetRole', { RoleName: 'pool-admins' });
    const run = await harness.run();
    expect(aws.iam.commandCalls(GetRoleCommand).length).toBeGreaterThan(0);
    expect(run.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(run.readProblems).toEqual([]);
  });
});
