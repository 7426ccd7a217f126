import { performance } from 'node:perf_hooks';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type COGNITO_READ_QUOTAS, CognitoReader } from '../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import { clientReadApplies } from '../lambda/core/catalog.js';
import type { AlertMessage, Logger } from '../lambda/core/ports.js';
import { runDetection } from '../lambda/run/detector.js';
import { APP_CLIENT_READS } from '../lambda/surfaces/app-client-reads.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';
import { MemoryDocumentStore } from '../test/support/memory-document-store.js';
import { describedClients } from './full-surface.js';

export type Quotas = typeof COGNITO_READ_QUOTAS;

/**
 * Read calls one full scan makes, per quota category (the reader's call pattern, issue 4), from each
 * pool's clients as DescribeUserPoolClient answers them: the client listing, then each per-client read
 * for the clients it is made for (`APP_CLIENT_READS`: the secrets only of a client with a secret).
 */
export function callsPerScan(clientsByPool: readonly (readonly Record<string, unknown>[])[]) {
  const pages = (n: number) => Math.max(1, Math.ceil(n / 60));
  const perPool = clientsByPool.map(
    (clients) =>
      pages(clients.length) +
      APP_CLIENT_READS.reduce((n, read) => n + clients.filter((c) => clientReadApplies(read, c)).length, 0),
  );
  return {
    poolReads: pages(clientsByPool.length) + clientsByPool.length,
    clientReads: perPool.reduce((a, b) => a + b, 0),
    slowestPoolClientReads: Math.max(0, ...perPool),
  };
}

/** The fastest a scan can be at `share` of the quotas: the busiest quota bucket sets the pace. */
export function quotaBoundSeconds(
  calls: ReturnType<typeof callsPerScan>,
  share: number,
  quotas: Quotas,
): number {
  return Math.max(
    calls.poolReads / (quotas.userPoolRead * share),
    calls.clientReads / (quotas.userPoolClientRead * share),
    calls.slowestPoolClientReads / (quotas.perPoolClientRead * share),
  );
}

export interface ScanBenchOptions {
  pools: number;
  clients: number;
  share: number;
  latencyMs: number;
  quotas: Quotas;
  burstSeconds: number;
  /** Default: what the reader recommends ({@link CognitoReader.poolConcurrency}), as the Lambda uses. */
  poolConcurrency?: number;
}

export interface ScanBenchResult extends ScanBenchOptions {
  poolConcurrency: number;
  /** The calls the scan needs (see {@link callsPerScan}), for the seeded account. */
  calls: ReturnType<typeof callsPerScan>;
  seconds: number;
  minimumSeconds: number;
  ratio: number;
  /** Admitted requests per second over the scan, and the rate the reader is configured for. */
  poolReadRate: { achieved: number; configured: number };
  clientReadRate: { achieved: number; configured: number };
  /** Highest admitted requests in any 1 s window, as the stand-in saw them. */
  peak: { poolRead: number; clientRead: number; perPool: number };
  standinThrottled: number;
  readerThrottled: number;
  readerRequests: number;
  /** Pools or clients not read, read problems reported, and error responses other than throttling. */
  failedReads: number;
  done: boolean;
  peakRssMb: number;
  peakHeapMb: number;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const MB = 1024 * 1024;

/** Seeds a stand-in with `pools` × `clients`, then times one full persisted run of the real reader + detector. */
export async function runScanBench(options: ScanBenchOptions): Promise<ScanBenchResult> {
  const { pools, clients, share, quotas } = options;
  const standin = await CognitoStandin.start({
    latencyMs: options.latencyMs,
    userPoolReadRps: quotas.userPoolRead,
    clientReadRps: quotas.userPoolClientRead,
    perPoolClientReadRps: quotas.perPoolClientRead,
    burstSeconds: options.burstSeconds,
    seed: 1,
  });
  const client = new CognitoIdentityProviderClient(standin.clientConfig({ maxAttempts: 8 }));
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  try {
    const calls = callsPerScan(
      standin.seed(pools, clients).map((poolId) => describedClients(standin, poolId)),
    );
    standin.resetStats();
    standin.resetQuotas();
    const reader = new CognitoReader({ client, quotaShare: share, quotas });
    const poolConcurrency = options.poolConcurrency ?? reader.poolConcurrency;
    const messages: AlertMessage[] = [];
    const started = performance.now();
    const result = await runDetection(
      {
        reader,
        store: new DriftStore(new MemoryDocumentStore()),
        notifier: { publish: async (message) => void messages.push(message) },
        logger: silentLogger,
        now: () => new Date(),
      },
      {
        accountId: standin.accountId,
        region: standin.region,
        reminderIntervalMs: 24 * 3_600_000,
        approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
        safetyMarginMs: 90_000,
        poolConcurrency,
        maxRunAgeMs: 6 * 3_600_000,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    sample();
    const stats = standin.stats;
    const minimumSeconds = quotaBoundSeconds(calls, share, quotas);
    const otherErrors = Object.entries(stats.errors)
      .filter(([type]) => type !== 'TooManyRequestsException')
      .reduce((n, [, count]) => n + count, 0);
    const failedReads =
      result.readProblems.length +
      (pools - result.poolsScanned) +
      (pools * clients - result.clientsScanned) +
      otherErrors;
    return {
      ...options,
      poolConcurrency,
      calls,
      seconds,
      minimumSeconds,
      ratio: seconds / minimumSeconds,
      poolReadRate: {
        achieved: stats.byCategory.UserPoolRead.admitted / seconds,
        configured: quotas.userPoolRead * share,
      },
      clientReadRate: {
        achieved: stats.byCategory.UserPoolClientRead.admitted / seconds,
        configured: quotas.userPoolClientRead * share,
      },
      peak: {
        poolRead: stats.byCategory.UserPoolRead.peakRate,
        clientRead: stats.byCategory.UserPoolClientRead.peakRate,
        perPool: stats.peakPerPoolRate,
      },
      standinThrottled: stats.throttled,
      readerThrottled: reader.stats.throttled,
      readerRequests: reader.stats.requests,
      failedReads,
      done: result.done,
      peakRssMb: peakRss / MB,
      peakHeapMb: peakHeap / MB,
    };
  } finally {
    clearInterval(sampler);
    client.destroy();
    await standin.stop();
  }
}
