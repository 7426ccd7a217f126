import { DescribeManagedLoginBrandingByClientCommand } from '@aws-sdk/client-cognito-identity-provider';
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

/** What a logo's bytes carry: it must never reach a message, a stored document or a log line. */
const CANARY = 'CANARY-LOGO-BYTES-5e1d9b';
/** Not in the fake's own list of operations: it serves it generically, from the catalog. */
const OPERATION = 'DescribeManagedLoginBrandingByClient' as Operation;

function logo(text: string): Uint8Array {
  return new TextEncoder().encode(`\u0089PNG ${text}`);
}

/** A DescribeManagedLoginBrandingByClient answer (SDK shape: the asset bytes as a Uint8Array). */
function branding(poolId: string, settings: Record<string, unknown>, bytes: Uint8Array) {
  return {
    ManagedLoginBranding: {
      ManagedLoginBrandingId: 'a1b2c3d4-5678-4901-abcd-ef0123456789',
      UserPoolId: poolId,
      UseCognitoProvidedValues: false,
      Settings: settings,
      Assets: [{ Category: 'PAGE_HEADER_LOGO', ColorMode: 'LIGHT', Extension: 'PNG', Bytes: bytes }],
      CreationDate: 1_764_000_000,
      LastModifiedDate: 1_764_000_000,
    },
  };
}

describe('managed login branding, in a whole detector run', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let web: FakeClient;

  beforeEach(async () => {
    ({ aws, harness, pool, web } = await watchedWithEverySurface((aws) => {
      const pool = aws.addPool({ name: 'customers', domain: 'customers-login' });
      const web = aws.addClient(pool.poolId, { name: 'web' });
      aws.addClient(pool.poolId, { name: 'no-style' });
      aws.catalogItems.put(
        OPERATION,
        { UserPoolId: pool.poolId, ClientId: web.clientId },
        branding(pool.poolId, { components: { pageHeader: { backgroundColor: 'ffffffff' } } }, logo(CANARY)),
      );
      return { pool, web };
    }));
  });

  it('is quiet when nothing changed, and a client without a style (not found) is no finding', async () => {
    const run = await harness.run();

    expect(run.sent).toEqual([]);
    // Both clients were asked: the one without a style answered not-found.
    expect(aws.cognito.commandCalls(DescribeManagedLoginBrandingByClientCommand).length).toBe(4);
  });

  it('names the pool and the client of a changed setting and of a swapped logo, never the bytes', async () => {
    aws.catalogItems.put(
      OPERATION,
      { UserPoolId: pool.poolId, ClientId: web.clientId },
      branding(
        pool.poolId,
        { components: { pageHeader: { backgroundColor: '000000ff' } } },
        logo(`${CANARY}-phishing`),
      ),
    );

    const run = await harness.run();
    const message = drift(run);

    expect(message?.Subject).toBe(`${PREFIX}MEDIUM drift: 3 changes in 1 pool`);
    expect(message?.Message).toContain(`== Pool customers (${pool.poolId})`);
    expect(message?.Message).toContain(`  Managed login branding web (${web.clientId})`);
    expect(message?.Message).toContain(
      'Settings.components.pageHeader.backgroundColor: ffffffff -> 000000ff',
    );
    expect(message?.Message).toMatch(
      /Assets\.PAGE_HEADER_LOGO\/LIGHT\.Bytes\.digest: hmac-sha256:v1:[0-9a-f]{64} -> hmac-sha256:v1:[0-9a-f]{64}/,
    );
    // The size is the logo's own, in bytes (the PNG marker, a space and the text).
    expect(message?.Message).toContain(
      `Assets.PAGE_HEADER_LOGO/LIGHT.Bytes.bytes: ${logo(CANARY).length} -> ${logo(`${CANARY}-phishing`).length}`,
    );
    // The bytes were read, and are nowhere: not in a message, a stored document or a log line.
    const served = aws.cognito
      .commandCalls(DescribeManagedLoginBrandingByClientCommand)
      .map((call) => call.args[0].input);
    expect(served.length).toBeGreaterThan(0);
    const everything = [
      ...aws.bucket.allBodies().map((o) => o.body),
      ...aws.published.map((m) => JSON.stringify(m)),
      harness.logger.text(),
    ].join('\n');
    expect(everything).toContain('PAGE_HEADER_LOGO');
    for (const form of [CANARY, Buffer.from(CANARY).toString('base64').slice(0, 16)])
      expect(everything).not.toContain(form);
  });

  it('a read that fails is "could not be read", never a removed style', async () => {
    aws.fail(OPERATION, { clientId: web.clientId, error: 'AccessDeniedException' });

    const run = await harness.run();

    expectOnlyUnreadable(run, OPERATION);
    expect(run.sent[0]?.Message).toContain('could not read');
  });

  it('a style deleted is a removal named with its client', async () => {
    aws.catalogItems.remove(OPERATION, { UserPoolId: pool.poolId, ClientId: web.clientId });

    const message = drift(await harness.run());

    expect(message?.Message).toContain(`Managed login branding removed: web`);
  });
});
