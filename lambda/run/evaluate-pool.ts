import { contentHash } from '../core/canonical.js';
import { poolStack } from '../core/deployments.js';
import { diffPool } from '../core/diff.js';
import {
  type BaselineDoc,
  FORMAT_VERSION,
  type PoolOutcome,
  type PoolState,
  type SnapshotDoc,
} from '../core/documents.js';
import type { IgnoreMatcher } from '../core/ignore.js';
import type { ListedObject, PoolReadResult, PoolRef } from '../core/ports.js';
import { countPosture, newlyRisky, type PostureFinding, postureOf } from '../core/posture.js';
import {
  type NowReadableReference,
  type ReportedReferences,
  readAgain,
  referenceKey,
  unreadableReferences,
  unrecordedReferences,
  withoutUnreadableReferences,
} from '../core/references.js';
import { type SecretPolicy, secretLifecycleChanges } from '../core/secret-hygiene.js';
import { classify, severityRules } from '../core/severity.js';
import type { Finding, PoolSnapshot } from '../core/types.js';
import { CATALOG } from '../surfaces/index.js';
import { POSTURE_CONTROLS } from '../surfaces/posture-controls.js';

/** Every severity rule: the pool's and clients', and each catalog entry's. */
const RULES = severityRules(CATALOG);

/** The surfaces that follow what pools point to: those read once per referenced resource. */
const REFERENCE_SURFACES = CATALOG.entries
  .filter((e) => e.operations.some((op) => op.calls?.per === 'reference'))
  .map((e) => e.name);

/**
 * Evaluating one pool that was read, as pure functions: which baseline it needs, what it looks
 * like with its unreadable parts carried over, the snapshot to record, the surfaces to add to its
 * baseline, its findings and its outcome. The caller does the reads and writes between the steps.
 */

export type PoolRead = Extract<PoolReadResult, { status: 'ok' }>;
export type ScannedOutcome = Extract<PoolOutcome, { status: 'scanned' }>;

/** What is known of a pool's baseline: its hash and version, and the document when it was read. */
export interface KnownBaseline {
  hash: string | null;
  etag?: string;
  doc?: BaselineDoc;
}

/** Whether parts of the read failed: their baseline entries are then carried over (doc needed). */
export function readHasGaps(read: PoolRead): boolean {
  return (
    read.unreadableClients.length > 0 ||
    (read.unreadableSurfaces ?? []).length > 0 ||
    unreadableReferences(read.pool).length > 0
  );
}

/**
 * The baseline as the state's cache knows it, when that is enough: the baseline object is the
 * version cached, and no part of the read needs the document. Undefined: read the document.
 */
export function cachedBaseline(
  read: PoolRead,
  listed: ListedObject | undefined,
  poolState: PoolState | undefined,
): KnownBaseline | undefined {
  if (!listed) return { hash: null };
  const cached = poolState?.baseline;
  if (cached?.etag !== listed.etag || readHasGaps(read)) return undefined;
  return { hash: cached.snapshotHash, etag: listed.etag };
}

/** The baseline as a read found it (a deleted one: no hash, no version). */
export function loadedBaseline(version: { doc: BaselineDoc; etag: string } | undefined): KnownBaseline {
  return version ? { hash: version.doc.snapshotHash, etag: version.etag, doc: version.doc } : { hash: null };
}

/**
 * The pool as read, with every client and surface that could not be read taken from what was last
 * known of it: a failed read is never reported as a deletion or a change. The last known state is
 * the latest snapshot when one is given (a pool with alerted drift: the drift in the unreadable part
 * is still there as far as anyone knows, so it is neither "resolved" nor alerted again, while new
 * drift in the parts that were read is alerted), else the baseline. Does not modify `read`.
 */
export function mergeRead(
  read: PoolRead,
  baseline: PoolSnapshot | null | undefined,
  lastKnown?: PoolSnapshot | null,
): { pool: PoolSnapshot; snapshotHash: string } {
  const pool: PoolSnapshot = { ...read.pool, clients: { ...read.pool.clients } };
  for (const { clientId } of read.unreadableClients) {
    const kept = lastKnown?.clients[clientId] ?? baseline?.clients[clientId];
    if (kept) pool.clients[clientId] = kept;
  }
  for (const { surface } of read.unreadableSurfaces ?? []) {
    const kept = lastKnown?.surfaces?.[surface] ?? baseline?.surfaces?.[surface];
    if (kept) pool.surfaces = { ...pool.surfaces, [surface]: kept };
  }
  // What the pool points to and this account cannot read: its last known state, as for a failed read.
  const merged = withoutUnreadableReferences(pool, lastKnown, baseline);
  return { pool: merged, snapshotHash: contentHash(merged) };
}

/**
 * Whether the latest snapshot is needed to fill the unreadable parts of a read: only for a pool
 * whose drift was alerted (elsewhere the baseline is the last state anyone approved or was told of).
 */
export function needsLastKnown(read: PoolRead, poolState: PoolState | undefined): boolean {
  return readHasGaps(read) && poolState?.drift !== undefined;
}

