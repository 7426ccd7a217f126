/**
 * Resources a pool points to that live outside Cognito (a Lambda trigger, an IAM role, a KMS key)
 * and that this account cannot read: a function in another account, a role the detector may not
 * read, a key that is gone. Such a reference is no drift and no failed scan: it is recorded by the
 * surface as a marker resource, kept out of every snapshot (the last known state of it is carried
 * over, as for any failed read), and reported once as "not readable from this account".
 */
import type { JsonObject, PoolSnapshot, ResourceSnapshot } from './types.js';

/** The one field of a marker resource: why the reference could not be read (an AWS error name). */
export const NOT_READABLE = 'notReadableFromThisAccount';

/**
 * The error names that mean "this account cannot see it", as Lambda, IAM and KMS answer them; any
 * other failure (throttling, a 500) fails the surface's read as usual.
 */
const NOT_READABLE_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'ResourceNotFoundException',
  'NoSuchEntity',
  'NoSuchEntityException',
  'NotFoundException',
]);

/** A reference of one pool that could not be read, and why. */
export interface UnreadableReference {
  surface: string;
  /** The reference as the pool names it (a function, role or key ARN). */
  resourceId: string;
  resourceName: string;
  reason: string;
}

/** The marker a surface records for a reference it cannot read. */
export function notReadable(name: string, reason: string): ResourceSnapshot {
  return { name, config: { [NOT_READABLE]: reason } };
}

/**
 * The error name when `error` (or the operation error wrapping it) means the reference cannot be
 * read from this account; undefined for any other failure.
 */
export function notReadableReason(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const name = (cause as { name?: string } | undefined)?.name;
  return name && NOT_READABLE_ERRORS.has(name) ? name : undefined;
}

function isMarker(config: JsonObject): boolean {
  return typeof config[NOT_READABLE] === 'string';
}

/** The references of a read pool that could not be read, in a stable order. */
export function unreadableReferences(pool: PoolSnapshot): UnreadableReference[] {
  const out: UnreadableReference[] = [];
  for (const [surface, resources] of Object.entries(pool.surfaces ?? {}))
    for (const [resourceId, resource] of Object.entries(resources))
      if (isMarker(resource.config))
        out.push({
          surface,
          resourceId,
          resourceName: resource.name,
          reason: String(resource.config[NOT_READABLE]),
        });
  return out.sort((a, b) => `${a.surface}/${a.resourceId}`.localeCompare(`${b.surface}/${b.resourceId}`));
}

/**
 * `pool` with each unreadable reference replaced by what was last known of it (`known`, else the
 * baseline), or left out when nothing was: an unreadable reference is never reported as changed or
 * removed. Works on a copy.
 */
export function withoutUnreadableReferences(
  pool: PoolSnapshot,
  ...known: (PoolSnapshot | null | undefined)[]
): PoolSnapshot {
  const unreadable = unreadableReferences(pool);
  if (unreadable.length === 0) return pool;
  const surfaces = { ...pool.surfaces };
  for (const { surface, resourceId } of unreadable) {
    const resources = { ...surfaces[surface] };
    delete resources[resourceId];
    const kept = known.map((k) => k?.surfaces?.[surface]?.[resourceId]).find((r) => r !== undefined);
    if (kept && !isMarker(kept.config)) resources[resourceId] = kept;
    surfaces[surface] = resources;
  }
  return { ...pool, surfaces };
}

/** The key under which the state remembers that a reference was reported. */
export function referenceKey(ref: Pick<UnreadableReference, 'surface' | 'resourceId'>): string {
  return `${ref.surface}/${ref.resourceId}`;
}

/** A reference not readable from this account, with every pool that points to it (for the notice). */
export interface NotReadableNotice {
  surface: string;
  resourceId: string;
  resourceName: string;
  reason: string;
  /** `name (id)` of each pool that references it. */
  pools: string[];
}

/** What the state remembers of the references already reported (`StateDoc.unreadableReferences`). */
export type ReportedReferences = Record<string, { reason: string; reportedAt: string }>;

/**
 * The references this run found unreadable that were not reported before (or were reported for
 * another reason), grouped with the pools that reference them, and what the state remembers next.
 * A reference stays remembered once reported: a targeted check sees only a few pools, so absence
 * from one run says nothing.
 */
export function referencesToReport(
  outcomes: Iterable<{
    poolId: string;
    poolName: string;
    references: readonly UnreadableReference[];
  }>,
  reported: ReportedReferences | undefined,
  at: Date,
): { notices: NotReadableNotice[]; reported: ReportedReferences } {
  const next: ReportedReferences = { ...reported };
  const byKey = new Map<string, NotReadableNotice>();
  for (const { poolId, poolName, references } of outcomes) {
    for (const ref of references) {
      const key = referenceKey(ref);
      if (reported?.[key]?.reason === ref.reason) continue;
      const notice = byKey.get(key) ?? { ...ref, pools: [] };
      notice.pools.push(`${poolName} (${poolId})`);
      byKey.set(key, notice);
    }
  }
  for (const [key, notice] of byKey) next[key] = { reason: notice.reason, reportedAt: at.toISOString() };
  const notices = [...byKey.values()].map((n) => ({ ...n, pools: [...n.pools].sort() }));
  return { notices: notices.sort((a, b) => referenceKey(a).localeCompare(referenceKey(b))), reported: next };
}
