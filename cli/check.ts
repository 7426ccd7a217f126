import type { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import { SnsNotifier } from '../lambda/adapters/sns-notifier.js';
import { forEachConcurrently } from '../lambda/concurrency.js';
import { keys, targetKey } from '../lambda/core/documents.js';
import { escapeControl } from '../lambda/core/escape.js';
import type { DocumentStore, Logger } from '../lambda/core/ports.js';
import { countOf } from '../lambda/core/render.js';
import { ConfigError, UsageError } from '../lambda/errors.js';
import { aggregateMessages } from '../lambda/org/aggregate.js';
import { AssumeRoleError } from '../lambda/org/credentials.js';
import { migrateSingleTargetLayout } from '../lambda/org/migrate.js';
import { markAlerted } from '../lambda/org/organization-run.js';
import { type ScanTarget, targetName, type UnreachableTarget } from '../lambda/org/target.js';
import { approveHint, currentInstallation } from '../lambda/run/approve-hint.js';
import type { RunResult } from '../lambda/run/detector.js';
import { type RunSettings, runPolicy } from '../lambda/run/run-policy.js';
import { scanOne, targetStore } from '../lambda/run/scan-service.js';
import { defaultSchedulePeriodMinutes, readEnvSetting } from '../lambda/settings.js';
import { EXIT, reportRuns, type TargetRun } from './check-report.js';
import { type CommandContext, callerIdentity, commandContext, type StoreOptions } from './context.js';
import { loadIgnoreRules } from './ignore-file.js';
import { type Io, stderrLogger } from './output.js';
import {
  fromFlag,
  readTargetSelection,
  TargetAccess,
  type TargetOptions,
  TargetProgress,
} from './targets.js';

export { EXIT };

export interface CheckOptions extends StoreOptions, TargetOptions {
  topic?: string;
  quotaShare?: string;
  reminderHours?: string;
  /** `--deployed-changes`: alert, notify or approve (default: $DEPLOYED_CHANGES, else alert). */
  deployedChanges?: string;
  surfaces?: string;
  ignoreFile?: string;
  json?: boolean;
  /** `text` (default), `json` (as --json) or `markdown`. */
  format?: 'text' | 'json' | 'markdown';
  verbose?: boolean;
}

/**
 * `check` (persist: true) scans with the Lambda's engine, records snapshots and alerts;
 * `diff` (persist: false) only shows pending drift and writes nothing. Each (account, region) target
 * is scanned with its own reader and pacer, on its own documents, several at once.
 */
export async function runCheck(options: CheckOptions, io: Io, persist: boolean): Promise<number> {
  const ctx = await commandContext(options, io, { createFolder: persist });
  const selection = readTargetSelection(options, io);
  const quotaShare = fromFlag('quotaShare', options.quotaShare, io);
  const reminderHours = fromFlag('reminderIntervalHours', options.reminderHours, io);
  const surfaces = fromFlag('surfaces', options.surfaces, io);
  const ignore = await loadIgnoreRules(options.ignoreFile, io.env.IGNORE_RULES);
  const topic = persist ? (options.topic ?? io.env.ALERT_TOPIC_ARN) : undefined;
  // A missing region surfaces here; main() turns the SDK's error into one clear message.
  const stackRegion = await ctx.clients.cognito.config.region();
  const identity = await callerIdentity(ctx.clients);
  // Without credentials every read would fail: stop before scanning, rather than report a run that
  // checked nothing as an incomplete scan (or record an empty baseline).
  if ('missingCredentials' in identity) throw new ConfigError(identity.error);
  const selfAccountId = 'account' in identity ? identity.account : io.env.AWS_ACCOUNT_ID;
  if (!selfAccountId) {
    // Documents are kept under their account: a guess would put them where no run looks.
    throw new ConfigError(
      `Cannot tell which account these credentials belong to (STS GetCallerIdentity failed: ${'error' in identity ? identity.error : 'no account'}). Set AWS_ACCOUNT_ID to it. Nothing was read.`,
    );
  }
  const self: ScanTarget = { accountId: selfAccountId, region: stackRegion };
  await moveFormerLayout(ctx, self, io, persist);
  if (!persist && !(await hasAnyBaseline(ctx))) {
    // Without baselines every pool would be "new", and diff (unlike check) records none: saying
    // "no drift" here would be a false all-clear, typically from a wrong --bucket / --dir.
    throw new UsageError(
      `No baselines in ${ctx.store.location}: nothing to compare with. Run \`cognito-drift check\` once to record them${options.bucket || options.dir ? '' : ', or pass the --bucket / --dir that holds them'}.`,
    );
  }

  const access = new TargetAccess(ctx, selection, selfAccountId, stackRegion, io);
  const listing = selection.single ? { targets: [self], unreachable: [] } : await access.list();
  const settings: RunSettings = {
    reminderIntervalMs: reminderHours * 3_600_000,
    ignore,
    secretPolicy: {
      rotationWindowDays: readEnvSetting(io.env, 'rotationWindowDays'),
      maxSecretAgeDays: readEnvSetting(io.env, 'maxSecretAgeDays'),
    },
    schedulePeriodMinutes: readEnvSetting(io.env, 'schedulePeriodMinutes') ?? defaultSchedulePeriodMinutes(),
    deployedChanges: fromFlag('deployedChanges', options.deployedChanges, io),
  };
  // Spelled for how this CLI was installed: `npx cognito-drift approve` or, in a clone, `npm run approve --`.
  const approve = {
    installation: currentInstallation(),
    store: ctx.bucket !== undefined ? { bucket: ctx.bucket } : { dir: ctx.store.location },
  };
  const approveCommand = approveHint(approve);
  const board = new TargetProgress(io, listing.targets);
  // Several targets and a topic: one digest for them all, as the deployed organization run sends,
  // published once every target is done; each target's alert marks are set after it went out.
  const oneDigest = Boolean(topic) && !selection.single;
  const startedAt = new Date();
  const runs: TargetRun[] = listing.targets.map((target) => ({ target, messages: [] }));

  await forEachConcurrently(runs, selection.maxConcurrentTargets, async (run) => {
    const { target } = run;
    board.status(target, 'scanning');
    let reader: CognitoReader;
    try {
      reader = await access.reader(target, surfaces, quotaShare);
    } catch (error) {
      if (!(error instanceof AssumeRoleError)) {
        run.error = error;
        board.status(target, 'failed');
        return;
      }
      // Nothing in the account is compared, so nothing there can be reported removed.
      run.unreachable = `cannot assume role in ${target.accountId}`;
      board.status(target, 'unreachable');
      return;
    }
    const logger = stderrLogger(io, Boolean(options.verbose));
    let result: RunResult;
    try {
      result = await scanOne(
        {
          reader,
          store: targetStore(ctx.documents, target),
          // With --json and no topic, the messages are part of the JSON output instead; printed
          // ones wait for the run, so that parallel targets do not interleave.
          notifier:
            topic && !oneDigest
              ? new SnsNotifier(ctx.clients.sns, topic)
              : { publish: async (message) => void run.messages.push(message) },
          attribute: await access.attributor(target, quotaShare),
          logger: selection.single ? logger : prefixed(logger, targetName(target)),
          now: () => new Date(),
        },
        {
          target,
          policy: runPolicy(settings, { poolConcurrency: reader.poolConcurrency, approve }),
          // Printed (or put in the JSON) is not delivered: the deployed detector must still alert.
          // The one digest of several targets is marked once it is out, below.
          mode: persist
            ? { kind: 'sweep', alerts: topic && !oneDigest ? 'delivered' : 'pending' }
            : { kind: 'look-only' },
          onProgress: (done, total) => board.pools(target, done, total),
        },
      );
    } catch (error) {
      run.error = error;
      board.status(target, 'failed');
      return;
    }
    run.result = result;
    const listing = result.listingFailure?.kind;
    if (listing === 'refused')
      run.unreachable = `region ${target.region} is not enabled in account ${target.accountId}`;
    if (listing === 'not-offered') run.notOffered = `Cognito is not offered in ${target.region}`;
    const incomplete = result.readProblems.length + result.storeProblems.length > 0 || result.skipped;
    board.status(target, run.unreachable ? 'unreachable' : incomplete ? 'incomplete' : 'done');
  });

  if (oneDigest && topic) {
    await publishOneDigest(
      runs,
      listing.unreachable,
      startedAt,
      new SnsNotifier(ctx.clients.sns, topic),
      ctx,
      approveCommand,
    );
  }
  return reportRuns(runs, listing.unreachable, {
    io,
    persist,
    format: options.format ?? (options.json ? 'json' : 'text'),
    alertsPublished: Boolean(topic),
    single: selection.single,
    approveCommand,
  });
}

/**
 * Publishes the messages of several targets as one organization digest per kind (grouped by account
 * and region, unreachable targets as lines of one "scan incomplete" notice), then records what was
 * alerted in each target's state. A failed publish records nothing: the next run sends it again.
 */
async function publishOneDigest(
  runs: readonly TargetRun[],
  unlisted: readonly UnreachableTarget[],
  startedAt: Date,
  notifier: SnsNotifier,
  ctx: CommandContext,
  approveCommand: (poolId: string) => string,
): Promise<void> {
  const unreachable = [
    ...unlisted,
    ...runs.flatMap((run) => (run.unreachable ? [{ ...run.target, reason: run.unreachable }] : [])),
  ];
  const parts = runs.filter((run) => !run.unreachable && run.messages.length > 0);
  const messages = aggregateMessages({
    orgRunId: startedAt.toISOString().replace(/[:.]/g, '-'),
    startedAt: startedAt.toISOString(),
    parts: parts.flatMap(({ target, result }) =>
      result?.startedAt
        ? [
            {
              target,
              report: {
                runId: result.runId,
                at: result.startedAt,
                ...(result.reportLocation ? { reportLocation: result.reportLocation } : {}),
                alerts: result.alerts,
              },
            },
          ]
        : [],
    ),
    approveCommand,
    unreachable,
  });
  for (const message of messages) await notifier.publish(message);
  for (const run of runs) {
    const marks = run.result?.alertMarks;
    if (marks && !run.unreachable) await markAlerted(ctx.documents, run.target, marks, silentLogger);
  }
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The documents of the layout before account/region folders (`baselines/<poolId>.json`) are those
 * of the caller's account in the configured region: `check` moves them there in place (copies,
 * create-only; the old keys stay, with their history), as the deployed detector does on its first
 * run. `diff` writes nothing, so it asks for one `check` first.
 */
async function moveFormerLayout(
  ctx: CommandContext,
  self: ScanTarget,
  io: Io,
  persist: boolean,
): Promise<void> {
  if (!(await hasFormerLayout(ctx.documents, self))) return;
  if (!persist) {
    throw new UsageError(
      `${ctx.store.location} still has the layout from before account/region folders (baselines/<poolId>.json). Run \`cognito-drift check\` with the same store once (it moves the documents in place and keeps the old ones), or let the deployed detector run, then diff again.`,
    );
  }
  const moved = await migrateSingleTargetLayout(ctx.documents, self);
  if (moved.copied > 0) {
    io.stderr.write(
      `${escapeControl(`Moved ${countOf(moved.copied, 'document')} of the former layout (baselines/<poolId>.json) to account ${self.accountId}, region ${self.region} (baselines/${self.accountId}/${self.region}/...); the old files stay, with their history.`)}\n`,
    );
  }
}

/** Whether the store holds documents of the former, flat layout not yet moved to this target. */
export async function hasFormerLayout(documents: DocumentStore, self: ScanTarget): Promise<boolean> {
  if (await documents.get(targetKey(self, keys.state))) return false;
  if (await documents.get(keys.state)) return true;
  const listed = await documents.list(keys.baselinePrefix);
  return listed.some(
    (o) => o.key.endsWith('.json') && !o.key.slice(keys.baselinePrefix.length).includes('/'),
  );
}

/** Whether any target of the store has a baseline or a state: something to compare with. */
async function hasAnyBaseline(ctx: CommandContext): Promise<boolean> {
  if ((await ctx.documents.list(keys.baselinePrefix)).length > 0) return true;
  return (await ctx.documents.list('state/')).some((o) => o.key.endsWith('/detector-state.json'));
}

/** The target's name before each log line, when several targets log at once. */
function prefixed(logger: Logger, name: string): Logger {
  const tag = (m: string) => `${name}: ${m}`;
  return {
    debug: (m, e) => logger.debug(tag(m), e),
    info: (m, e) => logger.info(tag(m), e),
    warn: (m, e) => logger.warn(tag(m), e),
    error: (m, e) => logger.error(tag(m), e),
  };
}
