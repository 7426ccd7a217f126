import {
  CognitoIdentityProviderClient,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeRiskConfigurationCommand,
  DescribeTermsCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUICustomizationCommand,
  GetUserPoolMfaConfigCommand,
  ListTermsCommand,
  ListUserPoolClientSecretsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../../lambda/core/canonical.js';
import type { SnapshotDoc } from '../../lambda/core/documents.js';
import { normalizeClient } from '../../lambda/core/normalize.js';
import type { Finding } from '../../lambda/core/types.js';
import { SURFACE_NAMES } from '../../lambda/surfaces/selection.js';
import type { SeedRiskConfiguration } from '../support/cognito-surface.js';
import {
  DetectorHarness,
  FakeAccount,
  type FakeClient,
  type FakePool,
  type HarnessRun,
  type Operation,
  REGION,
  serialize,
} from '../support/fake-aws.js';

/**
 * Reads that cannot change a finding are not made (a kind's `readOnlyWhen`): each skip here is shown
 * (a) not to send its calls while its condition does not hold, and (b) to still produce the finding
 * it would have produced once the condition changes, without a skipped read ever looking like a
 * deletion or a change.
 */

/** Served from the catalog by the fake (no method of its own). */
const BRANDING = 'DescribeManagedLoginBrandingByClient' as Operation;
const LIST_TERMS = 'ListTerms' as Operation;
const DESCRIBE_TERMS = 'DescribeTerms' as Operation;
const TERMS_ID = '00000001-1111-4222-8333-444455556666';

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

/** Each finding as `<surface or pool>/<kind>/<path or resource>`, sorted: what the tests compare. */
function summary(run: HarnessRun): string[] {
  return run.pools
    .flatMap((p) => p.findings)
    .map((f: Finding) => {
      const where = 'path' in f ? f.path : (f.resourceId ?? f.clientId ?? '');
      return `${f.surface ?? (f.clientId ? 'client' : 'pool')}/${f.kind}/${where}`;
    })
    .sort();
}

/** The calls each command received since the fake's history was last reset. */
function calls(aws: FakeAccount): Record<string, number> {
  const count = (command: Parameters<FakeAccount['cognito']['commandCalls']>[0]) =>
    aws.cognito.commandCalls(command).length;
  return {
    DescribeUserPool: count(DescribeUserPoolCommand),
    GetUICustomization: count(GetUICustomizationCommand),
    DescribeManagedLoginBrandingByClient: count(DescribeManagedLoginBrandingByClientCommand),
    ListTerms: count(ListTermsCommand),
    DescribeTerms: count(DescribeTermsCommand),
    DescribeRiskConfiguration: count(DescribeRiskConfigurationCommand),
    GetUserPoolMfaConfig: count(GetUserPoolMfaConfigCommand),
    DescribeUserPoolClient: count(DescribeUserPoolClientCommand),
    ListUserPoolClientSecrets: count(ListUserPoolClientSecretsCommand),
  };
}

/** The clients whose secrets were listed since the fake's history was last reset. */
function secretsListedFor(aws: FakeAccount): (string | undefined)[] {
  return aws.cognito
    .commandCalls(ListUserPoolClientSecretsCommand)
    .map((call) => call.args[0].input.ClientId);
}

/** A run with the fake's call history cleared first, and the calls it made. */
async function counted(aws: FakeAccount, harness: DetectorHarness) {
  aws.cognito.resetHistory();
  const run = await harness.run();
  expect(run.readProblems).toEqual([]);
  return { run, calls: calls(aws) };
}

describe('hosted UI, managed login branding and terms: read only where the pool has a domain', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;

  /** A branding style for the web client and a terms document, as CreateManagedLoginBranding / CreateTerms leave them. */
  function brandAndTerms(link: string): void {
    aws.catalogItems.put(
      BRANDING,
      { UserPoolId: pool.poolId, ClientId: web.clientId },
      {
        ManagedLoginBranding: {
          ManagedLoginBrandingId: 'a1b2c3d4-5678-4901-abcd-ef0123456789',
          UserPoolId: pool.poolId,
          UseCognitoProvidedValues: true,
          CreationDate: 1_764_000_000,
          LastModifiedDate: 1_764_000_000,
        },
      },
    );
    const dates = { CreationDate: 1_764_000_000, LastModifiedDate: 1_764_000_000 };
    const summaryItem = { TermsId: TERMS_ID, TermsName: 'terms-of-use', Enforcement: 'NONE', ...dates };
    aws.catalogItems.remove(LIST_TERMS, { UserPoolId: pool.poolId }, () => true);
    aws.catalogItems.put(LIST_TERMS, { UserPoolId: pool.poolId }, summaryItem);
    aws.catalogItems.put(
      DESCRIBE_TERMS,
      { UserPoolId: pool.poolId, TermsId: TERMS_ID },
      {
        Terms: {
          ...summaryItem,
          UserPoolId: pool.poolId,
          ClientId: web.clientId,
          TermsSource: 'LINK',
          Links: { 'cognito:default': link },
        },
      },
    );
  }

  describe('a pool without a domain', () => {
    beforeEach(async () => {
      aws = new FakeAccount();
      harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
      pool = aws.addPool({ name: 'customers' });
      web = aws.addClient(pool.poolId, { name: 'web' });
      aws.addClient(pool.poolId, { name: 'mobile' });
      const first = await harness.run();
      expect(first.firstRun).toBe(true);
    });

    it('is not asked for its hosted UI, branding or terms, and is quiet', async () => {
      const { run, calls: made } = await counted(aws, harness);

      expect(made.DescribeUserPool).toBe(1);
      expect(made).toMatchObject({
        GetUICustomization: 0,
        DescribeManagedLoginBrandingByClient: 0,
        ListTerms: 0,
        DescribeTerms: 0,
      });
      expect(run.sent).toEqual([]);
    });

    it('gains a domain: the hosted UI, the branding and the terms then in effect are read and reported', async () => {
      aws.setDomain(pool.poolId, 'customers-login');
      aws.setUiCustomization(pool.poolId, { css: '.banner-customizable { background: #000; }' });
      brandAndTerms('https://example.com/terms');

      const { run, calls: made } = await counted(aws, harness);

      expect(made).toMatchObject({
        GetUICustomization: 3,
        DescribeManagedLoginBrandingByClient: 2,
        ListTerms: 1,
        DescribeTerms: 1,
      });
      expect(summary(run)).toEqual([
        'domains/resource-added/customers-login',
        `managedLoginBranding/resource-added/${web.clientId}`,
        'pool/field-changed/Domain',
        `terms/resource-added/${web.clientId}/terms-of-use`,
        'uiCustomization/resource-added/pool',
      ]);
    });

    it('gains a domain with nothing customized: only the domain is reported (nothing recorded, nothing read, no change)', async () => {
      aws.setDomain(pool.poolId, 'customers-login');

      const { run } = await counted(aws, harness);

      expect(summary(run)).toEqual(['domains/resource-added/customers-login', 'pool/field-changed/Domain']);
    });
  });

  describe('a pool with a domain', () => {
    beforeEach(async () => {
      aws = new FakeAccount();
      harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
      pool = aws.addPool({
        name: 'customers',
        domain: 'customers-login',
        uiCustomization: { css: '.banner-customizable { background: #fff; }' },
      });
      web = aws.addClient(pool.poolId, { name: 'web' });
      brandAndTerms('https://example.com/terms');
      const first = await harness.run();
      expect(first.firstRun).toBe(true);
    });

    it('loses it: the domain is reported, its hosted UI settings are neither read nor reported removed', async () => {
      aws.setDomain(pool.poolId, null);

      const { run, calls: made } = await counted(aws, harness);

      expect(made).toMatchObject({
        GetUICustomization: 0,
        DescribeManagedLoginBrandingByClient: 0,
        ListTerms: 0,
      });
      expect(summary(run)).toEqual(['domains/resource-removed/customers-login', 'pool/field-changed/Domain']);
    });

    it('settings changed while it was gone are reported once it is back; unchanged ones are not', async () => {
      aws.setDomain(pool.poolId, null);
      await harness.run();
      aws.setUiCustomization(pool.poolId, { css: '.banner-customizable { background: #f00; }' });

      const away = await counted(aws, harness);
      aws.setDomain(pool.poolId, 'customers-login');
      const back = await counted(aws, harness);

      // While away: nothing read, and the domain's removal is all there is (still unapproved).
      expect(away.calls.GetUICustomization).toBe(0);
      expect(summary(away.run)).toEqual([
        'domains/resource-removed/customers-login',
        'pool/field-changed/Domain',
      ]);
      // Back: compared with the baseline again. The CSS changed (its digest and version); the branding
      // and terms are as approved; the domain created again has a distribution of its own.
      expect(summary(back.run)).toEqual([
        'domains/field-changed/CloudFrontDistribution',
        'uiCustomization/field-changed/CSS.digest',
        'uiCustomization/field-changed/CSSVersion',
      ]);
    });

    it('removed and approved: coming back, the hosted UI is reported as what is then in effect', async () => {
      aws.setDomain(pool.poolId, null);
      await harness.run();
      await harness.approve(pool.poolId);
      expect(summary(await harness.run())).toEqual([]);

      aws.setDomain(pool.poolId, 'customers-login');
      const { run } = await counted(aws, harness);

      expect(summary(run)).toEqual([
        'domains/resource-added/customers-login',
        `managedLoginBranding/resource-added/${web.clientId}`,
        'pool/field-changed/Domain',
        `terms/resource-added/${web.clientId}/terms-of-use`,
        'uiCustomization/resource-added/pool',
      ]);
    });
  });
});

