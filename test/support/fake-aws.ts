/**
 * An in-memory AWS account for behaviour tests of whole detector runs: Cognito user pools and app
 * clients, a versioned S3 bucket with ETags and conditional writes, and an SNS topic that records
 * what it is sent. Every client instance of the three SDK classes talks to it (aws-sdk-client-mock
 * stubs the class prototype), including the ones `lambda/handler.ts` creates at module load.
 *
 * The fake follows the API reference where the detector depends on it: ListUserPools requires
 * MaxResults 1..60, ListUserPoolClients allows 1..60, tokens are opaque and bound to their request,
 * DescribeUserPoolClient returns the secret VALUE of a confidential client while
 * ListUserPoolClientSecrets returns only ids and dates, PutObject honours If-Match / If-None-Match
 * with 412 PreconditionFailed, GetObject answers NoSuchKey, ListObjectsV2 pages.
 *
 * Faults are injected per operation, optionally per pool, client or key, a number of times.
 *
 * The rest of the Cognito surface (MFA, threat protection, identity providers, groups, resource
 * servers, domains, log export, hosted-UI customization, the pool's web ACL, identity pools) lives in
 * the {@link SurfaceModel} this fake shares with the HTTP stand-in (`cognito-standin.ts`): same seeds,
 * same mutators, same answers. `CognitoIdentityClient` and `WAFV2Client` are stubbed like the others.
 */
import { createHash } from 'node:crypto';
import { CognitoIdentityClient, CognitoIdentityServiceException } from '@aws-sdk/client-cognito-identity';
import {
  type ClientSecretDescriptorType,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  DescribeUserPoolClientCommand,
  type DescribeUserPoolClientCommandInput,
  type DescribeUserPoolClientCommandOutput,
  DescribeUserPoolCommand,
  type DescribeUserPoolCommandInput,
  type DescribeUserPoolCommandOutput,
  ListUserPoolClientSecretsCommand,
  type ListUserPoolClientSecretsCommandInput,
  type ListUserPoolClientSecretsCommandOutput,
  ListUserPoolClientsCommand,
  type ListUserPoolClientsCommandInput,
  type ListUserPoolClientsCommandOutput,
  ListUserPoolsCommand,
  type ListUserPoolsCommandInput,
  type ListUserPoolsCommandOutput,
  type UserPoolClientType,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  PublishCommand,
  type PublishCommandInput,
  type PublishCommandOutput,
  SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { WAFV2Client, WAFV2ServiceException } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { applyApproval, planApprovals } from '../../cli/approval.js';
import { CognitoReader } from '../../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { S3DocumentStore } from '../../lambda/adapters/s3-document-store.js';
import { SnsNotifier } from '../../lambda/adapters/sns-notifier.js';
import type { Logger } from '../../lambda/core/ports.js';
import { type DetectorOptions, type RunResult, runDetection } from '../../lambda/run/detector.js';
import { CATALOG_OPERATIONS, CatalogOperations } from './catalog-operations.js';
import {
  AwsError,
  type ClientSurfaceSeed,
  type IdentityPoolPatch,
  type PoolSurface,
  type SeedDomain,
  type SeedGroup,
  type SeedIdentityPool,
  type SeedIdentityProvider,
  type SeedMfa,
  type SeedResourceServer,
  type SeedRiskConfiguration,
  type SeedUiCustomization,
  type SeedWebAcl,
  SurfaceModel,
  type SurfaceOperation,
  type SurfaceSeed,
  withSdkDates,
} from './cognito-surface.js';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const BUCKET = 'drift-baselines';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:cognito-drift-alerts`;
/** Who STS GetCallerIdentity says the caller is (the operator who approves). */
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/operator/alice`;
/** How every alert subject from this account starts. */
export const PREFIX = `[cognito-drift ${ACCOUNT_ID}/${REGION}] `;
const PAGE_LIMIT = 60;

export type CognitoOperation =
  | 'ListUserPools'
  | 'DescribeUserPool'
  | 'ListUserPoolClients'
  | 'DescribeUserPoolClient'
  | 'ListUserPoolClientSecrets'
  | SurfaceOperation;
export type Operation =
  | CognitoOperation
  | 'GetObject'
  | 'PutObject'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'Publish'
  | 'GetCallerIdentity';

/** Which calls a fault or hook applies to; unset fields match anything. */
export interface CallMatch {
  /** The user pool: `UserPoolId`, the owner of a `Domain`, or the pool of a WAF `ResourceArn`. */
  poolId?: string;
  clientId?: string;
  /** Identity pool id (cognito-identity operations). */
  identityPoolId?: string;
  /** S3 object key. */
  key?: string;
}

/** An error the fake throws in place of an answer. */
export interface FaultSpec extends CallMatch {
  /** The service's error code, such as `AccessDeniedException` or `PreconditionFailed`. */
  error: string;
  message?: string;
  /** How many matching calls fail. @default every one */
  times?: number;
}

/** HTTP status the services use for each error code the tests inject. */
const ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 400,
  InternalErrorException: 500,
  InvalidParameterException: 400,
  NotAuthorizedException: 400,
  ResourceNotFoundException: 400,
  TooManyRequestsException: 400,
  AccessDenied: 403,
  InternalError: 500,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  PreconditionFailed: 412,
  SlowDown: 503,
  AuthorizationError: 403,
  NotFound: 404,
  Throttled: 400,
  ExpiredToken: 403,
  ThrottlingException: 400,
  WAFNonexistentItemException: 400,
  WAFInvalidParameterException: 400,
  WAFInternalErrorException: 500,
  WAFUnavailableEntityException: 400,
};

