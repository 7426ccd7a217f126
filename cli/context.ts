import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DriftStore } from '../lambda/adapters/drift-store.js';
import { FolderDocumentStore, WORK_FOLDER } from '../lambda/adapters/folder-document-store.js';
import { S3VersionedDocumentStore } from '../lambda/adapters/s3-versioned-document-store.js';
import { type AwsClients, createAwsClients } from '../lambda/aws-clients.js';
import type { DigestKey } from '../lambda/core/digest-key.js';
import type { VersionedDocumentStore } from '../lambda/core/ports.js';
import { ConfigError, UsageError } from '../lambda/errors.js';
import { cliDigestKey } from './digest-key.js';
import type { Io } from './output.js';

/** Options every command shares. */
export interface StoreOptions {
  bucket?: string;
  dir?: string;
  region?: string;
  /** The stack's digest key secret (`--digest-key-secret`, default $DIGEST_KEY_SECRET_ARN). */
  digestKeySecret?: string;
}

/** The AWS clients and the store a command works on: S3 when a bucket is named, else the folder. */
export interface CommandContext {
  clients: AwsClients & { sts: STSClient };
  store: DriftStore;
  /** The same store, untyped and with its history. */
  documents: VersionedDocumentStore;
  bucket?: string;
  kind: 's3' | 'folder';
  /** The key of the digests this store holds, read when a read first needs it (`cli/digest-key.ts`). */
  digestKey: () => Promise<DigestKey>;
}

export const DEFAULT_BASELINE_DIR = 'baselines';

/**
 * The store a command works on. The default folder (`./baselines`, when neither --bucket nor --dir
 * nor $BASELINE_BUCKET names a store) is created by a command that records (`createFolder`), saying
 * so on stderr; other commands explain that there is nothing there yet. A folder named with --dir is
 * never created: a typo must not start an empty store.
 */
export async function commandContext(
  options: StoreOptions,
  io: Io,
  { createFolder = false }: { createFolder?: boolean } = {},
): Promise<CommandContext> {
  const env = io.env;
  if (options.bucket !== undefined && options.dir !== undefined) {
    throw new ConfigError('Pass either --bucket (S3) or --dir (a folder), not both.');
  }
  const clients = {
    ...createAwsClients({ region: options.region, env }),
    sts: new STSClient(options.region ? { region: options.region } : {}),
  };
  const bucket = options.dir === undefined ? (options.bucket ?? env.BASELINE_BUCKET) : undefined;
  const secretId = options.digestKeySecret ?? (env.DIGEST_KEY_SECRET_ARN?.trim() || undefined);
  if (bucket) {
    const documents = new S3VersionedDocumentStore(clients.s3, bucket);
    const digestKey = cliDigestKey({ kind: 's3', secretId, secrets: clients.secrets });
    return { clients, store: new DriftStore(documents), documents, bucket, kind: 's3', digestKey };
  }
  const folder = options.dir ?? DEFAULT_BASELINE_DIR;
  const exists = (await stat(folder).catch(() => undefined))?.isDirectory() ?? false;
  if (!exists && options.dir !== undefined) {
    throw new ConfigError(`Baselines folder ${folder} does not exist: check the --dir path.`);
  }
  if (!exists && createFolder) {
    await mkdir(folder, { recursive: true });
    io.stderr.write(
      `Created ./${folder}/ for the baselines (<account>/<region>/<poolId>.json: keep those in your team's git repository; ${WORK_FOLDER}/ holds working documents and is git-ignored). Pass --bucket to use the deployed detector's bucket instead.\n`,
    );
  } else if (!exists) {
    throw new UsageError(
      `No baselines yet: ./${folder}/ does not exist. Run \`cognito-drift check\` to record them, or pass --bucket / --dir to use an existing store.`,
    );
  }
  if (createFolder) await ignoreWorkFolder(folder);
  const documents = new FolderDocumentStore(folder);
  const digestKey = cliDigestKey({ kind: 'folder', folder, secretId, secrets: clients.secrets });
  return { clients, store: new DriftStore(documents), documents, kind: 'folder', digestKey };
}

/**
 * Makes the folder's working documents ignore themselves in git (`.work/.gitignore` of `*`), so a
 * project that commits the baselines never commits snapshots, run state or reports, whatever its
 * own `.gitignore` says. An existing file is left as the user keeps it.
 */
async function ignoreWorkFolder(folder: string): Promise<void> {
  const work = join(folder, WORK_FOLDER);
  await mkdir(work, { recursive: true });
  await writeFile(join(work, '.gitignore'), "# cognito-drift's working documents: not for git.\n*\n", {
    flag: 'wx',
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** What to set when the SDK found no credentials at all. */
export const NO_CREDENTIALS =
  'No AWS credentials: set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and AWS_REGION. Nothing was read.';

/** Whether the SDK found no credentials at all (the error, or one of its causes, is its provider error). */
export function isMissingCredentials(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'CredentialsProviderError') return true;
  }
  return false;
}

/**
 * The caller's ARN and account from STS; otherwise why not, with `missingCredentials` when the SDK
 * found no credentials at all (as opposed to an STS call that failed).
 */
export async function callerIdentity(
  clients: CommandContext['clients'],
): Promise<{ arn: string; account: string } | { error: string; missingCredentials?: true }> {
  try {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}));
    return { arn: out.Arn ?? 'unknown', account: out.Account ?? 'unknown' };
  } catch (error) {
    if (isMissingCredentials(error)) return { error: NO_CREDENTIALS, missingCredentials: true };
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
