import { type Attribution, type Attributor, matchFindings, type TrailEvent } from '../core/attribution.js';
import { writeEventTable } from '../core/write-events.js';
import type { ScanTarget } from '../org/target.js';
import type { RunResult } from '../run/detector.js';
import type { RunPolicy } from '../run/run-policy.js';
import { type ScanDeps, scanOne } from '../run/scan-service.js';
import { CATALOG } from '../surfaces/index.js';
import { type CloudTrailApiEvent, parseApiEvent } from './api-event.js';
import { PendingCheckQueue } from './pending-checks.js';

/** The watched write events: the one table, from the catalog. */
const WRITE_EVENTS = writeEventTable(CATALOG);

export interface RealtimeDeps extends Omit<ScanDeps, 'attribute'> {
  /** Waits the debounce window; injected so tests and the benchmark need not wait. */
  sleep: (ms: number) => Promise<void>;
  /**
   * Called by the invocation that checks, after it took the batch and before it reads: a member
   * account's role is assumed here, so the invocations that only join a batch never call STS.
   */
  prepare?: () => Promise<void>;
}

/** The run policy, and the target the events are about (the deployment's own account and region). */
export interface RealtimeOptions extends RunPolicy, ScanTarget {
  /** Events within this window of the first are checked together, once. */
  debounceMs: number;
}

export interface RealtimeOutcome {
  /** Always true: a real-time check finishes in its invocation (the sweep covers what it cannot). */
  done: true;
  runId: string;
  /** What this invocation did: joined an open batch, checked one, or ignored the event. */
  action: 'joined' | 'checked' | 'ignored' | 'taken-by-another';
  result?: RunResult;
  identityPools?: string[];
}

/** Margin after the window before an open batch counts as abandoned by its owner. */
const OWNER_GRACE_MS = 15 * 60_000;

/**
 * The real-time path for one EventBridge event: queue its pools; the invocation that opened the
 * batch waits the window, takes every pool queued meanwhile, and runs one targeted check of them,
 * with the events themselves as the authors (no LookupEvents call).
 */
export async function handleApiEvent(
  input: CloudTrailApiEvent,
  deps: RealtimeDeps,
  options: RealtimeOptions,
): Promise<RealtimeOutcome> {
  const { logger } = deps;
  const parsed = parseApiEvent(input);
  if (!parsed || (parsed.userPoolIds.length === 0 && parsed.identityPoolIds.length === 0)) {
    logger.info('Event is not a watched write naming a pool; ignored', {});
    return { done: true, runId: 'ignored', action: 'ignored' };
  }
  const queue = new PendingCheckQueue(deps.store.documents, options.debounceMs + OWNER_GRACE_MS);
  // Identity pools are checked like user pools (the detector reads either by id), with their events.
  const { owner, batchId } = await queue.enqueue(
    deps.now(),
    parsed.event,
    [...parsed.userPoolIds, ...parsed.identityPoolIds],
    [],
  );
  if (!owner) {
    logger.info('Event joined an open real-time batch', { batchId, eventName: parsed.event.eventName });
    return { done: true, runId: batchId, action: 'joined' };
  }
  await deps.sleep(options.debounceMs);
  const batch = await queue.take(batchId, deps.now());
  if (!batch) return { done: true, runId: batchId, action: 'taken-by-another' };
  const targetPools = Object.keys(batch.pools).sort();
  if (targetPools.length === 0)
    return { done: true, runId: batchId, action: 'checked', identityPools: batch.identityPools };
  await deps.prepare?.();
  const { debounceMs: _debounce, accountId, region, ...policy } = options;
  const result = await scanOne(
    { ...deps, attribute: attributeFromEvents(batch.pools) },
    {
      target: { accountId, region },
      policy,
      mode: {
        kind: 'targeted',
        alerts: 'delivered',
        pools: targetPools,
        runId: batchId,
        // Only the clients the events named are read again; the pool itself always is.
        changedClients: Object.fromEntries(
          targetPools.map((poolId) => [
            poolId,
            [
              ...new Set(
                (batch.pools[poolId] ?? []).flatMap((e) =>
                  e.resources.clientId ? [e.resources.clientId] : [],
                ),
              ),
            ],
          ]),
        ),
      },
    },
  );
  logger.info('Real-time check finished', {
    runId: batchId,
    pools: targetPools.length,
    findings: result.pools.reduce((n, p) => n + p.findings.length, 0),
    messagesSent: result.messages.length,
  });
  return { done: true, runId: batchId, action: 'checked', result, identityPools: batch.identityPools };
}

/**
 * Attribution from the events of the batch: they name their authors, so nothing is looked up. A
 * change none of them made is marked for the next sweep, which looks it up in CloudTrail and sends
 * its author (see core/author-follow-up.ts).
 */
export function attributeFromEvents(byPool: Record<string, TrailEvent[]>): Attributor {
  return async (requests) =>
    new Map(
      requests.map((request) => [
        request.poolId,
        matchFindings(
          request.findings,
          byPool[request.poolId] ?? [],
          'not made by the calls that started this check; the next sweep looks it up in CloudTrail',
          WRITE_EVENTS,
        ).map(
          (attribution): Attribution =>
            attribution.kind === 'unknown' ? { ...attribution, followUp: true } : attribution,
        ),
      ]),
    );
}
