import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DeleteIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  GetIdentityPoolRolesCommand,
  ResourceNotFoundException as IdentityResourceNotFound,
  SetIdentityPoolRolesCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  AddUserPoolClientSecretCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteGroupCommand,
  DeleteIdentityProviderCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolClientSecretCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeIdentityProviderCommand,
  DescribeRiskConfigurationCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DuplicateProviderException,
  GetLogDeliveryConfigurationCommand,
  GetUICustomizationCommand,
  GetUserPoolMfaConfigCommand,
  GroupExistsException,
  InvalidParameterException,
  LimitExceededException,
  ListGroupsCommand,
  ListResourceServersCommand,
  ListUserPoolClientSecretsCommand,
  ResourceNotFoundException,
  SetLogDeliveryConfigurationCommand,
  SetRiskConfigurationCommand,
  SetUICustomizationCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateIdentityProviderCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoStandin } from './cognito-standin.js';

let standin: CognitoStandin;
let idp: CognitoIdentityProviderClient;
let identity: CognitoIdentityClient;

beforeAll(async () => {
  standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
  idp = new CognitoIdentityProviderClient(standin.clientConfig());
  identity = new CognitoIdentityClient(standin.identityClientConfig());
});

afterAll(async () => {
  idp?.destroy();
  identity?.destroy();
  await standin?.stop();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

async function newPool(name = 'writes-pool'): Promise<string> {
  const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: name }));
  return UserPool?.Id ?? '';
}

