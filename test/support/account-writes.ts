/**
 * The create / update / delete calls a person makes with the AWS CLI or console, as rows of one table
 * the {@link AccountModel} serves (`account.serve(ACCOUNT_WRITES)`), so `aws cognito-idp
 * update-user-pool --endpoint-url <stand-in>` changes what the next `cognito-drift check` reads.
 *
 * Semantics follow the API reference where a person would notice them:
 * - UpdateUserPool and UpdateUserPoolClient set every updatable field they are not given back to its
 *   default ("If you don't provide a value for an attribute, Amazon Cognito sets it to its default
 *   value"); what cannot be updated (schema, username attributes) is kept.
 * - DeleteUserPool refuses a pool with deletion protection ACTIVE (InvalidParameterException).
 * - A missing pool, client, group, provider or identity pool is ResourceNotFoundException; a
 *   duplicate name is GroupExistsException / DuplicateProviderException / InvalidParameterException;
 *   a malformed id or name is InvalidParameterException naming the field, as the services answer.
 * - A client has at most two secrets (LimitExceededException for a third).
 * Writes are not throttled: `lambda/adapters/quotas.ts` holds the read quotas cognito-drift paces by.
 *
 * @module
 */
import { defaultClientConfig, defaultPoolConfig, standardSchema } from './account-defaults.js';
import {
  type AccountModel,
  CLIENT_ID_RE,
  epochSeconds,
  isRecord,
  LOWER_ALNUM,
  type OperationRow,
} from './account-model.js';
import {
  AwsError,
  type IdentityPoolPatch,
  type IdentityProviderKind,
  requireString,
  type SeedMfa,
  type SeedRiskConfiguration,
  validationError,
} from './cognito-surface.js';

type Json = Record<string, unknown>;

const NAME_RE = /^[\w\s+=,.@-]+$/;
const GROUP_RE = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const PROVIDER_RE = /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u;
const IDENTIFIER_RE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const DOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IDENTITY_POOL_ID_RE = /^[\w-]+:[0-9a-f-]+$/;
const IDENTITY_POOL_NAME_RE = /^[\w\s+=,.@-]+$/;

/** Fields UpdateUserPool sets (back to the default when absent). Anything else of a pool is kept. */
const POOL_UPDATABLE = [
  'Policies',
  'DeletionProtection',
  'LambdaConfig',
  'AutoVerifiedAttributes',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'SmsAuthenticationMessage',
  'UserAttributeUpdateSettings',
  'MfaConfiguration',
  'DeviceConfiguration',
  'EmailConfiguration',
  'SmsConfiguration',
  'UserPoolTags',
  'AdminCreateUserConfig',
  'UserPoolAddOns',
  'AccountRecoverySetting',
  'UserPoolTier',
] as const;

/** Request keys of CreateUserPool that are not DescribeUserPool fields of the same name. */
const POOL_REQUEST_ONLY = new Set(['PoolName', 'Schema', 'UserPoolId']);
/** Request keys of Create/UpdateUserPoolClient that are not stored as configuration. */
const CLIENT_REQUEST_ONLY = new Set([
  'UserPoolId',
  'ClientId',
  'ClientName',
  'GenerateSecret',
  'ClientSecret',
]);

function poolName(body: Json): string {
  return requireString(body, 'PoolName', 'poolName', NAME_RE, 128);
}

function optionalString(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsError('SerializationException', `Unexpected value for ${key}`);
  return v;
}

function stringMap(body: Json, key: string): Record<string, string> | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new AwsError('SerializationException', `Unexpected value for ${key}`);
  }
  return v as Record<string, string>;
}

function pick(body: Json, exclude: ReadonlySet<string>): Json {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !exclude.has(k) && v !== undefined));
}

function poolSurface(m: AccountModel, body: Json) {
  return m.surface.surface(m.lookupPool(body).id);
}

function mustNotExist(exists: boolean, type: string, message: string): void {
  if (exists) throw new AwsError(type, message);
}

function notFound(what: string): AwsError {
  return new AwsError('ResourceNotFoundException', `${what} does not exist.`);
}

const IDP_TYPES: readonly IdentityProviderKind[] = [
  'SAML',
  'OIDC',
  'Google',
  'Facebook',
  'LoginWithAmazon',
  'SignInWithApple',
];

