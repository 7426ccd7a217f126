/**
 * What the CLI tests drive `main(argv, io)` with: a fake terminal (captured stdout/stderr, a stdin
 * whose `isTTY` the test sets), an in-memory versioned S3 bucket with real conditional-write
 * semantics, a small Cognito account, STS and SNS. aws-sdk-client-mock stubs the SDK classes'
 * prototypes, so the clients the CLI creates itself talk to these fakes.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
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
import {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ObjectVersion,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../bin/cli.js';
import type { Io } from '../../cli/output.js';
import { canonicalJson, contentHash } from '../../lambda/core/canonical.js';
import {
  type BaselineDoc,
  FORMAT_VERSION,
  keys,
  type SnapshotDoc,
  type StateDoc,
} from '../../lambda/core/documents.js';
import {
  type ClientSnapshot,
  type JsonObject,
  type PoolSnapshot,
  Severity,
} from '../../lambda/core/types.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const BUCKET = 'drift-baselines';
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/operator/alice`;
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:cognito-drift-alerts`;
export const POOL_A = 'us-east-1_AAAAaaaa1';
export const POOL_B = 'us-east-1_BBBBbbbb2';
export const CLIENT_WEB = '1example23456789webclient';
export const CLIENT_APP = '9example87654321appclient';

// ---- A fake terminal ---------------------------------------------------------------------------

export interface FakeIo extends Io {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
  /** Types a line on stdin (as an operator answering a prompt). */
  type(line: string): void;
  /** Closes stdin (Ctrl-D). */
  endInput(): void;
}

export interface FakeIoOptions {
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

/** A fake terminal. By default nothing is a TTY and the environment is empty (no colour, no CI). */
export function fakeIo(options: FakeIoOptions = {}): FakeIo {
  const stdout = capture(options.stdoutIsTTY ?? false);
  const stderr = capture(false);
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  stdin.isTTY = options.stdinIsTTY ?? false;
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
    env: { USER: 'tester', ...options.env },
    out: stdout.text,
    err: stderr.text,
    type: (line) => stdin.write(`${line}\n`),
    endInput: () => stdin.end(),
  };
}

/**
 * Runs the CLI in-process, as `cognito-drift <args>` would run, and returns its exit code and what it
 * printed. The environment defaults to this process's (the SDK reads endpoints from there anyway).
 */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = fakeIo({ env: { ...env } });
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

// ---- Documents ----------------------------------------------------------------------------------

/** A normalized client, as the detector stores it. */
export function client(
  clientId: string,
  config: JsonObject = {},
  clientName = `${clientId}-name`,
): ClientSnapshot {
  return { clientId, clientName, config: { ClientName: clientName, ...config }, secrets: {} };
}

/** A normalized pool, as the detector stores it. */
export function pool(
  poolId: string,
  config: JsonObject = {},
  clients: readonly ClientSnapshot[] = [],
  poolName = `pool-${poolId.slice(-5)}`,
): PoolSnapshot {
  return {
    poolId,
    poolName,
    config: { MfaConfiguration: 'ON', ...config },
    clients: Object.fromEntries(clients.map((c) => [c.clientId, c])),
  };
}

export function baselineDoc(snapshot: PoolSnapshot, extra: Partial<BaselineDoc> = {}): BaselineDoc {
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'baseline',
    poolId: snapshot.poolId,
    approvedAt: '2026-01-01T09:00:00.000Z',
    approvedBy: 'cognito-drift (first run)',
    reason: 'Initial baseline recorded by the first detector run',
    snapshotHash: contentHash(snapshot),
    pool: snapshot,
    ...extra,
  };
}

export function snapshotDoc(poolId: string, snapshot: PoolSnapshot | null): SnapshotDoc {
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'snapshot',
    poolId,
    capturedAt: '2026-01-05T06:00:00.000Z',
    runId: '2026-01-05T06-00-00-000Z',
    hash: snapshot ? contentHash(snapshot) : null,
    unreadableClients: [],
    pool: snapshot,
  };
}

