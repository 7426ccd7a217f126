import { describe, expect, it } from 'vitest';
import { normalizePolicy, statementPath, widensPolicy } from '../../../lambda/core/policy-document.js';
import {
  concludeReferences,
  notReadable,
  type UnreadableReference,
  unreadableReferences,
  withoutUnreadableReferences,
} from '../../../lambda/core/references.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';

describe('normalizePolicy', () => {
  it('keys statements by Sid (or position), makes single values lists and decodes IAM URL-encoding', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: ['b', 'a', 'a'] },
        {
          Effect: 'Deny',
          NotAction: 'iam:*',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    expect(normalizePolicy(encodeURIComponent(JSON.stringify(doc)))).toEqual({
      Version: '2012-10-17',
      Statement: {
        Read: { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['a', 'b'] },
        '#2': {
          Effect: 'Deny',
          NotAction: ['iam:*'],
          Resource: ['*'],
          Condition: { Bool: { 'aws:SecureTransport': ['false'] } },
        },
      },
    });
  });

  it('takes a single statement object and a principal of "*" or by kind', () => {
    expect(
      normalizePolicy(
        JSON.stringify({
          Statement: { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sts:AssumeRole' },
        }),
      ),
    ).toEqual({
      Statement: {
        '#1': { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:root'] }, Action: ['sts:AssumeRole'] },
      },
    });
    expect(normalizePolicy('{"Statement":[{"Effect":"Allow","Principal":"*"}]}')).toEqual({
      Statement: { '#1': { Effect: 'Allow', Principal: '*' } },
    });
  });

  it('keeps a document that is not JSON as its text, so a change still shows', () => {
    expect(normalizePolicy('not json')).toEqual({ unparsed: 'not json' });
  });

  it('is idempotent on its own output read back as JSON', () => {
    const once = normalizePolicy(
      '{"Statement":[{"Sid":"A","Effect":"Allow","Action":["b","a"],"Resource":"*"}]}',
    );
    const statement = (once.Statement as Record<string, object>).A;
    expect(normalizePolicy(JSON.stringify({ Statement: [{ Sid: 'A', ...statement }] }))).toEqual(once);
  });
});

describe('widensPolicy', () => {
  const added = (items: string[]) => ({ kind: 'list-changed' as const, added: items, removed: [] });
  const removed = (items: string[]) => ({ kind: 'list-changed' as const, added: [], removed: items });
  const field = (before: string | undefined, after: string | undefined) => ({
    kind: 'field-changed' as const,
    before,
    after,
  });
  it.each([
    ['an action added to an Allow statement', added(['s3:*']), 'Action', 'Allow', true],
    ['a resource added to an Allow statement', added(['*']), 'Resource', 'Allow', true],
    [
      'a principal added to an Allow statement',
      added(['arn:aws:iam::9:root']),
      'Principal.AWS',
      'Allow',
      true,
    ],
    ['an action removed from an Allow statement', removed(['s3:GetObject']), 'Action', 'Allow', false],
    ['an action added to a Deny statement', added(['s3:*']), 'Action', 'Deny', false],
    ['an item taken from NotAction of an Allow statement', removed(['iam:*']), 'NotAction', 'Allow', true],
    [
      'a condition value removed from an Allow statement',
      removed(['o-1']),
      'Condition.StringEquals.aws:PrincipalOrgID',
      'Allow',
      true,
    ],
    [
      'a condition key removed from an Allow statement',
      field('x', undefined),
      'Condition.StringEquals.k',
      'Allow',
      true,
    ],
    ['a statement turned into Allow', field('Deny', 'Allow'), 'Effect', 'Allow', true],
    ['a Deny statement removed', field('Deny', undefined), 'Effect', undefined, true],
    ['an Allow statement removed', field('Allow', undefined), 'Effect', undefined, false],
  ] as const)('%s: %s', (_name, change, path, effect, expected) => {
    expect(widensPolicy(change, path, effect)).toBe(expected);
  });

  it('splits a path at the statement it is in', () => {
    expect(statementPath('InlinePolicies.my.policy.Statement.Main.Principal.AWS')).toEqual({
      policy: 'InlinePolicies.my.policy',
      statement: 'Main',
      field: 'Principal.AWS',
    });
    expect(statementPath('TrustPolicy.Version')).toBeUndefined();
  });
});

describe('unreadable references', () => {
  const ARN = 'arn:aws:lambda:us-east-1:999999999999:function:x';
  const pool = (resource: PoolSnapshot['surfaces']): PoolSnapshot => ({
    poolId: 'us-east-1_A',
    poolName: 'a',
    config: {},
    clients: {},
    surfaces: resource,
  });

  it('are replaced by their last known state, or left out, never reported as changed', () => {
    const read = pool({ lambdaTriggers: { [ARN]: notReadable('x (PreSignUp)', 'AccessDeniedException') } });
    const baseline = pool({
      lambdaTriggers: { [ARN]: { name: 'x (PreSignUp)', config: { CodeSha256: 'c' } } },
    });
    expect(unreadableReferences(read)).toEqual([
      {
        surface: 'lambdaTriggers',
        resourceId: ARN,
        resourceName: 'x (PreSignUp)',
        reason: 'AccessDeniedException',
      },
    ]);
    expect(withoutUnreadableReferences(read, undefined, baseline).surfaces).toEqual(baseline.surfaces);
    expect(withoutUnreadableReferences(read, null, null).surfaces).toEqual({ lambdaTriggers: {} });
  });

  it('are reported once per reference with every pool that points to it, then remembered', () => {
    const ref = {
      surface: 'lambdaTriggers',
      resourceId: ARN,
      resourceName: 'x',
      reason: 'AccessDeniedException',
    };
    const at = new Date('2026-12-05T10:00:00Z');
    const conclude = (
      pools: { poolId: string; poolName: string; references: UnreadableReference[] }[],
      reported?: Parameters<typeof concludeReferences>[0]['reported'],
    ) =>
      concludeReferences({
        pools: pools.map((p) => ({ ...p, unreadable: p.references, nowReadable: [] })),
        reported,
        judged: () => true,
        unjudged: () => [],
        targeted: false,
        at,
      });
    const first = conclude([
      { poolId: 'p2', poolName: 'staff', references: [ref] },
      { poolId: 'p1', poolName: 'customers', references: [ref] },
    ]);
    expect(first.notices).toEqual([{ ...ref, pools: ['customers (p1)', 'staff (p2)'] }]);
    const again = conclude([{ poolId: 'p1', poolName: 'customers', references: [ref] }], first.reported);
    expect(again.notices).toEqual([]);
    // Another reason (the function is now gone, not denied) is news.
    const other = conclude(
      [
        {
          poolId: 'p1',
          poolName: 'customers',
          references: [{ ...ref, reason: 'ResourceNotFoundException' }],
        },
      ],
      first.reported,
    );
    expect(other.notices).toHaveLength(1);
  });
});
