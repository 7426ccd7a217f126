import { hasPendingMarks, type PendingAlertMarks } from '../core/alert-marks.js';
import type { Attributor } from '../core/attribution.js';
import { canonicalJson } from '../core/canonical.js';
import type { AlertMessage, DocumentStore, Logger, MetricsSink, PoolReader } from '../core/ports.js';
import { DEFAULT_POOL_CONCURRENCY, type RunPolicy } from '../run/run-policy.js';
import { scanOne, targetStore } from '../run/scan-service.js';
import type { TargetReport } from './aggregate.js';
import type { ChildInput, ChildOutput } from './contract.js';
import { AssumeRoleError } from './credentials.js';
import { type ScanTarget, targetName } from './target.js';

/** The documents of one organization run, for the Map (items) and the aggregate step. */
export const organizationRunKeys = (orgRunId: string) => ({
  /** The Map's items: a JSON array of child inputs (a Distributed Map's ItemReader reads it). */
  items: `runs/organization/${orgRunId}/items.json`,
  /** The listing's unreachable accounts and regions. */
  listing: `runs/organization/${orgRunId}/listing.json`,
  /** A target's outcome, written when its scan is done. */
  outcome: (target: ScanTarget) => `runs/organization/${orgRunId}/${target.accountId}/${target.region}.json`,
});

/**
 * How one target's scan in one organization run ended and what it had to say, as the aggregate step
 * reads it: `report`, the structured report the digest is rendered from. `messages`: rendered
 * messages, in outcome documents of an earlier release only (read as they are).
 */
export interface TargetOutcome {
  target: ScanTarget;
  status: 'scanned' | 'unreachable' | 'not-offered';
  reason?: string;
  report?: TargetReport;
  messages?: AlertMessage[];
  /** The alert marks of these messages: the aggregate step sets them once the digest is published. */
  alertMarks?: PendingAlertMarks;
}

export interface ScanTargetDeps {
  /** The shared store (bucket root): the target's documents are placed under its account and region. */
  documents: DocumentStore;
  /**
   * A reader for the target, signing with its credentials, with its own pacer (Cognito's quotas are
   * per account and region). Rejects with AssumeRoleError when the role cannot be assumed.
   */
  reader: (target: ScanTarget) => Promise<PoolReader & { poolConcurrency?: number }>;
  /** Who made the target's changes: CloudTrail of that account and region (optional). */
  attributor?: (target: ScanTarget) => Attributor;
  logger: Logger;
  metrics?: MetricsSink;
  now: () => Date;
}

/** The run policy of every target's scan; each target's reader says how many pools it reads at once. */
export type ScanTargetOptions = Omit<RunPolicy, 'poolConcurrency'>;

/**
 * The child of the organization Map: scans one (account, region) with the detector of a
 * single-target deployment, on that target's documents, and keeps its messages for the one
 * organization digest. A target that cannot be reached (role not assumable, region not enabled)
 * compares nothing and marks nothing removed: it is reported as unreachable.
 */
export async function scanTarget(
  input: ChildInput,
  deps: ScanTargetDeps,
  options: ScanTargetOptions,
): Promise<ChildOutput> {
  const { target, orgRunId, accountTargets } = input;
  const base = {
    phase: 'scan' as const,
    orgRunId,
    target,
    ...(accountTargets === undefined ? {} : { accountTargets }),
    findings: 0,
  };
  let reader: PoolReader & { poolConcurrency?: number };
  try {
    reader = await deps.reader(target);
  } catch (error) {
    if (error instanceof AssumeRoleError) {
      deps.logger.warn('Target unreachable: cannot assume its role', {
        target: targetName(target),
        code: error.code,
      });
      const reason = `cannot assume role in ${target.accountId}`;
      await writeOutcome(deps, orgRunId, { target, status: 'unreachable', reason });
      return { ...base, done: true, status: 'unreachable', reason };
    }
    throw error;
  }
  const result = await scanOne(
    {
      reader,
      store: targetStore(deps.documents, target),
      // Nothing goes out from here: the organization digest is rendered from this target's report.
      notifier: { publish: async () => undefined },
      ...(deps.attributor ? { attribute: deps.attributor(target) } : {}),
      logger: deps.logger,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      now: deps.now,
    },
    {
      target,
      policy: { ...options, poolConcurrency: reader.poolConcurrency ?? DEFAULT_POOL_CONCURRENCY },
      // The messages go out in the organization digest, after every target: the marks are set
      // by the aggregate step once it was published, never here.
      mode: { kind: 'sweep', alerts: 'pending', ...(input.runId ? { runId: input.runId } : {}) },
    },
  );
  if (!result.done) return { ...base, runId: result.runId, done: false, status: 'in-progress' };

  const listing = result.listingFailure?.kind;
  if (listing === 'refused' || listing === 'not-offered') {
    // The listing failed because the target refuses us: one line of the organization's notice
    // instead of this target's own "scan incomplete" message.
    deps.logger.warn('Target unreachable', { target: targetName(target), reason: listing });
    const reason =
      listing === 'not-offered'
        ? `Cognito is not offered in ${target.region}`
        : `region ${target.region} is not enabled in account ${target.accountId}`;
    const status = listing === 'not-offered' ? 'not-offered' : 'unreachable';
    await writeOutcome(deps, orgRunId, { target, status, reason });
    return { ...base, runId: result.runId, done: true, status, reason };
  }
  const findings = result.pools.reduce((n, p) => n + p.findings.length, 0);
  const marks = result.alertMarks && hasPendingMarks(result.alertMarks) ? result.alertMarks : undefined;
  await writeOutcome(deps, orgRunId, {
    target,
    status: 'scanned',
    report: {
      runId: result.runId,
      at: result.startedAt ?? deps.now().toISOString(),
      ...(result.reportLocation ? { reportLocation: result.reportLocation } : {}),
      alerts: result.alerts,
    },
    ...(marks ? { alertMarks: marks } : {}),
  });
  return { ...base, runId: result.runId, done: true, status: 'scanned', findings };
}

/** The target is done: what the aggregate step reads. Written last, so its presence means done. */
async function writeOutcome(deps: ScanTargetDeps, orgRunId: string, outcome: TargetOutcome): Promise<void> {
  await deps.documents.put(organizationRunKeys(orgRunId).outcome(outcome.target), canonicalJson(outcome, 2), {
    unconditional: true,
  });
}
