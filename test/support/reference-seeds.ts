/**
 * What pools point to, stored as the services answer it (Lambda, IAM, KMS), for the fakes that
 * serve catalog operations generically (`catalog-operations.ts`): a role a group hands out exists in
 * a real account, so a test account that references one holds it too.
 *
 * @module
 */
import type { CatalogOperations } from './catalog-operations.js';

/** A policy document as IAM returns it: URL-encoded JSON. */
export function iamDocument(doc: object): string {
  return encodeURIComponent(JSON.stringify(doc));
}

/** An identity-based policy with one `Allow` statement (`Sid` Main). */
export function allowPolicy(actions: string | string[], resources: string | string[]): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Main', Effect: 'Allow', Action: actions, Resource: resources }],
  };
}

/** A trust policy letting a federated principal assume the role with a web identity. */
export function webIdentityTrust(federated: string): object {
  return {
    Version: '2012-10-17',
    Statement: {
      Effect: 'Allow',
      Principal: { Federated: federated },
      Action: 'sts:AssumeRoleWithWebIdentity',
    },
  };
}

/**
 * A role as GetRole, ListRolePolicies and GetRolePolicy answer it (replacing any stored before),
 * with one inline policy `main` when `inline` is given and no attached policy.
 */
export function putRole(
  items: CatalogOperations,
  arn: string,
  options: { inline?: object; trust?: object } = {},
): void {
  const RoleName = arn.split('/').pop() as string;
  const trust = options.trust ?? webIdentityTrust('cognito-identity.amazonaws.com');
  items.put(
    'GetRole',
    { RoleName },
    {
      Role: {
        RoleName,
        Arn: arn,
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        AssumeRolePolicyDocument: iamDocument(trust),
      },
    },
  );
  items.remove('ListRolePolicies', { RoleName });
  if (!options.inline) return;
  items.put('ListRolePolicies', { RoleName }, 'main' as never);
  items.put(
    'GetRolePolicy',
    { RoleName, PolicyName: 'main' },
    { RoleName, PolicyName: 'main', PolicyDocument: iamDocument(options.inline) },
  );
}
