import { normalizeResource } from '../core/normalize.js';
import type { Change, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { POOL_RESOURCE, type Surface } from './surface.js';

const isLogDelivery = (c: Change) => c.surface === 'logDelivery';

/** Where the pool exports its user-activity and notification logs: removing it blinds threat protection's logs. */
export const logDeliverySurface: Surface = {
  name: 'logDelivery',
  label: 'log export configuration',
  plural: 'log export',
  operations: ['GetLogDeliveryConfiguration'],
  async read({ poolId, send }): Promise<SurfaceSnapshot> {
    const config = (await send('GetLogDeliveryConfiguration', { UserPoolId: poolId }))
      .LogDeliveryConfiguration;
    const normalized = normalizeResource(config ?? {}, { volatile: ['UserPoolId'], salt: poolId });
    // No configuration at all is "no log export": nothing to keep, so its removal is a resource removal.
    return Object.keys(normalized).length === 0
      ? {}
      : { [POOL_RESOURCE]: { name: 'log export', config: normalized } };
  },
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
