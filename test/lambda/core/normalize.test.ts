import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import type { UserPoolClientType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { diffPool } from '../../../lambda/core/diff.js';
import { DigestKey, DigestKeyError, withDigestKey } from '../../../lambda/core/digest-key.js';
import {
  normalizeClient,
  normalizePool,
  normalizeResource,
  upgradeLegacyDigests,
} from '../../../lambda/core/normalize.js';
import { describeChange } from '../../../lambda/core/render.js';
import type { Change, JsonObject, PoolSnapshot } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
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
import { TEST_DIGEST_KEY } from '../../support/digest-key.js';

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
  const keyed = <T>(read: () => T, key = TEST_DIGEST_KEY) => withDigestKey(key, read);

  it('replaces a secret by a keyed digest and leaves the caller object as it was', () => {
    const source = provider();
    const config = keyed(() => normalizeResource(source, spec));

    expect(JSON.stringify(config)).not.toContain('CANARY-idp-secret-7f3a');
    expect((config.ProviderDetails as Record<string, string>).client_secret).toMatch(
      /^secret-hmac-sha256:v1:[0-9a-f]{64}$/,
    );
    expect(config).not.toHaveProperty('ProviderName');
    expect(config).not.toHaveProperty('$metadata');
    expect(source).toEqual(provider());
  });

  it('gives the same digest for the same secret and another for a rotated one, another resource or another key', () => {
    const digestOf = (secret: string, salt = spec.salt, key = TEST_DIGEST_KEY) => {
      const source = provider();
      source.ProviderDetails.client_secret = secret;
      return (
        keyed(() => normalizeResource(source, { ...spec, salt }), key).ProviderDetails as Record<
          string,
          string
        >
      ).client_secret;
    };
    expect(digestOf('one')).toBe(digestOf('one'));
    expect(digestOf('two')).not.toBe(digestOf('one'));
    expect(digestOf('one', 'pool/Other')).not.toBe(digestOf('one'));
    expect(digestOf('one', spec.salt, new DigestKey('another-key-'.repeat(4), 'a test'))).not.toBe(
      digestOf('one'),
    );
  });

  it('keeps a large value as its keyed digest and size only', () => {
    const config = keyed(() =>
      normalizeResource({ CSS: '.banner { color: red }' }, { digests: ['CSS'], salt: 'p' }),
    );
    expect(config.CSS).toEqual({ digest: expect.stringMatching(/^hmac-sha256:v1:[0-9a-f]{64}$/), bytes: 22 });
    expect(JSON.stringify(config)).not.toContain(sha256('.banner { color: red }'));
  });

  it('refuses to digest without a key, naming what is missing', () => {
    expect(() => normalizeResource(provider(), spec)).toThrow(DigestKeyError);
    expect(() => normalizeResource(provider(), spec)).toThrow(/No digest key/);
    // Nothing to digest, nothing needed.
    expect(normalizeResource({ GroupName: 'g', RoleArn: 'arn:r' }, { salt: 'p' })).toEqual({
      GroupName: 'g',
      RoleArn: 'arn:r',
    });
  });

  it('keeps the key out of JSON, inspection and error messages', () => {
    const key = new DigestKey('CANARY-digest-key-material-3b1d-0000000', 'a test');
    expect(JSON.stringify({ key })).not.toContain('CANARY');
    expect(inspect(key, { showHidden: true, depth: 5 })).not.toContain('CANARY');
    expect(() => new DigestKey('CANARY-short', 'the secret arn:aws:secretsmanager:x')).toThrow(
      /too short \(12 characters, at least 32\)/,
    );
    expect(() => new DigestKey('CANARY-short', 'x')).not.toThrow(/CANARY/);
  });
});

