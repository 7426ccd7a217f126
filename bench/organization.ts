/**
 * The multi-target bench of issue 10: an organization run of `accounts × regions` targets, each with
 * `pools × clients` and its own quotas (Cognito's quotas are per account and region), driven through
 * the organization entry points exactly as the state machine drives them: `{phase: 'list'}`, then each
 * item's own loop (`{phase: 'scan', …}`, again with its runId until done), at most
 * `maxConcurrentTargets` items at once, then `{phase: 'aggregate'}`. Real SDK clients (STS AssumeRole,
 * Cognito, Cognito Identity, WAF, and Lambda, IAM and KMS for what the pools point to, which
 * `reference-seed.ts` stores in each target) talk over the wire to the stand-in, with the quotas of
 * `lambda/adapters/quotas.ts`; the deps are wired as `lambda/org-handler.ts` wires them, with an
 * in-memory bucket that counts the S3 requests the real store would send.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { CloudTrailReader } from '../lambda/adapters/cloudtrail-reader.js';
import { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import type { QuotaCategory } from '../lambda/adapters/quotas.js';
import { forEachConcurrently } from '../lambda/concurrency.js';
import type {
  AlertMessage,
  DocumentStore,
  ListedObject,
  Logger,
  StoredObject,
  WriteCondition,
} from '../lambda/core/ports.js';
import {
  type AggregateInput,
  type ChildOutput,
  childInputSchema,
  type ListOutput,
} from '../lambda/org/contract.js';
import { TargetCredentials } from '../lambda/org/credentials.js';
import { KeptClients } from '../lambda/org/kept-clients.js';
import {
  type OrganizationDeps,
  type OrganizationSettings,
  runOrganizationStep,
} from '../lambda/org/organization-run.js';
import { parseAccountSelection, parseRegionSelection, type ScanTarget } from '../lambda/org/target.js';
import { SURFACE_NAMES } from '../lambda/surfaces/selection.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../lib/organization-scan.js';
import { CloudTrailStandin } from '../test/support/cloudtrail-standin.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';
import { TEST_DIGEST_KEY } from '../test/support/digest-key.js';
import { MemoryDocumentStore } from '../test/support/memory-document-store.js';
import {
  callsNeeded,
  describedClients,
  type PoolShape,
  poolShape,
  quotaBound,
  seedCatalogExamples,
} from './full-surface.js';
import { seedReferences, type TargetReferences } from './reference-seed.js';
import { timeScale } from './time-scale.js';

export interface OrganizationBenchOptions {
  accounts: number;
  regions: readonly string[];
  pools: number;
  clients: number;
  share: number;
  latencyMs: number;
  burstSeconds: number;
  maxConcurrentTargets: number;
  /** Watch the web ACL too (the default surfaces, as deployed); false: `surfaces=-waf`. */
  waf: boolean;
  /**
   * `--time-scale`: bench seconds per real second (`time-scale.ts`). Below 1 for a count of targets
   * whose calls one process cannot keep up with at the documented rates. @default 1
   */
  timeScale?: number;
  /**
   * Record the baselines with the stand-in's quotas off and no latency, untimed (its figures are
   * then not a run's): halves a large bench. @default false
   */
  fastBaseline?: boolean;
  /**
   * Called with a line after each round's worth of targets finishes (and at the end of each run),
   * so a long bench shows where it is: `run.ts` writes them to stderr.
   */
  progress?: (line: string) => void;
}

/** S3 requests the real `S3DocumentStore` would send: one GET per get, one PUT per put, a LIST per page. */
export interface S3Requests {
  get: number;
  put: number;
  list: number;
  /** Bytes written by the PUTs (each a new object version in the versioned bucket). */
  putBytes: number;
}

export interface TargetRunFigures {
  target: string;
  seconds: number;
  invocations: number;
  status: ChildOutput['status'];
  findings: number;
  /** S3 requests of this target in this run (its documents and its messages for the aggregate). */
  s3: S3Requests;
}