/** The snapshot to write, when it differs from the one recorded (or parts of the read failed). */
export function snapshotToWrite(input: {
  ref: PoolRef;
  read: PoolRead;
  pool: PoolSnapshot;
  snapshotHash: string;
  poolState: PoolState | undefined;
  runId: string;
  now: Date;
}): SnapshotDoc | undefined {
  const { read, poolState, snapshotHash } = input;
  if (poolState?.snapshotHash === snapshotHash && !readHasGaps(read)) return undefined;
  const unreadableSurfaces = read.unreadableSurfaces ?? [];
  return {
    formatVersion: FORMAT_VERSION,
    kind: 'snapshot',
    poolId: input.ref.poolId,
    capturedAt: input.now.toISOString(),
    runId: input.runId,
    hash: snapshotHash,
    unreadableClients: read.unreadableClients,
    ...(unreadableSurfaces.length > 0 ? { unreadableSurfaces } : {}),
    pool: input.pool,
  };
}

/** What {@link surfaceUpgrade} recorded into a baseline, and the hashes from before. */
export interface BaselineUpgrade {
  doc: BaselineDoc;
  /** Surfaces the baseline did not hold at all. */
  added: string[];
  /** References the baseline named but held no state of (not readable when it was recorded). */
  recorded: NowReadableReference[];
  upgradedFrom: { snapshotHash: string; baselineHash: string | null };
}

/**
 * What a baseline has nothing to compare with is recorded into it (the approval of the rest is
 * kept), so that it is never reported as drift: a surface watched since the baseline was recorded
 * (an upgrade), and a trigger, role or key the baseline names but could not read then (see
 * `unrecordedReferences`: its current state becomes its baseline, and its next change is drift).
 * Undefined when there is nothing to record.
 */
export function surfaceUpgrade(
  baseline: BaselineDoc | undefined,
  current: PoolSnapshot,
): BaselineUpgrade | undefined {
  if (!baseline?.pool) return undefined;
  const before = baseline.pool.surfaces ?? {};
  const added = Object.keys(current.surfaces ?? {})
    .filter((s) => !(s in before))
    .sort();
  const recorded = unrecordedReferences(baseline.pool, current, REFERENCE_SURFACES);
  if (added.length === 0 && recorded.length === 0) return undefined;
  const surfaces = { ...before };
  for (const surface of added) surfaces[surface] = current.surfaces?.[surface] ?? {};
  for (const { surface, resourceId } of recorded) {
    const resource = current.surfaces?.[surface]?.[resourceId];
    if (resource) surfaces[surface] = { ...surfaces[surface], [resourceId]: resource };
  }
  const pool = { ...baseline.pool, surfaces };
  return {
    doc: { ...baseline, snapshotHash: contentHash(pool), pool },
    added,
    recorded,
    // The hashes before anything was recorded into the baseline: drift alerted against them is unchanged.
    upgradedFrom: {
      snapshotHash: contentHash(withoutReferences(withoutSurfaces(current, added), recorded)),
      baselineHash: baseline.snapshotHash,
    },
  };
}

/** The pool without the given references, as a snapshot taken while they could not be read holds it. */
function withoutReferences(pool: PoolSnapshot, refs: readonly NowReadableReference[]): PoolSnapshot {
  if (refs.length === 0) return pool;
  const surfaces = { ...pool.surfaces };
  for (const { surface, resourceId } of refs) {
    const resources = { ...surfaces[surface] };
    delete resources[resourceId];
    surfaces[surface] = resources;
  }
  return { ...pool, surfaces };
}

/** The pool without the named surfaces, as a baseline recorded before they were watched holds it. */
function withoutSurfaces(pool: PoolSnapshot, names: readonly string[]): PoolSnapshot {
  const kept = Object.entries(pool.surfaces ?? {}).filter(([name]) => !names.includes(name));
  return { ...pool, surfaces: kept.length > 0 ? Object.fromEntries(kept) : undefined };
}

/** What decides a pool's findings besides its read. */
export interface EvaluationContext {
  ignore: IgnoreMatcher;
  secretPolicy?: SecretPolicy;
  now: Date;
  /** Whether a baseline was ever recorded: if not, pools are baselined, not reported as added. */
  initialized: boolean;
  /** Whether the run writes documents: only then are first baselines recorded. */
  persist: boolean;
  runId: string;
  /**
   * Which posture findings an outcome carries: `changes` (what a change, a new client or a new pool
   * made risky; on the first run, every one counted by control) or `all` (the CLI's `posture`).
   * @default 'changes'
   */
  posture?: 'changes' | 'all';
  /** The references the state remembers as not readable (`StateDoc.unreadableReferences`). */
  unreadableBefore?: ReportedReferences;
}

export interface PoolEvaluation {
  outcome: ScannedOutcome;
  /** A pool without a baseline that this run records one for (first run, or newly watched). */
  firstBaseline?: BaselineDoc;
}

