import { z } from 'zod';
import type { Change, JsonObject, PoolSnapshot } from './types.js';

/** A name rule of only `*` matches every pool or client: everything would be hidden, silently. */
const matchesEveryName = (pattern: string) => /^\*+$/.test(pattern);
/** A field rule that matches every setting of a scope, at any depth or at the top (`pool.**`, `*.*`). */
const matchesEveryField = (pattern: string) => /^[*.]+$/.test(pattern.replace(/^(pool|client)\./, ''));
const namePattern = (what: string) =>
  z
    .string()
    .min(1)
    .refine((p) => !matchesEveryName(p), {
      message: `matches every ${what}: a rule that ignores everything hides all drift; name the ${what}s to ignore`,
    });

/**
 * A posture finding accepted on purpose: the control (its id or a twin's, `Cognito.6`,
 * `cognito_user_pool_mfa_enabled`), the resource (a pool or identity pool id, a client as
 * `<poolId>/<clientId>` or its id; `*` any characters) and why. It is then listed as accepted and
 * never alerted. A reason is required: an acceptance nobody can explain later is a hidden risk.
 */
export const postureAcceptanceSchema = z.strictObject({
  control: z.string().regex(/^(Cognito\.\d+|cognito_[a-z0-9_]+)$/, {
    message:
      'is not a control id: a Security Hub id (Cognito.6) or a Prowler check id (cognito_user_pool_mfa_enabled)',
  }),
  resource: z.string().min(1),
  reason: z.string().trim().min(1, { message: 'is empty: say why the risk is accepted' }),
});
export type PostureAcceptance = z.infer<typeof postureAcceptanceSchema>;

/**
 * Ignore rules, on top of the built-in volatile fields that normalization drops.
 * - `fields`: path patterns, `pool.<path>` for pool settings, `client.<path>` for client settings and
 *   `<surface>.<path>` for the settings of a surface's resources (`groups.Description`),
 *   `*` matching within one path segment and `**` across segments
 *   (`pool.UserPoolTags.**`, `client.AnalyticsConfiguration.**`, `*.UserPoolTags.CostCenter`).
 * - `pools`: pool id or name patterns (`*` any characters); matching pools are not scanned at all.
 * - `clients`: client id or name patterns; changes to matching clients are not reported.
 * - `posture`: accepted posture findings ({@link postureAcceptanceSchema}); absent in files written
 *   before posture existed, which still parse.
 */
export const ignoreRulesSchema = z.strictObject({
  fields: z
    .array(
      z
        .string()
        .min(1)
        .refine((p) => !matchesEveryField(p), {
          message:
            'matches every setting: a rule that ignores everything hides all drift; name the fields to ignore',
        }),
    )
    .default([]),
  pools: z.array(namePattern('pool')).default([]),
  clients: z.array(namePattern('client')).default([]),
  posture: z.array(postureAcceptanceSchema).optional(),
});
export type IgnoreRules = z.infer<typeof ignoreRulesSchema>;
export const NO_IGNORE_RULES: IgnoreRules = { fields: [], pools: [], clients: [] };

