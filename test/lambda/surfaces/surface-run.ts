import { expect } from 'vitest';
import { SURFACE_NAMES } from '../../../lambda/surfaces/selection.js';
import { DetectorHarness, FakeAccount, type HarnessRun, PREFIX } from '../../support/fake-aws.js';

/**
 * What the surface tests share: a fake account watched with every surface on, whose first run read
 * everything `add` created in it, and the checks on what a run sent.
 */
export async function watchedWithEverySurface<T extends object>(
  add: (aws: FakeAccount) => T,
): Promise<{ aws: FakeAccount; harness: DetectorHarness } & T> {
  const aws = new FakeAccount();
  const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
  const added = add(aws);
  const first = await harness.run();
  expect(first.firstRun).toBe(true);
  expect(first.readProblems).toEqual([]);
  return { aws, harness, ...added };
}

/** The drift digest a run sent, if it sent one. */
export function driftMessage(run: HarnessRun) {
  return run.sent.find((m) => m.MessageAttributes?.kind?.StringValue === 'drift');
}

/** A run whose one failed read of `operation` was reported as unreadable, and nothing as drift. */
export function expectOnlyUnreadable(run: HarnessRun, operation: string): void {
  expect(run.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
  expect(run.sent[0]?.Message).toContain(operation);
  expect(run.pools.flatMap((p) => p.findings)).toEqual([]);
}
