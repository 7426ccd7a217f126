import type { DriftStore } from '../adapters/drift-store.js';
import type { AlertClock } from '../core/alert-policy.js';
import type { Attributor } from '../core/attribution.js';
import type { RunDoc } from '../core/documents.js';
import type { FindingSink } from '../core/finding-sinks.js';
import type { IgnoreMatcher, IgnoreRules } from '../core/ignore.js';
import type { Logger, MetricsSink, Notifier, PoolReader } from '../core/ports.js';
import type { RunContext } from '../core/render.js';
import type { SecretPolicy } from '../core/secret-hygiene.js';
import type { DeployedChanges } from '../settings-table.js';
import { CATALOG } from '../surfaces/index.js';
import type { RunLease } from './run-lease.js';
import type { RunMode } from './run-mode.js';

/** What the detector talks to. Everything with a side effect comes in here. */
export interface DetectorDeps {
  reader: PoolReader;
  store: DriftStore;
  notifier: Notifier;
  logger: Logger;
  metrics?: MetricsSink;
  /** The clock; a parameter so that tests control time. */
  now: () => Date;
  /**
   * Who made the changes: called once per run with the pools about to be alerted. Never fails or
   * holds back the alert: a failure is "author unknown (reason)" (see `attributeSafely`).
   */
  attribute?: Attributor;
  /**
   * Where alerted drift goes besides the alert (EventBridge, Security Hub): fed from the same
   * decision, after the alert is published. A failing sink is logged, never fails the run.
   */
  sinks?: readonly FindingSink[];
}

export interface DetectorOptions {
  accountId: string;
  region: string;
  /** What the run is for (sweep, targeted check, look only) and whether its messages reach people. @default SWEEP */
  mode?: RunMode;
  /** Unchanged, unapproved drift is alerted again after this long. */
  reminderIntervalMs: number;
  approveCommand: (poolId: string) => string;
  /** Milliseconds left in this invocation (Lambda context); omit for no limit. */
  remainingTimeMs?: () => number;
  /** No new pool is started with less time than this left; a pool in progress is abandoned at half of it. */
  safetyMarginMs: number;
  /** Pools read at once. The reader paces requests to the quotas; this only keeps the pace busy. */
  poolConcurrency: number;
  /** A persisted run older than this is abandoned and a new one started. */
  maxRunAgeMs: number;
  /**
   * For a run document written before leases existed: one updated more recently than this is being
   * worked on by another invocation, and a fresh start leaves it alone.
   * @default 16 minutes (one Lambda invocation plus a margin)
   */
  activeRunGraceMs?: number;
  /**
   * How long this invocation's hold on the run lasts without a refresh (see run-lease.ts).
   * @default 5 minutes
   */
  leaseMs?: number;
  ignore?: IgnoreRules;
  /** Secret lifecycle limits (unfinished rotation, maximum age); omit to report neither. */
  secretPolicy?: SecretPolicy;
  /** Called after each pool is read, for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Invocations whose time limit may cut one pool's reads off before the pool is reported as
   * "could not be read (too large for one invocation)". @default 3
   */
  maxInterruptedAttempts?: number;
  /** Attribution looks for the events of new drift this far back. @default 2 hours */
  attributionWindowMs?: number;
  /**
   * What to do with drift the pool's own CloudFormation stack deployed (see core/deployments.ts).
   * @default 'alert'
   */
  deployedChanges?: DeployedChanges;
  /**
   * Which posture findings the pools' outcomes carry: `changes` (what a change made risky, every
   * one on the first run) or `all` (the CLI's `posture`). @default 'changes'
   */
  posture?: 'changes' | 'all';
}

/** One invocation's view of the run, shared by its steps (scanning the pools, finishing the run). */
export interface RunSession {
  deps: DetectorDeps;
  options: DetectorOptions;
  mode: RunMode;
  /** Whether the run writes documents and sends messages (not in look-only mode). */
  persist: boolean;
  ignore: IgnoreMatcher;
  /** The pools of a targeted check; undefined for a sweep. */
  targets: ReadonlySet<string> | undefined;
  /**
   * Whether a baseline was ever recorded. Not just "the state document exists": if that were lost,
   * pools without a baseline must still be reported as added, never silently baselined.
   */
  initialized: boolean;
  /** How many listed pools the ignore rules hid, when they hid every one. */
  allPoolsIgnored: number;
  /** This invocation's hold on the run document (a sweep's only). */
  lease: RunLease | undefined;
  startedMs: number;
}

export function alertClock(s: RunSession): AlertClock {
  return { now: s.deps.now(), reminderIntervalMs: s.options.reminderIntervalMs };
}

export function runContext(s: RunSession, run: Pick<RunDoc, 'runId' | 'startedAt'>): RunContext {
  return {
    accountId: s.options.accountId,
    region: s.options.region,
    runId: run.runId,
    at: run.startedAt,
    approveCommand: s.options.approveCommand,
    catalog: CATALOG,
  };
}
