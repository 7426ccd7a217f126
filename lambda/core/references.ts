/**
 * Resources a pool points to that live outside Cognito (a Lambda trigger, an IAM role, a KMS key)
 * and that this account cannot read: a function in another account, a role the detector may not
 * read, a key that is gone. Such a reference is no drift and no failed scan: it is recorded by the
 * surface as a marker resource, kept out of every snapshot (the last known state of it is carried
 * over, as for any failed read), and reported once as "not readable from this account". When it
 * can be read again it is reported once as such; if the pool's baseline holds no state of it (it
 * was never read), its current state is recorded there: the baseline for it from then on.
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

/**
 * What the state remembers of the references reported as not readable (`StateDoc.unreadableReferences`):
 * why, when it was reported, and which pools pointed to it when last seen (absent in state written
 * before the pools were remembered: which pools is then unknown).
 */
export type ReportedReferences = Record<string, { reason: string; reportedAt: string; pools?: string[] }>;

/**
 * A reference read this run that could not be read before: one the state remembers as not readable,
 * or one the pool's baseline names but holds no state of (`recorded`: its current state was recorded
 * into that baseline, so it is compared from now on and never reported as added).
 */
export interface NowReadableReference {
  surface: string;
  resourceId: string;
  resourceName: string;
  recorded: boolean;
}

/** A reference readable again, with the pools that point to it (for the notice). */
export interface NowReadableNotice {
  surface: string;
  resourceId: string;
  resourceName: string;
  /** `name (id)` of each pool that references it. */
  pools: string[];
  /** Of those, the pools whose baseline had no state of it: its current state is now their baseline. */
  recordedIn: string[];
}

/** Every string a value holds, at any depth. */
function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) yield* stringsOf(item);
}

/**
 * The references `current` read that `baseline` names but holds no state of: a trigger, role or key
 * the pool already pointed to when the baseline was recorded (its settings, a client or another
 * surface names it) and that could not be read then. Such a reference is no drift: it was there all
 * along. A reference the baseline does not name is a new one (the setting naming it changed too) and
 * stays a finding. `referenceSurfaces`: the surfaces that follow references; a surface the baseline
 * does not hold at all is left to the surface upgrade.
 */
export function unrecordedReferences(
  baseline: PoolSnapshot,
  current: PoolSnapshot,
  referenceSurfaces: readonly string[],
): NowReadableReference[] {
  const recorded = baseline.surfaces ?? {};
  // What the baseline names outside the followed references themselves: a function's own role or
  // key does not make that role or key one the pool pointed to.
  const named = new Set(
    stringsOf([
      baseline.config,
      baseline.clients,
      Object.entries(recorded)
        .filter(([surface]) => !referenceSurfaces.includes(surface))
        .map(([, resources]) => resources),
    ]),
  );
  const out: NowReadableReference[] = [];
  for (const surface of referenceSurfaces) {
    const before = recorded[surface];
    if (!before) continue;
    for (const [resourceId, resource] of Object.entries(current.surfaces?.[surface] ?? {}))
      if (!(resourceId in before) && !isMarker(resource.config) && named.has(resourceId))
        out.push({ surface, resourceId, resourceName: resource.name, recorded: true });
  }
  return out.sort((a, b) => referenceKey(a).localeCompare(referenceKey(b)));
}

/**
 * The references `pool` read this run (in `referenceSurfaces`) whose key `remembered` holds: read
 * again after being reported as not readable. Their state is compared with the baseline as usual.
 */
export function readAgain(
  pool: PoolSnapshot,
  referenceSurfaces: readonly string[],
  remembered: Readonly<Record<string, unknown>> | undefined,
): NowReadableReference[] {
  if (!remembered) return [];
  const out: NowReadableReference[] = [];
  for (const surface of referenceSurfaces)
    for (const [resourceId, resource] of Object.entries(pool.surfaces?.[surface] ?? {}))
      if (!isMarker(resource.config) && referenceKey({ surface, resourceId }) in remembered)
        out.push({ surface, resourceId, resourceName: resource.name, recorded: false });
  return out;
}

/** One pool's part in the references of a run: what it could not read, and what it read again. */
export interface PoolReferences {
  poolId: string;
  poolName: string;
  unreadable: readonly UnreadableReference[];
  nowReadable: readonly NowReadableReference[];
}

/**
 * What a run says about references and what the state remembers next:
 * - a reference not readable is reported once (again when its reason changes);
 * - one read this run is forgotten (so it is reported again if it stops being readable) and, when it
 *   was remembered or recorded into a baseline, reported once as readable again;
 * - one that no pool points to any more is forgotten: each remembered pool that this run read (or
 *   found gone) without it is struck off, and the reference with no pool left. `judged` says whether
 *   this run read a pool's references of a surface; a pool read in part keeps what it had.
 * State written before the pools were remembered names none: a sweep rebuilds them from what it
 * read (and from the pools it could not judge); a targeted check, which sees only a few pools,
 * keeps such a reference as it is until it is read.
 */