/** cognito-identity answers some of the same error names with other statuses. */
const IDENTITY_ERROR_STATUS: Record<string, number> = {
  NotAuthorizedException: 403,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
};

const SURFACE_SERVICE = {
  'cognito-idp': 'cognito',
  'cognito-identity': 'cognito-identity',
  wafv2: 'wafv2',
} as const;

const SERVICE_OF: Record<Operation, 'cognito' | 'cognito-identity' | 'wafv2' | 's3' | 'sns' | 'sts'> = {
  ListUserPools: 'cognito',
  DescribeUserPool: 'cognito',
  ListUserPoolClients: 'cognito',
  DescribeUserPoolClient: 'cognito',
  ListUserPoolClientSecrets: 'cognito',
  ...(Object.fromEntries(
    [...CATALOG_OPERATIONS.values()].map((op) => [op.name, SURFACE_SERVICE[op.service]]),
  ) as Record<SurfaceOperation, 'cognito' | 'cognito-identity' | 'wafv2'>),
  GetObject: 's3',
  PutObject: 's3',
  ListObjectsV2: 's3',
  ListObjectVersions: 's3',
  Publish: 'sns',
  GetCallerIdentity: 'sts',
};

/** Builds the SDK's own exception class for the service, as the deserializer would. */
export function serviceError(operation: Operation, code: string, message = `${code} (injected)`): Error {
  const status =
    (SERVICE_OF[operation] === 'cognito-identity' ? IDENTITY_ERROR_STATUS[code] : undefined) ??
    ERROR_STATUS[code] ??
    400;
  const options = {
    name: code,
    message,
    $fault: status >= 500 ? ('server' as const) : ('client' as const),
    $metadata: { httpStatusCode: status, requestId: 'fake-request' },
  };
  switch (SERVICE_OF[operation]) {
    case 'cognito':
      return new CognitoIdentityProviderServiceException(options);
    case 'cognito-identity':
      return new CognitoIdentityServiceException(options);
    case 'wafv2':
      return new WAFV2ServiceException(options);
    case 's3':
      return new S3ServiceException(options);
    case 'sns':
      return new SNSServiceException(options);
    case 'sts':
      return new STSServiceException(options);
  }
}

/** An app client as the fake stores it. */
export interface FakeClient {
  clientId: string;
  clientName: string;
  /** The secret VALUE DescribeUserPoolClient returns for a confidential client. */
  secretValue?: string;
  /** What ListUserPoolClientSecrets returns: ids and creation dates, never values. */
  secrets: { id: string; createdAt: Date }[];
  config: UserPoolClientType;
  createdAt: Date;
  modifiedAt: Date;
}

/** A user pool as the fake stores it. */
export interface FakePool {
  poolId: string;
  poolName: string;
  config: UserPoolType;
  clients: Map<string, FakeClient>;
  createdAt: Date;
  modifiedAt: Date;
  /**
   * Everything else about the pool (MFA, risk configuration, identity providers, groups, resource
   * servers, domains, log export, UI customization, web ACL), as the shared model keeps it. Change it
   * through the FakeAccount methods (`setMfa`, `updateIdentityProvider`, ...), not directly.
   */
  surface: PoolSurface;
}

/** Options of {@link FakeAccount.addPool}: the pool's name and config, and the rest of its surface. */
export interface FakePoolOptions extends SurfaceSeed {
  name?: string;
  config?: UserPoolType;
  /** The pool id, when a test names it; otherwise one is generated. */
  poolId?: string;
}

/** Options of {@link FakeAccount.addClient}; `riskConfiguration` / `uiCustomization` are the client's own. */
export interface FakeClientOptions extends ClientSurfaceSeed {
  name?: string;
  confidential?: boolean;
  secretValue?: string;
  config?: UserPoolClientType;
  /** The client id, when a test names it; otherwise one is generated. */
  clientId?: string;
}

/** A realistic DescribeUserPool body, minus the identifying fields the fake fills in. */
export function defaultPoolConfig(): UserPoolType {
  return {
    Policies: {
      PasswordPolicy: {
        MinimumLength: 12,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      },
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
    },
    DeletionProtection: 'ACTIVE',
    LambdaConfig: {},
    SchemaAttributes: [
      { Name: 'sub', AttributeDataType: 'String', Mutable: false, Required: true },
      { Name: 'email', AttributeDataType: 'String', Mutable: true, Required: false },
    ],
    AutoVerifiedAttributes: ['email'],
    UsernameAttributes: ['email'],
    VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
    MfaConfiguration: 'ON',
    EstimatedNumberOfUsers: 42,
    EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    UserPoolTags: { team: 'identity' },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    UsernameConfiguration: { CaseSensitive: false },
    AccountRecoverySetting: {
      RecoveryMechanisms: [
        { Priority: 1, Name: 'verified_email' },
        { Priority: 2, Name: 'verified_phone_number' },
      ],
    },
    UserPoolTier: 'ESSENTIALS',
  };
}

/** A realistic DescribeUserPoolClient body for a web app using the hosted UI. */
export function defaultClientConfig(): UserPoolClientType {
  return {
    RefreshTokenValidity: 30,
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    SupportedIdentityProviders: ['COGNITO'],
    CallbackURLs: ['https://app.example.com/callback'],
    LogoutURLs: ['https://app.example.com/logout'],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    AllowedOAuthFlowsUserPoolClient: true,
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
  };
}

/** One stored version of an S3 object. */
export interface ObjectVersion {
  body: string;
  etag: string;
  versionId: string;
  lastModified: Date;
}

