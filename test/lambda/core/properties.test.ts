import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../lambda/core/canonical.js';
import { diffPool } from '../../../lambda/core/diff.js';
import { normalizeClient, normalizePool } from '../../../lambda/core/normalize.js';
import { classify, type SeverityRule, severityRules } from '../../../lambda/core/severity.js';
import { type Change, type PoolSnapshot, Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import {
  jsonValue,
  normalizedPoolSnapshot,
  poolSnapshot,
  rawClient,
  rawUserPool,
} from '../../fixtures/arbitraries.js';

const SEVERITY_RULES = severityRules(CATALOG);

/**
 * Properties of the pure core, in the spirit of aws-cdk's cloudformation-diff property tests:
 * whatever the input, the pipeline must not crash and must agree with itself.
 */
const runs = { numRuns: 200 };
const maybePool = fc.option(poolSnapshot, { nil: null, freq: 8 });

/** The change as seen from the other side: what diffPool(b, a) should report for a change in diffPool(a, b). */
function mirrored(change: Change): string {
  const kind = {
    'pool-added': 'pool-removed',
    'pool-removed': 'pool-added',
    'client-added': 'client-removed',
    'client-removed': 'client-added',
    'resource-added': 'resource-removed',
    'resource-removed': 'resource-added',
    'secret-added': 'secret-removed',
    'secret-removed': 'secret-added',
    'field-changed': 'field-changed',
    'list-changed': 'list-changed',
    // Not diffs: never produced by diffPool.
    'secret-lifecycle': 'secret-lifecycle',
    'now-ignored': 'now-ignored',
  }[change.kind];
  return signature({ ...change, kind } as Change);
}

function signature(change: Change): string {
  const detail =
    change.kind === 'field-changed'
      ? [change.path]
      : change.kind === 'list-changed'
        ? [change.path]
        : change.kind === 'secret-added' || change.kind === 'secret-removed'
          ? [change.secretId]
          : [];
  return [change.kind, change.clientId ?? '', ...detail].join(' ');
}

describe('diffPool properties', () => {
  it('finds no change between a snapshot and itself or a deep copy of it', () => {
    fc.assert(
      fc.property(poolSnapshot, (x) => {
        expect(diffPool(x, x, CATALOG)).toEqual([]);
        expect(diffPool(x, structuredClone(x), CATALOG)).toEqual([]);
      }),
      runs,
    );
  });

  it('never throws for any pair of snapshots, present or absent', () => {
    fc.assert(
      fc.property(maybePool, maybePool, (a, b) => {
        expect(() => diffPool(a, b, CATALOG)).not.toThrow();
      }),
      runs,
    );
  });

  it('reports the same changes, mirrored, when the sides are swapped', () => {
    fc.assert(
      fc.property(poolSnapshot, poolSnapshot, (a, b) => {
        const forward = diffPool(a, b, CATALOG).map(mirrored).sort();
        const backward = diffPool(b, a, CATALOG).map(signature).sort();

        expect(backward).toEqual(forward);
      }),
      runs,
    );
  });

  it('reports a field set to a new value exactly once, at its path, with both values', () => {
    fc.assert(
      fc.property(poolSnapshot, jsonValue, (x, value) => {
        fc.pre(value !== null && !(typeof value === 'object'));
        const changed: PoolSnapshot = { ...x, config: { ...x.config, ProbeSetting: value } };

        expect(diffPool(x, changed, CATALOG)).toEqual([
          {
            kind: 'field-changed',
            poolId: x.poolId,
            poolName: x.poolName,
            path: 'ProbeSetting',
            before: undefined,
            after: value,
          },
        ]);
      }),
      runs,
    );
  });

  it('does not modify either snapshot', () => {
    fc.assert(
      fc.property(poolSnapshot, poolSnapshot, (a, b) => {
        const copies = structuredClone([a, b]);

        diffPool(a, b, CATALOG);

        expect([a, b]).toEqual(copies);
      }),
      runs,
    );
  });
});

describe('normalization properties', () => {
  it('is idempotent: normalizing a snapshot rebuilt as SDK responses gives the same snapshot', () => {
    fc.assert(
      fc.property(normalizedPoolSnapshot, (snapshot) => {
        const clients = Object.values(snapshot.clients).map((client) =>
          normalizeClient(
            { ...client.config, ClientId: client.clientId },
            Object.entries(client.secrets).map(([id, secret]) => ({
              ClientSecretId: id,
              ClientSecretCreateDate: secret.createdAt === null ? undefined : new Date(secret.createdAt),
            })),
          ),
        );

        const again = normalizePool(
          { ...snapshot.config, Id: snapshot.poolId, Name: snapshot.poolName },
          clients,
        );

        expect(again).toEqual(snapshot);
        expect(canonicalJson(again)).toBe(canonicalJson(snapshot));
      }),
      runs,
    );
  });

  it('gives the same snapshot whatever order the lists come back in', () => {
    fc.assert(
      fc.property(rawUserPool, (pool) => {
        const reversed = { ...pool };
        for (const [key, value] of Object.entries(reversed)) {
          if (Array.isArray(value)) Object.assign(reversed, { [key]: [...value].reverse() });
        }

        expect(canonicalJson(normalizePool(reversed, []))).toBe(canonicalJson(normalizePool(pool, [])));
      }),
      runs,
    );
  });

  it('never keeps a client secret value and never mutates its input', () => {
    fc.assert(
      fc.property(rawClient, ({ client, secrets }) => {
        const before = structuredClone({ client, secrets });

        const snapshot = normalizeClient(client, secrets);

        expect(JSON.stringify(snapshot)).not.toContain(client.ClientSecret);
        expect({ client, secrets }).toEqual(before);
      }),
      runs,
    );
  });
});

describe('classify properties', () => {
  it('never throws, and classifies every change with a known severity', () => {
    fc.assert(
      fc.property(maybePool, maybePool, (baseline, current) => {
        const changes = diffPool(baseline, current, CATALOG);

        const findings = classify(changes, { baseline, current }, SEVERITY_RULES);

        expect(findings).toHaveLength(changes.length);
        for (const finding of findings) expect(Object.values(Severity)).toContain(finding.severity);
      }),
      runs,
    );
  });

  it('has no built-in rule that throws (a throw would turn into a false HIGH)', () => {
    const thrown: string[] = [];
    const watched: SeverityRule[] = SEVERITY_RULES.map((rule) => ({
      ...rule,
      evaluate: (change, ctx) => {
        try {
          return rule.evaluate(change, ctx);
        } catch (error) {
          thrown.push(`${rule.name}: ${String(error)}`);
          throw error;
        }
      },
    }));

    fc.assert(
      fc.property(maybePool, maybePool, (baseline, current) => {
        classify(diffPool(baseline, current, CATALOG), { baseline, current }, watched);

        expect(thrown).toEqual([]);
      }),
      runs,
    );
  });
});
