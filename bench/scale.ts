/**
 * The single-target bench at real scale (issue 18 item 6): one account and region of 1,000 pools ×
 * 5 clients with a realistic mix of surfaces, read at share 1.0 by the real reader and detector,
 * invocation after invocation with a remaining-time budget as the state machine's loop drives the
 * function, until the run is done and has alerted. Its time, over all invocations, is held against
 * the quota-bound minimum of the calls the catalog declares (`callsNeeded` / `quotaBound`).
 *
 * The mix, by pool index i: a prefix domain (with its hosted UI customization) on every third pool,
 * threat protection on every fifth (ENFORCED on every tenth), 2 IdPs, 3 groups, 1 resource server,
 * the catalog's example items (terms, branding) on each, `webAcls` web ACLs guarding every tenth
 * pool, and `identityPools` identity pools; the functions, roles and keys they point to are stored
 * (`reference-seed.ts`) and read through Lambda, IAM and KMS clients. The first run (the baselines) runs with the stand-in's
 * quotas off and is not timed; a client of the last pool and the domain of the first then change,
 * and the timed run reports them.
 */
import { performance } from 'node:perf_hooks';
import { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import type { QuotaCategory } from '../lambda/adapters/quotas.js';
import { NO_IGNORE_RULES } from '../lambda/core/ignore.js';
import type { AlertMessage, Logger } from '../lambda/core/ports.js';
import { runPolicy } from '../lambda/run/run-policy.js';
import { scanOne, targetStore } from '../lambda/run/scan-service.js';
import { readEnvSetting } from '../lambda/settings.js';
import { SURFACE_NAMES } from '../lambda/surfaces/selection.js';
import { defaultRiskConfiguration } from '../test/support/account-defaults.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';
import { TEST_DIGEST_KEY } from '../test/support/digest-key.js';
import { MemoryDocumentStore } from '../test/support/memory-document-store.js';
import {
  callsNeeded,
  describedClients,
  poolShape,
  quotaBound,
  seedCatalogExamples,
  standinReaderClients,
} from './full-surface.js';
import { seedReferences } from './reference-seed.js';
import { type TimeScale, timeScale } from './time-scale.js';

export interface ScaleBenchOptions {
  pools: number;
  clients: number;
  identityPools: number;
  webAcls: number;
  share: number;
  /** Per-call latency of the stand-in, in bench milliseconds. */
  latencyMs: number;
  burstSeconds: number;
  /** One invocation's timeout (`lambdaTimeoutSeconds`), in bench seconds. */
  invocationSeconds: number;
  /** `--time-scale`: bench seconds per real second (see `time-scale.ts`). */
  timeScale: number;
}

export interface ScaleBenchResult extends ScaleBenchOptions {
  /** Pools with a domain, with threat protection, guarded by a web ACL. */
  mix: { domains: number; threatProtection: number; guarded: number };
  /** The timed run over all its invocations, in bench seconds. */
  seconds: number;
  minimumSeconds: number;
  binding: string;
  ratio: number;
  /** Bench seconds of each invocation; every one within `invocationSeconds`. */
  invocations: number[];
  /** An invocation ran past its timeout (Lambda would have ended it). */
  overran: boolean;
  done: boolean;
  /** Messages the timed run published, by kind and subject. */
  messages: { kind: string; subject: string }[];
  /** Pools the drift messages name (the planted changes are in two). */
  driftPools: number;
  /** Per category: calls the catalog's declarations need (one invocation's worth), calls admitted. */
  categories: Record<string, { needed: number; admitted: number; seconds: number }>;
  standinThrottled: number;
  readerThrottled: number;
  failedReads: number;
  peakRssMb: number;
  /** Real seconds the timed run took on this machine (`seconds` / time scale). */
  realSeconds: number;
}

/** What every pool of the world has besides its mix. */
const SEEDED = { idps: 2, groups: 3, resourceServers: 1 };

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;

/** Applies the mix to the seeded pools; returns its counts. */
function mixSurfaces(standin: CognitoStandin, poolIds: readonly string[], webAcls: number) {
  const mix = { domains: 0, threatProtection: 0, guarded: 0 };
  poolIds.forEach((poolId, i) => {
    if (i % 3 === 0) {
      standin.setDomain(poolId, `bench-scale-${i + 1}`);
      standin.setUiCustomization(poolId, { css: `.banner-customizable { padding: ${i % 40}px; }` });
      mix.domains++;
    }
    if (i % 5 === 0) {
      standin.updatePool(poolId, {
        config: {
          UserPoolTier: 'PLUS',
          UserPoolAddOns: { AdvancedSecurityMode: i % 10 === 0 ? 'ENFORCED' : 'AUDIT' },
        },
      });
      standin.setRiskConfiguration(poolId, defaultRiskConfiguration());
      mix.threatProtection++;
    } else {
      standin.updatePool(poolId, { config: { UserPoolAddOns: undefined } });
      standin.setRiskConfiguration(poolId, null);
    }
    if (webAcls > 0 && i % 10 === 0) {
      standin.setWebAcl(poolId, { name: `bench-acl-${(i / 10) % webAcls}` });
      mix.guarded++;
    }
  });
  return mix;
}

/** Each pool as the reader sees it, from the stand-in's own answers. */
function shapesOf(
  standin: CognitoStandin,
  poolIds: readonly string[],
  listed: Map<string, Record<string, number>>,
) {
  return poolIds.map((poolId) =>
    poolShape(standin.describePool(poolId) as Record<string, unknown>, describedClients(standin, poolId), {
      ...listed.get(poolId),
      ListIdentityProviders: SEEDED.idps,
      ListGroups: SEEDED.groups,
      ListResourceServers: SEEDED.resourceServers,
    }),
  );
}

/** Seeds the account, records its baselines untimed, plants drift, then times the run to its alert. */
export async function runScaleBench(options: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const scale: TimeScale = timeScale(options.timeScale);
  const standin = await CognitoStandin.start({
    latencyMs: scale.real(options.latencyMs),
    burstSeconds: options.burstSeconds,
    seed: 1,
    now: scale.now,
  });
  const { clients, destroy } = standinReaderClients(standin);
  try {
    const { poolIds } = standin.seedFullSurface({
      pools: options.pools,
      clientsPerPool: options.clients,
      ...SEEDED,
      domain: false,
      identityPools: options.identityPools,
    });
    const listed = seedCatalogExamples(standin, poolIds);
    const mix = mixSurfaces(standin, poolIds, options.webAcls);
    const references = seedReferences(standin, poolIds);

    const documents = new MemoryDocumentStore();
    const target = { accountId: standin.accountId, region: standin.region };
    const sent: AlertMessage[] = [];
    const env = {};
    const settings = {
      reminderIntervalMs: 24 * HOUR,
      ignore: NO_IGNORE_RULES,
      secretPolicy: {
        rotationWindowDays: readEnvSetting(env, 'rotationWindowDays'),
        maxSecretAgeDays: readEnvSetting(env, 'maxSecretAgeDays'),
      },
      schedulePeriodMinutes: 60,
      deployedChanges: readEnvSetting(env, 'deployedChanges'),
    };
    const readers: CognitoReader[] = [];
    // One invocation as the handler runs it: a new reader, the run policy with the remaining time.
    const invoke = async (runId: string | undefined, remainingTimeMs?: () => number) => {
      const reader = new CognitoReader({
        ...clients,
        digestKey: TEST_DIGEST_KEY,
        surfaces: SURFACE_NAMES,
        quotaShare: options.share,
        clock: scale.clock,
      });
      readers.push(reader);
      const benchPolicy = runPolicy(settings, {
        ...(remainingTimeMs ? { remainingTimeMs } : {}),
        poolConcurrency: reader.poolConcurrency,
        approve: { installation: 'package', store: { bucket: 'bench-bucket' } },
      });
      // The detector's hard stop is a wall-clock timer: it gets the budget in real milliseconds, so
      // both its soft stop (remaining < margin) and its timer fall where they would at k = 1.
      const policy = remainingTimeMs
        ? {
            ...benchPolicy,
            remainingTimeMs: () => scale.real(remainingTimeMs()),
            safetyMarginMs: scale.real(benchPolicy.safetyMarginMs),
          }
        : benchPolicy;
      return scanOne(
        {
          reader,
          store: targetStore(documents, target),
          notifier: { publish: async (message) => void sent.push(message) },
          logger: silentLogger,
          now: scale.date,
        },
        { target, mode: { kind: 'sweep', alerts: 'delivered', ...(runId ? { runId } : {}) }, policy },
      );
    };

    // The baselines, untimed: quotas off, no latency.
    standin.configure({ quotas: false, latencyMs: 0 });
    for (let runId: string | undefined, n = 0; ; n++) {
      const result = await invoke(runId);
      if (result.done) break;
      if (n > 5) throw new Error('the baseline run did not finish');
      runId = result.runId;
    }
    // Drift: a client's callback URLs in the last pool; the first pool's domain removed.
    const lastPool = poolIds[poolIds.length - 1] as string;
    const firstPool = poolIds[0] as string;
    standin.updateClient(lastPool, standin.clientIds(lastPool)[0] as string, {
      config: { CallbackURLs: ['https://drift.example.net/cb'] },
    });
    standin.setDomain(firstPool, null);
    const driftShapes = shapesOf(standin, poolIds, listed);
    standin.configure({ quotas: true, latencyMs: scale.real(options.latencyMs) });
    standin.resetStats();
    sent.length = 0;
    readers.length = 0;

    const invocationMs = options.invocationSeconds * 1000;
    const invocations: number[] = [];
    let overran = false;
    let peakRss = 0;
    const rss = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 500);
    const realStarted = performance.now();
    const started = scale.now();
    let result: Awaited<ReturnType<typeof invoke>>;
    let readProblems = 0;
    try {
      for (let runId: string | undefined; ; ) {
        const invocationStarted = scale.now();
        result = await invoke(runId, () => invocationMs - (scale.now() - invocationStarted));
        const took = scale.now() - invocationStarted;
        invocations.push(took / 1000);
        readProblems += result.readProblems.length;
        if (took > invocationMs) overran = true;
        if (result.done || invocations.length >= 50) break;
        runId = result.runId;
      }
    } finally {
      clearInterval(rss);
    }
    const seconds = (scale.now() - started) / 1000;
    const realSeconds = (performance.now() - realStarted) / 1000;

    // One run's worth: a reader shares a reference across the pools of its invocation only, so a
    // run of several invocations reads a reference its pools share again in each (admitted > needed).
    const needed = callsNeeded(driftShapes, options.identityPools, options.webAcls, references);
    const bound = quotaBound(needed, options.share);
    const stats = standin.stats;
    const categories: ScaleBenchResult['categories'] = {};
    for (const [category, entry] of Object.entries(bound.byCategory))
      categories[category] = {
        needed: entry.calls,
        admitted: stats.byCategory[category as QuotaCategory]?.admitted ?? 0,
        seconds: entry.seconds,
      };
    const otherErrors = Object.entries(stats.errors)
      .filter(([type]) => !['TooManyRequestsException', 'WAFLimitsExceededException'].includes(type))
      .reduce((n, [, count]) => n + count, 0);
    const messages = sent.map((m) => ({ kind: String(m.attributes.kind), subject: m.subject }));
    const driftPools = new Set(
      sent.filter((m) => m.attributes.kind === 'drift').flatMap((m) => m.attributes.poolIds),
    );
    return {
      ...options,
      mix,
      seconds,
      minimumSeconds: bound.seconds,
      binding: bound.binding,
      ratio: seconds / bound.seconds,
      invocations,
      overran,
      done: result.done,
      messages,
      driftPools: [firstPool, lastPool].filter((id) => driftPools.has(id)).length,
      categories,
      standinThrottled: stats.throttled,
      readerThrottled: readers.reduce((n, r) => n + r.stats.throttled, 0),
      failedReads: readProblems + otherErrors,
      peakRssMb: peakRss / 2 ** 20,
      realSeconds,
    };
  } finally {
    destroy();
    await standin.stop();
  }
}

