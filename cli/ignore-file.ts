import { readFile } from 'node:fs/promises';
import { escapeControl } from '../lambda/core/escape.js';
import { type IgnoreRules, NO_IGNORE_RULES, parseIgnoreRules } from '../lambda/core/ignore.js';
import { ConfigError } from '../lambda/errors.js';
import { namesKnownField } from './field-names.js';
import { type Io, painter } from './output.js';

/** The ignore rules of a run: from `--ignore-file`, else from `IGNORE_RULES`, else none. */
export async function loadIgnoreRules(
  file: string | undefined,
  fromEnv: string | undefined,
): Promise<IgnoreRules> {
  try {
    if (file) return parseIgnoreRules(await readIgnoreFile(file), file);
    if (fromEnv) return parseIgnoreRules(fromEnv, 'IGNORE_RULES');
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
  return NO_IGNORE_RULES;
}

/** The ignore file's text; a path that does not lead to a readable file is one clear line. */
async function readIgnoreFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf-8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : `cannot be read (${code ?? (error as Error).message})`;
    throw new ConfigError(`Ignore file ${file} ${why}: check the --ignore-file path.`, { cause: error });
  }
}

/** Warns of each ignore rule that matched nothing in any pool, unless it names a real field. */
export function warnUnmatched(rules: readonly string[], io: Io): void {
  const errPaint = painter(io.stderr, io.env);
  // A rule naming a real field matched nothing because no pool sets that field: no typo to warn of.
  for (const rule of rules.filter((r) => !namesKnownField(r))) {
    io.stderr.write(
      `${errPaint('yellow', escapeControl(`warning: ignore rule matched nothing (typo?): ${rule}`))}\n`,
    );
  }
}
