import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  GetRoleCommand,
  IAMClient,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  GetPolicyCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../lambda/adapters/cognito-reader.js';
import { NOT_READABLE } from '../../lambda/core/references.js';
import { CognitoStandin } from './cognito-standin.js';
import { TEST_DIGEST_KEY } from './digest-key.js';
import { allowPolicy, putRole } from './reference-seeds.js';

/**
 * What pools point to, read over HTTP through the unmodified Lambda (REST-JSON), IAM (query, XML)
 * and KMS (JSON 1.1) clients: the stand-in answers all three protocols, pages IAM's lists by
 * `Marker`, enforces their quota categories and injects their faults.
 */
describe('CognitoStandin: Lambda triggers, IAM roles and KMS keys over the wire', () => {
  let standin: CognitoStandin;
  let lambda: LambdaClient;
  let iam: IAMClient;
  let kms: KMSClient;
  const fn = () => `arn:aws:lambda:${standin.region}:${standin.accountId}:function:pre-token`;
  const role = () => `arn:aws:iam::${standin.accountId}:role/pool-admins`;
  const key = () =>
    `arn:aws:kms:${standin.region}:${standin.accountId}:key/1111aaaa-2222-4333-8444-555566667777`;

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
    lambda = new LambdaClient(standin.clientConfig());
    iam = new IAMClient(standin.clientConfig({ region: 'us-east-1' }));
    kms = new KMSClient(standin.clientConfig());
    const items = standin.catalogItems;
    items.put(
      'GetFunctionConfiguration',
      { FunctionName: fn() },
      {
        FunctionArn: fn(),
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        CodeSha256: 'code-v1',
        Role: role(),
        Layers: [{ Arn: `arn:aws:lambda:${standin.region}:${standin.accountId}:layer:deps:4`, CodeSize: 10 }],
        Environment: { Variables: { API_TOKEN: 'CANARY-WIRE-ENV-1a2b3c' } },
      },
    );
    items.put(
      'GetPolicy',
      { FunctionName: fn() },
      {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'cognito',
              Effect: 'Allow',
              Principal: { Service: 'cognito-idp.amazonaws.com' },
              Action: 'lambda:InvokeFunction',
              Resource: fn(),
            },
          ],
        }),
      },
    );
    putRole(items, role(), { inline: allowPolicy('s3:GetObject', 'arn:aws:s3:::reports/*') });
    items.put(
      'ListAttachedRolePolicies',
      { RoleName: 'pool-admins' },
      { PolicyName: 'ReadOnly', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    );
    items.put(
      'ListPolicyVersions',
      { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      { VersionId: 'v1', IsDefaultVersion: false },
    );
    items.put(
      'ListPolicyVersions',
      { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      { VersionId: 'v2', IsDefaultVersion: true },
    );
    items.put(
      'GetPolicyVersion',
      { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', VersionId: 'v2' },
      {
        PolicyVersion: {
          VersionId: 'v2',
          IsDefaultVersion: true,
          Document: encodeURIComponent(JSON.stringify(allowPolicy('s3:Get*', '*'))),
        },
      },
    );
    items.put(
      'DescribeKey',
      { KeyId: key() },
      { KeyMetadata: { KeyId: key(), Arn: key(), Enabled: true, KeyState: 'Enabled' } },
    );
    items.put(
      'GetKeyPolicy',
      { KeyId: key() },
      { PolicyName: 'default', Policy: JSON.stringify(allowPolicy('kms:Decrypt', '*')) },
    );
  });
  afterAll(async () => standin.stop());

  it('answers what a pool points to through the three protocols, as the reader normalizes it', async () => {
    const poolId = standin.addPool({
      name: 'triggers',
      config: {
        LambdaConfig: {
          PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: fn() },
          CustomSMSSender: { LambdaVersion: 'V1_0', LambdaArn: fn() },
          KMSKeyID: key(),
        },
      },
      groups: [{ name: 'admins', roleArn: role() }],
    });
    const reader = new CognitoReader({
      client: new CognitoIdentityProviderClient(standin.clientConfig()),
      lambdaClient: lambda,
      iamClient: iam,
      kmsClient: kms,
      digestKey: TEST_DIGEST_KEY,
      surfaces: ['lambdaTriggers', 'iamRoles', 'kmsKeys', 'groups'],
      quotaShare: 1,
    });
    const read = await reader.readPool({ poolId, poolName: 'triggers' });
    if (read.status !== 'ok') throw new Error(`read failed: ${JSON.stringify(read)}`);
    const surfaces = read.pool.surfaces ?? {};
    const trigger = surfaces.lambdaTriggers?.[fn()]?.config;
    expect(trigger?.CodeSha256).toBe('code-v1');
    expect(trigger?.Layers).toEqual([`arn:aws:lambda:${standin.region}:${standin.accountId}:layer:deps:4`]);
    expect(JSON.stringify(trigger)).not.toContain('CANARY-');
    expect(
      String(
        (trigger?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables?.API_TOKEN,
      ),
    ).toMatch(/^secret-hmac-sha256:v1:/);
    expect(trigger?.ResourcePolicy).toMatchObject({
      Statement: { cognito: { Action: ['lambda:InvokeFunction'] } },
    });
    const admins = surfaces.iamRoles?.[role()]?.config;
    expect(admins?.InlinePolicies).toEqual({
      main: {
        Version: '2012-10-17',
        Statement: {
          Main: { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] },
        },
      },
    });
    expect(admins?.AttachedPolicies).toMatchObject({
      'arn:aws:iam::aws:policy/ReadOnlyAccess': { Statement: { Main: { Action: ['s3:Get*'] } } },
    });
    expect(surfaces.kmsKeys?.[key()]?.config).toMatchObject({ Enabled: true, KeyState: 'Enabled' });
    // One read of the function however many triggers name it; the groups listed once for both surfaces.
    const calls = standin.stats.calls;
    expect(calls.GetFunctionConfiguration).toBe(1);
    expect(calls.ListGroups).toBe(1);
  });

  it("pages IAM's lists by Marker and IsTruncated", async () => {
    putRole(standin.catalogItems, `arn:aws:iam::${standin.accountId}:role/many`);
    for (const name of ['a', 'b', 'c'])
      standin.catalogItems.put('ListRolePolicies', { RoleName: 'many' }, name as never);
    const first = await iam.send(new ListRolePoliciesCommand({ RoleName: 'many', MaxItems: 2 }));
    expect(first.PolicyNames).toEqual(['a', 'b']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(
      new ListRolePoliciesCommand({ RoleName: 'many', MaxItems: 2, Marker: first.Marker }),
    );
    expect(second.PolicyNames).toEqual(['c']);
    expect(second.IsTruncated).toBe(false);
    const missing = await iam.send(new ListRolePoliciesCommand({ RoleName: 'nobody' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    // A list of a role with nothing stored is empty; a role that does not exist is IAM's NoSuchEntity.
    expect(missing).toBeUndefined();
    const gone = await iam.send(new GetRoleCommand({ RoleName: 'nobody' })).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NoSuchEntityException);
  });

  it("answers Lambda's errors with their REST status, and injects faults and throttling", async () => {
    const noPolicy = await lambda
      .send(new GetPolicyCommand({ FunctionName: `${fn()}-other` }))
      .catch((e: unknown) => e);
    expect(noPolicy).toBeInstanceOf(ResourceNotFoundException);
    expect((noPolicy as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    standin.failNext({ operation: 'GetPolicy', error: 'TooManyRequestsException' });
    const throttled = await lambda
      .send(new GetPolicyCommand({ FunctionName: fn() }))
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    standin.failNext({ operation: 'GetRole', error: 'AccessDeniedException' });
    const reader = new CognitoReader({
      client: new CognitoIdentityProviderClient(standin.clientConfig()),
      iamClient: iam,
      surfaces: ['iamRoles'],
      quotaShare: 1,
    });
    const poolId = standin.addPool({ name: 'denied', groups: [{ name: 'admins', roleArn: role() }] });
    const read = await reader.readPool({ poolId, poolName: 'denied' });
    if (read.status !== 'ok') throw new Error('read failed');
    expect(read.pool.surfaces?.iamRoles?.[role()]?.config).toEqual({ [NOT_READABLE]: 'AccessDenied' });
  });
});
