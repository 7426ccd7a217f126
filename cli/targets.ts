import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CloudTrailReader } from '../lambda/adapters/cloudtrail-reader.js';
import type { CognitoReader } from '../lambda/adapters/cognito-reader.js';
import type { Attributor } from '../lambda/core/attribution.js';
import { escapeControl } from '../lambda/core/escape.js';
import { TargetCredentials } from '../lambda/org/credentials.js';
import { listTargets, type TargetListing } from '../lambda/org/list-targets.js';
import {
  type AccountSelection,
  type RegionSelection,
  type ScanTarget,
  targetName,
} from '../lambda/org/target.js';
import { targetReader } from '../lambda/run/target-reader.js';
import { envName, flagOf, readSetting, readTargetSettings, type TextSetting } from '../lambda/settings.js';
import type { CommandContext } from './context.js';
import type { Io } from './output.js';

/** The target flags of `check` and `diff`, as commander hands them over. */
export interface TargetOptions {
  accounts?: string;
  regions?: string;
  organizationalUnits?: string;
  roleName?: string;
  externalId?: string;
  maxConcurrentTargets?: string;
}

/** A setting from its flag, else from the function's variable in the shell, else its default; errors name the flag. */
export function fromFlag<K extends TextSetting>(name: K, flagValue: string | undefined, io: Io) {
  const flag = flagOf(name).split(' ')[0] as string;
  return readSetting(name, flagValue ?? io.env[envName(name)], flag);
}

/** Which targets a command scans, read from its flags (or their variables), checked before any call. */
export interface TargetSelection {
  accounts: AccountSelection;
  regions: RegionSelection;
  roleName: string;
  externalId?: string;
  maxConcurrentTargets: number;
  /** `self` and `stack`: one target, the caller's account in the configured region (the output of before targets). */
  single: boolean;
}

export function readTargetSelection(options: TargetOptions, io: Io): TargetSelection {
  const { accounts, regions } = readTargetSettings(
    {
      accounts: fromFlag('accounts', options.accounts, io),
      regions: fromFlag('regions', options.regions, io),
      organizationalUnits: fromFlag('organizationalUnits', options.organizationalUnits, io),
    },
    (name) => flagOf(name).split(' ')[0] as string,
  );
  const externalId = fromFlag('externalId', options.externalId, io);
  return {
    accounts,
    regions,
    roleName: fromFlag('memberRoleName', options.roleName, io),
    ...(externalId ? { externalId } : {}),
    maxConcurrentTargets: fromFlag('maxConcurrentTargets', options.maxConcurrentTargets, io),
    single: accounts.kind === 'self' && regions.kind === 'stack',
  };
}

/** Retries for Cognito reads when AWS_MAX_ATTEMPTS does not say otherwise (as `createAwsClients`). */
const COGNITO_MAX_ATTEMPTS = 8;

/**
 * The targets of a scan and how to read each: the caller's account is read with the caller's own
 * credentials; every other account through its member role (one AssumeRole per account, cached).
 */
export class TargetAccess {
  readonly credentials: TargetCredentials;
  private readonly digestKey: CommandContext['digestKey'];

  constructor(
    ctx: CommandContext,
    private readonly selection: TargetSelection,
    readonly selfAccountId: string,
    readonly stackRegion: string,
    private readonly io: Io,
  ) {
    this.digestKey = ctx.digestKey;
    this.credentials = new TargetCredentials(
      ctx.clients.sts,
      {
        roleName: selection.roleName,
        ...(selection.externalId ? { externalId: selection.externalId } : {}),
      },
      selfAccountId,
    );
  }

  /** The (account, region) targets, and the accounts that could not even be listed. */
  async list(): Promise<TargetListing> {
    const region = { region: this.stackRegion };
    return listTargets(
      { accounts: this.selection.accounts, regions: this.selection.regions },
      {
        ...(this.selection.accounts.kind === 'organization'
          ? { organizations: new OrganizationsClient(region) }
          : {}),
        accountClient: async (accountId) => {
          // Assume first, so a missing role is AssumeRoleError, not a failed ListRegions.
          const credentials = await this.assume(accountId);
          return new AccountClient({ ...region, ...(credentials ? { credentials } : {}) });
        },
        selfAccountId: this.selfAccountId,
        stackRegion: this.stackRegion,
      },
    );
  }

  /** The account's credentials (undefined: the caller's own); rejects with AssumeRoleError. */
  async assume(accountId: string): Promise<AwsCredentialIdentityProvider | undefined> {
    if (accountId !== this.selfAccountId) await this.credentials.get(accountId);
    return this.credentials.providerFor(accountId);
  }

  /** A reader of one target, signing with its credentials, with its own pacer. */
  async reader(target: ScanTarget, surfaces: string[], quotaShare: number): Promise<CognitoReader> {
    const credentials = await this.assume(target.accountId);
    const signed = {
      region: target.region,
      ...(this.io.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: COGNITO_MAX_ATTEMPTS }),
      ...(credentials ? { credentials } : {}),
    };
    return targetReader(
      {
        cognito: new CognitoIdentityProviderClient(signed),
        identity: new CognitoIdentityClient(signed),
        wafv2: new WAFV2Client(signed),
        lambda: new LambdaClient(signed),
        iam: new IAMClient(signed),
        kms: new KMSClient(signed),
      },
      // One key for every target: the store's digests are all keyed with it. Pools and clients hold
      // no digest: without surfaces, no key is needed (nor asked for).
      { surfaces, quotaShare, ...(surfaces.length > 0 ? { digestKey: await this.digestKey() } : {}) },
    );
  }

  /**
   * Who made a target's changes: its CloudTrail, as the deployed detector asks it. When CloudTrail
   * cannot be read (no permission, no network), each finding says "author unknown (why)".
   */
  async attributor(target: ScanTarget, quotaShare: number): Promise<Attributor> {
    const credentials = await this.assume(target.accountId);
    const client = new CloudTrailClient({ region: target.region, ...(credentials ? { credentials } : {}) });
    return new CloudTrailReader({ client, quotaShare, now: () => new Date() }).attribute;
  }
}

export type TargetStatus = 'waiting' | 'scanning' | 'done' | 'unreachable' | 'incomplete' | 'failed';

/**
 * One progress line per target on stderr, redrawn in place: `111122223333/eu-west-1  pools 3/20`,
 * then `done`, `incomplete` or `unreachable`. Only on a terminal (and not in CI); silent otherwise.
 */
export class TargetProgress {
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly io: Io,
    targets: readonly ScanTarget[],
  ) {
    this.enabled = Boolean(io.stderr.isTTY) && !io.env.CI;
    for (const target of targets) this.lines.set(targetName(target), 'waiting');
  }

  pools(target: ScanTarget, done: number, total: number): void {
    this.set(target, `pools ${done}/${total}`);
  }

  status(target: ScanTarget, status: TargetStatus): void {
    this.set(target, status);
  }

  private set(target: ScanTarget, text: string): void {
    const name = targetName(target);
    if (!this.enabled || this.lines.get(name) === text) return;
    this.lines.set(name, text);
    this.draw();
  }

  private draw(): void {
    const width = Math.max(...[...this.lines.keys()].map((k) => k.length));
    const up = this.drawn > 0 ? `\u001b[${this.drawn}A` : '';
    const body = [...this.lines].map(
      ([name, text]) => `\r\u001b[2K${escapeControl(name.padEnd(width))}  ${text}\n`,
    );
    this.io.stderr.write(`${up}${body.join('')}`);
    this.drawn = this.lines.size;
  }
}
