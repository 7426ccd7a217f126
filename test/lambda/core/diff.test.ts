import { describe, expect, it } from 'vitest';
import { diffPool } from '../../../lambda/core/diff.js';
import type { JsonObject } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import { POOL_ID, POOL_NAME } from '../../fixtures/cognito-responses.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';

const POOL = { poolId: POOL_ID, poolName: POOL_NAME };
const WEB = { clientId: 'webclient000000000000000001', clientName: 'web-portal' };

const poolConfig: JsonObject = {
  DeletionProtection: 'ACTIVE',
  MfaConfiguration: 'ON',
  Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true } },
  UserPoolTags: { Environment: 'prod' },
};
const webConfig: JsonObject = {
  CallbackURLs: ['https://portal.example.com/cb'],
  ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
  RefreshTokenValidity: 30,
};

function web(config: JsonObject = webConfig, secrets = {}) {
  return clientSnapshot(WEB.clientId, config, { clientName: WEB.clientName, secrets });
}

describe('diffPool', () => {
  it('returns no changes for two equal snapshots', () => {
    const baseline = poolSnapshot(poolConfig, [web()]);
    const current = structuredClone(baseline);

    expect(diffPool(baseline, current, CATALOG)).toEqual([]);
  });

  it('returns no changes when neither side exists', () => {
    expect(diffPool(null, null, CATALOG)).toEqual([]);
  });

  it('reports a pool with no baseline as pool-added', () => {
    expect(diffPool(null, poolSnapshot(poolConfig), CATALOG)).toEqual([{ kind: 'pool-added', ...POOL }]);
  });

  it('reports a pool that no longer exists as pool-removed', () => {
    expect(diffPool(poolSnapshot(poolConfig), null, CATALOG)).toEqual([{ kind: 'pool-removed', ...POOL }]);
  });

  it('reports a new app client as client-added with its id and name', () => {
    const changes = diffPool(poolSnapshot(poolConfig), poolSnapshot(poolConfig, [web()]), CATALOG);

    expect(changes).toEqual([{ kind: 'client-added', ...POOL, ...WEB, settings: expect.any(Object) }]);
  });

  it("carries a new client's risky settings: flows, scopes, redirect hosts, token lifetimes, secret count", () => {
    const config: JsonObject = {
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['implicit', 'code'],
      AllowedOAuthScopes: ['openid', 'aws.cognito.signin.user.admin'],
      CallbackURLs: ['https://Evil.example.net/cb', 'https://evil.example.net/other', 'myapp://callback'],
      DefaultRedirectURI: 'http://localhost:3000/cb',
      LogoutURLs: ['https://portal.example.com/bye'],
      AccessTokenValidity: 5,
      RefreshTokenValidity: 3650,
      TokenValidityUnits: { AccessToken: 'minutes', RefreshToken: 'days' },
    };
    const client = web(config, { sec1: { createdAt: '2026-01-01T00:00:00.000Z' } });

    const [change] = diffPool(poolSnapshot(poolConfig), poolSnapshot(poolConfig, [client]), CATALOG);

    expect(change).toMatchObject({ kind: 'client-added' });
    expect(change?.kind === 'client-added' && change.settings).toEqual({
      authFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
      oauthEnabled: true,
      oauthFlows: ['code', 'implicit'],
      oauthScopes: ['aws.cognito.signin.user.admin', 'openid'],
      callbackHosts: ['evil.example.net', 'http://localhost:3000', 'myapp://callback'],
      logoutHosts: ['portal.example.com'],
      tokens: {
        access: { value: 5, unit: 'minutes', isDefault: false },
        id: { value: 1, unit: 'hours', isDefault: true },
        refresh: { value: 3650, unit: 'days', isDefault: false },
      },
      secrets: 1,
    });
  });

  it('says a new public client has no secret and OAuth off when OAuth is not allowed', () => {
    const config: JsonObject = { AllowedOAuthFlows: ['code'], ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] };

    const [change] = diffPool(poolSnapshot(poolConfig), poolSnapshot(poolConfig, [web(config)]), CATALOG);

    expect(change?.kind === 'client-added' && change.settings).toMatchObject({
      oauthEnabled: false,
      oauthFlows: ['code'],
      callbackHosts: [],
      secrets: 0,
    });
  });

  it('reports a deleted app client as client-removed with its id and name', () => {
    const changes = diffPool(poolSnapshot(poolConfig, [web()]), poolSnapshot(poolConfig), CATALOG);

    expect(changes).toEqual([{ kind: 'client-removed', ...POOL, ...WEB }]);
  });

  it('reports a changed top-level pool field with its path, old and new value', () => {
    const current = poolSnapshot({ ...poolConfig, MfaConfiguration: 'OPTIONAL' });

    const changes = diffPool(poolSnapshot(poolConfig), current, CATALOG);

    expect(changes).toEqual([
      { kind: 'field-changed', ...POOL, path: 'MfaConfiguration', before: 'ON', after: 'OPTIONAL' },
    ]);
  });

  it('reports a changed nested field with its full dotted path', () => {
    const current = poolSnapshot({
      ...poolConfig,
      Policies: { PasswordPolicy: { MinimumLength: 8, RequireSymbols: true } },
    });

    const changes = diffPool(poolSnapshot(poolConfig), current, CATALOG);

    expect(changes).toEqual([
      { kind: 'field-changed', ...POOL, path: 'Policies.PasswordPolicy.MinimumLength', before: 12, after: 8 },
    ]);
  });

  it('reports a field that appeared or disappeared with undefined on the missing side', () => {
    const { DeletionProtection: _dropped, ...withoutProtection } = poolConfig;
    const current = poolSnapshot({ ...withoutProtection, Domain: 'customers-auth' });

    const changes = diffPool(poolSnapshot(poolConfig), current, CATALOG);

    expect(changes).toEqual([
      { kind: 'field-changed', ...POOL, path: 'DeletionProtection', before: 'ACTIVE', after: undefined },
      { kind: 'field-changed', ...POOL, path: 'Domain', before: undefined, after: 'customers-auth' },
    ]);
  });

  it('reports a client field change in the scope of that client', () => {
    const current = poolSnapshot(poolConfig, [web({ ...webConfig, RefreshTokenValidity: 90 })]);

    const changes = diffPool(poolSnapshot(poolConfig, [web()]), current, CATALOG);

    expect(changes).toEqual([
      { kind: 'field-changed', ...POOL, ...WEB, path: 'RefreshTokenValidity', before: 30, after: 90 },
    ]);
  });

  it('reports items added to and removed from one list as a single list-changed', () => {
    const current = poolSnapshot(poolConfig, [
      web({ ...webConfig, ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'] }),
    ]);

    const changes = diffPool(poolSnapshot(poolConfig, [web()]), current, CATALOG);

    expect(changes).toEqual([
      {
        kind: 'list-changed',
        ...POOL,
        ...WEB,
        path: 'ExplicitAuthFlows',
        added: ['ALLOW_USER_PASSWORD_AUTH'],
        removed: ['ALLOW_USER_SRP_AUTH'],
      },
    ]);
  });

  it('reports several items added to a list in one list-changed', () => {
    const current = poolSnapshot(poolConfig, [
      web({
        ...webConfig,
        CallbackURLs: [
          'https://a.example.net/cb',
          'https://b.example.net/cb',
          'https://portal.example.com/cb',
        ],
      }),
    ]);

    const changes = diffPool(poolSnapshot(poolConfig, [web()]), current, CATALOG);

    expect(changes).toEqual([
      {
        kind: 'list-changed',
        ...POOL,
        ...WEB,
        path: 'CallbackURLs',
        added: ['https://a.example.net/cb', 'https://b.example.net/cb'],
        removed: [],
      },
    ]);
  });

  it('reports a list that appeared as list-changed with every item added', () => {
    const current = poolSnapshot(poolConfig, [
      web({ ...webConfig, LogoutURLs: ['https://portal.example.com/'] }),
    ]);

    const changes = diffPool(poolSnapshot(poolConfig, [web()]), current, CATALOG);

    expect(changes).toEqual([
      {
        kind: 'list-changed',
        ...POOL,
        ...WEB,
        path: 'LogoutURLs',
        added: ['https://portal.example.com/'],
        removed: [],
      },
    ]);
  });

  it('reports a changed element of an object list as the old element removed and the new one added', () => {
    const email = { Name: 'email', Mutable: true, Required: true };
    const sub = { Name: 'sub', Mutable: false, Required: true };
    const baseline = poolSnapshot({ SchemaAttributes: [email, sub] });
    const current = poolSnapshot({ SchemaAttributes: [{ ...email, Mutable: false }, sub] });

    const changes = diffPool(baseline, current, CATALOG);

    expect(changes).toEqual([
      {
        kind: 'list-changed',
        ...POOL,
        path: 'SchemaAttributes',
        added: [{ Name: 'email', Mutable: false, Required: true }],
        removed: [{ Name: 'email', Mutable: true, Required: true }],
      },
    ]);
  });

  it('flattens a nested object that appeared (LambdaConfig) into one change per leaf', () => {
    const current = poolSnapshot({
      ...poolConfig,
      LambdaConfig: {
        PreSignUp: 'arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up',
        PreTokenGenerationConfig: {
          LambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:pre-token',
          LambdaVersion: 'V2_0',
        },
      },
    });

    const changes = diffPool(poolSnapshot(poolConfig), current, CATALOG);

    expect(changes).toEqual([
      {
        kind: 'field-changed',
        ...POOL,
        path: 'LambdaConfig.PreSignUp',
        before: undefined,
        after: 'arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up',
      },
      {
        kind: 'field-changed',
        ...POOL,
        path: 'LambdaConfig.PreTokenGenerationConfig.LambdaArn',
        before: undefined,
        after: 'arn:aws:lambda:eu-west-1:123456789012:function:pre-token',
      },
      {
        kind: 'field-changed',
        ...POOL,
        path: 'LambdaConfig.PreTokenGenerationConfig.LambdaVersion',
        before: undefined,
        after: 'V2_0',
      },
    ]);
  });

  it('flattens a nested object that disappeared into one change per leaf', () => {
    const { UserPoolTags: _tags, ...withoutTags } = poolConfig;

    const changes = diffPool(poolSnapshot(poolConfig), poolSnapshot(withoutTags), CATALOG);

    expect(changes).toEqual([
      { kind: 'field-changed', ...POOL, path: 'UserPoolTags.Environment', before: 'prod', after: undefined },
    ]);
  });

  it('reports a new client secret with its id and creation date', () => {
    const old = { 'secret-old': { createdAt: '2024-11-13T10:20:00.000Z' } };
    const rotated = { ...old, 'secret-new': { createdAt: '2025-06-01T00:00:00.000Z' } };

    const changes = diffPool(
      poolSnapshot(poolConfig, [web(webConfig, old)]),
      poolSnapshot(poolConfig, [web(webConfig, rotated)]),
      CATALOG,
    );

    expect(changes).toEqual([
      {
        kind: 'secret-added',
        ...POOL,
        ...WEB,
        secretId: 'secret-new',
        createdAt: '2025-06-01T00:00:00.000Z',
      },
    ]);
  });

  it('reports a deleted client secret with its id and creation date', () => {
    const both = {
      'secret-old': { createdAt: '2024-11-13T10:20:00.000Z' },
      'secret-new': { createdAt: '2025-06-01T00:00:00.000Z' },
    };

    const changes = diffPool(
      poolSnapshot(poolConfig, [web(webConfig, both)]),
      poolSnapshot(poolConfig, [web(webConfig, { 'secret-new': both['secret-new'] })]),
      CATALOG,
    );

    expect(changes).toEqual([
      {
        kind: 'secret-removed',
        ...POOL,
        ...WEB,
        secretId: 'secret-old',
        createdAt: '2024-11-13T10:20:00.000Z',
      },
    ]);
  });

  it('names a renamed client by its new name', () => {
    const renamed = clientSnapshot(
      WEB.clientId,
      { ...webConfig, ClientName: 'portal' },
      { clientName: 'portal' },
    );

    const changes = diffPool(
      poolSnapshot(poolConfig, [web({ ...webConfig, ClientName: 'web-portal' })]),
      poolSnapshot(poolConfig, [renamed]),
      CATALOG,
    );

    expect(changes).toEqual([
      {
        kind: 'field-changed',
        ...POOL,
        clientId: WEB.clientId,
        clientName: 'portal',
        path: 'ClientName',
        before: 'web-portal',
        after: 'portal',
      },
    ]);
  });

  it('orders changes pool first, then clients by id, fields by path, whatever the input order', () => {
    const a = clientSnapshot('aaaaclient', { Z: 1, A: 1 });
    const b = clientSnapshot('bbbbclient', { Q: 1 });
    const baseline = poolSnapshot({ Zeta: 1, Alpha: 1 }, [b, a]);
    const current = poolSnapshot({ Alpha: 2, Zeta: 2 }, [
      clientSnapshot('bbbbclient', { Q: 2 }),
      clientSnapshot('aaaaclient', { A: 2, Z: 2 }),
      clientSnapshot('ccccclient', {}),
    ]);

    const changes = diffPool(baseline, current, CATALOG);

    expect(changes.map((c) => [c.kind, c.clientId ?? '', 'path' in c ? c.path : ''])).toEqual([
      ['field-changed', '', 'Alpha'],
      ['field-changed', '', 'Zeta'],
      ['field-changed', 'aaaaclient', 'A'],
      ['field-changed', 'aaaaclient', 'Z'],
      ['field-changed', 'bbbbclient', 'Q'],
      ['client-added', 'ccccclient', ''],
    ]);
  });

  it('does not modify the snapshots it compares', () => {
    const baseline = poolSnapshot(poolConfig, [web()]);
    const current = poolSnapshot({ ...poolConfig, MfaConfiguration: 'OFF' }, [
      web({ ...webConfig, CallbackURLs: ['https://x.example.com/cb'] }),
    ]);
    const copies = structuredClone([baseline, current]);

    diffPool(baseline, current, CATALOG);

    expect([baseline, current]).toEqual(copies);
  });
});
