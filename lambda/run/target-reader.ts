import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';
import { CognitoReader } from '../adapters/cognito-reader.js';
import type { DigestKey } from '../core/digest-key.js';

/** The clients a target is read with, all signing as that target in its region. */
export interface TargetClients {
  cognito: CognitoIdentityProviderClient;
  identity: CognitoIdentityClient;
  wafv2: WAFV2Client;
  /** What the pools point to: their Lambda triggers, IAM roles and KMS keys (each surface needs its client). */
  lambda?: LambdaClient;
  iam?: IAMClient;
  kms?: KMSClient;
}

/** What the reader watches and how much of the quotas it may use. */
export interface ReaderSettings {
  surfaces: string[];
  quotaShare: number;
  /** The key of the stored digests (`core/digest-key.ts`); needed when surfaces are read. */
  digestKey?: DigestKey;
  /** List account-level answers (web ACLs) once per run. @default true; false for a targeted check */
  accountReads?: boolean;
  /**
   * The targets of this target's account in the same organization run: they share each account-scoped
   * rate (IAM's). @default 1
   */
  accountTargets?: number;
}

/**
 * The reader of one target, built the same way by every entry point: a new one per run, with its
 * own pacer (Cognito's quotas are per account and region; a global service's, IAM's, per account, so
 * divided among `accountTargets`), on clients the caller may keep.
 */
export function targetReader(clients: TargetClients, settings: ReaderSettings): CognitoReader {
  return new CognitoReader({
    client: clients.cognito,
    identityClient: clients.identity,
    wafClient: clients.wafv2,
    ...(clients.lambda ? { lambdaClient: clients.lambda } : {}),
    ...(clients.iam ? { iamClient: clients.iam } : {}),
    ...(clients.kms ? { kmsClient: clients.kms } : {}),
    ...(settings.digestKey ? { digestKey: settings.digestKey } : {}),
    surfaces: settings.surfaces,
    quotaShare: settings.quotaShare,
    ...(settings.accountReads === undefined ? {} : { accountReads: settings.accountReads }),
    ...(settings.accountTargets === undefined ? {} : { accountTargets: settings.accountTargets }),
  });
}
