import { contentHash } from '../core/canonical.js';
import {
  deploymentApproval,
  deploymentOf,
  highestOf,
  labelDrift,
  splitDeployed,
} from '../core/deployments.js';
import { type BaselineDoc, FORMAT_VERSION, type RunDoc, type StateDoc } from '../core/documents.js';
import type { PoolDrift } from '../core/render.js';
import type { ResolvedPool } from '../core/run-alerts.js';
import type { PoolSnapshot } from '../core/types.js';
import { describeError } from '../errors.js';
import type { RunSession } from './run-session.js';

/**
 * Drift after attribution: each change labelled by its origin (deployed by the pool's stack, made
 * outside it, outside any stack), and what `deployedChanges` does with drift the pool's own stack
 * deployed. With `approve`, the pool's current state is recorded as its baseline by the same
 * conditional write an approval makes (on the baseline version the findings were computed from): a
 * baseline changed meanwhile, a partial read, or any other failure leaves the drift to be alerted.
 */

/** A pool whose deployed drift was recorded as its baseline. */
export interface ApprovedDeployment {
  poolId: string;
  poolName: string;
  stack: string;
  /** The CloudTrail event the baseline names (the deployment's latest call). */
  eventId: string;
  changes: number;
  /** What the baseline's `approvedBy` says. */
  approvedBy: string;
}

export interface SettledDrift {
  /** Drift to alert, labelled. */
  drifts: PoolDrift[];
  /** `notify`: the deployed drift for the short LOW notice. */
  deployed: PoolDrift[];
  /** `approve`: the pools whose baseline was recorded. */
  approved: ApprovedDeployment[];
  /** Pools whose earlier alerted drift the recorded baseline resolves. */
  resolved: ResolvedPool[];
  /** The state as the labels and the recorded baselines leave it. */
  state: (state: StateDoc) => StateDoc;
}

/**
 * Labels the attributed drift and applies `deployedChanges`. Also updates `run.outcomes`: labelled
 * findings for the report, and no findings for a pool whose baseline was recorded.
 *
 * @param before the state as it was before this run (an earlier alert of the same pool's drift)
 */
export async function settleDeployedChanges(
  s: RunSession,
  run: RunDoc,
  drifts: readonly PoolDrift[],
  before: StateDoc | undefined,
): Promise<SettledDrift> {
  const labelled = drifts.map((drift) => {
    const outcome = run.outcomes[drift.poolId];
    const stack = outcome?.status === 'scanned' ? outcome.stack : undefined;
    const next = labelDrift(drift, stack);
    if (next !== drift && outcome?.status === 'scanned') outcome.findings = next.findings;
    return next;
  });
  const setting = s.options.deployedChanges ?? 'alert';
  const split = splitDeployed(labelled, setting);
  const settled: SettledDrift = {
    drifts: split.alerted,
    deployed: [],
    approved: [],
    resolved: [],
    state: (x) => x,
  };
  const recorded = new Map<string, { etag: string; snapshotHash: string | null }>();
  if (setting === 'notify') settled.deployed = split.deployed;
  else if (setting === 'approve' && s.persist) {
    for (const drift of split.deployed) {
      const approved = await recordDeployment(s, run, drift);
      if (!approved) {
        settled.drifts.push(drift);
        continue;
      }
      settled.approved.push(approved.deployment);
      recorded.set(drift.poolId, approved.baseline);
      if (before?.pools[drift.poolId]?.drift)
        settled.resolved.push({ poolId: drift.poolId, poolName: drift.poolName });
    }
    settled.drifts.sort((a, b) => a.poolId.localeCompare(b.poolId));
  } else settled.drifts = labelled;
  settled.state = (state) => stateAfter(state, labelled, recorded);
  return settled;
}

/**
 * The state with each labelled pool's alert mark at its labelled severity, and for each pool whose
 * baseline was recorded: no alert mark, and the new baseline version cached.
 */
export function stateAfter(
  state: StateDoc,
  labelled: readonly PoolDrift[],
  recorded: ReadonlyMap<string, { etag: string; snapshotHash: string | null }>,
): StateDoc {
  const next = structuredClone(state);
  for (const drift of labelled) {
    const pool = next.pools[drift.poolId];
    if (!pool) continue;
    const baseline = recorded.get(drift.poolId);
    if (baseline) {
      delete pool.drift;
      pool.baseline = baseline;
    } else if (pool.drift) pool.drift.highest = highestOf(drift);
  }
  return next;
}

/**
 * Records the pool's current state (its snapshot, as this run compared it) as its baseline,
 * approved by the deployment; undefined, with the reason logged, when it cannot be done safely.
 */
async function recordDeployment(
  s: RunSession,
  run: RunDoc,
  drift: PoolDrift,
): Promise<
  { deployment: ApprovedDeployment; baseline: { etag: string; snapshotHash: string | null } } | undefined
> {
  const { store, logger, now } = s.deps;
  const deployment = deploymentOf(drift);
  const outcome = run.outcomes[drift.poolId];
  const skip = (reason: string) => {
    logger.warn('Deployed drift not recorded as baseline: alerted instead', { poolId: drift.poolId, reason });
    return undefined;
  };
  if (!deployment || outcome?.status !== 'scanned') return skip('not deployed by its own stack');
  // What was not read is the last known state, whose drift no CloudTrail event was matched to.
  if (outcome.unreadableClients.length > 0 || (outcome.unreadableSurfaces ?? []).length > 0)
    return skip('part of the pool could not be read');
  if (outcome.hasBaseline && outcome.baselineEtag === undefined)
    return skip('the baseline version is not known');
  let pool: PoolSnapshot | null = null;
  if (outcome.snapshotHash !== 'removed') {
    const snapshot = await store.getSnapshot(drift.poolId).catch(() => undefined);
    const recordedPool = snapshot?.doc.pool;
    // The snapshot must be the state this run compared: a later one holds changes nobody attributed.
    if (!recordedPool || contentHash(recordedPool) !== outcome.snapshotHash)
      return skip('the recorded snapshot is not the state this run compared');
    pool = recordedPool;
  }
  const approval = deploymentApproval(deployment, drift.findings.length);
  const doc: BaselineDoc = {
    formatVersion: FORMAT_VERSION,
    kind: 'baseline',
    poolId: drift.poolId,
    approvedAt: now().toISOString(),
    ...approval,
    snapshotHash: pool ? contentHash(pool) : null,
    pool,
  };
  let etag: string;
  try {
    etag = await store.putBaseline(doc, outcome.hasBaseline ? (outcome.baselineEtag ?? null) : null);
  } catch (error) {
    // A conflict: the baseline changed since this run read it (an approval), so the drift is not this one.
    return skip(`the baseline write failed: ${describeError(error)}`);
  }
  logger.info('Deployed drift recorded as baseline', {
    poolId: drift.poolId,
    stack: deployment.stack,
    eventId: deployment.eventId,
  });
  Object.assign(outcome, { findings: [], baselineHash: doc.snapshotHash, baselineEtag: etag });
  return {
    deployment: {
      poolId: drift.poolId,
      poolName: drift.poolName,
      stack: deployment.stack,
      eventId: deployment.eventId,
      changes: drift.findings.length,
      approvedBy: approval.approvedBy,
    },
    baseline: { etag, snapshotHash: doc.snapshotHash },
  };
}
