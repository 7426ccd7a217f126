import { type Attribution, formatAttribution } from './attribution.js';
import { entryNamed, type SurfaceCatalog, unitKindOf } from './catalog.js';
import { formatOrigin } from './deployments.js';
import { escapeControl } from './escape.js';
import { isSecretDigest as isDigestedSecret } from './normalize.js';
import type { AlertMessage } from './ports.js';
import type { PostureFinding } from './posture.js';
import { renderPostureSection } from './posture-render.js';
import { highestSeverity } from './severity.js';
import {
  type Change,
  type ChangeOrigin,
  type ClientRiskSettings,
  type Finding,
  type Json,
  type JsonObject,
  SEVERITY_ORDER,
  type Severity,
} from './types.js';
import { countOf, plural } from './words.js';

/** SNS: Subject is ASCII without line breaks and under 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;
/** SNS messages are at most 262,144 bytes, message attributes included. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** What the message attributes may take (the SNS notifier caps `pool_ids` to fit). */
export const MAX_ATTRIBUTE_BYTES = 8_192;
/** The body's share: the rest, with room to spare. */
export const MAX_BODY_BYTES = 250_000;
const MAX_VALUE_CHARS = 300;

/** Who and where the run looked at, printed at the top of every message. */
export interface RunContext {
  accountId: string;
  region: string;
  runId: string;
  /** When the run started (ISO-8601). */
  at: string;
  /** The command an operator runs to approve a pool's current state. */
  approveCommand: (poolId: string) => string;
  /** Where the full JSON report of this run is stored, when it is. */
  reportLocation?: string;
  /** The resource kinds, for their names in messages. */
  catalog: SurfaceCatalog;
}

/** One pool's part of a digest. */
export interface PoolDrift {
  poolId: string;
  poolName: string;
  findings: Finding[];
  /** `new`: first alert for this drift; `changed`: the drift changed since the last alert; `reminder`. */
  status: 'new' | 'changed' | 'reminder';
  unapprovedSince?: string;
  /** Who made each change (same order as `findings`), when attribution ran. */
  attributions?: readonly Attribution[];
  /** Settings this drift made risky by a public control (not accepted ones): its "Posture" section. */
  posture?: PostureFinding[];
}

/** The digest of all pools with drift this run: one message. */
export function renderDriftDigest(ctx: RunContext, pools: readonly PoolDrift[]): AlertMessage {
  const findings = pools.flatMap((p) => p.findings);
  const highest = highestSeverity(findings) ?? ('LOW' as Severity);
  const allReminders = pools.every((p) => p.status === 'reminder');
  const count = `${findings.length} change${plural(findings.length)} in ${pools.length} pool${plural(pools.length)}`;
  const subject = `${allReminders ? 'Reminder: ' : ''}${highest} drift: ${count}`;

  const lines = [
    `cognito-drift found ${count} in account ${ctx.accountId}, region ${ctx.region}.`,
    `Highest severity: ${highest}.  Run ${ctx.runId} at ${ctx.at}.`,
    '',
    'These differ from the approved baseline. If a change was not expected, investigate it; if it was,',
    'approve the current state with the command shown for its pool.',
  ];
  const sections = pools.map((pool) => renderPoolSection(ctx, pool));
  return {
    subject: formatSubject(ctx, subject),
    body: fitBody(lines, sections, ctx),
    attributes: {
      kind: allReminders ? 'reminder' : 'drift',
      severity: highest,
      poolIds: pools.map((p) => p.poolId),
    },
  };
}

function renderPoolSection(ctx: RunContext, pool: PoolDrift): string[] {
  const status =
    pool.status === 'new'
      ? 'new drift'
      : pool.status === 'changed'
        ? 'drift changed since the last alert'
        : `reminder: unapproved since ${pool.unapprovedSince ?? 'an earlier run'}`;
  const lines = [
    '',
    `== Pool ${pool.poolName} (${pool.poolId}): ${pool.findings.length} change${plural(pool.findings.length)}, ${status}`,
  ];
  const authorOf = new Map(pool.findings.map((f, i) => [f, pool.attributions?.[i]]));
  lines.push(...findingLines(pool.findings, { catalog: ctx.catalog, authorOf: (f) => authorOf.get(f) }));
  lines.push(...renderPostureSection(pool.posture));
  lines.push('  To approve after review:', `    ${ctx.approveCommand(pool.poolId)}`);
  return lines;
}