/** A versioned bucket: every put adds a version; the last one is current. */
export class FakeBucket {
  private readonly objects = new Map<string, ObjectVersion[]>();
  private versionCounter = 0;

  constructor(readonly name: string) {}

  /** The current version of `key`, if any. */
  current(key: string): ObjectVersion | undefined {
    return this.objects.get(key)?.at(-1);
  }

  /** The current body of `key` (undefined when there is none). */
  read(key: string): string | undefined {
    return this.current(key)?.body;
  }

  /** The current body of `key`, parsed. Throws when there is no such object. */
  readJson<T = unknown>(key: string): T {
    const body = this.read(key);
    if (body === undefined) throw new Error(`no object ${key} in the fake bucket`);
    return JSON.parse(body) as T;
  }

  /** Every version of `key`, oldest first. */
  versions(key: string): ObjectVersion[] {
    return [...(this.objects.get(key) ?? [])];
  }

  /** Writes a new version unconditionally (another writer, or a test's arrangement). Returns the ETag. */
  write(key: string, body: string): string {
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    this.versionCounter += 1;
    const versions = this.objects.get(key) ?? [];
    versions.push({ body, etag, versionId: `v${this.versionCounter}`, lastModified: new Date() });
    this.objects.set(key, versions);
    return etag;
  }

  /** Current keys in UTF-8 binary order, as ListObjectsV2 returns them. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort(binaryOrder);
  }

  /** Every body ever written, every version of every key: for "this never appears anywhere". */
  allBodies(): { key: string; body: string }[] {
    return [...this.objects.entries()].flatMap(([key, versions]) =>
      versions.map((v) => ({ key, body: v.body })),
    );
  }
}

function binaryOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf-8'), Buffer.from(b, 'utf-8'));
}

/** A faked call the test wants to act on just before the fake answers it. */
interface Hook extends CallMatch {
  operation: Operation;
  remaining: number;
  action: () => void | Promise<void>;
}

/** The fake account. Create one per test: creating it (re)installs the stubs with a clean history. */
export class FakeAccount {
  readonly cognito = mockClient(CognitoIdentityProviderClient);
  readonly identity = mockClient(CognitoIdentityClient);
  readonly wafv2 = mockClient(WAFV2Client);
  readonly s3 = mockClient(S3Client);
  readonly sns = mockClient(SNSClient);
  readonly sts = mockClient(STSClient);
  readonly bucket = new FakeBucket(BUCKET);
  readonly pools = new Map<string, FakePool>();
  /** Everything SNS accepted, in order. */
  readonly published: PublishCommandInput[] = [];
  /** ListObjectsV2 page size when the request does not ask for fewer (S3's own is 1000). */
  listPageSize = 1000;
  private readonly hooks: Hook[] = [];
  private poolCounter = 0;
  private clientCounter = 0;
  private secretCounter = 0;
  private readonly clockStart = Date.parse('2025-06-01T00:00:00Z');
  private surfaceTicks = 0;
  private readonly model = new SurfaceModel({
    region: REGION,
    accountId: ACCOUNT_ID,
    tokenKey: 'fake-account',
    clock: () => new Date(Date.parse('2025-05-01T00:00:00Z') + ++this.surfaceTicks * 60_000),
    rand: seededRandom(7),
    directory: {
      mfaConfiguration: (poolId) => {
        const pool = this.pools.get(poolId);
        return pool ? (pool.config.MfaConfiguration ?? 'OFF') : undefined;
      },
      hasClient: (poolId, clientId) => this.pools.get(poolId)?.clients.has(clientId) ?? false,
      setMfaConfiguration: (poolId, value) => {
        this.pool(poolId).config.MfaConfiguration = value as UserPoolType['MfaConfiguration'];
      },
    },
  });

  /** Raw API items of the catalog operations the surface model does not answer itself. */
  readonly catalogItems = new CatalogOperations('fake-account');

  constructor() {
    // Every catalog operation, each through its own SDK command (declared by its surface).
    for (const { name: op, command, service: catalogService } of CATALOG_OPERATIONS.values()) {
      const service = SURFACE_SERVICE[catalogService];
      const mock =
        service === 'cognito' ? this.cognito : service === 'cognito-identity' ? this.identity : this.wafv2;
      (mock as unknown as { on(c: unknown): { callsFake(f: (input: unknown) => unknown): void } })
        .on(command)
        .callsFake(async (input: unknown) => this.answerSurface(op, input as Record<string, unknown>));
    }
    this.cognito
      .on(ListUserPoolsCommand)
      .callsFake(async (input: ListUserPoolsCommandInput) => this.listUserPools(input))
      .on(DescribeUserPoolCommand)
      .callsFake(async (input: DescribeUserPoolCommandInput) => this.describeUserPool(input))
      .on(ListUserPoolClientsCommand)
      .callsFake(async (input: ListUserPoolClientsCommandInput) => this.listUserPoolClients(input))
      .on(DescribeUserPoolClientCommand)
      .callsFake(async (input: DescribeUserPoolClientCommandInput) => this.describeUserPoolClient(input))
      .on(ListUserPoolClientSecretsCommand)
      .callsFake(async (input: ListUserPoolClientSecretsCommandInput) =>
        this.listUserPoolClientSecrets(input),
      );
    this.s3
      .on(GetObjectCommand)
      .callsFake(async (input: GetObjectCommandInput) => this.getObject(input))
      .on(PutObjectCommand)
      .callsFake(async (input: PutObjectCommandInput) => this.putObject(input))
      .on(ListObjectsV2Command)
      .callsFake(async (input: ListObjectsV2CommandInput) => this.listObjects(input))
      .on(ListObjectVersionsCommand)
      .callsFake(async (input: ListObjectVersionsCommandInput) => this.listObjectVersions(input));
    this.sns.on(PublishCommand).callsFake(async (input: PublishCommandInput) => this.publish(input));
    this.sts.on(GetCallerIdentityCommand).callsFake(async () => {
      await this.intercept('GetCallerIdentity', {});
      return {
        $metadata: { httpStatusCode: 200 },
        Arn: CALLER_ARN,
        Account: ACCOUNT_ID,
        UserId: 'AROAEXAMPLE:alice',
      };
    });
  }

