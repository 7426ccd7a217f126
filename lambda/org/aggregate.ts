import { createHash } from 'node:crypto';
import type { AlertMessage } from '../core/ports.js';
import { formatSubject, MAX_BODY_BYTES, type RunContext } from '../core/render.js';
import { type RunAlerts, renderRunAlerts } from '../core/run-alerts.js';
import { CATALOG } from '../surfaces/index.js';
import { compareTargets, type ScanTarget, type UnreachableTarget, unreachableLine } from './target.js';

/** What one target's run had to say, as data: what its outcome document carries. */
export interface TargetReport {
  runId: string;
  /** When the target's run started (ISO-8601). */
  at: string;
  /** Where the target's own JSON report is stored, when it is. */
  reportLocation?: string;
  alerts: RunAlerts;
}

/**
 * One target's part of the digest: its report, rendered here. `messages`: what an outcome document
 * of an earlier release holds instead (already rendered); read as it is, never parsed.
 */
export interface TargetPart {
  target: ScanTarget;
  report?: TargetReport;
  messages?: AlertMessage[];
}

/** What one organization run produced, target by target. */
export interface OrganizationRun {
  orgRunId: string;
  startedAt: string;
  parts: TargetPart[];
  /** How to approve a pool of any target, in the targets' sections. */
  approveCommand: (poolId: string) => string;
  /** Targets that could not be reached; their lines are sent unless `unreachableAlreadySent`. */
  unreachable: UnreachableTarget[];
  /** The same unreachable lines went out within the reminder interval: leave them out. */
  unreachableAlreadySent?: boolean;
  /** `s3://bucket/reports/<orgRunId>.json`, named at the end of each message. */
  reportLocation?: string;
}

/** One target's message of one kind, and how the digest names it when it is the only one. */
interface Entry {
  target: ScanTarget;
  message: AlertMessage;
  /** The subject of this message rendered for the organization (absent for an earlier release's outcome). */
  organizationSubject?: string;
}

const SEVERITY_ORDER = ['LOW', 'MEDIUM', 'HIGH'];
/** The order messages of different kinds go out in. */
const KIND_ORDER = [
  'drift',
  'reminder',
  'scan-incomplete',
  'store-problem',
  'resolved',
  'baseline-created',
  'now-watching',
];

/** The unreachable lines of a run, deduplicated and in order: what the dedupe fingerprint covers. */
export function unreachableLines(unreachable: readonly UnreachableTarget[]): string[] {
  return [...new Set([...unreachable].sort(compareTargets).map(unreachableLine))];
}

export function unreachableFingerprint(unreachable: readonly UnreachableTarget[]): string {
  return createHash('sha256').update(unreachableLines(unreachable).join('\n')).digest('hex').slice(0, 32);
}

/**
 * One message per kind for the whole organization: every target's drift in ONE digest, grouped by
 * account and region, and so on for reminders, resolved drift and notices. Unreachable targets are
 * lines of the one "scan incomplete" notice. Bodies are cut at the SNS size limit, naming the full
 * report. Attributes carry every pool id, account and region the message is about.
 */
export function aggregateMessages(run: OrganizationRun): AlertMessage[] {
  const byKind = new Map<string, Entry[]>();
  for (const part of [...run.parts].sort((a, b) => compareTargets(a.target, b.target))) {
    for (const entry of entriesOf(part, run)) {
      const list = byKind.get(entry.message.attributes.kind) ?? [];
      list.push(entry);
      byKind.set(entry.message.attributes.kind, list);
    }
  }
  const lines = run.unreachableAlreadySent ? [] : unreachableLines(run.unreachable);
  if (lines.length > 0 && !byKind.has('scan-incomplete')) byKind.set('scan-incomplete', []);
  const kinds = [...byKind.keys()].sort(
    (a, b) => rank(KIND_ORDER, a) - rank(KIND_ORDER, b) || a.localeCompare(b),
  );
  return kinds.map((kind) => {
    const entries = byKind.get(kind) ?? [];
    const extra = kind === 'scan-incomplete' ? lines : [];
    return combine(kind, entries, extra, run);
  });
}