/** The rows: operation name → service and handler. */
export const ACCOUNT_WRITES: Readonly<Record<string, OperationRow>> = {
  // ---- user pools
  CreateUserPool: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const name = poolName(body);
      const schema = Array.isArray(body.Schema) ? (body.Schema as Json[]) : [];
      const id = m.addPool({
        name,
        config: { ...pick(body, POOL_REQUEST_ONLY), SchemaAttributes: [...standardSchema(false), ...schema] },
      });
      return { UserPool: m.poolView(m.mustPool(id)) };
    },
  },
  UpdateUserPool: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const pool = m.lookupPool(body);
      const defaults = defaultPoolConfig();
      const config: Json = {};
      for (const key of POOL_UPDATABLE) config[key] = body[key] ?? defaults[key];
      m.updatePool(pool.id, {
        ...(typeof body.PoolName === 'string' ? { name: poolName(body) } : {}),
        config,
      });
      return {};
    },
  },
  DeleteUserPool: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const pool = m.lookupPool(body);
      if (pool.config.DeletionProtection === 'ACTIVE') {
        throw new AwsError(
          'InvalidParameterException',
          'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
        );
      }
      m.removePool(pool.id);
      return {};
    },
  },

  // ---- app clients and their secrets
  CreateUserPoolClient: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const pool = m.lookupPool(body);
      const name = requireString(body, 'ClientName', 'clientName', NAME_RE, 128);
      const secret = body.GenerateSecret === true ? (optionalString(body, 'ClientSecret') ?? '') : undefined;
      const id = m.addClient(pool.id, {
        name,
        config: pick(body, CLIENT_REQUEST_ONLY),
        ...(secret === undefined ? {} : { secret: secret || m.randomString(LOWER_ALNUM, 52) }),
      });
      return { UserPoolClient: m.clientView(m.mustClient(pool.id, id)) };
    },
  },
  UpdateUserPoolClient: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const client = m.lookupClient(body);
      const name = optionalString(body, 'ClientName');
      if (name !== undefined) requireString(body, 'ClientName', 'clientName', NAME_RE, 128);
      // Every field not given goes back to its default: the client's configuration is replaced.
      const cleared = Object.fromEntries(Object.keys(client.config).map((k) => [k, undefined]));
      m.updateClient(client.poolId, client.id, {
        ...(name === undefined ? {} : { name }),
        config: { ...cleared, ...defaultClientConfig(), ...pick(body, CLIENT_REQUEST_ONLY) },
      });
      return { UserPoolClient: m.clientView(client) };
    },
  },
  DeleteUserPoolClient: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const client = m.lookupClient(body);
      m.removeClient(client.poolId, client.id);
      return {};
    },
  },
  AddUserPoolClientSecret: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const client = m.lookupClient(body);
      if (client.secrets.length >= 2) {
        throw new AwsError('LimitExceededException', 'An app client can have at most 2 client secrets.');
      }
      const value = optionalString(body, 'ClientSecret') ?? m.randomString(LOWER_ALNUM, 52);
      const createdAt = m.clock();
      const id = `${client.id}--${createdAt.getTime()}`;
      m.updateClient(client.poolId, client.id, {
        secret: value,
        secrets: [...client.secrets, { id, createdAt }],
        lastModifiedAt: client.lastModifiedAt,
      });
      return {
        ClientSecretDescriptor: {
          ClientSecretId: id,
          ClientSecretValue: value,
          ClientSecretCreateDate: epochSeconds(createdAt),
        },
      };
    },
  },
  DeleteUserPoolClientSecret: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const client = m.lookupClient(body);
      const secretId = requireString(body, 'ClientSecretId', 'clientSecretId', /^[\w+-]+$/, 128);
      if (!client.secrets.some((s) => s.id === secretId)) throw notFound(`Client secret ${secretId}`);
      client.secrets = client.secrets.filter((s) => s.id !== secretId);
      if (client.secrets.length === 0) client.secret = undefined;
      return {};
    },
  },

  // ---- groups
  CreateGroup: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const surface = poolSurface(m, body);
      const name = requireString(body, 'GroupName', 'groupName', GROUP_RE, 128);
      mustNotExist(surface.groups.has(name), 'GroupExistsException', 'A group with the name already exists.');
      const poolId = m.lookupPool(body).id;
      m.surface.addGroup(poolId, {
        name,
        ...groupFields(body),
      });
      return { Group: groupOut(m, poolId, name) };
    },
  },
  UpdateGroup: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const name = requireString(body, 'GroupName', 'groupName', GROUP_RE, 128);
      if (!m.surface.surface(poolId).groups.has(name)) throw notFound(`Group ${name}`);
      m.surface.updateGroup(poolId, name, groupFields(body));
      return { Group: groupOut(m, poolId, name) };
    },
  },
  DeleteGroup: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const name = requireString(body, 'GroupName', 'groupName', GROUP_RE, 128);
      if (!m.surface.surface(poolId).groups.has(name)) throw notFound(`Group ${name}`);
      m.surface.removeGroup(poolId, name);
      return {};
    },
  },

  // ---- identity providers
  CreateIdentityProvider: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const name = requireString(body, 'ProviderName', 'providerName', PROVIDER_RE, 32);
      const type = requireString(body, 'ProviderType', 'providerType', /^\w+$/, 32) as IdentityProviderKind;
      if (!IDP_TYPES.includes(type)) {
        throw validationError(
          'providerType',
          type,
          `Member must satisfy enum value set: [${IDP_TYPES.join(', ')}]`,
        );
      }
      const details = stringMap(body, 'ProviderDetails');
      if (!details) throw validationError('providerDetails', undefined, 'Member must not be null');
      mustNotExist(
        m.surface.surface(poolId).idps.has(name),
        'DuplicateProviderException',
        `A provider with the name ${name} already exists in this user pool.`,
      );
      const mapping = stringMap(body, 'AttributeMapping');
      m.surface.addIdentityProvider(poolId, {
        name,
        type,
        details,
        ...(mapping ? { attributeMapping: mapping } : {}),
        ...(Array.isArray(body.IdpIdentifiers) ? { idpIdentifiers: body.IdpIdentifiers as string[] } : {}),
      });
      return m.surface.answer('DescribeIdentityProvider', { UserPoolId: poolId, ProviderName: name });
    },
  },
  UpdateIdentityProvider: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const name = requireString(body, 'ProviderName', 'providerName', PROVIDER_RE, 32);
      if (!m.surface.surface(poolId).idps.has(name)) throw notFound(`Identity provider ${name}`);
      const details = stringMap(body, 'ProviderDetails');
      const mapping = stringMap(body, 'AttributeMapping');
      m.surface.updateIdentityProvider(poolId, name, {
        ...(details ? { details } : {}),
        ...(mapping ? { attributeMapping: mapping } : {}),
        ...(Array.isArray(body.IdpIdentifiers) ? { idpIdentifiers: body.IdpIdentifiers as string[] } : {}),
      });
      return m.surface.answer('DescribeIdentityProvider', { UserPoolId: poolId, ProviderName: name });
    },
  },
  DeleteIdentityProvider: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const name = requireString(body, 'ProviderName', 'providerName', PROVIDER_RE, 32);
      if (!m.surface.surface(poolId).idps.has(name)) throw notFound(`Identity provider ${name}`);
      m.surface.removeIdentityProvider(poolId, name);
      return {};
    },
  },

  // ---- resource servers
  CreateResourceServer: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const identifier = requireString(body, 'Identifier', 'identifier', IDENTIFIER_RE, 256);
      const name = requireString(body, 'Name', 'name', NAME_RE, 256);
      mustNotExist(
        m.surface.surface(poolId).resourceServers.has(identifier),
        'InvalidParameterException',
        `A resource server with identifier ${identifier} already exists in this user pool.`,
      );
      m.surface.addResourceServer(poolId, { identifier, name, scopes: scopes(body) });
      return {
        ResourceServer: { UserPoolId: poolId, Identifier: identifier, Name: name, Scopes: scopes(body) },
      };
    },
  },
  UpdateResourceServer: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const identifier = requireString(body, 'Identifier', 'identifier', IDENTIFIER_RE, 256);
      const name = requireString(body, 'Name', 'name', NAME_RE, 256);
      if (!m.surface.surface(poolId).resourceServers.has(identifier)) {
        throw notFound(`Resource server ${identifier}`);
      }
      // Scopes not given are removed, as UpdateResourceServer replaces the whole server.
      m.surface.updateResourceServer(poolId, identifier, { name, scopes: scopes(body) });
      return {
        ResourceServer: { UserPoolId: poolId, Identifier: identifier, Name: name, Scopes: scopes(body) },
      };
    },
  },
  DeleteResourceServer: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const identifier = requireString(body, 'Identifier', 'identifier', IDENTIFIER_RE, 256);
      if (!m.surface.surface(poolId).resourceServers.has(identifier)) {
        throw notFound(`Resource server ${identifier}`);
      }
      m.surface.removeResourceServer(poolId, identifier);
      return {};
    },
  },

  // ---- MFA, threat protection, log export, hosted UI, domains
  SetUserPoolMfaConfig: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const mfa = pick(body, new Set(['UserPoolId'])) as SeedMfa;
      if (mfa.MfaConfiguration !== undefined && !['OFF', 'ON', 'OPTIONAL'].includes(mfa.MfaConfiguration)) {
        throw validationError(
          'mfaConfiguration',
          mfa.MfaConfiguration,
          'Member must satisfy enum value set: [OFF, ON, OPTIONAL]',
        );
      }
      m.surface.setMfa(poolId, mfa);
      return m.surface.answer('GetUserPoolMfaConfig', { UserPoolId: poolId });
    },
  },
  SetRiskConfiguration: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const clientId = clientOf(m, body);
      const risk = pick(body, new Set(['UserPoolId', 'ClientId'])) as SeedRiskConfiguration;
      m.surface.setRiskConfiguration(poolId, risk, clientId);
      return m.surface.answer('DescribeRiskConfiguration', {
        UserPoolId: poolId,
        ...(clientId ? { ClientId: clientId } : {}),
      });
    },
  },
  SetLogDeliveryConfiguration: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      if (!Array.isArray(body.LogConfigurations)) {
        throw validationError('logConfigurations', undefined, 'Member must not be null');
      }
      m.surface.setLogDelivery(poolId, body.LogConfigurations as Json[]);
      return m.surface.answer('GetLogDeliveryConfiguration', { UserPoolId: poolId });
    },
  },
  SetUICustomization: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const clientId = clientOf(m, body);
      const css = optionalString(body, 'CSS');
      m.surface.setUiCustomization(poolId, css === undefined ? {} : { css }, clientId);
      return m.surface.answer('GetUICustomization', {
        UserPoolId: poolId,
        ...(clientId ? { ClientId: clientId } : {}),
      });
    },
  },
  CreateUserPoolDomain: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const custom = isRecord(body.CustomDomainConfig) ? body.CustomDomainConfig : undefined;
      const domain = requireString(body, 'Domain', 'domain', custom ? /^[a-z0-9.-]+$/ : DOMAIN_RE, 63);
      const owner = m.surface.poolOfDomain(domain);
      mustNotExist(
        owner !== undefined,
        'InvalidParameterException',
        'Domain already associated with another user pool.',
      );
      const surface = m.surface.surface(poolId);
      mustNotExist(
        Boolean(custom ? surface.customDomain : surface.domain),
        'InvalidParameterException',
        `User pool ${poolId} already has a domain configured.`,
      );
      const version = typeof body.ManagedLoginVersion === 'number' ? body.ManagedLoginVersion : undefined;
      const seed = {
        domain,
        ...(typeof custom?.CertificateArn === 'string' ? { certificateArn: custom.CertificateArn } : {}),
        ...(version === undefined ? {} : { managedLoginVersion: version }),
      };
      if (custom) m.surface.setCustomDomain(poolId, seed);
      else m.surface.setDomain(poolId, seed);
      return { ...(version === undefined ? {} : { ManagedLoginVersion: version }) };
    },
  },
  DeleteUserPoolDomain: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = m.lookupPool(body).id;
      const domain = requireString(body, 'Domain', 'domain', /^[a-z0-9.-]+$/, 63);
      const surface = m.surface.surface(poolId);
      if (surface.domain?.domain === domain) m.surface.setDomain(poolId, null);
      else if (surface.customDomain?.domain === domain) m.surface.setCustomDomain(poolId, null);
      else throw notFound(`Domain ${domain}`);
      return {};
    },
  },

  // ---- identity pools
  CreateIdentityPool: {
    service: 'cognito-identity',
    handle: (m, body) => {
      const name = requireString(body, 'IdentityPoolName', 'identityPoolName', IDENTITY_POOL_NAME_RE, 128);
      if (typeof body.AllowUnauthenticatedIdentities !== 'boolean') {
        throw validationError('allowUnauthenticatedIdentities', undefined, 'Member must not be null');
      }
      const id = m.surface.addIdentityPool({ name, ...identityFields(body) });
      return m.surface.answer('DescribeIdentityPool', { IdentityPoolId: id });
    },
  },
  UpdateIdentityPool: {
    service: 'cognito-identity',
    handle: (m, body) => {
      const id = identityPoolOf(m, body);
      const name = requireString(body, 'IdentityPoolName', 'identityPoolName', IDENTITY_POOL_NAME_RE, 128);
      if (typeof body.AllowUnauthenticatedIdentities !== 'boolean') {
        throw validationError('allowUnauthenticatedIdentities', undefined, 'Member must not be null');
      }
      // UpdateIdentityPool replaces the pool: what is not given is removed.
      const cleared: IdentityPoolPatch = {
        supportedLoginProviders: undefined,
        developerProviderName: undefined,
        openIdConnectProviderArns: undefined,
        samlProviderArns: undefined,
        cognitoIdentityProviders: undefined,
        allowClassicFlow: false,
      };
      m.surface.updateIdentityPool(id, { ...cleared, name, ...identityFields(body) });
      return m.surface.answer('DescribeIdentityPool', { IdentityPoolId: id });
    },
  },
  DeleteIdentityPool: {
    service: 'cognito-identity',
    handle: (m, body) => {
      m.surface.removeIdentityPool(identityPoolOf(m, body));
      return {};
    },
  },
  SetIdentityPoolRoles: {
    service: 'cognito-identity',
    handle: (m, body) => {
      const id = identityPoolOf(m, body);
      const roles = stringMap(body, 'Roles');
      if (!roles) throw validationError('roles', undefined, 'Member must not be null');
      const mappings = isRecord(body.RoleMappings) ? (body.RoleMappings as Record<string, Json>) : undefined;
      m.surface.setIdentityPoolRoles(id, roles, mappings);
      return {};
    },
  },
};

