/**
 * `npm run demo [-- --s3]`: cognito-drift end to end on this machine, with no AWS account.
 *
 * It starts a local Cognito on 127.0.0.1, creates two user pools with three app clients, records
 * the baseline with `cognito-drift check`, makes the kind of changes the detector exists for,
 * shows the alert exactly as the email would read, approves it, and shows the next run is quiet.
 * Baselines go to a temporary folder and alerts to stdout; with `--s3`, baselines go to an S3
 * bucket and alerts to an SNS topic (both fauxqs, in process), read back through an SQS queue.
 * Everything it starts or creates is removed at the end, also on an error or Ctrl-C.
 *
 * Why our Cognito stand-in and not cognito-local: cognito-local has no ListUserPoolClientSecrets.
 * It answers it with HTTP 500 `CognitoLocal#Unsupported`; the SDK retries that as a server error
 * and the reader then reports every app client as unreadable, so each scan ends "incomplete" with
 * exit 1 and no diff at all. The stand-in (`test/support/cognito-standin.ts`) speaks the same wire
 * protocol with real pagination, client secrets and Cognito's read quotas, so the demo runs the
 * CLI's unmodified code path, secrets included. The demo changes pools through the stand-in's seeding
 * API (the same model also accepts CreateUserPool/UpdateUserPool... over the wire, for `npm run standin`).
 *
 * The CLI runs in this process through `main(argv, io)`; the SDK finds the emulators through the
 * standard `AWS_ENDPOINT_URL_<SERVICE>` variables, set here on `process.env`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { main } from '../bin/cli.js';
import type { Io } from '../cli/output.js';
import {
  applyDemoDrift,
  DEMO_ROGUE_CALLBACK,
  FOREIGN_AWS_VARIABLES,
  type LocalAws,
  seedDemoPools,
  setProcessEnv,
  startLocalAws,
} from '../test/support/local-aws.js';
import { teeWritable } from './tee.js';

const out = process.stdout;
/** The back door's client secret: Cognito returns it in plain text; cognito-drift must never show it. */
const DEMO_IDP_SECRET = 'demo0idp0secret0the0attacker0set0never0printed000';
/** Everything the CLI printed and every alert received, to prove the secret is in none of it. */
let printed = '';
const colour = Boolean(out.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const style = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);

function heading(text: string): void {
  out.write(`\n${style(1, `=== ${text} ${'='.repeat(Math.max(3, 74 - text.length))}`)}\n\n`);
}

function say(text: string): void {
  out.write(`${text}\n`);
}