/** One heading of a pool's findings (`Pool`, `Client web (id)`, `Identity provider Okta (Okta)`) and what is under it. */
export interface FindingGroup {
  heading: string;
  /** Most severe first; within a severity, the diff's order. */
  findings: Finding[];
}

/**
 * One pool's findings as every alert and the CLI list them: grouped under the pool itself, each
 * client, and each surface resource (groups in the order they first appear, which is the diff's:
 * pool, clients by id, surfaces), most severe first within a group. The one grouping and ordering
 * there is: the email and the CLI both call it, so they cannot disagree.
 */
export function groupFindings(findings: readonly Finding[], catalog: SurfaceCatalog): FindingGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const heading = groupOf(finding, catalog);
    const members = groups.get(heading);
    if (members) members.push(finding);
    else groups.set(heading, [finding]);
  }
  // Array.prototype.sort is stable, so the diff's order holds within a severity.
  const bySeverity = (a: Finding, b: Finding) =>
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);
  return [...groups].map(([heading, members]) => ({ heading, findings: [...members].sort(bySeverity) }));
}

/** Findings of several pools, by pool in the order pools first appear. */
export function findingsByPool(
  findings: readonly Finding[],
): { poolId: string; poolName: string; findings: Finding[] }[] {
  const pools = new Map<string, { poolId: string; poolName: string; findings: Finding[] }>();
  for (const finding of findings) {
    const pool = pools.get(finding.poolId);
    if (pool) pool.findings.push(finding);
    else
      pools.set(finding.poolId, { poolId: finding.poolId, poolName: finding.poolName, findings: [finding] });
  }
  return [...pools.values()];
}

/** How {@link findingLines} marks a severity (the CLI colours it) and who made a change. */
export interface FindingLineOptions {
  /** The resource kinds, for their names. */
  catalog: SurfaceCatalog;
  severityTag?: (severity: Severity) => string;
  authorOf?: (finding: Finding) => Attribution | undefined;
}

/**
 * The lines listing one pool's findings, indented under its heading: each group's heading, its
 * author line when one call made the whole group, then `[SEVERITY] change` with the change's detail
 * lines and, when the group has several authors, the change's own author line.
 */
export function findingLines(findings: readonly Finding[], options: FindingLineOptions): string[] {
  const tag = options.severityTag ?? ((severity: Severity) => `[${severity}]`);
  const authorOf = options.authorOf ?? (() => undefined);
  const lines: string[] = [];
  for (const group of groupFindings(findings, options.catalog)) {
    lines.push(`  ${escapeControl(group.heading)}`);
    // One author line for a group made by one call; otherwise one under each change.
    const authors = new Set(group.findings.map((f) => formatAuthor(authorOf(f), f.origin)));
    const shared = authors.size === 1 ? [...authors][0] : undefined;
    if (shared) lines.push(`    ${escapeControl(shared)}`);
    for (const finding of group.findings) {
      lines.push(`    ${tag(finding.severity)} ${describeChange(finding, options.catalog)}`);
      for (const detail of changeDetails(finding)) lines.push(`      ${detail}`);
      const own = authors.size > 1 ? formatAuthor(authorOf(finding), finding.origin) : undefined;
      if (own) lines.push(`      ${escapeControl(own)}`);
    }
  }
  return lines;
}

/**
 * One line, in words, for one change. Never contains a secret value: changes hold none. Names and
 * values are escaped ({@link escapeControl}): a name with a line break cannot add a line.
 */
