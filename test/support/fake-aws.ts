import { CognitoIdentityClient, CognitoIdentityServiceException } from '@aws-sdk/client-cognito-identity';
import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  type UserPoolClientType,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient, IAMServiceException } from '@aws-sdk/client-iam';
import { KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { LambdaClient, LambdaServiceException } from '@aws-sdk/client-lambda';
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
  GetSecretValueCommand,
  type GetSecretValueCommandInput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
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
import { AccountFace } from './account-face.js';
import { AccountModel, type ClientRecord, type PoolRecord } from './account-model.js';
import { TEST_DIGEST_KEY_SECRET_ARN, TEST_DIGEST_KEY_TEXT } from './digest-key.js';
import { FakeBucket, type ObjectVersion } from './fake-bucket.js';
import { ACCOUNT_ID, BUCKET, CALLER_ARN, REGION, TOPIC_ARN } from './fake-constants.js';

export { FakeBucket, type ObjectVersion } from './fake-bucket.js';

import { CATALOG_OPERATIONS, type CatalogOperations } from './catalog-operations.js';
import {
  AwsError,
  type ClientSurfaceSeed,
  type PoolSurface,
  type SurfaceOperation,
  type SurfaceSeed,
  withSdkDates,
} from './cognito-surface.js';

export * from './detector-harness.js';
export { ACCOUNT_ID, BUCKET, CALLER_ARN, PREFIX, REGION, TOPIC_ARN } from './fake-constants.js';

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
  lambda: 'lambda',
  iam: 'iam',
  kms: 'kms',
} as const;

type FakeService = (typeof SURFACE_SERVICE)[keyof typeof SURFACE_SERVICE];

/** The not-found error each service answers for a resource it does not have. */
const NOT_FOUND: Partial<Record<FakeService, string>> = { iam: 'NoSuchEntity', kms: 'NotFoundException' };

const SERVICE_OF: Record<Operation, FakeService | 's3' | 'sns' | 'sts'> = {
  ListUserPools: 'cognito',
  DescribeUserPool: 'cognito',
  ListUserPoolClients: 'cognito',
  DescribeUserPoolClient: 'cognito',
  ListUserPoolClientSecrets: 'cognito',
  ...(Object.fromEntries(
    [...CATALOG_OPERATIONS.values()].map((op) => [op.name, SURFACE_SERVICE[op.service]]),
  ) as Record<SurfaceOperation, FakeService>),
  GetObject: 's3',
  PutObject: 's3',
  ListObjectsV2: 's3',
  ListObjectVersions: 's3',
  Publish: 'sns',
  GetCallerIdentity: 'sts',
};

