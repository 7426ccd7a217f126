import { DriftStore } from '../adapters/drift-store.js';
import type { DocumentStore } from '../core/ports.js';
import type { ScanTarget } from '../org/target.js';
import { TargetDocumentStore } from '../org/target-document-store.js';
import { runDetection } from './detector.js';
import type { RunMode } from './run-mode.js';
import type { RunPolicy } from './run-policy.js';
import type { RunResult } from './run-result.js';
import type { DetectorDeps } from './run-session.js';

/**
 * The one scan service: scans one target (an account and region, in S3 or in the local folder
 * store) and returns its structured report. The scheduled sweep, the real-time check, the
 * organization step and the CLI all call it, with their options from the run policy.
 *
 * `deps.store` holds the target's documents ({@link targetStore}); `deps.reader` reads the target,
 * signing as it, with its own pacer (Cognito's quotas are per account and region).
 */
export type ScanDeps = DetectorDeps;

export interface ScanRequest {
  target: ScanTarget;
  mode: RunMode;
  policy: RunPolicy;
  /** Called after each pool is read, for a progress display. */
  onProgress?: (done: number, total: number) => void;
}

/** The store of one target's documents under the shared store (bucket root or folder). */
export function targetStore(documents: DocumentStore, target: ScanTarget): DriftStore {
  return new DriftStore(new TargetDocumentStore(documents, target));
}

/** Scans one target: see {@link ScanDeps}. */
export async function scanOne(deps: ScanDeps, request: ScanRequest): Promise<RunResult> {
  return runDetection(deps, {
    ...request.policy,
    accountId: request.target.accountId,
    region: request.target.region,
    mode: request.mode,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
}
