/**
 * What the CLI tests drive `main(argv, io)` with: a fake terminal (captured stdout/stderr, a stdin
 * whose `isTTY` the test sets), an in-memory versioned S3 bucket with real conditional-write
 * semantics, a small Cognito account, STS and SNS. aws-sdk-client-mock stubs the SDK classes'
 * prototypes, so the clients the CLI creates itself talk to these fakes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { UserPoolClientType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { main } from '../../bin/cli.js';
import type { Io } from '../../cli/output.js';
import { canonicalJson, contentHash } from '../../lambda/core/canonical.js';
import {
  type BaselineDoc,
  FORMAT_VERSION,
  keys,
  type SnapshotDoc,
  type StateDoc,
  type TargetScope,
  targetKey,
} from '../../lambda/core/documents.js';
import {
  type ClientSnapshot,
  type JsonObject,
  type PoolSnapshot,
  Severity,
} from '../../lambda/core/types.js';
import { CloudTrailStandin } from './cloudtrail-standin.js';
import { ACCOUNT_ID, FakeAccount, type FakePool, type ObjectVersion, REGION } from './fake-aws.js';

export { ACCOUNT_ID as ACCOUNT, BUCKET, CALLER_ARN, REGION, TOPIC_ARN } from './fake-aws.js';
export const POOL_A = 'us-east-1_AAAAaaaa1';
export const POOL_B = 'us-east-1_BBBBbbbb2';
export const CLIENT_WEB = '1example23456789webclient';
export const CLIENT_APP = '9example87654321appclient';
/** The one target of a default scan: the caller's account (STS says so) in the configured region. */
export const TARGET: TargetScope = { accountId: ACCOUNT_ID, region: REGION };

/** Where a document of {@link TARGET} (or of `target`) is stored: `baselines/<account>/<region>/<poolId>.json`. */
export function at(key: string, target: TargetScope = TARGET): string {
  return targetKey(target, key);
}

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
  stderrIsTTY?: boolean;
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
  const stderr = capture(options.stderrIsTTY ?? false);
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  stdin.isTTY = options.stdinIsTTY ?? false;
  return {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
    // This harness's Cognito fake serves pools and clients only: surfaces are tested with FakeAccount
    // and over the wire against the stand-in.
    env: { USER: 'tester', SURFACES: 'none', ...options.env },
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
 * (`alerted: false` = no mark at all; `'other'` = a different, older snapshot). The documents go
 * to `scope`'s keys ({@link TARGET} by default); `scope: null` writes the former, flat layout.
 */
export async function seedDrift(
  target: Seedable,
  pools: readonly {
    baseline: PoolSnapshot | null;
    current: PoolSnapshot | null;
    poolId?: string;
    alerted?: boolean | 'other';
  }[],
  scope: TargetScope | null = TARGET,
): Promise<void> {
  const place = (key: string) => (scope ? targetKey(scope, key) : key);
  const alerted: Record<string, string | null> = {};
  for (const entry of pools) {
    const poolId = entry.poolId ?? entry.current?.poolId ?? entry.baseline?.poolId ?? '';
    if (entry.baseline)
      await target.seed(place(keys.baseline(poolId)), canonicalJson(baselineDoc(entry.baseline), 2));
    const snapshot = snapshotDoc(poolId, entry.current);
    await target.seed(place(keys.snapshot(poolId)), canonicalJson(snapshot, 2));
    const mark = entry.alerted ?? true;
    if (mark === true) alerted[poolId] = snapshot.hash;
    else if (mark === 'other') alerted[poolId] = 'an-older-snapshot-hash';
  }
  await target.seed(place(keys.state), canonicalJson(stateDoc(alerted), 2));
}

// ---- The in-memory account ------------------------------------------------------------------------

/**
 * The CLI tests' view of the one in-memory account ({@link FakeAccount}): the S3 bucket as a seeding
 * target, Cognito pools with the ids the tests name, STS and SNS. `reset()` starts a fresh account.
 */
export interface FakeAws {
  /** The account itself, for faults and hooks (`fail`, `beforeCall`). */
  readonly account: FakeAccount;
  readonly s3: Seedable & {
    readonly mock: FakeAccount['s3'];
    body(key: string): string | undefined;
    etag(key: string): string | undefined;
    versions(key: string): ObjectVersion[];
  };
  readonly cognito: {
    readonly mock: FakeAccount['cognito'];
    /** A pool with this id, named `pool-<last 5 characters>`, with these clients (ClientId, ClientName). */
    addPool(poolId: string, settings?: UserPoolType, clients?: UserPoolClientType[]): FakePool;
  };
  readonly sts: { readonly mock: FakeAccount['sts'] };
  readonly sns: { readonly mock: FakeAccount['sns'] };
  reset(): void;
  restore(): void;
}

export function fakeAws(): FakeAws {
  let account = new FakeAccount();
  return {
    get account() {
      return account;
    },
    s3: {
      get mock() {
        return account.s3;
      },
      seed: (key, body) => {
        account.bucket.write(key, body);
      },
      body: (key) => account.bucket.read(key),
      etag: (key) => account.bucket.current(key)?.etag,
      versions: (key) => account.bucket.versions(key),
    },
    cognito: {
      get mock() {
        return account.cognito;
      },
      addPool(poolId, settings = {}, clients = []) {
        const pool = account.addPool({ poolId, name: `pool-${poolId.slice(-5)}`, config: settings });
        for (const { ClientId, ClientName, ...config } of clients) {
          account.addClient(poolId, { clientId: ClientId, name: ClientName, config });
        }
        return pool;
      },
    },
    sts: {
      get mock() {
        return account.sts;
      },
    },
    sns: {
      get mock() {
        return account.sns;
      },
    },
    reset() {
      account.restore();
      account = new FakeAccount();
    },
    restore() {
      account.restore();
    },
  };
}

// ---- CloudTrail over the wire ---------------------------------------------------------------------

/** A CLI test file's fake account and CloudTrail stand-in, from {@link useCloudTrailStandin}. */
export interface CloudTrailCli {
  /** The in-memory account the CLI talks to, reset before each test. */
  readonly aws: FakeAws;
  /** The CloudTrail stand-in (started before the first test, emptied before each). */
  trail(): CloudTrailStandin;
}

/**
 * Registers the hooks of a CLI test file whose checks read CloudTrail: a {@link fakeAws} account
 * reset before each test, and one CloudTrail stand-in for the file (the account's, without quotas),
 * emptied before each test. The CLI's CloudTrail client finds it as it would find any endpoint,
 * from the environment, with static caller credentials and no retries; the environment and any
 * fake timers are restored after each test.
 */
export function useCloudTrailStandin(): CloudTrailCli {
  const aws = fakeAws();
  let standin: CloudTrailStandin | undefined;
  const trail = (): CloudTrailStandin => {
    if (!standin) throw new Error('the CloudTrail stand-in starts in beforeAll: use it inside a test');
    return standin;
  };
  beforeAll(async () => {
    standin = await CloudTrailStandin.start({ accountId: ACCOUNT_ID, region: REGION, quotas: false });
  });
  afterAll(async () => {
    await standin?.stop();
    aws.restore();
  });
  beforeEach(() => {
    aws.reset();
    trail().clearRecords();
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDTRAIL', trail().endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIACALLER0000000001');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'caller-secret-key');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });
  return { aws, trail };
}
