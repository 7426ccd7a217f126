import { ListTermsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  DetectorHarness,
  FakeAccount,
  FakeClient,
  FakePool,
  Operation,
} from '../../support/fake-aws.js';
import { PREFIX } from '../../support/fake-aws.js';
import { driftMessage as drift, expectOnlyUnreadable, watchedWithEverySurface } from './surface-run.js';

const LIST = 'ListTerms';
/** Not in the fake's own list of operations: it serves it generically, from the catalog. */
const DESCRIBE = 'DescribeTerms' as Operation;

describe('terms documents, in a whole detector run', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;
  let mobile: FakeClient;
  let termsCount = 0;
  let webTerms: string;

  /** Creates a terms document as CreateTerms would: a list item and its description (wire JSON). */
  function createTerms(client: FakeClient, name: string, links: Record<string, string>): string {
    termsCount += 1;
    const termsId = `0000000${termsCount}-1111-4222-8333-444455556666`;
    const dates = { CreationDate: 1_764_000_000, LastModifiedDate: 1_764_000_000 };
    aws.catalogItems.put(
      LIST,
      { UserPoolId: pool.poolId },
      { TermsId: termsId, TermsName: name, Enforcement: 'NONE', ...dates },
    );
    aws.catalogItems.put(
      DESCRIBE,
      { UserPoolId: pool.poolId, TermsId: termsId },
      {
        Terms: {
          TermsId: termsId,
          UserPoolId: pool.poolId,
          ClientId: client.clientId,
          TermsName: name,
          TermsSource: 'LINK',
          Enforcement: 'NONE',
          Links: links,
          ...dates,
        },
      },
    );
    return termsId;
  }

  beforeEach(async () => {
    ({ aws, harness } = await watchedWithEverySurface((account) => {
      aws = account;
      // Terms documents are shown by managed login, which a domain serves: read only with one.
      pool = aws.addPool({ name: 'customers', domain: 'customers-login' });
      web = aws.addClient(pool.poolId, { name: 'web' });
      mobile = aws.addClient(pool.poolId, { name: 'mobile' });
      webTerms = createTerms(web, 'terms-of-use', { 'cognito:default': 'https://example.com/terms' });
      // More documents than one page holds: the read follows NextToken.
      for (let i = 0; i < 60; i += 1)
        createTerms(mobile, `privacy-policy-${i}`, { 'cognito:default': 'https://example.com/privacy' });
      return {};
    }));
  });

  it('reads every page, and is quiet when nothing changed', async () => {
    const run = await harness.run();

    expect(run.sent).toEqual([]);
    const pages = aws.cognito.commandCalls(ListTermsCommand).map((call) => call.args[0].input);
    expect(pages.filter((input) => input.NextToken !== undefined).length).toBeGreaterThan(0);
  });

  it('names the pool and the client of a changed link', async () => {
    aws.catalogItems.put(
      DESCRIBE,
      { UserPoolId: pool.poolId, TermsId: webTerms },
      {
        Terms: {
          TermsId: webTerms,
          UserPoolId: pool.poolId,
          ClientId: web.clientId,
          TermsName: 'terms-of-use',
          TermsSource: 'LINK',
          Enforcement: 'NONE',
          Links: { 'cognito:default': 'https://terms.attacker.example.net/' },
          CreationDate: 1_764_000_000,
          LastModifiedDate: 1_764_003_600,
        },
      },
    );

    const message = drift(await harness.run());

    expect(message?.Subject).toBe(`${PREFIX}MEDIUM drift: 1 change in 1 pool`);
    expect(message?.Message).toContain(`== Pool customers (${pool.poolId})`);
    expect(message?.Message).toContain(
      `  Terms document terms-of-use of client web (${web.clientId}/terms-of-use)\n` +
        '    [MEDIUM] Links.cognito:default: https://example.com/terms -> https://terms.attacker.example.net/',
    );
  });

  it('a new document is named with its client', async () => {
    createTerms(web, 'privacy-policy', { 'cognito:default': 'https://example.com/privacy' });

    const message = drift(await harness.run());

    expect(message?.Message).toContain('Terms document added: privacy-policy of client web');
  });

  it('a read that fails is "could not be read", never a removed document', async () => {
    aws.fail(DESCRIBE, { poolId: pool.poolId, error: 'InternalErrorException', times: 1 });

    const run = await harness.run();

    expectOnlyUnreadable(run, DESCRIBE);
    expect(JSON.stringify(run.sent)).not.toContain('removed');
  });
});