/** One organization run (list → map → aggregate). */
export interface OrganizationRunFigures {
  seconds: number;
  listSeconds: number;
  aggregateSeconds: number;
  targets: TargetRunFigures[];
  /** The slowest target's own time (first invocation to done). */
  slowestTargetSeconds: number;
  messages: { kind: string; subject: string }[];
  /** Per target (mean over the targets), and for the organization steps (list + aggregate). */
  s3PerTarget: S3Requests;
  s3Organization: S3Requests;
  /** Event-loop delay of the bench process (stand-in included) during the run, ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export interface OrganizationBenchResult extends OrganizationBenchOptions {
  timeScale: number;
  targetCount: number;
  /** The Map the definition would use for this many listed targets. */
  map: 'inline' | 'distributed';
  surfaces: readonly string[];
  /** Quota-bound minimum of the slowest target: every target is the same shape, so of each. */
  targetMinimumSeconds: number;
  /**
   * The run's minimum: targets start in rounds of `maxConcurrentTargets`, so it is the slowest
   * target's minimum × ceil(targets / maxConcurrentTargets) (one round when all run at once).
   */
  minimumSeconds: number;
  rounds: number;
  binding: string;
  baseline: OrganizationRunFigures;
  drift: OrganizationRunFigures;
  /** Ratio of the drift run's total wall time to {@link minimumSeconds}. */
  ratio: number;
  /** AssumeRole calls over both runs (one per account: cached for the credentials' lifetime). */
  assumeRoleCalls: number;
  assumeRoleCallsInDriftRun: number;
  /** CloudTrail LookupEvents calls over both runs (attribution of the drift run's finding). */
  lookupEventsCalls: number;
  standinThrottled: number;
  readerThrottled: number;
  /** Targets not scanned, "scan incomplete" notices, error responses other than throttling. */
  failedReads: number;
  /** Admitted calls per category, summed over targets, against what the calls-needed model says. */
  callsAdmitted: Partial<Record<QuotaCategory, number>>;
  callsNeeded: Partial<Record<QuotaCategory, number>>;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;
const MANAGEMENT = '123456789012';
const LIST_PAGE = 1000;

/** Bench-local: the account ids of the member accounts, none of them the detector's own. */
function memberAccounts(n: number): string[] {
  // 12 digits for up to 8 million accounts (111111111111 × (i + 1) ran out at the tenth).
  return Array.from({ length: n }, (_, i) => String(111_111_111_111 + 100_003 * i));
}

/** An in-memory bucket that counts what `S3DocumentStore` would send for each call, by target. */
class CountingStore implements DocumentStore {
  readonly location = 's3://bench-bucket';
  private readonly byOwner = new Map<string, S3Requests>();
  constructor(private readonly inner: MemoryDocumentStore) {}

  reset(): void {
    this.byOwner.clear();
  }

  counts(owner: string): S3Requests {
    return this.byOwner.get(owner) ?? { get: 0, put: 0, list: 0, putBytes: 0 };
  }

  owners(): string[] {
    return [...this.byOwner.keys()];
  }

  private count(key: string, what: keyof S3Requests, n = 1, bytes = 0): void {
    // A target's keys carry `<account>/<region>` (its documents, and its messages of an
    // organization run); anything else belongs to the organization steps.
    const match = /(?:^|\/)(\d{12})\/([a-z]{2}(?:-[a-z]+)+-\d{1,2})(?:\/|\.json$)/.exec(key);
    const owner = match ? `${match[1]}/${match[2]}` : 'organization';
    const entry = this.byOwner.get(owner) ?? { get: 0, put: 0, list: 0, putBytes: 0 };
    entry[what] += n;
    entry.putBytes += bytes;
    this.byOwner.set(owner, entry);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.count(key, 'get');
    return this.inner.get(key);
  }

  async put(key: string, body: string, condition: WriteCondition): Promise<string> {
    this.count(key, 'put', 1, Buffer.byteLength(body));
    return this.inner.put(key, body, condition);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const objects = await this.inner.list(prefix);
    this.count(prefix, 'list', Math.max(1, Math.ceil(objects.length / LIST_PAGE)));
    return objects;
  }

