import type { UserPoolClientType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { normalizeClient, normalizePool, normalizeResource } from '../../../lambda/core/normalize.js';
import {
  describeMobileClientResponse,
  describeUserPoolResponse,
  describeWebClientResponse,
  listWebClientSecretsResponse,
  MOBILE_CLIENT_ID,
  PLANTED_CLIENT_SECRET,
  PLANTED_DESCRIPTOR_SECRET,
  POOL_ID,
  POOL_NAME,
  SECRET_ID_NEW,
  SECRET_ID_OLD,
  WEB_CLIENT_ID,
} from '../../fixtures/cognito-responses.js';

describe('normalizeClient', () => {
  it('turns a DescribeUserPoolClient response into the stored shape, field by field', () => {
    const client = normalizeClient(describeWebClientResponse(), listWebClientSecretsResponse());

    expect(client).toEqual({
      clientId: WEB_CLIENT_ID,
      clientName: 'web-portal',
      config: {
        AccessTokenValidity: 60,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['email', 'openid', 'profile'],
        AuthSessionValidity: 3,
        CallbackURLs: ['https://admin.example.com/auth/callback', 'https://portal.example.com/auth/callback'],
        ClientName: 'web-portal',
        EnablePropagateAdditionalUserContextData: false,
        EnableTokenRevocation: true,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
        IdTokenValidity: 60,
        LogoutURLs: ['https://portal.example.com/signed-out'],
        PreventUserExistenceErrors: 'ENABLED',
        ReadAttributes: ['custom:tenant_id', 'email', 'email_verified'],
        RefreshTokenValidity: 30,
        SupportedIdentityProviders: ['COGNITO'],
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
        WriteAttributes: ['email'],
      },
      secrets: {
        [SECRET_ID_OLD]: { createdAt: '2024-11-13T10:20:00.000Z' },
        [SECRET_ID_NEW]: { createdAt: '2025-06-01T00:00:00.000Z' },
      },
    });
  });

  it.each(['ClientSecret', 'ClientId', 'UserPoolId', 'LastModifiedDate', 'CreationDate'])(
    'drops the volatile client field %s from the config',
    (field) => {
      const client = normalizeClient(describeWebClientResponse(), []);

      expect(client.config).not.toHaveProperty(field);
    },
  );

  it('never lets the client secret value into the snapshot', () => {
    const client = normalizeClient(describeWebClientResponse(), listWebClientSecretsResponse());
    const pool = normalizePool(describeUserPoolResponse(), [client]);

    expect(JSON.stringify(client)).not.toContain(PLANTED_CLIENT_SECRET);
    expect(JSON.stringify(pool)).not.toContain(PLANTED_CLIENT_SECRET);
  });

  it('keeps only the id and ISO creation date of a secret even when the descriptor carries its value', () => {
    const client = normalizeClient(describeWebClientResponse(), [
      {
        ClientSecretId: SECRET_ID_NEW,
        ClientSecretValue: PLANTED_DESCRIPTOR_SECRET,
        ClientSecretCreateDate: new Date(Date.UTC(2025, 5, 1, 12, 30, 0)),
      },
    ]);

    expect(client.secrets).toEqual({ [SECRET_ID_NEW]: { createdAt: '2025-06-01T12:30:00.000Z' } });
    expect(JSON.stringify(client)).not.toContain(PLANTED_DESCRIPTOR_SECRET);
  });

  it('records a secret without a usable creation date as createdAt null and skips one without an id', () => {
    const client = normalizeClient(describeWebClientResponse(), [
      { ClientSecretId: 'no-date' },
      { ClientSecretId: 'bad-date', ClientSecretCreateDate: new Date('not a date') },
      { ClientSecretCreateDate: new Date('2025-01-01T00:00:00.000Z') },
    ]);

    expect(client.secrets).toEqual({ 'bad-date': { createdAt: null }, 'no-date': { createdAt: null } });
  });

  it('gives an identical snapshot when set-like lists come back in another order', () => {
    const original = describeWebClientResponse();
    const reordered: UserPoolClientType = {
      ...describeWebClientResponse(),
      CallbackURLs: [...(original.CallbackURLs ?? [])].reverse(),
      ExplicitAuthFlows: [...(original.ExplicitAuthFlows ?? [])].reverse(),
      AllowedOAuthScopes: ['profile', 'openid', 'email'],
      ReadAttributes: ['email_verified', 'custom:tenant_id', 'email'],
    };

    const a = normalizeClient(original, listWebClientSecretsResponse());
    const b = normalizeClient(reordered, [...listWebClientSecretsResponse()].reverse());

    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('treats an empty list or object the same as an absent one', () => {
    const absent = describeMobileClientResponse();
    const empty: UserPoolClientType = {
      ...describeMobileClientResponse(),
      CallbackURLs: [],
      LogoutURLs: [],
      AllowedOAuthScopes: [],
      AnalyticsConfiguration: {},
    };

    expect(normalizeClient(empty, [])).toEqual(normalizeClient(absent, []));
    expect(normalizeClient(empty, []).config).not.toHaveProperty('CallbackURLs');
    expect(normalizeClient(empty, []).config).not.toHaveProperty('AnalyticsConfiguration');
  });

  it('does not mutate the response or the secret descriptors it was given', () => {
    const response = describeWebClientResponse();
    response.CallbackURLs = ['https://z.example.com/cb', 'https://a.example.com/cb'];
    const secrets = listWebClientSecretsResponse();
    const responseBefore = structuredClone(response);
    const secretsBefore = structuredClone(secrets);

    normalizeClient(response, secrets);

    expect(response).toEqual(responseBefore);
    expect(response.CallbackURLs).toEqual(['https://z.example.com/cb', 'https://a.example.com/cb']);
    expect(secrets).toEqual(secretsBefore);
  });

  it('refuses a response without a ClientId', () => {
    const response = describeWebClientResponse();
    delete response.ClientId;

    expect(() => normalizeClient(response, [])).toThrow(/without a ClientId/);
  });
});

describe('normalizePool', () => {
  it.each([
    'Id',
    'Name',
    'Arn',
    'EstimatedNumberOfUsers',
    'LastModifiedDate',
    'CreationDate',
    'Status',
    'SmsConfigurationFailure',
    'EmailConfigurationFailure',
  ])('drops the volatile pool field %s from the config', (field) => {
    const response: UserPoolType = {
      ...describeUserPoolResponse(),
      SmsConfigurationFailure: 'SNS is in sandbox mode',
      EmailConfigurationFailure: 'SES identity not verified',
    };

    const pool = normalizePool(response, []);

    expect(pool.config).not.toHaveProperty(field);
  });

  it('keeps the pool id and name beside the config', () => {
    const pool = normalizePool(describeUserPoolResponse(), []);

    expect(pool.poolId).toBe(POOL_ID);
    expect(pool.poolName).toBe(POOL_NAME);
  });

  it('gives the same snapshot when only volatile fields changed', () => {
    const later: UserPoolType = {
      ...describeUserPoolResponse(),
      EstimatedNumberOfUsers: 51877,
      LastModifiedDate: new Date('2025-04-01T00:00:00.000Z'),
      Status: 'Disabled',
    };

    expect(normalizePool(later, [])).toEqual(normalizePool(describeUserPoolResponse(), []));
  });

  it('keeps configuration fields, nested, with their values', () => {
    const pool = normalizePool(describeUserPoolResponse(), []);

    expect(pool.config.MfaConfiguration).toBe('ON');
    expect(pool.config.DeletionProtection).toBe('ACTIVE');
    expect(pool.config.Policies).toEqual({
      PasswordPolicy: {
        MinimumLength: 12,
        PasswordHistorySize: 5,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        RequireUppercase: true,
        TemporaryPasswordValidityDays: 7,
      },
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
    });
    expect(pool.config.UserPoolTags).toEqual({ CostCenter: 'cc-4410', Environment: 'prod' });
  });

  it('sorts SchemaAttributes by Name and recovery mechanisms by Priority', () => {
    const pool = normalizePool(describeUserPoolResponse(), []);

    const names = (pool.config.SchemaAttributes as { Name: string }[]).map((a) => a.Name);
    expect(names).toEqual(['custom:tenant_id', 'email', 'email_verified', 'sub', 'updated_at']);
    expect(pool.config.AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [
        { Name: 'verified_email', Priority: 1 },
        { Name: 'verified_phone_number', Priority: 2 },
      ],
    });
  });

  it('gives an identical snapshot when SchemaAttributes and recovery mechanisms are reordered', () => {
    const original = describeUserPoolResponse();
    const reordered: UserPoolType = {
      ...describeUserPoolResponse(),
      SchemaAttributes: [...(original.SchemaAttributes ?? [])].reverse(),
      AccountRecoverySetting: {
        RecoveryMechanisms: [...(original.AccountRecoverySetting?.RecoveryMechanisms ?? [])].reverse(),
      },
    };

    expect(normalizePool(reordered, [])).toEqual(normalizePool(original, []));
  });

  it('orders recovery mechanisms by numeric Priority, not text (2 before 10)', () => {
    const pool = normalizePool(
      {
        Id: POOL_ID,
        AccountRecoverySetting: {
          RecoveryMechanisms: [
            { Priority: 10, Name: 'verified_phone_number' },
            { Priority: 2, Name: 'verified_email' },
          ],
        },
      },
      [],
    );

    expect(pool.config.AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [
        { Name: 'verified_email', Priority: 2 },
        { Name: 'verified_phone_number', Priority: 10 },
      ],
    });
  });

  it('treats an empty LambdaConfig or tag map the same as an absent one', () => {
    const withEmpty: UserPoolType = { ...describeUserPoolResponse(), LambdaConfig: {}, UserPoolTags: {} };
    const without = describeUserPoolResponse();
    delete without.LambdaConfig;
    delete without.UserPoolTags;

    expect(normalizePool(withEmpty, [])).toEqual(normalizePool(without, []));
    expect(normalizePool(withEmpty, []).config).not.toHaveProperty('LambdaConfig');
  });

  it('keys clients by id in id order', () => {
    const web = normalizeClient(describeWebClientResponse(), []);
    const mobile = normalizeClient(describeMobileClientResponse(), []);

    const pool = normalizePool(describeUserPoolResponse(), [mobile, web]);

    expect(Object.keys(pool.clients)).toEqual([WEB_CLIENT_ID, MOBILE_CLIENT_ID]);
    expect(pool.clients[MOBILE_CLIENT_ID]).toBe(mobile);
  });

  it('does not mutate the response or the client list it was given', () => {
    const response = describeUserPoolResponse();
    const before = structuredClone(response);
    const clients = [
      normalizeClient(describeMobileClientResponse(), []),
      normalizeClient(describeWebClientResponse(), []),
    ];
    const clientOrder = clients.map((c) => c.clientId);

    normalizePool(response, clients);

    expect(response).toEqual(before);
    expect(response.SchemaAttributes?.[0]?.Name).toBe('sub');
    expect(clients.map((c) => c.clientId)).toEqual(clientOrder);
  });

  it('refuses a response without an Id', () => {
    const response = describeUserPoolResponse();
    delete response.Id;

    expect(() => normalizePool(response, [])).toThrow(/without an Id/);
  });
});

describe('normalizeResource', () => {
  const provider = () => ({
    ProviderName: 'Okta',
    ProviderType: 'OIDC',
    ProviderDetails: {
      client_id: 'app',
      client_secret: 'CANARY-idp-secret-7f3a',
      oidc_issuer: 'https://idp.example',
    },
    LastModifiedDate: new Date('2026-01-01T00:00:00Z'),
    $metadata: { httpStatusCode: 200 },
  });
  const spec = {
    volatile: ['ProviderName', 'LastModifiedDate'],
    secrets: ['ProviderDetails.client_secret'],
    salt: 'pool/Okta',
  };

  it('replaces a secret by a salted digest and leaves the caller object as it was', () => {
    const source = provider();
    const config = normalizeResource(source, spec);

    expect(JSON.stringify(config)).not.toContain('CANARY-idp-secret-7f3a');
    expect((config.ProviderDetails as Record<string, string>).client_secret).toMatch(
      /^secret-sha256:[0-9a-f]{64}$/,
    );
    expect(config).not.toHaveProperty('ProviderName');
    expect(config).not.toHaveProperty('$metadata');
    expect(source).toEqual(provider());
  });

  it('gives the same digest for the same secret and another for a rotated one or another resource', () => {
    const digestOf = (secret: string, salt = spec.salt) => {
      const source = provider();
      source.ProviderDetails.client_secret = secret;
      return (normalizeResource(source, { ...spec, salt }).ProviderDetails as Record<string, string>)
        .client_secret;
    };
    expect(digestOf('one')).toBe(digestOf('one'));
    expect(digestOf('two')).not.toBe(digestOf('one'));
    expect(digestOf('one', 'pool/Other')).not.toBe(digestOf('one'));
  });

  it('keeps a large value as its digest and size only', () => {
    const config = normalizeResource({ CSS: '.banner { color: red }' }, { digests: ['CSS'], salt: 'p' });
    expect(config.CSS).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: 22 });
  });
});
