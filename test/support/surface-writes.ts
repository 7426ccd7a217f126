/**
 * The writes of the rest of the surface: groups, identity providers, resource servers, MFA, threat
 * protection, log export, hosted UI, domains and identity pools, as rows the {@link AccountModel}
 * serves (see `account-writes.ts` for the semantics they follow).
 *
 * @module
 */
import { type AccountModel, CLIENT_ID_RE, isRecord, type OperationRow } from './account-model.js';
import {
  AwsError,
  type IdentityPoolPatch,
  type IdentityProviderKind,
  requireString,
  type SeedMfa,
  type SeedRiskConfiguration,
  validationError,
} from './cognito-surface.js';
import { mustNotExist, NAME_RE, notFound, optionalString, pick, stringMap } from './write-input.js';

type Json = Record<string, unknown>;

const GROUP_RE = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const PROVIDER_RE = /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u;
const IDENTIFIER_RE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const DOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IDENTITY_POOL_ID_RE = /^[\w-]+:[0-9a-f-]+$/;
const IDENTITY_POOL_NAME_RE = /^[\w\s+=,.@-]+$/;

function poolSurface(m: AccountModel, body: Json) {
  return m.surface.surface(m.lookupPool(body).id);
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
export const SURFACE_WRITES: Readonly<Record<string, OperationRow>> = {
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
