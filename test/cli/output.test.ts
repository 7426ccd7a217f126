import { describe, expect, it } from 'vitest';
import { formatFindings } from '../../cli/output.js';
import { renderDriftDigest } from '../../lambda/core/render.js';
import { type Finding, Severity } from '../../lambda/core/types.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { fakeIo } from '../support/cli-harness.js';

const POOL = { poolId: 'eu-west-1_Aaaaaaaa1', poolName: 'customers' };
const OTHER = { poolId: 'eu-west-1_Bbbbbbbb2', poolName: 'partners' };
const WEB = { clientId: 'webclient00000000000000001', clientName: 'web' };

/** Findings in the diff's order (pool, clients, surfaces), with a LOW before a HIGH in two groups. */
const findings: Finding[] = [
  {
    kind: 'field-changed',
    ...POOL,
    path: 'EmailVerificationSubject',
    before: 'Hi',
    after: 'Hello',
    severity: Severity.LOW,
    rule: 'cosmetic',
  },
  {
    kind: 'field-changed',
    ...POOL,
    path: 'MfaConfiguration',
    before: 'ON',
    after: 'OFF',
    severity: Severity.HIGH,
    rule: 'mfa-weakened',
  },
  { kind: 'client-added', ...POOL, ...WEB, severity: Severity.HIGH, rule: 'resource-added-or-removed' },
  {
    kind: 'field-changed',
    ...POOL,
    ...WEB,
    path: 'ClientName',
    before: 'web-old',
    after: 'web',
    severity: Severity.LOW,
    rule: 'cosmetic',
  },
  {
    kind: 'list-changed',
    ...POOL,
    ...WEB,
    path: 'CallbackURLs',
    added: ['https://evil.example.net/cb'],
    removed: [],
    severity: Severity.HIGH,
    rule: 'new-redirect-domain',
  },
  {
    kind: 'field-changed',
    ...POOL,
    surface: 'groups',
    resourceId: 'admins',
    resourceName: 'admins',
    path: 'Precedence',
    before: 1,
    after: 0,
    severity: Severity.MEDIUM,
    rule: 'default',
  },
  {
    kind: 'field-changed',
    ...OTHER,
    path: 'UserPoolTags.Team',
    before: 'a',
    after: 'b',
    severity: Severity.LOW,
    rule: 'cosmetic',
  },
];

describe('formatFindings', () => {
  it('groups by pool, then pool, client and surface resource, most severe first', () => {
    expect(formatFindings(findings, fakeIo())).toBe(
      [
        'Pool customers (eu-west-1_Aaaaaaaa1)',
        '  Pool',
        '    [HIGH] MfaConfiguration: ON -> OFF',
        '    [HIGH] App client created: web (webclient00000000000000001)',
        '    [LOW] EmailVerificationSubject: Hi -> Hello',
        '  Client web (webclient00000000000000001)',
        '    [HIGH] CallbackURLs: added https://evil.example.net/cb',
        '    [LOW] ClientName: web-old -> web',
        '  Group admins (admins)',
        '    [MEDIUM] Precedence: 1 -> 0',
        'Pool partners (eu-west-1_Bbbbbbbb2)',
        '  Pool',
        '    [LOW] UserPoolTags.Team: a -> b',
      ].join('\n'),
    );
  });

  it("lists each pool's findings in the very lines of the email's section for that pool", () => {
    const printed = formatFindings(findings, fakeIo()).split('\n');
    const { body } = renderDriftDigest(
      {
        accountId: '123456789012',
        region: 'eu-west-1',
        runId: 'run-1',
        at: '2026-12-02T00:00:00.000Z',
        approveCommand: (poolId) => `approve ${poolId}`,
        catalog: CATALOG,
      },
      [POOL, OTHER].map((pool) => ({
        ...pool,
        findings: findings.filter((f) => f.poolId === pool.poolId),
        status: 'new' as const,
      })),
    );
    const emailed = body.split('\n');

    for (const pool of [POOL, OTHER]) {
      const cliStart = printed.indexOf(`Pool ${pool.poolName} (${pool.poolId})`) + 1;
      const cliEnd = printed.findIndex((line, i) => i >= cliStart && line.startsWith('Pool '));
      const emailStart = emailed.findIndex((line) => line.startsWith(`== Pool ${pool.poolName}`)) + 1;
      const emailEnd = emailed.indexOf('  To approve after review:', emailStart);
      expect(cliStart).toBeGreaterThan(0);
      expect(emailStart).toBeGreaterThan(0);
      expect(printed.slice(cliStart, cliEnd === -1 ? undefined : cliEnd)).toEqual(
        emailed.slice(emailStart, emailEnd),
      );
    }
  });

  it('colours only the severity tag on a terminal, keeping the same lines', () => {
    const plain = formatFindings(findings, fakeIo());
    const coloured = formatFindings(findings, fakeIo({ stdoutIsTTY: true }));

    expect(coloured).toContain('\u001b[31m[HIGH]\u001b[39m MfaConfiguration: ON -> OFF');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the colour codes is the point
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});
