/**
 * EventBridge events for alerted drift: one `Cognito Configuration Drift` event per pool in the alert,
 * one `Cognito Configuration Drift Resolved` per pool whose drift is gone. The detail schema is
 * documented in docs/alerts.md ("EventBridge events"). Pure: entries in, batches out.
 */

import { sizedBatches } from './batches.js';
import { jsonForHumans } from './escape.js';
import { poolArn, type SinkFinding, type SinkReport } from './finding-sinks.js';
import { SEVERITY_ORDER, Severity } from './types.js';

/** The `source` of every event cognito-drift puts (a rule matches on it). */
export const EVENT_SOURCE = 'cognito-drift';
export const DRIFT_DETAIL_TYPE = 'Cognito Configuration Drift';
export const RESOLVED_DETAIL_TYPE = 'Cognito Configuration Drift Resolved';
/** The detail schema's version; a change that removes or renames a field increments it. */
export const DETAIL_VERSION = '1';

/** PutEvents takes at most 10 entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;
/**
 * PutEvents: "the total entry size must be less than 256KB" per request (entry size: Source,
 * DetailType, Detail and each Resources entry in UTF-8 bytes, Time 14 bytes).
 */
export const MAX_REQUEST_ENTRY_BYTES = 256 * 1024 - 1;
/**
 * One event's entry stays far below the request limit: the delivered event adds an envelope, and
 * common targets (SQS, SNS, Lambda asynchronous invocation) take at most 256 KB themselves. Findings
 * beyond it are counted in `findingsOmitted`; the full list is in the JSON report.
 */
export const MAX_EVENT_ENTRY_BYTES = 64 * 1024;

/** A PutEvents request entry, as the SDK takes it (without EventBusName: the default bus). */
export interface DriftEventEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
}

/** The entry size as EventBridge computes it (no Time: EventBridge sets it). */
export function entrySize(entry: DriftEventEntry): number {
  return (
    Buffer.byteLength(entry.Source) +
    Buffer.byteLength(entry.DetailType) +
    Buffer.byteLength(entry.Detail) +
    entry.Resources.reduce((n, r) => n + Buffer.byteLength(r), 0)
  );
}

/**
 * The events of a run's alert: one per alerted pool drift (findings most severe first, as many as
 * fit {@link MAX_EVENT_ENTRY_BYTES}), then one per resolved pool. The detail is JSON whose control
 * characters are all escaped; it holds no secret value (the report holds none).
 */
export function driftEvents(report: SinkReport, partition: string): DriftEventEntry[] {
  const common = {
    version: DETAIL_VERSION,
    account: report.accountId,
    region: report.region,
    runId: report.runId,
    at: report.at,
  };
  const entries: DriftEventEntry[] = [];
  for (const drift of report.drifts) {
    const arn = poolArn(partition, report.region, report.accountId, drift.poolId);
    const ordered = [...drift.findings].sort(
      (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
    );
    const detail = (findings: SinkFinding[]) => ({
      ...common,
      poolId: drift.poolId,
      poolName: drift.poolName,
      poolArn: arn,
      status: drift.status,
      ...(drift.unapprovedSince ? { unapprovedSince: drift.unapprovedSince } : {}),
      highestSeverity:
        SEVERITY_ORDER.find((s) => drift.findings.some((f) => f.severity === s)) ?? Severity.LOW,
      findingCount: drift.findings.length,
      findingsOmitted: drift.findings.length - findings.length,
      findings,
      approveCommand: drift.approveCommand,
      ...(report.reportLocation ? { report: report.reportLocation } : {}),
    });
    const entry = (findings: SinkFinding[]): DriftEventEntry => ({
      Source: EVENT_SOURCE,
      DetailType: DRIFT_DETAIL_TYPE,
      Detail: jsonForHumans(detail(findings)),
      Resources: [arn],
    });
    // The most findings that fit, by bisection: a few serializations even for thousands of findings.
    const fits = (n: number) => entrySize(entry(ordered.slice(0, n))) <= MAX_EVENT_ENTRY_BYTES;
    let count = ordered.length;
    if (!fits(count)) {
      // `fitting` always fits (none at worst: the rest of the detail is bounded), `over` never does.
      let fitting = 0;
      let over = count;
      while (over - fitting > 1) {
        const mid = Math.floor((fitting + over) / 2);
        if (fits(mid)) fitting = mid;
        else over = mid;
      }
      count = fitting;
    }
    entries.push(entry(ordered.slice(0, count)));
  }
  for (const pool of report.resolved) {
    const arn = poolArn(partition, report.region, report.accountId, pool.poolId);
    entries.push({
      Source: EVENT_SOURCE,
      DetailType: RESOLVED_DETAIL_TYPE,
      Detail: jsonForHumans({ ...common, poolId: pool.poolId, poolName: pool.poolName, poolArn: arn }),
      Resources: [arn],
    });
  }
  return entries;
}

/** The entries in PutEvents calls: at most 10 per call, their sizes together under the request limit. */
export function eventBatches(entries: readonly DriftEventEntry[]): DriftEventEntry[][] {
  return sizedBatches(entries, {
    maxItems: MAX_ENTRIES_PER_CALL,
    maxBytes: MAX_REQUEST_ENTRY_BYTES,
    maxItemBytes: MAX_REQUEST_ENTRY_BYTES,
    sizeOf: entrySize,
    tooLarge: (_entry, size) => new RangeError(`an event entry of ${size} bytes exceeds PutEvents' limit`),
  });
}
