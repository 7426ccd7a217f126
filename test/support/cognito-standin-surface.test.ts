import {
  CognitoIdentityClient,
  DescribeIdentityPoolCommand,
  GetIdentityPoolRolesCommand,
  ResourceNotFoundException as IdentityPoolNotFound,
  TooManyRequestsException as IdentityTooManyRequests,
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
  InvalidParameterException,
  ListGroupsCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  GetWebACLForResourceCommand,
  ListResourcesForWebACLCommand,
  ListWebACLsCommand,
  WAFInternalErrorException,
  WAFInvalidParameterException,
  WAFNonexistentItemException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CognitoStandin } from './cognito-standin.js';

type Failure = Error & { name: string; $metadata: { httpStatusCode?: number } };

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    return e as Failure;
  }
  throw new Error('expected the call to fail');
}

/** Counts of fulfilled and rejected calls, and the rejections. */
async function settle(calls: Promise<unknown>[]) {
  const results = await Promise.allSettled(calls);
  const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Failure] : []));
  return { ok: results.length - rejected.length, rejected };
}

const arnOf = (s: CognitoStandin, poolId: string) =>
  `arn:aws:cognito-idp:${s.region}:${s.accountId}:userpool/${poolId}`;

describe('CognitoStandin: the rest of the user-pool surface, identity pools and WAF over the wire', () => {
  let standin: CognitoStandin;
  let idp: CognitoIdentityProviderClient;
  let identity: CognitoIdentityClient;
  let waf: WAFV2Client;
  let pool: string;
  let client: string;
  let otherClient: string;

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
    idp = new CognitoIdentityProviderClient(standin.clientConfig());
    identity = new CognitoIdentityClient(standin.identityClientConfig());
    waf = new WAFV2Client(standin.wafClientConfig());
    pool = standin.addPool({
      name: 'surface',
      config: { MfaConfiguration: 'ON' },
      mfa: {
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: { Subject: 'Your code', Message: 'Code {####}' },
        WebAuthnConfiguration: { RelyingPartyId: 'auth.example.com', UserVerification: 'required' },
      },
      riskConfiguration: {
        RiskExceptionConfiguration: { SkippedIPRangeList: ['10.0.0.0/8'], BlockedIPRangeList: [] },
        CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      },
      identityProviders: [
        { name: 'CorpSAML', type: 'SAML' },
        {
          name: 'PartnerOIDC',
          type: 'OIDC',
          details: {
            client_id: 'partner',
            client_secret: 'CANARY_IDP_SECRET_0001',
            oidc_issuer: 'https://p.example',
          },
        },
      ],
      groups: [{ name: 'admins', roleArn: 'arn:aws:iam::123456789012:role/admin', precedence: 0 }],
      resourceServers: [{ identifier: 'https://api.example.com', name: 'api', scopes: [] }],
      domain: 'surface-auth',
      customDomain: {
        domain: 'auth.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/c1',
      },
      logDelivery: [
        {
          LogLevel: 'INFO',
          EventSource: 'userAuthEvents',
          S3Configuration: { BucketArn: 'arn:aws:s3:::auth-logs' },
        },
      ],
      uiCustomization: {
        css: '.banner-customizable { color: red; }',
        imageUrl: 'https://cdn.example.com/logo.png',
      },
      webAcl: { name: 'pool-acl', description: 'rate limits' },
      clients: [
        {
          name: 'own-config',
          riskConfiguration: { RiskExceptionConfiguration: { SkippedIPRangeList: ['192.0.2.0/24'] } },
          uiCustomization: { css: '.submitButton-customizable { color: blue; }' },
        },
        { name: 'inherits' },
      ],
    });
    [client = '', otherClient = ''] = standin.clientIds(pool);
  });

  afterAll(async () => {
    idp?.destroy();
    identity?.destroy();
    waf?.destroy();
    await standin?.stop();
  });

  it('answers GetUserPoolMfaConfig in step with DescribeUserPool, and after setMfa', async () => {
    const mfa = await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool }));
    expect(mfa.MfaConfiguration).toBe('ON');
    expect(mfa.SoftwareTokenMfaConfiguration).toEqual({ Enabled: true });
    expect(mfa.WebAuthnConfiguration).toEqual({
      RelyingPartyId: 'auth.example.com',
      UserVerification: 'required',
    });
    expect(mfa.EmailMfaConfiguration?.Subject).toBe('Your code');

    standin.setMfa(pool, { MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: false } });
    const after = await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool }));
    expect(after.MfaConfiguration).toBe('OPTIONAL');
    expect(after.SoftwareTokenMfaConfiguration).toEqual({ Enabled: false });
    const described = await idp.send(new DescribeUserPoolCommand({ UserPoolId: pool }));
    expect(described.UserPool?.MfaConfiguration).toBe('OPTIONAL');
  });

  it('answers DescribeRiskConfiguration for the pool, a client with its own, and a client without (the pool’s)', async () => {
    const own = await idp.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool, ClientId: client }));
    expect(own.RiskConfiguration?.ClientId).toBe(client);
    expect(own.RiskConfiguration?.RiskExceptionConfiguration?.SkippedIPRangeList).toEqual(['192.0.2.0/24']);

    const inherited = await idp.send(
      new DescribeRiskConfigurationCommand({ UserPoolId: pool, ClientId: otherClient }),
    );
    expect(inherited.RiskConfiguration?.ClientId).toBeUndefined();
    expect(inherited.RiskConfiguration?.RiskExceptionConfiguration?.SkippedIPRangeList).toEqual([
      '10.0.0.0/8',
    ]);
    expect(inherited.RiskConfiguration?.LastModifiedDate).toBeInstanceOf(Date);

    standin.setRiskConfiguration(pool, {
      RiskExceptionConfiguration: { SkippedIPRangeList: ['0.0.0.0/0'] },
    });
    const pooled = await idp.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool }));
    expect(pooled.RiskConfiguration?.RiskExceptionConfiguration?.SkippedIPRangeList).toEqual(['0.0.0.0/0']);

    const missing = await failure(
      idp.send(new DescribeRiskConfigurationCommand({ UserPoolId: pool, ClientId: 'nosuchclient' })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('returns an OIDC identity provider’s client_secret in plain text, like AWS', async () => {
    const out = await idp.send(
      new DescribeIdentityProviderCommand({ UserPoolId: pool, ProviderName: 'PartnerOIDC' }),
    );
    expect(out.IdentityProvider?.ProviderType).toBe('OIDC');
    expect(out.IdentityProvider?.ProviderDetails?.client_secret).toBe('CANARY_IDP_SECRET_0001');
    expect(out.IdentityProvider?.CreationDate).toBeInstanceOf(Date);

    standin.updateIdentityProvider(pool, 'PartnerOIDC', { details: { oidc_issuer: 'https://evil.example' } });
    const changed = await idp.send(
      new DescribeIdentityProviderCommand({ UserPoolId: pool, ProviderName: 'PartnerOIDC' }),
    );
    expect(changed.IdentityProvider?.ProviderDetails?.oidc_issuer).toBe('https://evil.example');
    expect(changed.IdentityProvider?.ProviderDetails?.client_secret).toBe('CANARY_IDP_SECRET_0001');

    const saml = await idp.send(
      new DescribeIdentityProviderCommand({ UserPoolId: pool, ProviderName: 'CorpSAML' }),
    );
    expect(saml.IdentityProvider?.ProviderDetails?.MetadataURL).toMatch(/^https:\/\//);
    const gone = await failure(
      idp.send(new DescribeIdentityProviderCommand({ UserPoolId: pool, ProviderName: 'Nobody' })),
    );
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages ListIdentityProviders (MaxResults 1..60)', async () => {
    const big = standin.addPool({
      name: 'many-idps',
      identityProviders: Array.from({ length: 65 }, (_, i) => ({ name: `Idp${i}`, type: 'SAML' as const })),
    });
    const first = await idp.send(new ListIdentityProvidersCommand({ UserPoolId: big, MaxResults: 60 }));
    expect(first.Providers).toHaveLength(60);
    expect(first.NextToken).toBeDefined();
    const second = await idp.send(
      new ListIdentityProvidersCommand({ UserPoolId: big, MaxResults: 60, NextToken: first.NextToken }),
    );
    expect(second.Providers?.map((p) => p.ProviderName)).toEqual([
      'Idp60',
      'Idp61',
      'Idp62',
      'Idp63',
      'Idp64',
    ]);
    expect(second.NextToken).toBeUndefined();
    for (const bad of [0, 61]) {
      const err = await failure(
        idp.send(new ListIdentityProvidersCommand({ UserPoolId: big, MaxResults: bad })),
      );
      expect(err).toBeInstanceOf(InvalidParameterException);
    }
    // A token of another pool's listing is refused.
    const foreign = await failure(
      idp.send(new ListIdentityProvidersCommand({ UserPoolId: pool, NextToken: first.NextToken })),
    );
    expect(foreign).toBeInstanceOf(InvalidParameterException);
  });

  it('pages ListResourceServers (MaxResults 1..50, default 50) and ListGroups (Limit up to 60)', async () => {
    const big = standin.addPool({
      name: 'many-resources',
      resourceServers: Array.from({ length: 55 }, (_, i) => ({
        identifier: `https://rs${i}.example`,
        name: `rs${i}`,
      })),
      groups: Array.from({ length: 61 }, (_, i) => ({ name: `g${i}`, precedence: i })),
    });
    const rs1 = await idp.send(new ListResourceServersCommand({ UserPoolId: big }));
    expect(rs1.ResourceServers).toHaveLength(50);
    const rs2 = await idp.send(new ListResourceServersCommand({ UserPoolId: big, NextToken: rs1.NextToken }));
    expect(rs2.ResourceServers).toHaveLength(5);
    expect(rs2.NextToken).toBeUndefined();
    expect(
      await failure(idp.send(new ListResourceServersCommand({ UserPoolId: big, MaxResults: 51 }))),
    ).toBeInstanceOf(InvalidParameterException);

    const g1 = await idp.send(new ListGroupsCommand({ UserPoolId: big, Limit: 60 }));
    expect(g1.Groups).toHaveLength(60);
    const g2 = await idp.send(new ListGroupsCommand({ UserPoolId: big, Limit: 60, NextToken: g1.NextToken }));
    expect(g2.Groups?.map((g) => g.GroupName)).toEqual(['g60']);
    expect(await failure(idp.send(new ListGroupsCommand({ UserPoolId: big, Limit: 61 })))).toBeInstanceOf(
      InvalidParameterException,
    );

    standin.updateGroup(pool, 'admins', { roleArn: 'arn:aws:iam::123456789012:role/AdministratorAccess' });
    const groups = await idp.send(new ListGroupsCommand({ UserPoolId: pool }));
    expect(groups.Groups?.[0]).toMatchObject({
      GroupName: 'admins',
      RoleArn: 'arn:aws:iam::123456789012:role/AdministratorAccess',
      Precedence: 0,
    });
    expect(groups.Groups?.[0]?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it('describes the prefix and custom domains that DescribeUserPool reports', async () => {
    const described = await idp.send(new DescribeUserPoolCommand({ UserPoolId: pool }));
    expect(described.UserPool?.Domain).toBe('surface-auth');
    expect(described.UserPool?.CustomDomain).toBe('auth.example.com');

    const prefix = await idp.send(new DescribeUserPoolDomainCommand({ Domain: 'surface-auth' }));
    expect(prefix.DomainDescription).toMatchObject({
      UserPoolId: pool,
      Domain: 'surface-auth',
      Status: 'ACTIVE',
    });
    expect(prefix.DomainDescription?.CustomDomainConfig).toBeUndefined();
    const custom = await idp.send(new DescribeUserPoolDomainCommand({ Domain: 'auth.example.com' }));
    expect(custom.DomainDescription?.CustomDomainConfig?.CertificateArn).toBe(
      'arn:aws:acm:us-east-1:123456789012:certificate/c1',
    );
    expect(custom.DomainDescription?.CloudFrontDistribution).toMatch(/\.cloudfront\.net$/);

    standin.setCustomDomain(pool, {
      domain: 'auth.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/c2',
    });
    const swapped = await idp.send(new DescribeUserPoolDomainCommand({ Domain: 'auth.example.com' }));
    expect(swapped.DomainDescription?.CustomDomainConfig?.CertificateArn).toMatch(/certificate\/c2$/);

    const nobody = await idp.send(new DescribeUserPoolDomainCommand({ Domain: 'nobody-owns-this' }));
    expect(nobody.DomainDescription).toEqual({});
  });

  it('answers GetLogDeliveryConfiguration, also once log export is removed', async () => {
    const out = await idp.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: pool }));
    expect(out.LogDeliveryConfiguration?.LogConfigurations).toEqual([
      {
        LogLevel: 'INFO',
        EventSource: 'userAuthEvents',
        S3Configuration: { BucketArn: 'arn:aws:s3:::auth-logs' },
      },
    ]);
    standin.setLogDelivery(pool, null);
    const removed = await idp.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: pool }));
    expect(removed.LogDeliveryConfiguration).toEqual({ UserPoolId: pool, LogConfigurations: [] });
  });

  it('answers GetUICustomization for the pool and per client, with CSS, ImageUrl and dates', async () => {
    const pooled = await idp.send(new GetUICustomizationCommand({ UserPoolId: pool }));
    expect(pooled.UICustomization).toMatchObject({
      UserPoolId: pool,
      ClientId: 'ALL',
      CSS: '.banner-customizable { color: red; }',
      ImageUrl: 'https://cdn.example.com/logo.png',
    });
    expect(pooled.UICustomization?.CreationDate).toBeInstanceOf(Date);
    expect(pooled.UICustomization?.LastModifiedDate).toBeInstanceOf(Date);
    const own = await idp.send(new GetUICustomizationCommand({ UserPoolId: pool, ClientId: client }));
    expect(own.UICustomization).toMatchObject({
      ClientId: client,
      CSS: '.submitButton-customizable { color: blue; }',
    });
    const inherited = await idp.send(
      new GetUICustomizationCommand({ UserPoolId: pool, ClientId: otherClient }),
    );
    expect(inherited.UICustomization?.ClientId).toBe('ALL');
    expect(inherited.UICustomization?.CSS).toBe(pooled.UICustomization?.CSS);
  });

  it('answers GetWebACLForResource with the pool’s web ACL, nothing once removed, and WAFNonexistentItemException for no pool', async () => {
    const out = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, pool) }));
    expect(out.WebACL).toMatchObject({
      Name: 'pool-acl',
      Description: 'rate limits',
      DefaultAction: { Allow: {} },
    });
    expect(out.WebACL?.ARN).toMatch(/^arn:aws:wafv2:us-east-1:123456789012:regional\/webacl\/pool-acl\//);
    expect(out.WebACL?.Id).toBeDefined();

    standin.setWebAcl(pool, { name: 'other-acl' });
    const swapped = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, pool) }));
    expect(swapped.WebACL?.Name).toBe('other-acl');
    standin.setWebAcl(pool, null);
    const none = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, pool) }));
    expect(none.WebACL).toBeUndefined();

    const err = await failure(
      waf.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, 'us-east-1_Missing01') })),
    );
    expect(err).toBeInstanceOf(WAFNonexistentItemException);
  });

  it('lists regional web ACLs by Limit and NextMarker, and the user pools of each; one ACL per name', async () => {
    standin.setWebAcl(pool, { name: 'pool-acl' });
    const shared = standin.addPool({ name: 'shares-acl', webAcl: { name: 'pool-acl' } });
    const others = ['acl-b', 'acl-c'].map((name) => standin.addPool({ name: `p-${name}`, webAcl: { name } }));

    const first = await waf.send(new ListWebACLsCommand({ Scope: 'REGIONAL', Limit: 2 }));
    const second = await waf.send(
      new ListWebACLsCommand({ Scope: 'REGIONAL', Limit: 2, NextMarker: first.NextMarker }),
    );

    expect(first.WebACLs?.map((a) => a.Name)).toEqual(['acl-b', 'acl-c']);
    expect(first.NextMarker).toBeDefined();
    expect(second.WebACLs?.map((a) => a.Name)).toEqual(['pool-acl']);
    expect(second.NextMarker).toBeUndefined();
    const acl = second.WebACLs?.[0]?.ARN;
    const pools = await waf.send(
      new ListResourcesForWebACLCommand({ WebACLArn: acl, ResourceType: 'COGNITO_USER_POOL' }),
    );
    expect(pools.ResourceArns?.sort()).toEqual([arnOf(standin, pool), arnOf(standin, shared)].sort());
    // Without a resource type WAF lists load balancers: none here.
    const albs = await waf.send(new ListResourcesForWebACLCommand({ WebACLArn: acl }));
    expect(albs.ResourceArns).toEqual([]);
    expect(others).toHaveLength(2);
    const badLimit = await failure(waf.send(new ListWebACLsCommand({ Scope: 'REGIONAL', Limit: 101 })));
    expect(badLimit).toBeInstanceOf(WAFInvalidParameterException);
    const badMarker = await failure(
      waf.send(new ListWebACLsCommand({ Scope: 'REGIONAL', NextMarker: 'not-a-marker' })),
    );
    expect(badMarker).toBeInstanceOf(WAFInvalidParameterException);
    const unknown = await failure(
      waf.send(
        new ListResourcesForWebACLCommand({
          WebACLArn:
            'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/gone/00000000-0000-4000-8000-000000000000',
          ResourceType: 'COGNITO_USER_POOL',
        }),
      ),
    );
    expect(unknown).toBeInstanceOf(WAFNonexistentItemException);
    standin.failNext({ operation: 'ListWebACLs', error: 'WAFInternalErrorException' });
    const injected = await failure(waf.send(new ListWebACLsCommand({ Scope: 'REGIONAL' })));
    expect(injected).toBeInstanceOf(WAFInternalErrorException);
  });

  it('pages ListIdentityPools (MaxResults 1..60, required), describes one and its roles', async () => {
    const ids = Array.from({ length: 65 }, (_, i) =>
      standin.addIdentityPool({
        name: `ip_${i}`,
        allowUnauthenticated: i === 3,
        roles: { authenticated: `arn:aws:iam::123456789012:role/ip-${i}-auth` },
      }),
    );
    expect(ids[0]).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    const first = await identity.send(new ListIdentityPoolsCommand({ MaxResults: 60 }));
    expect(first.IdentityPools).toHaveLength(60);
    const second = await identity.send(
      new ListIdentityPoolsCommand({ MaxResults: 60, NextToken: first.NextToken }),
    );
    expect(second.IdentityPools).toHaveLength(5);
    expect(second.NextToken).toBeUndefined();
    expect(
      [...(first.IdentityPools ?? []), ...(second.IdentityPools ?? [])].map((p) => p.IdentityPoolId),
    ).toEqual(standin.identityPoolIds());
    for (const bad of [{ MaxResults: 0 }, { MaxResults: 61 }, {} as { MaxResults: number }]) {
      expect((await failure(identity.send(new ListIdentityPoolsCommand(bad)))).name).toBe(
        'InvalidParameterException',
      );
    }

    const id = ids[3] ?? '';
    const described = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }));
    expect(described).toMatchObject({
      IdentityPoolId: id,
      IdentityPoolName: 'ip_3',
      AllowUnauthenticatedIdentities: true,
    });
    standin.updateIdentityPool(id, {
      allowClassicFlow: true,
      samlProviderArns: ['arn:aws:iam::123456789012:saml-provider/x'],
    });
    standin.setIdentityPoolRoles(
      id,
      { authenticated: 'arn:aws:iam::123456789012:role/admin' },
      { 'graph.facebook.com': { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' } },
    );
    const after = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }));
    expect(after.AllowClassicFlow).toBe(true);
    expect(after.SamlProviderARNs).toEqual(['arn:aws:iam::123456789012:saml-provider/x']);
    const roles = await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: id }));
    expect(roles.Roles).toEqual({ authenticated: 'arn:aws:iam::123456789012:role/admin' });
    expect(roles.RoleMappings?.['graph.facebook.com']?.Type).toBe('Token');

    const missing = await failure(
      identity.send(
        new DescribeIdentityPoolCommand({ IdentityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000' }),
      ),
    );
    expect(missing).toBeInstanceOf(IdentityPoolNotFound);
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });

  it('serves all three services on one port through AWS_ENDPOINT_URL_<SERVICE>', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, standin.endpointEnv());
    try {
      const creds = { accessKeyId: 'AKIAENVCLIENT0000002', secretAccessKey: 'fake' };
      const i = new CognitoIdentityClient({ region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      const w = new WAFV2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      await i.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
      await w.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, pool) }));
      i.destroy();
      w.destroy();
      const last = standin.requests.slice(-2);
      expect(last.map((r) => [r.service, r.operation])).toEqual([
        ['cognito-identity', 'ListIdentityPools'],
        ['wafv2', 'GetWebACLForResource'],
      ]);
      expect(last.every((r) => r.accessKeyId === 'AKIAENVCLIENT0000002')).toBe(true);
    } finally {
      for (const k of Object.keys(standin.endpointEnv())) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('refuses an operation under another service’s X-Amz-Target prefix', async () => {
    const res = await fetch(standin.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.ListIdentityPools',
      },
      body: JSON.stringify({ MaxResults: 1 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('injects faults on the new operations, per pool and per identity pool', async () => {
    standin.resetStats();
    const other = standin.addPool({ name: 'fault-free', webAcl: { name: 'x' } });
    standin.failNext({ operation: 'GetWebACLForResource', poolId: pool, error: 'AccessDeniedException' });
    const denied = await failure(
      waf.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, pool) })),
    );
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain('wafv2:GetWebACLForResource');
    await expect(
      waf.send(new GetWebACLForResourceCommand({ ResourceArn: arnOf(standin, other) })),
    ).resolves.toBeDefined();

    const id = standin.identityPoolIds()[0] ?? '';
    standin.failNext({ identityPoolId: id, error: 'ResourceNotFoundException', times: 2 });
    expect(
      await failure(identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: id }))),
    ).toBeInstanceOf(IdentityPoolNotFound);
    expect(
      await failure(identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }))),
    ).toBeInstanceOf(IdentityPoolNotFound);
    await expect(
      identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id })),
    ).resolves.toBeDefined();

    const s = standin.stats;
    expect(s.injected).toBe(3);
    expect(s.calls).toMatchObject({
      GetWebACLForResource: 2,
      GetIdentityPoolRoles: 1,
      DescribeIdentityPool: 2,
    });
    expect(s.errors).toMatchObject({ AccessDeniedException: 1, ResourceNotFoundException: 2 });
  });
});

