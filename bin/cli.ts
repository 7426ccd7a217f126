#!/usr/bin/env node
/**
 * The cognito-drift command line: parse arguments, call one function per command, set the exit code.
 * Results go to stdout, logs and progress to stderr.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runApprove } from '../cli/approve.js';
import { EXIT, runCheck } from '../cli/check.js';
import { isMissingCredentials, NO_CREDENTIALS } from '../cli/context.js';
import { runHistory } from '../cli/history.js';
import { type Io, processIo } from '../cli/output.js';
import { runPosture } from '../cli/posture.js';
import { escapeLines } from '../lambda/core/escape.js';
import { CognitoDriftError, describeError } from '../lambda/errors.js';
import { flagHelp, flagOf } from '../lambda/settings.js';
import { isIdentityPoolId } from '../lambda/surfaces/identity-pools.js';
import manifest from '../package.json' with { type: 'json' };

const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;

/** A user pool id (`us-east-1_AbCdEf123`) or an identity pool id (`us-east-1:1111…`). */
function poolId(value: string, previous: string[] = []): string[] {
  if (!POOL_ID.test(value) && !isIdentityPoolId(value))
    throw new InvalidArgumentError(
      `"${value}" is not a user pool id (like us-east-1_AbCdEf123) or an identity pool id (like us-east-1:0f1e2d3c-...).`,
    );
  return [...previous, value];
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not an account id (12 digits).`);
  return value;
}

function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const storeOptions = (command: Command) =>
  command
    .addOption(new Option('--bucket <name>', 'S3 bucket holding baselines (default: $BASELINE_BUCKET)'))
    .addOption(
      new Option('--dir <path>', 'folder holding baselines when no bucket is used').default(
        undefined,
        'baselines/',
      ),
    )
    .addOption(new Option('--region <region>', 'AWS region (default: the SDK chain, e.g. $AWS_REGION)'))
    .addOption(
      new Option(
        '--digest-key-secret <arn>',
        "the stack's digest key secret (output DigestKeySecretArn; default: $DIGEST_KEY_SECRET_ARN); a folder without it uses <dir>/.work/digest-key",
      ),
    );

/**
 * Builds the program; `io` is injectable for tests. Each command's exit code is handed to `exit`
 * (not to `process.exitCode`), so that runs sharing a process do not overwrite each other's.
 */
export function buildProgram(io: Io = processIo, exit: (code: number) => void = () => {}): Command {
  const program = new Command('cognito-drift')
    .description('Detect configuration drift in Amazon Cognito user pools and app clients.')
    .version(manifest.version, '-V, --version', 'print the version')
    // The error and its "Did you mean ...?" stay the last lines on screen: a pointer to the help, not the help.
    .showHelpAfterError('(add --help for the usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();

  const scan = (name: string, persist: boolean, summary: string, examples: string) => {
    const command = storeOptions(program.command(name).description(summary));
    // Only check sends alerts, so only check has a topic and a reminder interval.
    if (persist) {
      command
        .option(
          '--topic <arn>',
          'SNS topic to alert (default: $ALERT_TOPIC_ARN; without one, alerts print to stdout)',
        )
        .option(flagOf('reminderIntervalHours'), flagHelp('reminderIntervalHours'))
        .option(flagOf('deployedChanges'), flagHelp('deployedChanges'));
    }
    return command
      .option(flagOf('quotaShare'), flagHelp('quotaShare'))
      .option(flagOf('surfaces'), flagHelp('surfaces'))
      .option(flagOf('accounts'), flagHelp('accounts'))
      .option(flagOf('regions'), flagHelp('regions'))
      .option(flagOf('organizationalUnits'), flagHelp('organizationalUnits'))
      .option(flagOf('memberRoleName'), flagHelp('memberRoleName'))
      .option(flagOf('externalId'), flagHelp('externalId'))
      .option(flagOf('maxConcurrentTargets'), flagHelp('maxConcurrentTargets'))
      .option('--ignore-file <path>', 'JSON file of ignore rules (fields, pools, clients, posture)')
      .option('--json', 'print the machine-readable report on stdout (as --format json)')
      .addOption(
        new Option(
          '--format <format>',
          'what stdout gets: text, json, or markdown for a pull-request comment',
        )
          .choices(['text', 'json', 'markdown'])
          .default(undefined, 'text'),
      )
      .option('--verbose', 'log progress details on stderr')
      .addHelpText('after', examples)
      .action(async (options) => {
        exit(await runCheck(options, io, persist));
      });
  };

  scan(
    'check',
    true,
    'Scan now with the Lambda engine: record snapshots, alert, exit 0 (no drift), 2 (drift) or 1 (error).',
    `
Examples:
  $ cognito-drift check                              # baselines in ./baselines, alerts on stdout
  $ cognito-drift check --bucket my-baselines --json # the deployed detector's store
  $ cognito-drift check --ignore-file drift-ignore.json || echo "drift or error: $?"
  $ cognito-drift check --bucket my-baselines --accounts 111122223333,444455556666 --regions eu-west-1,us-east-1`,
  );
  scan(
    'diff',
    false,
    'Show pending drift against the baselines; writes nothing and sends nothing. Exit codes as for check.',
    `
Examples:
  $ cognito-drift diff
  $ cognito-drift diff --bucket my-baselines --json | jq '.drift[].findings[].path'
  $ cognito-drift diff --dir baselines --format markdown > drift.md  # a pull-request comment
  $ cognito-drift diff --bucket my-baselines --accounts organization --regions all-enabled --role-name CognitoDriftMemberRole`,
  );

  program
    .command('posture')
    .description(
      'List risky settings by the public control they match (Security Hub Cognito.1-6, Prowler); exit 0 (none unaccepted), 2 (some) or 1 (error or scan incomplete).',
    )
    .addOption(new Option('--region <region>', 'AWS region (default: the SDK chain, e.g. $AWS_REGION)'))
    .option(flagOf('quotaShare'), flagHelp('quotaShare'))
    .option(flagOf('surfaces'), flagHelp('surfaces'))
    .option(
      '--ignore-file <path>',
      'JSON file of ignore rules; its "posture" list accepts findings with a reason',
    )
    .option('--json', 'print the findings as JSON on stdout')
    .option('--verbose', 'log progress details on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ cognito-drift posture
  $ cognito-drift posture --ignore-file drift-ignore.json || echo "risky settings or error: $?"
  $ cognito-drift posture --json | jq '.findings[] | select(.accepted == null) | .control'`,
    )
    .action(async (options) => {
      exit(await runPosture(options, io));
    });

  storeOptions(program.command('approve'))
    .description('Accept the state the detector last recorded as the new baseline, after showing the diff.')
    .option('--pool <poolId>', 'pool to approve (repeatable)', poolId)
    .option(
      '--client <clientId>',
      'approve only these clients of the one pool named (repeatable)',
      repeatable,
    )
    .option('--all', 'every pool with pending drift')
    .option(
      '--account <accountId>',
      'the account of the pool, when the same pool id is stored for several accounts',
      accountId,
    )
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--force', 'approve even if the recorded state changed since the last alert')
    .option('--reason <text>', 'why, recorded in the baseline')
    .addHelpText(
      'after',
      `
Examples:
  $ npm run approve -- --pool us-east-1_AbCdEf123 --reason "CHG-1234 new partner callback"
  $ cognito-drift approve --pool us-east-1_AbCdEf123 --client 4f0example26charsclientid --yes
  $ cognito-drift approve --all --bucket my-baselines --yes --reason "quarterly review"`,
    )
    .action(async (options) => {
      exit(await runApprove(options, io));
    });

  storeOptions(program.command('history'))
    .description("List the versions of a pool's baseline: when, who, why, what changed.")
    .requiredOption('--pool <poolId>', 'the pool', (v: string) => poolId(v)[0] as string)
    .option('--show <version>', 'print one version (S3 version id or git commit)')
    .option(
      '--account <accountId>',
      'the account of the pool, when the same pool id is stored for several accounts',
      accountId,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ cognito-drift history --pool us-east-1_AbCdEf123 --bucket my-baselines
  $ cognito-drift history --pool us-east-1_AbCdEf123 --show 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY`,
    )
    .action(async (options) => {
      exit(await runHistory(options, io));
    });

  return program;
}

/** Runs the CLI; every failure becomes one clear line on stderr and exit code 1. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  try {
    await buildProgram(io, (code) => {
      exitCode = code;
    }).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (code?.startsWith('commander.')) return EXIT.error;
    // Whichever call meets it first (STS, or S3 for approve and history), no credentials is one line.
    const message =
      error instanceof CognitoDriftError
        ? error.message
        : isMissingCredentials(error)
          ? NO_CREDENTIALS
          : /Region is missing/i.test(String(error))
            ? 'No AWS region: pass --region or set AWS_REGION.'
            : describeError(error);
    io.stderr.write(`error: ${escapeLines(message)}\n`);
    return EXIT.error;
  }
}

/** Entry when run as a program: a closed pipe (`| head`) ends quietly. */
export async function runAsProgram(): Promise<void> {
  // The SDK's notice that its 2027 releases need Node 22 is for whoever pins SDK versions (we do),
  // not for an operator; it is printed when the first client is made, which is after this.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await main(process.argv.slice(2));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await runAsProgram();
