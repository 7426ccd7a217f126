import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { keys } from '../core/documents.js';
import type {
  DocumentVersion,
  ListedObject,
  StoredObject,
  VersionedDocumentStore,
  WriteCondition,
} from '../core/ports.js';
import { ConflictError, StoreUnavailableError, UsageError } from '../errors.js';

const exec = promisify(execFile);

/** Everything that is not a baseline (snapshots, state, reports) lives under this subfolder. */
export const WORK_FOLDER = '.work';

/**
 * Documents in a folder, for teams that keep baselines in git: `baselines/<poolId>.json` maps to
 * `<folder>/<poolId>.json` (one readable, stable-key-order file per pool); every other key to
 * `<folder>/.work/<key>`. The version tag is a hash of the content; writes go to a temporary file
 * and are renamed into place, so a reader never sees half a file.
 */
export class FolderDocumentStore implements VersionedDocumentStore {
  readonly location: string;

  constructor(readonly folder: string) {
    this.location = folder;
  }

  locate(key: string): string {
    return this.pathOf(key);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const body = await readFile(this.pathOf(key), 'utf-8');
      return { body, etag: etagOf(body) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // A missing folder is a setup error (like a missing bucket), not "no document yet".
        await this.ensureFolder();
        return undefined;
      }
      throw error;
    }
  }

  async put(key: string, body: string, condition: WriteCondition): Promise<string> {
    const path = this.pathOf(key);
    await this.ensureFolder();
    await mkdir(dirname(path), { recursive: true });
    if ('ifNoneMatch' in condition) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(body, 'utf-8');
        await handle.close();
        return etagOf(body);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw new ConflictError(path, { cause: error });
        throw error;
      }
    }
    if ('ifMatch' in condition) {
      const current = await this.get(key);
      if (current?.etag !== condition.ifMatch) throw new ConflictError(path);
    }
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      const handle = await open(temporary, 'wx');
      await handle.writeFile(body, 'utf-8');
      await handle.close();
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
    return etagOf(body);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    await this.ensureFolder();
    const out: ListedObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (full !== join(this.folder, WORK_FOLDER)) await walk(full);
          continue;
        }
        if (!entry.name.endsWith('.json')) continue;
        const key = this.keyOf(full);
        if (key?.startsWith(prefix)) {
          const body = await readFile(full, 'utf-8');
          out.push({ key, etag: etagOf(body) });
        }
      }
    };
    if (prefix.startsWith(keys.baselinePrefix)) {
      // Baselines sit at the top of the folder, or under <account>/<region>/ for a deployment that
      // watches several targets; dot folders (.work, .git) hold none.
      const visit = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!entry.name.startsWith('.')) await visit(full);
            continue;
          }
          if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
          const key = `${keys.baselinePrefix}${relative(this.folder, full).split(sep).join('/')}`;
          if (!key.startsWith(prefix)) continue;
          out.push({ key, etag: etagOf(await readFile(full, 'utf-8')) });
        }
      };
      await visit(this.folder);
    } else {
      await walk(join(this.folder, WORK_FOLDER));
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** The folder store keeps history in git: each commit that touched the key's file is a version. */
  async versions(key: string): Promise<DocumentVersion[]> {
    const file = this.pathOf(key);
    const cwd = dirname(file);
    await this.ensureFolder();
    let log: string;
    try {
      log = (await exec('git', ['log', '--format=%H %cI', '--', basename(file)], { cwd })).stdout;
    } catch (error) {
      const detail = (error as { stderr?: string; message?: string }).stderr || (error as Error).message;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new UsageError('History needs git, and git was not found on PATH.', { cause: error });
      }
      // A fresh repository with no commit: nothing is committed yet, so there are no versions.
      if (/does not have any commits yet/i.test(detail)) return [];
      if (/not a git repository/i.test(detail)) {
        throw new UsageError(
          `History needs git: ${this.folder} is not in a git repository (commit the baselines folder to keep its history).`,
          { cause: error },
        );
      }
      throw new UsageError(`Cannot read git history of ${file}: ${detail.trim().split('\n')[0]}`, {
        cause: error,
      });
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

  private pathOf(key: string): string {
    if (key.includes('..')) throw new Error(`Refusing a key with "..": ${key}`);
    if (key.startsWith(keys.baselinePrefix)) return join(this.folder, key.slice(keys.baselinePrefix.length));
    return join(this.folder, WORK_FOLDER, key);
  }

  private keyOf(path: string): string | undefined {
    const rel = relative(join(this.folder, WORK_FOLDER), path);
    return rel.startsWith('..') ? undefined : rel.split(sep).join('/');
  }

  private async ensureFolder(): Promise<void> {
    const info = await stat(this.folder).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new StoreUnavailableError(
        `Baselines folder ${this.folder} does not exist: create it or pass --dir.`,
      );
    }
  }
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}