describe('CognitoStandin: quotas of the new operations (counted, with refill made negligible)', () => {
  let standin: CognitoStandin;
  let idp: CognitoIdentityProviderClient;
  let identity: CognitoIdentityClient;
  let waf: WAFV2Client;
  let pools: string[];

  // A refill of one token per 8192 s: what a burst gets is exactly the bucket's capacity (powers of two: exact).
  const SLOW = 1 / 8192;
  const BURST = 8192; // capacity = rps × BURST: 1 token per SLOW

  beforeAll(async () => {
    // The stand-in's clock stands still: no token refills between the calls of a test.
    standin = await CognitoStandin.start({ latencyMs: 0, quotas: true, now: () => 0 });
    pools = standin.seedFullSurface({ pools: 3, clientsPerPool: 2, identityPools: 2 }).poolIds;
    idp = new CognitoIdentityProviderClient(standin.clientConfig());
    identity = new CognitoIdentityClient(standin.identityClientConfig());
    waf = new WAFV2Client(standin.wafClientConfig());
  });

  beforeEach(() => {
    standin.configure({ burstSeconds: BURST, quotaOverrides: {} });
    standin.resetStats();
  });

  afterAll(async () => {
    idp?.destroy();
    identity?.destroy();
    waf?.destroy();
    await standin?.stop();
  });

  it('limits each UserPoolResourceRead operation per pool, separately from the other operations', async () => {
    // 3 per pool and operation, 100 for the account.
    standin.configure({
      quotaOverrides: { UserPoolResourceRead: { rps: 100 * SLOW, perPoolPerOperationRps: 3 * SLOW } },
    });
    const [a = '', b = ''] = pools;
    const groups = await settle(
      Array.from({ length: 7 }, () => idp.send(new ListGroupsCommand({ UserPoolId: a }))),
    );
    expect(groups.ok).toBe(3);
    expect(groups.rejected).toHaveLength(4);
    for (const e of groups.rejected) {
      expect(e).toBeInstanceOf(TooManyRequestsException);
      expect(e.$metadata.httpStatusCode).toBe(400);
    }
    // Another operation on the same pool, and the same operation on another pool, have their own buckets.
    await expect(idp.send(new ListResourceServersCommand({ UserPoolId: a }))).resolves.toBeDefined();
    await expect(idp.send(new ListGroupsCommand({ UserPoolId: b }))).resolves.toBeDefined();

    const s = standin.stats;
    expect(s.throttledByOperation).toEqual({ ListGroups: 4 });
    expect(s.byPoolOperation[a]?.ListGroups).toMatchObject({ calls: 7, admitted: 3, throttled: 4 });
    expect(s.byCategory.UserPoolResourceRead).toMatchObject({ calls: 9, admitted: 5, throttled: 4 });
    expect(standin.requests.filter((r) => r.throttledBy === 'pool')).toHaveLength(4);
  });

  it('shares the account-level UserPoolResourceRead bucket across pools and operations', async () => {
    standin.configure({
      quotaOverrides: { UserPoolResourceRead: { rps: 4 * SLOW, perPoolPerOperationRps: 100 * SLOW } },
    });
    const calls = pools.flatMap((p) => [
      idp.send(new ListGroupsCommand({ UserPoolId: p })),
      idp.send(new ListIdentityProvidersCommand({ UserPoolId: p })),
    ]);
    const { ok, rejected } = await settle(calls);
    expect(ok).toBe(4);
    expect(rejected).toHaveLength(2);
    expect(standin.requests.filter((r) => r.throttledBy === 'account')).toHaveLength(2);
    // UserPoolRead is another bucket.
    await expect(idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pools[0] }))).resolves.toBeDefined();
  });

  it('throttles identity-pool operations with 429 TooManyRequestsException, each operation on its own', async () => {
    standin.configure({ quotaOverrides: { 'IdentityPool.DescribeIdentityPool': { rps: 2 * SLOW } } });
    const id = standin.identityPoolIds()[0] ?? '';
    const r = await settle(
      Array.from({ length: 5 }, () => identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }))),
    );
    expect(r.ok).toBe(2);
    expect(r.rejected).toHaveLength(3);
    for (const e of r.rejected) {
      expect(e).toBeInstanceOf(IdentityTooManyRequests);
      expect(e.$metadata.httpStatusCode).toBe(429);
    }
    await expect(
      identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: id })),
    ).resolves.toBeDefined();
    expect(standin.stats.byCategory['IdentityPool.DescribeIdentityPool']).toMatchObject({
      admitted: 2,
      throttled: 3,
    });
  });

  it('throttles GetWebACLForResource (1 request per second by default) with ThrottlingException', async () => {
    // The documented rate (1/s) with a 1 s burst: one call is admitted.
    standin.configure({ burstSeconds: 1 });
    const arn = arnOf(standin, pools[0] ?? '');
    const first = await settle([waf.send(new GetWebACLForResourceCommand({ ResourceArn: arn }))]);
    expect(first.ok).toBe(1);
    standin.configure({
      burstSeconds: BURST,
      quotaOverrides: { 'WAFv2.GetWebACLForResource': { rps: SLOW } },
    });
    const r = await settle(
      Array.from({ length: 4 }, () => waf.send(new GetWebACLForResourceCommand({ ResourceArn: arn }))),
    );
    expect(r.ok).toBe(Math.floor(SLOW * BURST));
    expect(r.rejected).toHaveLength(4 - Math.floor(SLOW * BURST));
    for (const e of r.rejected) expect(e.name).toBe('ThrottlingException');
  });

  it('uses the documented rates of lambda/adapters/quotas.ts by default', async () => {
    standin.configure({ burstSeconds: 1 });
    standin.resetStats();
    // 12 at once on one pool and operation, and no time passes: the per-pool bucket (5) admits 5.
    const r = await settle(
      Array.from({ length: 12 }, () => idp.send(new ListResourceServersCommand({ UserPoolId: pools[1] }))),
    );
    expect(r.ok).toBe(5);
    expect(r.rejected).toHaveLength(7);
    expect(r.rejected.every((e) => e instanceof TooManyRequestsException)).toBe(true);
  });
});

