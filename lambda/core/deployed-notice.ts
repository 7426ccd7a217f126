import { deploymentOf } from './deployments.js';
import { escapeControl } from './escape.js';
import type { AlertMessage } from './ports.js';
import { countOf, fitBody, formatSubject, type PoolDrift, type RunContext } from './render.js';

/**
 * The short LOW notice of `deployedChanges` = notify: drift each pool's own CloudFormation stack
 * deployed, one line per pool (the changes themselves are in the full report and `check`), instead
 * of the drift alert. Drift with any other origin is in the drift alert, not here.
 */
export function renderDeployedChanges(ctx: RunContext, pools: readonly PoolDrift[]): AlertMessage {
  const changes = pools.reduce((n, p) => n + p.findings.length, 0);
  const count = `${countOf(changes, 'change')} in ${countOf(pools.length, 'pool')}`;
  const sections = pools.map((pool) => {
    const deployment = deploymentOf(pool);
    const by = deployment
      ? `deployed by stack ${deployment.stack} (${deployment.eventName} at ${deployment.eventTime}, CloudTrail event ${deployment.eventId})`
      : 'deployed by its stack';
    return [
      `  - ${pool.poolName} (${pool.poolId}): ${countOf(pool.findings.length, 'change')} ${by}`,
      `    to record it as the baseline: ${ctx.approveCommand(pool.poolId)}`,
    ].map(escapeControl);
  });
  return {
    subject: formatSubject(ctx, `LOW: ${count} deployed by CloudFormation`),
    body: fitBody(
      [
        `CloudFormation deployed ${count} in account ${ctx.accountId}, region ${ctx.region}.`,
        'Each was made by CloudFormation in a pool its own stack manages: listed here (deployedChanges=notify),',
        'not alerted as drift. A change made outside a stack would be in a drift alert.',
        `Run ${ctx.runId} at ${ctx.at}.`,
        '',
      ],
      sections,
      ctx,
    ),
    attributes: { kind: 'deployed', severity: 'LOW', poolIds: pools.map((p) => p.poolId) },
  };
}
