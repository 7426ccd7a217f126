import {
  GetPolicyVersionCommand,
  type GetPolicyVersionCommandInput,
  type GetPolicyVersionCommandOutput,
  GetRoleCommand,
  type GetRoleCommandInput,
  type GetRoleCommandOutput,
  GetRolePolicyCommand,
  type GetRolePolicyCommandInput,
  type GetRolePolicyCommandOutput,
  ListAttachedRolePoliciesCommand,
  type ListAttachedRolePoliciesCommandInput,
  type ListAttachedRolePoliciesCommandOutput,
  ListPolicyVersionsCommand,
  type ListPolicyVersionsCommandInput,
  type ListPolicyVersionsCommandOutput,
  ListRolePoliciesCommand,
  type ListRolePoliciesCommandInput,
  type ListRolePoliciesCommandOutput,
} from '@aws-sdk/client-iam';
import type { AccountRead, SendOperation } from '../core/catalog.js';
import { normalizeResource } from '../core/normalize.js';
import { normalizePolicy } from '../core/policy-document.js';
import { notReadable, notReadableReason } from '../core/references.js';
import type { Json, JsonObject, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { LIST_GROUPS, poolGroups } from './groups.js';
import { fieldRule, policyRule } from './reference-rules.js';
import { allMarkerPages, operation, type Surface } from './surface.js';

/** The surface's key in snapshots and in `SURFACES`. */
export const IAM_ROLES = 'iamRoles';

/** IAM pages hold up to 1,000 items (`MaxItems`); a role has at most 20 attached policies by default. */
const IAM_PAGE = 1000;

const iamRead = <I extends object, O extends object>(
  name: string,
  command: new (input: I) => unknown,
  keys: readonly string[],
  iamResource: 'role' | 'policy',
  paging?: { items: string },
) =>
  operation<I, O>({
    name,
    service: 'iam',
    command,
    quota: 'IAM.Read',
    quotaAssumed: 'assumed: IAM documents no request rate for its reads (see quotas.ts)',
    keys,
    iamResource,
    calls: { per: 'reference' },
    ...(paging
      ? { paging: { items: paging.items, pageSize: 'MaxItems', maxPageSize: IAM_PAGE, marker: true } }
      : {}),
  });

const GET_ROLE = iamRead<GetRoleCommandInput, GetRoleCommandOutput>(
  'GetRole',
  GetRoleCommand,
  ['RoleName'],
  'role',
);
const LIST_ATTACHED = iamRead<ListAttachedRolePoliciesCommandInput, ListAttachedRolePoliciesCommandOutput>(
  'ListAttachedRolePolicies',
  ListAttachedRolePoliciesCommand,
  ['RoleName'],
  'role',
  { items: 'AttachedPolicies' },
);
const LIST_INLINE = iamRead<ListRolePoliciesCommandInput, ListRolePoliciesCommandOutput>(
  'ListRolePolicies',
  ListRolePoliciesCommand,
  ['RoleName'],
  'role',
  { items: 'PolicyNames' },
);
const GET_INLINE = iamRead<GetRolePolicyCommandInput, GetRolePolicyCommandOutput>(
  'GetRolePolicy',
  GetRolePolicyCommand,
  ['RoleName', 'PolicyName'],
  'role',
);
/**
 * The default version of a managed policy: its versions are listed (`IsDefaultVersion`) rather than
 * asked of IAM's get-policy read, whose name Lambda's resource-policy read already holds in the one
 * name-keyed table of operations (quotas, stand-in, IAM actions).
 */
const LIST_VERSIONS = iamRead<ListPolicyVersionsCommandInput, ListPolicyVersionsCommandOutput>(
  'ListPolicyVersions',
  ListPolicyVersionsCommand,
  ['PolicyArn'],
  'policy',
  { items: 'Versions' },
);
const GET_VERSION = iamRead<GetPolicyVersionCommandInput, GetPolicyVersionCommandOutput>(
  'GetPolicyVersion',
  GetPolicyVersionCommand,
  ['PolicyArn', 'VersionId'],
  'policy',
);

type RoleState = { config: JsonObject } | { notReadable: string };

/** A managed policy's default version document, once per run however many roles attach it. */
function managedPolicyRead(policyArn: string): AccountRead<Json> {
  return {
    name: `IAM policy ${policyArn}`,
    async read(send) {
      const versions = await allMarkerPages(async (marker) => {
        const page = await send(LIST_VERSIONS, { PolicyArn: policyArn, MaxItems: IAM_PAGE, Marker: marker });
        return { items: page.Versions, truncated: page.IsTruncated, marker: page.Marker };
      });
      const current = versions.find((v) => v.IsDefaultVersion);
      if (!current?.VersionId) return null;
      const { PolicyVersion } = await send(GET_VERSION, {
        PolicyArn: policyArn,
        VersionId: current.VersionId,
      });
      return PolicyVersion?.Document ? normalizePolicy(PolicyVersion.Document) : null;
    },
  };
}

/**
 * One role, by ARN: its trust policy, attached managed policies (each one's default version) and
 * inline policies, once per run however many pools reference it. A role ARN of another account
 * (GetRole answers for this account's role of that name) is not readable from this account.
 */
function roleRead(arn: string, sharedRead: <T>(read: AccountRead<T>) => Promise<T>): AccountRead<RoleState> {
  return {
    name: `IAM role ${arn}`,
    async read(send: SendOperation): Promise<RoleState> {
      const roleName = arn.split('/').pop() ?? arn;
      let role: GetRoleCommandOutput['Role'];
      try {
        role = (await send(GET_ROLE, { RoleName: roleName })).Role;
      } catch (error) {
        const reason = notReadableReason(error);
        if (reason) return { notReadable: reason };
        throw error;
      }
      if (!role || role.Arn !== arn) return { notReadable: 'RoleInAnotherAccount' };
      const attached = await allMarkerPages(async (marker) => {
        const page = await send(LIST_ATTACHED, { RoleName: roleName, MaxItems: IAM_PAGE, Marker: marker });
        return { items: page.AttachedPolicies, truncated: page.IsTruncated, marker: page.Marker };
      });
      const inlineNames = await allMarkerPages(async (marker) => {
        const page = await send(LIST_INLINE, { RoleName: roleName, MaxItems: IAM_PAGE, Marker: marker });
        return { items: page.PolicyNames, truncated: page.IsTruncated, marker: page.Marker };
      });
      const attachedPolicies: JsonObject = {};
      for (const policy of attached) {
        if (!policy.PolicyArn) continue;
        attachedPolicies[policy.PolicyArn] = (await sharedRead(managedPolicyRead(policy.PolicyArn))) ?? {};
      }
      const inlinePolicies: JsonObject = {};
      for (const name of inlineNames) {
        const { PolicyDocument } = await send(GET_INLINE, { RoleName: roleName, PolicyName: name });
        inlinePolicies[name] = PolicyDocument ? normalizePolicy(PolicyDocument) : {};
      }
      const config = normalizeResource(
        {
          Path: role.Path,
          MaxSessionDuration: role.MaxSessionDuration,
          PermissionsBoundary: role.PermissionsBoundary?.PermissionsBoundaryArn,
          TrustPolicy: role.AssumeRolePolicyDocument
            ? normalizePolicy(role.AssumeRolePolicyDocument)
            : undefined,
          AttachedPolicies: attachedPolicies,
          InlinePolicies: inlinePolicies,
        },
        { salt: arn },
      );
      return { config };
    },
  };
}

const ROLE_ARN = /^arn:[\w-]+:iam::[^:]*:role\//;

/** Role ARN -> how the pool uses it (`group admins`, `SMS caller`), from the pool's own references. */
async function userPoolRoles(ctx: Parameters<Surface['read']>[0]): Promise<Map<string, string[]>> {
  const uses = new Map<string, string[]>();
  const add = (arn: string | undefined, use: string) => {
    if (arn && ROLE_ARN.test(arn)) uses.set(arn, [...(uses.get(arn) ?? []), use]);
  };
  add(ctx.pool.SmsConfiguration?.SnsCallerArn, 'SMS caller');
  const read = poolGroups(ctx.poolId);
  const groups = await (ctx.sharedRead ? ctx.sharedRead(read) : read.read(ctx.send));
  for (const group of groups) add(group.RoleArn, `group ${group.GroupName ?? ''}`);
  return uses;
}

/** Role ARN -> how the identity pool uses it (`authenticated`, `role mapping <provider>`). */
function identityPoolRoles(config: JsonObject): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const walk = (value: Json | undefined, use: string) => {
    if (typeof value === 'string') {
      if (ROLE_ARN.test(value)) uses.set(value, [...new Set([...(uses.get(value) ?? []), use])]);
    } else if (Array.isArray(value)) for (const item of value) walk(item, use);
    else if (value !== null && typeof value === 'object')
      for (const item of Object.values(value)) walk(item, use);
  };
  const roles = config.Roles;
  if (roles !== null && typeof roles === 'object' && !Array.isArray(roles))
    for (const [kind, arn] of Object.entries(roles)) walk(arn, kind);
  const mappings = config.RoleMappings;
  if (mappings !== null && typeof mappings === 'object' && !Array.isArray(mappings))
    for (const [provider, mapping] of Object.entries(mappings)) walk(mapping, `role mapping ${provider}`);
  return uses;
}