  /** Puts the SDK classes back to their real `send`. */
  restore(): void {
    this.cognito.restore();
    this.identity.restore();
    this.wafv2.restore();
    this.s3.restore();
    this.sns.restore();
    this.sts.restore();
  }

  // ---- Arranging Cognito ---------------------------------------------------------------------

  /** Adds a pool; a `Domain` / `CustomDomain` in `config` is taken as `domain` / `customDomain`. */
  addPool(options: FakePoolOptions = {}): FakePool {
    this.poolCounter += 1;
    const poolId = options.poolId ?? `${REGION}_P${this.poolCounter.toString(36).padStart(8, '0')}`;
    const at = this.nextDate();
    const { name, config: given, poolId: _poolId, ...surfaceSeed } = options;
    const config: UserPoolType = { ...defaultPoolConfig(), ...given };
    if (config.Domain !== undefined && surfaceSeed.domain === undefined) surfaceSeed.domain = config.Domain;
    if (config.CustomDomain !== undefined && surfaceSeed.customDomain === undefined) {
      surfaceSeed.customDomain = config.CustomDomain;
    }
    config.Domain = undefined;
    config.CustomDomain = undefined;
    const pool = {
      poolId,
      poolName: name ?? `pool-${this.poolCounter}`,
      config,
      clients: new Map(),
      createdAt: at,
      modifiedAt: at,
    } as Omit<FakePool, 'surface'> as FakePool;
    this.pools.set(poolId, pool);
    this.model.addPool(poolId, surfaceSeed);
    pool.surface = this.model.surface(poolId);
    return pool;
  }

  /** Adds an app client; a confidential one gets a secret (value and descriptor). */
  addClient(poolId: string, options: FakeClientOptions = {}): FakeClient {
    const pool = this.pool(poolId);
    this.clientCounter += 1;
    const clientId = options.clientId ?? `c${this.clientCounter.toString(36).padStart(25, '0')}`;
    const at = this.nextDate();
    const client: FakeClient = {
      clientId,
      clientName: options.name ?? `client-${this.clientCounter}`,
      secrets: [],
      config: { ...defaultClientConfig(), ...options.config },
      createdAt: at,
      modifiedAt: at,
    };
    if (options.confidential || options.secretValue) {
      client.secretValue = options.secretValue ?? `generated-secret-${this.clientCounter}`;
      client.secrets.push({ id: this.nextSecretId(clientId), createdAt: at });
    }
    pool.clients.set(clientId, client);
    this.model.addClient(poolId, clientId, options);
    return client;
  }

  pool(poolId: string): FakePool {
    const pool = this.pools.get(poolId);
    if (!pool) throw new Error(`fake account has no pool ${poolId}`);
    return pool;
  }

  client(poolId: string, clientId: string): FakeClient {
    const client = this.pool(poolId).clients.get(clientId);
    if (!client) throw new Error(`fake pool ${poolId} has no client ${clientId}`);
    return client;
  }

  /** UpdateUserPool: merges top-level fields (undefined removes one) and bumps LastModifiedDate. */
  updatePool(poolId: string, changes: UserPoolType): void {
    const pool = this.pool(poolId);
    pool.config = { ...pool.config, ...changes };
    pool.modifiedAt = this.nextDate();
  }

  /** UpdateUserPoolClient: merges top-level fields and bumps LastModifiedDate. */
  updateClient(poolId: string, clientId: string, changes: UserPoolClientType): void {
    const client = this.client(poolId, clientId);
    client.config = { ...client.config, ...changes };
    client.modifiedAt = this.nextDate();
  }

  deletePool(poolId: string): void {
    this.pool(poolId);
    this.pools.delete(poolId);
    this.model.removePool(poolId);
  }

  deleteClient(poolId: string, clientId: string): void {
    this.client(poolId, clientId);
    this.pool(poolId).clients.delete(clientId);
    this.model.removeClient(poolId, clientId);
  }

  /** AddUserPoolClientSecret: a second secret; DescribeUserPoolClient then shows the new value. */
  addSecret(poolId: string, clientId: string, value: string, createdAt = this.nextDate()): string {
    const client = this.client(poolId, clientId);
    const id = this.nextSecretId(clientId);
    client.secrets.push({ id, createdAt });
    client.secretValue = value;
    return id;
  }

  /** DeleteUserPoolClientSecret. */
  removeSecret(poolId: string, clientId: string, secretId: string): void {
    const client = this.client(poolId, clientId);
    client.secrets = client.secrets.filter((s) => s.id !== secretId);
  }

  // ---- Arranging the rest of the surface (same names and arguments as the stand-in's) ----------

  /** SetUserPoolMfaConfig (merges; `MfaConfiguration` also changes DescribeUserPool). */
  setMfa(poolId: string, mfa: SeedMfa): void {
    this.pool(poolId);
    this.model.setMfa(poolId, mfa);
  }

