import type { IgnoreRules } from '../core/ignore.js';
import type { SecretPolicy } from '../core/secret-hygiene.js';
import type { DeployedChanges } from '../settings-table.js';
import { type ApproveStore, approveHint, type Installation } from './approve-hint.js';
import type { DetectorOptions } from './run-session.js';

/**
 * How long and how a run may go, for every entry point (the sweep, the real-time check, the
 * organization step, the CLI): the one place these values live.
 */

/** A persisted run older than this is abandoned: longer than any run the state machine allows (50 × 15 min). */
export const MAX_RUN_AGE_MS = 24 * 3_600_000;
/** The most an invocation keeps back to finish (send, write state); a third of a shorter one. */
export const MAX_SAFETY_MARGIN_MS = 90_000;
/** Pools read at once when the reader does not say (it paces requests to the quotas anyway). */
export const DEFAULT_POOL_CONCURRENCY = 8;
/** CloudTrail delivers an event this long (at most, typically) after the call. */
const TRAIL_DELIVERY_MS = 15 * 60_000;

/** The settings a run takes from the deployment (or the CLI's flags and environment). */
export interface RunSettings {
  reminderIntervalMs: number;
  ignore: IgnoreRules;
  secretPolicy: SecretPolicy;
  /** The longest gap between sweeps: how far back attribution looks for new drift. */
  schedulePeriodMinutes: number;
  /** What to do with drift the pool's own stack deployed. */
  deployedChanges: DeployedChanges;
}

/** Where the run executes, and how its approve hints are spelled. */
export interface RunInvocation {
  /** Milliseconds left in this invocation (Lambda); omitted: no limit (the CLI). */
  remainingTimeMs?: () => number;
  /** Pools read at once: the reader's own figure. */
  poolConcurrency?: number;
  approve: { installation: Installation; store: ApproveStore; region?: string };
}

/** The options of one target's run, less its target and mode. */
export type RunPolicy = Omit<DetectorOptions, 'accountId' | 'region' | 'mode' | 'onProgress'>;

/** The run policy for these settings, in this invocation. */
export function runPolicy(settings: RunSettings, invocation: RunInvocation): RunPolicy {
  const remaining = invocation.remainingTimeMs;
  return {
    reminderIntervalMs: settings.reminderIntervalMs,
    approveCommand: approveHint(invocation.approve),
    // Time kept back to finish. A fixed 90 s would leave a function with a short timeout no time
    // to scan at all, every invocation returning done: false until the loop gives up.
    ...(remaining
      ? { remainingTimeMs: remaining, safetyMarginMs: Math.min(MAX_SAFETY_MARGIN_MS, remaining() / 3) }
      : { safetyMarginMs: 0 }),
    poolConcurrency: invocation.poolConcurrency ?? DEFAULT_POOL_CONCURRENCY,
    maxRunAgeMs: MAX_RUN_AGE_MS,
    ignore: settings.ignore,
    secretPolicy: settings.secretPolicy,
    deployedChanges: settings.deployedChanges,
    // New drift was made since the last sweep that did not see it: two periods back, plus the
    // minutes CloudTrail takes to deliver.
    attributionWindowMs: 2 * settings.schedulePeriodMinutes * 60_000 + TRAIL_DELIVERY_MS,
  };
}
