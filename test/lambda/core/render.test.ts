import { describe, expect, it } from 'vitest';
import {
  changeDetails,
  describeChange,
  formatSubject,
  groupFindings,
  type PoolDrift,
  type RunContext,
  renderDriftDigest,
} from '../../../lambda/core/render.js';
import {
  renderBaselineCreated,
  renderResolved,
  renderScanIncomplete,
  renderStoreProblems,
} from '../../../lambda/core/run-notices.js';
import { type ClientRiskSettings, type Finding, Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import { ACCOUNT_ID, POOL_ID, POOL_NAME, REGION } from '../../fixtures/cognito-responses.js';

const SNS_SUBJECT_LIMIT = 100;
const SNS_MESSAGE_LIMIT = 256 * 1024;
const REPORT = 's3://cognito-drift-baselines-123456789012/reports/run-20250610T120000Z.json';

function runContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    accountId: ACCOUNT_ID,
    region: REGION,
    runId: 'run-20250610T120000Z',
    at: '2025-06-10T12:00:00.000Z',
    approveCommand: (poolId) => `npx cognito-drift approve --pool ${poolId} --reason "<why>"`,
    catalog: CATALOG,
    ...overrides,
  };
}

/** Asserts what SNS requires of a Subject: ASCII, one line, fewer than 100 characters. */
function expectSnsSafeSubject(subject: string): void {
  expect(subject).toMatch(/^[\x20-\x7e]+$/);
  expect(subject).not.toContain('\n');
  expect(subject.length).toBeLessThan(SNS_SUBJECT_LIMIT);
}

const scope = { poolId: POOL_ID, poolName: POOL_NAME };

/** A new client's settings as `diff.ts` records them: sorted, hosts only, a secret count. */
function riskySettings(): ClientRiskSettings {
  return {
    authFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
    oauthEnabled: true,
    oauthFlows: ['code', 'implicit'],
    oauthScopes: ['openid'],
    callbackHosts: ['evil.example.net', 'myapp://callback'],
    logoutHosts: [],
    tokens: {
      access: { value: 5, unit: 'minutes', isDefault: false },
      id: { value: 1, unit: 'hours', isDefault: true },
      refresh: { value: 3650, unit: 'days', isDefault: false },
    },
    secrets: 1,
  };
}
const web = { clientId: '3n4b5urk1ft4fl3mg5e62d9ado', clientName: 'web-portal' };

const mfaOff: Finding = {
  kind: 'field-changed',
  ...scope,
  path: 'MfaConfiguration',
  before: 'ON',
  after: 'OFF',
  severity: Severity.HIGH,
  rule: 'mfa-weakened',
};
const callbackAdded: Finding = {
  kind: 'list-changed',
  ...scope,
  ...web,
  path: 'CallbackURLs',
  added: ['https://evil.example.net/cb'],
  removed: [],
  severity: Severity.HIGH,
  rule: 'new-redirect-domain',
};
const secretAdded: Finding = {
  kind: 'secret-added',
  ...scope,
  ...web,
  secretId: '3n4b5urk1ft4fl3mg5e62d9ado--1748736000000',
  createdAt: '2025-06-01T00:00:00.000Z',
  severity: Severity.HIGH,
  rule: 'secret-rotated',
};
const tagChanged: Finding = {
  kind: 'field-changed',
  poolId: 'eu-west-1_Other0001',
  poolName: 'partners',
  path: 'UserPoolTags.Team',
  before: 'identity',
  after: 'platform',
  severity: Severity.LOW,
  rule: 'cosmetic',
};