export function describeChange(change: Change, catalog: SurfaceCatalog): string {
  return escapeControl(changeInWords(change, catalog));
}

function changeInWords(change: Change, catalog: SurfaceCatalog): string {
  switch (change.kind) {
    case 'pool-added':
      return `Pool created: ${change.poolName} (${change.poolId})`;
    case 'pool-removed':
      return `Pool deleted: ${change.poolName} (${change.poolId})`;
    case 'client-added':
      return `App client created: ${change.clientName} (${change.clientId})`;
    case 'client-removed':
      return `App client deleted: ${change.clientName} (${change.clientId})`;
    case 'now-ignored': {
      const what = change.clientId === undefined ? 'Pool' : 'App client';
      const name = change.clientId === undefined ? change.poolName : change.clientName;
      return `${what} now hidden by ignore rule "${change.ignoreRule}": renamed ${change.previousName} -> ${name}; its changes are still reported`;
    }
    case 'secret-added':
      return `Client secret added: id ${change.secretId}, created ${change.createdAt ?? 'at an unknown date'}`;
    case 'secret-removed':
      return `Client secret removed: id ${change.secretId}, created ${change.createdAt ?? 'at an unknown date'}`;
    case 'secret-lifecycle':
      return change.problem === 'rotation-unfinished'
        ? `Secret rotation not finished: two or more secrets for ${change.days} days (limit ${change.limitDays}); newest id ${change.secretId}, created ${change.createdAt}`
        : `Client secret older than ${change.limitDays} days: id ${change.secretId}, created ${change.createdAt} (${change.days} days ago)`;
    case 'resource-added':
      return `${capitalized(surfaceLabel(catalog, change.surface))} added: ${change.resourceName}${settingsOf(change.config)}`;
    case 'resource-removed':
      return `${capitalized(surfaceLabel(catalog, change.surface))} removed: ${change.resourceName}${settingsOf(change.config)}`;
    case 'field-changed':
      if (isSecretDigest(change.before) || isSecretDigest(change.after)) {
        const what = change.before === undefined ? 'set' : change.after === undefined ? 'removed' : 'changed';
        return `${change.path}: secret ${what} (value not shown)`;
      }
      return `${change.path}: ${formatValue(change.before)} -> ${formatValue(change.after)}`;
    case 'list-changed': {
      const parts = [];
      if (change.added.length) parts.push(`added ${change.added.map(formatValue).join(', ')}`);
      if (change.removed.length) parts.push(`removed ${change.removed.map(formatValue).join(', ')}`);
      return `${change.path}: ${parts.join('; ')}`;
    }
  }
}

/** How many characters a list in a detail line takes before "and N more"; one item is always named. */
const MAX_DETAIL_LIST_CHARS = 100;
/** A detail line longer than this is cut (it cannot be, with the lists bounded): a safety net. */
const MAX_DETAIL_CHARS = 500;

/**
 * The lines printed under a change's own line, in the email and the CLI: for a new app client, its
 * risky settings in two short lines (sign-in and redirects; token lifetimes and secret). Each list and
 * line is bounded in length and control characters are escaped; a secret is only ever counted.
 */
export function changeDetails(change: Change): string[] {
  if (change.kind !== 'client-added' || !change.settings) return [];
  const settings: ClientRiskSettings = change.settings;
  const oauth = !settings.oauthEnabled
    ? 'off'
    : `${listOf(settings.oauthFlows)} (scopes ${listOf(settings.oauthScopes)})`;
  const { access, id, refresh } = settings.tokens;
  const secret =
    settings.secrets > 0 ? `yes, ${countOf(settings.secrets, 'secret')} (value not shown)` : 'no';
  return [
    `auth flows: ${listOf(settings.authFlows)}; OAuth: ${oauth}; callback hosts: ${listOf(settings.callbackHosts)}; logout hosts: ${listOf(settings.logoutHosts)}`,
    `token lifetimes: access ${lifetimeOf(access)}, ID ${lifetimeOf(id)}, refresh ${lifetimeOf(refresh)}; client secret: ${secret}`,
  ].map((line) =>
    escapeControl(line.length > MAX_DETAIL_CHARS ? `${line.slice(0, MAX_DETAIL_CHARS - 3)}...` : line),
  );
}