describe('the stand-in accepts the writes of the AWS CLI (over the wire, real SDK clients)', () => {
  it('creates, updates and deletes a user pool; an update resets what it is not given', async () => {
    const { UserPool } = await idp.send(
      new CreateUserPoolCommand({
        PoolName: 'cli-pool',
        MfaConfiguration: 'OFF',
        UserPoolTags: { team: 'a' },
      }),
    );
    const poolId = UserPool?.Id ?? '';
    expect(poolId).toMatch(/^us-east-1_[0-9a-zA-Z]{9}$/);
    expect(standin.poolIds()).toContain(poolId);

    await idp.send(new UpdateUserPoolCommand({ UserPoolId: poolId, DeletionProtection: 'ACTIVE' }));
    const described = (await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool;
    expect(described?.DeletionProtection).toBe('ACTIVE');
    // Not given to UpdateUserPool: back to the default, as Cognito does.
    expect(described?.UserPoolTags).toEqual({});
    expect(described?.LastModifiedDate?.getTime()).toBeGreaterThan(
      UserPool?.LastModifiedDate?.getTime() ?? 0,
    );

    const refused = await failure(idp.send(new DeleteUserPoolCommand({ UserPoolId: poolId })));
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect((refused as Error).message).toContain('deletion protection');
    await idp.send(new UpdateUserPoolCommand({ UserPoolId: poolId, DeletionProtection: 'INACTIVE' }));
    await idp.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
    expect(standin.poolIds()).not.toContain(poolId);
  });

  it('answers bad input with the errors of the API, changing nothing', async () => {
    const before = standin.poolIds();
    expect(
      await failure(idp.send(new UpdateUserPoolCommand({ UserPoolId: 'us-east-1_Missing99' }))),
    ).toBeInstanceOf(ResourceNotFoundException);
    const badId = await failure(idp.send(new UpdateUserPoolCommand({ UserPoolId: 'not a pool id' })));
    expect(badId).toBeInstanceOf(InvalidParameterException);
    expect((badId as Error).message).toContain("at 'userPoolId' failed to satisfy constraint");
    expect(
      await failure(idp.send(new CreateUserPoolCommand({ PoolName: undefined as unknown as string }))),
    ).toBeInstanceOf(InvalidParameterException);
    const poolId = await newPool();
    expect(
      await failure(
        idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bad/name' })),
      ),
    ).toBeInstanceOf(InvalidParameterException);
    expect(
      await failure(
        idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);
    expect(standin.poolIds()).toEqual([...before, poolId]);
    expect(standin.clientIds(poolId)).toEqual([]);
  });

  it('creates, updates and deletes app clients and their secrets; the secret value only on creation', async () => {
    const poolId = await newPool();
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'backend',
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
      }),
    );
    const clientId = UserPoolClient?.ClientId ?? '';
    expect(UserPoolClient?.ClientSecret).toMatch(/^[a-z0-9]{52}$/);
    expect(UserPoolClient?.AllowedOAuthFlows).toEqual(['client_credentials']);
    const listSecrets = async () =>
      (await idp.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId })))
        .ClientSecrets ?? [];
    expect(await listSecrets()).toHaveLength(1);

    const added = await idp.send(
      new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId }),
    );
    expect(added.ClientSecretDescriptor?.ClientSecretValue).toMatch(/^[a-z0-9]{52}$/);
    expect(await listSecrets()).toHaveLength(2);
    expect(
      await failure(idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId }))),
    ).toBeInstanceOf(LimitExceededException);
    const [oldest] = await listSecrets();
    await idp.send(
      new DeleteUserPoolClientSecretCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ClientSecretId: oldest?.ClientSecretId,
      }),
    );
    expect((await listSecrets()).map((s) => s.ClientSecretId)).toEqual([
      added.ClientSecretDescriptor?.ClientSecretId,
    ]);
    // "You cannot delete the last remaining secret for an app client."
    expect(
      await failure(
        idp.send(
          new DeleteUserPoolClientSecretCommand({
            UserPoolId: poolId,
            ClientId: clientId,
            ClientSecretId: added.ClientSecretDescriptor?.ClientSecretId,
          }),
        ),
      ),
    ).toBeInstanceOf(InvalidParameterException);
    expect(await listSecrets()).toHaveLength(1);

    await idp.send(
      new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId, RefreshTokenValidity: 1 }),
    );
    const updated = (
      await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))
    ).UserPoolClient;
    expect(updated?.RefreshTokenValidity).toBe(1);
    expect(updated?.ClientName).toBe('backend');
    // Not given to UpdateUserPoolClient: removed, as Cognito does.
    expect(updated?.AllowedOAuthFlows).toBeUndefined();

    await idp.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
    expect(standin.clientIds(poolId)).toEqual([]);
  });

  it('gives a secret only to a client created with one (AddUserPoolClientSecret: "an existing confidential ... app client")', async () => {
    const poolId = await newPool();
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'spa' }),
    );
    const clientId = UserPoolClient?.ClientId ?? '';
    expect(UserPoolClient?.ClientSecret).toBeUndefined();

    expect(
      await failure(idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId }))),
    ).toBeInstanceOf(InvalidParameterException);
    const described = await idp.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
    );
    expect(described.UserPoolClient?.ClientSecret).toBeUndefined();
  });

  it('creates, updates and deletes groups and identity providers, refusing duplicates', async () => {
    const poolId = await newPool();
    await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Precedence: 1 }));
    expect(
      await failure(idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }))),
    ).toBeInstanceOf(GroupExistsException);
    await idp.send(
      new UpdateGroupCommand({
        UserPoolId: poolId,
        GroupName: 'admins',
        RoleArn: 'arn:aws:iam::123456789012:role/a',
      }),
    );
    const groups = (await idp.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups ?? [];
    expect(groups.map((g) => [g.GroupName, g.RoleArn])).toEqual([
      ['admins', 'arn:aws:iam::123456789012:role/a'],
    ]);
    await idp.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }));
    expect(
      await failure(idp.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }))),
    ).toBeInstanceOf(ResourceNotFoundException);

    const details = {
      client_id: 'sso',
      client_secret: 'shh',
      oidc_issuer: 'https://sso.example.com',
      authorize_scopes: 'openid',
    };
    await idp.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'CorpSSO',
        ProviderType: 'OIDC',
        ProviderDetails: details,
      }),
    );
    expect(
      await failure(
        idp.send(
          new CreateIdentityProviderCommand({
            UserPoolId: poolId,
            ProviderName: 'CorpSSO',
            ProviderType: 'OIDC',
            ProviderDetails: details,
          }),
        ),
      ),
    ).toBeInstanceOf(DuplicateProviderException);
    await idp.send(
      new UpdateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'CorpSSO',
        ProviderDetails: { oidc_issuer: 'https://evil.example.net' },
      }),
    );
    const provider = (
      await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'CorpSSO' }))
    ).IdentityProvider;
    expect(provider?.ProviderDetails).toMatchObject({
      oidc_issuer: 'https://evil.example.net',
      client_id: 'sso',
    });
    await idp.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'CorpSSO' }));
    expect(
      await failure(
        idp.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'CorpSSO' })),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('sets resource servers, MFA, threat protection, log export, hosted UI and domains', async () => {
    const poolId = await newPool();
    const scopes = [{ ScopeName: 'read', ScopeDescription: 'Read' }];
    await idp.send(
      new CreateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'https://api.example.com',
        Name: 'api',
        Scopes: scopes,
      }),
    );
    await idp.send(
      new UpdateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: 'https://api.example.com',
        Name: 'api-v2',
      }),
    );
    const servers = (await idp.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 10 })))
      .ResourceServers;
    expect(servers?.map((s) => [s.Name, s.Scopes?.length ?? 0])).toEqual([['api-v2', 0]]);

    await idp.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const mfa = await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    expect(mfa).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
    expect(
      (await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.MfaConfiguration,
    ).toBe('OPTIONAL');

    await idp.send(
      new SetRiskConfigurationCommand({
        UserPoolId: poolId,
        RiskExceptionConfiguration: { BlockedIPRangeList: ['203.0.113.0/24'] },
      }),
    );
    const risk = (await idp.send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId })))
      .RiskConfiguration;
    expect(risk?.RiskExceptionConfiguration?.BlockedIPRangeList).toEqual(['203.0.113.0/24']);

    const logs = [{ LogLevel: 'ERROR' as const, EventSource: 'userNotification' as const }];
    await idp.send(new SetLogDeliveryConfigurationCommand({ UserPoolId: poolId, LogConfigurations: logs }));
    expect(
      (await idp.send(new GetLogDeliveryConfigurationCommand({ UserPoolId: poolId })))
        .LogDeliveryConfiguration?.LogConfigurations,
    ).toEqual(logs);

    await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'writes-test-domain' }));
    expect((await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.Domain).toBe(
      'writes-test-domain',
    );
    await idp.send(
      new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.banner-customizable { color: red; }' }),
    );
    expect(
      (await idp.send(new GetUICustomizationCommand({ UserPoolId: poolId }))).UICustomization?.CSS,
    ).toContain('color: red');
    await idp.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'writes-test-domain' }));
    expect(
      (await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.Domain,
    ).toBeUndefined();
    expect(
      await failure(
        idp.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'writes-test-domain' })),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('creates, updates and deletes identity pools and sets their roles', async () => {
    const created = await identity.send(
      new CreateIdentityPoolCommand({ IdentityPoolName: 'mobile', AllowUnauthenticatedIdentities: false }),
    );
    const id = created.IdentityPoolId ?? '';
    expect(id).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    await identity.send(
      new UpdateIdentityPoolCommand({
        IdentityPoolId: id,
        IdentityPoolName: 'mobile',
        AllowUnauthenticatedIdentities: true,
      }),
    );
    expect(
      (await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id })))
        .AllowUnauthenticatedIdentities,
    ).toBe(true);
    await identity.send(
      new SetIdentityPoolRolesCommand({
        IdentityPoolId: id,
        Roles: { authenticated: 'arn:aws:iam::123456789012:role/auth' },
      }),
    );
    expect((await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: id }))).Roles).toEqual({
      authenticated: 'arn:aws:iam::123456789012:role/auth',
    });
    await identity.send(new DeleteIdentityPoolCommand({ IdentityPoolId: id }));
    expect(
      await failure(identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }))),
    ).toBeInstanceOf(IdentityResourceNotFound);
  });
});
