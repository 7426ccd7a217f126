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
import { epochSeconds, LOWER_ALNUM, type OperationRow } from './account-model.js';
import { AwsError, requireString } from './cognito-surface.js';
import { SURFACE_WRITES } from './surface-writes.js';
import { NAME_RE, notFound, optionalString, pick } from './write-input.js';

type Json = Record<string, unknown>;

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

/** The rows: operation name → service and handler. */
const POOL_CLIENT_WRITES: Readonly<Record<string, OperationRow>> = {
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
      // "Creates a new client secret for an existing confidential user pool app client": a client
      // created without a secret never gets one (the error code is assumed: the page lists it).
      if (client.secret === undefined)
        throw new AwsError('InvalidParameterException', `App client ${client.id} has no client secret.`);
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
      // "You cannot delete the last remaining secret for an app client" (the error code is assumed).
      if (client.secrets.length === 1)
        throw new AwsError(
          'InvalidParameterException',
          'The last client secret of an app client cannot be deleted.',
        );
      client.secrets = client.secrets.filter((s) => s.id !== secretId);
      return {};
    },
  },
};

/** Every write the stand-in accepts: pools, clients and secrets here, the rest of the surface in `surface-writes.ts`. */
export const ACCOUNT_WRITES: Readonly<Record<string, OperationRow>> = {
  ...POOL_CLIENT_WRITES,
  ...SURFACE_WRITES,
};
