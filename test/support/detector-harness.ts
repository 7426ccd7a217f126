/**
 * Whole detector runs against the in-memory account ({@link FakeAccount}) through the real adapters,
 * with a clock the test moves and a logger that records.
 *
 * @module
 */
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { applyApproval, planApprovals } from '../../cli/approval.js';
import { CognitoReader, type CognitoReaderOptions } from '../../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { S3DocumentStore } from '../../lambda/adapters/s3-document-store.js';
import { SnsNotifier } from '../../lambda/adapters/sns-notifier.js';
import type { Attributor } from '../../lambda/core/attribution.js';
import type { FindingSink } from '../../lambda/core/finding-sinks.js';
import type { Logger } from '../../lambda/core/ports.js';
import { CLOUDTRAIL_DETAIL_TYPE } from '../../lambda/core/write-events.js';
import { type DetectorOptions, type RunResult, runDetection } from '../../lambda/run/detector.js';
import { TEST_DIGEST_KEY } from './digest-key.js';
import type { FakeAccount } from './fake-aws.js';
import { ACCOUNT_ID, BUCKET, REGION, TOPIC_ARN } from './fake-constants.js';

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

/**
 * The real CognitoReader over the fake account's clients (pools and clients only unless `options`
 * add clients and surfaces). The stubbed `send` skips the pacing middleware; the quotas are raised
 * anyway so that nothing waits.
 */
export function unpacedReader(options: Partial<CognitoReaderOptions> = {}): CognitoReader {
  return new CognitoReader({
    client: new CognitoIdentityProviderClient({ region: REGION }),
    quotaShare: 1,
    quotas: { userPoolRead: 1e6, userPoolClientRead: 1e6, perPoolClientRead: 1e6 },
    ...options,
  });
}

/** A drift store over the fake account's bucket, through the real S3 document store. */
export function fakeAccountStore(): DriftStore {
  return new DriftStore(new S3DocumentStore(new S3Client({ region: REGION }), BUCKET));
}

/**
 * What a run or a real-time check against the fake account is given, through the real adapters:
 * an {@link unpacedReader} of pools and clients, the store (a {@link fakeAccountStore} unless
 * given), SNS to the alert topic, the logger (a new {@link RecordingLogger} unless given), and
 * `clock`'s time.
 */
export function fakeAccountDeps(parts: { clock: ManualClock; store?: DriftStore; logger?: Logger }) {
  return {
    reader: unpacedReader(),
    store: parts.store ?? fakeAccountStore(),
    notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC_ARN),
    logger: parts.logger ?? new RecordingLogger(),
    now: parts.clock.now,
  };
}

/**
 * The event the deployment's EventBridge rule delivers for a CloudTrail record (`detail`) of a
 * Cognito user pool call in the fake account: "AWS API Call via CloudTrail", at the record's time.
 */
export function apiCallEvent<Detail extends { eventID: string; eventTime: string }>(detail: Detail) {
  return {
    version: '0',
    id: `eb-${detail.eventID}`,
    // The literal type, as the handler's input declares it (a plain string would not type-check there).
    'detail-type': CLOUDTRAIL_DETAIL_TYPE as typeof CLOUDTRAIL_DETAIL_TYPE,
    source: 'aws.cognito-idp',
    account: ACCOUNT_ID,
    time: detail.eventTime,
    region: REGION,
    resources: [],
    detail,
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
  readonly store = fakeAccountStore();
  private readonly cognitoClient = new CognitoIdentityProviderClient({ region: REGION });
  private readonly identityClient = new CognitoIdentityClient({ region: REGION });
  private readonly wafClient = new WAFV2Client({ region: REGION });
  private readonly lambdaClient = new LambdaClient({ region: REGION });
  private readonly iamClient = new IAMClient({ region: REGION });
  private readonly kmsClient = new KMSClient({ region: REGION });
  private readonly snsClient = new SNSClient({ region: REGION });
  private runs = 0;
  /** How long after the previous run each run starts (one schedule period unless a test says otherwise). */
  period = HOUR;
  /** The finding sinks each run feeds (EventBridge, Security Hub, or a recording one). */
  sinks: FindingSink[] = [];
  /** Who made the changes (a CloudTrail reader, or a test's stand-in); none: no attribution. */
  attribute: Attributor | undefined;

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
    const reader = unpacedReader({
      client: this.cognitoClient,
      identityClient: this.identityClient,
      wafClient: this.wafClient,
      lambdaClient: this.lambdaClient,
      iamClient: this.iamClient,
      kmsClient: this.kmsClient,
      digestKey: TEST_DIGEST_KEY,
      surfaces: this.surfaces,
    });
    const result = await runDetection(
      {
        reader,
        store: this.store,
        notifier: new SnsNotifier(this.snsClient, TOPIC_ARN),
        logger: this.logger,
        now: this.clock.now,
        sinks: this.sinks,
        ...(this.attribute ? { attribute: this.attribute } : {}),
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
