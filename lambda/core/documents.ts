import { z } from 'zod';
import { postureCountsSchema, postureFindingSchema } from './posture.js';
import { type Finding, type Json, Severity } from './types.js';

/**
 * The JSON formats cognito-drift stores (in S3 or in a folder). Every document carries
 * `formatVersion` and `kind`, and is validated on read: a malformed object is an error that names
 * its key, never a silent pass.
 */
export const FORMAT_VERSION = 1;

/** How long a lease lasts without a refresh: what a worker that died silently costs. */
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** Where each document lives, relative to the bucket root or the baselines folder. */
export const keys = {
  baselinePrefix: 'baselines/',
  baseline: (poolId: string) => `baselines/${poolId}.json`,
  snapshot: (poolId: string) => `snapshots/${poolId}.json`,
  state: 'state/detector-state.json',
  run: 'runs/current.json',
  report: (runId: string) => `reports/${runId}.json`,
  poolIdFromBaselineKey: (key: string) => key.slice('baselines/'.length, -'.json'.length),
};

/** One (account, region) a deployment watches. */
export interface TargetScope {
  accountId: string;
  region: string;
}

/**
 * Where a target's document lives: the target's account and region follow the document kind's
 * folder, so `baselines/<poolId>.json` becomes `baselines/<account>/<region>/<poolId>.json`, and
 * `state/detector-state.json` becomes `state/<account>/<region>/detector-state.json`.
 */
export function targetKey(target: TargetScope, key: string): string {
  const slash = key.indexOf('/');
  if (slash < 0) throw new Error(`Not a document key: ${key}`);
  return `${key.slice(0, slash)}/${target.accountId}/${target.region}/${key.slice(slash + 1)}`;
}

/** The inverse of {@link targetKey}: undefined when `key` is not one of that target's. */
export function untargetKey(target: TargetScope, key: string): string | undefined {
  const slash = key.indexOf('/');
  const scope = `/${target.accountId}/${target.region}/`;
  if (slash < 0 || !key.startsWith(scope, slash)) return undefined;
  return `${key.slice(0, slash)}/${key.slice(slash + scope.length)}`;
}

const json = z.json() as z.ZodType<Json>;
const isoDate = z.iso.datetime({ offset: true });

export const clientSnapshotSchema = z.strictObject({
  clientId: z.string().min(1),
  clientName: z.string(),
  config: z.record(z.string(), json),
  secrets: z.record(z.string(), z.strictObject({ createdAt: isoDate.nullable() })),
});

const resourceSnapshotSchema = z.strictObject({ name: z.string(), config: z.record(z.string(), json) });

export const poolSnapshotSchema = z.strictObject({
  poolId: z.string().min(1),
  poolName: z.string(),
  config: z.record(z.string(), json),
  clients: z.record(z.string(), clientSnapshotSchema),
  /** Absent in documents written before surfaces were watched: those surfaces are then not compared. */
  surfaces: z.record(z.string(), z.record(z.string(), resourceSnapshotSchema)).optional(),
});

const unreadableSurfaceSchema = z.strictObject({
  surface: z.string(),
  operation: z.string(),
  reason: z.string(),
});

/** The approved state of one pool. `pool: null` approves the pool's deletion. */
export const baselineDocSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  kind: z.literal('baseline'),
  poolId: z.string().min(1),
  approvedAt: isoDate,
  approvedBy: z.string(),
  reason: z.string(),
  snapshotHash: z.string().nullable(),
  pool: poolSnapshotSchema.nullable(),
});
export type BaselineDoc = z.infer<typeof baselineDocSchema>;

/** The latest state the detector saw of one pool: what an alert describes and an approval accepts. */
export const snapshotDocSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  kind: z.literal('snapshot'),
  poolId: z.string().min(1),
  capturedAt: isoDate,
  runId: z.string(),
  hash: z.string().nullable(),
  /** Clients that could not be read in that run: their entries are carried over from the baseline. */
  unreadableClients: z.array(z.strictObject({ clientId: z.string(), reason: z.string() })),
  /** Surfaces that could not be read in that run: carried over from the baseline. */
  unreadableSurfaces: z.array(unreadableSurfaceSchema).optional(),
  pool: poolSnapshotSchema.nullable(),
});
export type SnapshotDoc = z.infer<typeof snapshotDocSchema>;

