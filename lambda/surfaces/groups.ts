import {
  ListGroupsCommand,
  type ListGroupsCommandInput,
  type ListGroupsCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AccountRead } from '../core/catalog.js';
import { normalizeResource } from '../core/normalize.js';
import type { Change } from '../core/types.js';
import { Severity } from '../core/types.js';
import { IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { allPages, operation, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

const isGroup = (c: Change) => c.surface === 'groups';

export const LIST_GROUPS = operation<ListGroupsCommandInput, ListGroupsCommandOutput>({
  name: 'ListGroups',
  service: 'cognito-idp',
  command: ListGroupsCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId'],
  paging: { items: 'Groups', pageSize: 'Limit', maxPageSize: 60 },
  calls: { per: 'pool' },
});

/**
 * Every group of a pool, read once per run and shared by the surfaces that need them (the groups
 * themselves, and the IAM roles they hand out).
 */
export function poolGroups(poolId: string): AccountRead<NonNullable<ListGroupsCommandOutput['Groups']>> {
  return {
    name: `groups of ${poolId}`,
    poolId,
    read: (send) =>
      allPages(async (token) => {
        const page = await send(LIST_GROUPS, { UserPoolId: poolId, Limit: 60, NextToken: token });
        return { items: page.Groups, next: page.NextToken };
      }),
  };
}

/** User pool groups: the IAM role a member gets (`RoleArn`) and which group wins (`Precedence`). */
export const groupsSurface: Surface = {
  name: 'groups',
  label: 'group',
  plural: 'groups',
  operations: [LIST_GROUPS],
  async read({ poolId, send, sharedRead }) {
    const read = poolGroups(poolId);
    const groups = await (sharedRead ? sharedRead(read) : read.read(send));
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
  writeEvents: (['Create', 'Update', 'Delete'] as const).map((verb) => ({
    eventSource: IDP_SOURCE,
    eventName: `${verb}Group`,
    paths: { ...POOL_PATHS, groupName: ['requestParameters.groupName'] },
  })),
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