describe('threat protection configuration: read only where threat protection is on', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;

  async function start(mode: 'OFF' | 'ENFORCED'): Promise<void> {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    pool = aws.addPool({
      name: 'customers',
      config: { UserPoolAddOns: { AdvancedSecurityMode: mode } },
      riskConfiguration: RISK,
    });
    web = aws.addClient(pool.poolId, { name: 'web', riskConfiguration: RISK });
    aws.addClient(pool.poolId, { name: 'mobile' });
    const first = await harness.run();
    expect(first.firstRun).toBe(true);
    expect(first.readProblems).toEqual([]);
  }

  it('off: neither the pool nor a client is asked', async () => {
    await start('OFF');

    const { run, calls: made } = await counted(aws, harness);

    expect(made.DescribeUserPool).toBe(1);
    expect(made.DescribeRiskConfiguration).toBe(0);
    expect(run.sent).toEqual([]);
  });

  it('on: the pool and each client are asked', async () => {
    await start('ENFORCED');

    const { calls: made } = await counted(aws, harness);

    expect(made.DescribeRiskConfiguration).toBe(3);
  });

  it('turned on: the configuration then in effect is read and reported with the mode', async () => {
    await start('OFF');
    aws.updatePool(pool.poolId, { UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });

    const { run } = await counted(aws, harness);

    expect(summary(run)).toEqual([
      'pool/field-changed/UserPoolAddOns.AdvancedSecurityMode',
      `riskConfiguration/resource-added/${web.clientId}`,
      'riskConfiguration/resource-added/pool',
    ]);
  });

  it('turned off: the lowered mode is HIGH, and no configuration is reported removed', async () => {
    await start('ENFORCED');
    aws.updatePool(pool.poolId, { UserPoolAddOns: { AdvancedSecurityMode: 'OFF' } });

    const { run, calls: made } = await counted(aws, harness);

    expect(made.DescribeRiskConfiguration).toBe(0);
    const findings = run.pools.flatMap((p) => p.findings);
    expect(findings.map((f) => [f.kind, f.surface ?? 'pool', f.severity])).toEqual([
      ['field-changed', 'pool', 'HIGH'],
    ]);
  });

  it('weakened while off: HIGH once it is back on', async () => {
    await start('ENFORCED');
    aws.updatePool(pool.poolId, { UserPoolAddOns: { AdvancedSecurityMode: 'OFF' } });
    await harness.run();
    aws.setRiskConfiguration(pool.poolId, {
      ...RISK,
      RiskExceptionConfiguration: { BlockedIPRangeList: [] },
    });
    aws.updatePool(pool.poolId, { UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });

    const { run } = await counted(aws, harness);

    const risk = run.pools.flatMap((p) => p.findings).filter((f) => f.surface === 'riskConfiguration');
    expect(risk.map((f) => [f.kind, f.resourceId, 'path' in f ? f.path : '', f.severity])).toEqual([
      ['list-changed', 'pool', 'RiskExceptionConfiguration.BlockedIPRangeList', 'HIGH'],
    ]);
  });
});

