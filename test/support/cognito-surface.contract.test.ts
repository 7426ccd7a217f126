/**
 * One contract, two fakes: the HTTP stand-in (through the real SDK clients over the wire) and the
 * in-memory FakeAccount (the same SDK clients, stubbed) must answer the new operations alike.
 */
import {
  CognitoIdentityClient,
  DescribeIdentityPoolCommand,
  GetIdentityPoolRolesCommand,
  ListIdentityPoolsCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  CognitoIdentityProviderClient,
  DescribeIdentityProviderCommand,
  DescribeRiskConfigurationCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetLogDeliveryConfigurationCommand,
  GetUICustomizationCommand,
  GetUserPoolMfaConfigCommand,
  ListGroupsCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoStandin } from './cognito-standin.js';
import type { SeedIdentityPool, SurfaceSeed } from './cognito-surface.js';
import { ACCOUNT_ID, FakeAccount, REGION } from './fake-aws.js';

/** What the contract needs from either fake. */
interface Subject {
  addPool(seed: SurfaceSeed & { name: string; clients: string[] }): { poolId: string; clientIds: string[] };
  addIdentityPool(p: SeedIdentityPool): string;
  updateIdentityProvider(poolId: string, name: string, details: Record<string, string>): void;
  setWebAcl(poolId: string, name: string | null): void;
  fail(
    operation: 'GetWebACLForResource' | 'DescribeIdentityPool',
    error: string,
    match: Record<string, string>,
  ): void;
  idp: CognitoIdentityProviderClient;
  identity: CognitoIdentityClient;
  waf: WAFV2Client;
  close(): Promise<void>;
}

async function standinSubject(): Promise<Subject> {
  const s = await CognitoStandin.start({ latencyMs: 0, quotas: false });
  return {
    addPool: ({ clients, ...seed }) => {
      const poolId = s.addPool({ ...seed, clients: clients.map((name) => ({ name })) });
      return { poolId, clientIds: s.clientIds(poolId) };
    },
    addIdentityPool: (p) => s.addIdentityPool(p),
    updateIdentityProvider: (poolId, name, details) => s.updateIdentityProvider(poolId, name, { details }),
    setWebAcl: (poolId, name) => s.setWebAcl(poolId, name === null ? null : { name }),
    fail: (operation, error, match) =>
      s.failNext({ operation, error: error as 'AccessDeniedException', ...match }),
    idp: new CognitoIdentityProviderClient(s.clientConfig()),
    identity: new CognitoIdentityClient(s.identityClientConfig()),
    waf: new WAFV2Client(s.wafClientConfig()),
    close: async () => s.stop(),
  };
}

function fakeSubject(): Subject {
  const fake = new FakeAccount();
  const config = { region: REGION, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'x' } };
  return {
    addPool: ({ clients, name, ...seed }) => {
      const pool = fake.addPool({ name, ...seed });
      return {
        poolId: pool.poolId,
        clientIds: clients.map((n) => fake.addClient(pool.poolId, { name: n }).clientId),
      };
    },
    addIdentityPool: (p) => fake.addIdentityPool(p),
    updateIdentityProvider: (poolId, name, details) => fake.updateIdentityProvider(poolId, name, { details }),
    setWebAcl: (poolId, name) => fake.setWebAcl(poolId, name === null ? null : { name }),
    fail: (operation, error, match) => fake.fail(operation, { error, times: 1, ...match }),
    idp: new CognitoIdentityProviderClient(config),
    identity: new CognitoIdentityClient(config),
    waf: new WAFV2Client(config),
    close: async () => fake.restore(),
  };
}