describe('renderDriftDigest', () => {
  it('lists the most severe changes of a group first', () => {
    const low: Finding = {
      kind: 'field-changed',
      ...scope,
      path: 'EmailVerificationSubject',
      before: 'Hi',
      after: 'Hello',
      severity: Severity.LOW,
      rule: 'cosmetic',
    };
    const medium: Finding = {
      ...low,
      path: 'Policies.PasswordPolicy.MinimumLength',
      before: 8,
      after: 9,
      severity: Severity.MEDIUM,
      rule: 'default',
    };

    const { body } = renderDriftDigest(runContext(), [
      { poolId: POOL_ID, poolName: POOL_NAME, findings: [low, medium, mfaOff], status: 'new' },
    ]);

    const order = ['[HIGH] MfaConfiguration', '[MEDIUM] Policies', '[LOW] EmailVerificationSubject'].map(
      (line) => body.indexOf(line),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  const pools: PoolDrift[] = [
    { poolId: POOL_ID, poolName: POOL_NAME, findings: [mfaOff, callbackAdded, secretAdded], status: 'new' },
    { poolId: 'eu-west-1_Other0001', poolName: 'partners', findings: [tagChanged], status: 'changed' },
  ];

  it('leads the subject with the highest severity and counts changes and pools', () => {
    const message = renderDriftDigest(runContext(), pools);

    expect(message.subject).toBe('[cognito-drift 123456789012/eu-west-1] HIGH drift: 4 changes in 2 pools');
    expectSnsSafeSubject(message.subject);
  });

  it('uses the singular for one change in one pool and the lower severity when nothing is HIGH', () => {
    const message = renderDriftDigest(runContext(), [
      { poolId: 'eu-west-1_Other0001', poolName: 'partners', findings: [tagChanged], status: 'new' },
    ]);

    expect(message.subject).toBe('[cognito-drift 123456789012/eu-west-1] LOW drift: 1 change in 1 pool');
  });

  it('keeps the subject ASCII, on one line and under 100 characters with a long non-ASCII pool name', () => {
    const poolName = 'Ünïcødé-プール-\u2028-'.repeat(12).slice(0, 128);
    expect(poolName).toHaveLength(128);

    const message = renderDriftDigest(runContext({ region: 'ap-southeast-2' }), [
      { poolId: POOL_ID, poolName, findings: [{ ...mfaOff, poolName }], status: 'new' },
    ]);

    expectSnsSafeSubject(message.subject);
    expect(message.subject).toContain('HIGH drift: 1 change in 1 pool');
    // The name is kept, with its line separator shown as an escape (see escape.test.ts).
    expect(message.body).toContain(poolName.replaceAll('\u2028', '\\u2028'));
  });

  it('names the account, region, pools, clients, values and secrets in the body', () => {
    const { body } = renderDriftDigest(runContext(), pools);

    expect(body).toContain('account 123456789012, region eu-west-1');
    expect(body).toContain(`== Pool ${POOL_NAME} (${POOL_ID}): 3 changes, new drift`);
    expect(body).toContain(
      '== Pool partners (eu-west-1_Other0001): 1 change, drift changed since the last alert',
    );
    expect(body).toContain('Client web-portal (3n4b5urk1ft4fl3mg5e62d9ado)');
    expect(body).toContain('[HIGH] MfaConfiguration: ON -> OFF');
    expect(body).toContain('[HIGH] CallbackURLs: added https://evil.example.net/cb');
    expect(body).toContain(
      '[HIGH] Client secret added: id 3n4b5urk1ft4fl3mg5e62d9ado--1748736000000, created 2025-06-01T00:00:00.000Z',
    );
    expect(body).toContain('[LOW] UserPoolTags.Team: identity -> platform');
  });

  it('prints the approve command for each pool', () => {
    const { body } = renderDriftDigest(runContext(), pools);

    expect(body).toContain(`npx cognito-drift approve --pool ${POOL_ID} --reason "<why>"`);
    expect(body).toContain('npx cognito-drift approve --pool eu-west-1_Other0001 --reason "<why>"');
  });

  it('lists app client creation under the pool, not as a client group', () => {
    const clientAdded: Finding = {
      kind: 'client-added',
      ...scope,
      ...web,
      severity: Severity.HIGH,
      rule: 'resource-added-or-removed',
    };

    const { body } = renderDriftDigest(runContext(), [
      { poolId: POOL_ID, poolName: POOL_NAME, findings: [clientAdded], status: 'new' },
    ]);

    expect(body).toContain('  Pool\n    [HIGH] App client created: web-portal (3n4b5urk1ft4fl3mg5e62d9ado)');
    expect(body).not.toContain('Client web-portal (');
  });

  it("follows a new client's line with its risky settings in two short lines", () => {
    const clientAdded: Finding = {
      kind: 'client-added',
      ...scope,
      ...web,
      settings: riskySettings(),
      severity: Severity.HIGH,
      rule: 'resource-added-or-removed',
    };

    const { body } = renderDriftDigest(runContext(), [
      { poolId: POOL_ID, poolName: POOL_NAME, findings: [clientAdded], status: 'new' },
    ]);

    expect(body).toContain(
      [
        '    [HIGH] App client created: web-portal (3n4b5urk1ft4fl3mg5e62d9ado)',
        '      auth flows: ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_PASSWORD_AUTH; OAuth: code, implicit (scopes openid); callback hosts: evil.example.net, myapp://callback; logout hosts: none',
        '      token lifetimes: access 5 minutes, ID 1 hour (default), refresh 3650 days; client secret: yes, 1 secret (value not shown)',
        '  To approve after review:',
      ].join('\n'),
    );
  });

  it('says a new public client without OAuth has no secret and OAuth off', () => {
    const change = {
      kind: 'client-added' as const,
      ...scope,
      ...web,
      settings: { ...riskySettings(), oauthEnabled: false, secrets: 0 },
    };

    expect(changeDetails(change)[0]).toContain('; OAuth: off;');
    expect(changeDetails(change)[1]).toMatch(/; client secret: no$/);
  });

  it("escapes control characters in a new client's settings, so a scope cannot add a line", () => {
    const change = {
      kind: 'client-added' as const,
      ...scope,
      ...web,
      settings: { ...riskySettings(), oauthScopes: ['api/read\n    [LOW] all fine\u001b[2J'] },
    };

    const { body } = renderDriftDigest(runContext(), [
      {
        poolId: POOL_ID,
        poolName: POOL_NAME,
        findings: [{ ...change, severity: Severity.HIGH, rule: 'resource-added-or-removed' }],
        status: 'new',
      },
    ]);

    expect(body).toContain('(scopes api/read\\x0a    [LOW] all fine\\x1b[2J)');
    expect(body.split('\n').filter((line) => line.includes('[LOW]'))).toHaveLength(1);
    expect(body).not.toContain('\u001b');
  });

  it("bounds a new client's settings lines however many hosts and scopes it lists", () => {
    const hosts = Array.from({ length: 100 }, (_, i) => `host-${i}.${'x'.repeat(200)}.example`);
    const change = {
      kind: 'client-added' as const,
      ...scope,
      ...web,
      settings: { ...riskySettings(), callbackHosts: hosts, logoutHosts: hosts, oauthScopes: hosts },
    };

    const details = changeDetails(change);

    expect(details).toHaveLength(2);
    expect(details[0]).toMatch(/\(scopes host-0\.x+\.\.\. and 99 more\)/);
    expect(details[0]).toMatch(/; callback hosts: host-0\.x+\.\.\. and 99 more;/);
    expect(details[0]).toMatch(/; logout hosts: host-0\.x+\.\.\. and 99 more$/);
    for (const line of details) expect(line.length).toBeLessThanOrEqual(500);
  });

  it('prints only the line for a new client found by a release that did not record its settings', () => {
    const change = { kind: 'client-added' as const, ...scope, ...web };

    expect(changeDetails(change)).toEqual([]);
    expect(describeChange(change, CATALOG)).toBe(
      'App client created: web-portal (3n4b5urk1ft4fl3mg5e62d9ado)',
    );
  });

  it('sets attributes for subscription filters: kind, highest severity, pool ids', () => {
    const message = renderDriftDigest(runContext(), pools);

    expect(message.attributes).toEqual({
      kind: 'drift',
      severity: 'HIGH',
      poolIds: [POOL_ID, 'eu-west-1_Other0001'],
    });
  });

  it('marks a digest of reminders only as a reminder, with the date the drift was first seen', () => {
    const message = renderDriftDigest(runContext(), [
      {
        poolId: POOL_ID,
        poolName: POOL_NAME,
        findings: [mfaOff],
        status: 'reminder',
        unapprovedSince: '2025-06-01T12:00:00.000Z',
      },
    ]);

    expect(message.subject).toBe(
      '[cognito-drift 123456789012/eu-west-1] Reminder: HIGH drift: 1 change in 1 pool',
    );
    expect(message.attributes.kind).toBe('reminder');
    expect(message.body).toContain('reminder: unapproved since 2025-06-01T12:00:00.000Z');
  });

  it('stays under 256 KB with 20,000 findings, saying what was cut and where the full report is', () => {
    const findings: Finding[] = Array.from({ length: 20_000 }, (_, i) => ({
      ...callbackAdded,
      added: [`https://host-${i}.example.net/auth/callback/with/a/longish/path`],
    }));

    const { body } = renderDriftDigest(runContext({ reportLocation: REPORT }), [
      { poolId: POOL_ID, poolName: POOL_NAME, findings, status: 'new' },
    ]);

    expect(Buffer.byteLength(body)).toBeLessThan(SNS_MESSAGE_LIMIT);
    expect(body).toMatch(/message truncated: \d+ more lines not shown/);
    expect(body).toContain(`Full JSON report: ${REPORT}`);
    expect(body).toContain('https://host-0.example.net/');
    expect(body).not.toContain('https://host-19999.example.net/');
  });

  it('renders 50,000 findings into one truncated message', () => {
    const findings: Finding[] = Array.from({ length: 50_000 }, () => callbackAdded);

    const { body } = renderDriftDigest(runContext({ reportLocation: REPORT }), [
      { poolId: POOL_ID, poolName: POOL_NAME, findings, status: 'new' },
    ]);

    // No timed assertion here (the suite must not depend on the machine's speed): a quadratic
    // grouping, which took ~20 s, would show as this test running into vitest's timeout.
    expect(body).toContain('message truncated');
  });

  it('points to the CLI when a truncated digest has no stored report', () => {
    const findings: Finding[] = Array.from({ length: 20_000 }, () => mfaOff);

    const { body } = renderDriftDigest(runContext(), [
      { poolId: POOL_ID, poolName: POOL_NAME, findings, status: 'new' },
    ]);

    expect(Buffer.byteLength(body)).toBeLessThan(SNS_MESSAGE_LIMIT);
    expect(body).toContain('Run the CLI to see every change.');
    expect(body).not.toContain('Full JSON report');
  });

  it('does not truncate or mention a report in a small digest without one', () => {
    const { body } = renderDriftDigest(runContext(), pools);

    expect(body).not.toContain('truncated');
    expect(body).not.toContain('Full JSON report');
  });
});

describe('groupFindings', () => {
  it('groups under the pool, each client and each surface resource, in the order groups appear', () => {
    const groupChanged: Finding = {
      kind: 'field-changed',
      ...scope,
      surface: 'groups',
      resourceId: 'admins',
      resourceName: 'admins',
      path: 'Precedence',
      before: 1,
      after: 0,
      severity: Severity.MEDIUM,
      rule: 'default',
    };
    const providerAdded: Finding = {
      kind: 'resource-added',
      ...scope,
      surface: 'identityProviders',
      resourceId: 'Okta',
      resourceName: 'Okta',
      config: { ProviderType: 'OIDC' },
      severity: Severity.HIGH,
      rule: 'resource-added-or-removed',
    };
    const clientAdded: Finding = {
      kind: 'client-added',
      ...scope,
      ...web,
      severity: Severity.HIGH,
      rule: 'resource-added-or-removed',
    };

    const groups = groupFindings([mfaOff, callbackAdded, clientAdded, groupChanged, providerAdded], CATALOG);

    expect(groups.map((g) => [g.heading, g.findings])).toEqual([
      ['Pool', [mfaOff, clientAdded]],
      ['Client web-portal (3n4b5urk1ft4fl3mg5e62d9ado)', [callbackAdded]],
      ['Group admins (admins)', [groupChanged]],
      ['Identity providers', [providerAdded]],
    ]);
  });

  it('puts the most severe first within a group and keeps the diff order within a severity', () => {
    const low = { ...mfaOff, path: 'A', severity: Severity.LOW };
    const medium = { ...mfaOff, path: 'B', severity: Severity.MEDIUM };
    const highLater = { ...mfaOff, path: 'C' };

    const [group] = groupFindings([low, mfaOff, medium, highLater], CATALOG);

    expect(group?.findings).toEqual([mfaOff, highLater, medium, low]);
  });
});

describe('describeChange', () => {
  it('describes pool and client lifecycle changes with name and id', () => {
    expect(describeChange({ kind: 'pool-added', ...scope }, CATALOG)).toBe(
      `Pool created: ${POOL_NAME} (${POOL_ID})`,
    );
    expect(describeChange({ kind: 'pool-removed', ...scope }, CATALOG)).toBe(
      `Pool deleted: ${POOL_NAME} (${POOL_ID})`,
    );
    expect(describeChange({ kind: 'client-removed', ...scope, ...web }, CATALOG)).toBe(
      'App client deleted: web-portal (3n4b5urk1ft4fl3mg5e62d9ado)',
    );
  });

  it('describes a removed secret and one without a known creation date', () => {
    expect(
      describeChange(
        { kind: 'secret-removed', ...scope, ...web, secretId: 'old-secret', createdAt: null },
        CATALOG,
      ),
    ).toBe('Client secret removed: id old-secret, created at an unknown date');
  });

  it('writes absent values as "(not set)" and objects as JSON', () => {
    expect(
      describeChange(
        { kind: 'field-changed', ...scope, path: 'Domain', before: undefined, after: 'auth-x' },
        CATALOG,
      ),
    ).toBe('Domain: (not set) -> auth-x');
    expect(
      describeChange(
        {
          kind: 'list-changed',
          ...scope,
          path: 'SchemaAttributes',
          added: [{ Name: 'custom:plan', Mutable: true }],
          removed: ['legacy'],
        },
        CATALOG,
      ),
    ).toBe('SchemaAttributes: added {"Name":"custom:plan","Mutable":true}; removed legacy');
  });

  it('shortens a very long value and gives its length', () => {
    const long = 'x'.repeat(1000);

    const line = describeChange(
      {
        kind: 'field-changed',
        ...scope,
        path: 'EmailVerificationMessage',
        before: long,
        after: 'short',
      },
      CATALOG,
    );

    expect(line).toBe(`EmailVerificationMessage: ${'x'.repeat(300)}... (1000 chars) -> short`);
  });
});

describe('formatSubject', () => {
  it('replaces non-ASCII characters and line breaks and cuts at 99 characters with an ellipsis', () => {
    const subject = formatSubject(
      { accountId: ACCOUNT_ID, region: REGION },
      `Pool ${'Café-漢字\n-'.repeat(30)}`,
    );

    expectSnsSafeSubject(subject);
    expect(subject).toHaveLength(99);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('keeps accented letters readable by dropping only their accents', () => {
    const subject = formatSubject({ accountId: ACCOUNT_ID, region: REGION }, 'Café pool');

    expect(subject).toBe('[cognito-drift 123456789012/eu-west-1] Cafe pool');
  });
});

describe('renderBaselineCreated', () => {
  it('says how many pools and clients are now watched, where', () => {
    const message = renderBaselineCreated(runContext(), 3, 7);

    expect(message.subject).toBe(
      '[cognito-drift 123456789012/eu-west-1] Baseline recorded: watching 3 pools, 7 clients',
    );
    expect(message.body).toContain(
      '3 user pools and 7 app clients in account 123456789012, region eu-west-1',
    );
    expect(message.attributes).toEqual({ kind: 'baseline-created', poolIds: [] });
    expectSnsSafeSubject(message.subject);
  });
});

describe('renderResolved', () => {
  it('lists each pool whose drift went away', () => {
    const message = renderResolved(runContext(), [
      { poolId: POOL_ID, poolName: POOL_NAME },
      { poolId: 'eu-west-1_Other0001', poolName: 'partners' },
    ]);

    expect(message.subject).toBe('[cognito-drift 123456789012/eu-west-1] Resolved: drift gone in 2 pools');
    expect(message.body).toContain(`  - ${POOL_NAME} (${POOL_ID})`);
    expect(message.body).toContain('  - partners (eu-west-1_Other0001)');
    expect(message.attributes).toEqual({ kind: 'resolved', poolIds: [POOL_ID, 'eu-west-1_Other0001'] });
  });
});

describe('renderScanIncomplete', () => {
  it('lists what could not be read and says it was not treated as deleted', () => {
    const message = renderScanIncomplete(runContext(), [
      { what: `pool ${POOL_ID}`, reason: 'TooManyRequestsException (HTTP 400): Rate exceeded' },
      { what: 'client 3n4b5urk1ft4fl3mg5e62d9ado', reason: 'AccessDeniedException' },
    ]);

    expect(message.subject).toBe(
      '[cognito-drift 123456789012/eu-west-1] Scan incomplete: 2 items unreadable',
    );
    expect(message.body).toContain('NOT treated as deleted or changed');
    expect(message.body).toContain(`  - pool ${POOL_ID}: TooManyRequestsException (HTTP 400): Rate exceeded`);
    expect(message.body).toContain('  - client 3n4b5urk1ft4fl3mg5e62d9ado: AccessDeniedException');
    expect(message.attributes).toEqual({ kind: 'scan-incomplete', severity: 'HIGH', poolIds: [] });
  });
});

describe('renderStoreProblems', () => {
  it('names the account, region and each unusable document', () => {
    const message = renderStoreProblems(runContext({ reportLocation: REPORT }), [
      { what: `baselines/${POOL_ID}.json`, reason: 'not valid JSON' },
    ]);

    expect(message.subject).toBe('[cognito-drift 123456789012/eu-west-1] Unusable stored documents: 1');
    expect(message.body).toContain('account 123456789012, region eu-west-1');
    expect(message.body).toContain(`  - baselines/${POOL_ID}.json: not valid JSON`);
    expect(message.attributes).toEqual({ kind: 'store-problem', severity: 'HIGH', poolIds: [] });
  });
});

describe('secret digests in surface resources', () => {
  const digest = `secret-sha256:${'ab'.repeat(32)}`;

  it('shows a digest nested in an added resource as "(secret)", never the digest', () => {
    const line = describeChange(
      {
        kind: 'resource-added',
        ...scope,
        surface: 'identityProviders',
        resourceId: 'Backdoor',
        resourceName: 'Backdoor',
        config: {
          ProviderType: 'OIDC',
          ProviderDetails: {
            client_id: 'evil',
            client_secret: digest,
            oidc_issuer: 'https://evil.example.net',
          },
        },
      },
      CATALOG,
    );

    expect(line).toBe(
      'Identity provider added: Backdoor (ProviderType=OIDC, ProviderDetails={"client_id":"evil","client_secret":"(secret)","oidc_issuer":"https://evil.example.net"})',
    );
  });

  it('shows a digest inside a changed list item as "(secret)"', () => {
    const line = describeChange(
      {
        kind: 'list-changed',
        ...scope,
        path: 'Providers',
        added: [{ name: 'x', key: digest }],
        removed: [],
      },
      CATALOG,
    );

    expect(line).toBe('Providers: added {"name":"x","key":"(secret)"}');
  });
});
