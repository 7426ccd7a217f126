import { describe, expect, it } from 'vitest';
import { COGNITO_READ_QUOTAS } from '../../../lambda/adapters/cognito-reader.js';
import {
  isAccountScoped,
  OPERATION_QUOTA,
  QUOTAS,
  type QuotaCategory,
  quotaOf,
} from '../../../lambda/adapters/quotas.js';
import { iamActionsCalledFrom } from '../../support/code-actions.js';

/**
 * The operations the surface modules' code sends, read from the bundled source (the SDK commands
 * each module imports and uses), not from the catalog the quota table is derived from. WAF's
 * GetWebACL is a permission GetWebACLForResource needs, not a call.
 */
const SURFACE_CALLS = [...(await iamActionsCalledFrom('lambda/surfaces/index.ts'))]
  .map((action) => action.slice(action.indexOf(':') + 1))
  .filter((name) => name !== 'GetWebACL');

/** Every read operation cognito-drift calls (issue 8), written out independently of the table. */
const OPERATIONS_WE_CALL = [
  ...new Set([
    'ListUserPools',
    'DescribeUserPool',
    'ListUserPoolClients',
    'DescribeUserPoolClient',
    'ListUserPoolClientSecrets',
    ...SURFACE_CALLS,
    'LookupEvents',
    'DescribeTrails',
    'GetTrailStatus',
    'GetFindings',
    'BatchImportFindings',
    'PutEvents',
  ]),
];

describe('quota table', () => {
  it.each(OPERATIONS_WE_CALL)(
    'maps %s to an existing category with a positive rate and a named source',
    (op) => {
      const category = OPERATION_QUOTA[op];
      if (category === undefined) throw new Error(`${op} has no quota category`);
      const spec = QUOTAS[category];
      expect(spec).toBeDefined();
      expect(spec.rps).toBeGreaterThan(0);
      expect(spec.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      if (spec.perPoolPerOperationRps !== undefined) {
        expect(spec.perPoolPerOperationRps).toBeGreaterThan(0);
        expect(spec.perPoolPerOperationRps).toBeLessThanOrEqual(spec.rps);
      }
    },
  );

  it('lists no operation we do not call, and no category no operation uses', () => {
    expect(Object.keys(OPERATION_QUOTA).sort()).toEqual([...OPERATIONS_WE_CALL].sort());
    expect(new Set(Object.values(OPERATION_QUOTA))).toEqual(new Set(Object.keys(QUOTAS)));
  });

  it('agrees with the numbers the pool and client reader already paces by', () => {
    expect(quotaOf('DescribeUserPool').rps).toBe(COGNITO_READ_QUOTAS.userPoolRead);
    expect(quotaOf('ListUserPoolClientSecrets').rps).toBe(COGNITO_READ_QUOTAS.userPoolClientRead);
    expect(quotaOf('DescribeUserPoolClient').perPoolPerOperationRps).toBe(
      COGNITO_READ_QUOTAS.perPoolClientRead,
    );
  });

  it('accepts the SDK command name and refuses an operation missing from the table', () => {
    expect(quotaOf('ListGroupsCommand').category).toBe('UserPoolResourceRead');
    expect(() => quotaOf('AdminGetUser')).toThrow(/no quota category for operation AdminGetUser/);
  });

  it("declares IAM's read rate the account's (a global service) and every regional service's per Region", () => {
    const accountScoped = (Object.keys(QUOTAS) as QuotaCategory[]).filter(isAccountScoped);
    expect(accountScoped).toEqual(['IAM.Read']);
    // Every IAM operation the reader sends is paced by it.
    const iam = [
      'GetRole',
      'ListAttachedRolePolicies',
      'ListRolePolicies',
      'GetRolePolicy',
      'ListPolicyVersions',
      'GetPolicyVersion',
    ];
    expect(iam.map((operation) => OPERATION_QUOTA[operation])).toEqual(iam.map(() => 'IAM.Read'));
  });
});
