import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { markdownText, renderMarkdown } from '../../cli/markdown.js';
import { diffPool } from '../../lambda/core/diff.js';
import { withDigestKey } from '../../lambda/core/digest-key.js';
import { normalizeResource } from '../../lambda/core/normalize.js';
import { classify, severityRules } from '../../lambda/core/severity.js';
import { type Finding, type PoolSnapshot, Severity } from '../../lambda/core/types.js';
import type { RunResult } from '../../lambda/run/detector.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { BUCKET, fakeAws, fakeIo, POOL_A, REGION } from '../support/cli-harness.js';
import { TEST_DIGEST_KEY } from '../support/digest-key.js';

const CANARY = 'CANARY-IDP-SECRET-58c1d2';
const NASTY = 'a|b `code` c\n[HIGH] forged line <img src=x> @security-team';

/** A pool whose IdP secret rotated (through the real normalization) and whose name is hostile. */
function findingsOf(): Finding[] {
  const provider = (secret: string) =>
    withDigestKey(TEST_DIGEST_KEY, () =>
      normalizeResource(
        {
          ProviderName: 'Okta',
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: 'okta', client_secret: secret },
        },
        { volatile: ['ProviderName'], secrets: ['ProviderDetails.client_secret'], salt: 'p/Okta' },
      ),
    );
  const pool = (secret: string, mfa: string): PoolSnapshot => ({
    poolId: 'us-east-1_Nasty',
    poolName: NASTY,
    config: { MfaConfiguration: mfa },
    clients: {},
    surfaces: { identityProviders: { Okta: { name: NASTY, config: provider(secret) } } },
  });
  const baseline = pool(`${CANARY}-old`, 'ON');
  const current = pool(CANARY, 'OFF');
  const findings = classify(
    diffPool(baseline, current, CATALOG),
    { baseline, current },
    severityRules(CATALOG),
  );
  expect(JSON.stringify(findings)).toContain('secret-hmac-sha256:v1:');
  return findings;
}

function result(findings: Finding[]): RunResult {
  return {
    runId: 'r1',
    done: true,
    firstRun: false,
    pools: [{ poolId: 'us-east-1_Nasty', poolName: NASTY, outcome: 'scanned', findings }],
    alerts: { drifts: [], resolved: [] },
    messages: [],
    readProblems: [{ what: 'ListGroups on pool x|y', reason: 'Throttled\nagain' }],
    storeProblems: [],
    unmatchedIgnoreRules: [],
    poolsScanned: 1,
    clientsScanned: 0,
    notCovered: 0,
  };
}

/** The cells of a table row, split on unescaped pipes. */
const cells = (row: string) => row.split(/(?<!\\)\|/);

describe('renderMarkdown', () => {
  const findings = findingsOf();
  const text = renderMarkdown([{ accountId: '123456789012', region: REGION, result: result(findings) }], {
    approveCommand: (poolId) => `cognito-drift approve --pool ${poolId} --dir baselines`,
  });
  const rows = text.split('\n').filter((line) => line.startsWith('| **'));

  it('leads with the highest severity and the counts, and lists one table row per finding', () => {
    expect(text.split('\n')[0]).toBe(`## cognito-drift: HIGH drift, ${findings.length} changes in 1 pool`);
    expect(rows).toHaveLength(findings.length);
    for (const row of rows) expect(cells(row)).toHaveLength(6);
    expect(text).toContain('    cognito-drift approve --pool us-east-1_Nasty --dir baselines');
  });

  it('escapes pipes, backticks, HTML, mentions and line breaks in names, so nothing forges a row or a line', () => {
    expect(text).not.toContain('\n[HIGH] forged');
    expect(text).not.toMatch(/(?<!\\)`code/);
    expect(text).not.toMatch(/(?<!\\)<img/);
    expect(text).not.toMatch(/(?<!\\)@security/);
    expect(text).toContain(
      'a\\|b \\`code\\` c\\\\x0a\\[HIGH\\] forged line \\<img src=x\\> \\@security-team',
    );
    expect(text).toContain('- ListGroups on pool x\\|y: Throttled\\\\x0aagain');
  });

  it('shows a rotated IdP secret as changed, never its value nor its digest', () => {
    expect(text).toContain('ProviderDetails.client\\_secret: secret changed (value not shown)');
    expect(text).not.toContain('CANARY-');
    expect(text).not.toMatch(/secret-(hmac-)?sha256/);
  });

  it('says so when there is no drift', () => {
    const clean = renderMarkdown(
      [{ accountId: '1', region: REGION, result: { ...result([]), readProblems: [] } }],
      {
        approveCommand: () => '',
      },
    );
    expect(clean).toBe(`## cognito-drift: no drift in 1 pool\n\n**Account 1, region ${REGION}**\n`);
  });

  it('escapes every character that formats inline, and control characters first', () => {
    expect(markdownText('*_~[]!#&\\\u0007')).toBe('\\*\\_\\~\\[\\]\\!\\#\\&\\\\\\\\x07');
  });
});

describe('diff --format markdown', () => {
  const aws = fakeAws();
  afterAll(() => aws.restore());

  it('prints only the markdown on stdout and exits 2 on drift', async () => {
    aws.cognito.addPool(POOL_A, {}, []);
    expect(await main(['check', '--bucket', BUCKET, '--region', REGION], fakeIo())).toBe(0);
    aws.account.updatePool(POOL_A, { MfaConfiguration: 'OFF' });
    const io = fakeIo();

    const code = await main(['diff', '--bucket', BUCKET, '--region', REGION, '--format', 'markdown'], io);

    expect(code).toBe(2);
    expect(io.out()).toMatch(/^## cognito-drift: \w+ drift, 1 change in 1 pool\n/);
    expect(io.out()).toContain('MfaConfiguration: ON -\\> OFF');
    expect(io.out()).not.toContain('Subject:');
  });
});

describe('renderMarkdown: posture', () => {
  it("lists the settings a pool's drift made risky, escaped, and leaves accepted ones out", () => {
    const base = {
      source: 'Prowler' as const,
      title: 'Amazon Cognito user pool client has token revocation enabled',
      severity: Severity.MEDIUM,
      poolId: 'us-east-1_Nasty',
      poolName: NASTY,
    };
    const withPosture = result([]);
    withPosture.pools = [
      {
        ...(withPosture.pools[0] as RunResult['pools'][number]),
        findings: findingsOf(),
        posture: [
          {
            ...base,
            control: 'cognito_user_pool_client_token_revocation_enabled',
            clientId: 'c1',
            clientName: 'web|`x`',
            resource: 'us-east-1_Nasty/c1',
            detail: 'refresh tokens cannot be revoked (EnableTokenRevocation false)',
          },
          {
            ...base,
            control: 'cognito_user_pool_mfa_enabled',
            resource: 'us-east-1_Nasty',
            detail: 'MFA is not required',
            accepted: 'ok',
          },
        ],
      },
    ];

    const text = renderMarkdown([{ accountId: '123456789012', region: REGION, result: withPosture }], {
      approveCommand: (poolId) => `cognito-drift approve --pool ${poolId}`,
    });

    expect(text).toContain('Posture: 1 setting now risky by a public control (see docs/posture.md):');
    expect(text).toContain(
      '- **MEDIUM** cognito\\_user\\_pool\\_client\\_token\\_revocation\\_enabled: client web\\|\\`x\\` (c1): refresh tokens cannot be revoked (EnableTokenRevocation false)',
    );
    expect(text).not.toContain('cognito\\_user\\_pool\\_mfa\\_enabled');
  });
});
