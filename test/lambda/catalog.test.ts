import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATION_QUOTA, QUOTAS } from '../../lambda/adapters/quotas.js';
import { catalogOperations, iamActionOf, readActionsByResource } from '../../lambda/core/catalog.js';
import { writeEventTable } from '../../lambda/core/write-events.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import { MEMBER_READ_ACTIONS } from '../../lib/member-role.js';
import { DetectorHarness, FakeAccount } from '../support/fake-aws.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every `.ts` file under the given top-level folders, as paths relative to the repository root. */
function sourceFiles(...folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(path);
    }
  };
  for (const folder of folders) walk(folder);
  return out.sort();
}

/** The repository files a source file imports (type-only imports and re-exports included). */
function importsOf(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gms),
    ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The first import circle found in the graph, as the files along it, or undefined. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the import graph of lambda/, lib/ and cli/', () => {
  const files = sourceFiles('lambda', 'lib', 'cli');
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((target) => files.includes(target))]));

  it('is read (every relative import resolves to a source file)', () => {
    const unresolved = files.flatMap((f) =>
      importsOf(f)
        .filter((t) => t.startsWith('lambda/') || t.startsWith('lib/') || t.startsWith('cli/'))
        .filter((t) => !files.includes(t))
        .map((t) => `${f} -> ${t}`),
    );
    expect(unresolved).toEqual([]);
    expect(graph.get('lambda/core/render.ts')).toContain('lambda/core/catalog.ts');
  });

  it('has no circle', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a circle when there is one (the walker itself)', () => {
    const circle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(findCycle(circle)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it('keeps lambda/core free of lambda/surfaces: the core receives the catalog', () => {
    const fromCore = [...graph].flatMap(([file, targets]) =>
      file.startsWith('lambda/core/')
        ? targets.filter((t) => t.startsWith('lambda/surfaces/')).map((t) => `${file} -> ${t}`)
        : [],
    );
    expect(fromCore).toEqual([]);
  });
});

describe('the surface catalog', () => {
  const operations = catalogOperations(CATALOG);
  const sources = sourceFiles('lambda', 'lib', 'cli', 'bin').map((file) => ({
    file,
    text: readFileSync(join(ROOT, file), 'utf8'),
  }));

  // A quota category key (`IdentityPool.DescribeIdentityPool`) names a bucket of quotas.ts, not the
  // operation: a name right after a dot is not counted. An IAM action (`cognito-idp:X`) is.
  it.each(operations.map((op) => op.name))('names %s in exactly one source file', (name) => {
    const word = new RegExp(`(?<![\\w.])${name}(Command)?\\b`);
    const holders = sources.filter((s) => word.test(s.text)).map((s) => s.file);
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatch(/^lambda\/surfaces\//);
  });

  it('gives the quota table, the IAM lists and the write-event table their catalog entries', () => {
    for (const op of operations) {
      expect(OPERATION_QUOTA[op.name]).toBe(op.quota);
      expect(QUOTAS[op.quota as keyof typeof QUOTAS]).toBeDefined();
      expect(MEMBER_READ_ACTIONS).toContain(iamActionOf(op));
    }
    const byResource = readActionsByResource(CATALOG);
    expect(byResource.userpool).toContain('cognito-idp:DescribeManagedLoginBrandingByClient');
    expect(byResource.none).toEqual([
      'cognito-identity:ListIdentityPools',
      'cognito-idp:DescribeUserPoolDomain',
      'wafv2:ListWebACLs',
    ]);
    const table = writeEventTable(CATALOG);
    for (const entry of CATALOG.entries)
      for (const event of entry.writeEvents)
        expect(table.of(event.eventSource, event.eventName)?.surface).toBe(entry.name);
  });

  it('says where a quota category is assumed rather than documented', () => {
    const assumed = operations.filter((op) => op.quotaAssumed).map((op) => op.name);
    expect(assumed).toEqual(
      expect.arrayContaining(['DescribeManagedLoginBrandingByClient', 'ListTerms', 'DescribeTerms']),
    );
    // WAF's rate is documented for the operation itself.
    expect(assumed).not.toContain('GetWebACLForResource');
  });

  it('refuses a write event claimed by two kinds', () => {
    const [first] = CATALOG.entries;
    if (!first) throw new Error('empty catalog');
    expect(() => writeEventTable({ entries: [first, { ...first, name: 'copy' }] })).toThrow(/declared twice/);
  });
});

describe('tags, which arrive with DescribeUserPool and DescribeIdentityPool (no surface of their own)', () => {
  it('are compared: a changed tag of a user pool and of an identity pool is alerted, as LOW', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    const pool = aws.addPool({ name: 'customers', config: { UserPoolTags: { team: 'identity' } } });
    const identityPoolId = aws.addIdentityPool({ name: 'mobile', tags: { env: 'prod' } });
    await harness.run();
    aws.updatePool(pool.poolId, { UserPoolTags: { team: 'growth' } });
    aws.updateIdentityPool(identityPoolId, { tags: { env: 'dev' } });

    const run = await harness.run();

    const findings = run.pools.flatMap((p) =>
      p.findings.map((f) => `${p.poolId} ${'path' in f ? f.path : f.kind} ${f.severity}`),
    );
    expect(findings.sort()).toEqual(
      [`${pool.poolId} UserPoolTags.team LOW`, `${identityPoolId} IdentityPoolTags.env LOW`].sort(),
    );
    expect(run.sent[0]?.Message).toContain('UserPoolTags.team: identity -> growth');
    expect(run.sent[0]?.Message).toContain('IdentityPoolTags.env: prod -> dev');
  });
});