  /** SetRiskConfiguration for the pool or one client; `null` removes it. */
  setRiskConfiguration(poolId: string, risk: SeedRiskConfiguration | null, clientId?: string): void {
    if (clientId !== undefined) this.client(poolId, clientId);
    this.model.setRiskConfiguration(poolId, risk, clientId);
  }

  addIdentityProvider(poolId: string, idp: SeedIdentityProvider): void {
    this.model.addIdentityProvider(poolId, idp);
  }

  /** UpdateIdentityProvider: `details` / `attributeMapping` merged key by key (`undefined` removes a key). */
  updateIdentityProvider(
    poolId: string,
    name: string,
    patch: Parameters<SurfaceModel['updateIdentityProvider']>[2],
  ): void {
    this.model.updateIdentityProvider(poolId, name, patch);
  }

  removeIdentityProvider(poolId: string, name: string): void {
    this.model.removeIdentityProvider(poolId, name);
  }

  addGroup(poolId: string, group: SeedGroup): void {
    this.model.addGroup(poolId, group);
  }

  /** UpdateGroup: a field set to `null` is removed. */
  updateGroup(poolId: string, name: string, patch: Parameters<SurfaceModel['updateGroup']>[2]): void {
    this.model.updateGroup(poolId, name, patch);
  }

  removeGroup(poolId: string, name: string): void {
    this.model.removeGroup(poolId, name);
  }

  addResourceServer(poolId: string, rs: SeedResourceServer): void {
    this.model.addResourceServer(poolId, rs);
  }

  updateResourceServer(
    poolId: string,
    identifier: string,
    patch: Parameters<SurfaceModel['updateResourceServer']>[2],
  ): void {
    this.model.updateResourceServer(poolId, identifier, patch);
  }

  removeResourceServer(poolId: string, identifier: string): void {
    this.model.removeResourceServer(poolId, identifier);
  }

  /** The prefix domain (`null` deletes it); DescribeUserPool reports it as `Domain`. */
  setDomain(poolId: string, domain: string | SeedDomain | null): void {
    this.model.setDomain(poolId, domain);
  }

  /** The custom domain (`null` deletes it); DescribeUserPool reports it as `CustomDomain`. */
  setCustomDomain(poolId: string, domain: string | SeedDomain | null): void {
    this.model.setCustomDomain(poolId, domain);
  }

  /** SetLogDeliveryConfiguration's LogConfigurations (`null` removes them). */
  setLogDelivery(poolId: string, logConfigurations: Record<string, unknown>[] | null): void {
    this.model.setLogDelivery(poolId, logConfigurations);
  }

  /** SetUICustomization for the pool or one client (`null` removes it). */
  setUiCustomization(poolId: string, ui: SeedUiCustomization | null, clientId?: string): void {
    if (clientId !== undefined) this.client(poolId, clientId);
    this.model.setUiCustomization(poolId, ui, clientId);
  }

  /** Associate a web ACL with the pool (`null` disassociates it). */
  setWebAcl(poolId: string, acl: SeedWebAcl | null): void {
    this.model.setWebAcl(poolId, acl);
  }

  /** Adds an identity pool; returns its id (`<region>:<uuid>`). */
  addIdentityPool(p: SeedIdentityPool): string {
    return this.model.addIdentityPool(p);
  }

  /** UpdateIdentityPool (a field set to `undefined` removes it). */
  updateIdentityPool(id: string, patch: IdentityPoolPatch): void {
    this.model.updateIdentityPool(id, patch);
  }

  /** SetIdentityPoolRoles. */
  setIdentityPoolRoles(
    id: string,
    roles: Record<string, string>,
    roleMappings?: Record<string, Record<string, unknown>>,
  ): void {
    this.model.setIdentityPoolRoles(id, roles, roleMappings);
  }

  removeIdentityPool(id: string): void {
    this.model.removeIdentityPool(id);
  }

  identityPoolIds(): string[] {
    return this.model.identityPoolIds();
  }

  // ---- Faults and hooks ----------------------------------------------------------------------

  /** Makes matching calls of `operation` fail with the service's error `spec.error`. */
  fail(operation: Operation, spec: FaultSpec): void {
    const { error, message, times, ...match } = spec;
    this.hooks.push({
      ...match,
      operation,
      remaining: times ?? Number.POSITIVE_INFINITY,
      action: () => {
        throw serviceError(operation, error, message);
      },
    });
  }

  /**
   * Runs `action` just before the fake answers the next `times` matching calls (default 1); an
   * action that returns a promise holds the answer back until it settles.
   */
  beforeCall(operation: Operation, match: CallMatch, action: () => void | Promise<void>, times = 1): void {
    this.hooks.push({ ...match, operation, remaining: times, action });
  }

  /** Removes every fault and hook. */
  heal(): void {
    this.hooks.length = 0;
  }

  private async intercept(operation: Operation, call: CallMatch): Promise<void> {
    for (const hook of this.hooks) {
      if (hook.operation !== operation || hook.remaining <= 0) continue;
      if (hook.poolId !== undefined && hook.poolId !== call.poolId) continue;
      if (hook.clientId !== undefined && hook.clientId !== call.clientId) continue;
      if (hook.identityPoolId !== undefined && hook.identityPoolId !== call.identityPoolId) continue;
      if (hook.key !== undefined && hook.key !== call.key) continue;
      hook.remaining -= 1;
      await hook.action();
    }
  }

  // ---- Cognito -------------------------------------------------------------------------------