/**
 * A target's messages, rendered from its report for its own account and region (the sections), and
 * for the organization (the subject of a digest that holds only this one).
 */
function entriesOf(part: TargetPart, run: OrganizationRun): Entry[] {
  const { target, report } = part;
  if (!report) return (part.messages ?? []).map((message) => ({ target, message }));
  const ctx: RunContext = {
    ...target,
    runId: report.runId,
    at: report.at,
    approveCommand: run.approveCommand,
    catalog: CATALOG,
    ...(report.reportLocation ? { reportLocation: report.reportLocation } : {}),
  };
  const own = renderRunAlerts(ctx, report.alerts);
  const organization = renderRunAlerts({ ...ctx, ...ORGANIZATION_OF_ONE }, report.alerts);
  return own.map((message, i) => ({ target, message, organizationSubject: organization[i]?.subject }));
}

/** Where a digest of one target's message says it comes from. */
const ORGANIZATION_OF_ONE = { accountId: 'organization', region: '1 account' };

function combine(kind: string, entries: Entry[], extraLines: string[], run: OrganizationRun): AlertMessage {
  const severity = entries
    .map((e) => e.message.attributes.severity)
    .filter((s): s is string => s !== undefined)
    .sort((a, b) => rank(SEVERITY_ORDER, b) - rank(SEVERITY_ORDER, a))[0];
  const accounts = [...new Set(entries.map((e) => e.target.accountId))].sort();
  const regions = [...new Set(entries.map((e) => e.target.region))].sort();
  const header = [
    `cognito-drift organization run ${run.orgRunId} at ${run.startedAt}: ${kind} in ${entries.length} target${entries.length === 1 ? '' : 's'}` +
      (extraLines.length > 0 ? `, and ${extraLines.length} unreachable` : '') +
      '.',
    '',
  ];
  const sections: string[][] = [];
  if (extraLines.length > 0) {
    sections.push([
      'Targets that could not be scanned. Nothing in them was compared or reported as removed:',
      ...extraLines.map((l) => `  ${l}`),
      '',
    ]);
  }
  for (const { target, message } of entries) {
    sections.push([
      `=== Account ${target.accountId}, region ${target.region}: ${message.subject}`,
      message.body,
      '',
    ]);
  }
  const first = entries[0];
  const only = entries.length === 1 && extraLines.length === 0 ? first?.organizationSubject : undefined;
  return {
    subject:
      only ??
      formatSubject(
        { accountId: 'organization', region: `${countOf(accounts.length, 'account')}` },
        `${severity ? `${severity} ` : ''}${kind} in ${countOf(entries.length + extraLines.length, 'target')}`,
      ),
    body: fitDigest(header, sections, run.reportLocation),
    attributes: {
      kind,
      ...(severity ? { severity } : kind === 'scan-incomplete' ? { severity: 'HIGH' } : {}),
      poolIds: [...new Set(entries.flatMap((e) => e.message.attributes.poolIds))].sort(),
      accounts: [
        ...new Set([...accounts, ...(kind === 'scan-incomplete' ? unreachableAccounts(run) : [])]),
      ].sort(),
      regions,
    },
  };
}

function unreachableAccounts(run: OrganizationRun): string[] {
  return run.unreachableAlreadySent ? [] : run.unreachable.map((u) => u.accountId);
}

function fitDigest(header: string[], sections: string[][], reportLocation?: string): string {
  const footer = reportLocation ? ['', `Full JSON report: ${reportLocation}`] : [];
  const budget = MAX_BODY_BYTES - Buffer.byteLength(footer.join('\n')) - 400;
  const all = [...header, ...sections.flat().flatMap((block) => block.split('\n'))];
  const kept: string[] = [];
  let bytes = 0;
  for (const [index, line] of all.entries()) {
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > budget) {
      kept.push(
        '',
        `... message truncated: ${all.length - index} more lines not shown (SNS messages are limited to 256 KB).`,
      );
      break;
    }
    kept.push(line);
    bytes += size;
  }
  return [...kept, ...footer].join('\n');
}

function rank(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i < 0 ? order.length : i;
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
