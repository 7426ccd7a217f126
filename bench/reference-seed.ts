/**
 * What the benches' pools point to (issue 19): the Lambda functions of their triggers, the IAM roles
 * of their groups, SMS caller and identity pools, and the KMS key of their custom senders, stored in
 * the stand-in as the services answer them, so a reader with Lambda, IAM and KMS clients finds each
 * readable. The account seeds name these resources without holding them (`account-seed.ts`, whose
 * defaults many tests depend on), so the bench adds them here, for one target at a time.
 *
 * Also what reading them costs: the calls of each reference operation, counted once per distinct
 * resource of the target (the reader shares each one across its pools, `sharedRead`).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { catalogOperations } from '../lambda/core/catalog.js';
import { CATALOG } from '../lambda/surfaces/index.js';
import { triggerArns } from '../lambda/surfaces/lambda-triggers.js';
import type { CognitoStandin } from '../test/support/cognito-standin.js';
import { allowPolicy, iamDocument, putRole } from '../test/support/reference-seeds.js';

/** The distinct resources one target's pools and identity pools point to, as seeded. */
export interface TargetReferences {
  functions: number;
  roles: number;
  /** Inline policies over all roles (each role has one). */
  inlinePolicies: number;
  /** Distinct managed policies attached to the roles (read once each, however many attach it). */
  managedPolicies: number;
  keys: number;
}

/** A target whose pools point to nothing (or a reader without Lambda, IAM and KMS clients). */
export const NO_REFERENCES: TargetReferences = {
  functions: 0,
  roles: 0,
  inlinePolicies: 0,
  managedPolicies: 0,
  keys: 0,
};

/**
 * The calls of each reference operation for one target's distinct references. Each list fits one
 * page (at most 1,000 items per IAM page; a seeded role has one inline and at most one attached
 * policy, a managed policy one version).
 */
const REFERENCE_CALLS: Readonly<Record<string, (r: TargetReferences) => number>> = {
  GetFunctionConfiguration: (r) => r.functions,
  GetPolicy: (r) => r.functions,
  GetRole: (r) => r.roles,
  ListAttachedRolePolicies: (r) => r.roles,
  ListRolePolicies: (r) => r.roles,
  GetRolePolicy: (r) => r.inlinePolicies,
  ListPolicyVersions: (r) => r.managedPolicies,
  GetPolicyVersion: (r) => r.managedPolicies,
  DescribeKey: (r) => r.keys,
  GetKeyPolicy: (r) => r.keys,
};

/**
 * The calls of every operation that declares `calls: { per: 'reference' }`, for one target: throws
 * for one this module does not count, so a new reference read cannot go uncounted.
 */
export function referenceCalls(references: TargetReferences): Record<string, number> {
  const out: Record<string, number> = {};
  for (const op of catalogOperations(CATALOG)) {
    if (op.calls?.per !== 'reference') continue;
    const count = REFERENCE_CALLS[op.name];
    if (!count)
      throw new Error(`no call count for reference operation ${op.name}: add it to reference-seed.ts`);
    out[op.name] = count(references);
  }
  return out;
}

type Standin = Pick<CognitoStandin, 'catalogItems' | 'describePool' | 'answerSurface' | 'accountId'>;

const ROLE_ARN = /^arn:[\w-]+:iam::[^:]*:role\//;

/** Every role ARN in an identity pool's roles and role mappings. */
function rolesIn(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    if (ROLE_ARN.test(value)) out.add(value);
  } else if (Array.isArray(value)) for (const item of value) rolesIn(item, out);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) rolesIn(item, out);
}

