import {
  GetLogDeliveryConfigurationCommand,
  type GetLogDeliveryConfigurationCommandInput,
  type GetLogDeliveryConfigurationCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import type { Change, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { operation, POOL_READ_ASSUMED, POOL_RESOURCE, type Surface } from './surface.js';

const isLogDelivery = (c: Change) => c.surface === 'logDelivery';

const GET_LOG_DELIVERY = operation<
  GetLogDeliveryConfigurationCommandInput,
  GetLogDeliveryConfigurationCommandOutput
>({
  name: 'GetLogDeliveryConfiguration',
  service: 'cognito-idp',
  command: GetLogDeliveryConfigurationCommand,
  quota: 'UserPoolRead',
  quotaAssumed: POOL_READ_ASSUMED,
  keys: ['UserPoolId'],
  calls: { per: 'pool' },
});

/** Where the pool exports its user-activity and notification logs: removing it blinds threat protection's logs. */
export const logDeliverySurface: Surface = {
  name: 'logDelivery',
  label: 'log export configuration',
  plural: 'log export',
  operations: [GET_LOG_DELIVERY],
  async read({ poolId, send }): Promise<SurfaceSnapshot> {
    const config = (await send(GET_LOG_DELIVERY, { UserPoolId: poolId })).LogDeliveryConfiguration;
    const normalized = normalizeResource(config ?? {}, { volatile: ['UserPoolId'], salt: poolId });
    // No configuration at all is "no log export": nothing to keep, so its removal is a resource removal.
    return Object.keys(normalized).length === 0
      ? {}
      : { [POOL_RESOURCE]: { name: 'log export', config: normalized } };
  },
  writeEvents: [{ eventSource: IDP_SOURCE, eventName: 'SetLogDeliveryConfiguration', paths: POOL_PATHS }],
  rules: [
    {
      name: 'log-export-removed',
      description: 'Log export removed, or one of its destinations removed',
      evaluate: (c) => {
        if (!isLogDelivery(c)) return undefined;
        if (c.kind === 'resource-removed') return Severity.HIGH;
        if (c.kind === 'list-changed' && c.removed.length > 0) return Severity.HIGH;
        return c.kind === 'field-changed' && c.after === undefined ? Severity.HIGH : undefined;
      },
    },
  ],
};
