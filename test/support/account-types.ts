/**
 * The shapes of the account model: what a test seeds (pools, clients, secrets), how it changes them,
 * and the records the model keeps.
 *
 * @module
 */
import type { ClientSurfaceSeed, SurfaceSeed } from './cognito-surface.js';

type Json = Record<string, unknown>;

/** Metadata of one client secret (what ListUserPoolClientSecrets returns). */
export interface SecretSeed {
  /** ClientSecretId; default `<client-id>--<epoch ms>` (Cognito's format is `<client-id>--<epoch-create-time>`). */
  id?: string;
  /** ClientSecretCreateDate. */
  createdAt: Date;
}

/**
 * A user pool to add. The {@link SurfaceSeed} fields (`mfa`, `riskConfiguration`, `identityProviders`,
 * `groups`, `resourceServers`, `domain`, `customDomain`, `logDelivery`, `uiCustomization`, `webAcl`)
 * seed the rest of its surface; a `Domain` / `CustomDomain` in `config` is taken as `domain` /
 * `customDomain`.
 */
export interface SeedPool extends SurfaceSeed {
  /** Pool id; generated (`<region>_` + 9 alphanumerics) when omitted. */
  id?: string;
  /** Pool name. */
  name: string;
  /**
   * Any `UserPoolType` fields (API casing, e.g. `MfaConfiguration`, `LambdaConfig`, `Policies`),
   * shallow-merged over realistic defaults. `Id`, `Name`, `CreationDate` and `LastModifiedDate` are
   * controlled by the model and cannot be overridden here.
   */
  config?: Record<string, unknown>;
  /** App clients to create in the pool. */
  clients?: SeedClient[];
  /** CreationDate; defaults to the clock. */
  createdAt?: Date;
  /** LastModifiedDate; defaults to `createdAt`. */
  lastModifiedAt?: Date;
}

/** An app client to add; `riskConfiguration` / `uiCustomization` are the client's own. */
export interface SeedClient extends ClientSurfaceSeed {
  /** Client id; generated (26 lowercase alphanumerics) when omitted. */
  id?: string;
  /** ClientName. */
  name: string;
  /**
   * Secret VALUE returned as `ClientSecret` by DescribeUserPoolClient (confidential client). When set
   * without `secrets`, one secret descriptor is created (`<client-id>--<epoch ms>`).
   */
  secret?: string;
  /** Secret descriptors for ListUserPoolClientSecrets (max 2). A value is generated if `secret` is absent. */
  secrets?: SecretSeed[];
  /**
   * Any `UserPoolClientType` fields (API casing, e.g. `CallbackURLs`, `ExplicitAuthFlows`), shallow-merged
   * over realistic public-client defaults. `UserPoolId`, `ClientId`, `ClientName`, `ClientSecret` and dates
   * are controlled by the model.
   */
  config?: Record<string, unknown>;
  /** CreationDate; defaults to the clock. */
  createdAt?: Date;
  /** LastModifiedDate; defaults to `createdAt`. */
  lastModifiedAt?: Date;
}

/** Changes for {@link AccountModel.updatePool}. Bumps LastModifiedDate. */
export interface PoolPatch {
  /** New pool name. */
  name?: string;
  /** Shallow-merged into the pool's config; a key set to `undefined` removes that field from responses. */
  config?: Record<string, unknown>;
  /** LastModifiedDate to set; defaults to the clock. */
  lastModifiedAt?: Date;
}

/** Changes for {@link AccountModel.updateClient}. Bumps LastModifiedDate. */
export interface ClientPatch {
  /** New ClientName. */
  name?: string;
  /** New secret value; `null` turns the client into a public client (removes the value and all descriptors). */
  secret?: string | null;
  /** Replaces the secret descriptors (max 2). */
  secrets?: SecretSeed[];
  /** Shallow-merged into the client's config; a key set to `undefined` removes that field from responses. */
  config?: Record<string, unknown>;
  /** LastModifiedDate to set; defaults to the clock. */
  lastModifiedAt?: Date;
}

/** A user pool as the model keeps it. */
export interface PoolRecord {
  id: string;
  name: string;
  seq: number;
  createdAt: Date;
  lastModifiedAt: Date;
  config: Json;
  clients: Map<string, ClientRecord>;
  clientSeq: number;
}

/** An app client as the model keeps it: the secret VALUE and the descriptors ListUserPoolClientSecrets lists. */
export interface ClientRecord {
  id: string;
  name: string;
  seq: number;
  createdAt: Date;
  lastModifiedAt: Date;
  secret: string | undefined;
  secrets: { id: string; createdAt: Date }[];
  config: Json;
  poolId: string;
}
