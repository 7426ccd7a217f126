import { Writable } from 'node:stream';
import { escapeControl, escapeLines, jsonForHumans } from '../lambda/core/escape.js';
import type { AlertMessage } from '../lambda/core/ports.js';
import { countOf } from '../lambda/core/render.js';
import { describeError } from '../lambda/errors.js';
import {
  compareTargets,
  type ScanTarget,
  targetName,
  type UnreachableTarget,
  unreachableLine,
} from '../lambda/org/target.js';
import type { RunResult } from '../lambda/run/detector.js';
import { warnUnmatched } from './ignore-file.js';
import { type MarkdownTarget, renderMarkdown } from './markdown.js';
import { formatFindings, type Io, painter, StdoutNotifier } from './output.js';

/**
 * How `check` and `diff` report what their targets gave: text or JSON on stdout, problems on stderr,
 * and the exit code. The scanning is `check.ts`'s.
 */

/** Exit codes like `terraform plan -detailed-exitcode`: 0 no drift, 1 error, 2 drift. */
export const EXIT = { clean: 0, error: 1, drift: 2 } as const;

/** What scanning one (account, region) gave. */
export interface TargetRun {
  target: ScanTarget;
  result?: RunResult;
  /** The messages the run produced (printed unless they went to a topic or into the JSON). */
  messages: AlertMessage[];
  /** Why nothing there was compared (role not assumable, region not enabled). */
  unreachable?: string;
  /** Cognito has no endpoint in that region: nothing to scan, not an error. */
  notOffered?: string;
  /** An error that stopped this target's scan (the other targets go on). */
  error?: unknown;
}

/** How `check` or `diff` asked for its results. */
export interface ReportRequest {
  io: Io;
  /** The run stored what it found (the summary says so). */
  persist: boolean;
  format: 'text' | 'json' | 'markdown';
  /** The alert messages went to a topic: not printed again. */
  alertsPublished: boolean;
  /** One target, reported as before targets existed. */
  single: boolean;
  approveCommand: (poolId: string) => string;
}

/** Reports the runs in the requested format; the exit code. */
export function reportRuns(
  runs: readonly TargetRun[],
  unlisted: readonly UnreachableTarget[],
  { io, persist, format, alertsPublished, single, approveCommand }: ReportRequest,
): number {
  if (format === 'markdown') {
    // stdout gets the markdown alone; the summaries are not printed, errors and warnings still go to stderr.
    io.stdout.write(renderMarkdown(markdownTargets(runs, unlisted), { approveCommand }));
    const style = { io: { ...io, stdout: discard() }, persist, json: false, printMessages: false };
    return reportAll(runs, unlisted, style, single);
  }
  const json = format === 'json';
  return reportAll(runs, unlisted, { io, persist, json, printMessages: !alertsPublished && !json }, single);
}

/** How the results are reported: where, as JSON or text, and whether the alert messages are printed. */
interface ReportStyle {
  io: Io;
  /** The run stored what it found (the summary says so). */
  persist: boolean;
  json: boolean;
  printMessages: boolean;
}

/** Reports one target as before targets existed, or several with their account and region; the exit code. */
function reportAll(
  runs: readonly TargetRun[],
  unlisted: readonly UnreachableTarget[],
  style: ReportStyle,
  single: boolean,
): number {
  if (single) {
    const run = runs[0] as TargetRun;
    if (style.printMessages) printAlerts(run.messages, style.io);
    if (run.error) throw run.error;
    return reportSingle(run, style);
  }
  return reportTargets(runs, unlisted, style);
}

/** The runs and the targets not listed, as the markdown report shows them. */
function markdownTargets(
  runs: readonly TargetRun[],
  unlisted: readonly UnreachableTarget[],
): MarkdownTarget[] {
  return [
    ...runs.map((run) => ({
      ...run.target,
      ...(run.result && !run.result.skipped ? { result: run.result } : {}),
      ...(run.unreachable || run.notOffered ? { unreachable: run.unreachable ?? run.notOffered } : {}),
    })),
    ...unlisted.map((u) => ({
      accountId: u.accountId,
      region: u.region ?? 'every region',
      unreachable: u.reason,
    })),
  ];
}

