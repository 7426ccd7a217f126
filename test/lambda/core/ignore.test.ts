import { describe, expect, it } from 'vitest';
import { IgnoreMatcher, NO_IGNORE_RULES, parseIgnoreRules } from '../../../lambda/core/ignore.js';
import type { Change } from '../../../lambda/core/types.js';
import { POOL_ID, POOL_NAME } from '../../fixtures/cognito-responses.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';

const scope = { poolId: POOL_ID, poolName: POOL_NAME };
const web = { clientId: '3n4b5urk1ft4fl3mg5e62d9ado', clientName: 'web-portal' };

function poolField(path: string): Change {
  return { kind: 'field-changed', ...scope, path, before: 'a', after: 'b' };
}
function clientField(path: string, client = web): Change {
  return { kind: 'field-changed', ...scope, ...client, path, before: 'a', after: 'b' };
}
function matcher(rules: { fields?: string[]; pools?: string[]; clients?: string[] }): IgnoreMatcher {
  return new IgnoreMatcher({ fields: [], pools: [], clients: [], ...rules });
}
/** The paths of the changes that survive the filter. */
function kept(m: IgnoreMatcher, changes: Change[]): string[] {
  return m.filter(changes).map((c) => `${c.clientId ? 'client' : 'pool'}.${'path' in c ? c.path : c.kind}`);
}

describe('IgnoreMatcher.filter', () => {
  it('drops every pool tag change with pool.UserPoolTags.** and keeps other fields', () => {
    const m = matcher({ fields: ['pool.UserPoolTags.**'] });

    const result = kept(m, [
      poolField('UserPoolTags.CostCenter'),
      poolField('UserPoolTags.Owner'),
      poolField('MfaConfiguration'),
    ]);

    expect(result).toEqual(['pool.MfaConfiguration']);
  });

  it('matches ** across several path segments', () => {
    const m = matcher({ fields: ['client.AnalyticsConfiguration.**'] });

    const result = kept(m, [
      clientField('AnalyticsConfiguration.ApplicationId'),
      clientField('AnalyticsConfiguration.Nested.Deeper.Value'),
      clientField('AccessTokenValidity'),
    ]);

    expect(result).toEqual(['client.AccessTokenValidity']);
  });

  it('applies pool.* rules to pool changes only and client.* rules to client changes only', () => {
    const m = matcher({ fields: ['pool.Domain'] });

    const result = kept(m, [poolField('Domain'), clientField('Domain')]);

    expect(result).toEqual(['client.Domain']);
  });

  it('lets * match within one segment but not across a dot', () => {
    const m = matcher({ fields: ['client.*TokenValidity'] });

    const result = kept(m, [
      clientField('AccessTokenValidity'),
      clientField('IdTokenValidity'),
      clientField('TokenValidityUnits.AccessToken'),
      clientField('Nested.AccessTokenValidity'),
    ]);

    expect(result).toEqual(['client.TokenValidityUnits.AccessToken', 'client.Nested.AccessTokenValidity']);
  });

  it('lets a leading * stand for either scope', () => {
    const m = matcher({ fields: ['*.UserPoolTags.CostCenter'] });

    const result = kept(m, [
      poolField('UserPoolTags.CostCenter'),
      clientField('UserPoolTags.CostCenter'),
      poolField('UserPoolTags.Owner'),
    ]);

    expect(result).toEqual(['pool.UserPoolTags.Owner']);
  });

  it('treats dots and other regex characters in a pattern literally', () => {
    const m = matcher({ fields: ['pool.A.B'] });

    const result = kept(m, [poolField('A.B'), poolField('AxB')]);

    expect(result).toEqual(['pool.AxB']);
  });

  it('does not match a prefix of a field without a glob', () => {
    const m = matcher({ fields: ['pool.UserPoolTags'] });

    const result = kept(m, [poolField('UserPoolTags.Owner')]);

    expect(result).toEqual(['pool.UserPoolTags.Owner']);
  });

  it('drops every change of a client matched by id or by name pattern, including its creation', () => {
    const m = matcher({ clients: ['test-*', '7d0a9bq1e7sl2kql1ka1fhk6ie'] });
    const testClient = { clientId: '1aaaaaaaaaaaaaaaaaaaaaaaaa', clientName: 'test-loadgen' };
    const byId = { clientId: '7d0a9bq1e7sl2kql1ka1fhk6ie', clientName: 'mobile-app' };

    const result = m.filter([
      clientField('CallbackURLs', testClient),
      { kind: 'client-added', ...scope, ...byId },
      clientField('CallbackURLs'),
      poolField('MfaConfiguration'),
    ]);

    expect(result).toEqual([clientField('CallbackURLs'), poolField('MfaConfiguration')]);
  });

  it('never drops a change without a path by a field rule (pool removal, secrets)', () => {
    const m = matcher({ fields: ['**'] });
    const changes: Change[] = [
      { kind: 'pool-removed', ...scope },
      { kind: 'secret-added', ...scope, ...web, secretId: 's1', createdAt: null },
    ];

    expect(m.filter(changes)).toEqual(changes);
  });

  it('keeps everything with no rules', () => {
    const changes = [poolField('UserPoolTags.Owner'), clientField('ClientName')];

    expect(new IgnoreMatcher(NO_IGNORE_RULES).filter(changes)).toEqual(changes);
  });
});

describe('IgnoreMatcher.ignoresPool', () => {
  it('matches a pool by id or by a name pattern with * for any characters', () => {
    const m = matcher({ pools: ['sandbox-*', 'eu-west-1_Legacy0001'] });

    expect(m.ignoresPool('eu-west-1_AAAA', 'sandbox-alice')).toBe(true);
    expect(m.ignoresPool('eu-west-1_Legacy0001', 'legacy')).toBe(true);
    expect(m.ignoresPool(POOL_ID, POOL_NAME)).toBe(false);
  });

  it('matches the whole name, not a substring', () => {
    const m = matcher({ pools: ['prod'] });

    expect(m.ignoresPool(POOL_ID, 'customers-prod')).toBe(false);
    expect(m.ignoresPool(POOL_ID, 'prod')).toBe(true);
  });
});