describe('CognitoStandin.seedFullSurface', () => {
  it('seeds the benchmark’s account: 30 pools × 5 clients, 2 IdPs, 3 groups, 1 resource server, a domain, 10 identity pools', async () => {
    const standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
    const idp = new CognitoIdentityProviderClient(standin.clientConfig());
    try {
      const { poolIds, identityPoolIds } = standin.seedFullSurface();
      expect(poolIds).toHaveLength(30);
      expect(identityPoolIds).toHaveLength(10);
      for (const p of poolIds) {
        expect(standin.clientIds(p)).toHaveLength(5);
        const described = await idp.send(new DescribeUserPoolCommand({ UserPoolId: p }));
        const domain = described.UserPool?.Domain ?? '';
        expect(domain).not.toBe('');
        const d = await idp.send(new DescribeUserPoolDomainCommand({ Domain: domain }));
        expect(d.DomainDescription?.UserPoolId).toBe(p);
        const idps = await idp.send(new ListIdentityProvidersCommand({ UserPoolId: p }));
        expect(idps.Providers?.map((x) => x.ProviderType)).toEqual(['SAML', 'OIDC']);
        expect((await idp.send(new ListGroupsCommand({ UserPoolId: p }))).Groups).toHaveLength(3);
        expect(
          (await idp.send(new ListResourceServersCommand({ UserPoolId: p }))).ResourceServers,
        ).toHaveLength(1);
      }
      const oidc = await idp.send(
        new DescribeIdentityProviderCommand({ UserPoolId: poolIds[0], ProviderName: 'PartnerOIDC' }),
      );
      expect(oidc.IdentityProvider?.ProviderDetails?.client_secret).toMatch(/^[a-z0-9]{40}$/);
    } finally {
      idp.destroy();
      await standin.stop();
    }
  });
});