function groupFields(body: Json) {
  const precedence = body.Precedence;
  if (precedence !== undefined && (typeof precedence !== 'number' || precedence < 0)) {
    throw validationError('precedence', precedence, 'Member must have value greater than or equal to 0');
  }
  return {
    ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
    ...(typeof body.RoleArn === 'string' ? { roleArn: body.RoleArn } : {}),
    ...(typeof precedence === 'number' ? { precedence } : {}),
  };
}

function groupOut(m: AccountModel, poolId: string, name: string): unknown {
  const groups = m.surface.answer('ListGroups', { UserPoolId: poolId, Limit: 60 }).Groups;
  return (Array.isArray(groups) ? groups : []).find((g) => isRecord(g) && g.GroupName === name);
}

function scopes(body: Json): { ScopeName: string; ScopeDescription: string }[] {
  return Array.isArray(body.Scopes) ? (body.Scopes as { ScopeName: string; ScopeDescription: string }[]) : [];
}

/** The request's optional `ClientId`, which must be a client of the pool. */
function clientOf(m: AccountModel, body: Json): string | undefined {
  if (body.ClientId === undefined || body.ClientId === null) return undefined;
  requireString(body, 'ClientId', 'clientId', CLIENT_ID_RE, 128);
  return m.lookupClient(body).id;
}

