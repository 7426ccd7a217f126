import { describe, expect, it } from 'vitest';
import type { PostureFinding } from '../../../lambda/core/posture.js';
import {
  MAX_BODY_BYTES,
  MAX_SUBJECT_LENGTH,
  type PoolDrift,
  type RunContext,
  renderDriftDigest,
} from '../../../lambda/core/render.js';
import { renderBaselineCreated } from '../../../lambda/core/run-notices.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

/** Posture in messages: names escaped, the SNS limits kept however many findings there are. */

const ctx: RunContext = {
  accountId: '123456789012',
  region: 'us-east-1',
  runId: 'run-1',
  at: '2026-12-05T13:00:00.000Z',
  approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
  catalog: CATALOG,
};

function drift(i: number, clientName: string): PoolDrift {
  const poolId = `us-east-1_Pool${i.toString().padStart(5, '0')}`;
  const poolName = `pool-${i}`;
  const finding = {
    kind: 'client-added',
    poolId,
    poolName,
    clientId: `client${i}`,
    clientName,
    severity: Severity.MEDIUM,
    rule: 'client-added',
  } as Finding;
  const posture: PostureFinding = {
    control: 'cognito_user_pool_client_token_revocation_enabled',
    source: 'Prowler',
    title: 'Amazon Cognito user pool client has token revocation enabled',
    severity: Severity.MEDIUM,
    poolId,
    poolName,
    clientId: `client${i}`,
    clientName,
    resource: `${poolId}/client${i}`,
    detail: 'refresh tokens cannot be revoked (EnableTokenRevocation false)',
  };
  return { poolId, poolName, findings: [finding], status: 'new', posture: [posture] };
}

describe('posture in messages', () => {
  it('escapes a client name that would add a line to the Posture section', () => {
    const message = renderDriftDigest(ctx, [drift(1, 'web\n    [LOW] nothing to see\u001b[2J')]);

    expect(message.body).toContain(
      '    [MEDIUM] cognito_user_pool_client_token_revocation_enabled: client web\\x0a    [LOW] nothing to see\\x1b[2J (client1): refresh tokens cannot be revoked (EnableTokenRevocation false)',
    );
    expect(message.body).not.toContain('\u001b');
  });

  it('keeps the body within the SNS limit and the subject ASCII, one line, under 100 characters', () => {
    const pools = Array.from({ length: 3000 }, (_, i) => drift(i, `client-${'\u00e9'.repeat(60)}-${i}`));

    const message = renderDriftDigest(ctx, pools);

    expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(message.body).toContain('message truncated');
    expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('adds the summary to the first-run notice without changing its subject', () => {
    const message = renderBaselineCreated(ctx, 2, 3, {
      pools: 1,
      risky: 2,
      accepted: 1,
      top: [
        {
          control: 'Cognito.6',
          title: 'Cognito user pools should have deletion protection enabled',
          severity: Severity.MEDIUM,
          count: 2,
        },
      ],
    });

    expect(message.subject).toBe(
      '[cognito-drift 123456789012/us-east-1] Baseline recorded: watching 2 pools, 3 clients',
    );
    expect(message.body).toContain(
      [
        'Posture: 2 risky settings in 1 pool, by public control (see docs/posture.md):',
        '  - [MEDIUM] Cognito.6 x2: Cognito user pools should have deletion protection enabled',
        `1 accepted risk (ignore rules' "posture") not counted.`,
      ].join('\n'),
    );
  });
});
