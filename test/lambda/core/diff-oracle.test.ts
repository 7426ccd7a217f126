import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../lambda/core/canonical.js';
import { diffPool } from '../../../lambda/core/diff.js';
import type { Json, JsonObject, PoolSnapshot } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import { jsonObject } from '../../fixtures/arbitraries.js';

/**
 * `diffPool` against an independent oracle that shares no code with it and uses no deep-diff: flatten
 * both configs to leaf paths (a list is a leaf, compared as a set of canonical JSON values), then
 * report every path whose value differs. The diff must report exactly the same changes.
 */
function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function leaves(value: Json | undefined, path: string[], out: Map<string, Json>): Map<string, Json> {
  if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], out);
  } else if (value !== undefined && path.length > 0) {
    out.set(path.join('.'), value);
  }
  return out;
}

/** Each item present on one side and nowhere on the other (a duplicate counts each time). */
function listLine(path: string, was: Json | undefined, is: Json | undefined): string {
  const items = (v: Json | undefined) =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((item) => canonicalJson(item));
  const wasSet = new Set(items(was));
  const isSet = new Set(items(is));
  const added = items(is)
    .filter((x) => !wasSet.has(x))
    .sort();
  const removed = items(was)
    .filter((x) => !isSet.has(x))
    .sort();
  return added.length || removed.length ? `list ${path} +${added.join('|')} -${removed.join('|')}` : '';
}

function valueAt(root: JsonObject, path: string): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path.split('.')) node = isObject(node) ? node[key] : undefined;
  return node;
}

function oracle(before: JsonObject, after: JsonObject): string[] {
  const a = leaves(before, [], new Map());
  const b = leaves(after, [], new Map());
  const out: string[] = [];
  // A setting that is a value on one side and an object on the other is one change of the whole value.
  for (const [mine, theirs, root, flip] of [
    [a, b, after, false],
    [b, a, before, true],
  ] as const) {
    for (const path of [...mine.keys()]) {
      const nested = [...theirs.keys()].filter((p) => p.startsWith(`${path}.`));
      if (theirs.has(path) || nested.length === 0) continue;
      const [was, is] = flip ? [valueAt(root, path), mine.get(path)] : [mine.get(path), valueAt(root, path)];
      // A list on either side makes it a list change, the other side's value being one item.
      out.push(
        Array.isArray(was) || Array.isArray(is)
          ? listLine(path, was, is)
          : `field ${path} ${canonicalJson(was)} -> ${canonicalJson(is)}`,
      );
      mine.delete(path);
      for (const p of nested) theirs.delete(p);
    }
  }
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(path);
    const is = b.get(path);
    if (Array.isArray(was) || Array.isArray(is)) {
      const line = listLine(path, was, is);
      if (line) out.push(line);
    } else if (canonicalJson(was) !== canonicalJson(is)) {
      out.push(`field ${path} ${canonicalJson(was)} -> ${canonicalJson(is)}`);
    }
  }
  return out.sort();
}

/** As normalization leaves them: no empty objects or lists (Cognito reports "none" either way). */
function pruned(value: Json): Json | undefined {
  if (Array.isArray(value)) {
    const items = value.map(pruned).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  if (isObject(value)) {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, pruned(v)] as const)
      .filter((entry): entry is readonly [string, Json] => entry[1] !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

const normalizedConfig = jsonObject.map((config) => (pruned(config) ?? {}) as JsonObject);

function pool(config: JsonObject): PoolSnapshot {
  return { poolId: 'p', poolName: 'p', config, clients: {} };
}

describe('diffPool against an independent oracle', () => {
  it('reports exactly the leaf and set differences the oracle finds', () => {
    fc.assert(
      fc.property(normalizedConfig, normalizedConfig, (before, after) => {
        const actual = diffPool(pool(before), pool(after), CATALOG)
          .map((c) => {
            if (c.kind === 'list-changed') {
              const added = c.added.map((x) => canonicalJson(x)).sort();
              const removed = c.removed.map((x) => canonicalJson(x)).sort();
              return `list ${c.path} +${added.join('|')} -${removed.join('|')}`;
            }
            if (c.kind === 'field-changed')
              return `field ${c.path} ${canonicalJson(c.before)} -> ${canonicalJson(c.after)}`;
            return `unexpected ${c.kind}`;
          })
          .sort();
        expect(actual).toEqual(oracle(before, after));
      }),
      { numRuns: 300 },
    );
  });
});