  private async listUserPools(input: ListUserPoolsCommandInput): Promise<ListUserPoolsCommandOutput> {
    await this.intercept('ListUserPools', {});
    const max = input.MaxResults;
    if (max === undefined || !Number.isInteger(max) || max < 1 || max > PAGE_LIMIT) {
      throw serviceError(
        'ListUserPools',
        'InvalidParameterException',
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60`,
      );
    }
    const all = [...this.pools.values()].sort((a, b) => binaryOrder(a.poolId, b.poolId));
    const start = decodeToken(input.NextToken, 'ListUserPools', 'ListUserPools');
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? encodeToken('ListUserPools', start + max) : undefined;
    return {
      $metadata: { httpStatusCode: 200 },
      UserPools: page.map((p) => ({
        Id: p.poolId,
        Name: p.poolName,
        LambdaConfig: p.config.LambdaConfig ?? {},
        LastModifiedDate: p.modifiedAt,
        CreationDate: p.createdAt,
      })),
      NextToken: next,
    };
  }

  private async describeUserPool(
    input: DescribeUserPoolCommandInput,
  ): Promise<DescribeUserPoolCommandOutput> {
    const poolId = input.UserPoolId ?? '';
    await this.intercept('DescribeUserPool', { poolId });
    const pool = this.requirePool('DescribeUserPool', poolId);
    return {
      $metadata: { httpStatusCode: 200 },
      UserPool: {
        ...structuredClone(pool.config),
        Id: pool.poolId,
        Name: pool.poolName,
        Arn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT_ID}:userpool/${pool.poolId}`,
        ...this.model.poolDomains(pool.poolId),
        LastModifiedDate: pool.modifiedAt,
        CreationDate: pool.createdAt,
      },
    };
  }