/**
 * The detector's state after it alerted the drift of these snapshots: each pool's `drift` mark
 * names the snapshot hash the alert described (or another hash, to make the snapshot stale).
 */
export function stateDoc(alerted: Record<string, string | null>): StateDoc {
  const pools: StateDoc['pools'] = {};
  for (const [poolId, snapshotHash] of Object.entries(alerted)) {
    pools[poolId] = {
      snapshotHash,
      drift: {
        fingerprint: `fp-${snapshotHash}`,
        firstAlertedAt: '2026-01-05T06:00:00.000Z',
        lastAlertedAt: '2026-01-05T06:00:00.000Z',
        snapshotHash,
        baselineHash: null,
        highest: Severity.HIGH,
        changeCount: 1,
      },
    };
  }
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'state',
    initializedAt: '2026-01-01T09:00:00.000Z',
    pools,
  };
}

/** Where seeded documents go: the fake bucket or a baselines folder. */
export interface Seedable {
  seed(key: string, body: string): Promise<void> | void;
}

/** Writes documents into a baselines folder with the folder store's layout. */
export function folderSeeder(dir: string): Seedable {
  return {
    async seed(key, body) {
      const path = key.startsWith(keys.baselinePrefix)
        ? join(dir, key.slice(keys.baselinePrefix.length))
        : join(dir, '.work', key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body, 'utf-8');
    },
  };
}

/**
 * Records pending drift for each pool: the approved baseline (none when `baseline` is null), the
 * snapshot the detector recorded, and a state whose drift marks say which snapshot was alerted
 * (`alerted: false` = no mark at all; `'other'` = a different, older snapshot).
 */
export async function seedDrift(
  target: Seedable,
  pools: readonly {
    baseline: PoolSnapshot | null;
    current: PoolSnapshot | null;
    poolId?: string;
    alerted?: boolean | 'other';
  }[],
): Promise<void> {
  const alerted: Record<string, string | null> = {};
  for (const entry of pools) {
    const poolId = entry.poolId ?? entry.current?.poolId ?? entry.baseline?.poolId ?? '';
    if (entry.baseline)
      await target.seed(keys.baseline(poolId), canonicalJson(baselineDoc(entry.baseline), 2));
    const snapshot = snapshotDoc(poolId, entry.current);
    await target.seed(keys.snapshot(poolId), canonicalJson(snapshot, 2));
    const mark = entry.alerted ?? true;
    if (mark === true) alerted[poolId] = snapshot.hash;
    else if (mark === 'other') alerted[poolId] = 'an-older-snapshot-hash';
  }
  await target.seed(keys.state, canonicalJson(stateDoc(alerted), 2));
}

// ---- S3 -----------------------------------------------------------------------------------------

interface StoredVersion {
  body: string;
  etag: string;
  versionId: string;
  lastModified: Date;
}

function s3Error(name: string, status: number, message: string): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId: 'fake' },
  });
}

function bodyText(body: PutObjectCommandInput['Body']): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf-8');
  throw new Error('the fake bucket stores string or byte bodies only');
}

/**
 * One versioned bucket named {@link BUCKET}; any other bucket name answers NoSuchBucket.
 * PutObject honours If-Match / If-None-Match with 412 PreconditionFailed, as S3 does.
 */
export class FakeBucket implements Seedable {
  readonly mock = mockClient(S3Client);
  private readonly objects = new Map<string, StoredVersion[]>();
  private clock = Date.parse('2026-01-05T07:00:00.000Z');
  private counter = 0;
  /** Called before each PutObject is evaluated (to simulate a concurrent writer). */
  beforePut: ((key: string) => Promise<void> | void) | undefined;

  constructor(readonly name = BUCKET) {
    this.install();
  }

  /** Forgets every object and every recorded call; re-installs the handlers. */
  reset(): void {
    this.mock.reset();
    this.objects.clear();
    this.beforePut = undefined;
    this.install();
  }

  seed(key: string, body: string): void {
    this.write(key, body);
  }

