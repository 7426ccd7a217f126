/**
 * Posture: known-risky settings, each named by the public control it matches (Security Hub's
 * Cognito.1-6, Prowler's Cognito checks). A baseline that records a dangerous configuration would
 * otherwise approve it silently. Pure: the controls are handed in (their table lives beside the
 * surfaces, `lambda/surfaces/posture-controls.ts`), and findings are data rendered at the edge.
 */
import { z } from 'zod';
import { isIdentityPoolId } from './pool-ids.js';
import { type JsonObject, type PoolSnapshot, SEVERITY_ORDER, Severity } from './types.js';

/** Who publishes a control. */
export type ControlSource = 'Security Hub' | 'Prowler';

/** What a control looks at: a user pool's settings, each app client's, or an identity pool's. */
export type PostureScope = 'user-pool' | 'client' | 'identity-pool';

/**
 * One public control, as a row of the posture table: its id and the ids of controls that check
 * exactly the same thing (Prowler's twin of a Security Hub control), its title and severity as the
 * source publishes them, and its predicate over the normalized snapshot.
 */
export interface PostureControl {
  /** `Cognito.6`, `cognito_user_pool_mfa_enabled`: what accept rules and the CLI name it by. */
  readonly id: string;
  /** Controls of another source with the same predicate: one finding, named by all of them. */
  readonly alsoKnownAs?: readonly string[];
  readonly source: ControlSource;
  /** The title as the source publishes it. */
  readonly title: string;
  /** The severity as the source publishes it. */
  readonly severity: Severity;
  /** Where the source documents it. */
  readonly url: string;
  readonly scope: PostureScope;
  /** What fails it, in words (the docs table shows this). */
  readonly fails: string;
  /**
   * Why the resource fails the control (`DeletionProtection is INACTIVE`), or undefined when it
   * passes or cannot be judged from the snapshot (a surface that is not watched is never a finding).
   * `config` is the pool's, the client's or the identity pool's normalized configuration.
   */
  check(config: JsonObject, pool: PoolSnapshot): string | undefined;
}

/** A risky setting found: which control, on which resource, and why. Holds no secret value. */
export const postureFindingSchema = z.strictObject({
  control: z.string(),
  alsoKnownAs: z.array(z.string()).optional(),
  source: z.enum(['Security Hub', 'Prowler']),
  title: z.string(),
  severity: z.enum(Severity),
  poolId: z.string(),
  poolName: z.string(),
  clientId: z.string().optional(),
  clientName: z.string().optional(),
  /** What accept rules match: the pool or identity pool id, or `<poolId>/<clientId>`. */
  resource: z.string(),
  detail: z.string(),
  /** The accept rule's reason, when the finding was accepted. */
  accepted: z.string().optional(),
});
export type PostureFinding = z.infer<typeof postureFindingSchema>;

/** Decides whether a finding is accepted: the accept rule's reason, or undefined. */
export type Acceptance = (controlIds: readonly string[], resources: readonly string[]) => string | undefined;

/** Every control id a finding answers to (its own first). */
export function controlIds(finding: Pick<PostureFinding, 'control' | 'alsoKnownAs'>): string[] {
  return [finding.control, ...(finding.alsoKnownAs ?? [])];
}

/**
 * Every risky setting of one pool (user pool with its clients, or identity pool), in the table's
 * order, each marked accepted when an accept rule names its control and resource. A control whose
 * check throws is reported as its own failure, never as a pass (as cdk-nag does).
 */
export function postureOf(
  pool: PoolSnapshot,
  controls: readonly PostureControl[],
  accept: Acceptance = () => undefined,
): PostureFinding[] {
  const identity = isIdentityPoolId(pool.poolId);
  const out: PostureFinding[] = [];
  for (const control of controls) {
    if ((control.scope === 'identity-pool') !== identity) continue;
    const subjects =
      control.scope === 'client'
        ? Object.values(pool.clients).map((c) => ({ config: c.config, client: c }))
        : [{ config: pool.config, client: undefined }];
    for (const { config, client } of subjects) {
      const detail = safeCheck(control, config, pool);
      if (detail === undefined) continue;
      const resource = client ? `${pool.poolId}/${client.clientId}` : pool.poolId;
      const finding: PostureFinding = {
        control: control.id,
        ...(control.alsoKnownAs?.length ? { alsoKnownAs: [...control.alsoKnownAs] } : {}),
        source: control.source,
        title: control.title,
        severity: control.severity,
        poolId: pool.poolId,
        poolName: pool.poolName,
        ...(client ? { clientId: client.clientId, clientName: client.clientName } : {}),
        resource,
        detail,
      };
      const reason = accept(controlIds(finding), client ? [resource, client.clientId] : [resource]);
      out.push(reason === undefined ? finding : { ...finding, accepted: reason });
    }
  }
  return out;
}

