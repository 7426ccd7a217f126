import type { Attribution } from '../lambda/core/attribution.js';
import { escapeControl } from '../lambda/core/escape.js';
import { openFindings, type PostureFinding } from '../lambda/core/posture.js';
import { controlLabel, POSTURE_DOC } from '../lambda/core/posture-render.js';
import { describeChange, formatAuthor, groupFindings } from '../lambda/core/render.js';
import { type Finding, SEVERITY_ORDER } from '../lambda/core/types.js';
import type { RunResult } from '../lambda/run/detector.js';
import { CATALOG } from '../lambda/surfaces/index.js';

/** One (account, region) of a `check` / `diff`, as the markdown report shows it. */
export interface MarkdownTarget {
  accountId: string;
  region: string;
  result?: RunResult;
  /** Why nothing there was compared. */
  unreachable?: string;
}

/** Rows of one pool's table at most: a pull-request comment is read, not searched (65,536 characters on GitHub). */
export const MAX_MARKDOWN_ROWS = 100;

/**
 * Text from Cognito (names, values) as literal markdown: control characters escaped first (a line
 * break cannot end a table row), then every character markdown or HTML would format, including `|`
 * (a table cell), backticks (a code span) and `@` (a mention).
 */
export function markdownText(text: string): string {
  // CommonMark lets a backslash escape any ASCII punctuation; these are the ones that format inline
  // (emphasis, code, links, HTML, entities, tables, mentions) or start a heading.
  return escapeControl(text).replace(/[\\`*_[\]|~<>&!#@]/g, (c) => `\\${c}`);
}

/**
 * A run's outcome as GitHub-flavoured markdown for a pull-request comment: a headline, then per
 * target and pool a table of findings (severity, where, change, author), the approve command, and the
 * problems that make the scan incomplete. Rendered from the structured result; holds no secret value
 * (findings hold none, and secret digests are worded "value not shown").
 */
export function renderMarkdown(
  targets: readonly MarkdownTarget[],
  options: { approveCommand: (poolId: string) => string },
): string {
  const results = targets.flatMap((t) => (t.result ? [t.result] : []));
  const findings = results.flatMap((r) => r.pools.flatMap((p) => p.findings));
  const drifted = results.flatMap((r) => r.pools.filter((p) => p.findings.length > 0));
  const highest = SEVERITY_ORDER.find((s) => findings.some((f) => f.severity === s));
  const scanned = results.reduce((n, r) => n + r.poolsScanned, 0);
  const lines = [
    highest
      ? `## cognito-drift: ${highest} drift, ${count(findings.length, 'change')} in ${count(drifted.length, 'pool')}`
      : `## cognito-drift: no drift in ${count(scanned, 'pool')}`,
    '',
  ];
  for (const target of targets) {
    lines.push(`**Account ${markdownText(target.accountId)}, region ${markdownText(target.region)}**`, '');
    if (target.unreachable || !target.result) {
      lines.push(`Not scanned: ${markdownText(target.unreachable ?? 'nothing was scanned')}`, '');
      continue;
    }
    const result = target.result;
    for (const pool of result.pools.filter((p) => p.findings.length > 0)) {
      lines.push(...poolSection(pool, result.attributions?.[pool.poolId], options.approveCommand));
    }
    const problems = [...result.readProblems, ...result.storeProblems];
    if (problems.length > 0) {
      lines.push('### Scan incomplete', '');
      for (const p of problems) lines.push(`- ${markdownText(p.what)}: ${markdownText(p.reason)}`);
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function poolSection(
  pool: RunResult['pools'][number],
  attributions: readonly unknown[] | undefined,
  approveCommand: (poolId: string) => string,
): string[] {
  const authorOf = new Map<Finding, string>();
  const known = attributions && attributions.length === pool.findings.length ? attributions : undefined;
  pool.findings.forEach((f, i) => {
    const author = formatAuthor(known?.[i] as Attribution | undefined, f.origin);
    if (author) authorOf.set(f, author);
  });
  const rows = groupFindings(pool.findings, CATALOG).flatMap((group) =>
    group.findings.map(
      (f) =>
        `| **${f.severity}** | ${markdownText(group.heading)} | ${markdownText(describeChange(f, CATALOG))} | ${markdownText(authorOf.get(f) ?? '')} |`,
    ),
  );
  const shown = rows.slice(0, MAX_MARKDOWN_ROWS);
  return [
    `### Pool ${markdownText(pool.poolName)} (${markdownText(pool.poolId)}): ${count(pool.findings.length, 'change')}`,
    '',
    '| Severity | Where | Change | Author |',
    '| --- | --- | --- | --- |',
    ...shown,
    ...(rows.length > shown.length
      ? ['', `… and ${rows.length - shown.length} more (run \`check --json\`).`]
      : []),
    ...postureLines(pool.posture ?? []),
    '',
    'To approve after review:',
    '',
    // An indented code block: nothing in it is formatted, and a backtick cannot close it.
    `    ${escapeControl(approveCommand(pool.poolId))}`,
    '',
  ];
}

/** The settings the pool's drift made risky (accepted ones left out), one list item each. */
function postureLines(findings: readonly PostureFinding[]): string[] {
  const open = openFindings(findings);
  if (open.length === 0) return [];
  return [
    '',
    `Posture: ${count(open.length, 'setting')} now risky by a public control (see ${POSTURE_DOC}):`,
    '',
    ...open.map((f) => {
      const where = f.clientId === undefined ? '' : `client ${f.clientName ?? ''} (${f.clientId}): `;
      return `- **${f.severity}** ${markdownText(controlLabel(f))}: ${markdownText(`${where}${f.detail}`)}`;
    }),
  ];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
