import { readFile } from 'node:fs/promises';
import { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import { SnsNotifier } from '../lambda/adapters/sns-notifier.js';
import { escapeControl, jsonForHumans } from '../lambda/core/escape.js';
import { type IgnoreRules, NO_IGNORE_RULES, parseIgnoreRules } from '../lambda/core/ignore.js';
import { countOf } from '../lambda/core/render.js';
import { ConfigError, UsageError } from '../lambda/errors.js';
import { type RunResult, runDetection } from '../lambda/run/detector.js';
import { envName, flagOf, readEnvSetting, readSetting, type TextSetting } from '../lambda/settings.js';
import { callerIdentity, commandContext, type StoreOptions } from './context.js';
import { formatFindings, type Io, painter, progress, StdoutNotifier, stderrLogger } from './output.js';

export interface CheckOptions extends StoreOptions {
  topic?: string;
  quotaShare?: string;
  reminderHours?: string;
  surfaces?: string;
  ignoreFile?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Exit codes like `terraform plan -detailed-exitcode`: 0 no drift, 1 error, 2 drift. */
export const EXIT = { clean: 0, error: 1, drift: 2 } as const;

/**
 * `check` (persist: true) scans with the Lambda's engine, records snapshots and alerts;
 * `diff` (persist: false) only shows pending drift and writes nothing.
 */
export async function runCheck(options: CheckOptions, io: Io, persist: boolean): Promise<number> {
  const ctx = await commandContext(options, io, { createFolder: persist });
  const quotaShare = fromFlag('quotaShare', options.quotaShare, io);
  const reminderHours = fromFlag('reminderIntervalHours', options.reminderHours, io);
  const ignore = await loadIgnoreRules(options.ignoreFile, io.env.IGNORE_RULES);
  if (!persist && (await ctx.store.listBaselines()).size === 0 && !(await ctx.store.getState())) {
    // Without baselines every pool would be "new", and diff (unlike check) records none: saying
    // "no drift" here would be a false all-clear, typically from a wrong --bucket / --dir.
    throw new UsageError(
      `No baselines in ${ctx.store.location}: nothing to compare with. Run \`cognito-drift check\` once to record them${options.bucket || options.dir ? '' : ', or pass the --bucket / --dir that holds them'}.`,
    );
  }
  const topic = persist ? (options.topic ?? io.env.ALERT_TOPIC_ARN) : undefined;
  // A missing region surfaces here; main() turns the SDK's error into one clear message.
  const region = await ctx.clients.cognito.config.region();
  const identity = await callerIdentity(ctx.clients);
  // Without credentials every read would fail: stop before scanning, rather than report a run that
  // checked nothing as an incomplete scan (or record an empty baseline).
  if ('missingCredentials' in identity) throw new ConfigError(identity.error);
  const accountId = 'account' in identity ? identity.account : (io.env.AWS_ACCOUNT_ID ?? 'unknown-account');
  const reader = new CognitoReader({
    client: ctx.clients.cognito,
    identityClient: ctx.clients.identity,
    wafClient: ctx.clients.wafv2,
    surfaces: fromFlag('surfaces', options.surfaces, io),
    quotaShare,
  });
  const location = ctx.kind === 's3' ? `--bucket ${ctx.bucket}` : `--dir ${ctx.store.location}`;

  const result = await runDetection(
    {
      reader,
      store: ctx.store,
      // With --json and no topic, the messages are part of the JSON output instead.
      notifier: topic
        ? new SnsNotifier(ctx.clients.sns, topic)
        : options.json
          ? { publish: async () => {} }
          : new StdoutNotifier(io),
      logger: stderrLogger(io, Boolean(options.verbose)),
      now: () => new Date(),
    },
    {
      accountId,
      region,
      reminderIntervalMs: reminderHours * 3_600_000,
      approveCommand: (poolId) => `npm run approve -- --pool ${poolId} ${location}`,
      safetyMarginMs: 0,
      poolConcurrency: reader.poolConcurrency,
      maxRunAgeMs: 6 * 3_600_000,
      ignore,
      secretPolicy: {
        rotationWindowDays: readEnvSetting(io.env, 'rotationWindowDays'),
        maxSecretAgeDays: readEnvSetting(io.env, 'maxSecretAgeDays'),
      },
      persist,
      // Printed (or put in the JSON) is not delivered: the deployed detector must still alert.
      alertsDelivered: Boolean(topic),
      onProgress: progress(io),
    },
  );
  if (result.skipped) {
    io.stderr.write(
      `error: nothing checked: ${escapeControl(result.skipped)}. Try again when it has finished.\n`,
    );
    return EXIT.error;
  }
  const drift = result.pools.some((p) => p.findings.length > 0);
  if (options.json) {
    io.stdout.write(`${jsonForHumans(jsonReport(result, accountId, region), 2)}\n`);
  } else {
    printSummary(result, io, persist);
  }
  // An incomplete scan wins over drift: 1 says "this is not the whole picture", even with drift shown.
  if (result.readProblems.length > 0 || result.storeProblems.length > 0) return EXIT.error;
  return drift ? EXIT.drift : EXIT.clean;
}

/** A setting from its flag, else from the function's variable in the shell, else its default; errors name the flag. */
function fromFlag<K extends TextSetting>(name: K, flagValue: string | undefined, io: Io) {
  const flag = flagOf(name).split(' ')[0] as string;
  return readSetting(name, flagValue ?? io.env[envName(name)], flag);
}

async function loadIgnoreRules(file: string | undefined, fromEnv: string | undefined): Promise<IgnoreRules> {
  try {
    if (file) return parseIgnoreRules(await readFile(file, 'utf-8'), file);
    if (fromEnv) return parseIgnoreRules(fromEnv, 'IGNORE_RULES');
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
  return NO_IGNORE_RULES;
}

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
    out.push(
      paint(
        'green',
        `No drift in ${countOf(result.poolsScanned, 'pool')} and ${countOf(result.clientsScanned, 'client')}.`,
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
  io.stdout.write(`${out.join('\n')}\n`);
  // Problems are errors and warnings: stderr, so that stdout stays the result.
  const errPaint = painter(io.stderr, io.env);
  for (const problem of [...result.readProblems, ...result.storeProblems]) {
    io.stderr.write(`${errPaint('red', escapeControl(`error: ${problem.what}: ${problem.reason}`))}\n`);
  }
  for (const rule of result.unmatchedIgnoreRules) {
    io.stderr.write(
      `${errPaint('yellow', escapeControl(`warning: ignore rule matched nothing (typo?): ${rule}`))}\n`,
    );
  }
}

function jsonReport(result: RunResult, accountId: string, region: string) {
  return {
    accountId,
    region,
    runId: result.runId,
    firstRun: result.firstRun,
    poolsScanned: result.poolsScanned,
    clientsScanned: result.clientsScanned,
    drift: result.pools.filter((p) => p.findings.length > 0),
    readProblems: result.readProblems,
    storeProblems: result.storeProblems,
    unmatchedIgnoreRules: result.unmatchedIgnoreRules,
    messages: result.messages,
  };
}