/** Parses ignore rules from JSON text, naming the source in the error. */
export function parseIgnoreRules(text: string, source: string): IgnoreRules {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${source}: ignore rules are not valid JSON`);
  }
  const result = ignoreRulesSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return result.data;
}

/** Compiles rules once per run. */
export class IgnoreMatcher {
  private readonly fields: { pattern: string; re: RegExp }[];
  private readonly pools: { pattern: string; re: RegExp }[];
  private readonly clients: { pattern: string; re: RegExp }[];
  private readonly accepted: { rule: PostureAcceptance; re: RegExp }[];
  private readonly used = new Set<string>();

  constructor(readonly rules: IgnoreRules) {
    this.fields = rules.fields.map((pattern) => ({ pattern, re: pathGlob(pattern) }));
    this.pools = rules.pools.map((pattern) => ({ pattern, re: nameGlob(pattern) }));
    this.clients = rules.clients.map((pattern) => ({ pattern, re: nameGlob(pattern) }));
    this.accepted = (rules.posture ?? []).map((rule) => ({ rule, re: nameGlob(rule.resource) }));
  }

  /**
   * The reason of the first posture rule that accepts a finding of one of `controls` on one of
   * `resources` (recorded as used), or undefined.
   */
  acceptance(controls: readonly string[], resources: readonly string[]): string | undefined {
    const hit = this.accepted.find(
      ({ rule, re }) => controls.includes(rule.control) && resources.some((r) => re.test(r)),
    );
    if (hit) this.used.add(acceptanceName(hit.rule));
    return hit?.rule.reason;
  }

  /** True when the pool is ignored (by id or name). */
  ignoresPool(poolId: string, poolName: string): boolean {
    return this.match(this.pools, 'pools', [poolId, poolName]);
  }

  /**
   * Whether a listed pool is skipped. By id; by name only when the name it had when approved
   * (`baselineName`, undefined without a baseline) matches too. A pool renamed into a rule is
   * watched, and {@link filter} reports the rename as a finding: the current name is whatever
   * someone set it to, so it alone must not hide a pool that was watched.
   */
  skipsPool(poolId: string, currentName: string, baselineName: string | undefined): boolean {
    if (this.match(this.pools, 'pools', [poolId])) return true;
    if (!this.nameRule(this.pools, 'pools', currentName)) return false;
    return baselineName === undefined || this.nameRule(this.pools, 'pools', baselineName) !== undefined;
  }

  /** Whether the current name matches a pool rule (and not the id): the pool may need its baseline name. */
  poolNameMatches(poolId: string, currentName: string): boolean {
    return (
      !this.match(this.pools, 'pools', [poolId]) &&
      this.nameRule(this.pools, 'pools', currentName) !== undefined
    );
  }

  /**
   * Removes the changes that the field and client rules ignore. A client is ignored by id, or by
   * name when every name it had (approved and current) matches; one renamed into a rule keeps its
   * changes and gets a `now-ignored` change, as does a pool renamed into a pool rule.
   */
  filter(
    changes: readonly Change[],
    ctx: { baseline: PoolSnapshot | null; current: PoolSnapshot | null } = { baseline: null, current: null },
  ): Change[] {
    const out: Change[] = [];
    const hidden = new Map<string, Change>();
    const { baseline, current } = ctx;
    if (baseline && current && !this.match(this.pools, 'pools', [current.poolId])) {
      const rule = this.nameRule(this.pools, 'pools', current.poolName);
      if (rule && !this.nameRule(this.pools, 'pools', baseline.poolName)) {
        out.push({
          kind: 'now-ignored',
          poolId: current.poolId,
          poolName: current.poolName,
          ignoreRule: `pools: ${rule}`,
          previousName: baseline.poolName,
        });
      }
    }
    const kept = changes.filter((change) => {
      if (change.clientId !== undefined) {
        const id = change.clientId;
        if (this.match(this.clients, 'clients', [id])) return false;
        const before = baseline?.clients[id]?.clientName;
        const now =
          current?.clients[id]?.clientName ?? (before === undefined ? change.clientName : undefined);
        const names = [before, now].filter((n): n is string => n !== undefined);
        const rules = names.map((n) => this.nameRule(this.clients, 'clients', n));
        if (names.length > 0 && rules.every((r) => r !== undefined)) return false;
        const rule = now === undefined ? undefined : this.nameRule(this.clients, 'clients', now);
        if (rule && before !== undefined && now !== undefined && !hidden.has(id)) {
          hidden.set(id, {
            kind: 'now-ignored',
            poolId: change.poolId,
            poolName: change.poolName,
            clientId: id,
            clientName: now,
            ignoreRule: `clients: ${rule}`,
            previousName: before,
          });
        }
      }
      if ('path' in change) {
        const scope = change.surface ?? (change.clientId === undefined ? 'pool' : 'client');
        const full = `${scope}.${change.path}`;
        if (this.match(this.fields, 'fields', [full])) return false;
      }
      return true;
    });
    return [...out, ...hidden.values(), ...kept];
  }

  /** The first name rule matching `name`, recorded as used; undefined when none does. */
  private nameRule(list: { pattern: string; re: RegExp }[], kind: string, name: string): string | undefined {
    const rule = list.find((r) => r.re.test(name));
    if (rule) this.used.add(`${kind}: ${rule.pattern}`);
    return rule?.pattern;
  }

  /**
   * Records which field and client rules match anything in a scanned pool, so that rules matching
   * nothing at all (typos) can be reported.
   */
  observe(pool: PoolSnapshot): void {
    for (const path of leafPaths(pool.config)) this.match(this.fields, 'fields', [`pool.${path}`]);
    for (const client of Object.values(pool.clients)) {
      this.match(this.clients, 'clients', [client.clientId, client.clientName]);
      for (const path of leafPaths(client.config)) this.match(this.fields, 'fields', [`client.${path}`]);
    }
  }

  /** Rules that matched nothing this run, as `fields: pool.UserPoolTagz.**`. */
  unmatched(): string[] {
    const all = [
      ...this.fields.map((r) => `fields: ${r.pattern}`),
      ...this.pools.map((r) => `pools: ${r.pattern}`),
      ...this.clients.map((r) => `clients: ${r.pattern}`),
      ...this.accepted.map(({ rule }) => acceptanceName(rule)),
    ];
    return all.filter((rule) => !this.used.has(rule));
  }

  private match(list: { pattern: string; re: RegExp }[], kind: string, subjects: string[]): boolean {
    let hit = false;
    for (const rule of list) {
      if (subjects.some((s) => rule.re.test(s))) {
        this.used.add(`${kind}: ${rule.pattern}`);
        hit = true;
      }
    }
    return hit;
  }
}

/** How an accept rule is named in the list of rules that matched nothing. */
const acceptanceName = (rule: PostureAcceptance) => `posture: ${rule.control} on ${rule.resource}`;

/** Every path in a config, including intermediate objects (so `pool.LambdaConfig` matches too). */
function leafPaths(config: JsonObject, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      out.push(...leafPaths(value, path));
  }
  return out;
}

const escapeRegex = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function pathGlob(pattern: string): RegExp {
  const parts = pattern.split('**').map((part) => part.split('*').map(escapeRegex).join('[^.]*'));
  return new RegExp(`^${parts.join('.*')}$`);
}

function nameGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
}