describe('MFA configuration: read only where MFA or a one-time-password or passkey sign-in is used', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;

  const passwordOnly = { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD' as const] } };

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    pool = aws.addPool({
      name: 'customers',
      mfa: { SoftwareTokenMfaConfiguration: { Enabled: true } },
    });
    aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();
  });

  it('MFA off with password-only sign-in: not asked; with email OTP sign-in allowed: asked', async () => {
    aws.updatePool(pool.poolId, {
      MfaConfiguration: 'OFF',
      Policies: { ...pool.config.Policies, ...passwordOnly },
    });
    const off = await counted(aws, harness);
    aws.updatePool(pool.poolId, {
      Policies: {
        ...pool.config.Policies,
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD' as const, 'EMAIL_OTP' as const] },
      },
    });
    const otp = await counted(aws, harness);

    expect(off.calls.GetUserPoolMfaConfig).toBe(0);
    expect(off.calls.DescribeUserPool).toBe(1);
    expect(otp.calls.GetUserPoolMfaConfig).toBe(1);
  });

  it('a factor turned off while MFA was off is HIGH once MFA is back on, and was never reported before', async () => {
    aws.updatePool(pool.poolId, {
      MfaConfiguration: 'OFF',
      Policies: { ...pool.config.Policies, ...passwordOnly },
    });
    aws.setMfa(pool.poolId, { SoftwareTokenMfaConfiguration: { Enabled: false } });
    const off = await counted(aws, harness);
    aws.updatePool(pool.poolId, { MfaConfiguration: 'ON' });
    const on = await counted(aws, harness);

    expect(summary(off.run)).toEqual(['pool/field-changed/MfaConfiguration']);
    const mfa = on.run.pools.flatMap((p) => p.findings).filter((f) => f.surface === 'mfa');
    expect(mfa.map((f) => ['path' in f ? f.path : '', f.severity])).toEqual([
      ['SoftwareTokenMfaConfiguration.Enabled', 'HIGH'],
    ]);
  });
});