/** `a, b and 3 more`: as many items as fit in {@link MAX_DETAIL_LIST_CHARS}, at least one (cut if long). */
function listOf(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  const shown: string[] = [];
  let length = 0;
  for (const item of items) {
    const text = item.length > 60 ? `${item.slice(0, 57)}...` : item;
    if (shown.length > 0 && length + text.length + 2 > MAX_DETAIL_LIST_CHARS) break;
    shown.push(text);
    length += text.length + 2;
  }
  const more = items.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function lifetimeOf(lifetime: { value: number; unit: string; isDefault: boolean }): string {
  const unit = lifetime.value === 1 ? lifetime.unit.replace(/s$/, '') : lifetime.unit;
  return `${lifetime.value} ${unit}${lifetime.isDefault ? ' (default)' : ''}`;
}

/** The author line of a change: empty when attribution did not run. */
function authorLine(attribution: Attribution | undefined): string | undefined {
  return attribution ? formatAttribution(attribution) : undefined;
}

/**
 * Who made a change and, once known, whether a deployment did: `by <principal> (...), deployed by
 * stack X` / `, changed outside its stack X` / `, made outside any stack` (core/deployments.ts). The
 * label alone when the author line is not shown (the CLI's summary).
 */
export function formatAuthor(
  attribution: Attribution | undefined,
  origin: ChangeOrigin | undefined,
): string | undefined {
  const author = authorLine(attribution);
  if (!origin) return author;
  return author ? `${author}, ${formatOrigin(origin)}` : formatOrigin(origin);
}

function isClientLifecycle(change: Change): boolean {
  return change.kind === 'client-added' || change.kind === 'client-removed';
}

/** The heading a finding is listed under: the pool, one of its clients, or one surface resource. */
function groupOf(change: Change, catalog: SurfaceCatalog): string {
  if (change.surface !== undefined) {
    if (change.kind === 'resource-added' || change.kind === 'resource-removed')
      return capitalized(surfacePlural(catalog, change.surface));
    const label = capitalized(surfaceLabel(catalog, change.surface));
    return change.resourceId === 'pool' ? label : `${label} ${change.resourceName} (${change.resourceId})`;
  }
  const unit = unitKindOf(catalog, change.poolId);
  if (unit) return capitalized(unit.label);
  return change.clientId === undefined || isClientLifecycle(change)
    ? 'Pool'
    : `Client ${change.clientName} (${change.clientId})`;
}

/** A surface's settings in one short line, to show what was added or removed. Digests say only "set". */
function settingsOf(config: JsonObject): string {
  const parts = Object.entries(config).map(
    ([key, value]) => `${key}=${isSecretDigest(value) ? '(secret set)' : formatValue(value)}`,
  );
  if (parts.length === 0) return '';
  const text = parts.join(', ');
  return ` (${text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text})`;
}

/** A copy in which every secret digest, however deep, reads `(secret)`: not even a digest is shown. */
function withoutDigests(value: Json): Json {
  if (isSecretDigest(value)) return '(secret)';
  if (Array.isArray(value)) return value.map(withoutDigests);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutDigests(v)]));
  return value;
}

function isSecretDigest(value: Json | undefined): boolean {
  return isDigestedSecret(value);
}

function surfaceLabel(catalog: SurfaceCatalog, name: string): string {
  return entryNamed(catalog, name)?.label ?? name;
}

