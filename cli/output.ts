import { escapeControl, escapeLines, jsonForHumans } from '../lambda/core/escape.js';
import type { AlertMessage, Logger, Notifier } from '../lambda/core/ports.js';
import { findingLines, findingsByPool } from '../lambda/core/render.js';
import type { Finding, Severity } from '../lambda/core/types.js';
import { CATALOG } from '../lambda/surfaces/index.js';

/** Where a command writes: results on stdout, logs and progress on stderr. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
};

const CODES = { red: [31, 39], yellow: [33, 39], green: [32, 39], bold: [1, 22], dim: [2, 22] } as const;
export type Colour = keyof typeof CODES;

/** Colours only on a terminal, and never when NO_COLOR is set. */
export function painter(
  stream: Io['stdout'],
  env: NodeJS.ProcessEnv,
): (colour: Colour, text: string) => string {
  const enabled = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  return (colour, text) => (enabled ? `\u001b[${CODES[colour][0]}m${text}\u001b[${CODES[colour][1]}m` : text);
}

/** Prints alerts instead of sending them (the local default, when no topic is configured). */
export class StdoutNotifier implements Notifier {
  constructor(private readonly io: Io) {}

  async publish(message: AlertMessage): Promise<void> {
    const paint = painter(this.io.stdout, this.io.env);
    this.io.stdout.write(
      `${paint('bold', `Subject: ${escapeControl(message.subject)}`)}\n\n${escapeLines(message.body)}\n\n`,
    );
  }
}

/** Logs to stderr, one line each; debug only with --verbose. */
export function stderrLogger(io: Io, verbose: boolean): Logger {
  const line = (level: string, message: string, extra?: Record<string, unknown>) => {
    const details = extra && Object.keys(extra).length > 0 ? ` ${jsonForHumans(extra)}` : '';
    io.stderr.write(`${level} ${escapeControl(message)}${details}\n`);
  };
  return {
    debug: (m, e) => verbose && line('debug', m, e),
    info: (m, e) => verbose && line('info', m, e),
    warn: (m, e) => line('warn', m, e),
    error: (m, e) => line('error', m, e),
  };
}

/**
 * Findings by pool, then grouped and ordered exactly as the email lists them (render.ts's
 * {@link findingLines}: pool, client and surface-resource groups, most severe first), with the
 * severity coloured on a terminal.
 */
export function formatFindings(findings: readonly Finding[], io: Io): string {
  const paint = painter(io.stdout, io.env);
  const colourOf = { HIGH: 'red', MEDIUM: 'yellow', LOW: 'dim' } as const;
  const severityTag = (severity: Severity) => paint(colourOf[severity], `[${severity}]`);
  return findingsByPool(findings)
    .flatMap((pool) => [
      paint('bold', `Pool ${escapeControl(`${pool.poolName} (${pool.poolId})`)}`),
      ...findingLines(pool.findings, { catalog: CATALOG, severityTag }),
    ])
    .join('\n');
}
