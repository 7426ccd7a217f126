import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import type {
  AccountRead,
  CallCount,
  CatalogEntry,
  CatalogService,
  SurfaceReadContext as CoreReadContext,
  IamResource,
  OperationPaging,
  ReadOperation,
} from '../core/catalog.js';
import type { SurfaceSnapshot } from '../core/types.js';

export type { SendOperation } from '../core/catalog.js';

/** What a pool surface's read gets: DescribeUserPool's UserPool, the pool's clients, and a sender. */
export type SurfaceReadContext = CoreReadContext<UserPoolType>;

/**
 * One resource kind of a user pool, declared in one file: its operations (with their commands,
 * quota categories and paging), the write events that change it, how it is normalized (in `read`,
 * with the helpers of `normalize.ts`), how it is named in alerts, and its severity rules. Adding a
 * surface is adding a module and listing it in `index.ts`.
 */
export interface Surface extends CatalogEntry {
  /**
   * Reads and normalizes the pool's resources of this kind. Rejects when a read failed: the detector
   * then keeps the surface's baseline and reports it as unreadable, never as removed.
   */
  read(ctx: SurfaceReadContext): Promise<SurfaceSnapshot>;
  /**
   * The account-level reads `read` asks for (`ctx.accountRead`): a sweep starts them with its first
   * pool, so they overlap the pools' own reads instead of holding the first pools back.
   */
  readonly accountReads?: readonly AccountRead<unknown>[];
}

/** Declares a read operation; `I` and `O` come from the SDK command's own types. */
export function operation<I extends object, O extends object>(spec: {
  name: string;
  service: CatalogService;
  command: new (input: I) => unknown;
  quota: string;
  quotaAssumed?: string;
  keys: readonly string[];
  paging?: OperationPaging;
  /** @default 'userpool' */
  iamResource?: IamResource;
  alsoRequires?: readonly { action: string; resource: IamResource }[];
  calls?: CallCount;
}): ReadOperation<I, O> {
  return { ...spec, iamResource: spec.iamResource ?? 'userpool' };
}

/**
 * The Cognito quota page's per-operation lists are elided in every stored copy (see quotas.ts): the
 * category of the user-pool reads below is placed by the categories' descriptions, not read from it.
 */
export const RESOURCE_READ_ASSUMED =
  'assumed: the per-operation list of the Cognito quota page is elided in every stored copy; placed by the description "retrieve a resource from a user pool"';
export const POOL_READ_ASSUMED =
  'assumed: the per-operation list of the Cognito quota page is elided in every stored copy; placed by the description "read your user pools"';

/** Every item of a paged list: follows `NextToken` until the service stops returning one. */
export async function allPages<T>(
  fetchPage: (
    token: string | undefined,
  ) => Promise<{ items: readonly T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...(page.items ?? []));
    token = page.next;
  } while (token);
  return items;
}

/** The id of the pool's own resource of a one-per-pool surface (MFA, log export, web ACL, ...). */
export const POOL_RESOURCE = 'pool';