/** A stdout that takes everything and shows nothing. */
function discard(): Io['stdout'] {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** The one target of a default scan, reported as before targets existed. */
function reportSingle(run: TargetRun, { io, persist, json }: ReportStyle): number {
  const result = run.result;
  if (run.unreachable || !result) {
    // The region is not enabled (the caller's own role is always usable): nothing was compared.
    const reason = run.unreachable ?? 'nothing was scanned';
    if (json) {
      const report = result ? jsonReport(result, run.target) : { ...run.target };
      io.stdout.write(`${jsonForHumans({ ...report, unreachable: [{ ...run.target, reason }] }, 2)}\n`);
    }
    io.stderr.write(`${painter(io.stderr, io.env)('red', escapeControl(`scan incomplete: ${reason}`))}\n`);
    return EXIT.error;
  }
  if (result.skipped) {
    io.stderr.write(
      `error: nothing checked: ${escapeControl(result.skipped)}. Try again when it has finished.\n`,
    );
    return EXIT.error;
  }
  if (json) {
    io.stdout.write(`${jsonForHumans(jsonReport(result, run.target), 2)}\n`);
  } else {
    printSummary(result, io, persist);
    printProblems(result, io);
    warnUnmatched(result.unmatchedIgnoreRules, io);
  }
  if (run.notOffered) io.stderr.write(`note: ${escapeControl(run.notOffered)}\n`);
  // An incomplete scan wins over drift: 1 says "this is not the whole picture", even with drift shown.
  if (result.readProblems.length > 0 || result.storeProblems.length > 0) return EXIT.error;
  return result.pools.some((p) => p.findings.length > 0) ? EXIT.drift : EXIT.clean;
}

/**
 * Several targets: each one's alerts and summary under its account and region, in that order; then
 * one "scan incomplete" line per unreachable account or region (nothing there is compared or removed).
 */
function reportTargets(
  runs: readonly TargetRun[],
  unlisted: readonly UnreachableTarget[],
  { io, persist, json, printMessages }: ReportStyle,
): number {
  const unreachable: UnreachableTarget[] = [...unlisted];
  const notes = new Set<string>();
  const scanned: RunResult[] = [];
  let incomplete = false;
  let drift = false;
  for (const run of runs) {
    if (run.unreachable) unreachable.push({ ...run.target, reason: run.unreachable });
    if (run.notOffered) notes.add(run.notOffered);
    if (run.unreachable || run.notOffered) continue;
    const result = run.result;
    if (run.error || !result || result.skipped) {
      incomplete = true;
      continue;
    }
    scanned.push(result);
    if (result.readProblems.length > 0 || result.storeProblems.length > 0) incomplete = true;
    if (result.pools.some((p) => p.findings.length > 0)) drift = true;
  }
  if (unreachable.length > 0) incomplete = true;
  unreachable.sort(compareTargets);

  if (json) {
    const targets = runs.map((run) => {
      if (run.unreachable) return { ...run.target, status: 'unreachable', reason: run.unreachable };
      if (run.notOffered) return { ...run.target, status: 'not-offered', reason: run.notOffered };
      if (run.error || !run.result)
        return { ...run.target, status: 'failed', reason: describeError(run.error) };
      if (run.result.skipped) return { ...run.target, status: 'skipped', reason: run.result.skipped };
      return { status: 'scanned', ...jsonReport(run.result, run.target) };
    });
    io.stdout.write(`${jsonForHumans({ targets, unreachable }, 2)}\n`);
  } else {
    const paint = painter(io.stdout, io.env);
    for (const run of runs) {
      if (run.unreachable || run.notOffered) continue;
      io.stdout.write(
        `${paint('bold', escapeControl(`== Account ${run.target.accountId}, region ${run.target.region}`))}\n`,
      );
      if (printMessages) printAlerts(run.messages, io);
      if (run.result && !run.result.skipped && !run.error) {
        printSummary(run.result, io, persist);
        printProblems(run.result, io, targetName(run.target));
      }
      io.stdout.write('\n');
    }
  }
  const errPaint = painter(io.stderr, io.env);
  for (const run of runs) {
    const name = targetName(run.target);
    if (run.error) {
      io.stderr.write(`${errPaint('red', escapeLines(`error: ${name}: ${describeError(run.error)}`))}\n`);
    } else if (run.result?.skipped) {
      io.stderr.write(
        `${errPaint('red', escapeControl(`error: ${name}: nothing checked: ${run.result.skipped}. Try again when it has finished.`))}\n`,
      );
    }
  }
  // The same reason for several regions of one account (its role is missing) is one line.
  for (const line of new Set(unreachable.map(unreachableLine))) {
    io.stderr.write(`${errPaint('red', escapeControl(line))}\n`);
  }
  for (const note of notes) io.stderr.write(`note: ${escapeControl(note)}\n`);
  if (!json) {
    // A rule is a typo only if it matched nothing in any target.
    const [first, ...rest] = scanned;
    const unmatched = (first?.unmatchedIgnoreRules ?? []).filter((rule) =>
      rest.every((r) => r.unmatchedIgnoreRules.includes(rule)),
    );
    warnUnmatched(unmatched, io);
  }
  if (incomplete) return EXIT.error;
  return drift ? EXIT.drift : EXIT.clean;
}

/** The alert messages as the topic would get them, on stdout. */
function printAlerts(messages: readonly AlertMessage[], io: Io): void {
  const notifier = new StdoutNotifier(io);
  for (const message of messages) void notifier.publish(message);
}

/** What was recorded or found, in a few lines (the findings in full). */
function printSummary(result: RunResult, io: Io, persist: boolean): void {
  const paint = painter(io.stdout, io.env);
  const findings = result.pools.flatMap((p) => p.findings);
  const out: string[] = [];
  if (result.firstRun && persist) {
    out.push(
      paint(
        'green',
        `Baseline recorded for ${countOf(result.poolsScanned, 'pool')} and ${countOf(result.clientsScanned, 'client')}.`,
      ),
    );
  } else if (findings.length === 0) {
    const problems = result.readProblems.length + result.storeProblems.length;
    // Beside errors, "No drift in 0 pools" reads as "all clear": say only what was compared, if anything.
    if (problems > 0 && result.poolsScanned === 0) return;
    out.push(
      problems === 0
        ? paint(
            'green',
            `No drift in ${countOf(result.poolsScanned, 'pool')} and ${countOf(result.clientsScanned, 'client')}.`,
          )
        : paint(
            'yellow',
            `No drift in the ${countOf(result.poolsScanned, 'pool')} compared; the errors kept the rest from being compared.`,
          ),
    );
  } else {
    const pools = result.pools.filter((p) => p.findings.length > 0).length;
    out.push(
      paint(
        'bold',
        `${countOf(findings.length, 'change')} in ${countOf(pools, 'pool')} since the approved baseline:`,
      ),
      '',
    );
    out.push(formatFindings(findings, io));
  }
  out.push(...approvedDeploymentLines(result, paint));
  io.stdout.write(`${out.join('\n')}\n`);
}

/** The pools whose deployed drift was recorded as baseline (`deployedChanges` = approve). */
function approvedDeploymentLines(result: RunResult, paint: ReturnType<typeof painter>): string[] {
  const approved = result.approvedDeployments ?? [];
  if (approved.length === 0) return [];
  return [
    '',
    paint(
      'green',
      `Recorded as the new baseline (deployedChanges=approve): ${countOf(approved.length, 'pool')}`,
    ),
    ...approved.map((a) =>
      escapeControl(
        `  ${a.poolName} (${a.poolId}): ${countOf(a.changes, 'change')} deployed by stack ${a.stack} (CloudTrail event ${a.eventId})`,
      ),
    ),
  ];
}

/** Problems are errors: stderr, so that stdout stays the result. Named by target when there are several. */
function printProblems(result: RunResult, io: Io, target?: string): void {
  const errPaint = painter(io.stderr, io.env);
  for (const problem of [...result.readProblems, ...result.storeProblems]) {
    const where = target ? `${target}: ` : '';
    io.stderr.write(
      `${errPaint('red', escapeControl(`error: ${where}${problem.what}: ${problem.reason}`))}\n`,
    );
  }
}

/** One target's result as the JSON output gives it. */
function jsonReport(result: RunResult, target: ScanTarget) {
  return {
    accountId: target.accountId,
    region: target.region,
    runId: result.runId,
    firstRun: result.firstRun,
    poolsScanned: result.poolsScanned,
    clientsScanned: result.clientsScanned,
    drift: result.pools.filter((p) => p.findings.length > 0),
    ...(result.approvedDeployments ? { approvedDeployments: result.approvedDeployments } : {}),
    readProblems: result.readProblems,
    storeProblems: result.storeProblems,
    unmatchedIgnoreRules: result.unmatchedIgnoreRules,
    messages: result.messages,
  };
}
