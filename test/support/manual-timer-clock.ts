import type { Clock } from '../../lambda/adapters/rate-limiter.js';

/** A clock that moves only when told to; its timers fire `lateMs` after they are due. */
export class ManualClock implements Clock {
  time = 0;
  private sleepers: { at: number; resolve: () => void }[] = [];

  constructor(private readonly lateMs = 0) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { at: this.time + ms + this.lateMs, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      });
    });
  }

  /** Fires every timer due by `until`, in time order, letting the callers run after each. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const due = this.sleepers.filter((s) => s.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.time = due.at;
      due.resolve();
    }
    this.time = until;
  }
}