async function snapshotOf(
  uses: Map<string, string[]>,
  send: SendOperation,
  sharedRead: (<T>(read: AccountRead<T>) => Promise<T>) | undefined,
): Promise<SurfaceSnapshot> {
  const shared = sharedRead ?? (<T>(read: AccountRead<T>) => read.read(send));
  const out: SurfaceSnapshot = {};
  for (const [arn, used] of [...uses].sort(([a], [b]) => a.localeCompare(b))) {
    const name = `${arn.split('/').pop() ?? arn} (${[...new Set(used)].sort().join(', ')})`;
    const state = await shared(roleRead(arn, shared));
    out[arn] = 'notReadable' in state ? notReadable(name, state.notReadable) : { name, config: state.config };
  }
  return out;
}

/**
 * The IAM roles a pool hands out or acts as: its groups' roles, its SMS caller role, and an
 * identity pool's authenticated, unauthenticated and rule-mapped roles. Each role's trust policy,
 * attached managed policies (their default version) and inline policies are kept as normalized
 * JSON, so a widened Action, Resource or Principal is a change of that field.
 */
export const iamRolesSurface: Surface = {
  name: IAM_ROLES,
  label: 'IAM role',
  plural: 'IAM roles',
  operations: [LIST_GROUPS, GET_ROLE, LIST_ATTACHED, LIST_INLINE, GET_INLINE, LIST_VERSIONS, GET_VERSION],
  async read(ctx) {
    return snapshotOf(await userPoolRoles(ctx), ctx.send, ctx.sharedRead);
  },
  async readUnit(ctx) {
    return snapshotOf(identityPoolRoles(ctx.config), ctx.send, ctx.sharedRead);
  },
  // IAM writes are not Cognito's: a scheduled sweep finds them (see docs/surfaces.md).
  writeEvents: [],
  rules: [
    {
      name: 'role-trust-policy-changed',
      description: "A referenced role's trust policy changed (who may assume it): HIGH, widened or not",
      evaluate: (c) =>
        c.surface === IAM_ROLES &&
        'path' in c &&
        (c.path === 'TrustPolicy' || c.path.startsWith('TrustPolicy.'))
          ? Severity.HIGH
          : undefined,
    },
    policyRule({
      surface: IAM_ROLES,
      name: 'role-permissions-widened',
      description:
        "A referenced role's attached or inline policies allow more (a policy attached, an action or resource added): HIGH; other changes MEDIUM",
      policies: ['AttachedPolicies', 'InlinePolicies'],
    }),
    fieldRule({
      surface: IAM_ROLES,
      name: 'role-boundary-or-session-changed',
      description: "A referenced role's permissions boundary, path or maximum session changed",
      paths: ['PermissionsBoundary', 'Path', 'MaxSessionDuration'],
      severity: Severity.HIGH,
    }),
  ],
};