/** Builds the SDK's own exception class for the service, as the deserializer would. */
export function serviceError(operation: Operation, given: string, message = `${given} (injected)`): Error {
  const service = SERVICE_OF[operation];
  const code =
    given === 'ResourceNotFoundException' && service !== 's3' && service !== 'sns' && service !== 'sts'
      ? (NOT_FOUND[service] ?? given)
      : given;
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
    case 'lambda':
      return new LambdaServiceException(options);
    case 'iam':
      return new IAMServiceException(options);
    case 'kms':
      return new KMSServiceException(options);
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

/** A faked call the test wants to act on just before the fake answers it. */
interface Hook extends CallMatch {
  operation: Operation;
  remaining: number;
  action: () => void | Promise<void>;
}

/** The fake account. Create one per test: creating it (re)installs the stubs with a clean history. */
export class FakeAccount extends AccountFace {
  readonly cognito = mockClient(CognitoIdentityProviderClient);
  readonly identity = mockClient(CognitoIdentityClient);
  readonly wafv2 = mockClient(WAFV2Client);
  readonly lambda = mockClient(LambdaClient);
  readonly iam = mockClient(IAMClient);
  readonly kms = mockClient(KMSClient);
  readonly s3 = mockClient(S3Client);
  readonly sns = mockClient(SNSClient);
  readonly sts = mockClient(STSClient);
  /** The stack's digest key secret ({@link TEST_DIGEST_KEY_SECRET_ARN}); any other id is not found. */
  readonly secrets = mockClient(SecretsManagerClient);
  readonly bucket = new FakeBucket(BUCKET);
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
  /**
   * The account's Cognito state and answers: the one model the HTTP stand-in serves too. This fake
   * is its SDK-mock face, with the hardened production defaults the scenario tests start from.
   */
  readonly account = new AccountModel({
    region: REGION,
    accountId: ACCOUNT_ID,
    tokenKey: 'fake-account',
    clock: () => new Date(Date.parse('2025-05-01T00:00:00Z') + ++this.surfaceTicks * 60_000),
    rand: seededRandom(7),
    defaults: {
      pool: defaultPoolConfig as () => Record<string, unknown>,
      client: defaultClientConfig as () => Record<string, unknown>,
    },
  });

  /** Raw API items of the catalog operations served generically (a new resource kind's reads). */
  get catalogItems(): CatalogOperations {
    return this.account.catalogItems;
  }

  /** Every pool, by id, in listing order (live views: a change to one changes the account). */
  get pools(): Map<string, FakePool> {
    return new Map(this.account.sortedPools().map((p) => [p.id, this.poolView(p)]));
  }

  constructor() {
    super();
    this.secrets.on(GetSecretValueCommand).callsFake(async (input: GetSecretValueCommandInput) => {
      if (input.SecretId !== TEST_DIGEST_KEY_SECRET_ARN)
        throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
          name: 'ResourceNotFoundException',
        });
      return { ARN: TEST_DIGEST_KEY_SECRET_ARN, SecretString: TEST_DIGEST_KEY_TEXT };
    });
    for (const [op, command] of Object.entries(COGNITO_COMMANDS) as [CognitoOperation, unknown][]) {
      const service = SERVICE_OF[op];
      const mock = {
        cognito: this.cognito,
        'cognito-identity': this.identity,
        wafv2: this.wafv2,
        lambda: this.lambda,
        iam: this.iam,
        kms: this.kms,
      }[service as FakeService];
      (mock as unknown as { on(c: unknown): { callsFake(f: (input: unknown) => unknown): void } })
        .on(command)
        .callsFake(async (input: unknown) => this.answer(op, input as Record<string, unknown>));
    }
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
    this.lambda.restore();
    this.iam.restore();
    this.kms.restore();
    this.s3.restore();
    this.sns.restore();
    this.sts.restore();
  }

  // ---- Arranging Cognito ---------------------------------------------------------------------

  /** Adds a pool; a `Domain` / `CustomDomain` in `config` is taken as `domain` / `customDomain`. */
  addPool(options: FakePoolOptions = {}): FakePool {
    this.poolCounter += 1;
    const at = this.nextDate();
    const { name, config, poolId, ...surfaceSeed } = options;
    const id = this.account.addPool({
      ...surfaceSeed,
      id: poolId ?? `${REGION}_P${this.poolCounter.toString(36).padStart(8, '0')}`,
      name: name ?? `pool-${this.poolCounter}`,
      config: config as Record<string, unknown> | undefined,
      createdAt: at,
      lastModifiedAt: at,
    });
    return this.pool(id);
  }

  /** Adds an app client; a confidential one gets a secret (value and descriptor). */
  addClient(poolId: string, options: FakeClientOptions = {}): FakeClient {
    this.pool(poolId);
    this.clientCounter += 1;
    const clientId = options.clientId ?? `c${this.clientCounter.toString(36).padStart(25, '0')}`;
    const at = this.nextDate();
    const { name, confidential, secretValue, config, clientId: _id, ...surfaceSeed } = options;
    const secret =
      confidential || secretValue ? (secretValue ?? `generated-secret-${this.clientCounter}`) : undefined;
    this.account.addClient(poolId, {
      ...surfaceSeed,
      id: clientId,
      name: name ?? `client-${this.clientCounter}`,
      config: config as Record<string, unknown> | undefined,
      createdAt: at,
      lastModifiedAt: at,
      ...(secret === undefined
        ? {}
        : { secret, secrets: [{ id: this.nextSecretId(clientId), createdAt: at }] }),
    });
    return this.client(poolId, clientId);
  }

  pool(poolId: string): FakePool {
    const pool = this.account.pools.get(poolId);
    if (!pool) throw new Error(`fake account has no pool ${poolId}`);
    return this.poolView(pool);
  }

  client(poolId: string, clientId: string): FakeClient {
    const client = this.account.pools.get(poolId)?.clients.get(clientId);
    if (!client) throw new Error(`fake pool ${poolId} has no client ${clientId}`);
    return clientView(client);
  }

  /** UpdateUserPool: merges top-level fields (undefined removes one) and bumps LastModifiedDate. */
  updatePool(poolId: string, changes: UserPoolType): void {
    this.pool(poolId);
    this.account.updatePool(poolId, {
      config: changes as Record<string, unknown>,
      lastModifiedAt: this.nextDate(),
    });
  }

  /** UpdateUserPoolClient: merges top-level fields and bumps LastModifiedDate. */
  updateClient(poolId: string, clientId: string, changes: UserPoolClientType): void {
    this.client(poolId, clientId);
    this.account.updateClient(poolId, clientId, {
      config: changes as Record<string, unknown>,
      lastModifiedAt: this.nextDate(),
    });
  }

  deletePool(poolId: string): void {
    this.pool(poolId);
    this.account.removePool(poolId);
  }

  deleteClient(poolId: string, clientId: string): void {
    this.client(poolId, clientId);
    this.account.removeClient(poolId, clientId);
  }

  /** Puts a deleted client back exactly as it was (ids, dates, secrets): a revert no API can make. */
  restoreClient(poolId: string, client: FakeClient): void {
    this.account.addClient(poolId, {
      id: client.clientId,
      name: client.clientName,
      config: structuredClone(client.config) as Record<string, unknown>,
      createdAt: client.createdAt,
      lastModifiedAt: client.modifiedAt,
      ...(client.secretValue === undefined
        ? {}
        : { secret: client.secretValue, secrets: [...client.secrets] }),
    });
  }

  /**
   * AddUserPoolClientSecret: a second secret; DescribeUserPoolClient then shows the new value. Like
   * Cognito, only for a client created with a secret (`confidential`): a public client never gets one.
   */
  addSecret(poolId: string, clientId: string, value: string, createdAt = this.nextDate()): string {
    const client = this.client(poolId, clientId);
    if (client.secretValue === undefined)
      throw new Error(`client ${clientId} has no secret: Cognito adds secrets only to a confidential client`);
    const id = this.nextSecretId(clientId);
    client.secrets.push({ id, createdAt });
    client.secretValue = value;
    return id;
  }

  /** DeleteUserPoolClientSecret; like Cognito, never the client's last secret. */
  removeSecret(poolId: string, clientId: string, secretId: string): void {
    const client = this.client(poolId, clientId);
    if (client.secrets.every((s) => s.id === secretId))
      throw new Error(`${secretId} is the last secret of client ${clientId}: Cognito does not delete it`);
    client.secrets = client.secrets.filter((s) => s.id !== secretId);
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

  /** Every Cognito, identity-pool and WAF operation: the account model's answer, as the SDK returns it. */
  private async answer(op: CognitoOperation, input: Record<string, unknown>): Promise<unknown> {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const call: CallMatch = {};
    const poolId =
      str(input.UserPoolId) ??
      (str(input.Domain) === undefined ? undefined : this.model.poolOfDomain(str(input.Domain) ?? '')) ??
      (str(input.ResourceArn) === undefined ? undefined : this.model.poolOfArn(str(input.ResourceArn) ?? ''));
    if (poolId !== undefined) call.poolId = poolId;
    if (str(input.ClientId) !== undefined) call.clientId = str(input.ClientId);
    if (str(input.IdentityPoolId) !== undefined) call.identityPoolId = str(input.IdentityPoolId);
    await this.intercept(op, call);
    try {
      return { $metadata: { httpStatusCode: 200 }, ...withSdkDates(this.account.answer(op, input)) };
    } catch (e) {
      if (e instanceof AwsError) throw serviceError(op, e.type, e.message);
      throw e;
    }
  }

  /** A pool of the model as the tests see it: live fields, and its clients as live views. */
  private poolView(record: PoolRecord): FakePool {
    return {
      get poolId() {
        return record.id;
      },
      get poolName() {
        return record.name;
      },
      set poolName(value: string) {
        record.name = value;
      },
      get config() {
        return record.config as UserPoolType;
      },
      set config(value: UserPoolType) {
        record.config = value as Record<string, unknown>;
      },
      get clients() {
        return new Map([...record.clients.values()].map((c) => [c.id, clientView(c)]));
      },
      get createdAt() {
        return record.createdAt;
      },
      get modifiedAt() {
        return record.lastModifiedAt;
      },
      surface: this.model.surface(record.id),
    };
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
    if (input.IfNoneMatch !== undefined && input.IfNoneMatch !== '*') {
      throw serviceError('PutObject', 'NotImplemented', 'If-None-Match takes only *');
    }
    const refusal = this.bucket.refusal(key, {
      ...(input.IfNoneMatch === '*' ? { ifNoneMatch: '*' as const } : {}),
      ...(input.IfMatch === undefined ? {} : { ifMatch: input.IfMatch }),
    });
    if (refusal === 'missing')
      throw serviceError('PutObject', 'NoSuchKey', 'The specified key does not exist.');
    if (refusal) {
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

/** The SDK command class of each operation the shared surface model answers. */
/** The SDK command class of every operation the account model answers for the unit tests. */
/**
 * The SDK command class of each operation: the pool and client reads here, every other one as its
 * surface declares it in the catalog (`lambda/surfaces/`).
 */
const COGNITO_COMMANDS: Record<CognitoOperation, unknown> = {
  ListUserPools: ListUserPoolsCommand,
  DescribeUserPool: DescribeUserPoolCommand,
  ListUserPoolClients: ListUserPoolClientsCommand,
  DescribeUserPoolClient: DescribeUserPoolClientCommand,
  ListUserPoolClientSecrets: ListUserPoolClientSecretsCommand,
  ...(Object.fromEntries([...CATALOG_OPERATIONS.values()].map((op) => [op.name, op.command])) as Record<
    SurfaceOperation,
    unknown
  >),
};

/** A client of the model as the tests see it: live fields (a test may swap its secrets). */
function clientView(record: ClientRecord): FakeClient {
  return {
    get clientId() {
      return record.id;
    },
    get clientName() {
      return record.name;
    },
    set clientName(value: string) {
      record.name = value;
    },
    get secretValue() {
      return record.secret;
    },
    set secretValue(value: string | undefined) {
      record.secret = value;
    },
    get secrets() {
      return record.secrets;
    },
    set secrets(value: { id: string; createdAt: Date }[]) {
      record.secrets = value;
    },
    get config() {
      return record.config as UserPoolClientType;
    },
    set config(value: UserPoolClientType) {
      record.config = value as Record<string, unknown>;
    },
    get createdAt() {
      return record.createdAt;
    },
    get modifiedAt() {
      return record.lastModifiedAt;
    },
  };
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