function identityPoolOf(m: AccountModel, body: Json): string {
  const id = requireString(body, 'IdentityPoolId', 'identityPoolId', IDENTITY_POOL_ID_RE, 55);
  if (!m.surface.identityPoolIds().includes(id)) {
    throw new AwsError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
  }
  return id;
}

function identityFields(body: Json): IdentityPoolPatch {
  return {
    allowUnauthenticated: body.AllowUnauthenticatedIdentities === true,
    ...(typeof body.AllowClassicFlow === 'boolean' ? { allowClassicFlow: body.AllowClassicFlow } : {}),
    ...(isRecord(body.SupportedLoginProviders)
      ? { supportedLoginProviders: body.SupportedLoginProviders as Record<string, string> }
      : {}),
    ...(typeof body.DeveloperProviderName === 'string'
      ? { developerProviderName: body.DeveloperProviderName }
      : {}),
    ...(Array.isArray(body.OpenIdConnectProviderARNs)
      ? { openIdConnectProviderArns: body.OpenIdConnectProviderARNs as string[] }
      : {}),
    ...(Array.isArray(body.SamlProviderARNs) ? { samlProviderArns: body.SamlProviderARNs as string[] } : {}),
    ...(Array.isArray(body.CognitoIdentityProviders)
      ? {
          cognitoIdentityProviders: body.CognitoIdentityProviders as {
            ProviderName: string;
            ClientId: string;
            ServerSideTokenCheck?: boolean;
          }[],
        }
      : {}),
    ...(isRecord(body.IdentityPoolTags) ? { tags: body.IdentityPoolTags as Record<string, string> } : {}),
  };
}
