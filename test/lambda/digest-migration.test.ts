import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../../lambda/core/canonical.js';
import type { BaselineDoc, SnapshotDoc } from '../../lambda/core/documents.js';
import type { Json, JsonObject, PoolSnapshot } from '../../lambda/core/types.js';
import { DetectorHarness, FakeAccount, type FakePool } from '../support/fake-aws.js';

const SECRET = 'Autumn2025!';
const CSS = '.banner { color: red; }';
const SECRET_PATH = 'ProviderDetails.client_secret';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The pool as the previous release stored it: the same settings, its digests unkeyed (computed here,
 * independently of the code under test: `secret-sha256:` of the salted value, `{ sha256, bytes }`).
 */
function asPreviousRelease(pool: PoolSnapshot): PoolSnapshot {
  const copy = structuredClone(pool);
  const okta = copy.surfaces?.identityProviders?.Okta?.config.ProviderDetails as JsonObject;
  expect(okta.client_secret).toMatch(/^secret-hmac-sha256:v1:/);
  okta.client_secret = `secret-sha256:${sha256(`${pool.poolId}/Okta\u0000${SECRET_PATH}\u0000${SECRET}`)}`;
  const ui = copy.surfaces?.uiCustomization?.pool?.config as JsonObject;
  expect(ui.CSS).toMatchObject({ digest: expect.stringMatching(/^hmac-sha256:v1:/) });
  ui.CSS = { sha256: sha256(CSS), bytes: Buffer.byteLength(CSS) } as Json;
  return copy;
}

describe('stored digests of an earlier release (issue 17: keyed digests, migrated)', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws, {}, ['identityProviders', 'uiCustomization']);
    pool = aws.addPool({
      name: 'customers',
      domain: 'customers-login',
      identityProviders: [
        {
          name: 'Okta',
          type: 'OIDC',
          details: { client_id: 'okta', client_secret: SECRET, oidc_issuer: 'https://okta.example.com' },
        },
      ],
      uiCustomization: { css: CSS },
    });
    await harness.run();
    // Rewrite the stored baseline and snapshot as the earlier release wrote them.
    for (const prefix of ['baselines', 'snapshots'] as const) {
      const key = `${prefix}/${pool.poolId}.json`;
      const doc = aws.bucket.readJson<BaselineDoc | SnapshotDoc>(key);
      const old = asPreviousRelease(doc.pool as PoolSnapshot);
      const hashed =
        doc.kind === 'baseline' ? { snapshotHash: contentHash(old) } : { hash: contentHash(old) };
      aws.bucket.write(key, JSON.stringify({ ...doc, ...hashed, pool: old }, null, 2));
    }
  });

  it('reads them and reports nothing for an unchanged secret and CSS', async () => {
    const result = await harness.run();

    expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(result.sent).toEqual([]);
  });

  it('still reports a secret changed across the upgrade, as "secret changed", without any digest', async () => {
    aws.updateIdentityProvider(pool.poolId, 'Okta', { details: { client_secret: 'Winter2026!' } });

    const result = await harness.run();

    const findings = result.pools.flatMap((p) => p.findings);
    expect(findings.map((f) => ('path' in f ? f.path : f.kind))).toEqual([SECRET_PATH]);
    const body = result.sent.map((m) => m.Message).join('\n');
    expect(body).toContain(`${SECRET_PATH}: secret changed (value not shown)`);
    expect(body).not.toMatch(/sha256:[0-9a-f]|Winter2026|Autumn2025/);
  });

  it('writes keyed digests only from then on: the new snapshot holds no unkeyed digest', async () => {
    aws.updateIdentityProvider(pool.poolId, 'Okta', { details: { client_secret: 'Winter2026!' } });
    await harness.run();

    const snapshot = aws.bucket.read(`snapshots/${pool.poolId}.json`) ?? '';
    expect(snapshot).toContain('secret-hmac-sha256:v1:');
    expect(snapshot).toContain('"digest": "hmac-sha256:v1:');
    expect(snapshot).not.toContain('secret-sha256:');
    expect(snapshot).not.toContain('"sha256"');
  });
});
