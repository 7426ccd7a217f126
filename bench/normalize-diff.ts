/**
 * Child-process part of the benchmark: normalizes a synthetic account (see synthetic-account.ts)
 * and diffs it against a baseline copy with planted changes. It runs in its own process so that its
 * peak RSS is its own; it prints one JSON line.
 *
 * `node --expose-gc --import tsx bench/normalize-diff.ts <account.json>`
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { kindApplies } from '../lambda/core/catalog.js';
import { diffPool } from '../lambda/core/diff.js';
import { normalizeClient, normalizePool } from '../lambda/core/normalize.js';
import type { Change, ClientSnapshot, PoolSnapshot } from '../lambda/core/types.js';
import { readIdentityPool } from '../lambda/surfaces/identity-pools.js';
import { CATALOG, POOL_SURFACES } from '../lambda/surfaces/index.js';
import { parseSyntheticAccount, type RawPool, replaySend } from './synthetic-account.js';

/** What the parent reads from stdout. */
export interface NormalizeDiffResult {
  pools: number;
  clients: number;
  /** Identity pools, and surface resources (IdPs, groups, domains, ...) of the user pools. */
  identityPools: number;
  surfaceResources: number;
  plantedChanges: number;
  changesFound: number;
  normalizeMs: number;
  diffMs: number;
  totalMs: number;
  /** Peak resident set size of this process (`process.resourceUsage().maxRSS`), MB. */
  peakRssMb: number;
  /** RSS once the input was loaded, before normalizing: the runtime's and the input's share of the peak, MB. */
  inputRssMb: number;
  /** Heap the snapshots, the baseline copy and the changes hold after a full GC, MB. */
  retainedHeapMb: number;
}

const MB = 1024 * 1024;

/** The baseline: a copy of the current snapshots, changed the ways a reviewer would see. Returns the count. */
function plantChanges(current: PoolSnapshot[]): { baseline: PoolSnapshot[]; planted: number } {
  const baseline = structuredClone(current);
  let planted = 0;
  baseline.forEach((pool, i) => {
    const clients = Object.values(pool.clients);
    const first = clients[0];
    const second = clients[1];
    const last = clients.at(-1);
    if (i % 10 === 0) {
      pool.config.MfaConfiguration = pool.config.MfaConfiguration === 'ON' ? 'OFF' : 'ON';
      planted += 1;
    }
    if (i % 8 === 0) {
      pool.config.DeletionProtection = pool.config.DeletionProtection === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE';
      planted += 1;
    }
    if (i % 7 === 0 && first) {
      first.config.CallbackURLs = ['https://old.example.com/callback'];
      planted += 1;
    }
    if (i % 9 === 0 && second) {
      second.secrets[`${second.clientId}--1600000000000`] = { createdAt: '2020-09-13T12:26:40.000Z' };
      planted += 1;
    }
    if (i % 25 === 0 && last) {
      delete pool.clients[last.clientId];
      planted += 1;
    }
    const surfaces = pool.surfaces ?? {};
    const group = Object.values(surfaces.groups ?? {})[0];
    if (i % 11 === 0 && group) {
      group.config.RoleArn = 'arn:aws:iam::123456789012:role/before';
      planted += 1;
    }
    const idp = Object.keys(surfaces.identityProviders ?? {})[0];
    if (i % 13 === 0 && idp && surfaces.identityProviders) {
      delete surfaces.identityProviders[idp];
      planted += 1;
    }
    if (i % 17 === 0 && surfaces.waf && !surfaces.waf.pool) {
      // The web ACL taken off since the baseline: one resource removed.
      surfaces.waf.pool = { name: 'old-acl', config: { ARN: 'arn:aws:wafv2:old', Name: 'old-acl' } };
      planted += 1;
    }
    if (i % 30 === 0 && first) {
      const removed: ClientSnapshot = {
        ...structuredClone(first),
        clientId: `removed${i}`,
        clientName: 'gone',
      };
      pool.clients[removed.clientId] = removed;
      planted += 1;
    }
  });
  return { baseline, planted };
}

/** A pool as the reader normalizes it: settings, clients, then each surface's own read (replayed). */
async function normalizeWithSurfaces(raw: RawPool): Promise<PoolSnapshot> {
  const pool = normalizePool(
    raw.pool,
    raw.clients.map(({ client, secrets }) => normalizeClient(client, secrets)),
  );
  const ctx = {
    poolId: pool.poolId,
    pool: raw.pool,
    clients: Object.values(pool.clients).map((c) => ({ clientId: c.clientId, clientName: c.clientName })),
    send: replaySend(raw.answers),
  };
  pool.surfaces = {};
  // As the reader: a kind without effect in the pool (`readOnlyWhen`) is not read and holds nothing.
  for (const surface of POOL_SURFACES)
    pool.surfaces[surface.name] = kindApplies(surface, { ...raw.pool }) ? await surface.read(ctx) : {};
  return pool;
}

async function main(path: string): Promise<NormalizeDiffResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const account = parseSyntheticAccount(await readFile(path, 'utf-8'));
  gc?.();
  const inputRss = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;

  const t0 = performance.now();
  const current: PoolSnapshot[] = [];
  for (const raw of account.pools) current.push(await normalizeWithSurfaces(raw));
  for (const { ref, answers } of account.identityPools)
    current.push(await readIdentityPool(ref, replaySend(answers)));
  const normalizeMs = performance.now() - t0;
  const { baseline, planted } = plantChanges(current);
  const t1 = performance.now();
  const changes: Change[] = [];
  current.forEach((pool, i) => {
    changes.push(...diffPool(baseline[i] ?? null, pool, CATALOG));
  });
  const diffMs = performance.now() - t1;

  gc?.();
  return {
    pools: account.pools.length,
    clients: account.pools.reduce((n, p) => n + p.clients.length, 0),
    identityPools: account.identityPools.length,
    surfaceResources: current.reduce(
      (n, p) => n + Object.values(p.surfaces ?? {}).reduce((m, r) => m + Object.keys(r).length, 0),
      0,
    ),
    plantedChanges: planted,
    changesFound: changes.length,
    normalizeMs,
    diffMs,
    totalMs: normalizeMs + diffMs,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    inputRssMb: inputRss / MB,
    retainedHeapMb: (process.memoryUsage().heapUsed - heapBefore) / MB,
  };
}

const path = process.argv[2];
if (!path) throw new Error('usage: node --expose-gc --import tsx bench/normalize-diff.ts <account.json>');
process.stdout.write(`${JSON.stringify(await main(path))}\n`);
