/**
 * The accounts, regions and roles of the Cognito stand-in: what lets one stand-in play a whole AWS
 * Organization. It answers, over the real wire protocols:
 * - STS `AssumeRole` (Query protocol, XML), issuing per-account access keys (no `GetCallerIdentity`:
 *   the CLI's tests rely on it failing here);
 * - Organizations `ListAccounts`, `ListAccountsForParent`, `ListChildren` (JSON 1.1);
 * - Account Management `ListRegions` (REST JSON, `POST /listRegions`).
 * and tells the stand-in which (account, region) a Cognito request belongs to: the account from the
 * access key (keys issued by `AssumeRole` belong to the role's account; any other key to the default
 * account), the region from the SigV4 credential scope.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RegionOptStatus = 'ENABLED' | 'ENABLED_BY_DEFAULT' | 'DISABLED' | 'ENABLING' | 'DISABLING';

/**
 * The stand-in world's regions and their default opt-in status (a fake world: real runs read
 * `account:ListRegions`). The opt-in ones start disabled, as in a new account.
 */
export const STANDIN_REGIONS: Readonly<Record<string, RegionOptStatus>> = {
  'us-east-1': 'ENABLED_BY_DEFAULT',
  'us-east-2': 'ENABLED_BY_DEFAULT',
  'us-west-2': 'ENABLED_BY_DEFAULT',
  'eu-west-1': 'ENABLED_BY_DEFAULT',
  'eu-central-1': 'ENABLED_BY_DEFAULT',
  'ap-southeast-2': 'ENABLED_BY_DEFAULT',
  'af-south-1': 'DISABLED',
  'ap-east-1': 'DISABLED',
  'me-south-1': 'DISABLED',
};

/** The member role name the stand-in creates in each account unless told otherwise. */
export const STANDIN_ROLE_NAME = 'CognitoDriftMemberRole';

/** An account of the stand-in's organization. */
export interface StandinAccountOptions {
  name?: string;
  /** `SUSPENDED` is a closed account: listed, but AssumeRole into it is denied. Default ACTIVE. */
  status?: 'ACTIVE' | 'SUSPENDED';
  /** The OU the account sits in (`ou-...`); default the root. */
  parentId?: string;
  /** The role that can be assumed; `null`: none (AssumeRole is denied). Default {@link STANDIN_ROLE_NAME}. */
  roleName?: string | null;
  /** When set, AssumeRole must pass this ExternalId. */
  externalId?: string;
  /** Opt-in status per region, over {@link STANDIN_REGIONS}. */
  regions?: Record<string, RegionOptStatus>;
}

interface AccountRecord {
  id: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  parentId: string;
  roleName: string | null;
  externalId?: string;
  regions: Record<string, RegionOptStatus>;
  seq: number;
}

/** Counts of the organization-level calls, for tests that prove caching. */
export interface OrganizationStats {
  assumeRole: number;
  assumeRoleDenied: number;
  listAccounts: number;
  listRegions: number;
  /** Cognito requests refused because their region is not enabled for the account. */
  regionNotEnabled: number;
}

/** Where a Cognito request goes: an (account, region), or an error to send. */
export type Route =
  | { kind: 'target'; accountId: string; region: string }
  | { kind: 'error'; status: number; type: string; message: string };

const ROOT_ID = 'r-st4n';
const ORG_TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The organization behind one stand-in. */
export class StandinOrganization {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly ous = new Map<string, { id: string; name: string; parentId: string }>();
  /** Access keys issued by AssumeRole → account id. */
  private readonly issuedKeys = new Map<string, string>();
  private keySeq = 0;
  /** The secret parts (secret access key, session token) of every credential issued, for canaries. */
  private readonly issuedSecretParts: string[] = [];
  private accountSeq = 0;
  readonly stats: OrganizationStats = {
    assumeRole: 0,
    assumeRoleDenied: 0,
    listAccounts: 0,
    listRegions: 0,
    regionNotEnabled: 0,
  };

  constructor(
    readonly defaultAccountId: string,
    readonly defaultRegion: string,
  ) {
    this.addAccount(defaultAccountId, { name: 'management' });
  }

  /** Add (or replace) an account. */
  addAccount(accountId: string, opts: StandinAccountOptions = {}): void {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
    const parentId = opts.parentId ?? ROOT_ID;
    if (parentId !== ROOT_ID && !this.ous.has(parentId)) throw new Error(`unknown OU ${parentId}`);
    const record: AccountRecord = {
      id: accountId,
      name: opts.name ?? `account-${accountId}`,
      status: opts.status ?? 'ACTIVE',
      parentId,
      roleName: opts.roleName === undefined ? STANDIN_ROLE_NAME : opts.roleName,
      regions: { ...STANDIN_REGIONS, ...opts.regions },
      seq: this.accounts.get(accountId)?.seq ?? ++this.accountSeq,
    };
    if (opts.externalId !== undefined) record.externalId = opts.externalId;
    // The default account's own region is always usable, whatever the fake world lists.
    if (accountId === this.defaultAccountId) record.regions[this.defaultRegion] ??= 'ENABLED_BY_DEFAULT';
    this.accounts.set(accountId, record);
  }