  locate(key: string): string {
    return `${this.location}/${key}`;
  }
}

function percentile(h: ReturnType<typeof monitorEventLoopDelay>, p: number): number {
  return h.percentile(p) / 1e6;
}

/**
 * Runs two organization runs (the first creates the baselines; a client is then changed in one
 * target, and the second reports it) and returns the figures of both, the drift run's against the
 * quota-bound minimum of its slowest target.
 */
export async function runOrganizationBench(
  options: OrganizationBenchOptions,
): Promise<OrganizationBenchResult> {
  const scale = timeScale(options.timeScale ?? 1);
  // Bench seconds since `from` (a `performance.now()`): real time × the scale.
  const since = (from: number) => ((performance.now() - from) * scale.factor) / 1000;
  const standin = await CognitoStandin.start({
    latencyMs: scale.real(options.latencyMs),
    burstSeconds: options.burstSeconds,
    seed: 1,
    accountId: MANAGEMENT,
    now: scale.now,
  });
  // Attribution, as the handler wires it: only a target with findings looks events up, so one
  // CloudTrail stand-in (one LookupEvents quota) serves every target here.
  const trail = await CloudTrailStandin.start({ latencyMs: options.latencyMs });
  const destroy: { destroy(): void }[] = [];
  const kept = new KeptClients();
  try {
    const accounts = memberAccounts(options.accounts);
    const targets: ScanTarget[] = [];
    const shapes: PoolShape[][] = [];
    const references: TargetReferences[] = [];
    for (const accountId of accounts) {
      standin.organization.addAccount(accountId, { name: `member-${accountId}` });
      for (const region of options.regions) {
        const target = standin.target(accountId, region);
        const poolIds = target.seed(options.pools, options.clients);
        const listed = seedCatalogExamples(target, poolIds);
        references.push(seedReferences(target, poolIds));
        targets.push({ accountId, region });
        shapes.push(
          poolIds.map((poolId) =>
            poolShape(
              target.describePool(poolId) as Record<string, unknown>,
              describedClients(target, poolId),
              listed.get(poolId),
            ),
          ),
        );
      }
    }
    const surfaces = options.waf ? SURFACE_NAMES : SURFACE_NAMES.filter((name) => name !== 'waf');
    // Per target. IAM is global: in AWS the regional targets of one account share its IAM read rate,
    // but the stand-in keeps one IAM.Read bucket per (account, region) target, as it does for the
    // regional services, so this bound (and the bench) treats IAM per target too.
    const needed = (s: PoolShape[], i: number) => {
      const calls = callsNeeded(s, 0, 0, references[i]);
      if (!options.waf) {
        delete calls.ListWebACLs;
        delete calls.ListResourcesForWebACL;
      }
      return calls;
    };
    const bounds = shapes.map((s, i) => quotaBound(needed(s, i), options.share));
    const slowest = bounds.reduce((a, b) => (b.seconds > a.seconds ? b : a));

    const base = { accessKeyId: 'AKIAMANAGEMENT000001', secretAccessKey: 'bench' };
    const wire = { endpoint: standin.endpoint, credentials: base };
    // As the handler: one STS client and one TargetCredentials for the container's life.
    const sts = new STSClient({ ...wire, region: 'us-east-1' });
    destroy.push(sts);
    const credentials = new TargetCredentials(sts, { roleName: 'CognitoDriftMemberRole' }, MANAGEMENT);
    // What the readers throttled, kept as their stats only (a reader holds its run's shared reads).
    const readerStats: CognitoReader['stats'][] = [];
    const store = new CountingStore(new MemoryDocumentStore());
    const sent: AlertMessage[] = [];
    // As `lambda/org-handler.ts`: one set of clients per target (and per account for the Account
    // client), kept across invocations and runs, with their connections; not one set per invocation.
    type Provider = ReturnType<TargetCredentials['providerFor']>;
    const name = (target: ScanTarget) => `${target.accountId}/${target.region}`;
    const signed = (target: ScanTarget, creds: Provider) => ({
      endpoint: standin.endpoint,
      region: target.region,
      maxAttempts: 8,
      credentials: creds ?? base,
    });
    const deps: OrganizationDeps = {
      documents: store,
      notifier: { publish: async (message) => void sent.push(message) },
      credentials,
      accountClient: (creds) =>
        kept.reuse(
          `account ${kept.providerId(creds)}`,
          creds,
          () =>
            new AccountClient({
              ...wire,
              region: 'us-east-1',
              ...(creds ? { credentials: creds } : {}),
            }),
        ),
      attributor: (target, creds) => {
        const client = kept.reuse(
          `cloudtrail ${name(target)}`,
          creds,
          () =>
            new CloudTrailClient({
              ...trail.clientConfig({ maxAttempts: 8 }),
              region: target.region,
              credentials: creds ?? base,
            }),
        );
        return new CloudTrailReader({ client, quotaShare: options.share, now: () => new Date() }).attribute;
      },
      // As `lambda/org-handler.ts`: a new reader (its own pacer) per invocation, on the target's
      // clients kept for the container.
      reader: (target, creds) => {
        const config = signed(target, creds);
        const reader = new CognitoReader({
          client: kept.reuse(
            `cognito-idp ${name(target)}`,
            creds,
            () => new CognitoIdentityProviderClient(config),
          ),
          identityClient: kept.reuse(
            `cognito-identity ${name(target)}`,
            creds,
            () => new CognitoIdentityClient(config),
          ),
          wafClient: kept.reuse(`wafv2 ${name(target)}`, creds, () => new WAFV2Client(config)),
          lambdaClient: kept.reuse(`lambda ${name(target)}`, creds, () => new LambdaClient(config)),
          iamClient: kept.reuse(`iam ${name(target)}`, creds, () => new IAMClient(config)),
          kmsClient: kept.reuse(`kms ${name(target)}`, creds, () => new KMSClient(config)),
          digestKey: TEST_DIGEST_KEY,
          surfaces,
          quotaShare: options.share,
          clock: scale.clock,
        });
        readerStats.push(reader.stats);
        return reader;
      },
      logger: silentLogger,
      now: scale.date,
    };
    const settings: OrganizationSettings = {
      accounts: parseAccountSelection(accounts.join(',')),
      regions: parseRegionSelection(options.regions.join(',')),
      selfAccountId: MANAGEMENT,
      stackRegion: 'us-east-1',
      reminderIntervalMs: 24 * HOUR,
      approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
      scan: {
        reminderIntervalMs: 24 * HOUR,
        // A 15-minute invocation, as deployed: each target finishes in one here. In real
        // milliseconds: the detector's hard stop is a wall-clock timer (see `time-scale.ts`).
        remainingTimeMs: () => scale.real(15 * 60_000),
        safetyMarginMs: scale.real(90_000),
        maxRunAgeMs: 24 * HOUR,
        // The handler's window for the hourly schedule: (2 × 60 + 15) minutes.
        attributionWindowMs: 135 * 60_000,
      },
    };

    const distributed = targets.length >= DISTRIBUTED_MAP_THRESHOLD;
    const run = async (label: string): Promise<OrganizationRunFigures> => {
      store.reset();
      sent.length = 0;
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      // As the definition: an inline Map takes the items from the state, a Distributed Map's
      // ItemReader reads them from the bucket (one GET, counted with the organization's requests).
      const listed = (await runOrganizationStep(
        { phase: 'list', itemsInState: !distributed },
        deps,
        settings,
      )) as ListOutput;
      const itemsDocument = distributed ? await store.get(listed.itemsKey) : undefined;
      const items = distributed
        ? childInputSchema.array().parse(JSON.parse(itemsDocument?.body ?? '[]'))
        : (listed.items ?? []);
      const listSeconds = since(started);
      const figures: TargetRunFigures[] = [];
      const progress = () => {
        const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
        options.progress?.(
          `  ${label}: ${figures.length}/${items.length} targets done, ${since(started).toFixed(1)} bench-s, heap ${heapMb.toFixed(0)} MB`,
        );
      };
      await forEachConcurrently(items, options.maxConcurrentTargets, async (item) => {
        const itemStarted = performance.now();
        let input: unknown = item;
        for (let invocations = 1; ; invocations++) {
          childInputSchema.parse(input);
          const out = (await runOrganizationStep(input, deps, settings)) as ChildOutput;
          if (out.done) {
            figures.push({
              target: `${out.target.accountId}/${out.target.region}`,
              seconds: since(itemStarted),
              invocations,
              status: out.status,
              findings: out.findings,
              s3: { get: 0, put: 0, list: 0, putBytes: 0 },
            });
            if (figures.length % options.maxConcurrentTargets === 0 || figures.length === items.length)
              progress();
            return;
          }
          if (invocations >= 20)
            throw new Error(`target ${JSON.stringify(item.target)} needed > 20 invocations`);
          input = out;
        }
      });
      const aggregateStarted = performance.now();
      const aggregate: AggregateInput = {
        phase: 'aggregate',
        orgRunId: listed.orgRunId,
        startedAt: listed.startedAt,
      };
      await runOrganizationStep(aggregate, deps, settings);
      const seconds = since(started);
      const aggregateSeconds = since(aggregateStarted);
      loop.disable();
      const targetOwners = store.owners().filter((o) => o !== 'organization');
      const sum = targetOwners.reduce(
        (acc, o) => {
          const c = store.counts(o);
          return {
            get: acc.get + c.get,
            put: acc.put + c.put,
            list: acc.list + c.list,
            putBytes: acc.putBytes + c.putBytes,
          };
        },
        { get: 0, put: 0, list: 0, putBytes: 0 },
      );
      for (const f of figures) f.s3 = store.counts(f.target);
      const n = Math.max(1, figures.length);
      return {
        seconds,
        listSeconds,
        aggregateSeconds,
        targets: figures.sort((a, b) => a.target.localeCompare(b.target)),
        slowestTargetSeconds: Math.max(...figures.map((f) => f.seconds)),
        messages: sent.map((m) => ({ kind: String(m.attributes.kind), subject: m.subject })),
        s3PerTarget: { get: sum.get / n, put: sum.put / n, list: sum.list / n, putBytes: sum.putBytes / n },
        s3Organization: store.counts('organization'),
        loopDelayMs: { p50: percentile(loop, 50), p99: percentile(loop, 99), max: loop.max / 1e6 },
      };
    };

    const reset = () => {
      for (const t of targets) {
        const s = standin.target(t.accountId, t.region);
        s.resetStats();
        s.resetQuotas();
      }
      readerStats.length = 0;
    };
    reset();
    const paced = (on: boolean) => {
      for (const t of targets)
        standin
          .target(t.accountId, t.region)
          .configure({ quotas: on, latencyMs: on ? scale.real(options.latencyMs) : 0 });
    };
    if (options.fastBaseline) paced(false);
    const baseline = await run(options.fastBaseline ? 'baseline (untimed)' : 'baseline');
    if (options.fastBaseline) paced(true);

    // Drift in one target only: a client's callback URLs change.
    const driftTarget = standin.target(accounts[0] as string, options.regions[0] as string);
    const [driftPool] = driftTarget.poolIds();
    const [driftClient] = driftTarget.clientIds(driftPool as string);
    driftTarget.updateClient(driftPool as string, driftClient as string, {
      config: { CallbackURLs: ['https://drift.example.net/cb'] },
    });
    reset();
    const assumeBefore = standin.organization.stats.assumeRole;
    const drift = await run('drift');

    let standinThrottled = 0;
    let otherErrors = 0;
    const callsAdmitted: Partial<Record<QuotaCategory, number>> = {};
    for (const t of targets) {
      const stats = standin.target(t.accountId, t.region).stats;
      standinThrottled += stats.throttled;
      otherErrors += Object.entries(stats.errors)
        .filter(([type]) => !['TooManyRequestsException', 'WAFLimitsExceededException'].includes(type))
        .reduce((sum, [, count]) => sum + count, 0);
      for (const [category, c] of Object.entries(stats.byCategory)) {
        const k = category as QuotaCategory;
        callsAdmitted[k] = (callsAdmitted[k] ?? 0) + c.admitted;
      }
    }
    const neededCalls: Partial<Record<QuotaCategory, number>> = {};
    for (const b of bounds)
      for (const [category, entry] of Object.entries(b.byCategory)) {
        const k = category as QuotaCategory;
        neededCalls[k] = (neededCalls[k] ?? 0) + entry.calls;
      }
    const rounds = Math.ceil(targets.length / options.maxConcurrentTargets);
    const notScanned = drift.targets.filter((t) => t.status !== 'scanned').length;
    return {
      ...options,
      timeScale: scale.factor,
      targetCount: targets.length,
      map: distributed ? 'distributed' : 'inline',
      surfaces,
      targetMinimumSeconds: slowest.seconds,
      minimumSeconds: rounds * slowest.seconds,
      rounds,
      binding: slowest.binding,
      baseline,
      drift,
      ratio: drift.seconds / (rounds * slowest.seconds),
      // Both runs' AssumeRole calls: the credentials are cached for their lifetime, across runs too.
      assumeRoleCalls: standin.organization.stats.assumeRole,
      standinThrottled,
      readerThrottled: readerStats.reduce((n, stats) => n + stats.throttled, 0),
      assumeRoleCallsInDriftRun: standin.organization.stats.assumeRole - assumeBefore,
      lookupEventsCalls: trail.calls.LookupEvents ?? 0,
      failedReads:
        otherErrors + notScanned + drift.messages.filter((m) => m.kind === 'scan-incomplete').length,
      callsAdmitted,
      callsNeeded: neededCalls,
    };
  } finally {
    kept.destroyAll();
    for (const c of destroy) c.destroy();
    await standin.stop();
    await trail.stop();
  }
}