/**
 * One read pool's findings and outcome. `known` is the baseline (its document whenever the hashes
 * differ); `upgrade` the surfaces just recorded into it; `newlyWatched` says the pool is of a kind
 * the deployment did not watch before (recorded as baseline, never alerted as created).
 */
export function evaluatePool(
  input: {
    ref: PoolRef;
    read: PoolRead;
    pool: PoolSnapshot;
    snapshotHash: string;
    hasBaseline: boolean;
    known: KnownBaseline;
    upgrade?: Pick<BaselineUpgrade, 'added' | 'recorded' | 'upgradedFrom'>;
    newlyWatched: boolean;
  },
  ctx: EvaluationContext,
): PoolEvaluation {
  const { ref, read, pool, snapshotHash, hasBaseline, known } = input;
  ctx.ignore.observe(pool);
  let findings: Finding[] = [];
  if (hasBaseline && known.hash !== snapshotHash) {
    findings = findingsOf(ctx, known.doc?.pool ?? null, pool);
  } else if (!hasBaseline && ctx.initialized && !input.newlyWatched) {
    findings = findingsOf(ctx, null, pool);
  }
  if (ctx.initialized && ctx.secretPolicy) {
    findings.push(
      ...classify(
        secretLifecycleChanges(pool, ctx.secretPolicy, ctx.now),
        { baseline: null, current: pool },
        RULES,
      ),
    );
  }
  const unreadableSurfaces = read.unreadableSurfaces ?? [];
  const references = unreadableReferences(read.pool);
  const recorded = new Set((input.upgrade?.recorded ?? []).map(referenceKey));
  const nowReadable = [
    ...(input.upgrade?.recorded ?? []),
    ...readAgain(read.pool, REFERENCE_SURFACES, ctx.unreadableBefore).filter(
      (r) => !recorded.has(referenceKey(r)),
    ),
  ];
  const outcome: ScannedOutcome = {
    status: 'scanned',
    poolName: pool.poolName,
    snapshotHash,
    baselineHash: known.hash,
    baselineEtag: known.etag,
    ...(known.doc?.approvedAt ? { baselineApprovedAt: known.doc.approvedAt } : {}),
    hasBaseline,
    clientCount: Object.keys(pool.clients).length,
    findings,
    unreadableClients: read.unreadableClients,
    ...(unreadableSurfaces.length > 0 ? { unreadableSurfaces } : {}),
    ...(references.length > 0 ? { unreadableReferences: references } : {}),
    ...(nowReadable.length > 0 ? { nowReadable } : {}),
    ...(input.upgrade?.added.length ? { newlyCovered: input.upgrade.added } : {}),
    ...(input.upgrade ? { upgradedFrom: input.upgrade.upgradedFrom } : {}),
    ...(findings.length > 0 ? { stack: poolStack(pool, known.doc?.pool) } : {}),
  };
  const posture = postureFindings(input, ctx);
  if (posture.length > 0 && ctx.posture !== 'all' && !ctx.initialized)
    outcome.postureCounts = countPosture(posture);
  else if (posture.length > 0) outcome.posture = posture;
  const recordsBaseline = !hasBaseline && ctx.persist && (!ctx.initialized || input.newlyWatched);
  if (!recordsBaseline) return { outcome };
  return {
    outcome,
    firstBaseline: {
      formatVersion: FORMAT_VERSION,
      kind: 'baseline',
      poolId: ref.poolId,
      approvedAt: ctx.now.toISOString(),
      approvedBy: 'cognito-drift (first run)',
      reason: input.newlyWatched
        ? 'Baseline recorded when identity pools were first watched'
        : 'Initial baseline recorded by the first detector run',
      snapshotHash,
      pool,
    },
  };
}

/**
 * The pool's posture findings its outcome carries (see {@link EvaluationContext.posture}), each
 * marked accepted when an accept rule names it. The whole posture is evaluated for every pool read,
 * so that accept rules in use are known every run (one that matches nothing is reported).
 */
function postureFindings(
  input: Pick<
    Parameters<typeof evaluatePool>[0],
    'pool' | 'snapshotHash' | 'hasBaseline' | 'known' | 'newlyWatched'
  >,
  ctx: EvaluationContext,
): PostureFinding[] {
  const current = postureOf(input.pool, POSTURE_CONTROLS, (controls, resources) =>
    ctx.ignore.acceptance(controls, resources),
  );
  if (ctx.posture === 'all' || !ctx.initialized) return current;
  // Recorded silently when its kind was first watched: not news, like the rest of it.
  if (!input.hasBaseline) return input.newlyWatched ? [] : current;
  if (input.known.hash === input.snapshotHash || !input.known.doc) return [];
  return newlyRisky(input.known.doc.pool, current, POSTURE_CONTROLS);
}

/** The classified changes between two states of a pool, less what the ignore rules hide. */
export function findingsOf(
  ctx: Pick<EvaluationContext, 'ignore'>,
  baseline: PoolSnapshot | null,
  current: PoolSnapshot | null,
): Finding[] {
  const changes = ctx.ignore.filter(diffPool(baseline, current, CATALOG), { baseline, current });
  return classify(changes, { baseline, current }, RULES);
}
