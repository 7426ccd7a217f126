import { AssumeRoleCommand, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The member role every watched account holds (see `lib/member-role.ts`). */
export interface MemberRoleSettings {
  /** The setting `memberRoleName` (`lambda/settings.ts`). */
  roleName: string;
  /** Passed as `ExternalId` when the member role requires one. */
  externalId?: string;
  /** @default 'aws' */
  partition?: string;
}

/** Refresh this long before the credentials expire, so a call never goes out with stale ones. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export function memberRoleArn(accountId: string, settings: MemberRoleSettings): string {
  return `arn:${settings.partition ?? 'aws'}:iam::${accountId}:role/${settings.roleName}`;
}

/** The role of an account cannot be assumed: the account is unreachable, nothing in it is compared. */
export class AssumeRoleError extends Error {
  constructor(
    readonly accountId: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot assume role in ${accountId} (${code})`, options);
    this.name = 'AssumeRoleError';
  }
}

/**
 * Temporary credentials of each watched account, from STS AssumeRole on its member role. One
 * AssumeRole per account for the credentials' lifetime (cached until 5 minutes before expiry),
 * however many regions and clients use them. The credentials themselves are never logged, put in an
 * error or returned anywhere but to the SDK clients that sign with them.
 */
export class TargetCredentials {
  private readonly cache = new Map<string, Promise<AwsCredentialIdentity>>();
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();

  constructor(
    private readonly sts: { send(command: AssumeRoleCommand): Promise<AssumeRoleCommandOutput> },
    private readonly settings: MemberRoleSettings,
    /** The account the function runs in: scanned with its own credentials, no AssumeRole. */
    readonly selfAccountId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** `undefined` for the function's own account (the default credential chain). */
  providerFor(accountId: string): AwsCredentialIdentityProvider | undefined {
    if (accountId === this.selfAccountId) return undefined;
    // One provider per account, so clients made with it can be kept and recognised.
    let provider = this.providers.get(accountId);
    if (!provider) {
      provider = () => this.get(accountId);
      this.providers.set(accountId, provider);
    }
    return provider;
  }

  /** Assumes the account's role now (or returns the cached credentials); throws AssumeRoleError. */
  async get(accountId: string): Promise<AwsCredentialIdentity> {
    const cached = this.cache.get(accountId);
    if (cached) {
      const creds = await cached.catch(() => undefined);
      if (
        creds &&
        (creds.expiration?.getTime() ?? Number.POSITIVE_INFINITY) - REFRESH_MARGIN_MS > this.now()
      ) {
        return creds;
      }
    }
    const pending = this.assume(accountId);
    this.cache.set(accountId, pending);
    pending.catch(() => this.cache.delete(accountId));
    return pending;
  }

  private async assume(accountId: string): Promise<AwsCredentialIdentity> {
    let out: AssumeRoleCommandOutput;
    try {
      out = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: memberRoleArn(accountId, this.settings),
          RoleSessionName: 'cognito-drift',
          ...(this.settings.externalId ? { ExternalId: this.settings.externalId } : {}),
        }),
      );
    } catch (error) {
      // Only the error's name leaves here: AWS's message names our role, never a secret, but keep it short.
      const code = (error as { name?: string } | null)?.name ?? 'Error';
      throw new AssumeRoleError(accountId, code, { cause: error });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new AssumeRoleError(accountId, 'NoCredentials');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  }
}