const alertMarkSchema = z.strictObject({
  fingerprint: z.string(),
  firstAlertedAt: isoDate,
  lastAlertedAt: isoDate,
});
export type AlertMark = z.infer<typeof alertMarkSchema>;

const poolStateSchema = z.strictObject({
  /** Hash of the last snapshot written, so an unchanged pool is not written again. */
  snapshotHash: z.string().nullable().optional(),
  /** What the baseline object held at a given ETag, so an unchanged pool needs no baseline read. */
  baseline: z.strictObject({ etag: z.string(), snapshotHash: z.string().nullable() }).optional(),
  /** The drift last alerted for this pool (fingerprint = baseline hash + snapshot hash). */
  drift: alertMarkSchema
    .extend({
      snapshotHash: z.string().nullable(),
      baselineHash: z.string().nullable(),
      highest: z.enum(Severity),
      changeCount: z.number().int(),
      /** The pool's name when alerted: a deleted pool has none left to read. */
      poolName: z.string().optional(),
      /**
       * A real-time alert could not name the author of some changes (it knows only the calls that
       * started it): the next sweep looks them up in CloudTrail from `since` and sends the author
       * once (see author-follow-up.ts). Absent in state written before follow-ups existed.
       */
      authorPending: z.strictObject({ alertedAt: isoDate, since: isoDate }).optional(),
    })
    .optional(),
  /**
   * The drift a run without delivery (CLI `check` with no topic) last showed: what `approve` may
   * accept without --force. Never silences an alert: only `drift` does.
   */
  shown: z.strictObject({ snapshotHash: z.string().nullable(), shownAt: isoDate }).optional(),
});
export type PoolState = z.infer<typeof poolStateSchema>;

/** What the detector remembers between runs: caches and which drift it already alerted. */
export const stateDocSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  kind: z.literal('state'),
  initializedAt: isoDate,
  pools: z.record(z.string(), poolStateSchema),
  /** The last "scan incomplete" notice, so the same failure is not re-sent every run. */
  incomplete: alertMarkSchema.optional(),
  /** The last notice about unusable stored documents. */
  problems: alertMarkSchema.optional(),
  /**
   * The surfaces the last completed run watched. Absent in state written before surfaces existed:
   * identity pools seen for the first time are then recorded as baseline, not alerted as created.
   */
  watching: z.array(z.string()).optional(),
  /**
   * The references (a trigger, role or key a pool points to) already reported as not readable from
   * this account, by `<surface>/<ARN>`, with why and when: each is reported once, not every run.
   * Absent in state written before references were followed. `pools`: the pools that pointed to it
   * when last read, so it is forgotten once none does (absent in state written before: unknown). A
   * reference read again is forgotten too, so it is reported again if it stops being readable.
   */
  unreadableReferences: z
    .record(
      z.string(),
      z.strictObject({ reason: z.string(), reportedAt: isoDate, pools: z.array(z.string()).optional() }),
    )
    .optional(),
});
export type StateDoc = z.infer<typeof stateDocSchema>;

const findingShape = z.looseObject({
  kind: z.string(),
  poolId: z.string(),
  poolName: z.string(),
  severity: z.enum(Severity),
});
const findingSchema = z.custom<Finding>((value) => findingShape.safeParse(value).success, 'not a finding');

const poolOutcomeSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('scanned'),
    poolName: z.string(),
    snapshotHash: z.string(),
    baselineHash: z.string().nullable(),
    /** The version of the baseline `baselineHash` describes. */
    baselineEtag: z.string().optional(),
    /** When that baseline was approved, when it was read: no earlier write made this run's drift. */
    baselineApprovedAt: isoDate.optional(),
    hasBaseline: z.boolean(),
    clientCount: z.number().int(),
    findings: z.array(findingSchema),
    unreadableClients: z.array(z.strictObject({ clientId: z.string(), reason: z.string() })),
    unreadableSurfaces: z.array(unreadableSurfaceSchema).optional(),
    /** What the pool points to that this account cannot read (`core/references.ts`): no drift, reported once. */
    unreadableReferences: z
      .array(
        z.strictObject({
          surface: z.string(),
          resourceId: z.string(),
          resourceName: z.string(),
          reason: z.string(),
        }),
      )
      .optional(),
    /**
     * References read this run that could not be read before (remembered as not readable, or named
     * by the baseline without a state of them: `recorded` into it this run). Absent when none, and
     * in run documents of earlier releases.
     */
    nowReadable: z
      .array(
        z.strictObject({
          surface: z.string(),
          resourceId: z.string(),
          resourceName: z.string(),
          recorded: z.boolean(),
        }),
      )
      .optional(),
    /** Surfaces this run recorded into the pool's baseline because the baseline predates them. */
    newlyCovered: z.array(z.string()).optional(),
    /** The pool's and its baseline's hashes before `newlyCovered` was recorded into the baseline. */
    upgradedFrom: z
      .strictObject({ snapshotHash: z.string(), baselineHash: z.string().nullable() })
      .optional(),
    /**
     * This run recorded the pool's first baseline when it read it: on the first run, or when its
     * kind was first watched. Absent in run documents of earlier releases (recorded at the end then).
     */
    recorded: z.enum(['first-run', 'newly-watched']).optional(),
    /**
     * With findings: the CloudFormation stack the pool's `aws:cloudformation:stack-name` tag names
     * (null: none), so its changes can be told deployed or made outside it (core/deployments.ts).
     * Absent in run documents of earlier releases: the changes are then not labelled.
     */
    stack: z.string().nullable().optional(),
    /**
     * Posture findings: those a change, a new client or a new pool made risky; every one for the
     * CLI's `posture`. Absent when none, and in documents of earlier releases.
     */
    posture: z.array(postureFindingSchema).optional(),
    /** The first run's posture of the pool, counted by control (absent when none, and in earlier documents). */
    postureCounts: postureCountsSchema.optional(),
  }),
  z.strictObject({ status: z.literal('gone'), poolName: z.string() }),
  z.strictObject({ status: z.literal('unreadable'), poolName: z.string(), reason: z.string() }),
  z.strictObject({
    status: z.literal('bad-document'),
    poolName: z.string(),
    key: z.string(),
    reason: z.string(),
  }),
]);
export type PoolOutcome = z.infer<typeof poolOutcomeSchema>;

/** A scan in progress, persisted between Lambda invocations so a long scan resumes where it stopped. */
export const runDocSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  kind: z.literal('run'),
  runId: z.string(),
  startedAt: isoDate,
  /** Written when an invocation takes the run up and when it stops: how a second execution knows it is live. */
  updatedAt: isoDate,
  status: z.enum(['scanning', 'complete']),
  pools: z.array(z.strictObject({ poolId: z.string(), poolName: z.string() })),
  outcomes: z.record(z.string(), poolOutcomeSchema),
  invocations: z.number().int(),
  /**
   * Clients and surfaces already read of pools that an invocation could not finish: the next one
   * goes on from there. `surfaces` (normalized, as the baseline stores them) is absent in earlier
   * documents: those surfaces are read again.
   */
  partials: z
    .record(
      z.string(),
      z.strictObject({
        clients: z.array(clientSnapshotSchema),
        surfaces: z.record(z.string(), z.record(z.string(), resourceSnapshotSchema)).optional(),
      }),
    )
    .optional(),
  /**
   * Per pool, how many invocations the time limit cut its reads off in; at the limit the pool is
   * reported as too large for one invocation and the run goes on. Absent in earlier documents.
   */
  interrupted: z.record(z.string(), z.number().int().min(0)).optional(),
  /** Started before any baseline or state existed: it records the baselines, however often it is resumed. */
  firstRun: z.boolean().optional(),
  /** Listings that failed (the identity pools'): what they list is neither compared nor reported as removed. */
  unlisted: z.array(z.strictObject({ kind: z.literal('identityPools'), reason: z.string() })).optional(),
  /** The surfaces this run reads. */
  watching: z.array(z.string()).optional(),
  /**
   * Who works on the run and until when (see run-lease.ts). `handoff`: left to the same execution's
   * next invocation. Absent in documents written before leases: `updatedAt` is used instead.
   */
  lease: z
    .strictObject({ owner: z.string(), expiresAt: isoDate, handoff: z.boolean().optional() })
    .optional(),
});
export type RunDoc = z.infer<typeof runDocSchema>;
