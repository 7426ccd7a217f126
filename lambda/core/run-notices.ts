import type { AlertMessage } from './ports.js';
import type { PostureSummary } from './posture.js';
import { renderPostureSummary } from './posture-render.js';
import type { NotReadableNotice, NowReadableNotice } from './references.js';
import {
  bodyLines,
  countOf,
  fitBody,
  formatSubject,
  plural,
  type RunContext,
  surfacePlural,
} from './render.js';

/**
 * The run-level notices: what a run says about itself rather than about a pool's drift (the first
 * baseline, surfaces newly watched, what could not be read or used, drift resolved).
 */

/**
 * The first-run notice: what is now watched, and how many of its settings are risky by a public
 * control (recording them as baseline does not approve them).
 */
export function renderBaselineCreated(
  ctx: RunContext,
  pools: number,
  clients: number,
  posture?: PostureSummary,
): AlertMessage {
  const what = `${pools} user pool${plural(pools)} and ${clients} app client${plural(clients)}`;
  return {
    subject: formatSubject(
      ctx,
      `Baseline recorded: watching ${pools} pool${plural(pools)}, ${clients} client${plural(clients)}`,
    ),
    body: bodyLines([
      `cognito-drift recorded the current configuration of ${what} in account ${ctx.accountId}, region ${ctx.region} as the approved baseline.`,
      '',
      'From now on you will get one email per run when a pool or app client differs from it.',
      ...renderPostureSummary(posture),
      `Run ${ctx.runId} at ${ctx.at}.`,
    ]),
    attributes: { kind: 'baseline-created', poolIds: [] },
  };
}

/**
 * After an upgrade (or a surface turned on): the surfaces now also watched, whose current state was
 * recorded as baseline with no drift reported. Sent once, by the run that recorded them.
 */
export function renderNowWatching(
  ctx: RunContext,
  surfaces: readonly string[],
  identityPools: number,
): AlertMessage {
  const labels = surfaces.map((s) => surfacePlural(ctx.catalog, s));
  return {
    subject: formatSubject(ctx, `Now also watching ${labels.length} more surface${plural(labels.length)}`),
    body: [
      `cognito-drift now also watches ${labels.join(', ')} in account ${ctx.accountId}, region ${ctx.region}.`,
      '',
      "Their current state was added to each pool's approved baseline; no drift is reported for them this run.",
      ...(identityPools > 0 ? [`${countOf(identityPools, 'identity pool')} recorded as baseline.`] : []),
      'Earlier approvals are kept. From now on, changes to these are alerted like any other drift.',
      `Run ${ctx.runId} at ${ctx.at}.`,
    ].join('\n'),
    attributes: { kind: 'now-watching', poolIds: [] },
  };
}

/** What could not be read, and why: nothing here was reported as deleted or changed. */
export interface ReadProblem {
  what: string;
  reason: string;
}

/** What could not be read: a HIGH notice, since drift there is unknown. */
export function renderScanIncomplete(ctx: RunContext, problems: readonly ReadProblem[]): AlertMessage {
  return problemNotice(
    ctx,
    'scan-incomplete',
    `Scan incomplete: ${problems.length} item${plural(problems.length)} unreadable`,
    [
      `cognito-drift could not read ${problems.length} item${plural(problems.length)} in account ${ctx.accountId}, region ${ctx.region}.`,
      '',
      'What could not be read was NOT treated as deleted or changed, and its baseline was left as it is.',
      'Drift in those items is unknown until a run can read them. Everything else was checked as usual.',
    ],
    problems,
  );
}

/** Stored documents the run cannot use: a HIGH notice, since their pools were not compared. */
export function renderStoreProblems(ctx: RunContext, problems: readonly ReadProblem[]): AlertMessage {
  return problemNotice(
    ctx,
    'store-problem',
    `Unusable stored documents: ${problems.length}`,
    [
      `cognito-drift found ${problems.length} stored document${plural(problems.length)} it cannot use, in account ${ctx.accountId}, region ${ctx.region}.`,
      '',
      'Those pools were not compared and nothing was overwritten; the other pools were checked as usual.',
      'An unusable baseline is replaced by approving its pool again (the state the detector last recorded,',
      'shown before it is written); restore any other document from an earlier version of it.',
    ],
    problems,
  );
}

