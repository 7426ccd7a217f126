import type { PendingAlertMarks } from '../core/alert-marks.js';
import { type Attribution, reportAttribution } from '../core/attribution.js';
import { FORMAT_VERSION, type PoolOutcome, type RunDoc } from '../core/documents.js';
import type { AlertMessage } from '../core/ports.js';
import type { PostureFinding } from '../core/posture.js';
import type { RunContext } from '../core/render.js';
import { NO_ALERTS, type RunAlerts } from '../core/run-alerts.js';
import type { ReadProblem } from '../core/run-notices.js';
import type { Finding } from '../core/types.js';
import type { ApprovedDeployment } from './deployed-changes.js';
import type { ListingFailure } from './listing-failure.js';

/** What one pool looks like after a run: for the CLI, the report and the tests. */
export interface PoolResult {
  poolId: string;
  poolName: string;
  outcome: PoolOutcome['status'];
  findings: Finding[];
  /** Its posture findings as the run's mode asked for them (absent when none). */
  posture?: PostureFinding[];
}

/**
 * The structured report of one run of one target: data only. The messages, the JSON report, the
 * CLI's output and the organization digest are rendered from it.
 */
export interface RunResult {
  runId: string;
  /** When the run started (ISO-8601); absent when the invocation did nothing. */
  startedAt?: string;
  /** Where the full JSON report of this run was stored, when it was. */
  reportLocation?: string;
  /** False when the time ran out: invoke again with the same run to continue. */
  done: boolean;
  firstRun: boolean;
  pools: PoolResult[];
  /** What the run decided to say (drift with authors, resolved pools, notices), as data. */
  alerts: RunAlerts;
  /** `alerts` rendered for this target: what was published (or would have been). */
  messages: AlertMessage[];
  readProblems: ReadProblem[];
  storeProblems: ReadProblem[];
  unmatchedIgnoreRules: string[];
  /** ListUserPools failed: nothing was compared, and why (`refused` / `not-offered`: out of reach). */
  listingFailure?: ListingFailure;
  /** Why this invocation did nothing (another invocation is working on the run), if it did nothing. */
  skipped?: string;
  poolsScanned: number;
  clientsScanned: number;
  notCovered: number;
  /** Who made the alerted changes, per pool, one per finding (when an attributor was given). */
  attributions?: Record<string, Attribution[]>;
  /** With `deployedChanges` = approve: the pools whose deployed drift was recorded as baseline. */
  approvedDeployments?: ApprovedDeployment[];
  /**
   * With alerts pending delivery: the alert marks the state would hold had the messages been
   * delivered. Whoever delivers them later (the organization's aggregate step) applies these.
   */
  alertMarks?: PendingAlertMarks;
}

/** The result of an invocation that found nothing to do. */
export function skippedResult(runId: string, reason: string): RunResult {
  return {
    runId,
    done: true,
    firstRun: false,
    pools: [],
    alerts: NO_ALERTS,
    messages: [],
    readProblems: [],
    storeProblems: [],
    unmatchedIgnoreRules: [],
    skipped: reason,
    poolsScanned: 0,
    clientsScanned: 0,
    notCovered: 0,
  };
}

/** The pools of a run and what was counted, from its outcomes. */
export function resultOf(
  run: RunDoc,
  extra: Pick<RunResult, 'done' | 'firstRun' | 'notCovered' | 'unmatchedIgnoreRules'> &
    Partial<Pick<RunResult, 'readProblems' | 'storeProblems' | 'alerts' | 'messages'>>,
): RunResult {
  const pools: PoolResult[] = Object.entries(run.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([poolId, outcome]) => ({
      poolId,
      poolName: outcome.poolName,
      outcome: outcome.status,
      findings: outcome.status === 'scanned' ? (outcome.findings as Finding[]) : [],
      ...(outcome.status === 'scanned' && outcome.posture ? { posture: outcome.posture } : {}),
    }));
  const scanned = Object.values(run.outcomes).filter(
    (o) => o.status === 'scanned' && o.snapshotHash !== 'removed',
  );
  return {
    runId: run.runId,
    startedAt: run.startedAt,
    pools,
    alerts: NO_ALERTS,
    messages: [],
    readProblems: [],
    storeProblems: [],
    poolsScanned: scanned.length,
    clientsScanned: scanned.reduce((n, o) => n + (o.status === 'scanned' ? o.clientCount : 0), 0),
    ...extra,
  };
}

/** The full JSON report stored in S3: every finding and problem of the run. Holds no secret value. */
export function reportDocument(result: RunResult, ctx: RunContext) {
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'report',
    runId: result.runId,
    accountId: ctx.accountId,
    region: ctx.region,
    at: ctx.at,
    poolsScanned: result.poolsScanned,
    clientsScanned: result.clientsScanned,
    pools: result.pools.filter((p) => p.findings.length > 0 || p.posture || p.outcome !== 'scanned'),
    readProblems: result.readProblems,
    storeProblems: result.storeProblems,
    unmatchedIgnoreRules: result.unmatchedIgnoreRules,
    ...(result.approvedDeployments ? { approvedDeployments: result.approvedDeployments } : {}),
    ...(result.attributions
      ? {
          attributions: Object.fromEntries(
            Object.entries(result.attributions).map(([poolId, list]) => [
              poolId,
              list.map(reportAttribution),
            ]),
          ),
        }
      : {}),
  };
}
