/**
 * Performance benchmark for issue 4 (`npm run bench`). A script, not a test: it prints what it
 * measured and a Markdown table, and exits non-zero naming every target it missed.
 *
 * 1. Scan: the real CognitoReader + runDetection (in-memory store, no-op notifier, persist) against
 *    the local Cognito stand-in with Cognito's quotas and latency, for a small and a large account.
 *    Then the full-surface account of issue 8 (every surface and identity pool watched, with the
 *    functions, roles and keys the pools point to read through Lambda, IAM and KMS clients; then
 *    again without the web ACL, `surfaces=-waf`), against
 *    the quota-bound minimum over ALL quota categories (`bench/full-surface.ts`).
 * 2. normalize + diff of a synthetic 1,000 × 10 account with every surface, in a child process.
 * 3. The Lambda bundle as CDK builds it: size, and cold import time in fresh `node` processes.
 *
 * Flags: --share 0.5 --latency 60 --small 30x5 --large 60x6 --pool-rps 15 --client-rps 15
 * --per-pool-rps 5 --burst 1 --pool-concurrency N (default: the reader's, as in the Lambda)
 * --full-surface 30x5 --identity-pools 10 --synthetic 1000x10 --import-runs 5 --memory-sizes 100,300,1000
 * --memory-mb 256 --only realtime|organization|memory|scale|full-surface (just that scenario)
 *
 * 4. Real-time path (issue 9): time from a CloudTrail event to Publish on a 200-pool account, and
 *    what attributing a sweep's findings in 20 pools costs in LookupEvents calls and time.
 * 6. Run memory (issue 18 item 5): the real run path (detector, reader, S3 store) over
 *    `--memory-sizes 100,300,1000` pools × 10 clients with every surface, each run in a fresh child
 *    process with the NODE_OPTIONS of a `--memory-mb 256` function (`bench/run-memory.ts`): peak RSS
 *    ≤ 160 MB at the largest size, and flat: at most ×1.10 of the smallest size's; `--only memory`
 *    runs just this one.
 * 5. Organization (issue 10): `--org-targets 4x2` (accounts × regions) targets of `--org-size 20x5`
 *    (`--org-surfaces all` as deployed, or `-waf`),
 *    each with its own quotas, driven through the organization entry points with at most
 *    `--max-concurrent-targets 10` at once (`bench/organization.ts`); `--only organization` runs
 *    just this one. Issue 18's organization: `--org-targets 100x4 --max-concurrent-targets 50`.
 * 6. Scale (issue 18): one target of `--scale 1000x5` with a realistic mix, at `--scale-share 1`,
 *    invocation after invocation of `--invocation-seconds 900` (`bench/scale.ts`); `--only scale`.
 *
 * `--time-scale k` runs the bench's clock k times as fast as the wall clock (rates × k, latency ÷ k,
 * figures in bench seconds; `bench/time-scale.ts`), for the scale and organization runs. `--json
 * <file>` writes their figures for `scripts/sizing-tables.ts`. The organization run prints a progress
 * line to stderr each time a round's worth of targets is done.
 *
 * `npm run bench` gives this process an 8 GB heap (`--max-old-space-size` in package.json): one
 * process holds the documents and stand-in state of every target, about 1 GB at 100 targets, and
 * Node's default limit (about 4 GB here) would leave the 400-target run collecting garbage. The
 * Lambda's own heap is benched in child processes with the function's limit (`run-memory.ts`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BundleResult, measureBundle } from './bundle.js';
import { type FullSurfaceBenchResult, runFullSurfaceBench } from './full-surface.js';
import type { NormalizeDiffResult } from './normalize-diff.js';
import { runOrganizationBench } from './organization.js';
import { organizationRows, orgSurfaces, printOrganization } from './organization-report.js';
import { attributionCost, attributionFlood, timeToAlert } from './realtime.js';
import { buildRunMemoryChild, type RunMemorySize, runMemoryBench } from './run-memory.js';
import { runScaleBench, scaleReport } from './scale.js';
import { type Quotas, runScanBench, type ScanBenchResult } from './scan.js';
import { writeSyntheticAccount } from './synthetic-account.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = {
  scanRatio: 1.15,
  /** Issue 18's done-when: the whole surface ≤ ×1.10 of the quota-bound minimum; without WAF ≤ ×1.05. */
  fullSurfaceRatio: 1.1,
  fullSurfaceNoWafRatio: 1.05,
  rateShare: 0.9,
  normalizeDiffMs: 2000,
  normalizeDiffMb: 256,
  /** Peak RSS of a run at the largest size, and its largest ratio to the smallest size's (issue 18). */
  runPeakRssMb: 160,
  runRssFlatness: 1.1,
};