/** A surface's name in the plural (`identity providers`), from the catalog. */
export function surfacePlural(catalog: SurfaceCatalog, name: string): string {
  return entryNamed(catalog, name)?.plural ?? name;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatValue(value: Json | undefined): string {
  if (value === undefined) return '(not set)';
  if (isSecretDigest(value)) return '(secret)';
  const text = typeof value === 'string' ? value : JSON.stringify(withoutDigests(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}... (${text.length} chars)` : text;
}

/** One pool of an author follow-up: the drift a real-time check alerted, and who made its changes. */
export interface AuthorFollowUpPool {
  poolId: string;
  poolName: string;
  /** When the real-time check alerted the drift (ISO-8601). */
  alertedAt: string;
  findings: readonly Finding[];
  /** Same order as `findings`. */
  attributions: readonly Attribution[];
}

/**
 * The short notice that keeps a real-time alert's promise: who made the changes it alerted, as the
 * sweep found them in CloudTrail. One line per group of changes (the pool, a client, a resource)
 * and its authors; the changes themselves were in the alert.
 */
export function renderAuthorFollowUp(ctx: RunContext, pools: readonly AuthorFollowUpPool[]): AlertMessage {
  const first = [...pools.map((p) => p.alertedAt)].sort()[0] ?? ctx.at;
  const more = pools.length > 1 ? ` and ${countOf(pools.length - 1, 'more pool')}` : '';
  const sections = pools.map((pool) => {
    const authorOf = new Map(pool.findings.map((f, i) => [f, pool.attributions[i]]));
    const lines = ['', `== Pool ${pool.poolName} (${pool.poolId}), alerted at ${pool.alertedAt}`];
    for (const group of groupFindings(pool.findings, ctx.catalog)) {
      const authors = [...new Set(group.findings.flatMap((f) => authorLine(authorOf.get(f)) ?? []))];
      lines.push(`  ${group.heading}: ${countOf(group.findings.length, 'change')}`);
      for (const author of authors) lines.push(`    ${author}`);
    }
    return lines;
  });
  return {
    subject: formatSubject(ctx, `Author of the change alerted at ${first}${more}`),
    body: fitBody(
      [
        `Who made the changes of drift alerted by a real-time check in account ${ctx.accountId}, region ${ctx.region},`,
        'as this sweep found them in CloudTrail (the real-time check knew only the calls that started it).',
        'The changes themselves are listed in that alert.',
      ],
      sections,
      ctx,
    ),
    attributes: { kind: 'author-follow-up', poolIds: pools.map((p) => p.poolId) },
  };
}

/**
 * Makes an SNS-safe subject: `[cognito-drift <account>/<region>] text`, ASCII only, one line,
 * at most {@link MAX_SUBJECT_LENGTH} characters.
 */
export function formatSubject(ctx: Pick<RunContext, 'accountId' | 'region'>, text: string): string {
  const raw = `[cognito-drift ${ctx.accountId}/${ctx.region}] ${text}`;
  const ascii = raw
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
}

/**
 * Joins header and sections, cutting whole lines once the body would pass {@link MAX_BODY_BYTES},
 * and says what was cut and where the full report is.
 */
export function fitBody(header: readonly string[], sections: readonly string[][], ctx: RunContext): string {
  const footer = ctx.reportLocation ? ['', `Full JSON report: ${ctx.reportLocation}`] : [];
  const all = [...header, ...sections.flat()].map(escapeControl);
  const budget = MAX_BODY_BYTES - Buffer.byteLength(footer.join('\n')) - 400;
  const kept: string[] = [];
  let bytes = 0;
  for (const [index, line] of all.entries()) {
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > budget) {
      const omitted = all.length - index;
      kept.push(
        '',
        `... message truncated: ${omitted} more line${plural(omitted)} not shown (SNS messages are limited to 256 KB).`,
        ctx.reportLocation
          ? 'Every change is in the full JSON report below.'
          : 'Run the CLI to see every change.',
      );
      break;
    }
    kept.push(line);
    bytes += size;
  }
  return [...kept, ...footer.map(escapeControl)].join('\n');
}

/** Lines joined into a body, each escaped: no text from a name can add or end a line. */
export function bodyLines(lines: readonly string[]): string {
  return lines.map(escapeControl).join('\n');
}

export { countOf, plural };
