import { randomUUID } from 'node:crypto';
import type { DriftStore } from '../adapters/drift-store.js';
import type { RunDoc } from '../core/documents.js';
import { DEFAULT_LEASE_MS } from '../core/documents.js';
import { ConflictError } from '../errors.js';

/**
 * Who works on the run in `runs/current.json`, and until when. The Lambda and a CLI `check` both
 * take the lease when they start or resume a run, refresh it while they scan, hand it to their own
 * next invocation when time runs out, and give it up when they finish or fail. A run whose lease is
 * live is left alone; one whose lease ran out (its worker died) or was given up is taken up at once.
 */

/** Another worker took the run over (the lease ran out while this one was stalled). */
export class LeaseLostError extends Error {
  constructor(
    readonly runId: string,
    options?: { cause?: unknown },
  ) {
    super(`run ${runId} was taken over by another execution`, options);
    this.name = 'LeaseLostError';
  }
}

/** What a run document says about who works on it, at `now`. */
export type LeaseStatus =
  /** Someone is scanning it: leave it alone. */
  | 'held'
  /** Its execution's next invocation is about to continue it: only that one may. */
  | 'handed-off'
  /** No one: the next execution takes it up. */
  | 'free';

/**
 * A document without a lease (written before leases existed) counts as handed off while its last
 * activity is within `legacyGraceMs`, as such documents were treated before.
 */
export function leaseStatus(run: RunDoc, now: Date, legacyGraceMs: number): LeaseStatus {
  if (run.status !== 'scanning') return 'free';
  const lease = run.lease;
  if (!lease) {
    return now.getTime() - Date.parse(run.updatedAt) < legacyGraceMs ? 'handed-off' : 'free';
  }
  if (Date.parse(lease.expiresAt) <= now.getTime()) return 'free';
  return lease.handoff ? 'handed-off' : 'held';
}

/** Whether an invocation may work on the stored run: `continuing` says it is the run's own execution. */
export function mayTakeUp(status: LeaseStatus, continuing: boolean): boolean {
  return status === 'free' || (continuing && status === 'handed-off');
}

/**
 * The lease held by one invocation: every write of the run document goes through here, one at a
 * time, each conditional on the version last written, so a worker that lost the run finds out.
 */
export class RunLease {
  private etag: string | null;
  private lastWrittenMs = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lost: LeaseLostError | undefined;

  constructor(
    private readonly store: DriftStore,
    private readonly run: RunDoc,
    etag: string | null,
    private readonly now: () => Date,
    private readonly leaseMs: number = DEFAULT_LEASE_MS,
    readonly owner: string = randomUUID(),
  ) {
    this.etag = etag;
  }

  /** Takes the run (the caller decided it may, with {@link mayTakeUp}). */
  async take(): Promise<void> {
    await this.write({ handoff: false });
  }

  /**
   * Refreshes the lease when a third of it has passed. Called after each pool and by a timer, so
   * a long pool does not let it run out. Throws {@link LeaseLostError} once the run was taken over.
   */
  async refreshIfDue(): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.now().getTime() - this.lastWrittenMs < this.leaseMs / 3) return;
    await this.write({ handoff: false });
  }

  /** Refreshes on a timer too (unreferenced: it never keeps the process alive). */
  startTimer(): void {
    this.timer = setInterval(() => {
      this.refreshIfDue().catch(() => {
        // Remembered in `lost` (or retried next time); the scan's own refresh reports it.
      });
    }, this.leaseMs / 3);
    this.timer.unref?.();
  }

  stopTimer(): void {
    clearInterval(this.timer);
  }

  /** Out of time: saves progress and leaves the run to this execution's next invocation. */
  async handOff(): Promise<void> {
    this.stopTimer();
    await this.write({ handoff: true });
  }

  /** Done: the run is complete, and no one holds it. */
  async complete(): Promise<void> {
    this.stopTimer();
    this.run.status = 'complete';
    await this.write({ release: true });
  }

  /**
   * This invocation failed: saves what it finished and gives the run up, so the next execution
   * (started by an operator who fixed the cause, or the schedule) resumes it at once. Never throws:
   * if this write fails too, the lease simply runs out.
   */
  async release(): Promise<boolean> {
    this.stopTimer();
    if (this.lost) return false;
    try {
      await this.write({ release: true });
      return true;
    } catch {
      return false;
    }
  }

  private write(how: { handoff?: boolean; release?: boolean }): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.lost) throw this.lost;
      const at = this.now();
      this.run.updatedAt = at.toISOString();
      this.run.lease = {
        owner: this.owner,
        // A released lease has already run out: anyone may take the run up.
        expiresAt: new Date(at.getTime() + (how.release ? 0 : this.leaseMs)).toISOString(),
        ...(how.handoff ? { handoff: true } : {}),
      };
      try {
        this.etag = await this.store.putRun(this.run, this.etag);
      } catch (error) {
        if (error instanceof ConflictError) this.lost = new LeaseLostError(this.run.runId, { cause: error });
        throw this.lost ?? error;
      }
      this.lastWrittenMs = at.getTime();
    });
    this.queue = next.catch(() => {});
    return next;
  }
}
