import type { DriftStore, Versioned } from '../lambda/adapters/drift-store.js';
import { contentHash } from '../lambda/core/canonical.js';
import { diffPool } from '../lambda/core/diff.js';
import { type BaselineDoc, FORMAT_VERSION, keys, type SnapshotDoc } from '../lambda/core/documents.js';
import { classify, severityRules } from '../lambda/core/severity.js';
import type { Finding, PoolSnapshot } from '../lambda/core/types.js';
import { MalformedDocumentError, UsageError } from '../lambda/errors.js';
import { CATALOG } from '../lambda/surfaces/index.js';

/** What approving one pool would change, shown to the operator before anything is written. */
export interface ApprovalPlan {
  poolId: string;
  poolName: string;
  snapshot: Versioned<SnapshotDoc>;
  baseline: Versioned<BaselineDoc> | undefined;
  /** The pool state that becomes the baseline. */
  approved: PoolSnapshot | null;
  findings: Finding[];
  /** Why the snapshot is not the one the last alert described (refused unless forced), if it is not. */
  stale?: string;
  /** Clients whose entries were carried over from the baseline because they could not be read. */
  unreadableClients: string[];
  /**
   * The stored baseline is unusable (edited by hand, or damaged): why, and where it is. Approving
   * replaces it with the recorded state, compared with nothing, as for a new pool.
   */
  replaces?: { where: string; reason: string; etag: string | undefined };
}

export interface PlanRequest {
  poolIds: readonly string[];
  /** Every pool with pending drift. */
  all?: boolean;
  /** Approve only these clients' changes (one pool only); the pool's own settings stay pending. */
  clientIds?: readonly string[];
}

/**
 * Works out what approving would accept for each pool: the latest snapshot the detector recorded
 * (the state the alert described) compared with the current baseline. Writes nothing.
 * Unknown pools and pools without pending drift are errors, collected and reported together.
 */
export async function planApprovals(store: DriftStore, request: PlanRequest): Promise<ApprovalPlan[]> {
  const poolIds = new Set(request.poolIds);
  if (request.all) {
    const prefix = keys.snapshot('').slice(0, -'.json'.length);
    for (const object of await store.documents.list(prefix)) {
      if (object.key.endsWith('.json')) poolIds.add(object.key.slice(prefix.length, -'.json'.length));
    }
  }
  // With --all and nothing recorded there is simply nothing pending: an empty plan, not an error.
  if (poolIds.size === 0 && request.all) return [];
  if (poolIds.size === 0) throw new UsageError('Name at least one pool with --pool <poolId>, or pass --all.');
  if (request.clientIds?.length && poolIds.size !== 1) {
    throw new UsageError('--client approves clients of one pool: name exactly one --pool with it.');
  }
  const state = (await store.getState())?.doc;
  const plans: ApprovalPlan[] = [];
  const problems: string[] = [];
  for (const poolId of [...poolIds].sort()) {
    const snapshot = await store.getSnapshot(poolId);
    if (!snapshot) {
      problems.push(noSnapshotProblem(poolId, store.location));
      continue;
    }
    let baseline: Versioned<BaselineDoc> | undefined;
    let replaces: ApprovalPlan['replaces'];
    try {
      baseline = await store.getBaseline(poolId);
    } catch (error) {
      // The one way out of an edited baseline: the detector cannot compare against it, and only an
      // approval writes baselines. The recorded state comes from Cognito, not from the edited file.
      if (!(error instanceof MalformedDocumentError)) throw error;
      // A baseline from a newer release is not damaged: this build must not write an older one over it.
      if (await fromNewerRelease(store, error.key)) throw error;
      replaces = { where: store.locate(error.key), reason: error.reason, etag: error.etag };
    }
    const approved = keepUnwatchedSurfaces(
      baseline?.doc.pool ?? null,
      request.clientIds?.length
        ? approveClients(poolId, baseline?.doc.pool ?? null, snapshot.doc.pool, request.clientIds, problems)
        : snapshot.doc.pool,
    );
    const findings = classify(
      diffPool(baseline?.doc.pool ?? null, approved, CATALOG),
      { baseline: baseline?.doc.pool ?? null, current: approved },
      severityRules(CATALOG),
    );
    if (findings.length === 0) {
      // `diff` compares a fresh read and records nothing, so it can show drift that is not recorded
      // yet: say what to run, never just that nothing is pending.
      if (!request.all)
        problems.push(
          `${poolId}: the last recorded state is already the baseline. If \`diff\` shows drift, record it first with \`cognito-drift check\` (or wait for the next detector run), then approve.`,
        );
      continue;
    }
    // What the last alert described, or what a `check` without a topic last showed.
    const drift = state?.pools[poolId]?.drift;
    const shown = state?.pools[poolId]?.shown;
    const seen = [
      ...(drift ? [{ hash: drift.snapshotHash, at: drift.lastAlertedAt }] : []),
      ...(shown ? [{ hash: shown.snapshotHash, at: shown.shownAt }] : []),
    ];
    const latest = seen
      .map((s) => s.at)
      .sort()
      .at(-1);
    const stale = replaces
      ? undefined
      : seen.length === 0
        ? 'no alert was sent for this state yet (the detector run that recorded it may still be in progress)'
        : seen.some((s) => s.hash === snapshot.doc.hash)
          ? undefined
          : `the pool changed again after the alert of ${latest}; the diff below is newer than what was alerted`;
    plans.push({
      poolId,
      poolName: snapshot.doc.pool?.poolName ?? baseline?.doc.pool?.poolName ?? poolId,
      snapshot,
      baseline,
      approved,
      findings,
      stale,
      unreadableClients: snapshot.doc.unreadableClients.map((c) => c.clientId),
      ...(replaces ? { replaces } : {}),
    });
  }
  if (problems.length > 0) throw new UsageError(`Nothing was approved:\n  ${problems.join('\n  ')}`);
  return plans;
}

