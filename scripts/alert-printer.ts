import { escapeControl, escapeLines } from '../lambda/core/escape.js';
import type { ReceivedAlert } from '../test/support/local-aws.js';

/** How often `npm run standin` looks for new alerts on the topic's queue. */
export const ALERT_POLL_MS = 1_000;

/** One alert as `npm run standin` prints it: a rule, the subject, the message, escaped. */
export function formatAlert(alert: ReceivedAlert): string {
  return [
    `--- alert published on the SNS topic (${escapeControl(alert.attributes.kind ?? 'alert')}) ---`,
    `Subject: ${escapeControl(alert.subject)}`,
    '',
    escapeLines(alert.message),
    '',
  ].join('\n');
}

/**
 * Prints every alert as it arrives: takes the queue's messages every `everyMs`, one round at a time
 * (a slow round delays the next rather than overlapping it). Returns a function that stops it.
 */
export function printAlertsAsTheyArrive(
  receive: () => Promise<ReceivedAlert[]>,
  write: (text: string) => void,
  everyMs = ALERT_POLL_MS,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = async () => {
    try {
      for (const alert of await receive()) write(formatAlert(alert));
    } catch (error) {
      write(
        `(could not read the alert queue: ${escapeControl(error instanceof Error ? error.message : String(error))})\n`,
      );
    }
    if (!stopped) timer = setTimeout(round, everyMs);
  };
  timer = setTimeout(round, everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