const SEED: SurfaceSeed & { name: string; clients: string[] } = {
  name: 'contract',
  clients: ['web', 'mobile'],
  mfa: { MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } },
  riskConfiguration: { RiskExceptionConfiguration: { SkippedIPRangeList: ['10.0.0.0/8'] } },
  identityProviders: [
    { name: 'CorpSAML', type: 'SAML', details: { MetadataURL: 'https://idp.example/metadata' } },
    {
      name: 'Oidc',
      type: 'OIDC',
      details: { client_id: 'c', client_secret: 'CANARY_CONTRACT_SECRET', oidc_issuer: 'https://i' },
    },
  ],
  groups: [{ name: 'admins', roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/admin`, precedence: 1 }],
  resourceServers: [
    { identifier: 'https://api', name: 'api', scopes: [{ ScopeName: 'r', ScopeDescription: 'read' }] },
  ],
  domain: 'contract-domain',
  logDelivery: [{ LogLevel: 'ERROR', EventSource: 'userNotification' }],
  uiCustomization: { css: '.x{}', imageUrl: 'https://cdn/logo.png' },
  webAcl: { name: 'acl' },
};

/** Every call of the contract, in order, given a fresh subject. */
async function exercise(s: Subject) {
  const { poolId, clientIds } = s.addPool(SEED);
  const identityPoolId = s.addIdentityPool({
    name: 'contract_ip',
    allowUnauthenticated: true,
    roles: { authenticated: `arn:aws:iam::${ACCOUNT_ID}:role/auth` },
  });
  const arn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${poolId}`;
  return {
    poolId,
    identityPoolId,
    answers: {
      describePool: await s.idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
      mfa: await s.idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId })),
      risk: await s.idp.send(
        new DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientIds[0] }),
      ),
      idps: await s.idp.send(new ListIdentityProvidersCommand({ UserPoolId: poolId, MaxResults: 1 })),
      oidc: await s.idp.send(
        new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Oidc' }),
      ),
      resourceServers: await s.idp.send(new ListResourceServersCommand({ UserPoolId: poolId })),
      groups: await s.idp.send(new ListGroupsCommand({ UserPoolId: poolId })),
      domain: await s.idp.send(new DescribeUserPoolDomainCommand({ Domain: 'contract-domain' })),
      logs: await s.idp.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: poolId })),
      ui: await s.idp.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: clientIds[1] })),
      waf: await s.waf.send(new GetWebACLForResourceCommand({ ResourceArn: arn })),
      identityPools: await s.identity.send(new ListIdentityPoolsCommand({ MaxResults: 60 })),
      identityPool: await s.identity.send(
        new DescribeIdentityPoolCommand({ IdentityPoolId: identityPoolId }),
      ),
      roles: await s.identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId })),
    },
  };
}

/** The structure of a value: key names and leaf types, ids and dates blind. */
function shapeOf(value: unknown): unknown {
  if (value instanceof Date) return 'Date';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== '$metadata')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}