  /** Add an organizational unit under `parentId` (default the root). */
  addOrganizationalUnit(ouId: string, opts: { name?: string; parentId?: string } = {}): void {
    if (!/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(ouId)) throw new Error(`not an OU id: ${ouId}`);
    this.ous.set(ouId, { id: ouId, name: opts.name ?? ouId, parentId: opts.parentId ?? ROOT_ID });
  }

  /** Remove the member role (AssumeRole is then denied), or set another name / external id. */
  setRole(accountId: string, roleName: string | null, externalId?: string): void {
    const account = this.must(accountId);
    account.roleName = roleName;
    if (externalId === undefined) delete account.externalId;
    else account.externalId = externalId;
  }

  setRegionOptStatus(accountId: string, region: string, status: RegionOptStatus): void {
    this.must(accountId).regions[region] = status;
  }

  /** Close an account: it stays listed as SUSPENDED and its role can no longer be assumed. */
  closeAccount(accountId: string): void {
    this.must(accountId).status = 'SUSPENDED';
  }

  /** Whether `accountId` is one of the organization's accounts. */
  hasAccount(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  /** Static credentials of an account, as if assumed (for tests that read one account directly). */
  credentialsFor(accountId: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    this.must(accountId);
    return this.issue(accountId);
  }

  /** The secret access keys and session tokens issued so far (by AssumeRole or {@link credentialsFor}). */
  issuedSecrets(): string[] {
    return [...this.issuedSecretParts];
  }

  /** The root id, for `ListChildren` / `ListAccountsForParent` from the top. */
  get rootId(): string {
    return ROOT_ID;
  }

  /** The (account, region) of a Cognito request, or the error AWS would send. */
  route(req: IncomingMessage): Route {
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(auth);
    const accountId = (scope?.[1] && this.issuedKeys.get(scope[1])) || this.defaultAccountId;
    const region = scope?.[2] ?? this.defaultRegion;
    const status = this.accounts.get(accountId)?.regions[region];
    // A region the fake world does not list is served for the default account (older tests sign
    // with whatever region they like); an opt-in region that is not enabled refuses the token.
    if (status === 'DISABLED' || status === 'DISABLING' || status === 'ENABLING') {
      this.stats.regionNotEnabled++;
      return {
        kind: 'error',
        status: 400,
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    }
    return { kind: 'target', accountId, region };
  }

  /**
   * Answers the request if it is one of STS, Organizations or Account Management; returns false
   * (nothing sent) for anything else.
   */
  handle(req: IncomingMessage, res: ServerResponse, raw: string): boolean {
    const contentType = String(req.headers['content-type'] ?? '');
    const target = String(req.headers['x-amz-target'] ?? '');
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(raw);
      const action = form.get('Action');
      if (action === 'AssumeRole') this.assumeRole(req, res, form);
      else return false;
      return true;
    }
    if (target.startsWith(ORG_TARGET_PREFIX)) {
      this.organizations(res, target.slice(ORG_TARGET_PREFIX.length), parseJson(raw));
      return true;
    }
    if (req.url?.split('?')[0] === '/listRegions') {
      this.listRegions(req, res, parseJson(raw));
      return true;
    }
    return false;
  }

  private callerAccount(req: IncomingMessage): string {
    const key = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    return (key && this.issuedKeys.get(key)) || this.defaultAccountId;
  }

  private assumeRole(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
    this.stats.assumeRole++;
    const roleArn = form.get('RoleArn') ?? '';
    const session = form.get('RoleSessionName') ?? '';
    const match = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    const account = match ? this.accounts.get(match[1] ?? '') : undefined;
    const caller = this.callerAccount(req);
    const denied = () => {
      this.stats.assumeRoleDenied++;
      sendXmlError(
        res,
        403,
        'AccessDenied',
        `User: arn:aws:sts::${caller}:assumed-role/cognito-drift/detector is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    };
    if (!match || !session) {
      sendXmlError(res, 400, 'ValidationError', 'RoleArn and RoleSessionName are required');
      return;
    }
    if (
      account?.status !== 'ACTIVE' ||
      account.roleName === null ||
      account.roleName !== match[2] ||
      (account.externalId !== undefined && account.externalId !== form.get('ExternalId'))
    ) {
      denied();
      return;
    }
    const creds = this.issue(account.id);
    const expiration = new Date(Date.now() + Number(form.get('DurationSeconds') ?? 3600) * 1000);
    sendXml(
      res,
      `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${creds.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${creds.sessionToken}</SessionToken><Expiration>${expiration.toISOString()}</Expiration>` +
        `</Credentials><AssumedRoleUser><AssumedRoleId>AROASTANDIN:${escapeXml(session)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${account.id}:assumed-role/${match[2]}/${escapeXml(session)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  private organizations(res: ServerResponse, operation: string, body: Record<string, unknown>): void {
    const view = (a: AccountRecord) => ({
      Id: a.id,
      Arn: `arn:aws:organizations::${this.defaultAccountId}:account/o-standin/${a.id}`,
      Name: a.name,
      Email: `aws+${a.id}@example.com`,
      Status: a.status,
      State: a.status === 'ACTIVE' ? 'ACTIVE' : 'SUSPENDED',
    });
    const ordered = [...this.accounts.values()].sort((a, b) => a.seq - b.seq);
    const parentOf = (id: unknown) => {
      if (id !== ROOT_ID && (typeof id !== 'string' || !this.ous.has(id))) {
        throw new OrgError('ParentNotFoundException', `parent ${String(id)} not found`);
      }
      return id as string;
    };
    try {
      switch (operation) {
        case 'ListAccounts':
          this.stats.listAccounts++;
          sendJson(res, 200, paginate(ordered.map(view), body, 'Accounts', 20));
          return;
        case 'ListAccountsForParent': {
          const parent = parentOf(body.ParentId);
          const items = ordered.filter((a) => a.parentId === parent).map(view);
          sendJson(res, 200, paginate(items, body, 'Accounts', 20));
          return;
        }
        case 'ListChildren': {
          const parent = parentOf(body.ParentId);
          const items =
            body.ChildType === 'ORGANIZATIONAL_UNIT'
              ? [...this.ous.values()]
                  .filter((o) => o.parentId === parent)
                  .map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }))
              : ordered.filter((a) => a.parentId === parent).map((a) => ({ Id: a.id, Type: 'ACCOUNT' }));
          sendJson(res, 200, paginate(items, body, 'Children', 20));
          return;
        }
        default:
          throw new OrgError('UnknownOperationException', operation);
      }
    } catch (error) {
      const e = error instanceof OrgError ? error : new OrgError('ServiceException', String(error));
      sendJson(res, 400, { __type: e.type, Message: e.message });
    }
  }

  private listRegions(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
    this.stats.listRegions++;
    const accountId = typeof body.AccountId === 'string' ? body.AccountId : this.callerAccount(req);
    const account = this.accounts.get(accountId);
    if (!account) {
      sendJson(
        res,
        403,
        { message: `account ${accountId} is not in the organization` },
        'AccessDeniedException',
      );
      return;
    }
    const wanted = Array.isArray(body.RegionOptStatusContains)
      ? (body.RegionOptStatusContains as string[])
      : null;
    const regions = Object.entries(account.regions)
      .filter(([, status]) => !wanted || wanted.includes(status))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([RegionName, RegionOptStatus]) => ({ RegionName, RegionOptStatus }));
    sendJson(res, 200, paginate(regions, body, 'Regions', 50));
  }

  private issue(accountId: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const seq = ++this.keySeq;
    const digest = createHash('sha256').update(`${accountId}|${seq}`).digest('hex').toUpperCase();
    const accessKeyId = `ASIA${digest.slice(0, 16)}`;
    this.issuedKeys.set(accessKeyId, accountId);
    const issued = {
      accessKeyId,
      secretAccessKey: `standin-${digest.slice(16, 40)}`,
      sessionToken: `token-${digest}`,
    };
    this.issuedSecretParts.push(issued.secretAccessKey, issued.sessionToken);
    return issued;
  }

  private must(accountId: string): AccountRecord {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`account ${accountId} is not in the stand-in's organization`);
    return account;
  }
}

class OrgError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function parseJson(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function paginate<T>(items: T[], body: Record<string, unknown>, field: string, max: number) {
  const size = typeof body.MaxResults === 'number' ? Math.min(body.MaxResults, max) : max;
  const start = typeof body.NextToken === 'string' ? Number(body.NextToken.replace(/^p/, '')) || 0 : 0;
  const page = items.slice(start, start + size);
  return {
    [field]: page,
    ...(start + size < items.length ? { NextToken: `p${start + size}` } : {}),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendXml(res: ServerResponse, xml: string, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
  res.end(xml);
}

function sendXmlError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    res,
    `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    status,
  );
}

function sendJson(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const text = JSON.stringify(payload);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  };
  const type = errorType ?? (payload as { __type?: unknown }).__type;
  if (typeof type === 'string') headers['x-amzn-ErrorType'] = type;
  res.writeHead(status, headers);
  res.end(text);
}