interface Row {
  metric: string;
  value: string;
  target: string;
  ok: boolean | undefined;
}

function size(text: string, flag: string): { pools: number; clients: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) throw new Error(`--${flag} must look like 60x6 (pools x clients per pool), got "${text}"`);
  return { pools: Number(match[1]), clients: Number(match[2]) };
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${flag} must be a number > 0, got "${text}"`);
  return value;
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The quota category that bounds the scan: its achieved rate is the one held to the 90% target. */
function bindingCategory(r: ScanBenchResult): 'pool' | 'client' | 'per-pool' {
  const calls = r.calls;
  const pool = calls.poolReads / r.poolReadRate.configured;
  const client = calls.clientReads / r.clientReadRate.configured;
  const perPool = calls.slowestPoolClientReads / (r.quotas.perPoolClientRead * r.share);
  if (perPool > Math.max(pool, client)) return 'per-pool';
  return client >= pool ? 'client' : 'pool';
}

function scanRows(label: string, r: ScanBenchResult, large: boolean): Row[] {
  const rows: Row[] = [
    {
      metric: `${label} scan time (s)`,
      value: `${f1(r.seconds)} (min ${f1(r.minimumSeconds)}, ×${f2(r.ratio)})`,
      target: `≤ ×${TARGETS.scanRatio}`,
      ok: r.ratio <= TARGETS.scanRatio && r.done,
    },
    {
      metric: `${label} UserPoolClientRead rate (/s)`,
      value: `${f2(r.clientReadRate.achieved)} of ${f2(r.clientReadRate.configured)}`,
      target: large && bindingCategory(r) === 'client' ? `≥ ${TARGETS.rateShare * 100}%` : '',
      ok:
        large && bindingCategory(r) === 'client'
          ? r.clientReadRate.achieved >= TARGETS.rateShare * r.clientReadRate.configured
          : undefined,
    },
    {
      metric: `${label} UserPoolRead rate (/s)`,
      value: `${f2(r.poolReadRate.achieved)} of ${f2(r.poolReadRate.configured)}`,
      target: large && bindingCategory(r) === 'pool' ? `≥ ${TARGETS.rateShare * 100}%` : '',
      ok:
        large && bindingCategory(r) === 'pool'
          ? r.poolReadRate.achieved >= TARGETS.rateShare * r.poolReadRate.configured
          : undefined,
    },
    {
      metric: `${label} throttled (stand-in / reader)`,
      value: `${r.standinThrottled} / ${r.readerThrottled}`,
      target: '',
      ok: undefined,
    },
    { metric: `${label} failed reads`, value: String(r.failedReads), target: '0', ok: r.failedReads === 0 },
    {
      metric: `${label} peak RSS / heap (MB)`,
      value: `${f1(r.peakRssMb)} / ${f1(r.peakHeapMb)}`,
      target: '',
      ok: undefined,
    },
  ];
  return rows;
}

function printScan(label: string, r: ScanBenchResult): void {
  const calls = r.calls;
  console.log(
    [
      `## Scan ${label}: ${r.pools} pools × ${r.clients} clients, share ${r.share}, latency ${r.latencyMs} ms, pool concurrency ${r.poolConcurrency}`,
      `  calls: ${calls.poolReads} UserPoolRead, ${calls.clientReads} UserPoolClientRead (${r.readerRequests} sent by the reader)`,
      `  scan time ${f2(r.seconds)} s, quota-bound minimum ${f2(r.minimumSeconds)} s, ratio ${f2(r.ratio)}, done ${r.done}`,
      `  UserPoolRead ${f2(r.poolReadRate.achieved)}/s of ${f2(r.poolReadRate.configured)}/s (peak ${r.peak.poolRead} in 1 s)`,
      `  UserPoolClientRead ${f2(r.clientReadRate.achieved)}/s of ${f2(r.clientReadRate.configured)}/s (peak ${r.peak.clientRead} in 1 s; per pool peak ${r.peak.perPool})`,
      `  throttled: stand-in ${r.standinThrottled}, reader ${r.readerThrottled}; failed reads ${r.failedReads}`,
      `  peak RSS ${f1(r.peakRssMb)} MB, peak heap ${f1(r.peakHeapMb)} MB (bench process, stand-in included)`,
    ].join('\n'),
  );
}