describe.each([
  ['the HTTP stand-in', standinSubject],
  ['the in-memory FakeAccount', async () => fakeSubject()],
])('surface contract: %s', (_name, make) => {
  let s: Subject;
  let run: Awaited<ReturnType<typeof exercise>>;

  beforeAll(async () => {
    s = await make();
    run = await exercise(s);
  });

  afterAll(async () => {
    s.idp.destroy();
    s.identity.destroy();
    s.waf.destroy();
    await s.close();
  });

  it('answers every new operation with the seeded values', () => {
    const a = run.answers;
    expect(a.describePool.UserPool?.Domain).toBe('contract-domain');
    expect(a.describePool.UserPool?.MfaConfiguration).toBe('ON');
    expect(a.mfa).toMatchObject({ MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } });
    expect(a.risk.RiskConfiguration?.ClientId).toBeUndefined();
    expect(a.risk.RiskConfiguration?.RiskExceptionConfiguration?.SkippedIPRangeList).toEqual(['10.0.0.0/8']);
    expect(a.idps.Providers?.map((p) => p.ProviderName)).toEqual(['CorpSAML']);
    expect(a.idps.NextToken).toBeDefined();
    expect(a.oidc.IdentityProvider?.ProviderDetails?.client_secret).toBe('CANARY_CONTRACT_SECRET');
    expect(a.resourceServers.ResourceServers?.[0]?.Scopes).toEqual([
      { ScopeName: 'r', ScopeDescription: 'read' },
    ]);
    expect(a.groups.Groups?.[0]).toMatchObject({ GroupName: 'admins', Precedence: 1 });
    expect(a.domain.DomainDescription?.UserPoolId).toBe(run.poolId);
    expect(a.logs.LogDeliveryConfiguration?.LogConfigurations).toEqual([
      { LogLevel: 'ERROR', EventSource: 'userNotification' },
    ]);
    expect(a.ui.UICustomization).toMatchObject({
      ClientId: 'ALL',
      CSS: '.x{}',
      ImageUrl: 'https://cdn/logo.png',
    });
    expect(a.ui.UICustomization?.LastModifiedDate).toBeInstanceOf(Date);
    expect(a.waf.WebACL?.Name).toBe('acl');
    expect(a.identityPools.IdentityPools).toEqual([
      { IdentityPoolId: run.identityPoolId, IdentityPoolName: 'contract_ip' },
    ]);
    expect(a.identityPool.AllowUnauthenticatedIdentities).toBe(true);
    expect(a.roles.Roles).toEqual({ authenticated: `arn:aws:iam::${ACCOUNT_ID}:role/auth` });
  });

  it('shows drift made through the mutators', async () => {
    s.updateIdentityProvider(run.poolId, 'Oidc', { oidc_issuer: 'https://attacker' });
    s.setWebAcl(run.poolId, null);
    const oidc = await s.idp.send(
      new DescribeIdentityProviderCommand({ UserPoolId: run.poolId, ProviderName: 'Oidc' }),
    );
    expect(oidc.IdentityProvider?.ProviderDetails?.oidc_issuer).toBe('https://attacker');
    const arn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${run.poolId}`;
    expect((await s.waf.send(new GetWebACLForResourceCommand({ ResourceArn: arn }))).WebACL).toBeUndefined();
  });

  it('fails like AWS: unknown things, and injected faults on the new operations', async () => {
    const missingPool = await s.idp
      .send(new ListGroupsCommand({ UserPoolId: `${REGION}_Missing01` }))
      .catch((e: Error) => e);
    expect((missingPool as Error).name).toBe('ResourceNotFoundException');
    const missingIdentity = await s.identity
      .send(
        new DescribeIdentityPoolCommand({ IdentityPoolId: `${REGION}:00000000-0000-4000-8000-000000000000` }),
      )
      .catch((e: Error & { $metadata: { httpStatusCode?: number } }) => e);
    expect((missingIdentity as Error).name).toBe('ResourceNotFoundException');
    expect((missingIdentity as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(
      404,
    );

    const arn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${run.poolId}`;
    s.fail('GetWebACLForResource', 'AccessDeniedException', { poolId: run.poolId });
    const denied = await s.waf
      .send(new GetWebACLForResourceCommand({ ResourceArn: arn }))
      .catch((e: Error) => e);
    expect((denied as Error).name).toBe('AccessDeniedException');
    await expect(s.waf.send(new GetWebACLForResourceCommand({ ResourceArn: arn }))).resolves.toBeDefined();

    s.fail('DescribeIdentityPool', 'ResourceNotFoundException', { identityPoolId: run.identityPoolId });
    const gone = await s.identity
      .send(new DescribeIdentityPoolCommand({ IdentityPoolId: run.identityPoolId }))
      .catch((e: Error) => e);
    expect((gone as Error).name).toBe('ResourceNotFoundException');
  });
});

describe('surface contract: the two fakes answer the same shapes', () => {
  it('gives the same keys and types for the same calls', async () => {
    const standin = await standinSubject();
    const viaWire = await exercise(standin);
    standin.idp.destroy();
    standin.identity.destroy();
    standin.waf.destroy();
    await standin.close();

    const fake = fakeSubject();
    try {
      const inMemory = await exercise(fake);
      // The fake's DescribeUserPool body is its own older default config; compare only what this model adds.
      const { describePool: a, ...wire } = viaWire.answers;
      const { describePool: b, ...memory } = inMemory.answers;
      expect(a.UserPool?.Domain).toBe(b.UserPool?.Domain);
      expect(shapeOf(memory)).toEqual(shapeOf(wire));
    } finally {
      fake.idp.destroy();
      fake.identity.destroy();
      fake.waf.destroy();
      await fake.close();
    }
  });
});
