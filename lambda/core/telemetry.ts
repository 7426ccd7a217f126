import { Severity } from './types.js';

/**
 * Names shared by the function that emits metrics and the alarms that watch them: written once, so
 * a rename cannot leave an alarm watching a namespace nothing publishes to.
 */
export const METRICS_NAMESPACE = 'CognitoDrift';
/** The Powertools `service` name, also the `service` metric dimension. */
export const SERVICE_NAME = 'cognito-drift';

/**
 * Every metric the functions emit, by what it counts. The emitting code, the alarms and the
 * dashboard (`lib/dashboard.ts`) name metrics only through this table.
 */
export const METRIC = {
  /** Sweeps that finished (a targeted real-time check is not one): the missed-runs alarm. */
  runsCompleted: 'RunsCompleted',
  /** Milliseconds from the start of an invocation that finished a run to its end. */
  scanDurationMs: 'ScanDurationMs',
  poolsScanned: 'PoolsScanned',
  clientsScanned: 'ClientsScanned',
  /** Read and store problems of a run (the "scan incomplete" and "unusable documents" notices). */
  readErrors: 'ReadErrors',
  findings: 'Findings',
  /** Throttled requests, with the quota category as the `QuotaCategory` dimension. */
  throttles: 'Throttles',
  /** Real-time targeted checks run (a CloudTrail write event, debounced). */
  realtimeChecks: 'RealtimeChecks',
  /** A finding sink (EventBridge, Security Hub) that failed; the alert itself went out. */
  sinkFailures: 'SinkFailures',
} as const;

/** The dimension that carries the quota category of {@link METRIC.throttles}. */
export const QUOTA_CATEGORY_DIMENSION = 'QuotaCategory';

/** The metric counting a run's findings of one severity: `FindingsHigh`, `FindingsMedium`, `FindingsLow`. */
export function findingsMetric(severity: Severity): string {
  return `${METRIC.findings}${severity[0]}${severity.slice(1).toLowerCase()}`;
}

/** The per-severity finding metrics, most severe first. */
export const FINDINGS_BY_SEVERITY_METRICS: readonly string[] = [
  Severity.HIGH,
  Severity.MEDIUM,
  Severity.LOW,
].map(findingsMetric);
