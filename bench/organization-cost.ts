/**
 * What one organization run costs, from the organization bench's measured figures (the targets'
 * run times, invocations and S3 requests) and the prices below: the one place these prices live
 * (`docs/sizing-and-cost.md`'s organization tables are generated from them by
 * `scripts/sizing-tables.ts`). US East (N. Virginia), before free tiers.
 */
import { DISTRIBUTED_MAP_THRESHOLD } from '../lib/organization-scan.js';
import type { OrganizationBenchResult } from './organization.js';

/** A price, and where it was read. */
export interface Price {
  usd: number;
  per: string;
  source: string;
}

export const PRICES = {
  lambdaGbSecond: {
    usd: 0.0000133334,
    per: 'GB-s (Arm)',
    source: 'cloudchipr.com, "AWS Lambda Pricing", US East (N. Virginia), read 2026-12-02',
  },
  lambdaRequest: { usd: 0.2 / 1e6, per: 'request', source: 'same page: $0.20 per million' },
  transition: {
    usd: 0.025 / 1000,
    per: 'state transition (Standard)',
    source: 'aws.amazon.com/step-functions/pricing, as quoted on stackoom.com: $0.025 per 1,000',
  },
  s3Get: { usd: 0.0004 / 1000, per: 'GET', source: 'cloudkaramchari.com: $0.0004 per 1,000' },
  s3PutOrList: {
    usd: 0.005 / 1000,
    per: 'PUT or LIST',
    source: 'cloudkaramchari.com: $0.005 per 1,000, LIST billed with PUT',
  },
  s3GbMonth: { usd: 0.023, per: 'GB-month (Standard)', source: 'deepeshsoni.com: $0.023 per GB' },
} as const satisfies Record<string, Price>;

/** The function's memory as deployed (`lambdaMemoryMb`'s default). */
export const LAMBDA_GB = 0.5;
/** An hourly schedule: runs a month. */
export const RUNS_PER_MONTH = 720;

/** One line of the cost of a run: its quantity, whether it is measured or modelled, its price. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  basis: 'measured' | 'modelled';
  how: string;
  usd: number;
}

/**
 * Step Functions transitions of one target, counted from the definition (`lib/organization-scan.ts`):
 * `ScanTarget`, `TargetScanned`, `TargetDone`, one more for the child workflow execution a Distributed
 * Map starts, and `ScanAgain`, `ScanTarget`, `TargetScanned` for each further invocation.
 */
function transitionsOfTarget(distributed: boolean, invocations: number): number {
  return 3 + (distributed ? 1 : 0) + 3 * (invocations - 1);
}
/** `ListTargets`, `ScanTargets`, `Aggregate`, `OrganizationRunComplete`. */
const TRANSITIONS_PER_RUN = 4;

/**
 * The cost of the bench's drift run (nothing new in all but one target), line by line; for
 * `targets` other than the bench's, its per-target figures × `targets` (the Map of 40 targets or
 * more is a Distributed Map).
 */
export function organizationRunCost(
  r: OrganizationBenchResult,
  targets = r.drift.targets.length,
): CostLine[] {
  const run = r.drift;
  const per = targets / Math.max(1, run.targets.length);
  const targetSeconds = per * run.targets.reduce((n, t) => n + t.seconds, 0);
  const invocations = per * run.targets.reduce((n, t) => n + t.invocations, 0);
  const distributed = targets >= DISTRIBUTED_MAP_THRESHOLD;
  const transitions =
    per * run.targets.reduce((n, t) => n + transitionsOfTarget(distributed, t.invocations), 0) +
    TRANSITIONS_PER_RUN;
  const gets = run.s3PerTarget.get * targets + run.s3Organization.get;
  const putsAndLists =
    (run.s3PerTarget.put + run.s3PerTarget.list) * targets + run.s3Organization.put + run.s3Organization.list;
  const gbSeconds = LAMBDA_GB * (targetSeconds + run.listSeconds + run.aggregateSeconds);
  const putGb = (run.s3PerTarget.putBytes * targets) / 1e9;
  return [
    {
      item: 'Lambda duration',
      quantity: gbSeconds,
      unit: 'GB-s',
      basis: 'measured',
      how: `${LAMBDA_GB} GB × the targets' measured times (${targetSeconds.toFixed(0)} s in all) and the list and aggregate steps'`,
      usd: gbSeconds * PRICES.lambdaGbSecond.usd,
    },
    {
      item: 'Lambda requests',
      quantity: invocations + 2,
      unit: 'invocations',
      basis: 'measured',
      how: 'invocations of the targets, and the list and aggregate steps',
      usd: (invocations + 2) * PRICES.lambdaRequest.usd,
    },
    {
      item: 'Step Functions transitions',
      quantity: transitions,
      unit: 'transitions',
      basis: 'modelled',
      how: `from the definition: ${transitionsOfTarget(distributed, 1)} a target with ${distributed ? 'a Distributed' : 'an inline'} Map, +3 per further invocation, ${TRANSITIONS_PER_RUN} a run`,
      usd: transitions * PRICES.transition.usd,
    },
    {
      item: 'S3 GET',
      quantity: gets,
      unit: 'requests',
      basis: 'measured',
      how: 'what the S3 store sends for the bench store’s calls',
      usd: gets * PRICES.s3Get.usd,
    },
    {
      item: 'S3 PUT and LIST',
      quantity: putsAndLists,
      unit: 'requests',
      basis: 'measured',
      how: 'as above, one LIST per page of 1,000',
      usd: putsAndLists * PRICES.s3PutOrList.usd,
    },
    {
      item: 'S3 storage of the versions written',
      quantity: putGb,
      unit: 'GB',
      basis: 'modelled',
      how: 'the bytes the run’s PUTs wrote, for each month they are kept as noncurrent versions (365 days by default)',
      usd: putGb * PRICES.s3GbMonth.usd,
    },
  ];
}
