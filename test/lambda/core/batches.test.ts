import { describe, expect, it } from 'vitest';
import { sizedBatches } from '../../../lambda/core/batches.js';

const limits = {
  maxItems: 3,
  maxBytes: 10,
  maxItemBytes: 6,
  sizeOf: (item: string) => item.length,
  tooLarge: (item: string, size: number) => new RangeError(`${item} is ${size} bytes`),
};

describe('sizedBatches', () => {
  it('starts a new call when the item count is reached, keeping the order', () => {
    expect(sizedBatches(['a', 'b', 'c', 'd', 'e'], limits)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('starts a new call before the bytes together would pass the limit', () => {
    expect(sizedBatches(['aaaaa', 'bbbbb', 'c'], limits)).toEqual([['aaaaa', 'bbbbb'], ['c']]);
    expect(sizedBatches(['aaaaaa', 'bbbbb'], limits)).toEqual([['aaaaaa'], ['bbbbb']]);
  });

  it('refuses an item over the per-item limit with the caller’s error, before any batch is made', () => {
    expect(() => sizedBatches(['a', 'ccccccc'], limits)).toThrow(new RangeError('ccccccc is 7 bytes'));
  });

  it('makes no call for no items', () => {
    expect(sizedBatches([], limits)).toEqual([]);
  });
});
