import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../../lambda/core/canonical.js';

describe('canonicalJson', () => {
  it('writes object keys in sorted order at every depth', () => {
    const text = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: true } });

    expect(text).toBe('{"a":{"c":true,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text for the same content built in a different key order', () => {
    const one = {
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true } },
    };
    const two = {
      Policies: { PasswordPolicy: { RequireSymbols: true, MinimumLength: 12 } },
      MfaConfiguration: 'ON',
    };

    expect(canonicalJson(two)).toBe(canonicalJson(one));
  });

  it('keeps list order (lists are ordered by normalization, not here)', () => {
    expect(canonicalJson({ l: ['b', 'a'] })).toBe('{"l":["b","a"]}');
  });

  it('omits undefined properties and writes dates as ISO strings', () => {
    const text = canonicalJson({ b: undefined, a: new Date('2025-06-01T00:00:00.000Z') });

    expect(text).toBe('{"a":"2025-06-01T00:00:00.000Z"}');
  });

  it('indents when asked, for readable files in git', () => {
    expect(canonicalJson({ b: 1, a: 2 }, 2)).toBe('{\n  "a": 2,\n  "b": 1\n}');
  });

  it('does not reorder the keys of the object it was given', () => {
    const value = { b: 1, a: 2 };

    canonicalJson(value);

    expect(Object.keys(value)).toEqual(['b', 'a']);
  });
});

describe('contentHash', () => {
  it('is the SHA-256 of the canonical text, in hex', () => {
    // sha256('{"a":1}'), computed independently (printf '{"a":1}' | sha256sum).
    expect(contentHash({ a: 1 })).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });

  it('is the same for the same content in another key order', () => {
    expect(contentHash({ x: { b: 2, a: 1 }, y: [1, 2] })).toBe(contentHash({ y: [1, 2], x: { a: 1, b: 2 } }));
  });

  it('changes when any value changes, including inside a list', () => {
    const base = { x: { a: 1 }, y: [1, 2] };

    expect(contentHash({ x: { a: 2 }, y: [1, 2] })).not.toBe(contentHash(base));
    expect(contentHash({ x: { a: 1 }, y: [2, 1] })).not.toBe(contentHash(base));
  });

  it('is stable across calls', () => {
    const value = { pool: { poolId: 'eu-west-1_Xk4Pz9QwE', config: { MfaConfiguration: 'ON' } } };

    expect(contentHash(value)).toBe(contentHash(structuredClone(value)));
  });
});