function safeCheck(control: PostureControl, config: JsonObject, pool: PoolSnapshot): string | undefined {
  try {
    return control.check(config, pool);
  } catch (error) {
    return `the check itself failed (${error instanceof Error ? error.message : String(error)}): judge it by hand`;
  }
}

/** The identity of a finding across runs: its control on its resource. */
export function postureKey(finding: Pick<PostureFinding, 'control' | 'resource'>): string {
  return `${finding.control}\u0000${finding.resource}`;
}

/**
 * Of the findings of a pool's current state, those its approved `baseline` did not have: what a
 * change, a new client or a new pool (`baseline` null) made risky. A setting already risky in the
 * approved baseline is not news, and is not sent again.
 */
export function newlyRisky(
  baseline: PoolSnapshot | null,
  current: readonly PostureFinding[],
  controls: readonly PostureControl[],
): PostureFinding[] {
  const before = new Set(baseline ? postureOf(baseline, controls).map(postureKey) : []);
  return current.filter((f) => !before.has(postureKey(f)));
}

/** The findings not accepted: what is alerted and what fails `cognito-drift posture`. */
export function openFindings(findings: readonly PostureFinding[]): PostureFinding[] {
  return findings.filter((f) => f.accepted === undefined);
}

/**
 * Per control, how many of a pool's findings are open and how many accepted: what the first run
 * keeps of each pool's posture (its summary needs no more, and a first run of many pools would
 * otherwise carry every finding in its run document).
 */
export const postureCountsSchema = z.record(
  z.string(),
  z.strictObject({ open: z.number().int().min(0), accepted: z.number().int().min(0) }),
);
export type PostureCounts = z.infer<typeof postureCountsSchema>;

/** Counts findings by control. */
export function countPosture(findings: readonly PostureFinding[]): PostureCounts {
  const counts: PostureCounts = {};
  for (const f of findings) {
    const entry = counts[f.control] ?? { open: 0, accepted: 0 };
    if (f.accepted === undefined) entry.open += 1;
    else entry.accepted += 1;
    counts[f.control] = entry;
  }
  return counts;
}

/** How many findings of one control, for a summary. */
export interface ControlCount {
  control: string;
  title: string;
  severity: Severity;
  count: number;
}

/** A short account of the posture of many pools: the first-run notice's. */
export interface PostureSummary {
  /** Pools (user and identity) with at least one open finding. */
  pools: number;
  /** Open findings. */
  risky: number;
  /** Accepted findings (not counted in `risky`). */
  accepted: number;
  /** The controls with open findings, most severe first, then most frequent; at most `limit`. */
  top: ControlCount[];
}

/**
 * Summarizes the counts of many pools (one entry per pool); `controls` name them, `limit` caps the
 * controls listed. A control the table no longer has is still counted, under its id.
 */
export function summarizePosture(
  perPool: readonly PostureCounts[],
  controls: readonly PostureControl[],
  limit = 5,
): PostureSummary {
  const byControl = new Map<string, ControlCount>();
  let pools = 0;
  let risky = 0;
  let accepted = 0;
  for (const counts of perPool) {
    let open = 0;
    for (const [control, n] of Object.entries(counts)) {
      open += n.open;
      accepted += n.accepted;
      if (n.open === 0) continue;
      const known = controls.find((c) => c.id === control);
      const entry = byControl.get(control) ?? {
        control,
        title: known?.title ?? control,
        severity: known?.severity ?? Severity.MEDIUM,
        count: 0,
      };
      entry.count += n.open;
      byControl.set(control, entry);
    }
    risky += open;
    if (open > 0) pools += 1;
  }
  const top = [...byControl.values()].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      b.count - a.count ||
      a.control.localeCompare(b.control),
  );
  return { pools, risky, accepted, top: top.slice(0, limit) };
}
