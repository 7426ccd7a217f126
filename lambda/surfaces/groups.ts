import { normalizeResource } from '../core/normalize.js';
import type { Change } from '../core/types.js';
import { Severity } from '../core/types.js';
import { allPages, type Surface } from './surface.js';

const isGroup = (c: Change) => c.surface === 'groups';

/** User pool groups: the IAM role a member gets (`RoleArn`) and which group wins (`Precedence`). */
export const groupsSurface: Surface = {
  name: 'groups',
  label: 'group',
  plural: 'groups',
  operations: ['ListGroups'],
  async read({ poolId, send }) {
    const groups = await allPages(async (token) => {
      const page = await send('ListGroups', { UserPoolId: poolId, Limit: 60, NextToken: token });
      return { items: page.Groups, next: page.NextToken };
    });
    const out: Awaited<ReturnType<Surface['read']>> = {};
    for (const group of groups) {
      if (!group.GroupName) continue;
      out[group.GroupName] = {
        name: group.GroupName,
        config: normalizeResource(group, {
          volatile: ['UserPoolId', 'GroupName', 'LastModifiedDate', 'CreationDate'],
          salt: poolId,
        }),
      };
    }
    return out;
  },
  rules: [
    {
      name: 'group-role-changed',
      description: "A group's IAM role (RoleArn) changed, or a group with a role was added",
      evaluate: (c) => {
        if (!isGroup(c)) return undefined;
        if (c.kind === 'resource-added') return c.config.RoleArn !== undefined ? Severity.HIGH : undefined;
        return c.kind === 'field-changed' && c.path === 'RoleArn' ? Severity.HIGH : undefined;
      },
    },
  ],
};
