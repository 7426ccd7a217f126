/**
 * The sizing and cost tables of `docs/sizing-and-cost.md` that come from the benches, rendered from
 * the figures `npm run bench -- --only organization|scale --json <file>` writes, and spliced between
 * their markers in the page (`scripts/sizing-tables.ts`). Each table says which of its figures are
 * measured and which are modelled from the measured ones.
 */

import type { OrganizationBenchResult } from './organization.js';
import { LAMBDA_GB, organizationRunCost, PRICES, RUNS_PER_MONTH } from './organization-cost.js';
import type { ScaleBenchResult } from './scale.js';

/** What `--json` writes: each bench's result with the load average it ran at. */
export interface BenchFigures {
  organization?: OrganizationBenchResult & MachineLoad;
  scale?: ScaleBenchResult & MachineLoad;
}

/** The bench machine's load average (1, 5, 15 minutes) at the end of a bench, and its cores. */
export interface MachineLoad {
  load: number[];
  cores?: number;
}

/** The tables by marker name (`readme`: the README's summary, spliced into README.md). */
export type SizingTables = Partial<
  Record<'organization-run' | 'organization-rounds' | 'organization-cost' | 'scale-run' | 'readme', string>
>;

/** The organization the sizing page is about: 100 accounts × 4 regions. */
export const ORGANIZATION_TARGETS = 400;

/** The monthly part of a deployment that does not grow with the runs (CloudWatch alarms and metrics). */
export const FIXED_MONTHLY_USD = {
  usd: 3.1,
  what: 'CloudWatch alarms and custom metrics (no account or region dimension: the same as one target)',
};

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const usd = (n: number) =>
  n < 0.01
    ? `$${n.toFixed(5)}`
    : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const minutes = (s: number) => (s < 120 ? `${f1(s)} s` : `${f1(s / 60)} min`);
/** Minutes with the seconds they round, or seconds alone. */
const duration = (s: number) => (s < 120 ? `${f1(s)} s` : `${f1(s / 60)} min (${f1(s)} s)`);
const loadOf = (load: readonly number[]) => load.map(f2).join(' ');

