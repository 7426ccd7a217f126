import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { escapeControl } from '../lambda/core/escape.js';
import { countOf } from '../lambda/core/render.js';
import { ConflictError, UsageError } from '../lambda/errors.js';
import { type ApprovalPlan, applyApproval, planApprovals } from './approval.js';
import { type CommandContext, callerIdentity, commandContext, type StoreOptions } from './context.js';
import { formatFindings, type Io, painter } from './output.js';

export interface ApproveOptions extends StoreOptions {
  pool?: string[];
  client?: string[];
  all?: boolean;
  yes?: boolean;
  force?: boolean;
  reason?: string;
}

/**
 * Shows the drift each named pool would accept, asks (unless --yes), and writes the new baselines
 * conditionally. Without a terminal and without --yes it refuses and writes nothing.
 */
export async function runApprove(options: ApproveOptions, io: Io): Promise<number> {
  const ctx = await commandContext(options, io);
  const paint = painter(io.stdout, io.env);
  const plans = await planApprovals(ctx.store, {
    poolIds: options.pool ?? [],
    all: options.all,
    clientIds: options.client,
  });
  if (plans.length === 0) {
    io.stdout.write(`Nothing to approve: no pool in ${ctx.store.location} has pending drift.\n`);
    return 0;
  }

  for (const plan of plans) {
    io.stdout.write(`${formatFindings(plan.findings, io)}\n`);
    if (plan.unreadableClients.length > 0) {
      io.stdout.write(
        paint(
          'yellow',
          `${escapeControl(`  note: clients ${plan.unreadableClients.join(', ')} could not be read; their approved entries stay as they were.`)}\n`,
        ),
      );
    }
    if (plan.stale) io.stdout.write(paint('yellow', `${escapeControl(`  stale: ${plan.stale}`)}\n`));
    io.stdout.write('\n');
  }
  const stale = plans.filter((p) => p.stale);
  if (stale.length > 0 && !options.force) {
    throw new UsageError(
      `Refusing to approve ${stale.map((p) => p.poolId).join(', ')}: the recorded state is not the one last alerted. Review the diff above and re-run with --force to approve it anyway, or wait for the next detector run. Nothing was written.`,
    );
  }

  const summary = escapeControl(
    `${countOf(plans.length, 'pool')}: ${plans.map((p) => `${p.poolName} (${p.poolId})`).join(', ')}`,
  );
  if (!options.yes) {
    if (!io.stdin.isTTY) {
      throw new UsageError(
        'No terminal to confirm on: pass --yes to approve non-interactively. Nothing was written.',
      );
    }
    const answer = await ask(io, `Approve the state shown above as the new baseline for ${summary}? [y/N] `);
    if (!/^y(es)?$/i.test(answer?.trim() ?? '')) {
      io.stderr.write(`${answer === undefined ? '\n' : ''}Not approved. Nothing was written.\n`);
      return 1;
    }
  }

  const approvedBy = await whoApproves(ctx, io);
  const at = new Date();
  const failed: string[] = [];
  for (const plan of plans) {
    try {
      await applyApproval(ctx.store, plan, { approvedBy, reason: options.reason ?? '', at });
      io.stdout.write(paint('green', `${escapeControl(`Approved ${describe(plan)} as ${approvedBy}.`)}\n`));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      failed.push(
        `${plan.poolId}: the baseline changed underneath you (someone else approved it): re-run to see the current diff.`,
      );
    }
  }
  if (failed.length > 0) throw new UsageError(`Not approved:\n  ${failed.join('\n  ')}`);
  return 0;
}

/**
 * One line from the operator, or undefined when the input ends or the question is aborted first
 * (Ctrl+D, Ctrl+C): readline leaves a pending question unanswered when its input closes.
 */
async function ask(io: Io, prompt: string): Promise<string | undefined> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  const closed = new Promise<undefined>((resolve) => rl.once('close', () => resolve(undefined)));
  try {
    return await Promise.race([rl.question(prompt), closed]);
  } catch {
    return undefined;
  } finally {
    rl.close();
  }
}

async function whoApproves(ctx: CommandContext, io: Io): Promise<string> {
  const identity = await callerIdentity(ctx.clients);
  if ('arn' in identity) return identity.arn;
  if (ctx.kind === 'folder') return `local:${io.env.USER ?? userInfo().username}`;
  throw new UsageError(
    `Cannot tell who is approving (STS GetCallerIdentity failed: ${identity.error}). Configure AWS credentials. Nothing was written.`,
  );
}

function describe(plan: ApprovalPlan): string {
  return `${plan.poolName} (${plan.poolId}), ${countOf(plan.findings.length, 'change')}`;
}