export function concludeReferences(input: {
  pools: readonly PoolReferences[];
  reported: ReportedReferences | undefined;
  judged: (poolId: string, surface: string) => boolean;
  /** Pools of this run whose references of a surface were not read (none judged), by surface. */
  unjudged: (surface: string) => string[];
  targeted: boolean;
  at: Date;
}): { notices: NotReadableNotice[]; nowReadable: NowReadableNotice[]; reported: ReportedReferences } {
  const label = (p: PoolReferences) => `${p.poolName} (${p.poolId})`;
  const unreadable = new Map<string, { ref: UnreadableReference; pools: PoolReferences[] }>();
  const readable = new Map<
    string,
    { ref: NowReadableReference; pools: PoolReferences[]; recordedIn: string[] }
  >();
  for (const pool of input.pools) {
    for (const ref of pool.unreadable) {
      const entry = unreadable.get(referenceKey(ref)) ?? { ref, pools: [] };
      entry.pools.push(pool);
      unreadable.set(referenceKey(ref), entry);
    }
    for (const ref of pool.nowReadable) {
      const entry = readable.get(referenceKey(ref)) ?? { ref, pools: [], recordedIn: [] };
      entry.pools.push(pool);
      if (ref.recorded) entry.recordedIn.push(label(pool));
      readable.set(referenceKey(ref), entry);
    }
  }
  const reported = input.reported ?? {};
  const next: ReportedReferences = {};
  const notices: NotReadableNotice[] = [];
  for (const key of [...new Set([...Object.keys(reported), ...unreadable.keys()])].sort()) {
    const before = reported[key];
    const now = unreadable.get(key);
    // Read this run: readable, whatever was remembered of it.
    if (!now && readable.has(key)) continue;
    const surface = key.slice(0, key.indexOf('/'));
    const seen = (now?.pools ?? []).map((p) => p.poolId);
    let pools: string[] | undefined;
    if (before && !before.pools) {
      if (input.targeted) pools = undefined;
      else pools = [...seen, ...input.unjudged(surface)];
    } else {
      pools = [...(before?.pools ?? []).filter((p) => !input.judged(p, surface)), ...seen];
    }
    if (pools?.length === 0) continue;
    const notify = now !== undefined && before?.reason !== now.ref.reason;
    if (notify) notices.push({ ...now.ref, pools: now.pools.map(label).sort() });
    next[key] = {
      reason: notify ? now.ref.reason : (before?.reason ?? ''),
      reportedAt: notify ? input.at.toISOString() : (before?.reportedAt ?? input.at.toISOString()),
      ...(pools ? { pools: [...new Set(pools)].sort() } : {}),
    };
  }
  const nowReadable = [...readable]
    // Read again, unless another pool could not read it in this run (an invocation of a long run
    // may have read it before it was denied); a state recorded into a baseline is always told.
    .filter(([key, r]) => r.recordedIn.length > 0 || (key in reported && !unreadable.has(key)))
    .map(([, r]) => ({
      surface: r.ref.surface,
      resourceId: r.ref.resourceId,
      resourceName: r.ref.resourceName,
      pools: r.pools.map(label).sort(),
      recordedIn: r.recordedIn.sort(),
    }));
  return { notices, nowReadable, reported: next };
}

/**
 * The remembered references after a targeted check and a sweep finished at once: what `mine` knows
 * of the pools it read (`touched`), what `current` knows of the others.
 */
export function mergeReportedReferences(
  mine: ReportedReferences | undefined,
  current: ReportedReferences | undefined,
  touched: ReadonlySet<string>,
): ReportedReferences | undefined {
  if (!mine && !current) return undefined;
  const out: ReportedReferences = {};
  for (const key of new Set([...Object.keys(mine ?? {}), ...Object.keys(current ?? {})])) {
    const m = mine?.[key];
    const c = current?.[key];
    const latest = !m || (c && c.reportedAt > m.reportedAt) ? (c as NonNullable<typeof c>) : m;
    // Remembered before the pools were: kept as it is (a sweep rebuilds it).
    if ((m && !m.pools) || (c && !c.pools)) {
      out[key] = { reason: latest.reason, reportedAt: latest.reportedAt };
      continue;
    }
    const pools = [
      ...(m?.pools ?? []).filter((p) => touched.has(p)),
      ...(c?.pools ?? []).filter((p) => !touched.has(p)),
    ];
    if (pools.length > 0)
      out[key] = { reason: latest.reason, reportedAt: latest.reportedAt, pools: [...new Set(pools)].sort() };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
