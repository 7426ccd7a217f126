import { beforeEach, describe, expect, it } from 'vitest';
import type { BaselineDoc } from '../../lambda/core/documents.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import type { SeedRiskConfiguration } from '../support/cognito-surface.js';
import {
  ACCOUNT_ID,
  DetectorHarness,
  FakeAccount,
  type FakePool,
  type HarnessRun,
  PREFIX,
  REGION,
} from '../support/fake-aws.js';
import { putRole } from '../support/reference-seeds.js';

const READ_ONLY_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/support-read-only`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/AdministratorAccess`;
const AUTH_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/identity-authenticated`;

/** The roles the groups and identity pools hand out exist in the account (the IAM roles surface reads them). */
function seedRoles(account: FakeAccount): void {
  putRole(account.catalogItems, READ_ONLY_ROLE);
  putRole(account.catalogItems, ADMIN_ROLE);
  putRole(account.catalogItems, AUTH_ROLE);
}
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT_ID}:certificate/11111111-2222-4333-8444-555555555555`;
const OTHER_CERT = `arn:aws:acm:us-east-1:${ACCOUNT_ID}:certificate/99999999-8888-4777-8666-555555555555`;
const DISTRIBUTION = 'd111111abcdef8.cloudfront.net';
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/cognito/customers`;

const RISK: SeedRiskConfiguration = {
  CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
  AccountTakeoverRiskConfiguration: {
    Actions: {
      HighAction: { EventAction: 'BLOCK', Notify: true },
      MediumAction: { EventAction: 'MFA_REQUIRED', Notify: true },
      LowAction: { EventAction: 'NO_ACTION', Notify: false },
    },
  },
  RiskExceptionConfiguration: { BlockedIPRangeList: ['198.51.100.0/24'] },
};

/** The digest's lines (`[SEVERITY] text`) for one run, and the subject. */
function digest(run: HarnessRun): { subject: string; body: string } {
  const drift = run.sent.find((m) => m.MessageAttributes?.kind?.StringValue === 'drift');
  return { subject: drift?.Subject ?? '(no drift message)', body: drift?.Message ?? '' };
}

describe('every surface of issue 8: each HIGH rule, in a whole detector run', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let identityPoolId: string;

  beforeEach(async () => {
    aws = new FakeAccount();
    seedRoles(aws);
    harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    pool = aws.addPool({
      name: 'customers',
      config: { UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } },
      mfa: {
        SoftwareTokenMfaConfiguration: { Enabled: true },
        SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your code is {####}' },
        WebAuthnConfiguration: { RelyingPartyId: 'login.example.com', UserVerification: 'required' },
      },
      riskConfiguration: RISK,
      identityProviders: [
        {
          name: 'Corp',
          type: 'SAML',
          details: {
            MetadataURL: 'https://idp.corp.example.com/metadata.xml',
            IDPSignout: 'false',
            IDPInit: 'false',
          },
        },
        {
          name: 'Okta',
          type: 'OIDC',
          details: {
            client_id: 'okta-client',
            client_secret: 'okta-secret-value',
            oidc_issuer: 'https://corp.okta.example.com',
            authorize_scopes: 'openid email',
            attributes_request_method: 'GET',
          },
        },
      ],
      groups: [
        { name: 'support', roleArn: READ_ONLY_ROLE, precedence: 10 },
        { name: 'readers', precedence: 20 },
      ],
      resourceServers: [
        {
          identifier: 'https://api.example.com',
          name: 'api',
          scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }],
        },
      ],
      customDomain: {
        domain: 'login.example.com',
        certificateArn: CERT,
        cloudFrontDistribution: DISTRIBUTION,
      },
      logDelivery: [
        {
          LogLevel: 'ERROR',
          EventSource: 'userNotification',
          CloudWatchLogsConfiguration: { LogGroupArn: LOG_GROUP },
        },
      ],
      uiCustomization: { css: '.banner { color: red; }' },
      webAcl: { name: 'cognito-protection', id: '0a1b2c3d-1111-4222-8333-444455556666' },
    });
    aws.addClient(pool.poolId, { name: 'web' });
    identityPoolId = aws.addIdentityPool({
      name: 'mobile-identities',
      roles: { authenticated: AUTH_ROLE },
      cognitoIdentityProviders: [
        { ProviderName: `cognito-idp.${REGION}.amazonaws.com/${pool.poolId}`, ClientId: 'webclientid' },
      ],
    });
    const first = await harness.run();
    expect(first.firstRun).toBe(true);
    expect(first.pools.map((p) => p.poolId).sort()).toEqual([identityPoolId, pool.poolId].sort());
  });

  it('is quiet on a second run when nothing changed (no surface is volatile)', async () => {
    const result = await harness.run();

    expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(result.sent).toEqual([]);
  });

  describe('identity providers', () => {
    it('an OIDC provider added is HIGH, named, and its client secret is not shown', async () => {
      aws.addIdentityProvider(pool.poolId, {
        name: 'Backdoor',
        type: 'OIDC',
        details: {
          client_id: 'evil-client',
          client_secret: 'evil-secret-value',
          oidc_issuer: 'https://login.attacker.example.net',
          authorize_scopes: 'openid',
          attributes_request_method: 'GET',
        },
      });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain('  Identity providers\n    [HIGH] Identity provider added: Backdoor (');
      expect(body).toContain('oidc_issuer":"https://login.attacker.example.net');
      expect(body).toContain('"client_secret":"(secret)"');
      expect(body).not.toContain('evil-secret-value');
      // Not even the digest: a salted hash of a weak secret can be brute-forced offline.
      expect(body).not.toMatch(/secret-(hmac-)?sha256:/);
    });

    it('a provider removed is HIGH', async () => {
      aws.removeIdentityProvider(pool.poolId, 'Corp');

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain('[HIGH] Identity provider removed: Corp (');
    });

    it.each([
      [
        'SAML metadata',
        { MetadataURL: 'https://idp.attacker.example.net/metadata.xml' },
        'ProviderDetails.MetadataURL: https://idp.corp.example.com/metadata.xml -> https://idp.attacker.example.net/metadata.xml',
        'Corp',
      ],
      [
        'SAML request signing',
        { RequestSigningAlgorithm: 'rsa-sha256' },
        'ProviderDetails.RequestSigningAlgorithm: (not set) -> rsa-sha256',
        'Corp',
      ],
      ['IdP-initiated sign-in', { IDPInit: 'true' }, 'ProviderDetails.IDPInit: false -> true', 'Corp'],
      [
        'OIDC issuer',
        { oidc_issuer: 'https://login.attacker.example.net' },
        'ProviderDetails.oidc_issuer: https://corp.okta.example.com -> https://login.attacker.example.net',
        'Okta',
      ],
    ])('a change of %s is HIGH', async (_what, details, line, provider) => {
      aws.updateIdentityProvider(pool.poolId, provider, { details });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(`  Identity provider ${provider} (${provider})\n    [HIGH] ${line}`);
    });

    it('a rotated client secret is HIGH and shows as changed, without either value', async () => {
      aws.updateIdentityProvider(pool.poolId, 'Okta', { details: { client_secret: 'rotated-okta-secret' } });

      const { body } = digest(await harness.run());

      expect(body).toContain('[HIGH] ProviderDetails.client_secret: secret changed (value not shown)');
      expect(body).not.toContain('okta-secret-value');
      expect(body).not.toContain('rotated-okta-secret');
    });

    it('a new requested scope is not HIGH (MEDIUM: not a trust setting)', async () => {
      aws.updateIdentityProvider(pool.poolId, 'Okta', {
        details: { authorize_scopes: 'openid email profile' },
      });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}MEDIUM drift: 1 change in 1 pool`);
      expect(body).toContain(
        '[MEDIUM] ProviderDetails.authorize_scopes: openid email -> openid email profile',
      );
    });
  });

  it("a group's RoleArn changed is HIGH; its precedence alone is not", async () => {
    aws.updateGroup(pool.poolId, 'support', { roleArn: ADMIN_ROLE });
    aws.updateGroup(pool.poolId, 'readers', { precedence: 5 });

    const { subject, body } = digest(await harness.run());

    // The group's RoleArn and precedence, and the IAM roles surface's role swap (one removed, one added).
    expect(subject).toBe(`${PREFIX}HIGH drift: 4 changes in 1 pool`);
    expect(body).toContain(
      `  Group support (support)\n    [HIGH] RoleArn: ${READ_ONLY_ROLE} -> ${ADMIN_ROLE}`,
    );
    expect(body).toContain('  Group readers (readers)\n    [MEDIUM] Precedence: 20 -> 5');
  });

  describe('identity pools', () => {
    it.each([
      [
        'unauthenticated (guest) identities allowed',
        () => aws.updateIdentityPool(identityPoolId, { allowUnauthenticated: true }),
        'AllowUnauthenticatedIdentities: false -> true',
      ],
      [
        'the classic (basic) flow allowed',
        () => aws.updateIdentityPool(identityPoolId, { allowClassicFlow: true }),
        'AllowClassicFlow: false -> true',
      ],
      [
        'the authenticated role changed',
        () => aws.setIdentityPoolRoles(identityPoolId, { authenticated: ADMIN_ROLE }),
        `Roles.authenticated: ${AUTH_ROLE} -> ${ADMIN_ROLE}`,
      ],
      [
        'a guest role added',
        () =>
          aws.setIdentityPoolRoles(identityPoolId, { authenticated: AUTH_ROLE, unauthenticated: ADMIN_ROLE }),
        `Roles.unauthenticated: (not set) -> ${ADMIN_ROLE}`,
      ],
      [
        'a role mapping added',
        () =>
          aws.setIdentityPoolRoles(
            identityPoolId,
            { authenticated: AUTH_ROLE },
            { 'graph.facebook.com': { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' } },
          ),
        'RoleMappings.graph.facebook.com.AmbiguousRoleResolution: (not set) -> AuthenticatedRole',
      ],
      [
        'a trusted login provider added',
        () =>
          aws.updateIdentityPool(identityPoolId, { supportedLoginProviders: { 'accounts.google.com': 'x' } }),
        'SupportedLoginProviders.accounts.google.com: (not set) -> x',
      ],
      [
        'another user pool client trusted',
        () =>
          aws.updateIdentityPool(identityPoolId, {
            cognitoIdentityProviders: [
              { ProviderName: `cognito-idp.${REGION}.amazonaws.com/${pool.poolId}`, ClientId: 'webclientid' },
              { ProviderName: `cognito-idp.${REGION}.amazonaws.com/us-east-1_Attacker1`, ClientId: 'evil' },
            ],
          }),
        'CognitoIdentityProviders: added {"ClientId":"evil","ProviderName":"cognito-idp.us-east-1.amazonaws.com/us-east-1_Attacker1"}',
      ],
    ])('%s is HIGH, under the identity pool', async (_what, change, line) => {
      change();

      const { subject, body } = digest(await harness.run());

      expect(subject).toMatch(new RegExp(`^\\${PREFIX.slice(0, -1)} HIGH drift: \\d changes? in 1 pool$`));
      expect(body).toContain(`== Pool mobile-identities (${identityPoolId})`);
      expect(body).toContain(`  Identity pool\n`);
      expect(body).toContain(`[HIGH] ${line}`);
      expect(body).toContain(`npm run approve -- --pool ${identityPoolId}`);
    });

    it('guest access turned OFF is not HIGH', async () => {
      aws.updateIdentityPool(identityPoolId, { allowUnauthenticated: true });
      await harness.run();
      await harness.approve(identityPoolId);
      aws.updateIdentityPool(identityPoolId, { allowUnauthenticated: false });

      const { subject } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}MEDIUM drift: 1 change in 1 pool`);
    });

    it('an identity pool created after the first run is alerted as created (HIGH)', async () => {
      const created = aws.addIdentityPool({ name: 'partner-guests', allowUnauthenticated: true });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(`[HIGH] Pool created: partner-guests (${created})`);
    });

    it('an identity pool deleted is alerted as deleted (HIGH)', async () => {
      aws.removeIdentityPool(identityPoolId);

      const { body } = digest(await harness.run());

      expect(body).toContain(`[HIGH] Pool deleted: mobile-identities (${identityPoolId})`);
    });
  });

  describe('MFA', () => {
    it('TOTP turned off is HIGH', async () => {
      aws.setMfa(pool.poolId, { SoftwareTokenMfaConfiguration: { Enabled: false } });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(
        '  MFA configuration\n    [HIGH] SoftwareTokenMfaConfiguration.Enabled: true -> false',
      );
    });

    it('SMS MFA removed is HIGH', async () => {
      aws.setMfa(pool.poolId, { SmsMfaConfiguration: undefined });

      const { body } = digest(await harness.run());

      expect(body).toContain(
        '[HIGH] SmsMfaConfiguration.SmsAuthenticationMessage: Your code is {####} -> (not set)',
      );
    });

    it('WebAuthn user verification relaxed is HIGH', async () => {
      aws.setMfa(pool.poolId, {
        WebAuthnConfiguration: { RelyingPartyId: 'login.example.com', UserVerification: 'preferred' },
      });

      const { body } = digest(await harness.run());

      expect(body).toContain('[HIGH] WebAuthnConfiguration.UserVerification: required -> preferred');
    });

    it('TOTP turned on is not HIGH', async () => {
      aws.setMfa(pool.poolId, { SoftwareTokenMfaConfiguration: { Enabled: false } });
      await harness.run();
      await harness.approve(pool.poolId);
      aws.setMfa(pool.poolId, { SoftwareTokenMfaConfiguration: { Enabled: true } });

      const { subject } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}MEDIUM drift: 1 change in 1 pool`);
    });
  });

  describe('threat protection', () => {
    it('the mode lowered (UserPoolAddOns.AdvancedSecurityMode ENFORCED -> AUDIT) is HIGH', async () => {
      aws.updatePool(pool.poolId, { UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain('  Pool\n    [HIGH] UserPoolAddOns.AdvancedSecurityMode: ENFORCED -> AUDIT');
    });

    it('an action relaxed (high risk: BLOCK -> NO_ACTION) is HIGH', async () => {
      aws.setRiskConfiguration(pool.poolId, {
        ...RISK,
        AccountTakeoverRiskConfiguration: {
          Actions: {
            HighAction: { EventAction: 'NO_ACTION', Notify: true },
            MediumAction: { EventAction: 'MFA_REQUIRED', Notify: true },
            LowAction: { EventAction: 'NO_ACTION', Notify: false },
          },
        },
      });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(
        '  Threat protection configuration\n    [HIGH] AccountTakeoverRiskConfiguration.Actions.HighAction.EventAction: BLOCK -> NO_ACTION',
      );
    });

    it('a skipped IP range added is HIGH', async () => {
      aws.setRiskConfiguration(pool.poolId, {
        ...RISK,
        RiskExceptionConfiguration: {
          BlockedIPRangeList: ['198.51.100.0/24'],
          SkippedIPRangeList: ['203.0.113.0/24'],
        },
      });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain('[HIGH] RiskExceptionConfiguration.SkippedIPRangeList: added 203.0.113.0/24');
    });

    it('an action made stronger is not HIGH', async () => {
      aws.setRiskConfiguration(pool.poolId, {
        ...RISK,
        CompromisedCredentialsRiskConfiguration: {
          Actions: { EventAction: 'BLOCK' },
          EventFilter: ['SIGN_IN'],
        },
        AccountTakeoverRiskConfiguration: {
          Actions: {
            HighAction: { EventAction: 'BLOCK', Notify: true },
            MediumAction: { EventAction: 'BLOCK', Notify: true },
            LowAction: { EventAction: 'NO_ACTION', Notify: false },
          },
        },
      });

      const { subject } = digest(await harness.run());

      expect(subject).toMatch(/MEDIUM drift: 2 changes in 1 pool$/);
    });
  });

  describe('web ACL', () => {
    it('removed is HIGH, named by name and ARN', async () => {
      aws.setWebAcl(pool.poolId, null);

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(
        `  Web ACL\n    [HIGH] Web ACL removed: cognito-protection (ARN=arn:aws:wafv2:${REGION}:${ACCOUNT_ID}:regional/webacl/cognito-protection/0a1b2c3d-1111-4222-8333-444455556666, Name=cognito-protection)`,
      );
    });

    it('swapped for another is HIGH', async () => {
      aws.setWebAcl(pool.poolId, { name: 'allow-all', id: 'ffffffff-1111-4222-8333-444455556666' });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 2 changes in 1 pool`);
      expect(body).toContain(
        `[HIGH] ARN: arn:aws:wafv2:${REGION}:${ACCOUNT_ID}:regional/webacl/cognito-protection/0a1b2c3d-1111-4222-8333-444455556666 -> arn:aws:wafv2:${REGION}:${ACCOUNT_ID}:regional/webacl/allow-all/ffffffff-1111-4222-8333-444455556666`,
      );
    });
  });

  describe('domain', () => {
    it("the custom domain's certificate changed is HIGH", async () => {
      aws.setCustomDomain(pool.poolId, {
        domain: 'login.example.com',
        certificateArn: OTHER_CERT,
        cloudFrontDistribution: DISTRIBUTION,
      });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(
        `  Domain login.example.com (login.example.com)\n    [HIGH] CustomDomainConfig.CertificateArn: ${CERT} -> ${OTHER_CERT}`,
      );
    });

    it('the CloudFront target changed is HIGH', async () => {
      aws.setCustomDomain(pool.poolId, {
        domain: 'login.example.com',
        certificateArn: CERT,
        cloudFrontDistribution: 'd999999zzzzzz9.cloudfront.net',
      });

      const { subject, body } = digest(await harness.run());

      expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
      expect(body).toContain(
        `[HIGH] CloudFrontDistribution: ${DISTRIBUTION} -> d999999zzzzzz9.cloudfront.net`,
      );
    });
  });

  it('log export removed is HIGH', async () => {
    aws.setLogDelivery(pool.poolId, null);

    const { subject, body } = digest(await harness.run());

    expect(subject).toBe(`${PREFIX}HIGH drift: 1 change in 1 pool`);
    expect(body).toContain('  Log export\n    [HIGH] Log export configuration removed: log export (');
  });

  it('hosted UI CSS changed is reported by digest and size, never the CSS itself', async () => {
    aws.setUiCustomization(pool.poolId, { css: '.banner { background: url(https://evil.example.net/x); }' });

    const { subject, body } = digest(await harness.run());

    expect(subject).toMatch(/MEDIUM drift: \d changes in 1 pool$/);
    expect(body).toContain('  Hosted UI customization\n');
    expect(body).toContain('[MEDIUM] CSS.bytes: 23 -> 56');
    expect(body).not.toContain('evil.example.net');
  });
});

describe('a surface that cannot be read', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;

  beforeEach(async () => {
    aws = new FakeAccount();
    seedRoles(aws);
    harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    pool = aws.addPool({
      name: 'customers',
      webAcl: { name: 'cognito-protection' },
      groups: [{ name: 'support', roleArn: READ_ONLY_ROLE }],
    });
    aws.addClient(pool.poolId, { name: 'web' });
    aws.addIdentityPool({ name: 'mobile-identities', roles: { authenticated: AUTH_ROLE } });
    await harness.run();
  });

  it('keeps its baseline, is reported once as "scan incomplete", and the rest of the pool is compared', async () => {
    const baselineBefore = aws.bucket.readJson<BaselineDoc>(`baselines/${pool.poolId}.json`);
    const versionsBefore = aws.bucket.versions(`baselines/${pool.poolId}.json`).length;
    aws.fail('ListWebACLs', { error: 'AccessDeniedException' });
    aws.setWebAcl(pool.poolId, null);
    aws.updateGroup(pool.poolId, 'support', { roleArn: ADMIN_ROLE });

    const denied = await harness.run();

    expect(denied.sent.map((m) => m.Subject)).toEqual([
      // The group's RoleArn, and the IAM roles surface's role swap (one removed, one added).
      `${PREFIX}HIGH drift: 3 changes in 1 pool`,
      `${PREFIX}Scan incomplete: 1 item unreadable`,
    ]);
    expect(denied.sent[0]?.Message).toContain(`[HIGH] RoleArn: ${READ_ONLY_ROLE} -> ${ADMIN_ROLE}`);
    expect(denied.sent[0]?.Message).not.toContain('Web ACL');
    expect(denied.sent[1]?.Message).toMatch(
      new RegExp(`  - ListWebACLs on pool customers \\(${pool.poolId}\\): AccessDeniedException\\b`),
    );
    const baselineAfter = aws.bucket.readJson<BaselineDoc>(`baselines/${pool.poolId}.json`);
    expect(aws.bucket.versions(`baselines/${pool.poolId}.json`)).toHaveLength(versionsBefore);
    expect(baselineAfter.pool?.surfaces?.waf).toEqual(baselineBefore.pool?.surfaces?.waf);
    expect(Object.keys(baselineAfter.pool?.surfaces?.waf ?? {})).toEqual(['pool']);

    const again = await harness.run();

    expect(again.readProblems).toHaveLength(1);
    expect(again.sent).toEqual([]);

    aws.heal();
    const healed = await harness.run();

    // The web ACL removed, the group's RoleArn and its role swap (one removed, one added).
    expect(healed.sent.map((m) => m.Subject)).toContain(`${PREFIX}HIGH drift: 4 changes in 1 pool`);
    expect(healed.sent.find((m) => m.Subject?.includes('drift'))?.Message).toContain(
      '[HIGH] Web ACL removed: cognito-protection',
    );
  });

  it('ListIdentityPools denied: no identity pool is reported removed; the listing is reported', async () => {
    aws.fail('ListIdentityPools', { error: 'AccessDeniedException' });

    const result = await harness.run();

    expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(result.sent.map((m) => m.Subject)).toEqual([`${PREFIX}Scan incomplete: 1 item unreadable`]);
    expect(result.sent[0]?.Message).toContain(
      '  - ListIdentityPools (the list of all identity pools): AccessDeniedException',
    );
    expect(result.sent[0]?.Message).not.toContain('Pool deleted');
    expect(aws.bucket.keys('baselines/').filter((k) => k.includes(':'))).toHaveLength(1);
  });
});
