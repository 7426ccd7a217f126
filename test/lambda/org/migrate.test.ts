import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import { FolderDocumentStore } from '../../../lambda/adapters/folder-document-store.js';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import { migrateSingleTargetLayout } from '../../../lambda/org/migrate.js';
import { TargetDocumentStore } from '../../../lambda/org/target-document-store.js';
import { runDetection } from '../../../lambda/run/detector.js';
import { LEGACY_TARGET, legacyPools, StaticReader } from '../../fixtures/legacy-deployment.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/legacy-layout', import.meta.url));
const HOUR = 3_600_000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('migrating a single-target deployment to the account/region layout', () => {
  let folder: string;
  let sent: AlertMessage[];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'legacy-'));
    await cp(FIXTURE, folder, { recursive: true });
    sent = [];
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** A run of the detector on the target's documents, `hoursAfter` the fixture's last run. */
  async function runAfter(hoursAfter: number) {
    const documents = new FolderDocumentStore(folder);
    await migrateSingleTargetLayout(documents, LEGACY_TARGET, silent);
    return runDetection(
      {
        reader: new StaticReader(legacyPools(true)),
        store: new DriftStore(new TargetDocumentStore(documents, LEGACY_TARGET)),
        notifier: { publish: async (m) => void sent.push(m) },
        logger: silent,
        now: () => new Date(Date.parse('2026-11-01T11:00:00.000Z') + hoursAfter * HOUR),
      },
      {
        ...LEGACY_TARGET,
        reminderIntervalMs: 24 * HOUR,
        approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
        safetyMarginMs: 0,
        poolConcurrency: 2,
        maxRunAgeMs: HOUR,
      },
    );
  }

  it('copies baselines, snapshots and state byte for byte, and keeps the old files', async () => {
    const result = await migrateSingleTargetLayout(new FolderDocumentStore(folder), LEGACY_TARGET);

    expect(result.copied).toBe(5);
    const old = await readFile(join(folder, 'eu-west-1_Customers1.json'), 'utf-8');
    const moved = await readFile(join(folder, '123456789012/eu-west-1/eu-west-1_Customers1.json'), 'utf-8');
    expect(moved).toBe(old);
    const oldState = await readFile(join(folder, '.work/state/detector-state.json'), 'utf-8');
    expect(
      await readFile(join(folder, '.work/state/123456789012/eu-west-1/detector-state.json'), 'utf-8'),
    ).toBe(oldState);
  });

  it('re-baselines nothing and re-sends nothing on the first run after the change', async () => {
    const result = await runAfter(1);

    expect(result.firstRun).toBe(false);
    // The drift in customers was alerted before the change: same drift, within the reminder interval.
    expect(result.pools.find((p) => p.poolId === 'eu-west-1_Customers1')?.findings.length).toBeGreaterThan(0);
    expect(sent).toEqual([]);
  });

  it('keeps what was alerted: a day later the same drift comes back as a reminder, not as new drift', async () => {
    await runAfter(1);
    await runAfter(25);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.attributes.kind).toBe('reminder');
  });

  it('is idempotent: a second migration copies nothing', async () => {
    const documents = new FolderDocumentStore(folder);
    await migrateSingleTargetLayout(documents, LEGACY_TARGET);
    const again = await migrateSingleTargetLayout(documents, LEGACY_TARGET);
    expect(again.copied).toBe(0);
  });

  it('leaves a store with no former documents alone', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'empty-'));
    try {
      const result = await migrateSingleTargetLayout(new FolderDocumentStore(empty), LEGACY_TARGET);
      expect(result).toEqual({ copied: 0, legacyKeys: [] });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
