import { describe, expect, it } from 'vitest';
import { timeScale } from '../../bench/time-scale.js';
import { ManualClock } from '../support/manual-timer-clock.js';

describe('bench time scale', () => {
  it('runs the bench clock k times as fast as the wall clock, sleeps included', async () => {
    const wall = new ManualClock();
    const scale = timeScale(4, wall);
    let woke = false;
    const sleeping = scale.clock.sleep(1000).then(() => {
      woke = true;
    });

    await wall.runUntil(249);
    expect(woke).toBe(false);
    await wall.runUntil(250);
    await sleeping;

    expect(woke).toBe(true);
    expect(scale.now()).toBe(1000);
    expect(scale.clock.now()).toBe(1000);
    expect(scale.real(60)).toBe(15);
  });

  it('slows the bench clock below 1 and dates it from a fixed instant', async () => {
    const wall = new ManualClock();
    const scale = timeScale(0.2, wall);
    await wall.runUntil(5000);

    expect(scale.now()).toBe(1000);
    expect(scale.real(60)).toBe(300);
    expect(scale.date().toISOString()).toBe('2026-12-01T00:00:01.000Z');
  });

  it('rejects a factor that is not a positive number, naming the flag', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => timeScale(bad)).toThrow(/--time-scale must be a number > 0/);
  });
});
