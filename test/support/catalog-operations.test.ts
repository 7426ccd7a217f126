import {
  CognitoIdentityProviderClient,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeTermsCommand,
  ListTermsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoReader } from '../../lambda/adapters/cognito-reader.js';
import { CATALOG_OPERATIONS } from './catalog-operations.js';
import { CognitoStandin } from './cognito-standin.js';
import { TEST_DIGEST_KEY } from './digest-key.js';

const FAST = { userPoolRead: 2_000, userPoolClientRead: 2_000, perPoolClientRead: 2_000 };
const BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 128, 7]);

/**
 * The generic catalog layer of the stand-in, over the real wire protocol: operations no fake lists
 * by hand (the managed login branding and terms reads) are served from their surface's declaration.
 */
describe('catalog operations served by the stand-in over the wire', () => {
  let standin: CognitoStandin;
  let client: CognitoIdentityProviderClient;
  let poolId: string;
  let clientId: string;
  let smallPool: string;
  let smallClient: string;

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0 });
    poolId = standin.addPool({ name: 'branded', domain: 'branded-login', clients: [] });
    clientId = standin.addClient(poolId, { name: 'web' });
    for (let i = 0; i < 61; i += 1) {
      const termsId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      standin.catalogItems.put(
        'ListTerms',
        { UserPoolId: poolId },
        {
          TermsId: termsId,
          TermsName: 'terms-of-use',
          Enforcement: 'NONE',
          CreationDate: 1,
          LastModifiedDate: 1,
        },
      );
      standin.catalogItems.put(
        'DescribeTerms',
        { UserPoolId: poolId, TermsId: termsId },
        {
          Terms: {
            TermsId: termsId,
            UserPoolId: poolId,
            ClientId: clientId,
            TermsName: i === 0 ? 'terms-of-use' : `privacy-policy-${i}`,
            TermsSource: 'LINK',
            Enforcement: 'NONE',
            Links: { 'cognito:default': `https://example.com/${i}` },
            CreationDate: 1,
            LastModifiedDate: 1,
          },
        },
      );
    }
    standin.catalogItems.put(
      'DescribeManagedLoginBrandingByClient',
      { UserPoolId: poolId, ClientId: clientId },
      {
        ManagedLoginBranding: {
          ManagedLoginBrandingId: 'b1',
          UserPoolId: poolId,
          Settings: { categories: { form: { displayGraphics: true } } },
          Assets: [{ Category: 'FORM_LOGO', ColorMode: 'DARK', Extension: 'PNG', Bytes: BYTES }],
        },
      },
    );
    // A pool the reader reads whole: the pool-level pacing (5 resource reads a second) keeps it small.
    smallPool = standin.addPool({ name: 'small', domain: 'small-login', clients: [] });
    smallClient = standin.addClient(smallPool, { name: 'web' });
    standin.catalogItems.put(
      'ListTerms',
      { UserPoolId: smallPool },
      { TermsId: 'a1', TermsName: 'terms-of-use', Enforcement: 'NONE', CreationDate: 1, LastModifiedDate: 1 },
    );
    standin.catalogItems.put(
      'DescribeTerms',
      { UserPoolId: smallPool, TermsId: 'a1' },
      {
        Terms: {
          TermsId: 'a1',
          UserPoolId: smallPool,
          ClientId: smallClient,
          TermsName: 'terms-of-use',
          TermsSource: 'LINK',
          Enforcement: 'NONE',
          Links: { 'cognito:default': 'https://example.com/0' },
          CreationDate: 1,
          LastModifiedDate: 1,
        },
      },
    );
    standin.catalogItems.put(
      'DescribeManagedLoginBrandingByClient',
      { UserPoolId: smallPool, ClientId: smallClient },
      {
        ManagedLoginBranding: {
          UserPoolId: smallPool,
          Assets: [{ Category: 'FORM_LOGO', ColorMode: 'DARK', Extension: 'PNG', Bytes: BYTES }],
        },
      },
    );
    client = new CognitoIdentityProviderClient(standin.clientConfig({ maxAttempts: 1 }));
  });

  afterAll(async () => {
    client?.destroy();
    await standin?.stop();
  });

  it('knows every catalog operation, by its service', () => {
    expect(CATALOG_OPERATIONS.get('ListTerms')?.service).toBe('cognito-idp');
    expect(CATALOG_OPERATIONS.get('DescribeManagedLoginBrandingByClient')?.paging).toBeUndefined();
  });

  it('pages a list by its declared fields, refuses a page over the declared maximum, and a foreign token', async () => {
    const first = await client.send(new ListTermsCommand({ UserPoolId: poolId, MaxResults: 60 }));
    const second = await client.send(
      new ListTermsCommand({ UserPoolId: poolId, MaxResults: 60, NextToken: first.NextToken }),
    );

    expect(first.Terms).toHaveLength(60);
    expect(second.Terms).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    await expect(
      client.send(new ListTermsCommand({ UserPoolId: poolId, MaxResults: 61 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      client.send(new ListTermsCommand({ UserPoolId: poolId, NextToken: 'forged.token' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('answers a describe from its stored answer (bytes as bytes), and not-found for none', async () => {
    const branding = await client.send(
      new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: poolId, ClientId: clientId }),
    );

    expect(branding.ManagedLoginBranding?.Assets?.[0]?.Bytes).toEqual(BYTES);
    await expect(
      client.send(
        new DescribeTermsCommand({ UserPoolId: poolId, TermsId: 'ffffffff-0000-4000-8000-000000000000' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lets the reader read both new kinds end to end, paced in their declared category', async () => {
    standin.resetStats();
    const reader = new CognitoReader({
      client,
      quotaShare: 1,
      quotas: FAST,
      categoryRps: { UserPoolResourceRead: 2_000 },
      digestKey: TEST_DIGEST_KEY,
      surfaces: ['managedLoginBranding', 'terms'],
    });

    const result = await reader.readPool({ poolId: smallPool, poolName: 'small' });

    if (result.status !== 'ok') throw new Error(JSON.stringify(result));
    expect(result.unreadableSurfaces).toEqual([]);
    expect(result.pool.surfaces?.terms?.[`${smallClient}/terms-of-use`]?.config).toEqual({
      Enforcement: 'NONE',
      Links: { 'cognito:default': 'https://example.com/0' },
      TermsSource: 'LINK',
    });
    const asset = result.pool.surfaces?.managedLoginBranding?.[smallClient]?.config.Assets;
    expect(asset).toMatchObject({ 'FORM_LOGO/DARK': { Bytes: { bytes: BYTES.length }, Extension: 'PNG' } });
    // ListTerms, DescribeTerms and the branding read, all in UserPoolResourceRead.
    expect(standin.stats.byCategory.UserPoolResourceRead.admitted).toBe(3);
  });
});
