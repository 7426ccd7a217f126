import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../lambda/concurrency.js';

/** A task whose completion the test controls. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('forEachConcurrently', () => {
  it('runs at most `concurrency` tasks at once, in the items order, and all of them', async () => {
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const done = forEachConcurrently([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await gates[i]?.promise;
      inFlight -= 1;
    });
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    for (const g of gates) g.open();
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('starts nothing after a failure, and rejects only once the started tasks have settled', async () => {
    const slow = gate();
    const started: number[] = [];
    let slowSettled = false;
    const done = forEachConcurrently([0, 1, 2, 3], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await slow.promise;
        slowSettled = true;
        return;
      }
      throw new Error(`task ${i} failed`);
    });
    let rejected: unknown;
    done.catch((error) => {
      rejected = error;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejected).toBeUndefined();
    slow.open();
    await expect(done).rejects.toThrow('task 1 failed');
    expect(slowSettled).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('leaves the rest unstarted once shouldStop says so', async () => {
    const started: number[] = [];
    await forEachConcurrently(
      [0, 1, 2, 3],
      1,
      async (i) => void started.push(i),
      () => started.length >= 2,
    );
    expect(started).toEqual([0, 1]);
  });
});