function printFullSurface(r: FullSurfaceBenchResult): void {
  console.log(
    [
      `## Full surface${r.waf ? '' : ' without WAF (surfaces=-waf)'}: ${r.pools} pools × ${r.clients} clients, ${r.idps} IdPs, ${r.groups} groups, ${r.resourceServers} resource server and a domain each, ${r.identityPools} identity pools; share ${r.share}, latency ${r.latencyMs} ms`,
      ...Object.entries(r.categories).map(
        ([category, c]) =>
          `  ${category}: ${c.needed} calls needed, ${c.admitted} admitted; alone ${f1(c.seconds)} s`,
      ),
      `  scan time ${f2(r.seconds)} s, quota-bound minimum ${f2(r.minimumSeconds)} s (bound by ${r.binding}), ratio ${f2(r.ratio)}, done ${r.done}`,
      `  throttled: stand-in ${r.standinThrottled}, reader ${r.readerThrottled}; failed reads ${r.failedReads}`,
      ...(r.waf ? [`  WAF: ${r.wafCalls} calls for ${r.webAcls} web ACLs and ${r.pools} pools`] : []),
    ].join('\n'),
  );
}

function fullSurfaceRows(r: FullSurfaceBenchResult): Row[] {
  const label = `full surface ${r.pools}×${r.clients} + ${r.identityPools} identity pools${r.waf ? '' : ', -waf'}`;
  const extra = Object.values(r.categories).reduce((n, c) => n + Math.max(0, c.admitted - c.needed), 0);
  const target = r.waf ? TARGETS.fullSurfaceRatio : TARGETS.fullSurfaceNoWafRatio;
  const rows: Row[] = [
    {
      metric: `${label} scan time (s)`,
      value: `${f1(r.seconds)} (min ${f1(r.minimumSeconds)}, bound by ${r.binding}, ×${f2(r.ratio)})`,
      target: `≤ ×${target}`,
      ok: r.ratio <= target && r.done,
    },
    { metric: `${label} calls beyond those needed`, value: String(extra), target: '0', ok: extra === 0 },
    { metric: `${label} failed reads`, value: String(r.failedReads), target: '0', ok: r.failedReads === 0 },
  ];
  if (!r.waf) return rows;
  return [
    ...rows,
    {
      // Issue 18: the web ACL surface costs one listing per run, whatever the number of pools.
      metric: `${label} WAF reads per run (${r.webAcls} web ACLs, ${r.pools} pools)`,
      value: String(r.wafCalls),
      target: `= ${r.webAcls} + 1 page`,
      ok: r.wafCalls === r.webAcls + Math.max(1, Math.ceil(r.webAcls / 100)),
    },
  ];
}

function printRunMemory(r: RunMemorySize): void {
  const run = (label: string, c: RunMemorySize['baseline']) =>
    `  ${label}: peak RSS ${f1(c.peakRssMb)} MB (${f1(c.startRssMb)} before the run), peak heap ${f1(c.peakHeapMb)} MB, heap kept after the run ${f1(c.retainedHeapMb)} MB; ${f1(c.seconds)} s; ${c.poolsScanned} pools and ${c.clientsScanned} clients scanned, ${c.findings} findings in ${c.poolsWithFindings} pools, ${c.driftsAlerted} alerted, ${c.messages} message(s), largest ${c.largestMessageBytes} bytes, ${c.readProblems} read problems`;
  console.log(
    [
      `## Run memory: ${r.pools} pools × ${r.clients} clients, every surface, ${r.identityPools} identity pools, as a ${r.memoryMb} MB function (fresh process per run)`,
      run('first run', r.baseline),
      run(`drift run (${r.plantedPerPool} changes planted per pool)`, r.drift),
    ].join('\n'),
  );
}