/** Whether a stored document declares a format version newer than this build writes. */
async function fromNewerRelease(store: DriftStore, key: string): Promise<boolean> {
  const object = await store.documents.get(key);
  try {
    const version = (JSON.parse(object?.body ?? 'null') as { formatVersion?: unknown } | null)?.formatVersion;
    return typeof version === 'number' && version > FORMAT_VERSION;
  } catch {
    return false;
  }
}

/** Why a pool cannot be approved when nothing was recorded for it. */
export function noSnapshotProblem(poolId: string, location: string): string {
  return `${poolId}: no snapshot recorded in ${location} for this pool. Check the pool id and region, or run \`cognito-drift check\` first (\`diff\` records nothing; \`check\` and the detector record what they read).`;
}

/** Approves one plan: writes the new baseline only if the baseline is still the one planned against. */
export async function applyApproval(
  store: DriftStore,
  plan: ApprovalPlan,
  approval: { approvedBy: string; reason: string; at: Date },
): Promise<void> {
  const doc: BaselineDoc = {
    formatVersion: FORMAT_VERSION,
    kind: 'baseline',
    poolId: plan.poolId,
    approvedAt: approval.at.toISOString(),
    approvedBy: approval.approvedBy,
    reason: approval.reason,
    snapshotHash: plan.approved ? contentHash(plan.approved) : null,
    pool: plan.approved,
  };
  await store.putBaseline(doc, plan.baseline?.etag ?? plan.replaces?.etag ?? null);
}

function approveClients(
  poolId: string,
  baseline: PoolSnapshot | null,
  current: PoolSnapshot | null,
  clientIds: readonly string[],
  problems: string[],
): PoolSnapshot | null {
  if (!baseline || !current) {
    problems.push(
      `${poolId}: --client needs a pool that exists in both the baseline and the recorded state.`,
    );
    return current;
  }
  const approved = structuredClone(baseline);
  for (const clientId of clientIds) {
    const now = current.clients[clientId];
    if (now) approved.clients[clientId] = now;
    else if (baseline.clients[clientId]) delete approved.clients[clientId];
    else problems.push(`${poolId}: no client ${clientId} in the baseline or the recorded state.`);
  }
  approved.clients = Object.fromEntries(
    Object.entries(approved.clients).sort(([a], [b]) => a.localeCompare(b)),
  );
  return approved;
}

/**
 * A surface the snapshot lacks was not watched when it was taken (turned off): approving keeps its
 * baseline rather than dropping it, so turning the surface on again compares it, not re-records it.
 */
function keepUnwatchedSurfaces(
  baseline: PoolSnapshot | null,
  approved: PoolSnapshot | null,
): PoolSnapshot | null {
  if (!baseline?.surfaces || !approved) return approved;
  const missing = Object.keys(baseline.surfaces).filter((s) => !(s in (approved.surfaces ?? {})));
  if (missing.length === 0) return approved;
  const surfaces = { ...approved.surfaces };
  for (const surface of missing) surfaces[surface] = baseline.surfaces[surface] ?? {};
  return {
    ...approved,
    surfaces: Object.fromEntries(Object.entries(surfaces).sort(([a], [b]) => a.localeCompare(b))),
  };
}