/** A HIGH notice about no pool in particular: what it means, then one line per problem. */
function problemNotice(
  ctx: RunContext,
  kind: string,
  subject: string,
  explanation: readonly string[],
  problems: readonly ReadProblem[],
): AlertMessage {
  return {
    subject: formatSubject(ctx, subject),
    body: fitBody([...explanation, '', ...problems.map((p) => `  - ${p.what}: ${p.reason}`)], [], ctx),
    attributes: { kind, severity: 'HIGH', poolIds: [] },
  };
}

/**
 * What pools point to that this account cannot read (a trigger in another account, a role the
 * detector may not read): sent once per reference, not as drift, and not again every run.
 */
export function renderNotReadable(ctx: RunContext, references: readonly NotReadableNotice[]): AlertMessage {
  const n = references.length;
  return {
    subject: formatSubject(ctx, `Not readable from this account: ${n} referenced resource${plural(n)}`),
    body: fitBody(
      [
        `cognito-drift follows what pools point to (Lambda triggers, IAM roles, KMS keys) in account ${ctx.accountId}, region ${ctx.region}.`,
        `${n === 1 ? 'This one' : 'These'} cannot be read from this account, so ${n === 1 ? 'its' : 'their'} changes are not watched.`,
        'This is not drift, and it is reported once: grant the read (docs/security.md) or accept it.',
        '',
      ],
      references.map((r) => [
        `  - ${surfaceLabel(ctx, r.surface)} ${r.resourceName}: ${r.reason}`,
        `    ${r.resourceId}`,
        `    referenced by ${r.pools.join(', ')}`,
      ]),
      ctx,
    ),
    attributes: { kind: 'not-readable', severity: 'LOW', poolIds: [] },
  };
}

/**
 * References that could not be read before and were read this run: now watched. Where a pool's
 * baseline held no state of one, its current state was recorded there (not reported as added); what
 * changed while it could not be read is unknown. Sent once per reference.
 */
export function renderNowReadable(ctx: RunContext, references: readonly NowReadableNotice[]): AlertMessage {
  const n = references.length;
  return {
    subject: formatSubject(ctx, `Now readable from this account: ${n} referenced resource${plural(n)}`),
    body: fitBody(
      [
        `cognito-drift can now read ${n === 1 ? 'this resource' : 'these resources'} that pools point to in account ${ctx.accountId}, region ${ctx.region}, and watches ${n === 1 ? 'it' : 'them'} from now on.`,
        "Where a pool's baseline had no state of one (it was never read), its current state was recorded as that baseline:",
        'review it, as changes made while it could not be read are not known. Elsewhere it is compared with the baseline as usual.',
        '',
      ],
      references.map((r) => [
        `  - ${surfaceLabel(ctx, r.surface)} ${r.resourceName}`,
        `    ${r.resourceId}`,
        `    referenced by ${r.pools.join(', ')}`,
        ...(r.recordedIn.length > 0
          ? [`    current state recorded as the baseline of ${r.recordedIn.join(', ')}`]
          : []),
      ]),
      ctx,
    ),
    attributes: { kind: 'now-readable', severity: 'LOW', poolIds: [] },
  };
}

function surfaceLabel(ctx: RunContext, surface: string): string {
  return ctx.catalog.entries.find((e) => e.name === surface)?.label ?? surface;
}

/** Pools whose drift went away since it was alerted (reverted or approved). */
export function renderResolved(
  ctx: RunContext,
  pools: readonly { poolId: string; poolName: string }[],
): AlertMessage {
  return {
    subject: formatSubject(ctx, `Resolved: drift gone in ${pools.length} pool${plural(pools.length)}`),
    body: fitBody(
      [
        `The drift alerted earlier is gone (reverted or approved) in account ${ctx.accountId}, region ${ctx.region}:`,
        '',
        ...pools.map((p) => `  - ${p.poolName} (${p.poolId})`),
      ],
      [],
      ctx,
    ),
    attributes: { kind: 'resolved', poolIds: pools.map((p) => p.poolId) },
  };
}