/** One row of the bench's table (`bench/run.ts`). */
export interface BenchRow {
  metric: string;
  value: string;
  target: string;
  ok: boolean | undefined;
}

/** The single-target ratio target of issue 18: 1,000 pools × 5 clients within 1.10× of its bound. */
export const SCALE_RATIO_TARGET = 1.1;

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

/** The bench's report of one scale run: its lines and its table rows. */
export function scaleReport(r: ScaleBenchResult, load: string): { text: string; rows: BenchRow[] } {
  const scaled =
    r.timeScale === 1 ? '' : `, time scaled ×${r.timeScale} (bench seconds = real × ${r.timeScale})`;
  const text = [
    `## Scale: one target, ${r.pools} pools × ${r.clients} clients (${r.mix.domains} with a domain, ${r.mix.threatProtection} with threat protection, ${r.mix.guarded} guarded by ${r.webAcls} web ACLs), ${r.identityPools} identity pools, every surface; share ${r.share}, latency ${r.latencyMs} ms, invocations of ${r.invocationSeconds} s${scaled}; load ${load}`,
    ...Object.entries(r.categories).map(
      ([category, c]) =>
        `  ${category}: ${c.needed} calls needed, ${c.admitted} admitted; alone ${f1(c.seconds)} s`,
    ),
    `  run time ${f2(r.seconds)} s over ${r.invocations.length} invocation(s) (${r.invocations.map(f1).join(', ')} s), quota-bound minimum ${f2(r.minimumSeconds)} s (bound by ${r.binding}), ratio ${f2(r.ratio)}; real ${f1(r.realSeconds)} s`,
    `  done ${r.done}, overran an invocation ${r.overran}; messages: ${r.messages.map((m) => `${m.kind} "${m.subject}"`).join('; ') || 'none'}`,
    `  throttled: stand-in ${r.standinThrottled}, reader ${r.readerThrottled}; failed reads ${r.failedReads}; peak RSS ${f1(r.peakRssMb)} MB (bench process, stand-in included)`,
  ].join('\n');
  const label = `scale ${r.pools}×${r.clients} + ${r.identityPools} identity pools, share ${r.share}${r.timeScale === 1 ? '' : ` (time ×${r.timeScale})`}`;
  const alerted = r.messages.some((m) => m.kind === 'drift') && r.driftPools === 2;
  const rows: BenchRow[] = [
    {
      metric: `${label}: run time (s), ${r.invocations.length} invocation(s) of ≤ ${r.invocationSeconds} s`,
      value: `${f1(r.seconds)} (min ${f1(r.minimumSeconds)}, bound by ${r.binding}, ×${f2(r.ratio)}); load ${load}`,
      target: `≤ ×${SCALE_RATIO_TARGET}`,
      ok: r.ratio <= SCALE_RATIO_TARGET && r.done && !r.overran,
    },
    {
      metric: `${label}: finished and alerted on both planted changes`,
      value: `done ${r.done}, ${r.messages.length} message(s), ${r.driftPools} of 2 pools named`,
      target: 'done, drift alert',
      ok: r.done && alerted,
    },
    { metric: `${label}: failed reads`, value: String(r.failedReads), target: '0', ok: r.failedReads === 0 },
  ];
  return { text, rows };
}
