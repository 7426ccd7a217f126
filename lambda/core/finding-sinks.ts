/**
 * What the finding sinks (EventBridge events, Security Hub findings) receive from a run: the alerted
 * drift and the resolved pools, reduced to a small data shape with every secret value already masked
 * and every name escaped. Sinks are fed only where the alert is published, from the same decision,
 * so one alerted drift is one event and one set of findings.
 *
 * Pure, except {@link publishFindingSinks}, which calls the sinks and never throws.
 */

import { type Attribution, formatAttribution } from './attribution.js';
import { contentHash } from './canonical.js';
import type { SurfaceCatalog } from './catalog.js';
import { formatOrigin } from './deployments.js';
import { escapeControl } from './escape.js';
import { SECRET_DIGEST_PREFIX } from './normalize.js';
import { isIdentityPoolId } from './pool-ids.js';
import type { Logger, MetricsSink } from './ports.js';
import { describeChange, type PoolDrift, type RunContext } from './render.js';
import { METRIC } from './telemetry.js';
import type { ChangeKind, ChangeOrigin, Finding, Json, Severity } from './types.js';

/** Who made a change, as the sinks show it. Only the named CloudTrail fields, escaped. */
export interface SinkAuthor {
  /** `by <principal> (<EventName>, <time>, ...)` or `author unknown (<reason>)`, as in the email. */
  line: string;
  principalArn?: string;
  eventName?: string;
  eventTime?: string;
  sourceIp?: string;
}

/** One alerted finding. Holds no secret value: digests read `(secret)`. */
export interface SinkFinding {
  /** Stable for the same change of the same thing in the same pool (not for its values). */
  id: string;
  severity: Severity;
  rule: string;
  kind: ChangeKind;
  /** The change in one line, as the email words it (escaped, values bounded). */
  summary: string;
  path?: string;
  clientId?: string;
  clientName?: string;
  surface?: string;
  resourceId?: string;
  resourceName?: string;
  before?: Json;
  after?: Json;
  added?: Json[];
  removed?: Json[];
  author?: SinkAuthor;
  /** Whether a deployment made it (core/deployments.ts), once its author is known: a rule can route `outside-stack`. */
  origin?: { kind: ChangeOrigin['kind']; stack?: string; label: string };
}

/** One pool's alerted drift. */
export interface SinkPoolDrift {
  poolId: string;
  poolName: string;
  status: PoolDrift['status'];
  unapprovedSince?: string;
  approveCommand: string;
  findings: SinkFinding[];
}

/** What a run gives the sinks. */
export interface SinkReport {
  accountId: string;
  region: string;
  runId: string;
  /** When the run started (ISO-8601). */
  at: string;
  /** Where the full JSON report is, when it was stored. */
  reportLocation?: string;
  drifts: SinkPoolDrift[];
  /** Pools whose alerted drift is gone: reverted, approved, or the pool deleted. */
  resolved: { poolId: string; poolName: string }[];
}

/** A place findings go besides the alert topic. Adapters implement it; {@link publishFindingSinks} calls it. */
export interface FindingSink {
  /** For logs and the failure metric: `eventbridge`, `securityhub`. */
  readonly name: string;
  publish(report: SinkReport): Promise<void>;
}

/** The sink report of an alert decision: the drifts as alerted (with their authors) and the resolved pools. */
export function toSinkReport(
  ctx: RunContext,
  drifts: readonly PoolDrift[],
  resolved: readonly { poolId: string; poolName: string }[],
): SinkReport {
  return {
    accountId: ctx.accountId,
    region: ctx.region,
    runId: ctx.runId,
    at: ctx.at,
    ...(ctx.reportLocation ? { reportLocation: ctx.reportLocation } : {}),
    drifts: drifts.map((drift) => ({
      poolId: drift.poolId,
      poolName: escapeControl(drift.poolName),
      status: drift.status,
      ...(drift.unapprovedSince ? { unapprovedSince: drift.unapprovedSince } : {}),
      approveCommand: escapeControl(ctx.approveCommand(drift.poolId)),
      findings: drift.findings.map((finding, i) =>
        toSinkFinding(finding, drift.attributions?.[i], ctx.catalog),
      ),
    })),
    resolved: resolved.map((r) => ({ poolId: r.poolId, poolName: escapeControl(r.poolName) })),
  };
}