const peakOf = (r: RunMemorySize) => Math.max(r.baseline.peakRssMb, r.drift.peakRssMb);

function runMemoryRows(sizes: RunMemorySize[]): Row[] {
  const rows: Row[] = [];
  const smallest = sizes[0];
  const largest = sizes.at(-1);
  for (const r of sizes) {
    const complete =
      r.drift.poolsScanned === r.pools + r.identityPools &&
      r.drift.readProblems === 0 &&
      r.drift.poolsWithFindings >= r.pools &&
      r.drift.driftsAlerted === r.drift.poolsWithFindings;
    rows.push(
      {
        metric: `run memory ${r.pools}×${r.clients}, every surface, ${r.memoryMb} MB function: peak RSS first / drift run (MB)`,
        value: `${f1(r.baseline.peakRssMb)} / ${f1(r.drift.peakRssMb)} (heap kept ${f1(r.drift.retainedHeapMb)})`,
        target: r === largest ? `≤ ${TARGETS.runPeakRssMb}` : '',
        ok: r === largest ? peakOf(r) <= TARGETS.runPeakRssMb : undefined,
      },
      {
        metric: `run memory ${r.pools}×${r.clients}: drift run reports every pool, largest message (bytes)`,
        value: `${r.drift.findings} findings in ${r.drift.poolsWithFindings} pools, ${r.drift.driftsAlerted} alerted; ${r.drift.largestMessageBytes}`,
        target: '≥ every pool; ≤ 262144',
        ok: complete && r.drift.largestMessageBytes <= 262_144,
      },
    );
  }
  if (smallest && largest && largest !== smallest)
    rows.push({
      metric: `run memory flat: peak RSS at ${largest.pools} pools / at ${smallest.pools}`,
      value: `${f1(peakOf(largest))} / ${f1(peakOf(smallest))} MB (×${f2(peakOf(largest) / peakOf(smallest))})`,
      target: `≤ ×${TARGETS.runRssFlatness}`,
      ok: peakOf(largest) <= TARGETS.runRssFlatness * peakOf(smallest),
    });
  return rows;
}