  private async listUserPoolClients(
    input: ListUserPoolClientsCommandInput,
  ): Promise<ListUserPoolClientsCommandOutput> {
    const poolId = input.UserPoolId ?? '';
    await this.intercept('ListUserPoolClients', { poolId });
    const pool = this.requirePool('ListUserPoolClients', poolId);
    const max = input.MaxResults ?? PAGE_LIMIT;
    if (!Number.isInteger(max) || max < 1 || max > PAGE_LIMIT) {
      throw serviceError(
        'ListUserPoolClients',
        'InvalidParameterException',
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60`,
      );
    }
    const all = [...pool.clients.values()].sort((a, b) => binaryOrder(a.clientId, b.clientId));
    const start = decodeToken(input.NextToken, `ListUserPoolClients:${poolId}`, 'ListUserPoolClients');
    const page = all.slice(start, start + max);
    const next =
      start + max < all.length ? encodeToken(`ListUserPoolClients:${poolId}`, start + max) : undefined;
    return {
      $metadata: { httpStatusCode: 200 },
      UserPoolClients: page.map((c) => ({
        ClientId: c.clientId,
        ClientName: c.clientName,
        UserPoolId: poolId,
      })),
      NextToken: next,
    };
  }

  private async describeUserPoolClient(
    input: DescribeUserPoolClientCommandInput,
  ): Promise<DescribeUserPoolClientCommandOutput> {
    const poolId = input.UserPoolId ?? '';
    const clientId = input.ClientId ?? '';
    await this.intercept('DescribeUserPoolClient', { poolId, clientId });
    const client = this.requireClient('DescribeUserPoolClient', poolId, clientId);
    return {
      $metadata: { httpStatusCode: 200 },
      UserPoolClient: {
        ...structuredClone(client.config),
        UserPoolId: poolId,
        ClientName: client.clientName,
        ClientId: client.clientId,
        ...(client.secretValue === undefined ? {} : { ClientSecret: client.secretValue }),
        LastModifiedDate: client.modifiedAt,
        CreationDate: client.createdAt,
      },
    };
  }

  private async listUserPoolClientSecrets(
    input: ListUserPoolClientSecretsCommandInput,
  ): Promise<ListUserPoolClientSecretsCommandOutput> {
    const poolId = input.UserPoolId ?? '';
    const clientId = input.ClientId ?? '';
    await this.intercept('ListUserPoolClientSecrets', { poolId, clientId });
    const client = this.requireClient('ListUserPoolClientSecrets', poolId, clientId);
    const descriptors: ClientSecretDescriptorType[] = client.secrets.map((s) => ({
      ClientSecretId: s.id,
      ClientSecretCreateDate: s.createdAt,
    }));
    return { $metadata: { httpStatusCode: 200 }, ClientSecrets: descriptors };
  }

  /** The operations of the shared surface model: same answers as the stand-in, as the SDK returns them. */
  private async answerSurface(op: string, input: Record<string, unknown>): Promise<unknown> {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const call: CallMatch = {};
    const poolId =
      str(input.UserPoolId) ??
      (str(input.Domain) === undefined ? undefined : this.model.poolOfDomain(str(input.Domain) ?? '')) ??
      (str(input.ResourceArn) === undefined ? undefined : this.model.poolOfArn(str(input.ResourceArn) ?? ''));
    if (poolId !== undefined) call.poolId = poolId;
    if (str(input.ClientId) !== undefined) call.clientId = str(input.ClientId);
    if (str(input.IdentityPoolId) !== undefined) call.identityPoolId = str(input.IdentityPoolId);
    await this.intercept(op as Operation, call);
    try {
      const answer = this.catalogItems.serves(op)
        ? this.catalogItems.answer(op, input)
        : this.model.answer(op as SurfaceOperation, input);
      return { $metadata: { httpStatusCode: 200 }, ...withSdkDates(answer) };
    } catch (e) {
      if (e instanceof AwsError) throw serviceError(op as Operation, e.type, e.message);
      throw e;
    }
  }

  private requirePool(operation: CognitoOperation, poolId: string): FakePool {
    const pool = this.pools.get(poolId);
    if (!pool)
      throw serviceError(operation, 'ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return pool;
  }

  private requireClient(operation: CognitoOperation, poolId: string, clientId: string): FakeClient {
    const client = this.requirePool(operation, poolId).clients.get(clientId);
    if (!client)
      throw serviceError(operation, 'ResourceNotFoundException', `Client ${clientId} does not exist.`);
    return client;
  }

  // ---- S3 ------------------------------------------------------------------------------------

  private async getObject(input: GetObjectCommandInput) {
    const key = input.Key ?? '';
    this.requireBucket('GetObject', input.Bucket);
    await this.intercept('GetObject', { key });
    const object =
      input.VersionId === undefined
        ? this.bucket.current(key)
        : this.bucket.versions(key).find((v) => v.versionId === input.VersionId);
    if (!object) throw serviceError('GetObject', 'NoSuchKey', 'The specified key does not exist.');
    const bytes = Buffer.from(object.body, 'utf-8');
    return {
      $metadata: { httpStatusCode: 200 },
      ETag: object.etag,
      VersionId: object.versionId,
      ContentLength: bytes.length,
      ContentType: 'application/json',
      LastModified: object.lastModified,
      // The SDK's stream mixin, reduced to what a reader calls.
      Body: {
        transformToString: async (encoding?: BufferEncoding) => bytes.toString(encoding ?? 'utf-8'),
        transformToByteArray: async () => new Uint8Array(bytes),
      },
    };
  }

  private async putObject(input: PutObjectCommandInput): Promise<PutObjectCommandOutput> {
    const key = input.Key ?? '';
    this.requireBucket('PutObject', input.Bucket);
    await this.intercept('PutObject', { key });
    const current = this.bucket.current(key);
    if (input.IfNoneMatch !== undefined) {
      if (input.IfNoneMatch !== '*')
        throw serviceError('PutObject', 'NotImplemented', 'If-None-Match takes only *');
      if (current)
        throw serviceError(
          'PutObject',
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
    }
    if (input.IfMatch !== undefined) {
      if (!current) throw serviceError('PutObject', 'NoSuchKey', 'The specified key does not exist.');
      if (current.etag !== input.IfMatch)
        throw serviceError(
          'PutObject',
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
    }
    const body = bodyText(input.Body);
    const etag = this.bucket.write(key, body);
    return { $metadata: { httpStatusCode: 200 }, ETag: etag, VersionId: this.bucket.current(key)?.versionId };
  }

  private async listObjects(input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput> {
    this.requireBucket('ListObjectsV2', input.Bucket);
    await this.intercept('ListObjectsV2', { key: input.Prefix ?? '' });
    const prefix = input.Prefix ?? '';
    const all = this.bucket.keys(prefix);
    const size = Math.min(input.MaxKeys ?? 1000, 1000, this.listPageSize);
    const start = decodeToken(input.ContinuationToken, `ListObjectsV2:${prefix}`, 'ListObjectsV2');
    const page = all.slice(start, start + size);
    const truncated = start + size < all.length;
    return {
      $metadata: { httpStatusCode: 200 },
      Name: input.Bucket,
      Prefix: prefix,
      KeyCount: page.length,
      MaxKeys: size,
      IsTruncated: truncated,
      ContinuationToken: input.ContinuationToken,
      NextContinuationToken: truncated ? encodeToken(`ListObjectsV2:${prefix}`, start + size) : undefined,
      Contents: page.map((key) => {
        const object = this.bucket.current(key) as ObjectVersion;
        return {
          Key: key,
          ETag: object.etag,
          Size: Buffer.byteLength(object.body),
          LastModified: object.lastModified,
          StorageClass: 'STANDARD',
        };
      }),
    };
  }

  /** Every version of every key under the prefix; a key's versions newest first, as S3 lists them. */
  private async listObjectVersions(
    input: ListObjectVersionsCommandInput,
  ): Promise<ListObjectVersionsCommandOutput> {
    this.requireBucket('ListObjectVersions', input.Bucket);
    const prefix = input.Prefix ?? '';
    await this.intercept('ListObjectVersions', { key: prefix });
    const all = this.bucket.keys(prefix).flatMap((key) => {
      const versions = this.bucket.versions(key);
      return versions
        .map((v, index) => ({
          Key: key,
          VersionId: v.versionId,
          ETag: v.etag,
          Size: Buffer.byteLength(v.body),
          LastModified: v.lastModified,
          IsLatest: index === versions.length - 1,
        }))
        .reverse();
    });
    const size = Math.min(input.MaxKeys ?? 1000, 1000, this.listPageSize);
    const start = decodeToken(input.VersionIdMarker, `ListObjectVersions:${prefix}`, 'ListObjectVersions');
    const page = all.slice(start, start + size);
    const truncated = start + size < all.length;
    const last = page.at(-1);
    return {
      $metadata: { httpStatusCode: 200 },
      Name: input.Bucket,
      Prefix: prefix,
      IsTruncated: truncated,
      Versions: page,
      // The markers are opaque to callers; this fake keeps its offset in the version marker.
      NextKeyMarker: truncated ? last?.Key : undefined,
      NextVersionIdMarker: truncated ? encodeToken(`ListObjectVersions:${prefix}`, start + size) : undefined,
    };
  }

  private requireBucket(operation: Operation, bucket: string | undefined): void {
    if (bucket !== this.bucket.name)
      throw serviceError(operation, 'NoSuchBucket', 'The specified bucket does not exist');
  }

  // ---- SNS -----------------------------------------------------------------------------------

  private async publish(input: PublishCommandInput): Promise<PublishCommandOutput> {
    await this.intercept('Publish', {});
    if (input.TopicArn !== TOPIC_ARN) throw serviceError('Publish', 'NotFound', 'Topic does not exist');
    const subject = input.Subject ?? '';
    if (subject.length >= 100 || /[^\x20-\x7e]/.test(subject)) {
      throw serviceError('Publish', 'InvalidParameter', 'Invalid parameter: Subject');
    }
    this.published.push(structuredClone(input));
    return { $metadata: { httpStatusCode: 200 }, MessageId: `m-${this.published.length}` };
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private nextDate(): Date {
    return new Date(this.clockStart + (this.poolCounter + this.clientCounter + this.secretCounter) * 60_000);
  }

  private nextSecretId(clientId: string): string {
    this.secretCounter += 1;
    return `${clientId}--${this.secretCounter.toString().padStart(4, '0')}`;
  }
}

/** mulberry32: ids and generated secrets of the fake are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString('base64url');
}

/** Offset of an opaque token; a token from another listing (or garbage) is rejected like the services do. */
function decodeToken(token: string | undefined, scope: string, operation: Operation): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf-8')) as {
      scope?: string;
      offset?: number;
    };
    if (parsed.scope === scope && typeof parsed.offset === 'number') return parsed.offset;
  } catch {
    // fall through to the service's answer for a bad token
  }
  throw serviceError(
    operation,
    operation === 'ListObjectsV2' ? 'InvalidArgument' : 'InvalidParameterException',
    'The pagination token is invalid.',
  );
}

function bodyText(body: PutObjectCommandInput['Body']): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf-8');
  throw new Error('the fake bucket stores string or byte bodies only');
}

// ---- Driving the detector ----------------------------------------------------------------------

/** A clock the test moves. */
export class ManualClock {
  private ms: number;

  constructor(start = '2026-01-05T06:00:00.000Z') {
    this.ms = Date.parse(start);
  }

  now = (): Date => new Date(this.ms);

  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

/** A Logger that keeps every line, to search them afterwards. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];

  debug(message: string, extra: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, extra: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'error', message, extra });
  }

  /** Every line as text, errors with their message, name and cause chain. */
  text(): string {
    return this.lines.map((line) => `${line.level} ${line.message} ${serialize(line.extra)}`).join('\n');
  }
}

/** JSON of a log payload in which errors show their name, message, stack and causes. */
export function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
  );
}

export const HOUR = 3_600_000;

/** What the harness passes to every run unless a test overrides it. */
export function defaultOptions(): DetectorOptions {
  return {
    accountId: ACCOUNT_ID,
    region: REGION,
    reminderIntervalMs: 24 * HOUR,
    approveCommand: (poolId) => `AWS_REGION=${REGION} npm run approve -- --pool ${poolId} --bucket ${BUCKET}`,
    safetyMarginMs: 90_000,
    poolConcurrency: 4,
    maxRunAgeMs: 6 * HOUR,
  };
}

/** One run's result with what SNS received during it. */
export interface HarnessRun extends RunResult {
  sent: PublishCommandInput[];
}

/**
 * Runs `runDetection` against the fake account through the real adapters (CognitoReader,
 * S3DocumentStore, SnsNotifier). Each run after the first happens one schedule period (1 hour) later.
 */
export class DetectorHarness {
  readonly clock = new ManualClock();
  readonly logger = new RecordingLogger();
  readonly store = new DriftStore(new S3DocumentStore(new S3Client({ region: REGION }), BUCKET));
  private readonly cognitoClient = new CognitoIdentityProviderClient({ region: REGION });
  private readonly identityClient = new CognitoIdentityClient({ region: REGION });
  private readonly wafClient = new WAFV2Client({ region: REGION });
  private readonly snsClient = new SNSClient({ region: REGION });
  private runs = 0;
  /** How long after the previous run each run starts (one schedule period unless a test says otherwise). */
  period = HOUR;

  /**
   * `surfaces`: what the reader watches besides pools and clients (`SURFACE_NAMES` for all of
   * them); reassign it between runs to model an upgrade or a surface turned on. @default none
   */
  constructor(
    readonly aws: FakeAccount,
    private readonly options: Partial<DetectorOptions> = {},
    public surfaces: readonly string[] = [],
  ) {}

  async run(overrides: Partial<DetectorOptions> = {}): Promise<HarnessRun> {
    if (this.runs > 0) this.clock.advance(this.period);
    this.runs += 1;
    const before = this.aws.published.length;
    // The stubbed `send` skips the pacing middleware; the quotas are raised anyway so nothing waits.
    const reader = new CognitoReader({
      client: this.cognitoClient,
      identityClient: this.identityClient,
      wafClient: this.wafClient,
      surfaces: this.surfaces,
      quotaShare: 1,
      quotas: { userPoolRead: 1e6, userPoolClientRead: 1e6, perPoolClientRead: 1e6 },
    });
    const result = await runDetection(
      {
        reader,
        store: this.store,
        notifier: new SnsNotifier(this.snsClient, TOPIC_ARN),
        logger: this.logger,
        now: this.clock.now,
      },
      { ...defaultOptions(), ...this.options, ...overrides },
    );
    return { ...result, sent: this.aws.published.slice(before) };
  }

  /** Approves the pool as `approve --yes` does (the same planning and conditional write). */
  async approve(poolId: string, approvedBy = 'alice'): Promise<void> {
    const [plan] = await planApprovals(this.store, { poolIds: [poolId] });
    if (!plan) throw new Error(`nothing to approve for ${poolId}`);
    await applyApproval(this.store, plan, { approvedBy, reason: 'reviewed', at: this.clock.now() });
  }
}
