import { performance } from 'node:perf_hooks';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import { OPERATION_QUOTA, QUOTAS, type QuotaCategory } from '../lambda/adapters/quotas.js';
import {
  type AnyReadOperation,
  catalogOperations,
  clientReadApplies,
  kindApplies,
} from '../lambda/core/catalog.js';
import type { Logger } from '../lambda/core/ports.js';
import { runDetection } from '../lambda/run/detector.js';
import { APP_CLIENT_READS } from '../lambda/surfaces/app-client-reads.js';
import { CATALOG } from '../lambda/surfaces/index.js';
import { SURFACE_NAMES } from '../lambda/surfaces/selection.js';
import { catalogExamples } from '../test/support/catalog-operations.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';
import { TEST_DIGEST_KEY } from '../test/support/digest-key.js';
import { MemoryDocumentStore } from '../test/support/memory-document-store.js';
import { NO_REFERENCES, referenceCalls, seedReferences, type TargetReferences } from './reference-seed.js';

/** The full-surface account of issue 8: what `seedFullSurface` builds. */
export interface FullSurfaceAccount {
  pools: number;
  clients: number;
  idps: number;
  groups: number;
  resourceServers: number;
  identityPools: number;
  /** Regional web ACLs, each associated with a share of the pools (pool i with ACL i mod webAcls). */
  webAcls: number;
}

/** One pool as the reader sees it: what decides how many calls reading it takes. */
export interface PoolShape {
  clients: number;
  /**
   * Per read the core makes per app client (`APP_CLIENT_READS`), the clients it is made for: all of
   * them, or those where its `readOnlyWhen` holds (ListUserPoolClientSecrets: the clients with a secret).
   */
  clientReads: Readonly<Record<string, number>>;
  /** The domains DescribeUserPool names (prefix and custom): one DescribeUserPoolDomain each. */
  domains: number;
  /** The kinds without effect in the pool (their `readOnlyWhen` does not hold): not read at all. */
  notApplicable: readonly string[];
  /** Items per catalog list operation (identity providers, groups, `seedCatalogExamples`'s items). */
  listed?: Record<string, number>;
}

/**
 * A pool's shape from DescribeUserPool's answer and its clients' DescribeUserPoolClient answers, as
 * the reader decides what to read from them.
 */
