import { randomBytes } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import { createAwsClients } from '../lambda/aws-clients.js';
import { DigestKey } from '../lambda/core/digest-key.js';
import { escapeControl, jsonForHumans } from '../lambda/core/escape.js';
import type { DocumentStore } from '../lambda/core/ports.js';
import { openFindings, type PostureFinding } from '../lambda/core/posture.js';
import { controlLabel, POSTURE_DOC, postureSubject } from '../lambda/core/posture-render.js';
import { countOf } from '../lambda/core/words.js';
import { ConfigError } from '../lambda/errors.js';
import type { ScanTarget } from '../lambda/org/target.js';
import { currentInstallation } from '../lambda/run/approve-hint.js';
import { runPolicy } from '../lambda/run/run-policy.js';
import type { RunResult } from '../lambda/run/run-result.js';
import { scanOne } from '../lambda/run/scan-service.js';
import { targetReader } from '../lambda/run/target-reader.js';
import { defaultSchedulePeriodMinutes, readEnvSetting } from '../lambda/settings.js';
import { POSTURE_CONTROLS } from '../lambda/surfaces/posture-controls.js';
import { callerIdentity, DEFAULT_BASELINE_DIR } from './context.js';
import { loadIgnoreRules, warnUnmatched } from './ignore-file.js';
import { type Io, painter, stderrLogger } from './output.js';
import { fromFlag } from './targets.js';

/**
 * `posture`'s exit codes: 0 no risky setting left unaccepted, 2 at least one, 1 an error or a scan
 * that could not read everything (what was not read cannot be said to be safe).
 */
export const POSTURE_EXIT = { clean: 0, error: 1, risky: 2 } as const;

export interface PostureOptions {
  region?: string;
  quotaShare?: string;
  surfaces?: string;
  ignoreFile?: string;
  json?: boolean;
  verbose?: boolean;
}

/**
 * `cognito-drift posture`: reads every pool of the caller's account and region with the scan
 * service (look-only: nothing is written or sent, no baseline is needed) and lists each risky
 * setting by the public control it matches; accepted ones (ignore rules' `posture`) are listed as
 * accepted and do not fail the command.
 */
export async function runPosture(options: PostureOptions, io: Io): Promise<number> {
  const clients = {
    ...createAwsClients({ region: options.region, env: io.env }),
    sts: new STSClient(options.region ? { region: options.region } : {}),
  };
  const quotaShare = fromFlag('quotaShare', options.quotaShare, io);
  const surfaces = fromFlag('surfaces', options.surfaces, io);
  const ignore = await loadIgnoreRules(options.ignoreFile, io.env.IGNORE_RULES);
  const region = await clients.cognito.config.region();
  const identity = await callerIdentity(clients);
  if ('missingCredentials' in identity) throw new ConfigError(identity.error);
  const accountId = 'account' in identity ? identity.account : (io.env.AWS_ACCOUNT_ID ?? 'unknown');
  const target: ScanTarget = { accountId, region };
  const reader = targetReader(clients, {
    surfaces,
    quotaShare,
    // Posture compares nothing with a stored digest and prints none: a key of this process only.
    ...(surfaces.length > 0
      ? { digestKey: new DigestKey(randomBytes(32).toString('hex'), 'the posture command') }
      : {}),
  });
  const policy = runPolicy(
    {
      reminderIntervalMs: 0,
      ignore,
      secretPolicy: { rotationWindowDays: readEnvSetting(io.env, 'rotationWindowDays') },
      schedulePeriodMinutes: defaultSchedulePeriodMinutes(),
      // Posture records nothing: drift is neither alerted nor approved here.
      deployedChanges: 'alert',
    },
    {
      poolConcurrency: reader.poolConcurrency,
      approve: { installation: currentInstallation(), store: { dir: DEFAULT_BASELINE_DIR } },
    },
  );
  const result = await scanOne(
    {
      reader,
      store: new DriftStore(NOTHING_STORED),
      notifier: { publish: async () => {} },
      logger: stderrLogger(io, Boolean(options.verbose)),
      now: () => new Date(),
    },
    { target, mode: { kind: 'look-only' }, policy: { ...policy, posture: 'all' } },
  );
  return reportPosture(result, target, io, Boolean(options.json));
}

/** A store with nothing in it: posture needs no baseline, and a look-only run writes nothing. */
const NOTHING_STORED: DocumentStore = {
  location: 'nowhere (the posture command keeps nothing)',
  get: async () => undefined,
  list: async () => [],
  put: async (key) => {
    throw new Error(`the posture command writes nothing, yet was asked to write ${key}`);
  },
};

/** Prints the findings (text by control, or JSON) and returns the exit code. */
export function reportPosture(result: RunResult, target: ScanTarget, io: Io, json: boolean): number {
  const findings = result.pools.flatMap((p) => p.posture ?? []);
  const open = openFindings(findings);
  const problems = [...result.readProblems, ...result.storeProblems];
  if (json) {
    io.stdout.write(
      `${jsonForHumans(
        {
          accountId: target.accountId,
          region: target.region,
          poolsScanned: result.poolsScanned,
          controls: POSTURE_CONTROLS.map((c) => ({
            id: c.id,
            alsoKnownAs: c.alsoKnownAs ?? [],
            source: c.source,
            url: c.url,
          })),
          risky: open.length,
          accepted: findings.length - open.length,
          findings,
          readProblems: problems,
          unmatchedIgnoreRules: result.unmatchedIgnoreRules,
        },
        2,
      )}\n`,
    );
  } else {
    printFindings(findings, result, target, io);
    warnUnmatched(result.unmatchedIgnoreRules, io);
  }
  for (const p of problems) io.stderr.write(`${escapeControl(`could not read ${p.what}: ${p.reason}`)}\n`);
  if (problems.length > 0 || result.listingFailure) return POSTURE_EXIT.error;
  return open.length > 0 ? POSTURE_EXIT.risky : POSTURE_EXIT.clean;
}

/** Text: one block per control (in the table's order), one line per resource under it. */
function printFindings(findings: PostureFinding[], result: RunResult, target: ScanTarget, io: Io): void {
  const paint = painter(io.stdout, io.env);
  const open = openFindings(findings);
  const accepted = findings.length - open.length;
  const where = `account ${target.accountId}, region ${target.region}`;
  const head =
    open.length === 0
      ? `No risky setting left unaccepted in ${countOf(result.poolsScanned, 'pool')} of ${where}`
      : `${countOf(open.length, 'risky setting')} in ${countOf(new Set(open.map((f) => f.poolId)).size, 'pool')} of ${where}`;
  const lines = [
    `${head}${accepted > 0 ? ` (${accepted} accepted)` : ''}, by public control (see ${POSTURE_DOC}):`,
  ];
  for (const control of POSTURE_CONTROLS) {
    const mine = findings.filter((f) => f.control === control.id);
    if (mine.length === 0) continue;
    lines.push(
      '',
      `${paint('bold', controlLabel(mine[0] as PostureFinding))} [${control.severity}] ${control.title}`,
    );
    for (const f of mine) {
      const status = f.accepted === undefined ? paint('red', 'RISKY') : paint('green', 'ACCEPTED');
      lines.push(
        `  ${status} ${escapeControl(`${postureSubject(f)}: ${f.detail}`)}`,
        ...(f.accepted === undefined ? [] : [`    reason: ${escapeControl(f.accepted)}`]),
      );
    }
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}
