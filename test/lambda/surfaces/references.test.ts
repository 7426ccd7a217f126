import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetFunctionConfigurationCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { stateDocSchema } from '../../../lambda/core/documents.js';
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

  describe('a reference that cannot be read, then can (or no pool points to it any more)', () => {
    const ELSEWHERE = 'arn:aws:lambda:us-east-1:999999999999:function:shared-trigger';
    const KEY_OF = `lambdaTriggers/${ELSEWHERE}`;
    const kinds = (run: { sent: { MessageAttributes?: Record<string, { StringValue?: string }> }[] }) =>
      run.sent.map((m) => m.MessageAttributes?.kind?.StringValue);
    const denied = (account: FakeAccount) =>
      account.fail('GetFunctionConfiguration' as Operation, {
        error: 'AccessDeniedException',
        times: Number.POSITIVE_INFINITY,
      });
    const readable = (account: FakeAccount, code: string) => {
      account.heal();
      account.catalogItems.put('GetFunctionConfiguration', { FunctionName: ELSEWHERE }, fn(ELSEWHERE, code));
    };

    async function firstSeenUnreadable() {
      aws = new FakeAccount();
      const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
      denied(aws);
      const customers = aws.addPool({
        name: 'customers',
        config: { LambdaConfig: { PreSignUp: ELSEWHERE } },
      });
      const staff = aws.addPool({ name: 'staff', config: { LambdaConfig: { PostConfirmation: ELSEWHERE } } });
      const first = await harness.run();
      expect(kinds(first)).toContain('not-readable');
      const state = (await harness.store.getState())?.doc;
      expect(state?.unreadableReferences?.[KEY_OF]?.pools).toEqual([customers.poolId, staff.poolId].sort());
      return { aws, harness, customers, staff };
    }

    it('records it into the baselines when it becomes readable, with one LOW notice and no drift; its next change is drift', async () => {
      const { aws, harness, customers, staff } = await firstSeenUnreadable();
      const before = await harness.store.getBaseline(customers.poolId);
      expect(before?.doc.pool?.surfaces?.lambdaTriggers).toEqual({});

      readable(aws, 'code-v1');
      const now = await harness.run();
      expect(now.pools.flatMap((p) => p.findings)).toEqual([]);
      expect(kinds(now)).toEqual(['now-readable']);
      const notice = now.sent[0];
      expect(notice?.Subject).toContain('Now readable from this account: 1 referenced resource');
      expect(notice?.MessageAttributes?.severity?.StringValue).toBe('LOW');
      expect(notice?.Message).toContain(ELSEWHERE);
      expect(notice?.Message).toContain(
        `current state recorded as the baseline of customers (${customers.poolId})`,
      );
      for (const poolId of [customers.poolId, staff.poolId]) {
        const baseline = await harness.store.getBaseline(poolId);
        expect(baseline?.doc.pool?.surfaces?.lambdaTriggers?.[ELSEWHERE]?.config.CodeSha256).toBe('code-v1');
        // The approval of the rest is kept: recorded into the approved baseline, not re-approved.
        expect(baseline?.doc.approvedBy).toBe(before?.doc.approvedBy);
      }
      expect((await harness.store.getState())?.doc.unreadableReferences).toBeUndefined();

      const quiet = await harness.run();
      expect(quiet.sent).toEqual([]);

      readable(aws, 'code-BACKDOOR');
      const changed = await harness.run();
      const code = changed.pools.flatMap((p) =>
        p.findings.filter((f) => 'path' in f && f.path === 'CodeSha256').map((f) => [p.poolId, f.severity]),
      );
      expect(code.sort()).toEqual(
        [
          [customers.poolId, 'HIGH'],
          [staff.poolId, 'HIGH'],
        ].sort(),
      );
    });

    it('records an identity pool role first seen unreadable the same way, and alerts it widened afterwards', async () => {
      aws = new FakeAccount();
      const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
      const identityPoolId = aws.addIdentityPool({
        name: 'app-identities',
        roles: { authenticated: AUTH_ROLE },
      });
      expect(kinds(await harness.run())).toContain('not-readable');

      role(aws, AUTH_ROLE, allow('execute-api:Invoke', 'arn:aws:execute-api:*:*:api/prod/*'));
      const now = await harness.run();
      expect(now.pools.flatMap((p) => p.findings)).toEqual([]);
      expect(kinds(now)).toEqual(['now-readable']);
      expect(now.sent[0]?.Message).toContain(
        `recorded as the baseline of app-identities (${identityPoolId})`,
      );

      role(aws, AUTH_ROLE, allow('execute-api:Invoke', ['arn:aws:execute-api:*:*:api/prod/*', '*']));
      const widened = await harness.run();
      expect(
        widened.pools.flatMap((p) => p.findings.map((f) => [p.poolId, f.surface, f.resourceId, f.severity])),
      ).toEqual([[identityPoolId, 'iamRoles', AUTH_ROLE, 'HIGH']]);
    });

    it('shows no drift for it in a run that writes nothing (CLI diff), and leaves the baseline as it was', async () => {
      const { aws, harness, customers } = await firstSeenUnreadable();
      const before = await harness.store.getBaseline(customers.poolId);
      readable(aws, 'code-v1');
      const look = await harness.run({ mode: { kind: 'look-only' } });
      expect(look.pools.flatMap((p) => p.findings)).toEqual([]);
      expect(look.sent).toEqual([]);
      expect((await harness.store.getBaseline(customers.poolId))?.etag).toBe(before?.etag);
    });

    it('still reports a trigger the baseline does not name as added, even one that could not be read before', async () => {
      const { aws, harness, customers } = await firstSeenUnreadable();
      aws.updatePool(customers.poolId, { LambdaConfig: {} });
      await harness.run();
      await harness.approve(customers.poolId);
      readable(aws, 'code-v1');
      aws.updatePool(customers.poolId, { LambdaConfig: { PreSignUp: ELSEWHERE } });
      const run = await harness.run();
      const added = run.pools
        .find((p) => p.poolId === customers.poolId)
        ?.findings.filter((f) => f.surface === 'lambdaTriggers' && f.resourceId === ELSEWHERE);
      expect(added?.map((f) => f.kind)).toEqual(['resource-added']);
    });

    it('forgets it once no pool points to it, and reports it again when one does', async () => {
      const { aws, harness, customers, staff } = await firstSeenUnreadable();
      aws.updatePool(customers.poolId, { LambdaConfig: {} });
      const one = await harness.run();
      expect(kinds(one)).not.toContain('not-readable');
      expect((await harness.store.getState())?.doc.unreadableReferences?.[KEY_OF]?.pools).toEqual([
        staff.poolId,
      ]);

      aws.updatePool(staff.poolId, { LambdaConfig: {} });
      await harness.run();
      expect((await harness.store.getState())?.doc.unreadableReferences).toBeUndefined();

      aws.updatePool(customers.poolId, { LambdaConfig: { PreSignUp: ELSEWHERE } });
      const again = await harness.run();
      expect(kinds(again).filter((k) => k === 'not-readable')).toHaveLength(1);
      expect(
        again.sent.find((m) => m.MessageAttributes?.kind?.StringValue === 'not-readable')?.Message,
      ).toContain(ELSEWHERE);
      const after = await harness.run();
      expect(kinds(after)).not.toContain('not-readable');
    });

    it('reports it once more when it stops being readable after being read', async () => {
      const { aws, harness } = await firstSeenUnreadable();
      readable(aws, 'code-v1');
      expect(kinds(await harness.run())).toEqual(['now-readable']);

      denied(aws);
      const lost = await harness.run();
      expect(kinds(lost)).toEqual(['not-readable']);
      expect(lost.pools.flatMap((p) => p.findings)).toEqual([]);
      expect((await harness.run()).sent).toEqual([]);

      // Read again, unchanged: compared with the state recorded before, not recorded anew.
      readable(aws, 'code-v1');
      const back = await harness.run();
      expect(kinds(back)).toEqual(['now-readable']);
      expect(back.sent[0]?.Message).not.toContain('recorded as the baseline of');
      expect(back.pools.flatMap((p) => p.findings)).toEqual([]);
    });

    it('forgets it when a targeted check reads it, though the other pools were not read', async () => {
      const { aws, harness, customers, staff } = await firstSeenUnreadable();
      const targeted = (poolId: string, runId: string) => ({
        mode: { kind: 'targeted', alerts: 'delivered', runId, pools: [poolId] } as const,
      });
      readable(aws, 'code-v1');
      const seen = await harness.run(targeted(customers.poolId, 'rt-1'));
      expect(kinds(seen)).toEqual(['now-readable']);
      expect(seen.pools.flatMap((p) => p.findings)).toEqual([]);
      expect((await harness.store.getState())?.doc.unreadableReferences).toBeUndefined();

      denied(aws);
      const lost = await harness.run(targeted(staff.poolId, 'rt-2'));
      expect(kinds(lost)).toEqual(['not-readable']);
      // The pool the targeted check did not read keeps its place until a run reads it.
      expect((await harness.store.getState())?.doc.unreadableReferences?.[KEY_OF]?.pools).toEqual([
        staff.poolId,
      ]);
    });

    it('reads state written before the pools were remembered, and remembers them from then on', async () => {
      const { aws, harness, customers, staff } = await firstSeenUnreadable();
      const stored = await harness.store.getState();
      if (!stored) throw new Error('no state after the first run');
      const legacy = structuredClone(stored.doc);
      for (const entry of Object.values(legacy.unreadableReferences ?? {})) delete entry.pools;
      expect(stateDocSchema.parse(JSON.parse(JSON.stringify(legacy)))).toEqual(legacy);
      await harness.store.putState(legacy, stored.etag);

      const next = await harness.run();
      expect(next.sent).toEqual([]);
      expect((await harness.store.getState())?.doc.unreadableReferences?.[KEY_OF]?.pools).toEqual(
        [customers.poolId, staff.poolId].sort(),
      );
      expect(aws.lambda.commandCalls(GetFunctionConfigurationCommand).length).toBeGreaterThan(1);
    });
  });
});