describe('a stored secret digest (issue 17: "recovered from its stored digest")', () => {
  const SALT = 'eu-west-1_Pool00001/Okta';
  const PATH = 'ProviderDetails.client_secret';
  const WEAK_SECRET = 'Autumn2025!';
  const read = (secret: string) =>
    withDigestKey(TEST_DIGEST_KEY, () =>
      normalizeResource(
        { ProviderType: 'OIDC', ProviderDetails: { client_id: 'app', client_secret: secret } },
        { secrets: [PATH], salt: SALT },
      ),
    );
  const stored = (config: JsonObject) =>
    (config.ProviderDetails as Record<string, string>).client_secret as string;
  /** The earlier release's digest, computed here independently of the code under test. */
  const legacyDigest = (secret: string) => `secret-sha256:${sha256(`${SALT}\u0000${PATH}\u0000${secret}`)}`;

  it('cannot be matched by a dictionary attack on what the document holds (salt and digest) without the key', () => {
    const digest = stored(read(WEAK_SECRET));
    const [, , hex] = /^(secret-hmac-sha256:v1:)([0-9a-f]{64})$/.exec(digest) ?? [];
    expect(hex).toBeDefined();
    // The attack of the issue: every guess, salted as the document shows, hashed, compared.
    const guesses = ['password', 'Summer2025!', WEAK_SECRET, 'Winter2025!'];
    for (const guess of guesses) {
      for (const material of [`${SALT}\u0000${PATH}\u0000${guess}`, `${SALT}/${guess}`, guess]) {
        expect(sha256(material)).not.toBe(hex);
        // Even knowing the scheme, an attacker without the key gets another digest.
        expect(createHmac('sha256', 'guessed-key').update(material).digest('hex')).not.toBe(hex);
      }
    }
    expect(digest).not.toContain(WEAK_SECRET);
  });

  it("reads an earlier release's baseline and finds no change for an unchanged secret", () => {
    const baselineConfig: JsonObject = {
      ProviderType: 'OIDC',
      ProviderDetails: { client_id: 'app', client_secret: legacyDigest(WEAK_SECRET) },
    };
    const current = read(WEAK_SECRET);

    const changes = diffPool(poolWithIdp(baselineConfig), poolWithIdp(current), CATALOG);

    expect(changes).toEqual([]);
    // The next baseline write stores the keyed digest only.
    expect(upgradeLegacyDigests(baselineConfig, current)).toEqual(current);
  });

  it('still reports a secret changed across the upgrade, without showing either digest', () => {
    const baselineConfig: JsonObject = {
      ProviderType: 'OIDC',
      ProviderDetails: { client_id: 'app', client_secret: legacyDigest('the-old-secret') },
    };

    const changes = diffPool(poolWithIdp(baselineConfig), poolWithIdp(read(WEAK_SECRET)), CATALOG);

    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'field-changed', path: PATH });
    const line = describeChange(changes[0] as Change, CATALOG);
    expect(line).toBe(`${PATH}: secret changed (value not shown)`);
  });

  it('migrates a large value the same way: same CSS no change, other CSS a change', () => {
    const css = '.banner { color: red }';
    const baseline = (text: string): JsonObject => ({
      CSS: { sha256: sha256(text), bytes: Buffer.byteLength(text) },
    });
    const current = withDigestKey(TEST_DIGEST_KEY, () =>
      normalizeResource({ CSS: css }, { digests: ['CSS'], salt: 'p' }),
    );

    expect(
      diffPool(poolWith('uiCustomization', baseline(css)), poolWith('uiCustomization', current), CATALOG),
    ).toEqual([]);
    const edited = diffPool(
      poolWith('uiCustomization', baseline('.banner { color: blue }')),
      poolWith('uiCustomization', current),
      CATALOG,
    );
    expect(edited.length).toBeGreaterThan(0);
  });
});

function poolWithIdp(config: JsonObject): PoolSnapshot {
  return poolWith('identityProviders', config);
}

function poolWith(surface: string, config: JsonObject): PoolSnapshot {
  return {
    poolId: 'eu-west-1_Pool00001',
    poolName: 'prod',
    // A domain, so that the hosted UI's kind has effect and is compared.
    config: { Domain: 'prod-login' },
    clients: {},
    surfaces: { [surface]: { Okta: { name: 'Okta', config } } },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