describe('IgnoreMatcher.unmatched', () => {
  it('reports the rules that matched nothing in the scanned pools (typos)', () => {
    const m = matcher({
      fields: ['pool.UserPoolTags.**', 'pool.UserPoolTagz.**', 'client.AnalyticsConfiguration.**'],
      pools: ['sandbox-*'],
      clients: ['web-*', 'wbe-*'],
    });
    const pool = poolSnapshot({ UserPoolTags: { Team: 'identity' }, MfaConfiguration: 'ON' }, [
      clientSnapshot(
        web.clientId,
        { AnalyticsConfiguration: { UserDataShared: true } },
        { clientName: 'web-portal' },
      ),
    ]);

    m.observe(pool);
    m.ignoresPool(POOL_ID, POOL_NAME);

    expect(m.unmatched()).toEqual(['fields: pool.UserPoolTagz.**', 'pools: sandbox-*', 'clients: wbe-*']);
  });

  it('counts a rule as used when it matched a change, a pool or an intermediate object path', () => {
    const m = matcher({ fields: ['pool.LambdaConfig'], pools: ['sandbox-*'], clients: [] });

    m.observe(
      poolSnapshot({ LambdaConfig: { PreSignUp: 'arn:aws:lambda:eu-west-1:123456789012:function:x' } }),
    );
    m.ignoresPool('eu-west-1_B', 'sandbox-bob');

    expect(m.unmatched()).toEqual([]);
  });

  it('reports every rule before anything was observed', () => {
    const m = matcher({ fields: ['pool.A'], pools: ['p'], clients: ['c'] });

    expect(m.unmatched()).toEqual(['fields: pool.A', 'pools: p', 'clients: c']);
  });
});

describe('parseIgnoreRules', () => {
  it('fills missing lists with empty ones', () => {
    expect(parseIgnoreRules('{"fields": ["pool.UserPoolTags.**"]}', 'ignore.json')).toEqual({
      fields: ['pool.UserPoolTags.**'],
      pools: [],
      clients: [],
    });
  });

  it('names the source when the text is not JSON', () => {
    expect(() => parseIgnoreRules('{fields: [', 'cdk.json ignoreRules')).toThrow(
      'cdk.json ignoreRules: ignore rules are not valid JSON',
    );
  });

  it('names the offending field and index in a schema error', () => {
    expect(() => parseIgnoreRules('{"fields": ["pool.A", ""]}', 'ignore.json')).toThrow(
      /^ignore\.json: fields\.1: /,
    );
    expect(() => parseIgnoreRules('{"pools": "sandbox-*"}', 'ignore.json')).toThrow(/^ignore\.json: pools: /);
  });

  it('names an unknown key such as a misspelt "feilds"', () => {
    expect(() => parseIgnoreRules('{"feilds": []}', 'ignore.json')).toThrow(/feilds/);
  });
});

describe('posture accept rules', () => {
  it('reads a file written before posture existed, unchanged, with no accept rule', () => {
    const old = '{"fields": ["pool.UserPoolTags.**"], "pools": ["sandbox-*"], "clients": ["load-test-*"]}';

    const rules = parseIgnoreRules(old, 'ignore.json');

    expect(rules).toEqual({
      fields: ['pool.UserPoolTags.**'],
      pools: ['sandbox-*'],
      clients: ['load-test-*'],
    });
    expect(new IgnoreMatcher(rules).acceptance(['Cognito.6'], ['us-east-1_Any'])).toBeUndefined();
  });

  it('accepts by control id and resource pattern, with the reason, and records the rule as used', () => {
    const rules = parseIgnoreRules(
      JSON.stringify({
        posture: [
          { control: 'Cognito.6', resource: 'us-east-1_Sandbox*', reason: 'torn down nightly' },
          { control: 'cognito_user_pool_mfa_enabled', resource: 'us-east-1_Prod1', reason: 'CHG-9' },
        ],
      }),
      'ignore.json',
    );
    const m = new IgnoreMatcher(rules);

    expect(
      m.acceptance(['Cognito.6', 'cognito_user_pool_deletion_protection_enabled'], ['us-east-1_Sandbox7']),
    ).toBe('torn down nightly');
    expect(m.acceptance(['Cognito.6'], ['us-east-1_Prod1'])).toBeUndefined();
    expect(m.acceptance(['Cognito.5'], ['us-east-1_Sandbox7'])).toBeUndefined();
    expect(m.unmatched()).toEqual(['posture: cognito_user_pool_mfa_enabled on us-east-1_Prod1']);
  });

  it.each([
    [{ control: 'Cognito 6', resource: 'p', reason: 'r' }, /posture\.0\.control: is not a control id/],
    [{ control: 'Cognito.6', resource: '', reason: 'r' }, /posture\.0\.resource: /],
    [
      { control: 'Cognito.6', resource: 'p', reason: '  ' },
      /posture\.0\.reason: is empty: say why the risk is accepted/,
    ],
    [{ control: 'Cognito.6', resource: 'p' }, /posture\.0\.reason: /],
    [{ control: 'Cognito.6', resource: 'p', reason: 'r', until: 'never' }, /posture\.0: .*until/],
  ])('refuses %j, naming the field', (rule, message) => {
    expect(() => parseIgnoreRules(JSON.stringify({ posture: [rule] }), 'ignore.json')).toThrow(message);
  });
});
