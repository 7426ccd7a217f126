/**
 * Realistic accounts for the benchmark and the wire tests: pools named like real applications, with
 * the clients such applications have (web, backend, mobile, admin, partner), their secrets, and the
 * rest of the surface. Deterministic for a given seed of the {@link AccountModel}.
 *
 * @module
 */
import { defaultRiskConfiguration, standardSchema } from './account-defaults.js';
import { type AccountModel, LOWER_ALNUM, type SeedClient, type SeedPool } from './account-model.js';

type Json = Record<string, unknown>;

/**
 * Add `pools` realistic pools with `clientsPerPool` clients each (deterministic for a given seed and
 * call order). About half the clients are confidential with a secret; some have two secrets (rotation
 * in progress). Returns the new pool ids.
 */
export function seedPools(model: AccountModel, pools: number, clientsPerPool: number): string[] {
  const ids: string[] = [];
  const start = model.pools.size;
  for (let k = 0; k < pools; k++) {
    const i = start + k;
    ids.push(model.addPool(seedPool(model, i, clientsPerPool)));
  }
  return ids;
}

/**
 * The benchmark's full-surface account: `pools` pools × `clientsPerPool` clients (as {@link seed}),
 * each pool with `idps` identity providers (SAML and OIDC alternating, OIDC ones with a
 * `client_secret`), `groups` groups with IAM roles, `resourceServers` resource servers and, when
 * `domain`, a prefix domain; plus `identityPools` identity pools trusting the first pools' clients.
 * Defaults: 30 × 5, 2 IdPs, 3 groups, 1 resource server, a domain, 10 identity pools.
 */
export function seedFullSurface(
  model: AccountModel,
  opts: {
    pools?: number;
    clientsPerPool?: number;
    idps?: number;
    groups?: number;
    resourceServers?: number;
    domain?: boolean;
    identityPools?: number;
  } = {},
): { poolIds: string[]; identityPoolIds: string[] } {
  const o = {
    pools: 30,
    clientsPerPool: 5,
    idps: 2,
    groups: 3,
    resourceServers: 1,
    domain: true,
    identityPools: 10,
    ...opts,
  };
  const poolIds: string[] = [];
  const start = model.pools.size;
  for (let k = 0; k < o.pools; k++) {
    const i = start + k;
    const base = seedPool(model, i, o.clientsPerPool);
    const slug = base.name.replace(/[^a-z0-9-]/g, '-');
    const role = (name: string) => `arn:aws:iam::${model.accountId}:role/${slug}-${name}`;
    const full: SeedPool = {
      ...base,
      identityProviders: Array.from({ length: o.idps }, (_, j) => ({
        name: j % 2 === 0 ? `CorpSAML${j || ''}` : `PartnerOIDC${j > 1 ? j : ''}`,
        type: j % 2 === 0 ? ('SAML' as const) : ('OIDC' as const),
      })),
      groups: Array.from({ length: o.groups }, (_, j) => ({
        name: ['admins', 'editors', 'viewers'][j] ?? `group-${j + 1}`,
        description: `Members of ${slug}`,
        roleArn: role(['admin', 'editor', 'viewer'][j] ?? `group-${j + 1}`),
        precedence: j,
      })),
      resourceServers: Array.from({ length: o.resourceServers }, (_, j) => ({
        identifier: `https://api${j || ''}.${slug}.example.com`,
        name: `${slug}-api${j || ''}`,
        scopes: [
          { ScopeName: 'read', ScopeDescription: 'Read access' },
          { ScopeName: 'write', ScopeDescription: 'Write access' },
        ],
      })),
      mfa: { SoftwareTokenMfaConfiguration: { Enabled: base.config?.MfaConfiguration !== 'OFF' } },
      logDelivery: [
        {
          LogLevel: 'ERROR',
          EventSource: 'userNotification',
          CloudWatchLogsConfiguration: {
            LogGroupArn: `arn:aws:logs:${model.region}:${model.accountId}:log-group:/cognito/${slug}`,
          },
        },
      ],
    };
    const config = { ...base.config };
    if (o.domain) full.domain = `${slug}-${i + 1}`.slice(0, 63);
    config.Domain = undefined;
    if (config.UserPoolAddOns) full.riskConfiguration = defaultRiskConfiguration();
    full.config = config;
    if (o.domain)
      full.uiCustomization = {
        css: `.banner-customizable { background: #${(i * 4099).toString(16).padStart(6, '0').slice(-6)}; }`,
      };
    poolIds.push(model.addPool(full));
  }
  const identityPoolIds: string[] = [];
  for (let k = 0; k < o.identityPools; k++) {
    const poolId = poolIds[k % Math.max(1, poolIds.length)];
    const clientId = poolId ? model.sortedClients(model.mustPool(poolId)).map((c) => c.id)[0] : undefined;
    const name = `identity_pool_${String(k + 1).padStart(2, '0')}`;
    identityPoolIds.push(
      model.surface.addIdentityPool({
        name,
        allowUnauthenticated: k % 4 === 3,
        cognitoIdentityProviders:
          poolId && clientId
            ? [
                {
                  ProviderName: `cognito-idp.${model.region}.amazonaws.com/${poolId}`,
                  ClientId: clientId,
                  ServerSideTokenCheck: k % 2 === 0,
                },
              ]
            : [],
        roles: {
          authenticated: `arn:aws:iam::${model.accountId}:role/${name}-auth`,
          ...(k % 4 === 3 ? { unauthenticated: `arn:aws:iam::${model.accountId}:role/${name}-guest` } : {}),
        },
      }),
    );
  }
  return { poolIds, identityPoolIds };
}