describe('baselines and snapshots across the change', () => {
  it('a baseline recorded with the read (an earlier release asked a pool without threat protection) and a read without it: no finding', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, {}, SURFACE_NAMES);
    const pool = aws.addPool({ name: 'customers', riskConfiguration: RISK });
    aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();
    // What a release that read the pool's risk configuration whatever its mode recorded.
    const stored = await harness.store.getBaseline(pool.poolId);
    if (!stored?.doc.pool) throw new Error('no baseline recorded');
    const earlier = structuredClone(stored.doc.pool);
    earlier.surfaces = {
      ...earlier.surfaces,
      riskConfiguration: {
        pool: {
          name: 'pool',
          config: { RiskExceptionConfiguration: { BlockedIPRangeList: ['198.51.100.0/24'] } },
        },
      },
    };
    await harness.store.putBaseline(
      { ...stored.doc, pool: earlier, snapshotHash: contentHash(earlier) },
      stored.etag,
    );

    const { run, calls: made } = await counted(aws, harness);

    expect(made.DescribeRiskConfiguration).toBe(0);
    expect(summary(run)).toEqual([]);
    expect(run.sent).toEqual([]);
  });
});

describe('client secrets: listed only for a client with a secret', () => {
  const PLANTED = 'PLANTED-CLIENT-SECRET-VALUE-0123456789';
  const ROTATED = 'PLANTED-CLIENT-SECRET-ROTATED-9876543210';
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let spa: FakeClient;
  let backend: FakeClient;

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws);
    pool = aws.addPool({ name: 'orders' });
    spa = aws.addClient(pool.poolId, { name: 'orders-spa' });
    aws.addClient(pool.poolId, { name: 'orders-ios' });
    backend = aws.addClient(pool.poolId, { name: 'orders-backend', secretValue: PLANTED });
    const first = await harness.run();
    expect(first.firstRun).toBe(true);
  });

  it('asks only the confidential client, and is quiet', async () => {
    const { run, calls: made } = await counted(aws, harness);

    expect(made.DescribeUserPoolClient).toBe(3);
    expect(made.ListUserPoolClientSecrets).toBe(1);
    expect(secretsListedFor(aws)).toEqual([backend.clientId]);
    expect(run.sent).toEqual([]);
    // The public clients are recorded holding no secrets, the confidential one its secret by id.
    const snapshot = aws.bucket.readJson<SnapshotDoc>(`snapshots/${pool.poolId}.json`);
    expect(snapshot.pool?.clients[spa.clientId]?.secrets).toEqual({});
    expect(Object.keys(snapshot.pool?.clients[backend.clientId]?.secrets ?? {})).toEqual([
      backend.secrets[0]?.id,
    ]);
  });

  it("still alerts the confidential client's rotation, by secret id and date, never by value", async () => {
    const original = backend.secrets[0] as { id: string; createdAt: Date };
    const added = aws.addSecret(pool.poolId, backend.clientId, ROTATED, new Date('2026-12-01T08:00:00.000Z'));
    const addedRun = await counted(aws, harness);
    aws.removeSecret(pool.poolId, backend.clientId, original.id);
    const removedRun = await counted(aws, harness);

    expect(summary(addedRun.run)).toEqual([`client/secret-added/${backend.clientId}`]);
    expect(addedRun.run.sent[0]?.Message).toContain(
      `Client secret added: id ${added}, created 2026-12-01T08:00:00.000Z`,
    );
    // Not approved: the added secret is still reported beside the removed one.
    expect(summary(removedRun.run)).toEqual([
      `client/secret-added/${backend.clientId}`,
      `client/secret-removed/${backend.clientId}`,
    ]);
    expect(removedRun.run.sent[0]?.Message).toContain(
      `Client secret removed: id ${original.id}, created ${original.createdAt.toISOString()}`,
    );
    expect(removedRun.calls.ListUserPoolClientSecrets).toBe(1);
    const everything = [
      ...aws.bucket.allBodies().map((o) => o.body),
      ...aws.published.map((m) => serialize(m)),
      harness.logger.text(),
    ];
    for (const text of everything) {
      expect(text).not.toContain(PLANTED);
      expect(text).not.toContain(ROTATED);
    }
  });

  it("a baseline an earlier release recorded, with each public client's secrets as it listed them (none): no finding", async () => {
    // What a release that listed every client's secrets recorded: each client normalized with the
    // secrets ListUserPoolClientSecrets answers for it (an empty list for a public client).
    const idp = new CognitoIdentityProviderClient({ region: REGION });
    const stored = await harness.store.getBaseline(pool.poolId);
    if (!stored?.doc.pool) throw new Error('no baseline recorded');
    const earlier = structuredClone(stored.doc.pool);
    for (const clientId of Object.keys(earlier.clients)) {
      const input = { UserPoolId: pool.poolId, ClientId: clientId };
      const described = await idp.send(new DescribeUserPoolClientCommand(input));
      const listed = await idp.send(new ListUserPoolClientSecretsCommand(input));
      earlier.clients[clientId] = normalizeClient(described.UserPoolClient ?? {}, listed.ClientSecrets ?? []);
    }
    expect(earlier.clients[spa.clientId]?.secrets).toEqual({});
    await harness.store.putBaseline(
      { ...stored.doc, pool: earlier, snapshotHash: contentHash(earlier) },
      stored.etag,
    );

    const { run, calls: made } = await counted(aws, harness);

    expect(made.ListUserPoolClientSecrets).toBe(1);
    expect(summary(run)).toEqual([]);
    expect(run.sent).toEqual([]);
    // Not even a snapshot that differs: the public clients are recorded as that release recorded them.
    const snapshot = aws.bucket.readJson<SnapshotDoc>(`snapshots/${pool.poolId}.json`);
    expect(snapshot.pool && contentHash(snapshot.pool)).toBe(contentHash(earlier));
  });

  it('a public client deleted and created again with a secret under the same name: a new client, whose secrets are read', async () => {
    aws.deleteClient(pool.poolId, spa.clientId);
    const again = aws.addClient(pool.poolId, { name: 'orders-spa', confidential: true });

    const recreated = await counted(aws, harness);
    const listed = secretsListedFor(aws);
    await harness.approve(pool.poolId);
    const added = aws.addSecret(pool.poolId, again.clientId, ROTATED, new Date('2026-12-02T08:00:00.000Z'));
    const rotated = await counted(aws, harness);

    expect(again.clientId).not.toBe(spa.clientId);
    expect(listed.sort()).toEqual([backend.clientId, again.clientId].sort());
    expect(rotated.calls.ListUserPoolClientSecrets).toBe(2);
    expect(summary(recreated.run)).toEqual([
      `client/client-added/${again.clientId}`,
      `client/client-removed/${spa.clientId}`,
    ]);
    const addedClient = recreated.run.pools.flatMap((p) => p.findings).find((f) => f.kind === 'client-added');
    expect(addedClient && 'settings' in addedClient && addedClient.settings?.secrets).toBe(1);
    // Approved, then rotated: the new client's secrets are compared like any confidential client's.
    expect(summary(rotated.run)).toEqual([`client/secret-added/${again.clientId}`]);
    expect(rotated.run.sent.map((m) => m.Message).join('\n')).toContain(`Client secret added: id ${added}`);
  });
});