async function runDemo(useS3: boolean, cleanups: (() => Promise<void>)[]): Promise<void> {
  heading('1. Start a local AWS');
  const local: LocalAws = await startLocalAws({ s3: useS3 });
  cleanups.push(() => local.stop());
  const restoreEnv = setProcessEnv({
    ...Object.fromEntries(FOREIGN_AWS_VARIABLES.map((name) => [name, undefined])),
    ...local.env,
  });
  cleanups.push(async () => restoreEnv());
  say(`Cognito user pools (stand-in)  ${local.cognito.endpoint}`);
  if (local.s3sns) {
    say(`S3 + SNS + SQS (fauxqs)        ${local.s3sns.endpoint}`);
    say(`  baseline bucket              ${local.s3sns.bucket}`);
    say(`  alert topic                  ${local.s3sns.topicArn} -> SQS queue alert-inbox`);
  }
  say(
    local.s3sns
      ? 'STS GetCallerIdentity (fauxqs)  says who approves: the account root of 000000000000.'
      : 'STS is not emulated: the CLI falls back to AWS_ACCOUNT_ID=000000000000.',
  );

  const baselineDir = join(local.workDir, 'baselines');
  const store = local.s3sns
    ? ['--bucket', local.s3sns.bucket, '--topic', local.s3sns.topicArn]
    : ['--dir', baselineDir];
  if (!local.s3sns) {
    await mkdir(baselineDir);
    say(`Baselines folder               ${baselineDir}`);
  }
  const tee = teeWritable(out, (text) => {
    printed += text;
  });
  const io: Io = {
    stdout: Object.assign(tee, { isTTY: out.isTTY }),
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  };

  const cli = async (args: string[], expected: number): Promise<void> => {
    say(style(2, `$ cognito-drift ${args.join(' ')}`));
    out.write('\n');
    const code = await main(args, io);
    say(style(2, `(exit code ${code})`));
    if (code !== expected) throw new Error(`cognito-drift ${args[0]} exited ${code}, expected ${expected}`);
    const alerts = (await local.s3sns?.receiveAlerts()) ?? [];
    for (const alert of alerts) {
      printed += `${alert.subject}\n${alert.message}\n`;
      out.write(`\n${style(2, `--- received on the SNS topic's SQS subscription ---`)}\n`);
      out.write(`${style(1, `Subject: ${alert.subject}`)}\n\n${alert.message}\n`);
    }
  };

  heading('2. Create two user pools and three app clients');
  const pools = seedDemoPools(local.cognito);
  for (const poolId of [pools.storefrontPoolId, pools.partnerPoolId]) {
    const pool = local.cognito.describePool(poolId);
    say(`${pool.Name} (${poolId}), MFA ${pool.MfaConfiguration}`);
    for (const clientId of local.cognito.clientIds(poolId)) {
      const client = local.cognito.describeClient(poolId, clientId);
      const kind = client.ClientSecret ? 'confidential, with a secret' : 'public';
      say(`  app client ${client.ClientName} (${clientId}), ${kind}`);
    }
  }

  heading('3. First check: record the baseline');
  await cli(['check', ...store], 0);

  heading('4. Someone changes the storefront pool by hand');
  applyDemoDrift(local.cognito, pools);
  say(`- storefront-web gets a callback URL on another domain: ${DEMO_ROGUE_CALLBACK}`);
  say("- storefront-web's refresh tokens now live 365 days instead of 30");
  say('- MFA is turned off for the pool (it was ON)');
  say('- a new app client, storefront-debug-console, allows plain password sign-in');

  heading('5. Next check: the alert, as the email reads');
  say(
    local.s3sns
      ? 'The CLI prints its summary; the alert goes to the SNS topic and arrives on the SQS queue.\n'
      : 'Without a topic the alert is printed instead of sent: from "Subject:" to the report line is the\nemail, exactly as SNS would deliver it; the CLI summary follows.\n',
  );
  await cli(['check', ...store], 2);

  heading('6. The owner reviews the changes and approves them');
  await cli(
    ['approve', '--pool', pools.storefrontPoolId, '--yes', '--reason', 'demo', ...store.slice(0, 2)],
    0,
  );

  heading('7. Next check: the alerted drift is resolved');
  await cli(['check', ...store], 0);

  heading('8. And from then on, silence');
  await cli(['check', ...store], 0);

  heading('9. A federated back door: an OIDC identity provider added from the console');
  local.cognito.addIdentityProvider(pools.storefrontPoolId, {
    name: 'SupportSSO',
    type: 'OIDC',
    details: {
      client_id: 'support-sso',
      client_secret: DEMO_IDP_SECRET,
      oidc_issuer: 'https://login.support-sso.example.net',
      authorize_scopes: 'openid email',
      attributes_request_method: 'GET',
    },
  });
  say(
    '- anyone the issuer https://login.support-sso.example.net vouches for can now sign in to the storefront',
  );
  say('- Cognito returns its client_secret in plain text to DescribeIdentityProvider; watch for it below\n');
  await cli(['check', ...store], 2);
  if (!printed.includes('Identity provider added: SupportSSO'))
    throw new Error('the back door was not alerted');
  if (printed.includes(DEMO_IDP_SECRET)) throw new Error('the identity provider secret was printed');
  say(
    '\nCaught, HIGH, by name and issuer. The client_secret shows only as "(secret)": its value is in no alert,\nfile or log line (cognito-drift keeps a salted digest, so a rotation still shows).',
  );
}

async function run(): Promise<number> {
  const started = performance.now();
  const { values } = parseArgs({
    options: { s3: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    say(
      'Usage: npm run demo [-- --s3]\n  --s3  baselines in S3 and alerts through SNS (fauxqs) instead of a folder and stdout',
    );
    return 0;
  }
  const cleanups: (() => Promise<void>)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the emulators and deleting the temporary folder...\n`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await runDemo(Boolean(values.s3), cleanups);
    return 0;
  } catch (error) {
    process.stderr.write(
      `\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    heading('Done');
    say('Emulators stopped, temporary folder deleted.');
    say(`Total time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

process.exitCode = await run();
