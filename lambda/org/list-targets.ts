import { ListRegionsCommand, type ListRegionsCommandOutput } from '@aws-sdk/client-account';
import {
  type Account,
  ListAccountsCommand,
  type ListAccountsCommandOutput,
  ListAccountsForParentCommand,
  type ListAccountsForParentCommandOutput,
  ListChildrenCommand,
  type ListChildrenCommandOutput,
} from '@aws-sdk/client-organizations';
import { AssumeRoleError } from './credentials.js';
import {
  type AccountSelection,
  compareTargets,
  type RegionSelection,
  type ScanTarget,
  type UnreachableTarget,
} from './target.js';

/** The calls the listing makes: narrow, so tests pass fakes and the stand-in alike. */
export interface OrganizationsPort {
  send(command: ListAccountsCommand): Promise<ListAccountsCommandOutput>;
  send(command: ListAccountsForParentCommand): Promise<ListAccountsForParentCommandOutput>;
  send(command: ListChildrenCommand): Promise<ListChildrenCommandOutput>;
}

export interface AccountPort {
  send(command: ListRegionsCommand): Promise<ListRegionsCommandOutput>;
}

export interface TargetListingDeps {
  /** Only needed for `accounts=organization`. */
  organizations?: OrganizationsPort;
  /**
   * The Account Management client of one account, signing as that account (its member role, or
   * the function's own credentials for its own account). Rejects with AssumeRoleError when the
   * role cannot be assumed. Only needed for `regions=all-enabled`.
   */
  accountClient?: (accountId: string) => Promise<AccountPort>;
  selfAccountId: string;
  stackRegion: string;
}

export interface TargetListing {
  targets: ScanTarget[];
  unreachable: UnreachableTarget[];
}

/**
 * Every (account, region) to scan, read at run time: the organization's active accounts (or the
 * listed ones, or the function's own), times the stack's region, the listed regions, or every region
 * the account has enabled. An account whose role cannot be assumed, or that is closed, is not a
 * target: it is returned as unreachable, so nothing in it is ever reported as removed.
 */
export async function listTargets(
  selection: { accounts: AccountSelection; regions: RegionSelection },
  deps: TargetListingDeps,
): Promise<TargetListing> {
  const unreachable: UnreachableTarget[] = [];
  const accountIds = await listAccounts(selection.accounts, deps, unreachable);
  const targets: ScanTarget[] = [];
  for (const accountId of accountIds) {
    const regions = await regionsOf(accountId, selection.regions, deps).catch((error: unknown) => {
      unreachable.push({ accountId, reason: reasonOf(accountId, error) });
      return [];
    });
    for (const region of regions) targets.push({ accountId, region });
  }
  return { targets: targets.sort(compareTargets), unreachable: unreachable.sort(compareTargets) };
}

async function listAccounts(
  selection: AccountSelection,
  deps: TargetListingDeps,
  unreachable: UnreachableTarget[],
): Promise<string[]> {
  if (selection.kind === 'self') return [deps.selfAccountId];
  if (selection.kind === 'list') return [...selection.accountIds];
  const organizations = deps.organizations;
  if (!organizations) throw new Error('accounts=organization needs an Organizations client');
  const accounts =
    selection.organizationalUnits.length === 0
      ? await allAccounts(organizations)
      : (
          await Promise.all(selection.organizationalUnits.map((ou) => accountsUnder(organizations, ou)))
        ).flat();
  const ids = new Set<string>();
  for (const account of accounts) {
    if (!account.Id) continue;
    // SUSPENDED (closed) or PENDING_CLOSURE: its baselines stay as they are, and people are told.
    const state = account.State ?? account.Status;
    if (state !== 'ACTIVE')
      unreachable.push({ accountId: account.Id, reason: `account ${account.Id} is closed (${state})` });
    else ids.add(account.Id);
  }
  return [...ids];
}

async function allAccounts(organizations: OrganizationsPort): Promise<Account[]> {
  const out: Account[] = [];
  let NextToken: string | undefined;
  do {
    const page = await organizations.send(new ListAccountsCommand({ NextToken }));
    out.push(...(page.Accounts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The accounts in an OU and, recursively, in its child OUs. */
async function accountsUnder(organizations: OrganizationsPort, parentId: string): Promise<Account[]> {
  const out: Account[] = [];
  let NextToken: string | undefined;
  do {
    const page = await organizations.send(
      new ListAccountsForParentCommand({ ParentId: parentId, NextToken }),
    );
    out.push(...(page.Accounts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  do {
    const page = await organizations.send(
      new ListChildrenCommand({ ParentId: parentId, ChildType: 'ORGANIZATIONAL_UNIT', NextToken }),
    );
    for (const child of page.Children ?? [])
      if (child.Id) out.push(...(await accountsUnder(organizations, child.Id)));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

async function regionsOf(
  accountId: string,
  selection: RegionSelection,
  deps: TargetListingDeps,
): Promise<string[]> {
  if (selection.kind === 'stack') return [deps.stackRegion];
  if (selection.kind === 'list') return [...selection.regions];
  if (!deps.accountClient) throw new Error('regions=all-enabled needs an Account Management client');
  const client = await deps.accountClient(accountId);
  const regions: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], NextToken }),
    );
    for (const r of page.Regions ?? []) if (r.RegionName) regions.push(r.RegionName);
    NextToken = page.NextToken;
  } while (NextToken);
  return regions.sort();
}

/** Why an account is unreachable, in words for the notice (an error name, never a message body). */
export function reasonOf(accountId: string, error: unknown): string {
  if (error instanceof AssumeRoleError) return `cannot assume role in ${accountId}`;
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  return `cannot list the regions of ${accountId} (${name})`;
}