/** What makes two findings the same finding: what changed and where, not the values. */
export function findingIdentity(finding: Finding): string {
  const f = finding as Finding & { path?: string; secretId?: string; problem?: string };
  return contentHash([
    f.kind,
    f.clientId ?? null,
    f.surface ?? null,
    f.resourceId ?? null,
    f.path ?? null,
    f.secretId ?? null,
    f.problem ?? null,
  ]).slice(0, 32);
}

function toSinkFinding(
  finding: Finding,
  attribution: Attribution | undefined,
  catalog: SurfaceCatalog,
): SinkFinding {
  const scope = {
    ...(finding.clientId !== undefined ? { clientId: escapeControl(finding.clientId) } : {}),
    ...(finding.clientName !== undefined ? { clientName: escapeControl(finding.clientName) } : {}),
    ...(finding.surface !== undefined ? { surface: finding.surface } : {}),
    ...(finding.resourceId !== undefined ? { resourceId: escapeControl(finding.resourceId) } : {}),
    ...(finding.resourceName !== undefined ? { resourceName: escapeControl(finding.resourceName) } : {}),
  };
  const values =
    finding.kind === 'field-changed'
      ? {
          path: finding.path,
          ...(finding.before !== undefined ? { before: masked(finding.before) } : {}),
          ...(finding.after !== undefined ? { after: masked(finding.after) } : {}),
        }
      : finding.kind === 'list-changed'
        ? { path: finding.path, added: finding.added.map(masked), removed: finding.removed.map(masked) }
        : {};
  return {
    id: findingIdentity(finding),
    severity: finding.severity,
    rule: finding.rule,
    kind: finding.kind,
    summary: describeChange(finding, catalog),
    ...scope,
    ...values,
    ...(attribution ? { author: authorOf(attribution) } : {}),
    ...(finding.origin ? { origin: originOf(finding.origin) } : {}),
  };
}

function originOf(origin: ChangeOrigin): NonNullable<SinkFinding['origin']> {
  return {
    kind: origin.kind,
    ...('stack' in origin ? { stack: escapeControl(origin.stack) } : {}),
    label: formatOrigin(origin),
  };
}

function authorOf(attribution: Attribution): SinkAuthor {
  const line = formatAttribution(attribution);
  if (attribution.kind === 'unknown') return { line };
  const e = attribution.event;
  return {
    line,
    principalArn: escapeControl(e.principalArn),
    eventName: escapeControl(e.eventName),
    eventTime: escapeControl(e.eventTime),
    ...(e.sourceIp ? { sourceIp: escapeControl(e.sourceIp) } : {}),
  };
}

/** A copy in which every secret digest, however deep, reads `(secret)`: not even a digest leaves. */
export function masked(value: Json): Json {
  if (typeof value === 'string' && value.startsWith(SECRET_DIGEST_PREFIX)) return '(secret)';
  if (Array.isArray(value)) return value.map(masked);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  return value;
}

/** The ARN of a user pool, or of an identity pool (its id has a colon). */
export function poolArn(partition: string, region: string, accountId: string, poolId: string): string {
  return isIdentityPoolId(poolId)
    ? `arn:${partition}:cognito-identity:${region}:${accountId}:identitypool/${poolId}`
    : `arn:${partition}:cognito-idp:${region}:${accountId}:userpool/${poolId}`;
}

/**
 * Hands the report to every sink, one after the other. A sink that fails is logged and counted
 * ({@link METRIC.sinkFailures}); it never fails the run: the alert already went out, and failing
 * now would send it again.
 */
export async function publishFindingSinks(
  report: SinkReport,
  sinks: readonly FindingSink[],
  deps: { logger: Logger; metrics?: MetricsSink },
): Promise<void> {
  if (report.drifts.length === 0 && report.resolved.length === 0) return;
  for (const sink of sinks) {
    try {
      await sink.publish(report);
    } catch (error) {
      deps.logger.warn('A finding sink failed; the alert itself was sent', {
        sink: sink.name,
        reason: escapeControl(error instanceof Error ? error.message : String(error)),
      });
      deps.metrics?.count(METRIC.sinkFailures, 1);
    }
  }
}
