import type { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { RunDoc } from '../../../lambda/core/documents.js';
import type { AlertMessage, Notifier, PoolReader } from '../../../lambda/core/ports.js';
import { runDetection } from '../../../lambda/run/detector.js';
import type { RunResult } from '../../../lambda/run/run-result.js';
import type { DetectorOptions } from '../../../lambda/run/run-session.js';

/**
 * What the run tests share: one account and region, a logger that says nothing, the detector run
 * with the options every test takes unless it is about one of them, and a run document.
 */

export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-12-01T00:00:00.000Z');
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The detector's options for one account and region; the test's own choices override them. */
export function runOptions(overrides: Partial<DetectorOptions> = {}): DetectorOptions {
  return {
    accountId: '111122223333',
    region: 'eu-west-1',
    reminderIntervalMs: 24 * HOUR,
    approveCommand: (id) => `approve ${id}`,
    safetyMarginMs: 0,
    poolConcurrency: 1,
    maxRunAgeMs: HOUR,
    ...overrides,
  };
}

/** One detector run: its result, the messages it sent in order, and their kinds. */
export async function detect(
  parts: { reader: PoolReader; store: DriftStore; now: () => Date; notifier?: Notifier },
  options: Partial<DetectorOptions> = {},
): Promise<{ result: RunResult; sent: AlertMessage[]; kinds: string[] }> {
  const sent: AlertMessage[] = [];
  const result = await runDetection(
    {
      reader: parts.reader,
      store: parts.store,
      notifier: parts.notifier ?? { publish: async (m) => void sent.push(m) },
      logger: quiet,
      now: parts.now,
    },
    runOptions(options),
  );
  return { result, sent, kinds: sent.map((m) => m.attributes.kind) };
}

/** A run document at {@link T0}, scanning; the test's fields override. */
export function runDoc(overrides: Partial<RunDoc> = {}): RunDoc {
  return {
    formatVersion: 1,
    kind: 'run',
    runId: 'r1',
    startedAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    status: 'scanning',
    pools: [],
    outcomes: {},
    invocations: 1,
    ...overrides,
  };
}