/** All pages of a list the stand-in's model answers directly (no wire, no quotas). */
function allPages<T>(
  standin: Standin,
  operation: string,
  input: Record<string, unknown>,
  items: string,
): T[] {
  const out: T[] = [];
  for (let token: unknown; ; ) {
    const page = standin.answerSurface(operation, { ...input, ...(token ? { NextToken: token } : {}) });
    out.push(...((page[items] as T[] | undefined) ?? []));
    token = page.NextToken;
    if (!token) return out;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64');

/**
 * Stores, in one target of the stand-in, every function, role and key its user pools (`poolIds`)
 * and identity pools reference, once each: a function's configuration (code hash, runtime, handler,
 * execution role, environment) and its resource policy letting those pools invoke it; a role's trust
 * policy, one inline policy and, for group and identity pool roles, one customer-managed policy they
 * share; a key's metadata and key policy. Returns the distinct counts, for {@link referenceCalls}.
 */
export function seedReferences(standin: Standin, poolIds: readonly string[]): TargetReferences {
  const { accountId } = standin;
  const items = standin.catalogItems;
  const functions = new Map<string, string[]>();
  const smsRoles = new Set<string>();
  const grantRoles = new Set<string>();
  const keys = new Set<string>();
  for (const poolId of poolIds) {
    const pool = standin.describePool(poolId) as {
      Arn?: string;
      LambdaConfig?: { KMSKeyID?: string };
      SmsConfiguration?: { SnsCallerArn?: string };
    };
    for (const arn of triggerArns(pool.LambdaConfig).keys())
      functions.set(arn, [...(functions.get(arn) ?? []), pool.Arn ?? poolId]);
    if (pool.LambdaConfig?.KMSKeyID) keys.add(pool.LambdaConfig.KMSKeyID);
    const sms = pool.SmsConfiguration?.SnsCallerArn;
    if (sms && ROLE_ARN.test(sms)) smsRoles.add(sms);
    for (const group of allPages<{ RoleArn?: string }>(
      standin,
      'ListGroups',
      { UserPoolId: poolId, Limit: 60 },
      'Groups',
    ))
      if (group.RoleArn && ROLE_ARN.test(group.RoleArn)) grantRoles.add(group.RoleArn);
  }
  for (const identityPool of allPages<{ IdentityPoolId: string }>(
    standin,
    'ListIdentityPools',
    { MaxResults: 60 },
    'IdentityPools',
  )) {
    const roles = standin.answerSurface('GetIdentityPoolRoles', {
      IdentityPoolId: identityPool.IdentityPoolId,
    });
    rolesIn([roles.Roles, roles.RoleMappings], grantRoles);
  }

  for (const [arn, pools] of functions) {
    const name = arn.split(':')[6] ?? arn;
    items.put(
      'GetFunctionConfiguration',
      { FunctionName: arn },
      {
        FunctionName: name,
        FunctionArn: arn,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        CodeSha256: digest(`code of ${arn}`),
        Role: `arn:aws:iam::${accountId}:role/${name}-exec`,
        Version: '$LATEST',
        PackageType: 'Zip',
        Architectures: ['arm64'],
        Environment: { Variables: { LOG_LEVEL: 'info' } },
      },
    );
    items.put(
      'GetPolicy',
      { FunctionName: arn },
      {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: pools.map((poolArn, i) => ({
            Sid: `cognito-${i}`,
            Effect: 'Allow',
            Principal: { Service: 'cognito-idp.amazonaws.com' },
            Action: 'lambda:InvokeFunction',
            Resource: arn,
            Condition: { ArnLike: { 'AWS:SourceArn': poolArn } },
          })),
        }),
      },
    );
  }

  for (const arn of smsRoles)
    putRole(items, arn, {
      inline: allowPolicy('sns:Publish', '*'),
      trust: {
        Version: '2012-10-17',
        Statement: {
          Effect: 'Allow',
          Principal: { Service: 'cognito-idp.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      },
    });
  // The group and identity pool roles grant an application's data: one managed policy they share.
  const managed = `arn:aws:iam::${accountId}:policy/bench-application-read`;
  const granted = [...grantRoles].filter((arn) => !smsRoles.has(arn));
  for (const arn of granted) {
    const roleName = arn.split('/').pop() as string;
    putRole(items, arn, { inline: allowPolicy('s3:GetObject', `arn:aws:s3:::${roleName}/*`) });
    items.remove('ListAttachedRolePolicies', { RoleName: roleName });
    items.put(
      'ListAttachedRolePolicies',
      { RoleName: roleName },
      { PolicyName: 'bench-application-read', PolicyArn: managed },
    );
  }
  if (granted.length > 0) {
    items.remove('ListPolicyVersions', { PolicyArn: managed });
    items.put('ListPolicyVersions', { PolicyArn: managed }, { VersionId: 'v1', IsDefaultVersion: true });
    items.put(
      'GetPolicyVersion',
      { PolicyArn: managed, VersionId: 'v1' },
      {
        PolicyVersion: {
          VersionId: 'v1',
          IsDefaultVersion: true,
          Document: iamDocument(allowPolicy(['dynamodb:GetItem', 'dynamodb:Query'], '*')),
        },
      },
    );
  }

  for (const keyId of keys) {
    items.put(
      'DescribeKey',
      { KeyId: keyId },
      {
        KeyMetadata: {
          KeyId: keyId.split('/').pop(),
          Arn: keyId,
          AWSAccountId: accountId,
          Enabled: true,
          KeyState: 'Enabled',
          KeyManager: 'CUSTOMER',
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          Origin: 'AWS_KMS',
        },
      },
    );
    items.put(
      'GetKeyPolicy',
      { KeyId: keyId },
      {
        PolicyName: 'default',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'cognito',
              Effect: 'Allow',
              Principal: { Service: 'cognito-idp.amazonaws.com' },
              Action: 'kms:CreateGrant',
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
            },
          ],
        }),
      },
    );
  }
  const roles = smsRoles.size + granted.length;
  return {
    functions: functions.size,
    roles,
    inlinePolicies: roles,
    managedPolicies: granted.length > 0 ? 1 : 0,
    keys: keys.size,
  };
}