function runNormalizeDiff(accountFile: string): NormalizeDiffResult {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench/normalize-diff.ts'), accountFile],
    { cwd: REPO_ROOT, encoding: 'utf-8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (child.status !== 0) throw new Error(`normalize-diff child failed: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout) as NormalizeDiffResult;
}

function markdown(rows: Row[]): string {
  const lines = ['| metric | measured | target | |', '|---|---|---|---|'];
  for (const row of rows) {
    const mark = row.ok === undefined ? '' : row.ok ? 'ok' : '**MISSED**';
    lines.push(`| ${row.metric} | ${row.value} | ${row.target} | ${mark} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      share: { type: 'string', default: '0.5' },
      latency: { type: 'string', default: '60' },
      small: { type: 'string', default: '30x5' },
      large: { type: 'string', default: '60x6' },
      'pool-rps': { type: 'string', default: '15' },
      'client-rps': { type: 'string', default: '15' },
      'per-pool-rps': { type: 'string', default: '5' },
      burst: { type: 'string', default: '1' },
      'pool-concurrency': { type: 'string' },
      'full-surface': { type: 'string', default: '30x5' },
      'identity-pools': { type: 'string', default: '10' },
      synthetic: { type: 'string', default: '1000x10' },
      'import-runs': { type: 'string', default: '5' },
      only: { type: 'string' },
      'org-targets': { type: 'string', default: '4x2' },
      'org-size': { type: 'string', default: '20x5' },
      'max-concurrent-targets': { type: 'string', default: '10' },
      'org-surfaces': { type: 'string', default: 'all' },
      'memory-sizes': { type: 'string', default: '100,300,1000' },
      'memory-mb': { type: 'string', default: '256' },
      scale: { type: 'string', default: '1000x5' },
      'scale-share': { type: 'string', default: '1' },
      'invocation-seconds': { type: 'string', default: '900' },
      'time-scale': { type: 'string', default: '1' },
      json: { type: 'string' },
      'org-fast-baseline': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const share = positive(values.share, 'share');
  if (share > 1) throw new Error(`--share must be at most 1, got ${share}`);
  const quotas: Quotas = {
    userPoolRead: positive(values['pool-rps'], 'pool-rps'),
    userPoolClientRead: positive(values['client-rps'], 'client-rps'),
    perPoolClientRead: positive(values['per-pool-rps'], 'per-pool-rps'),
  };
  const common = {
    share,
    latencyMs: Number(values.latency),
    quotas,
    burstSeconds: positive(values.burst, 'burst'),
    ...(values['pool-concurrency'] === undefined
      ? {}
      : { poolConcurrency: positive(values['pool-concurrency'], 'pool-concurrency') }),
  };
  const synthetic = size(values.synthetic, 'synthetic');

  console.log(
    `# cognito-drift bench — ${cpus()[0]?.model ?? 'unknown CPU'}, nproc ${availableParallelism()}, node ${process.version}, load ${loadavg()
      .map(f2)
      .join(' ')}`,
  );
  const rows: Row[] = [];
  const missed: string[] = [];
  // Every figure comes with the load it was measured at: the machine is shared.
  const load = () => loadavg().map(f2).join(' ');
  const figures: Record<string, unknown> = {};
  const timeScale = positive(values['time-scale'], 'time-scale');
  const scale = async () => {
    const result = await runScaleBench({
      ...size(values.scale, 'scale'),
      identityPools: 50,
      webAcls: 3,
      share: positive(values['scale-share'], 'scale-share'),
      latencyMs: common.latencyMs,
      burstSeconds: common.burstSeconds,
      invocationSeconds: positive(values['invocation-seconds'], 'invocation-seconds'),
      timeScale,
    });
    const report = scaleReport(result, load());
    console.log(report.text);
    rows.push(...report.rows);
    figures.scale = { ...result, load: loadavg(), cores: availableParallelism() };
  };
  const organization = async () => {
    const shape = /^(\d+)x(\d+)$/.exec(values['org-targets']);
    if (!shape)
      throw new Error(
        `--org-targets must look like 4x2 (accounts x regions), got "${values['org-targets']}"`,
      );
    const regions = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'us-east-2', 'ap-southeast-2'];
    const regionCount = Number(shape[2]);
    if (regionCount < 1 || regionCount > regions.length)
      throw new Error(`--org-targets: 1 to ${regions.length} regions, got ${regionCount}`);
    const result = await runOrganizationBench({
      accounts: Number(shape[1]),
      regions: regions.slice(0, regionCount),
      ...size(values['org-size'], 'org-size'),
      share,
      latencyMs: common.latencyMs,
      burstSeconds: common.burstSeconds,
      maxConcurrentTargets: positive(values['max-concurrent-targets'], 'max-concurrent-targets'),
      waf: orgSurfaces(values['org-surfaces']),
      timeScale,
      fastBaseline: values['org-fast-baseline'],
      progress: (line) => console.error(line),
    });
    printOrganization(result, load());
    rows.push(...organizationRows(result, load()));
    figures.organization = { ...result, load: loadavg(), cores: availableParallelism() };
  };
  // Issue 18: every surface as deployed, and without the web ACL (`surfaces=-waf`).
  const fullSurface = async () => {
    for (const waf of [true, false]) {
      const full = await runFullSurfaceBench({
        ...size(values['full-surface'], 'full-surface'),
        idps: 2,
        groups: 3,
        resourceServers: 1,
        identityPools: positive(values['identity-pools'], 'identity-pools'),
        webAcls: 3,
        waf,
        share,
        latencyMs: common.latencyMs,
        burstSeconds: common.burstSeconds,
      });
      printFullSurface(full);
      rows.push(...fullSurfaceRows(full));
    }
  };
  // `--json <file>`: the figures of the scale and organization runs, for `scripts/sizing-tables.ts`.
  const done = async () => {
    if (values.json) await writeFile(values.json, `${JSON.stringify(figures, null, 2)}\n`);
    return finish(rows, missed);
  };
  if (values.only === 'organization' || values.only === 'scale') {
    await (values.only === 'scale' ? scale() : organization());
    return done();
  }
  const runMemory = async () => {
    const sizes = values['memory-sizes'].split(',').map((n) => positive(n, 'memory-sizes'));
    const memoryMb = positive(values['memory-mb'], 'memory-mb');
    const work = await mkdtemp(join(tmpdir(), 'cognito-drift-bench-memory-'));
    try {
      const bundle = await buildRunMemoryChild(work);
      const results: RunMemorySize[] = [];
      for (const pools of sizes) {
        const result = await runMemoryBench(bundle, pools, 10, memoryMb);
        printRunMemory(result);
        results.push(result);
      }
      rows.push(...runMemoryRows(results));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };
  if (values.only === 'full-surface') {
    await fullSurface();
    return finish(rows, missed);
  }
  if (values.only === 'memory') {
    await runMemory();
    return finish(rows, missed);
  }
  rows.push(...(await realtimeRows(share, Number(values.latency))));
  if (values.only === 'realtime') return finish(rows, missed);
  const scans: [string, { pools: number; clients: number }, boolean][] = [
    ['small', size(values.small, 'small'), false],
    ['large', size(values.large, 'large'), true],
  ];
  for (const [label, account, large] of scans) {
    const result = await runScanBench({ ...common, ...account });
    printScan(`${label} (${account.pools}×${account.clients})`, result);
    rows.push(...scanRows(`${label} ${account.pools}×${account.clients}`, result, large));
  }

  await organization();
  await scale();

  await fullSurface();

  await runMemory();

  const work = await mkdtemp(join(tmpdir(), 'cognito-drift-bench-'));
  let bundle: BundleResult;
  let nd: NormalizeDiffResult;
  try {
    const accountFile = join(work, 'account.json');
    await writeSyntheticAccount(accountFile, synthetic.pools, synthetic.clients);
    nd = runNormalizeDiff(accountFile);
    console.log(
      [
        `## normalize + diff: ${nd.pools} pools, ${nd.clients} clients, ${nd.surfaceResources} surface resources, ${nd.identityPools} identity pools, ${nd.plantedChanges} planted changes, ${nd.changesFound} found`,
        `  normalize ${f1(nd.normalizeMs)} ms, diff ${f1(nd.diffMs)} ms, total ${f1(nd.totalMs)} ms`,
        `  peak RSS ${f1(nd.peakRssMb)} MB (of which runtime + loaded input ${f1(nd.inputRssMb)} MB), retained heap ${f1(nd.retainedHeapMb)} MB`,
      ].join('\n'),
    );
    bundle = await measureBundle(REPO_ROOT, work, positive(values['import-runs'], 'import-runs'));
    console.log(
      [
        '## Lambda bundle (esbuild as CDK runs it: ESM, node22, minified, all bundled, source map)',
        `  index.mjs ${kb(bundle.bytes)} raw, ${kb(bundle.gzipBytes)} gzipped; index.mjs.map ${kb(bundle.sourceMapBytes)}`,
        `  cold import (median of ${values['import-runs']} fresh processes): ${f1(bundle.importMs.withSourceMaps)} ms with --enable-source-maps (as deployed), ${f1(bundle.importMs.plain)} ms without; whole process ${f1(bundle.processMs)} ms`,
      ].join('\n'),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const label = `${nd.pools}×${Math.round(nd.clients / Math.max(1, nd.pools))}`;
  rows.push(
    {
      metric: `normalize + diff ${label} (ms)`,
      value: `${f1(nd.totalMs)} (normalize ${f1(nd.normalizeMs)}, diff ${f1(nd.diffMs)})`,
      target: `< ${TARGETS.normalizeDiffMs}`,
      ok: nd.totalMs < TARGETS.normalizeDiffMs,
    },
    {
      metric: `normalize + diff ${label} peak RSS (MB)`,
      value: f1(nd.peakRssMb),
      target: `< ${TARGETS.normalizeDiffMb}`,
      ok: nd.peakRssMb < TARGETS.normalizeDiffMb,
    },
    {
      metric: `normalize + diff changes found / planted`,
      value: `${nd.changesFound} / ${nd.plantedChanges}`,
      target: 'equal',
      ok: nd.changesFound === nd.plantedChanges,
    },
    {
      metric: 'Lambda bundle (raw / gzip)',
      value: `${kb(bundle.bytes)} / ${kb(bundle.gzipBytes)}`,
      target: '',
      ok: undefined,
    },
    {
      metric: 'cold import, median (ms)',
      value: `${f1(bundle.importMs.withSourceMaps)} (source maps on), ${f1(bundle.importMs.plain)} (off)`,
      target: '',
      ok: undefined,
    },
  );

  return done();
}

/** Issue 9: time to alert on the real-time path, and the cost of attribution. */
async function realtimeRows(share: number, latencyMs: number): Promise<Row[]> {
  const tta = await timeToAlert({ pools: 200, clients: 10, latencyMs, share });
  console.log(
    [
      `## Real-time path: ${tta.pools} pools, one client changed in a ${tta.clients}-client pool, share ${share}, latency ${latencyMs} ms`,
      `  event -> Publish: debounce window + ${f2(tta.seconds)} s (window injected as 0, not waited)`,
      `  Cognito calls: ${tta.cognitoCalls} (a sweep of this account: ${tta.sweepCalls}); ListUserPools: ${tta.listUserPoolsCalls}; alerts: ${tta.alerts}; names the author: ${tta.namesAuthor}`,
    ].join('\n'),
  );
  const rows: Row[] = [
    {
      metric: 'real-time: event -> Publish (s)',
      value: `window + ${f2(tta.seconds)}`,
      target: 'window + < 5',
      ok: tta.seconds < 5 && tta.alerts === 1 && tta.namesAuthor,
    },
    {
      metric: 'real-time: Cognito calls (vs a sweep)',
      value: `${tta.cognitoCalls} of ${tta.sweepCalls} (${f2((100 * tta.cognitoCalls) / tta.sweepCalls)}%), ListUserPools ${tta.listUserPoolsCalls}`,
      target: '< 1%, no ListUserPools',
      ok: tta.cognitoCalls < tta.sweepCalls / 100 && tta.listUserPoolsCalls === 0,
    },
  ];
  for (const lookupShare of [1, share]) {
    const cost = await attributionCost({ pools: 20, share: lookupShare });
    console.log(
      `## Attribution, findings in ${cost.pools} pools, LookupEvents at ${2 * lookupShare}/s: ${cost.calls} calls, ${f2(cost.seconds)} s, ${cost.attributed} of ${cost.findings} attributed, ${cost.throttled} throttled`,
    );
    rows.push({
      metric: `attribution, 20 pools, LookupEvents at ${2 * lookupShare}/s`,
      value: `${cost.calls} calls, ${f2(cost.seconds)} s, ${cost.attributed}/${cost.findings} attributed`,
      target: lookupShare === 1 ? '< 15 s' : '',
      ok: lookupShare === 1 ? cost.seconds < 15 && cost.attributed === cost.findings : undefined,
    });
  }
  for (const resourcesRecorded of [true, false]) {
    const flood = await attributionFlood({ resourcesRecorded });
    const how = resourcesRecorded ? 'records name their pool' : 'records name no resource';
    console.log(
      `## Attribution behind 800 writes on another pool (${how}): ${flood.calls} calls, ${f2(flood.seconds)} s, attributed: ${flood.attributed}, ${flood.throttled} throttled`,
    );
    rows.push({
      metric: `attribution behind 800 writes elsewhere, ${how}`,
      value: `${flood.calls} calls, ${f2(flood.seconds)} s, ${flood.attributed ? 'attributed' : 'author unknown'}`,
      target: resourcesRecorded ? '1 call, attributed' : '<= 4 calls',
      ok: resourcesRecorded ? flood.calls === 1 && flood.attributed : flood.calls <= 4,
    });
  }
  return rows;
}

function finish(rows: Row[], missed: string[]): number {
  console.log(`\n${markdown(rows)}`);
  for (const row of rows)
    if (row.ok === false) missed.push(`${row.metric}: ${row.value} (target ${row.target})`);
  if (missed.length > 0) {
    console.error(`\n${missed.length} target(s) missed:\n${missed.map((m) => `  - ${m}`).join('\n')}`);
    return 1;
  }
  console.log('\nAll targets met.');
  return 0;
}

process.exitCode = await main();