function seedPool(model: AccountModel, i: number, clientsPerPool: number): SeedPool {
  const r = model.rand;
  const apps = [
    'storefront',
    'payments',
    'partner-portal',
    'support-desk',
    'analytics',
    'mobile-banking',
    'hr-self-service',
    'iot-fleet',
  ];
  const envs = ['prod', 'staging', 'dev'];
  const app = apps[i % apps.length] ?? 'app';
  const env = envs[Math.floor(i / apps.length) % envs.length] ?? 'dev';
  const name = `${app}-${env}-users-${String(i + 1).padStart(3, '0')}`;
  const createdMs = 1_672_531_200_000 + i * 3 * 86_400_000 + Math.floor(r() * 86_400_000);
  const createdAt = new Date(createdMs);
  const lastModifiedAt = new Date(createdMs + Math.floor(r() * 200) * 86_400_000 + Math.floor(r() * 1000));
  const mfa = ['OFF', 'OPTIONAL', 'ON'][i % 3] ?? 'OFF';
  const tier = ['ESSENTIALS', 'LITE', 'PLUS'][i % 3] ?? 'ESSENTIALS';
  const lambdaArn = (fn: string) =>
    `arn:aws:lambda:${model.region}:${model.accountId}:function:${app}-${env}-${fn}`;
  const lambda: Json = {};
  if (i % 3 === 0) {
    lambda.PreSignUp = lambdaArn('pre-signup');
    lambda.PostConfirmation = lambdaArn('post-confirmation');
  }
  if (i % 5 === 0) {
    lambda.PreTokenGeneration = lambdaArn('pre-token');
    lambda.PreTokenGenerationConfig = { LambdaVersion: 'V2_0', LambdaArn: lambdaArn('pre-token') };
  }
  if (i % 7 === 0) lambda.UserMigration = lambdaArn('user-migration');
  const schema = standardSchema(true);
  schema.push({
    Name: 'custom:tenant_id',
    AttributeDataType: 'String',
    DeveloperOnlyAttribute: false,
    Mutable: false,
    Required: false,
    StringAttributeConstraints: { MinLength: '1', MaxLength: '64' },
  });
  if (i % 2 === 0) {
    schema.push({
      Name: 'custom:plan',
      AttributeDataType: 'String',
      DeveloperOnlyAttribute: false,
      Mutable: true,
      Required: false,
      StringAttributeConstraints: { MinLength: '0', MaxLength: '32' },
    });
  }
  const config: Json = {
    Policies: {
      PasswordPolicy: {
        MinimumLength: [8, 10, 12, 14][i % 4],
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: i % 4 !== 1,
        ...(tier === 'PLUS' ? { PasswordHistorySize: 5 } : {}),
        TemporaryPasswordValidityDays: [7, 3, 1][i % 3],
      },
      SignInPolicy: { AllowedFirstAuthFactors: i % 4 === 2 ? ['PASSWORD', 'EMAIL_OTP'] : ['PASSWORD'] },
    },
    DeletionProtection: env === 'prod' ? 'ACTIVE' : 'INACTIVE',
    LambdaConfig: lambda,
    SchemaAttributes: schema,
    MfaConfiguration: mfa,
    EstimatedNumberOfUsers: Math.floor(r() * 250_000),
    UserPoolTags: { environment: env, application: app, 'cost-center': `cc-${1000 + (i % 17)}` },
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: i % 4 === 3,
      UnusedAccountValidityDays: 7,
      InviteMessageTemplate: {
        EmailSubject: `Your ${app} account`,
        EmailMessage: 'Your username is {username} and temporary password is {####}.',
        SMSMessage: 'Your username is {username} and temporary password is {####}.',
      },
    },
    UserPoolTier: tier,
  };
  if (i % 3 === 1) {
    config.UsernameAttributes = undefined;
    config.AliasAttributes = ['email', 'preferred_username'];
  }
  if (mfa !== 'OFF') {
    config.SmsAuthenticationMessage = 'Your authentication code is {####}.';
    config.SmsConfiguration = {
      SnsCallerArn: `arn:aws:iam::${model.accountId}:role/service-role/${app}-${env}-cognito-sms`,
      ExternalId: `${app}-${env}-external`,
      SnsRegion: model.region,
    };
    config.AccountRecoverySetting = {
      RecoveryMechanisms: [
        { Priority: 1, Name: 'verified_email' },
        { Priority: 2, Name: 'verified_phone_number' },
      ],
    };
  }
  if (tier === 'PLUS') config.UserPoolAddOns = { AdvancedSecurityMode: i % 2 === 0 ? 'ENFORCED' : 'AUDIT' };
  if (i % 2 === 0) config.Domain = `${app}-${env}-${i + 1}`;
  const domain = `${app}.${env === 'prod' ? '' : `${env}.`}example.com`;
  const clients: SeedClient[] = [];
  for (let j = 0; j < clientsPerPool; j++)
    clients.push(seedClient(model, (i + j) % 6, j, domain, app, createdMs));
  return { name, config, createdAt, lastModifiedAt, clients };
}

