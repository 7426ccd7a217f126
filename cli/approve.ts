import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import { keys } from '../lambda/core/documents.js';
import { escapeControl } from '../lambda/core/escape.js';
import { countOf } from '../lambda/core/render.js';
import { ConflictError, UsageError } from '../lambda/errors.js';
import { compareTargets, type ScanTarget, targetName } from '../lambda/org/target.js';
import { TargetDocumentStore } from '../lambda/org/target-document-store.js';
import { type ApprovalPlan, applyApproval, noSnapshotProblem, planApprovals } from './approval.js';
import { type CommandContext, callerIdentity, commandContext, type StoreOptions } from './context.js';
import { chooseTarget, formerLayoutError, inFormerLayout, poolsByTarget, targetsHolding } from './locate.js';
import { formatFindings, type Io, painter } from './output.js';

export interface ApproveOptions extends StoreOptions {
  pool?: string[];
  client?: string[];
  all?: boolean;
  yes?: boolean;
  force?: boolean;
  reason?: string;
  /** The pool's account, needed only when the same pool id is stored for several accounts. */
  account?: string;
}

/** A plan and the target (account, region) whose documents it changes. */
interface TargetPlan extends ApprovalPlan {
  target: ScanTarget;
  store: DriftStore;
}

/**
 * Shows the drift each named pool would accept, asks (unless --yes), and writes the new baselines
 * conditionally. Without a terminal and without --yes it refuses and writes nothing.
 */
export async function runApprove(options: ApproveOptions, io: Io): Promise<number> {
  const ctx = await commandContext(options, io);
  const paint = painter(io.stdout, io.env);
  const plans = await planAll(ctx, options);
  if (plans.length === 0) {
    io.stdout.write(`Nothing to approve: no pool in ${storeName(ctx)} has pending drift.\n`);
    return 0;
  }

  const several = new Set(plans.map((p) => targetName(p.target))).size > 1;
  let shown: string | undefined;
  for (const plan of plans) {
    if (several && shown !== targetName(plan.target)) {
      shown = targetName(plan.target);
      io.stdout.write(
        `${paint('bold', `== Account ${plan.target.accountId}, region ${escapeControl(plan.target.region)}`)}\n`,
      );
    }
    io.stdout.write(`${formatFindings(plan.findings, io)}\n`);
    if (plan.unreadableClients.length > 0) {
      io.stdout.write(
        paint(
          'yellow',
          `${escapeControl(`  note: clients ${plan.unreadableClients.join(', ')} could not be read; their approved entries stay as they were.`)}\n`,
        ),
      );
    }
    if (plan.replaces) {
      io.stdout.write(
        paint(
          'yellow',
          `${escapeControl(`  replaces: the baseline ${plan.replaces.where} is unusable (${plan.replaces.reason}); approving writes the recorded state above in its place.`)}\n`,
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
      await applyApproval(plan.store, plan, { approvedBy, reason: options.reason ?? '', at });
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
 * The plans of every pool named (or, with --all, of every pool with pending drift), each on its own
 * target's documents. A pool's target is found in the store: its id carries the region, its keys
 * the account. Unknown, ambiguous and not-yet-moved pools are refused together, before any plan.
 */
async function planAll(ctx: CommandContext, options: ApproveOptions): Promise<TargetPlan[]> {
  const request = { all: options.all, clientIds: options.client };
  if (options.client?.length && (options.all || new Set(options.pool ?? []).size !== 1)) {
    throw new UsageError('--client approves clients of one pool: name exactly one --pool with it.');
  }
  const groups = new Map<string, { target: ScanTarget; poolIds: string[] }>();
  const problems: string[] = [];
  const former: string[] = [];
  for (const poolId of new Set(options.pool ?? [])) {
    const found = chooseTarget(
      poolId,
      await targetsHolding(ctx.documents, poolId, ['snapshots/', keys.baselinePrefix]),
      options.account,
    );
    if (!found) {
      if (await inFormerLayout(ctx.documents, poolId)) former.push(poolId);
      else problems.push(noSnapshotProblem(poolId, ctx.store.location));
    } else if ('problem' in found) {
      problems.push(found.problem);
    } else {
      const group = groups.get(targetName(found)) ?? { target: found, poolIds: [] };
      group.poolIds.push(poolId);
      groups.set(targetName(found), group);
    }
  }
  if (former.length > 0) throw formerLayoutError(ctx.store.location, former);
  if (problems.length > 0) throw new UsageError(`Nothing was approved:\n  ${problems.join('\n  ')}`);
  if (options.all) {
    const pending = await poolsByTarget(ctx.documents, 'snapshots/');
    if (pending.length === 0 && (await ctx.documents.list('snapshots/')).length > 0) {
      throw formerLayoutError(ctx.store.location, ['the recorded pools']);
    }
    for (const { target } of pending) {
      if (options.account && target.accountId !== options.account) continue;
      if (!groups.has(targetName(target))) groups.set(targetName(target), { target, poolIds: [] });
    }
  }
  // With --all and nothing recorded there is simply nothing pending.
  if (groups.size === 0 && options.all) return [];
  if (groups.size === 0) throw new UsageError('Name at least one pool with --pool <poolId>, or pass --all.');
  const plans: TargetPlan[] = [];
  for (const { target, poolIds } of [...groups.values()].sort((a, b) => compareTargets(a.target, b.target))) {
    const store = new DriftStore(new TargetDocumentStore(ctx.documents, target));
    for (const plan of await planApprovals(store, { ...request, poolIds }))
      plans.push({ ...plan, target, store });
  }
  return plans;
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

/**
 * The store a command used, as the user would name it: the folder is chosen silently when no bucket
 * is given, so say so, and how to use the deployed detector's bucket instead.
 */
function storeName(ctx: CommandContext): string {
  if (ctx.kind === 's3') return ctx.store.location;
  return `the baselines folder ${ctx.store.location}/ (no --bucket or $BASELINE_BUCKET given; pass --bucket for the deployed detector's store)`;
}

function describe(plan: ApprovalPlan): string {
  return `${plan.poolName} (${plan.poolId}), ${countOf(plan.findings.length, 'change')}`;
}
