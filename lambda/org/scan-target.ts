import { DriftStore } from '../adapters/drift-store.js';
import { hasPendingMarks, type PendingAlertMarks } from '../core/alert-marks.js';
import type { Attributor } from '../core/attribution.js';
import { canonicalJson } from '../core/canonical.js';
import type { AlertMessage, DocumentStore, Logger, MetricsSink, PoolReader } from '../core/ports.js';
import { type DetectorOptions, runDetection } from '../run/detector.js';
import type { ChildInput, ChildOutput } from './contract.js';
import { AssumeRoleError } from './credentials.js';
import { type ScanTarget, targetName } from './target.js';
import { TargetDocumentStore } from './target-document-store.js';

/** Where a target's messages of an organization run wait for the aggregate step. */
export function messagesKey(orgRunId: string, target: ScanTarget): string {
  return `runs/organization/${orgRunId}/${target.accountId}/${target.region}.json`;
}

/** The messages one target produced in one organization run, as the aggregate step reads them. */
export interface TargetMessages {
  target: ScanTarget;
  messages: AlertMessage[];
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

export type ScanTargetOptions = Omit<DetectorOptions, 'accountId' | 'region' | 'runId' | 'poolConcurrency'>;

/** Errors that mean "this target cannot be reached at all", by name: nothing there is compared. */
const UNREACHABLE = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'AuthFailure',
  'OptInRequired',
]);

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
  const { target, orgRunId } = input;
  const base = { phase: 'scan' as const, orgRunId, target, findings: 0 };
  let reader: PoolReader & { poolConcurrency?: number };
  try {
    reader = await deps.reader(target);
  } catch (error) {
    if (error instanceof AssumeRoleError) {
      deps.logger.warn('Target unreachable: cannot assume its role', {
        target: targetName(target),
        code: error.code,
      });
      return {
        ...base,
        done: true,
        status: 'unreachable',
        reason: `cannot assume role in ${target.accountId}`,
      };
    }
    throw error;
  }
  const sent: AlertMessage[] = [];
  const result = await runDetection(
    {
      reader,
      store: new DriftStore(new TargetDocumentStore(deps.documents, target)),
      notifier: { publish: async (message) => void sent.push(message) },
      ...(deps.attributor ? { attribute: deps.attributor(target) } : {}),
      logger: deps.logger,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      now: deps.now,
    },
    {
      ...options,
      accountId: target.accountId,
      region: target.region,
      poolConcurrency: reader.poolConcurrency ?? 8,
      ...(input.runId ? { runId: input.runId } : {}),
      // The messages go out in the organization digest, after every target: the marks are set
      // by the aggregate step once it was published, never here.
      alertsDelivered: false,
    },
  );
  if (!result.done) return { ...base, runId: result.runId, done: false, status: 'in-progress' };

  const listing = result.pools.length === 0 ? unreachableListing(result.readProblems) : undefined;
  if (listing) {
    // The listing failed because the target refuses us: one line of the organization's notice
    // instead of this target's own "scan incomplete" message.
    deps.logger.warn('Target unreachable', { target: targetName(target), reason: listing });
    const reason =
      listing === 'not-offered'
        ? `Cognito is not offered in ${target.region}`
        : `region ${target.region} is not enabled in account ${target.accountId}`;
    return {
      ...base,
      runId: result.runId,
      done: true,
      status: listing === 'not-offered' ? 'not-offered' : 'unreachable',
      reason,
    };
  }
  const findings = result.pools.reduce((n, p) => n + p.findings.length, 0);
  const out: ChildOutput = { ...base, runId: result.runId, done: true, status: 'scanned', findings };
  const marks = result.alertMarks && hasPendingMarks(result.alertMarks) ? result.alertMarks : undefined;
  if (sent.length > 0 || marks) {
    const key = messagesKey(orgRunId, target);
    const document: TargetMessages = { target, messages: sent, ...(marks ? { alertMarks: marks } : {}) };
    await deps.documents.put(key, canonicalJson(document, 2), { unconditional: true });
    out.messagesKey = key;
  }
  return out;
}

/**
 * Whether a failed ListUserPools means the target is out of reach: the token is refused (an opt-in
 * region not enabled) or the endpoint does not exist (Cognito not offered in that region).
 */
function unreachableListing(
  problems: readonly { what: string; reason: string }[],
): 'refused' | 'not-offered' | undefined {
  const listing = problems.find((p) => p.what.startsWith('ListUserPools'));
  if (!listing) return undefined;
  if (/ENOTFOUND|EAI_AGAIN/.test(listing.reason)) return 'not-offered';
  for (const name of UNREACHABLE) if (listing.reason.includes(name)) return 'refused';
  return undefined;
}