function seedClient(
  model: AccountModel,
  role: number,
  j: number,
  domain: string,
  app: string,
  poolCreatedMs: number,
): SeedClient {
  const r = model.rand;
  const createdMs = poolCreatedMs + (j + 1) * 3_600_000 + Math.floor(r() * 3_600_000);
  const createdAt = new Date(createdMs);
  const lastModifiedAt = new Date(createdMs + Math.floor(r() * 90) * 86_400_000 + Math.floor(r() * 1000));
  const scopes = ['openid', 'email', 'profile'];
  const rs = `https://api.${domain}`;
  const suffix = j >= 6 ? `-${Math.floor(j / 6) + 1}` : '';
  const confidential = role % 2 === 1;
  const base = { createdAt, lastModifiedAt };
  let config: Json;
  let name: string;
  switch (role) {
    case 0:
      name = `${app}-web-spa`;
      config = {
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
        SupportedIdentityProviders: ['COGNITO', 'Google'],
        CallbackURLs: [`https://app.${domain}/auth/callback`, 'http://localhost:3000/auth/callback'],
        LogoutURLs: [`https://app.${domain}/signed-out`],
        DefaultRedirectURI: `https://app.${domain}/auth/callback`,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: scopes,
        AllowedOAuthFlowsUserPoolClient: true,
        ReadAttributes: ['email', 'email_verified', 'name', 'custom:tenant_id'],
        WriteAttributes: ['email', 'name'],
      };
      break;
    case 1:
      name = `${app}-backend-service`;
      config = {
        AccessTokenValidity: 15,
        IdTokenValidity: 15,
        RefreshTokenValidity: 1,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        SupportedIdentityProviders: ['COGNITO'],
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [`${rs}/orders.read`, `${rs}/orders.write`],
        AllowedOAuthFlowsUserPoolClient: true,
      };
      break;
    case 2:
      name = `${app}-ios`;
      config = {
        RefreshTokenValidity: 90,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'],
        SupportedIdentityProviders: ['COGNITO', 'SignInWithApple'],
        CallbackURLs: [`${app.replace(/-/g, '')}://auth/callback`],
        LogoutURLs: [`${app.replace(/-/g, '')}://auth/signout`],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: [...scopes, 'aws.cognito.signin.user.admin'],
        AllowedOAuthFlowsUserPoolClient: true,
      };
      break;
    case 3:
      name = `${app}-admin-portal`;
      config = {
        AccessTokenValidity: 30,
        IdTokenValidity: 30,
        RefreshTokenValidity: 12,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'hours' },
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'],
        SupportedIdentityProviders: ['CorpSAML'],
        CallbackURLs: [`https://admin.${domain}/oauth2/idpresponse`],
        LogoutURLs: [`https://admin.${domain}/logout`],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email'],
        AllowedOAuthFlowsUserPoolClient: true,
        EnablePropagateAdditionalUserContextData: true,
      };
      break;
    case 4:
      name = `${app}-android`;
      config = {
        RefreshTokenValidity: 90,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
        SupportedIdentityProviders: ['COGNITO', 'Google', 'Facebook'],
        CallbackURLs: [`com.example.${app.replace(/-/g, '')}://callback`],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: scopes,
        AllowedOAuthFlowsUserPoolClient: true,
        PreventUserExistenceErrors: 'LEGACY',
      };
      break;
    default:
      name = `${app}-partner-integration`;
      config = {
        AccessTokenValidity: 1,
        TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' },
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        SupportedIdentityProviders: ['COGNITO'],
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [`${rs}/partner.read`],
        AllowedOAuthFlowsUserPoolClient: true,
      };
      break;
  }
  const client: SeedClient = { ...base, name: `${name}${suffix}`, config };
  if (confidential) {
    client.secret = model.randomString(LOWER_ALNUM, 52);
    // Partner integrations are mid-rotation: two secrets.
    if (role === 5) {
      client.secrets = [{ createdAt }, { createdAt: new Date(createdMs + 30 * 86_400_000) }];
    }
  }
  return client;
}