export function poolShape(
  pool: Record<string, unknown>,
  clients: readonly Record<string, unknown>[],
  listed: Record<string, number> = {},
): PoolShape {
  return {
    clients: clients.length,
    clientReads: Object.fromEntries(
      APP_CLIENT_READS.map((read) => [
        read.operation,
        clients.filter((client) => clientReadApplies(read, client)).length,
      ]),
    ),
    domains: new Set([pool.Domain, pool.CustomDomain].filter(Boolean)).size,
    notApplicable: CATALOG.entries.filter((e) => !kindApplies(e, pool)).map((e) => e.name),
    listed,
  };
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** Each of a pool's clients as DescribeUserPoolClient answers it on the stand-in (for {@link poolShape}). */
export function describedClients(
  standin: Pick<CognitoStandin, 'clientIds' | 'describeClient'>,
  poolId: string,
): Record<string, unknown>[] {
  return standin
    .clientIds(poolId)
    .map((clientId) => standin.describeClient(poolId, clientId) as Record<string, unknown>);
}

/**
 * Seeds every catalog kind's example items (`examples` in its module, with the pool's clients) for
 * each pool and returns,
 * per pool, how many items each list operation then holds: what the kinds' declared call counts
 * are counted over.
 */
export function seedCatalogExamples(
  standin: Pick<CognitoStandin, 'catalogItems' | 'clientIds'>,
  poolIds: readonly string[],
): Map<string, Record<string, number>> {
  const listed = new Map<string, Record<string, number>>();
  for (const poolId of poolIds) {
    const counts: Record<string, number> = {};
    for (const item of catalogExamples(poolId, standin.clientIds(poolId))) {
      // The account model gave the pool its own items already: an identical list item is replaced,
      // not listed twice (an answer is replaced anyway).
      const same = JSON.stringify(item.value);
      standin.catalogItems.remove(
        item.operation,
        { ...item.keys },
        (stored) => JSON.stringify(stored) === same,
      );
      standin.catalogItems.put(item.operation, { ...item.keys }, item.value);
      counts[item.operation] = (counts[item.operation] ?? 0) + 1;
    }
    listed.set(poolId, counts);
  }
  return listed;
}

/**
 * The calls of one pool to every operation that declares its count (`calls` in its surface module):
 * none to a kind without effect in the pool (`readOnlyWhen`), which the reader does not read.
 */
function declaredCalls(s: PoolShape): Record<string, number> {
  const out: Record<string, number> = {};
  const ops = catalogOperations(CATALOG);
  const items = (name: string | undefined) => (name ? (s.listed?.[name] ?? 0) : 0);
  const count = (op: AnyReadOperation): number => {
    const listed = ops.find((o) => o.name === op.calls?.of);
    switch (op.calls?.per) {
      case 'client':
        return s.clients;
      case 'pool-and-client':
        return 1 + s.clients;
      case 'domain':
        return s.domains;
      case 'listed':
        return listed?.paging ? items(listed.name) : 0;
      default:
        return op.paging ? pages(items(op.name), op.paging.maxPageSize) : 1;
    }
  };
  for (const entry of CATALOG.entries) {
    const applies = !s.notApplicable.includes(entry.name);
    for (const op of entry.operations) {
      if (!op.calls || op.calls.per === 'account' || op.calls.per === 'reference') continue;
      out[op.name] = applies ? count(op) : 0;
    }
  }
  return out;
}

/**
 * The read calls one full scan needs, per operation (the reader's call pattern, issue 8): for each
 * pool DescribeUserPool, the client listing, each per-client read for the clients it is made for
 * (`APP_CLIENT_READS`: the secrets only of clients with a secret), and every catalog operation by
 * its declared `calls` over the pool's items, none for a kind without effect in the pool; for the
 * account ListUserPools and ListIdentityPools, DescribeIdentityPool and GetIdentityPoolRoles per
 * identity pool, and the web ACLs: one ListWebACLs page per 100 ACLs and one ListResourcesForWebACL
 * per ACL (not one call per pool); and what the pools point to (`references`, as `seedReferences`
 * stored them): each function, role, managed policy and key read once per run, however many pools
 * name it (none for a reader without Lambda, IAM and KMS clients).
 */
export function callsNeeded(
  shapes: readonly PoolShape[],
  identityPools: number,
  webAcls = 0,
  references: TargetReferences = NO_REFERENCES,
): Record<string, number[]> {
  const perPool = (s: PoolShape): Record<string, number> => ({
    DescribeUserPool: 1,
    ListUserPoolClients: pages(s.clients, 60),
    ...s.clientReads,
    // Every catalog kind: by its operations' declared counts.
    ...declaredCalls(s),
  });
  // Per operation: the account-wide calls first, then one entry per pool (for the per-pool limits).
  const calls: Record<string, number[]> = {
    ListUserPools: [pages(shapes.length, 60)],
    ListIdentityPools: [pages(identityPools, 60)],
    DescribeIdentityPool: [identityPools],
    GetIdentityPoolRoles: [identityPools],
    ListWebACLs: [pages(webAcls, 100)],
    ListResourcesForWebACL: [webAcls],
    // Only the real-time check asks WAF about one pool; a sweep lists the web ACLs instead.
    GetWebACLForResource: [0],
  };
  for (const op of catalogOperations(CATALOG)) if (op.calls?.per === 'account') calls[op.name] = [1];
  // What the pools point to: once per distinct function, role, policy and key of the target.
  for (const [op, n] of Object.entries(referenceCalls(references))) calls[op] = [n];
  for (const shape of shapes)
    for (const [op, n] of Object.entries(perPool(shape))) calls[op] = [...(calls[op] ?? []), n];
  const uncounted = catalogOperations(CATALOG).filter((op) => !(op.name in calls));
  if (uncounted.length > 0)
    throw new Error(
      `no call count for ${uncounted.map((op) => op.name).join(', ')}: declare \`calls\` on the operation`,
    );
  return calls;
}

/**
 * The fastest a scan can be at `share` of the quotas, over ALL categories: for each category its
 * calls / (rps × share); for each category with a per-pool, per-operation limit, the busiest pool's
 * calls of one operation / (per-pool rps × share). The largest of these bounds the scan.
 */
export function quotaBound(
  calls: Record<string, number[]>,
  share: number,
): { seconds: number; binding: string; byCategory: Record<string, { calls: number; seconds: number }> } {
  const byCategory: Record<string, { calls: number; seconds: number }> = {};
  let seconds = 0;
  let binding = '';
  const consider = (what: string, s: number) => {
    if (s > seconds) {
      seconds = s;
      binding = what;
    }
  };
  for (const [op, counts] of Object.entries(calls)) {
    const category = OPERATION_QUOTA[op] as QuotaCategory;
    const entry = byCategory[category] ?? { calls: 0, seconds: 0 };
    byCategory[category] = entry;
    entry.calls += counts.reduce((a, b) => a + b, 0);
    const perPool = QUOTAS[category].perPoolPerOperationRps;
    if (perPool !== undefined) consider(`${op} on one pool`, Math.max(...counts) / (perPool * share));
  }
  for (const [category, entry] of Object.entries(byCategory)) {
    entry.seconds = entry.calls / (QUOTAS[category as QuotaCategory].rps * share);
    consider(category, entry.seconds);
  }
  return { seconds, binding, byCategory };
}

/**
 * A bench reader's SDK clients on the stand-in, named as `CognitoReader`'s options name them (every
 * service a surface reads), with one call that destroys them all.
 */
export function standinReaderClients(standin: CognitoStandin) {
  const config = { maxAttempts: 8 };
  const clients = {
    client: new CognitoIdentityProviderClient(standin.clientConfig(config)),
    identityClient: new CognitoIdentityClient(standin.identityClientConfig(config)),
    wafClient: new WAFV2Client(standin.wafClientConfig(config)),
    lambdaClient: new LambdaClient(standin.clientConfig(config)),
    iamClient: new IAMClient(standin.clientConfig(config)),
    kmsClient: new KMSClient(standin.clientConfig(config)),
  };
  return {
    clients,
    destroy: () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

export interface FullSurfaceBenchOptions extends FullSurfaceAccount {
  /** Watch the web ACL (every surface, as deployed); false: `surfaces=-waf`, no WAF client. @default true */
  waf?: boolean;
  share: number;
  latencyMs: number;
  burstSeconds: number;
}

export interface FullSurfaceBenchResult extends FullSurfaceBenchOptions {
  waf: boolean;
  seconds: number;
  minimumSeconds: number;
  binding: string;
  ratio: number;
  /** Per category: calls needed, calls the stand-in admitted, the category's own minimum (s). */
  categories: Record<string, { needed: number; admitted: number; seconds: number }>;
  /**
   * Per operation: the calls the declared counts need, and the calls the stand-in answered (its own
   * count of requests, throttled ones left out): equal when every kind's `calls` is right.
   */
  operations: Record<string, { needed: number; answered: number }>;
  /** WAF calls the stand-in answered (throttled retries aside), for "calls = ACLs + 1 page, not pools". */
  wafCalls: number;
  standinThrottled: number;
  readerThrottled: number;
  failedReads: number;
  done: boolean;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Seeds the stand-in with the full-surface account and what its pools point to (`reference-seed.ts`)
 * at Cognito's, WAF's, Cognito Identity's, Lambda's, IAM's and KMS's quotas (`quotas.ts`), then times
 * one full persisted run of the real reader + detector watching everything.
 */
export async function runFullSurfaceBench(options: FullSurfaceBenchOptions): Promise<FullSurfaceBenchResult> {
  const standin = await CognitoStandin.start({
    latencyMs: options.latencyMs,
    burstSeconds: options.burstSeconds,
    seed: 1,
  });
  const { clients, destroy } = standinReaderClients(standin);
  try {
    const { poolIds } = standin.seedFullSurface({
      pools: options.pools,
      clientsPerPool: options.clients,
      idps: options.idps,
      groups: options.groups,
      resourceServers: options.resourceServers,
      domain: true,
      identityPools: options.identityPools,
    });
    const listed = seedCatalogExamples(standin, poolIds);
    const references = seedReferences(standin, poolIds);
    const waf = options.waf ?? true;
    poolIds.forEach((poolId, i) => {
      if (waf && options.webAcls > 0) standin.setWebAcl(poolId, { name: `bench-acl-${i % options.webAcls}` });
    });
    const shapes: PoolShape[] = poolIds.map((poolId) =>
      poolShape(standin.describePool(poolId) as Record<string, unknown>, describedClients(standin, poolId), {
        ...listed.get(poolId),
        ListIdentityProviders: options.idps,
        ListGroups: options.groups,
        ListResourceServers: options.resourceServers,
      }),
    );
    standin.resetStats();
    standin.resetQuotas();
    const { wafClient, ...others } = clients;
    const reader = new CognitoReader({
      ...others,
      ...(waf ? { wafClient } : {}),
      digestKey: TEST_DIGEST_KEY,
      surfaces: waf ? SURFACE_NAMES : SURFACE_NAMES.filter((name) => name !== 'waf'),
      quotaShare: options.share,
    });
    const started = performance.now();
    const result = await runDetection(
      {
        reader,
        store: new DriftStore(new MemoryDocumentStore()),
        notifier: { publish: async () => {} },
        logger: silentLogger,
        now: () => new Date(),
      },
      {
        accountId: standin.accountId,
        region: standin.region,
        reminderIntervalMs: 24 * 3_600_000,
        approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
        safetyMarginMs: 90_000,
        poolConcurrency: reader.poolConcurrency,
        maxRunAgeMs: 6 * 3_600_000,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const stats = standin.stats;
    const needed = callsNeeded(shapes, options.identityPools, options.webAcls, references);
    if (!waf) {
      delete needed.ListWebACLs;
      delete needed.ListResourcesForWebACL;
    }
    const bound = quotaBound(needed, options.share);
    const categories: FullSurfaceBenchResult['categories'] = {};
    for (const [category, entry] of Object.entries(bound.byCategory)) {
      categories[category] = {
        needed: entry.calls,
        admitted: stats.byCategory[category as QuotaCategory]?.admitted ?? 0,
        seconds: entry.seconds,
      };
    }
    const operations: FullSurfaceBenchResult['operations'] = {};
    for (const op of new Set([...Object.keys(needed), ...Object.keys(stats.calls)]))
      operations[op] = {
        needed: (needed[op] ?? []).reduce((a, b) => a + b, 0),
        answered: (stats.calls[op] ?? 0) - (stats.throttledByOperation[op] ?? 0),
      };
    const otherErrors = Object.entries(stats.errors)
      .filter(([type]) => !['TooManyRequestsException', 'WAFLimitsExceededException'].includes(type))
      .reduce((n, [, count]) => n + count, 0);
    const userPoolsScanned = result.pools.filter((p) => p.poolId.includes('_') && p.outcome === 'scanned');
    return {
      ...options,
      waf,
      seconds,
      minimumSeconds: bound.seconds,
      binding: bound.binding,
      ratio: seconds / bound.seconds,
      categories,
      operations,
      wafCalls: Object.entries(stats.byCategory)
        .filter(([category]) => category.startsWith('WAFv2.'))
        .reduce((n, [, c]) => n + c.admitted, 0),
      standinThrottled: stats.throttled,
      readerThrottled: reader.stats.throttled,
      failedReads:
        result.readProblems.length +
        (options.pools + options.identityPools - result.poolsScanned) +
        (options.pools - userPoolsScanned.length) +
        otherErrors,
      done: result.done,
    };
  } finally {
    destroy();
    await standin.stop();
  }
}
