import { FORMAT_VERSION, type PoolOutcome, type RunDoc, type SnapshotDoc } from '../core/documents.js';
import type { IgnoreMatcher } from '../core/ignore.js';
import type { PoolRef } from '../core/ports.js';
import type { PoolSnapshot } from '../core/types.js';
import { leaseStatus, mayTakeUp } from './run-lease.js';
import type { RunMode } from './run-mode.js';

/**
 * Planning a run, as pure functions of what was read: whether an invocation resumes the persisted
 * run, skips (another execution holds it), or starts a new one, and the run documents it starts with.
 */

/** What an invocation of a sweep does with the run document it found. */
export type StartPlan =
  | { action: 'resume'; run: RunDoc }
  | { action: 'skip'; runId: string; reason: string }
  /** List the pools and start a new run; `abandoned`: the stale run given up for it. */
  | { action: 'start'; abandoned?: { runId: string; ageMs: number } };

export interface StartInput {
  /** The persisted run (times clamped), if any. */
  existing: RunDoc | undefined;
  /** The run this invocation was asked to continue (the state machine's loop). */
  continuing: string | undefined;
  now: Date;
  /** A persisted run older than this is abandoned and a new one started. */
  maxRunAgeMs: number;
  /** For a run document without a lease: how long after its last update it counts as worked on. */
  activeRunGraceMs: number;
}

/** Resume, skip or start: see {@link StartPlan}. */
export function planStart(input: StartInput): StartPlan {
  const { existing, continuing, now } = input;
  if (continuing !== undefined && (existing?.runId !== continuing || existing.status !== 'scanning')) {
    return {
      action: 'skip',
      runId: continuing,
      reason: `run ${continuing} was finished or taken up by another execution`,
    };
  }
  if (existing?.status !== 'scanning') return { action: 'start' };
  const ageMs = now.getTime() - Date.parse(existing.startedAt);
  const young = ageMs <= input.maxRunAgeMs;
  const lease = leaseStatus(existing, now, input.activeRunGraceMs);
  if (!mayTakeUp(lease, continuing !== undefined) && (continuing !== undefined || young)) {
    return {
      action: 'skip',
      runId: existing.runId,
      reason: `run ${existing.runId} is in progress in another execution`,
    };
  }
  if (young) return { action: 'resume', run: existing };
  return { action: 'start', abandoned: { runId: existing.runId, ageMs } };
}

/** A run id from its start time: sortable, and safe in an S3 key. */
export function runIdAt(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

export interface NewRunInput {
  at: Date;
  /** The pools the ignore rules leave, in any order. */
  pools: readonly PoolRef[];
  /** Whether any baseline or state exists: if not, this run records the baselines. */
  initialized: boolean;
  unlisted?: RunDoc['unlisted'];
  watching: readonly string[];
}

/** The document of a sweep that starts now. */
export function newRun(input: NewRunInput): RunDoc {
  const at = input.at.toISOString();
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'run',
    runId: runIdAt(input.at),
    startedAt: at,
    updatedAt: at,
    status: 'scanning',
    pools: [...input.pools].sort((a, b) => a.poolId.localeCompare(b.poolId)),
    outcomes: {},
    invocations: 0,
    ...(input.initialized ? {} : { firstRun: true }),
    ...(input.unlisted ? { unlisted: input.unlisted } : {}),
    watching: [...input.watching],
  };
}

/** The pools a targeted check reads: its targets the ignore rules leave (by id), in order. */
export function targetedPools(
  mode: Extract<RunMode, { kind: 'targeted' }>,
  ignore: IgnoreMatcher,
): PoolRef[] {
  return [...new Set(mode.pools)]
    .filter((poolId) => !ignore.ignoresPool(poolId, ''))
    .sort()
    .map((poolId) => ({ poolId, poolName: '' }));
}

/**
 * The clients of a pool a targeted check takes as read: those of its latest snapshot that no event
 * named and that were read then. Undefined when the whole pool is read again.
 */
export function carriedClients(
  changed: readonly string[] | undefined,
  latest: SnapshotDoc | undefined,
): { clients: PoolSnapshot['clients'][string][] } | undefined {
  if (!changed || !latest?.pool) return undefined;
  const skip = new Set([...changed, ...latest.unreadableClients.map((c) => c.clientId)]);
  return { clients: Object.values(latest.pool.clients).filter((c) => !skip.has(c.clientId)) };
}

/** A targeted check's run: only its pools, held in memory (a sweep's run document is left alone). */
export function targetedRun(
  mode: Extract<RunMode, { kind: 'targeted' }>,
  at: Date,
  pools: readonly PoolRef[],
  partials: RunDoc['partials'],
): RunDoc {
  const iso = at.toISOString();
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'run',
    runId: mode.runId,
    startedAt: iso,
    updatedAt: iso,
    status: 'scanning',
    pools: [...pools],
    outcomes: {},
    invocations: 0,
    ...(partials && Object.keys(partials).length > 0 ? { partials } : {}),
  };
}

/** The document of a run that ended before it began: ListUserPools failed. */
export function failedListingRun(at: Date): RunDoc {
  const iso = at.toISOString();
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'run',
    runId: runIdAt(at),
    startedAt: iso,
    updatedAt: iso,
    status: 'complete',
    pools: [],
    outcomes: {},
    invocations: 1,
  };
}

/**
 * How many invocations in a row may cut one pool's reads off at the time limit, with no client read
 * in between, before the run gives up on
 * it: a pool too large for one invocation must not hold back every other pool's alerts forever.
 */
export const MAX_INTERRUPTED_ATTEMPTS = 3;

/**
 * The outcome of a pool whose reads were cut off by the time limit in `attempts` invocations, once
 * that reaches `max`: could not be read (never a deletion); undefined while it may be tried again.
 */
export function tooLargeOutcome(ref: PoolRef, attempts: number, max: number): PoolOutcome | undefined {
  if (attempts < max) return undefined;
  return {
    status: 'unreadable',
    poolName: ref.poolName,
    reason: `could not be read (too large for one invocation): its reads were cut off by the time limit in ${attempts} invocations`,
  };
}
