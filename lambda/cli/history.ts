import { execFile } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { diffPool } from '../core/diff.js';
import { type BaselineDoc, baselineDocSchema, keys } from '../core/documents.js';
import { escapeControl, escapeLines } from '../core/escape.js';
import { hashMismatch } from '../core/integrity.js';
import { countOf, describeChange } from '../core/render.js';
import { StoreUnavailableError, UsageError } from '../errors.js';
import { commandContext, type StoreOptions } from './context.js';
import { type Io, painter } from './output.js';

const exec = promisify(execFile);

export interface HistoryOptions extends StoreOptions {
  pool: string;
  show?: string;
}

/** One stored version of a pool's baseline. */
interface BaselineVersion {
  version: string;
  storedAt: string;
  load(): Promise<string>;
}

/**
 * `history --pool <id>`: every version of the pool's baseline (S3 object versions, or git commits
 * of the folder's file), newest first, with who approved it, when, why, and what it changed.
 * `--show <version>` prints one version's document.
 */
export async function runHistory(options: HistoryOptions, io: Io): Promise<number> {
  const ctx = commandContext(options, io.env);
  const versions =
    ctx.kind === 's3' && ctx.bucket
      ? await s3Versions(ctx.clients.s3, ctx.bucket, keys.baseline(options.pool))
      : await gitVersions(resolve(ctx.store.location, `${options.pool}.json`));
  if (versions.length === 0) {
    throw new UsageError(
      `No baseline history for pool ${options.pool} in ${ctx.store.location}: check the pool id.`,
    );
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
      const changes = diffPool(previous.pool, doc.pool);
      io.stdout.write(`  ${countOf(changes.length, 'change')} from the version before\n`);
      for (const change of changes.slice(0, 20)) io.stdout.write(`    ${describeChange(change)}\n`);
      if (changes.length > 20) io.stdout.write(`    ... ${changes.length - 20} more (use --show)\n`);
    } else {
      io.stdout.write('  first baseline of this pool\n');
    }
    io.stdout.write('\n');
  }
  return 0;
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

async function s3Versions(s3: S3Client, bucket: string, key: string): Promise<BaselineVersion[]> {
  const versions: BaselineVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await s3
      .send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: key,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      )
      .catch((error: unknown) => {
        throw explainS3Error(error, bucket, key);
      });
    for (const v of page.Versions ?? []) {
      if (v.Key !== key || !v.VersionId) continue;
      const versionId = v.VersionId;
      versions.push({
        version: versionId,
        storedAt: v.LastModified?.toISOString() ?? '',
        load: async () => {
          const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
          return (await out.Body?.transformToString('utf-8')) ?? '';
        },
      });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return versions.sort((a, b) => b.storedAt.localeCompare(a.storedAt));
}

/** The S3 errors an operator can fix, as a message that names the bucket and the fix. */
function explainS3Error(error: unknown, bucket: string, key: string): unknown {
  const name = (error as { name?: string } | undefined)?.name;
  if (name === 'NoSuchBucket') {
    return new StoreUnavailableError(
      `Bucket ${bucket} does not exist (or is in another region): pass --bucket / set BASELINE_BUCKET to the stack's BaselineBucketName output.`,
      { cause: error },
    );
  }
  if (name === 'AccessDenied') {
    return new StoreUnavailableError(
      `Access denied listing the versions of s3://${bucket}/${key}: history needs s3:ListBucketVersions and s3:GetObjectVersion.`,
      { cause: error },
    );
  }
  return error;
}

/** The folder store keeps history in git: each commit that touched the pool's file is a version. */
async function gitVersions(file: string): Promise<BaselineVersion[]> {
  const cwd = dirname(file);
  let log: string;
  try {
    log = (await exec('git', ['log', '--format=%H %cI', '--', basename(file)], { cwd })).stdout;
  } catch (error) {
    throw new UsageError(`Cannot read git history of ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', storedAt = ''] = line.split(' ');
      return {
        version: commit,
        storedAt,
        load: async () => (await exec('git', ['show', `${commit}:./${basename(file)}`], { cwd })).stdout,
      };
    });
}