  /** The current body of a key, or undefined. */
  body(key: string): string | undefined {
    return this.latest(key)?.body;
  }

  etag(key: string): string | undefined {
    return this.latest(key)?.etag;
  }

  /** Every version of a key, oldest first. */
  versions(key: string): readonly StoredVersion[] {
    return this.objects.get(key) ?? [];
  }

  private latest(key: string): StoredVersion | undefined {
    return this.objects.get(key)?.at(-1);
  }

  private write(key: string, body: string): StoredVersion {
    this.counter += 1;
    this.clock += 60_000;
    const version: StoredVersion = {
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      versionId: `v${String(this.counter).padStart(4, '0')}.${createHash('sha1').update(`${key}${this.counter}`).digest('hex').slice(0, 8)}`,
      lastModified: new Date(this.clock),
    };
    this.objects.set(key, [...(this.objects.get(key) ?? []), version]);
    return version;
  }

  private requireBucket(bucket: string | undefined): void {
    if (bucket !== this.name) throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
  }

  private install(): void {
    this.mock
      .on(GetObjectCommand)
      .callsFake(async (input: { Bucket?: string; Key?: string; VersionId?: string }) => {
        this.requireBucket(input.Bucket);
        const all = this.objects.get(input.Key ?? '') ?? [];
        const version = input.VersionId ? all.find((v) => v.versionId === input.VersionId) : all.at(-1);
        if (!version) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
        return {
          $metadata: { httpStatusCode: 200 },
          ETag: version.etag,
          VersionId: version.versionId,
          LastModified: version.lastModified,
          Body: { transformToString: async () => version.body },
        };
      });
    this.mock.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
      this.requireBucket(input.Bucket);
      const key = input.Key ?? '';
      await this.beforePut?.(key);
      const current = this.latest(key);
      const failed = () =>
        s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
      if (input.IfNoneMatch !== undefined && current) throw failed();
      if (input.IfMatch !== undefined) {
        if (!current) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
        if (current.etag !== input.IfMatch) throw failed();
      }
      const written = this.write(key, bodyText(input.Body));
      return { $metadata: { httpStatusCode: 200 }, ETag: written.etag, VersionId: written.versionId };
    });
    this.mock.on(ListObjectsV2Command).callsFake(async (input: { Bucket?: string; Prefix?: string }) => {
      this.requireBucket(input.Bucket);
      const prefix = input.Prefix ?? '';
      const contents = [...this.objects.keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .map((key) => ({ Key: key, ETag: this.latest(key)?.etag }));
      return { $metadata: { httpStatusCode: 200 }, Contents: contents, IsTruncated: false };
    });
    this.mock.on(ListObjectVersionsCommand).callsFake(async (input: { Bucket?: string; Prefix?: string }) => {
      this.requireBucket(input.Bucket);
      const prefix = input.Prefix ?? '';
      const versions: ObjectVersion[] = [];
      for (const key of [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
        const all = this.objects.get(key) ?? [];
        // S3 lists a key's versions newest first.
        for (const [index, v] of [...all.entries()].reverse()) {
          versions.push({
            Key: key,
            VersionId: v.versionId,
            ETag: v.etag,
            LastModified: v.lastModified,
            IsLatest: index === all.length - 1,
          });
        }
      }
      return { $metadata: { httpStatusCode: 200 }, Versions: versions, IsTruncated: false };
    });
  }
}

// ---- Cognito ------------------------------------------------------------------------------------

interface FakePool {
  pool: UserPoolType;
  clients: UserPoolClientType[];
  /** Set to make DescribeUserPool fail with this error name. */
  failWith?: string;
}

function cognitoError(
  name: string,
  status: number,
  message: string,
): CognitoIdentityProviderServiceException {
  return new CognitoIdentityProviderServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: status, requestId: 'fake' },
  });
}

/** User pools and app clients as DescribeUserPool / DescribeUserPoolClient return them. */
export class FakeCognito {
  readonly mock = mockClient(CognitoIdentityProviderClient);
  readonly pools = new Map<string, FakePool>();

