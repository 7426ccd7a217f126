/**
 * Posture findings as people read them: a drift alert's "Posture" section, the first-run summary,
 * and the lines the CLI prints. Every line is returned raw: the message and terminal renderers
 * escape them (`fitBody`, `bodyLines`, `escapeControl`), since pool and client names are chosen by
 * whoever can write them.
 */
import { escapeControl } from './escape.js';
import { controlIds, type PostureFinding, type PostureSummary } from './posture.js';
import { countOf, plural } from './words.js';

/** Where the table of controls is documented, for the lines that name a control. */
export const POSTURE_DOC = 'docs/posture.md';

/** The control and its twins: `Cognito.6 (also cognito_user_pool_deletion_protection_enabled)`. */
export function controlLabel(finding: Pick<PostureFinding, 'control' | 'alsoKnownAs'>): string {
  const [, ...twins] = controlIds(finding);
  return twins.length > 0 ? `${finding.control} (also ${twins.join(', ')})` : finding.control;
}

/** The resource a finding is about: the pool itself, or one of its clients. */
export function postureSubject(finding: PostureFinding): string {
  if (finding.clientId === undefined) return `pool ${finding.poolName} (${finding.poolId})`;
  return `client ${finding.clientName ?? ''} (${finding.clientId}) of pool ${finding.poolName} (${finding.poolId})`;
}

/** One finding in two lines: severity, control and why; then the control's title. */
export function postureFindingLines(finding: PostureFinding, indent: string): string[] {
  const where =
    finding.clientId === undefined ? '' : `client ${finding.clientName ?? ''} (${finding.clientId}): `;
  return [
    `${indent}[${finding.severity}] ${controlLabel(finding)}: ${where}${finding.detail}`,
    `${indent}    ${finding.title}`,
    ...(finding.accepted === undefined ? [] : [`${indent}    accepted: ${finding.accepted}`]),
  ];
}

/**
 * A drift alert's section for one pool: the settings its drift made risky (accepted ones are not
 * sent), and how to accept one. Empty when there are none.
 */
export function renderPostureSection(findings: readonly PostureFinding[] | undefined): string[] {
  const open = (findings ?? []).filter((f) => f.accepted === undefined);
  if (open.length === 0) return [];
  const first = open[0] as PostureFinding;
  return [
    `  Posture: ${countOf(open.length, 'setting')} now risky by a public control (see ${POSTURE_DOC}):`,
    ...open.flatMap((f) => postureFindingLines(f, '    ')),
    `    To accept one, add to the ignore rules' "posture": {"control": "${first.control}", "resource": "${first.resource}", "reason": "..."}`,
  ];
}

/** The first-run notice's posture summary: how many risky settings, and the controls most found. */
export function renderPostureSummary(summary: PostureSummary | undefined): string[] {
  if (!summary) return [];
  const accepted =
    summary.accepted > 0
      ? [`${countOf(summary.accepted, 'accepted risk')} (ignore rules' "posture") not counted.`]
      : [];
  if (summary.risky === 0)
    return ['', 'Posture: no risky setting found by the public controls checked.', ...accepted];
  return [
    '',
    `Posture: ${countOf(summary.risky, 'risky setting')} in ${countOf(summary.pools, 'pool')}, by public control (see ${POSTURE_DOC}):`,
    ...summary.top.map((c) => `  - [${c.severity}] ${c.control} x${c.count}: ${c.title}`),
    ...accepted,
    'Recording a baseline does not approve them: run `cognito-drift posture` for every finding, and accept a risk with a reason in the ignore rules\' "posture".',
  ];
}

/** The subject's count of risky settings (`3 risky settings`), ASCII, for a short notice. */
export function riskyCount(summary: PostureSummary): string {
  return `${summary.risky} risky setting${plural(summary.risky)}`;
}

/** A finding on one escaped line, for logs and terminals. */
export function postureLine(finding: PostureFinding): string {
  return escapeControl(`${controlLabel(finding)} on ${postureSubject(finding)}: ${finding.detail}`);
}
