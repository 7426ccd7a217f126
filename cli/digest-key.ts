import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretDigestKey, type SecretsReader } from '../lambda/adapters/digest-key-secret.js';
import { WORK_FOLDER } from '../lambda/adapters/folder-document-store.js';
import { DigestKey, DigestKeyError } from '../lambda/core/digest-key.js';
import { ConfigError } from '../lambda/errors.js';

/** The folder store's own key, beside its other work files (`.work/` is never committed). */
export const LOCAL_DIGEST_KEY_FILE = 'digest-key';

/**
 * Where the CLI's digest key comes from. A bucket's digests were made by the stack with its secret:
 * `--digest-key-secret` (or DIGEST_KEY_SECRET_ARN) names it, and the caller needs GetSecretValue on
 * it. A folder uses that secret too when one is named (a team sharing a folder in git must share the
 * key), and otherwise its own key file, created on first use with owner-only permissions.
 * The key is read when a read first needs it, once.
 */
export function cliDigestKey(options: {
  kind: 's3' | 'folder';
  folder?: string;
  secretId: string | undefined;
  secrets: SecretsReader;
}): () => Promise<DigestKey> {
  const { kind, folder, secretId, secrets } = options;
  if (secretId) {
    const source = new SecretDigestKey(secrets, secretId);
    return () => source.get();
  }
  if (kind === 's3' || folder === undefined)
    return () =>
      Promise.reject(
        new ConfigError(
          "The bucket's digests are keyed with the stack's secret: pass --digest-key-secret <the stack output DigestKeySecretArn> or set DIGEST_KEY_SECRET_ARN.",
        ),
      );
  let loaded: Promise<DigestKey> | undefined;
  return () => {
    loaded ??= folderDigestKey(folder);
    return loaded;
  };
}

/** The folder's key file, created (32 random bytes, hex) when there is none yet. */
export async function folderDigestKey(folder: string): Promise<DigestKey> {
  const work = join(folder, WORK_FOLDER);
  const path = join(work, LOCAL_DIGEST_KEY_FILE);
  try {
    return await readKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(work, { recursive: true });
  // `.work/` holds no baseline; should the folder be committed without ignoring it, the key still is not.
  await writeFile(join(work, '.gitignore'), `${LOCAL_DIGEST_KEY_FILE}\n`, { flag: 'wx' }).catch(ignoreExists);
  await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 }).catch(
    ignoreExists,
  );
  return readKeyFile(path);
}

async function readKeyFile(path: string): Promise<DigestKey> {
  const text = await readFile(path, 'utf-8');
  try {
    return new DigestKey(text, path);
  } catch (error) {
    if (error instanceof DigestKeyError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

function ignoreExists(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
