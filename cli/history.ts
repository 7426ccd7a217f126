import { diffPool } from '../lambda/core/diff.js';
import { type BaselineDoc, baselineDocSchema, keys, targetKey } from '../lambda/core/documents.js';
import { escapeControl, escapeLines } from '../lambda/core/escape.js';
import { hashMismatch } from '../lambda/core/integrity.js';
import { countOf, describeChange } from '../lambda/core/render.js';
import { UsageError } from '../lambda/errors.js';
import { CATALOG } from '../lambda/surfaces/index.js';
import { commandContext, type StoreOptions } from './context.js';
import { chooseTarget, targetsHolding } from './locate.js';
import { type Io, painter } from './output.js';

export interface HistoryOptions extends StoreOptions {
  pool: string;
  show?: string;
  /** The pool's account, needed only when the same pool id is stored for several accounts. */
  account?: string;
}

/**
 * `history --pool <id>`: every version of the pool's baseline (S3 object versions, or git commits
 * of the folder's file), newest first, with who approved it, when, why, and what it changed.
 * `--show <version>` prints one version's document. The pool's account and region are found in the
 * store; the versions from before account/region folders (`baselines/<poolId>.json`) follow.
 */
export async function runHistory(options: HistoryOptions, io: Io): Promise<number> {
  const ctx = await commandContext(options, io);
  const found = chooseTarget(
    options.pool,
    await targetsHolding(ctx.documents, options.pool, [keys.baselinePrefix]),
    options.account,
  );
  if (found && 'problem' in found) throw new UsageError(found.problem);
  const key = found ? targetKey(found, keys.baseline(options.pool)) : keys.baseline(options.pool);
  const versions = [
    ...(found ? await ctx.documents.versions(key) : []),
    // The former layout's key keeps the history from before the move (and is all a store not yet moved has).
    ...(options.account && !found ? [] : await ctx.documents.versions(keys.baseline(options.pool))),
  ];
  if (versions.length === 0) {
    const current = await ctx.documents.get(key);
    if (!current) {
      throw new UsageError(
        `No baseline history for pool ${options.pool} in ${ctx.store.location}: check the pool id.`,
      );
    }
    // The baseline is there; the store just keeps no earlier versions of it. Show what there is.
    io.stderr.write(
      `${escapeControl(noVersionsNotice(ctx.kind, ctx.documents.locate?.(key) ?? `${ctx.store.location}/${key}`))}\n`,
    );
    versions.push({ version: CURRENT, storedAt: 'at an unknown time', load: async () => current.body });
  }
  if (options.show) {
    const version = versions.find(
      (v) => v.version === options.show || v.version.startsWith(options.show ?? ''),
    );
    if (!version) throw new UsageError(`No version ${options.show} of pool ${options.pool}'s baseline.`);
    io.stdout.write(`${escapeLines(await version.load())}\n`);
    return 0;
  }
  const paint = painter(io.stdout, io.env);
  const docs = await Promise.all(versions.map(async (v) => parse(await v.load())));
  for (const [index, version] of versions.entries()) {
    const doc = docs[index];
    const before = docs[index + 1];
    const previous = typeof before === 'object' ? before : undefined;
    io.stdout.write(
      `${paint('bold', escapeControl(`version ${version.version}`))}  stored ${escapeControl(version.storedAt)}\n`,
    );
    if (typeof doc !== 'object') {
      io.stdout.write(`  (not a valid baseline document: ${doc})\n\n`);
      continue;
    }
    io.stdout.write(
      `${escapeControl(`  approved ${doc.approvedAt} by ${doc.approvedBy}${doc.reason ? `: ${doc.reason}` : ''}`)}\n`,
    );
    if (previous) {
      const changes = diffPool(previous.pool, doc.pool, CATALOG);
      io.stdout.write(`  ${countOf(changes.length, 'change')} from the version before\n`);
      for (const change of changes.slice(0, 20)) io.stdout.write(`    ${describeChange(change, CATALOG)}\n`);
      if (changes.length > 20) io.stdout.write(`    ... ${changes.length - 20} more (use --show)\n`);
    } else {
      io.stdout.write('  first baseline of this pool\n');
    }
    io.stdout.write('\n');
  }
  return 0;
}

/** The version name of the only baseline a store without versions has. */
const CURRENT = 'current';

/** Why only the current baseline is shown: the store keeps no versions (never a wrong pool id). */
function noVersionsNotice(kind: 's3' | 'folder', where: string): string {
  const why =
    kind === 's3'
      ? 'the bucket keeps no object versions (turn on S3 versioning, as the stack does, to keep them)'
      : 'the file is not committed to git yet (commit the baselines folder to keep its history)';
  return `No earlier versions of ${where}: ${why}. Showing the current baseline only.`;
}

/** A valid baseline whose hash matches its pool, or why the version is not one. */
function parse(body: string): BaselineDoc | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'not valid JSON';
  }
  const result = baselineDocSchema.safeParse(json);
  if (!result.success) return 'not a baseline of this format';
  return hashMismatch('snapshotHash', result.data.snapshotHash, result.data.pool) ?? result.data;
}
