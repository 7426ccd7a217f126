/**
 * The data that flows through the pure core: snapshots of what Cognito holds, the typed changes
 * between two snapshots, and the findings a person reads.
 *
 * Snapshots are keyed by id (not arrays) so that a diff names the client that changed, and they never
 * contain a client secret value: only each secret's id and creation date.
 */

/** A JSON value as stored in S3 / on disk. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One client secret, by id and creation date. The value is never read into a snapshot. */
export interface SecretSnapshot {
  /** ISO-8601 creation date, or null when Cognito did not report one. */
  createdAt: string | null;
}

/** An app client after normalization. */
export interface ClientSnapshot {
  clientId: string;
  clientName: string;
  /** DescribeUserPoolClient's UserPoolClient, normalized (volatile fields and ClientSecret removed). */
  config: JsonObject;
  /** Secrets by ClientSecretId. */
  secrets: Record<string, SecretSnapshot>;
}

/**
 * One resource of a surface (an identity provider, a group, the pool's MFA configuration, ...) after
 * normalization: volatile fields out, set-like lists sorted, secret values replaced by a digest.
 */
export interface ResourceSnapshot {
  /** How a person names it (the provider or group name; the client's name for per-client resources). */
  name: string;
  config: JsonObject;
}

/** A surface's resources by id (`pool` for the pool's own, a client id for a client's own). */
export type SurfaceSnapshot = Record<string, ResourceSnapshot>;

/**
 * A user pool and all its app clients after normalization; or an identity pool (its id has a colon,
 * `us-east-1:1111…`), whose `config` holds the identity pool's description and roles and which has
 * no clients.
 */
export interface PoolSnapshot {
  poolId: string;
  poolName: string;
  /** DescribeUserPool's UserPool, normalized. */
  config: JsonObject;
  /** App clients by ClientId. */
  clients: Record<string, ClientSnapshot>;
  /**
   * The other surfaces, by surface name. A surface that is absent was not watched when the document
   * was written (an older release, or turned off): it is never compared, and never reported as removed.
   */
  surfaces?: Record<string, SurfaceSnapshot>;
}

/** A token lifetime as the client sets it, with its unit; `isDefault` when the client leaves it unset. */
export interface TokenLifetime {
  value: number;
  unit: string;
  isDefault: boolean;
}

/**
 * The settings of an app client that decide how it can sign users in and what it can obtain: shown
 * under "App client created". Lists are sorted and de-duplicated; never holds a secret value.
 */
export interface ClientRiskSettings {
  /** ExplicitAuthFlows. */
  authFlows: string[];
  /** AllowedOAuthFlowsUserPoolClient: whether the OAuth flows below are in effect. */
  oauthEnabled: boolean;
  /** AllowedOAuthFlows and AllowedOAuthScopes. */
  oauthFlows: string[];
  oauthScopes: string[];
  /** Hosts of CallbackURLs and DefaultRedirectURI, and of LogoutURLs (`scheme://host` when not https). */
  callbackHosts: string[];
  logoutHosts: string[];
  tokens: { access: TokenLifetime; id: TokenLifetime; refresh: TokenLifetime };
  /** How many client secrets it holds (0: a public client). Only the count: never a value. */
  secrets: number;
}

/** How much a change matters to a security reviewer. */
export enum Severity {
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}

export const SEVERITY_ORDER: readonly Severity[] = [Severity.HIGH, Severity.MEDIUM, Severity.LOW];

/**
 * Where a change happened: the pool; the client when it is a client-level change; the surface and
 * resource when it is a change of an identity provider, group, MFA configuration, ...
 */
export interface ChangeScope {
  poolId: string;
  poolName: string;
  clientId?: string;
  clientName?: string;
  surface?: string;
  resourceId?: string;
  resourceName?: string;
}

/**
 * A change between an approved baseline and the current state, as a person reads it.
 * `path` is dotted from the pool or client config root (`Policies.PasswordPolicy.MinimumLength`).
 */
export type Change =
  | (ChangeScope & { kind: 'pool-added' })
  | (ChangeScope & { kind: 'pool-removed' })
  | (ChangeScope & {
      kind: 'client-added';
      clientId: string;
      clientName: string;
      /**
       * What a reviewer of a new client needs to see. Absent in findings stored by releases before it
       * existed (a run resumed across an upgrade).
       */
      settings?: ClientRiskSettings;
    })
  | (ChangeScope & { kind: 'client-removed'; clientId: string; clientName: string })
  | (ChangeScope & {
      kind: 'resource-added' | 'resource-removed';
      surface: string;
      resourceId: string;
      resourceName: string;
      /** The resource's settings, to show what was added or removed (secret values are digests). */
      config: JsonObject;
    })
  | (ChangeScope & { kind: 'field-changed'; path: string; before: Json | undefined; after: Json | undefined })
  | (ChangeScope & { kind: 'list-changed'; path: string; added: Json[]; removed: Json[] })
  /** A pool or client renamed into an ignore rule: its changes are still reported, and so is this. */
  | (ChangeScope & { kind: 'now-ignored'; ignoreRule: string; previousName: string })
  | (ChangeScope & {
      /** Not a difference from the baseline: the current secrets break the lifecycle policy. */
      kind: 'secret-lifecycle';
      clientId: string;
      clientName: string;
      problem: 'rotation-unfinished' | 'too-old';
      secretId: string;
      createdAt: string;
      /** How old the secret is, and the limit it passed, in days. */
      days: number;
      limitDays: number;
    })
  | (ChangeScope & {
      kind: 'secret-added' | 'secret-removed';
      clientId: string;
      clientName: string;
      secretId: string;
      createdAt: string | null;
    });

export type ChangeKind = Change['kind'];

/**
 * Whether a change came from a CloudFormation deployment, as CloudTrail (who made the call) and the
 * pool's `aws:cloudformation:stack-name` tag (which stack manages it) tell: see core/deployments.ts.
 * - `deployed`: CloudFormation made every call that could have made the change, in a pool of `stack`;
 * - `deployed-no-stack`: CloudFormation made them, but the pool names no stack;
 * - `outside-stack`: the pool is managed by `stack`, and someone else made (or could have made) it;
 * - `no-stack`: made by someone else, in a pool no stack manages.
 */
export type ChangeOrigin =
  | (DeploymentCall & { kind: 'deployed'; stack: string })
  | (DeploymentCall & { kind: 'deployed-no-stack' })
  | { kind: 'outside-stack'; stack: string }
  | { kind: 'no-stack' };

/** The CloudFormation call behind a deployed change (the latest, when it made several). */
export interface DeploymentCall {
  /** The CloudTrail event id. */
  eventId: string;
  eventName: string;
  /** ISO-8601. */
  eventTime: string;
  /** Who CloudFormation acted as: the deploying role's session, or the user who deployed. */
  principalArn: string;
}

/**
 * A change with the severity the rules gave it. `origin`: whether a deployment made it, once its
 * author is known (absent otherwise, and in documents of earlier releases).
 */
export type Finding = Change & { severity: Severity; rule: string; origin?: ChangeOrigin };
