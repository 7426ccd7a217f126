/**
 * Child-process part of the run-memory benchmark (issue 18 item 5): one persisted sweep of the real
 * detector and reader, reading every surface of the account the parent serves over HTTP (the
 * stand-in) and storing its documents in the parent's S3 (fauxqs), as the Lambda does. Nothing of
 * the account lives in this process but what the run itself holds, so its peak RSS is the run's.
 * Prints one JSON line.
 *
 * Bundled and started by `bench/run-memory.ts`, with the endpoints in the environment
 * (`AWS_ENDPOINT_URL_*`), `BENCH_BUCKET` naming the bucket, and optionally `BENCH_HEAP_SNAPSHOT`
 * a file to write a heap snapshot of the end of the run to.
 */
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { COGNITO_READ_QUOTAS, CognitoReader } from '../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import { QUOTAS, type QuotaCategory } from '../lambda/adapters/quotas.js';
import type { Clock } from '../lambda/adapters/rate-limiter.js';
import { S3DocumentStore } from '../lambda/adapters/s3-document-store.js';
import { attributeBytes, messageAttributes } from '../lambda/adapters/sns-notifier.js';
import type { Logger } from '../lambda/core/ports.js';
import { runDetection } from '../lambda/run/detector.js';
import { SURFACE_NAMES } from '../lambda/surfaces/selection.js';
import { TEST_DIGEST_KEY } from '../test/support/digest-key.js';

/** What the parent reads from stdout. */
export interface RunMemoryChildResult {
  poolsScanned: number;
  clientsScanned: number;
  findings: number;
  /** Pools with at least one finding, and how many of them the alerts name. */
  poolsWithFindings: number;
  driftsAlerted: number;
  messages: number;
  /** The largest message published, as SNS counts it (body and attributes), bytes. */
  largestMessageBytes: number;
  readProblems: number;
  seconds: number;
  /** Peak resident set size of this process over the run (`process.resourceUsage().maxRSS`), MB. */
  peakRssMb: number;
  /** RSS before the run: the runtime, tsx, the SDK and the detector's code loaded, MB. */
  startRssMb: number;
  /** Highest heap in use, sampled every 20 ms during the run, MB. */
  peakHeapMb: number;
  /** Heap still in use after the run and a full collection, the run's result held, MB: what it keeps. */
  retainedHeapMb: number;
}

const MB = 1024 * 1024;
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
/** Far above any real quota: the stand-in answers at once, and the bench measures memory, not pacing. */
const UNPACED = 100_000;

/**
 * The pacer's clock with its waits skipped: a wait moves this clock on and resolves on the next
 * turn of the event loop. The per-pool rates (5/s, which no option raises) would otherwise make a
 * 1,000-pool run take many minutes of waiting that holds no memory.
 */
function skippingClock(): Clock {
  let skipped = 0;
  return {
    now: () => performance.now() + skipped,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        skipped += ms;
        setImmediate(resolve);
      }),
  };
}

async function main(): Promise<RunMemoryChildResult> {
  const bucket = process.env.BENCH_BUCKET;
  if (!bucket) throw new Error('BENCH_BUCKET is not set: run through bench/run-memory.ts');
  const config = { maxAttempts: 3 };
  const client = new CognitoIdentityProviderClient(config);
  const identityClient = new CognitoIdentityClient(config);
  const wafClient = new WAFV2Client(config);
  const s3 = new S3Client({ forcePathStyle: true });
  const reader = new CognitoReader({
    client,
    identityClient,
    wafClient,
    digestKey: TEST_DIGEST_KEY,
    surfaces: SURFACE_NAMES,
    quotaShare: 1,
    quotas: { userPoolRead: UNPACED, userPoolClientRead: UNPACED, perPoolClientRead: UNPACED },
    categoryRps: Object.fromEntries(Object.keys(QUOTAS).map((c) => [c, UNPACED])) as Record<
      QuotaCategory,
      number
    >,
    clock: skippingClock(),
  });
  // The Lambda's pool concurrency (the reader's recommendation at the default quotas): memory
  // grows with the pools in flight, so the bench holds as many as production does.
  const defaultConcurrency =
    2 * Math.ceil(COGNITO_READ_QUOTAS.userPoolClientRead / COGNITO_READ_QUOTAS.perPoolClientRead) + 2;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const startRss = process.memoryUsage().rss;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const messages: number[] = [];
  const started = performance.now();
  try {
    const result = await runDetection(
      {
        reader,
        store: new DriftStore(new S3DocumentStore(s3, bucket)),
        notifier: {
          // What SNS would count (the body and the attributes the notifier sends).
          publish: async (m) =>
            void messages.push(Buffer.byteLength(m.body) + attributeBytes(messageAttributes(m))),
        },
        logger: silentLogger,
        now: () => new Date(),
      },
      {
        accountId: '000000000000',
        region: 'us-east-1',
        reminderIntervalMs: 24 * 3_600_000,
        approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
        safetyMarginMs: 90_000,
        poolConcurrency: defaultConcurrency,
        maxRunAgeMs: 6 * 3_600_000,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    gc?.();
    const retainedHeap = process.memoryUsage().heapUsed;
    // Where the memory went, for whoever investigates a regression (Chrome DevTools reads it).
    if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
    return {
      poolsScanned: result.poolsScanned,
      clientsScanned: result.clientsScanned,
      findings: result.pools.reduce((n, p) => n + p.findings.length, 0),
      poolsWithFindings: result.pools.filter((p) => p.findings.length > 0).length,
      driftsAlerted: result.alerts.drifts.length,
      messages: messages.length,
      largestMessageBytes: Math.max(0, ...messages),
      readProblems: result.readProblems.length,
      seconds,
      peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
      startRssMb: startRss / MB,
      peakHeapMb: peakHeap / MB,
      retainedHeapMb: retainedHeap / MB,
    };
  } finally {
    clearInterval(sampler);
    for (const c of [client, identityClient, wafClient, s3]) c.destroy();
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