  constructor() {
    this.install();
  }

  reset(): void {
    this.mock.reset();
    this.pools.clear();
    this.install();
  }

  addPool(
    poolId: string,
    settings: Partial<UserPoolType> = {},
    clients: UserPoolClientType[] = [],
  ): FakePool {
    const entry: FakePool = {
      pool: {
        Id: poolId,
        Name: `pool-${poolId.slice(-5)}`,
        Arn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${poolId}`,
        MfaConfiguration: 'ON',
        Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true } },
        LastModifiedDate: new Date('2025-03-11T08:42:17.315Z'),
        CreationDate: new Date('2023-06-02T14:05:51.904Z'),
        ...settings,
      },
      clients: clients.map((c) => ({ UserPoolId: poolId, ...c })),
    };
    this.pools.set(poolId, entry);
    return entry;
  }

  private install(): void {
    this.mock.on(ListUserPoolsCommand).callsFake(async () => ({
      UserPools: [...this.pools.values()].map((p) => ({ Id: p.pool.Id, Name: p.pool.Name })),
    }));
    this.mock.on(DescribeUserPoolCommand).callsFake(async (input: { UserPoolId?: string }) => {
      const entry = this.pools.get(input.UserPoolId ?? '');
      if (!entry) throw cognitoError('ResourceNotFoundException', 400, 'User pool does not exist.');
      if (entry.failWith) throw cognitoError(entry.failWith, 400, `${entry.failWith} for DescribeUserPool`);
      return { UserPool: structuredClone(entry.pool) };
    });
    this.mock.on(ListUserPoolClientsCommand).callsFake(async (input: { UserPoolId?: string }) => ({
      UserPoolClients: (this.pools.get(input.UserPoolId ?? '')?.clients ?? []).map((c) => ({
        ClientId: c.ClientId,
        ClientName: c.ClientName,
        UserPoolId: c.UserPoolId,
      })),
    }));
    this.mock
      .on(DescribeUserPoolClientCommand)
      .callsFake(async (input: { UserPoolId?: string; ClientId?: string }) => {
        const found = this.pools
          .get(input.UserPoolId ?? '')
          ?.clients.find((c) => c.ClientId === input.ClientId);
        if (!found) throw cognitoError('ResourceNotFoundException', 400, 'Client does not exist.');
        return { UserPoolClient: structuredClone(found) };
      });
    this.mock.on(ListUserPoolClientSecretsCommand).resolves({ ClientSecrets: [] });
  }
}

// ---- STS and SNS --------------------------------------------------------------------------------

/** STS answering with {@link CALLER_ARN}; `fail()` makes it answer as without credentials. */
export class FakeSts {
  readonly mock = mockClient(STSClient);

  constructor() {
    this.reset();
  }

  reset(): void {
    this.mock.reset();
    this.mock
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: CALLER_ARN, Account: ACCOUNT, UserId: 'AROA:alice' });
  }

  fail(): void {
    this.mock.on(GetCallerIdentityCommand).rejects(
      new STSServiceException({
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
  }
}

export class FakeSns {
  readonly mock = mockClient(SNSClient);

  constructor() {
    this.reset();
  }

  reset(): void {
    this.mock.reset();
    this.mock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  }
}

/** Every fake, created once per test file and reset before each test. */
export interface FakeAws {
  s3: FakeBucket;
  cognito: FakeCognito;
  sts: FakeSts;
  sns: FakeSns;
  reset(): void;
  restore(): void;
}

export function fakeAws(): FakeAws {
  const aws = { s3: new FakeBucket(), cognito: new FakeCognito(), sts: new FakeSts(), sns: new FakeSns() };
  return {
    ...aws,
    reset() {
      aws.s3.reset();
      aws.cognito.reset();
      aws.sts.reset();
      aws.sns.reset();
    },
    restore() {
      aws.s3.mock.restore();
      aws.cognito.mock.restore();
      aws.sts.mock.restore();
      aws.sns.mock.restore();
    },
  };
}
