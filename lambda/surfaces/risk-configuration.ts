import {
  DescribeRiskConfigurationCommand,
  type DescribeRiskConfigurationCommandInput,
  type DescribeRiskConfigurationCommandOutput,
  type RiskConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import type { Change, Json } from '../core/types.js';
import { Severity } from '../core/types.js';
import { CLIENT_PATHS, IDP_SOURCE } from '../core/write-events.js';
import { THREAT_PROTECTION_ON } from './pool-conditions.js';
import { operation, POOL_READ_ASSUMED, POOL_RESOURCE, type Surface } from './surface.js';

/** Strongest first: an action moving right is weaker. */
const EVENT_ACTION_STRENGTH: Record<string, number> = {
  BLOCK: 3,
  MFA_REQUIRED: 2,
  MFA_IF_CONFIGURED: 1,
  NO_ACTION: 0,
};
const VOLATILE = ['UserPoolId', 'ClientId', 'LastModifiedDate'];

const isRisk = (c: Change) => c.surface === 'riskConfiguration';
const strength = (value: Json | undefined) => EVENT_ACTION_STRENGTH[String(value ?? 'NO_ACTION')] ?? 0;

const DESCRIBE_RISK = operation<
  DescribeRiskConfigurationCommandInput,
  DescribeRiskConfigurationCommandOutput
>({
  name: 'DescribeRiskConfiguration',
  service: 'cognito-idp',
  command: DescribeRiskConfigurationCommand,
  quota: 'UserPoolRead',
  quotaAssumed: POOL_READ_ASSUMED,
  keys: ['UserPoolId', 'ClientId'],
  calls: { per: 'pool-and-client' },
});

/**
 * Threat protection: what happens on compromised credentials and account-takeover risk, and the IP
 * ranges always blocked or never checked: for the pool and each client, only when the pool has threat
 * protection on (otherwise none of it acts, and the API answers only where it is configured).
 */
export const riskConfigurationSurface: Surface = {
  name: 'riskConfiguration',
  label: 'threat protection configuration',
  plural: 'threat protection',
  operations: [DESCRIBE_RISK],
  readOnlyWhen: THREAT_PROTECTION_ON,
  async read({ poolId, clients, send }) {
    const normalize = (risk: RiskConfigurationType) =>
      normalizeResource(risk, { volatile: VOLATILE, salt: poolId });
    const out: Awaited<ReturnType<Surface['read']>> = {};
    const own = (await send(DESCRIBE_RISK, { UserPoolId: poolId })).RiskConfiguration;
    if (own) out[POOL_RESOURCE] = { name: 'pool', config: normalize(own) };
    for (const client of clients) {
      const risk = (await send(DESCRIBE_RISK, { UserPoolId: poolId, ClientId: client.clientId }))
        .RiskConfiguration;
      // A client without its own configuration is answered with the pool's (no ClientId): not its own.
      if (risk?.ClientId === client.clientId)
        out[client.clientId] = { name: client.clientName, config: normalize(risk) };
    }
    return out;
  },
  writeEvents: [{ eventSource: IDP_SOURCE, eventName: 'SetRiskConfiguration', paths: CLIENT_PATHS }],
  rules: [
    {
      name: 'threat-protection-weakened',
      description:
        'Threat protection relaxed: a risk action weakened or no longer notifying, a skipped IP range added, a blocked range removed, or a configuration removed',
      evaluate: (c) => {
        if (!isRisk(c)) return undefined;
        if (c.kind === 'resource-removed') return Severity.HIGH;
        if (c.kind === 'list-changed') {
          if (c.path.endsWith('SkippedIPRangeList') && c.added.length > 0) return Severity.HIGH;
          if (c.path.endsWith('BlockedIPRangeList') && c.removed.length > 0) return Severity.HIGH;
          if (c.path.endsWith('EventFilter') && c.removed.length > 0) return Severity.HIGH;
          return undefined;
        }
        if (c.kind !== 'field-changed') return undefined;
        if (c.path.endsWith('EventAction'))
          return strength(c.after) < strength(c.before) ? Severity.HIGH : undefined;
        if (c.path.endsWith('.Notify'))
          return c.before === true && c.after !== true ? Severity.HIGH : undefined;
        // A whole action block removed (for example the high-risk action) falls back to no action.
        if (c.path.includes('Actions') && c.after === undefined) return Severity.HIGH;
        return undefined;
      },
    },
  ],
};