function conditions(r: { share: number; latencyMs: number; timeScale: number } & MachineLoad): string {
  const scaled =
    r.timeScale === 1
      ? 'real time'
      : `time scaled ×${r.timeScale} (every rate ×${r.timeScale}, latency ÷${r.timeScale}; figures in bench seconds = real × ${r.timeScale})`;
  const cores = r.cores === undefined ? '' : ` on ${r.cores} cores`;
  // One process plays every target and the stand-in: on a busier machine its times are upper bounds.
  const busy =
    r.cores !== undefined && (r.load[0] ?? 0) > r.cores
      ? ' (more runnable processes than cores: the times are upper bounds, to be re-measured on a quiet machine)'
      : '';
  return `share ${r.share}, ${r.latencyMs} ms per call, ${scaled}, load average ${loadOf(r.load)}${cores}${busy}`;
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function organizationTables(r: BenchFigures['organization'] & object): SizingTables {
  const run = r.drift;
  const seconds = run.targets.map((t) => t.seconds).sort((a, b) => a - b);
  const median = seconds[Math.floor(seconds.length / 2)] ?? 0;
  const invocations = run.targets.reduce((n, t) => n + t.invocations, 0);
  const roundSeconds = run.seconds / r.rounds;
  const N = ORGANIZATION_TARGETS;
  const measuredAtSize = r.targetCount === N;
  const runTable = [
    `${r.targetCount} targets (${r.accounts} accounts × ${r.regions.length} regions), each ${r.pools} pools × ${r.clients} clients with its own quotas, ${r.waf ? 'every surface' : 'every surface but the web ACL'}; ${r.maxConcurrentTargets} at once (${r.rounds} round${r.rounds > 1 ? 's' : ''}, ${r.map} Map); ${conditions(r)}.`,
    '',
    table(
      ['measure', 'figure', 'basis'],
      [
        ['organization run (list, targets, aggregate)', duration(run.seconds), 'measured'],
        [
          'against its minimum',
          `×${f2(r.ratio)} of ${r.rounds} × ${f1(r.targetMinimumSeconds)} s (one target's quota-bound minimum, bound by ${r.binding})`,
          'minimum derived from the declared calls',
        ],
        [
          'one target',
          `median ${f1(median)} s, slowest ${f1(run.slowestTargetSeconds)} s; ${invocations} invocations for ${run.targets.length} targets`,
          'measured',
        ],
        [
          'list and aggregate steps',
          `${f1(run.listSeconds)} s and ${f1(run.aggregateSeconds)} s`,
          'measured',
        ],
        [
          'messages',
          `${run.messages.length} (${run.messages.filter((m) => m.kind === 'drift').length} drift digest)`,
          'measured',
        ],
        ['throttled, failed', `${r.standinThrottled} throttled, ${r.failedReads} failed`, 'measured'],
      ],
    ),
  ].join('\n');
  const roundsTable = [
    `Run time of ${N} targets by the number at once, modelled as rounds × the measured round of ${r.targetCount} targets at ${r.maxConcurrentTargets} at once (${f1(roundSeconds)} s = ${f1(run.seconds)} s / ${r.rounds} round${r.rounds > 1 ? 's' : ''}; each target has its own Cognito quotas and an account's regions share IAM's, so a round takes one target's time at its part of the account's IAM rate); Step Functions, the invoke and cold starts add well under a second per invocation.`,
    '',
    table(
      [
        'targets at once (`maxConcurrentTargets`)',
        'rounds',
        'run time',
        'function concurrency used',
        'basis',
      ],
      [10, 20, 50, 100, N]
        .filter((n, i, all) => all.indexOf(n) === i)
        .map((n) => {
          const rounds = Math.ceil(N / n);
          const measured = measuredAtSize && n === r.maxConcurrentTargets;
          return [
            String(n),
            String(rounds),
            minutes(measured ? run.seconds : rounds * roundSeconds),
            String(n),
            measured ? 'measured' : 'modelled',
          ];
        }),
    ),
  ].join('\n');
  const lines = organizationRunCost(r, N);
  const perRun = lines.reduce((n, l) => n + l.usd, 0);
  const costTable = [
    `One organization run of ${N} targets (the bench's drift run: one target with findings${measuredAtSize ? '' : `; its per-target figures, measured on ${r.targetCount} targets, × ${N}`}), ${LAMBDA_GB} GB arm64, US East (N. Virginia) prices before free tiers, and a month of ${RUNS_PER_MONTH} hourly runs.`,
    '',
    table(
      ['item', 'per run', 'basis', 'price', 'a month'],
      [
        ...lines.map((l) => [
          `${l.item} (${l.how})`,
          `${l.unit === 'GB' ? f2(l.quantity) : n0(l.quantity)} ${l.unit}: ${usd(l.usd)}`,
          l.basis,
          priceOf(l.item),
          usd(l.usd * RUNS_PER_MONTH),
        ]),
        [FIXED_MONTHLY_USD.what, '', 'modelled', 'as in the single-target table', usd(FIXED_MONTHLY_USD.usd)],
        [
          '**total**',
          `**${usd(perRun)}** (${usd(perRun / N)} a target)`,
          '',
          '',
          `**${usd(perRun * RUNS_PER_MONTH + FIXED_MONTHLY_USD.usd)}**`,
        ],
      ],
    ),
  ].join('\n');
  return { 'organization-run': runTable, 'organization-rounds': roundsTable, 'organization-cost': costTable };
}

function priceOf(item: string): string {
  const p =
    item === 'Lambda duration'
      ? PRICES.lambdaGbSecond
      : item === 'Lambda requests'
        ? PRICES.lambdaRequest
        : item === 'Step Functions transitions'
          ? PRICES.transition
          : item === 'S3 GET'
            ? PRICES.s3Get
            : item === 'S3 PUT and LIST'
              ? PRICES.s3PutOrList
              : PRICES.s3GbMonth;
  return `$${p.usd.toFixed(10).replace(/0+$/, '')} per ${p.per}`;
}

function scaleTable(r: BenchFigures['scale'] & object): string {
  return [
    `One target of ${r.pools} pools × ${r.clients} clients (${r.mix.domains} with a domain, ${r.mix.threatProtection} with threat protection, ${r.mix.guarded} guarded by ${r.webAcls} web ACLs; 2 IdPs, 3 groups and a resource server each), ${r.identityPools} identity pools, every surface; invocations of ${r.invocationSeconds} s; ${conditions(r)}.`,
    '',
    table(
      ['measure', 'figure', 'basis'],
      [
        [
          'run time over all invocations',
          `${minutes(r.seconds)} in ${r.invocations.length} invocation(s) (${r.invocations.map(f1).join(', ')} s)`,
          'measured',
        ],
        [
          'against its minimum',
          `×${f2(r.ratio)} of ${f1(r.minimumSeconds)} s (bound by ${r.binding})`,
          'minimum derived from the declared calls',
        ],
        [
          'finished and alerted',
          `done ${r.done}; ${r.messages.map((m) => m.kind).join(', ') || 'no message'}`,
          'measured',
        ],
        ['throttled, failed', `${r.standinThrottled} throttled, ${r.failedReads} failed`, 'measured'],
      ],
    ),
  ].join('\n');
}

/** The README's two sizing lines: the headline figures of the tables, each saying its basis. */
function readmeSummary(figures: BenchFigures): string {
  const lines: string[] = [];
  const s = figures.scale;
  if (s)
    lines.push(
      `- **One account and region** of ${n0(s.pools)} pools × ${s.clients} clients, every surface, at share ${s.share}: ${minutes(s.seconds)} a sweep over ${s.invocations.length} invocation(s), ×${f2(s.ratio)} of the quota-bound minimum (bound by ${s.binding}); measured on the bench.`,
    );
  const o = figures.organization;
  if (o) {
    const N = ORGANIZATION_TARGETS;
    const measured = o.targetCount === N;
    const seconds = measured
      ? o.drift.seconds
      : Math.ceil(N / o.maxConcurrentTargets) * (o.drift.seconds / o.rounds);
    const perRun = organizationRunCost(o, N).reduce((n, l) => n + l.usd, 0);
    lines.push(
      `- **An organization of ${N} account-regions** (${o.pools} pools × ${o.clients} clients each) at ${o.maxConcurrentTargets} at once: ${minutes(seconds)} a run (${measured ? 'measured end to end on the bench' : `modelled from a measured round of ${o.targetCount}`}), about ${usd(perRun)} a run and ${usd(perRun * RUNS_PER_MONTH + FIXED_MONTHLY_USD.usd)} a month run hourly.`,
    );
  }
  return lines.join('\n');
}

/** The tables the given figures produce. */
export function renderSizingTables(figures: BenchFigures): SizingTables {
  return {
    ...(figures.organization ? organizationTables(figures.organization) : {}),
    ...(figures.scale ? { 'scale-run': scaleTable(figures.scale) } : {}),
    ...(figures.organization || figures.scale ? { readme: readmeSummary(figures) } : {}),
  };
}

/** Thrown when the page has no markers for a table that was rendered. */
export class SizingMarkerError extends Error {
  constructor(readonly marker: string) {
    super(
      `no <!-- sizing:${marker}:begin --> … <!-- sizing:${marker}:end --> pair in the page: add the markers where the table goes`,
    );
    this.name = 'SizingMarkerError';
  }
}

/** The page with each table between its markers; the rest of the page unchanged. */
export function spliceSizingTables(page: string, tables: SizingTables): string {
  let out = page;
  for (const [name, body] of Object.entries(tables)) {
    const begin = `<!-- sizing:${name}:begin -->`;
    const end = `<!-- sizing:${name}:end -->`;
    const from = out.indexOf(begin);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new SizingMarkerError(name);
    out = `${out.slice(0, from + begin.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
