import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { printAlertsAsTheyArrive } from '../../scripts/alert-printer.js';
import type { ReceivedAlert } from '../support/local-aws.js';

const alert = (subject: string, message: string): ReceivedAlert => ({
  subject,
  message,
  attributes: { kind: 'drift' },
});

describe('printAlertsAsTheyArrive', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints each alert of each round once, escaped, until stopped', async () => {
    const rounds: ReceivedAlert[][] = [
      [],
      [alert('[cognito-drift] HIGH drift: 1 change', 'CallbackURLs: added https://evil.example\u001b[2J')],
      [],
    ];
    const receive = vi.fn(async () => rounds.shift() ?? []);
    let printed = '';
    const stop = printAlertsAsTheyArrive(
      receive,
      (text) => {
        printed += text;
      },
      1_000,
    );

    await vi.advanceTimersByTimeAsync(999);
    expect(receive).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(receive).toHaveBeenCalledTimes(1);
    expect(printed).toBe('');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(printed).toContain('--- alert published on the SNS topic (drift) ---');
    expect(printed).toContain('Subject: [cognito-drift] HIGH drift: 1 change');
    expect(printed).toContain('CallbackURLs: added https://evil.example');
    expect(printed).not.toContain('\u001b');

    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(receive).toHaveBeenCalledTimes(2);
  });

  it('says so when the queue cannot be read, and keeps going', async () => {
    const receive = vi
      .fn<() => Promise<ReceivedAlert[]>>()
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED'))
      .mockResolvedValue([alert('subject', 'message')]);
    let printed = '';
    const stop = printAlertsAsTheyArrive(
      receive,
      (text) => {
        printed += text;
      },
      500,
    );

    await vi.advanceTimersByTimeAsync(1_000);
    stop();

    expect(printed).toContain('(could not read the alert queue: connect ECONNREFUSED)');
    expect(printed).toContain('Subject: subject');
  });
});
