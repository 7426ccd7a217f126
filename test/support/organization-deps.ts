/**
 * The organization on the Cognito stand-in, as the organization tests use it: its accounts, the
 * function's settings, its dependencies wired as the handler wires them, and a describe block's
 * stand-in and documents folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountClient } from '@aws-sdk/client-account';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { FolderDocumentStore } from '../../lambda/adapters/folder-document-store.js';
import type { AlertMessage, DocumentStore } from '../../lambda/core/ports.js';
import { TargetCredentials } from '../../lambda/org/credentials.js';
import {
  type OrganizationDeps,
  type OrganizationSettings,
  pacedReader,
} from '../../lambda/org/organization-run.js';
import { parseAccountSelection, parseRegionSelection } from '../../lambda/org/target.js';
import { CognitoStandin } from './cognito-standin.js';
import { HOUR } from './detector-harness.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The organization's management account: where the organization function runs (in us-east-1). */
export const MANAGEMENT = '123456789012';
/** Member accounts with the member role. */
export const PROD = '111122223333';
export const DEV = '444455556666';
/** A member account without the member role: unreachable. */
export const NO_ROLE = '777788889999';
/** The member role every reachable member account has. */
const MEMBER_ROLE = 'CognitoDriftMemberRole';

/**
 * The organization function's settings for these account and region selections (as the stack's
 * settings spell them), deployed in {@link MANAGEMENT}'s us-east-1 with daily reminders; `scan`
 * overrides the options each target's scan shares.
 */
export function organizationSettings(
  accounts: string,
  regions: string,
  scan: Partial<OrganizationSettings['scan']> = {},
): OrganizationSettings {
  return {
    accounts: parseAccountSelection(accounts),
    regions: parseRegionSelection(regions),
    selfAccountId: MANAGEMENT,
    stackRegion: 'us-east-1',
    reminderIntervalMs: 24 * HOUR,
    approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
    scan: { reminderIntervalMs: 24 * HOUR, safetyMarginMs: 0, maxRunAgeMs: HOUR, ...scan },
  };
}

/**
 * Seeds the stand-in's organization: {@link PROD} and {@link DEV}, each with one pool (client `web`)
 * in us-east-1 and in eu-west-1, and {@link NO_ROLE}. Returns the pool ids by `<account>/<region>`.
 */
export function seedOrganization(standin: CognitoStandin): Record<string, string> {
  standin.organization.addAccount(PROD, { name: 'prod' });
  standin.organization.addAccount(DEV, { name: 'dev' });
  standin.organization.addAccount(NO_ROLE, { name: 'legacy', roleName: null });
  const pools: Record<string, string> = {};
  for (const account of [PROD, DEV]) {
    for (const region of ['us-east-1', 'eu-west-1']) {
      pools[`${account}/${region}`] = standin
        .target(account, region)
        .addPool({ name: `app-${account}-${region}`, clients: [{ name: 'web' }] });
    }
  }
  return pools;
}

/**
 * Drift in a target: the first client of `poolId` gets `url` as its only callback URL. Returns the
 * client's id.
 */
export function redirectFirstClient(target: CognitoStandin, poolId: string, url: string): string {
  const [clientId] = target.clientIds(poolId);
  if (!clientId) throw new Error(`pool ${poolId} has no client to redirect`);
  target.updateClient(poolId, clientId, { config: { CallbackURLs: [url] } });
  return clientId;
}

/** The member-role credentials of a fresh container (nothing cached), as the function makes them. */
export function memberCredentials(sts: STSClient, managementAccount = MANAGEMENT): TargetCredentials {
  return new TargetCredentials(sts, { roleName: MEMBER_ROLE }, managementAccount);
}

/**
 * What the organization entry points talk to, wired as `lambda/org-handler.ts` wires them, with real
 * SDK clients against the stand-in: STS AssumeRole, Organizations, Account Management and each
 * target's Cognito over the wire. Every client made is pushed to `clients`, for the caller to destroy.
 * The function runs in {@link MANAGEMENT} unless `managementAccount` says otherwise.
 */
export function standinOrganizationDeps(
  standin: CognitoStandin,
  options: {
    managementAccount?: string;
    documents: DocumentStore;
    /** Every message the aggregate step publishes. */
    publish: (message: AlertMessage) => void;
    now: () => Date;
    clients: { destroy(): void }[];
  },
): OrganizationDeps & { sts: STSClient } {
  const config = {
    endpoint: standin.endpoint,
    credentials: { accessKeyId: 'AKIAMANAGEMENT000001', secretAccessKey: 'x' },
    maxAttempts: 1,
  };
  const kept = <T extends { destroy(): void }>(client: T): T => {
    options.clients.push(client);
    return client;
  };
  const sts = kept(new STSClient({ ...config, region: 'us-east-1' }));
  return {
    sts,
    documents: options.documents,
    notifier: { publish: async (m) => options.publish(m) },
    credentials: memberCredentials(sts, options.managementAccount),
    organizations: kept(new OrganizationsClient({ ...config, region: 'us-east-1' })),
    accountClient: (credentials) =>
      kept(new AccountClient({ ...config, region: 'us-east-1', ...(credentials ? { credentials } : {}) })),
    reader: (target, credentials, readerOptions) =>
      pacedReader({
        ...readerOptions,
        client: kept(
          new CognitoIdentityProviderClient({
            ...config,
            region: target.region,
            ...(credentials ? { credentials } : {}),
          }),
        ),
        quotaShare: 1,
      }),
    logger: silent,
    now: options.now,
  };
}

/** A describe block's organization on the stand-in, from {@link useStandinOrganization}. */
export interface StandinOrganization {
  /** The stand-in, started and seeded before the block's first test. */
  readonly standin: CognitoStandin;
  /**
   * The function's dependencies ({@link standinOrganizationDeps}), its documents in the current
   * test's own empty folder; `publish` receives every message the aggregate step sends.
   */
  deps(options: {
    publish: (message: AlertMessage) => void;
    now: () => Date;
  }): OrganizationDeps & { sts: STSClient };
}

/**
 * Registers the hooks of a describe block that runs the organization on the stand-in: one stand-in
 * (no latency, quotas off) started and given to `seed` before the first test, an empty documents
 * folder for each test, and at the end every client the deps made destroyed and the stand-in stopped.
 */
export function useStandinOrganization(seed: (standin: CognitoStandin) => void): StandinOrganization {
  let standin: CognitoStandin | undefined;
  let folder: string | undefined;
  const clients: { destroy(): void }[] = [];
  const started = (): CognitoStandin => {
    if (!standin) throw new Error('the stand-in starts in beforeAll: use it inside a hook or a test');
    return standin;
  };
  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
    seed(standin);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await standin?.stop();
  });
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'organization-'));
  });
  afterEach(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });
  return {
    get standin() {
      return started();
    },
    deps: ({ publish, now }) => {
      if (!folder) throw new Error('the documents folder is made in beforeEach: wire the deps in a test');
      return standinOrganizationDeps(started(), {
        documents: new FolderDocumentStore(folder),
        publish,
        now,
        clients,
      });
    },
  };
}
