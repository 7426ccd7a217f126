import { z } from 'zod';
import type { Change, JsonObject, PoolSnapshot } from './types.js';

/**
 * Ignore rules, on top of the built-in volatile fields that normalization drops.
 * - `fields`: path patterns, `pool.<path>` for pool settings, `client.<path>` for client settings and
 *   `<surface>.<path>` for the settings of a surface's resources (`groups.Description`),
 *   `*` matching within one path segment and `**` across segments
 *   (`pool.UserPoolTags.**`, `client.AnalyticsConfiguration.**`, `*.UserPoolTags.CostCenter`).
 * - `pools`: pool id or name patterns (`*` any characters); matching pools are not scanned at all.
 * - `clients`: client id or name patterns; changes to matching clients are not reported.
 */
export const ignoreRulesSchema = z.strictObject({
  fields: z.array(z.string().min(1)).default([]),
  pools: z.array(z.string().min(1)).default([]),
  clients: z.array(z.string().min(1)).default([]),
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
  private readonly used = new Set<string>();

  constructor(readonly rules: IgnoreRules) {
    this.fields = rules.fields.map((pattern) => ({ pattern, re: pathGlob(pattern) }));
    this.pools = rules.pools.map((pattern) => ({ pattern, re: nameGlob(pattern) }));
    this.clients = rules.clients.map((pattern) => ({ pattern, re: nameGlob(pattern) }));
  }

  /** True when the pool is ignored (by id or name). */
  ignoresPool(poolId: string, poolName: string): boolean {
    return this.match(this.pools, 'pools', [poolId, poolName]);
  }

  /** Removes the changes that the field and client rules ignore. */
  filter(changes: readonly Change[]): Change[] {
    return changes.filter((change) => {
      if (
        change.clientId !== undefined &&
        this.match(this.clients, 'clients', [change.clientId, change.clientName ?? ''])
      )
        return false;
      if ('path' in change) {
        const scope = change.surface ?? (change.clientId === undefined ? 'pool' : 'client');
        const full = `${scope}.${change.path}`;
        if (this.match(this.fields, 'fields', [full])) return false;
      }
      return true;
    });
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
