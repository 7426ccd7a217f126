/**
 * The shapes of the rest of the surface in the account model: what a test seeds (MFA, threat
 * protection, identity providers, groups, resource servers, domains, hosted UI, web ACL, identity
 * pools) and the records `cognito-surface.ts` keeps.
 *
 * @module
 */

type Json = Record<string, unknown>;

// ---- Seeds ----------------------------------------------------------------------------------------

/** GetUserPoolMfaConfig fields (API casing); `MfaConfiguration` is also what DescribeUserPool reports. */
export interface SeedMfa {
  MfaConfiguration?: 'OFF' | 'ON' | 'OPTIONAL';
  SmsMfaConfiguration?: Json;
  SoftwareTokenMfaConfiguration?: { Enabled?: boolean };
  EmailMfaConfiguration?: { Message?: string; Subject?: string };
  WebAuthnConfiguration?: {
    RelyingPartyId?: string;
    UserVerification?: string;
    FactorConfiguration?: string;
  };
}

/** RiskConfigurationType fields (API casing). */
export interface SeedRiskConfiguration {
  CompromisedCredentialsRiskConfiguration?: Json;
  AccountTakeoverRiskConfiguration?: Json;
  RiskExceptionConfiguration?: { BlockedIPRangeList?: string[]; SkippedIPRangeList?: string[] };
  lastModifiedAt?: Date;
}

export type IdentityProviderKind =
  | 'SAML'
  | 'OIDC'
  | 'Google'
  | 'Facebook'
  | 'LoginWithAmazon'
  | 'SignInWithApple';

/** An identity provider of a user pool. `details` is ProviderDetails, secrets included. */
export interface SeedIdentityProvider {
  name: string;
  type: IdentityProviderKind;
  /** ProviderDetails; realistic ones (with a `client_secret` for OIDC and social) when omitted. */
  details?: Record<string, string>;
  attributeMapping?: Record<string, string>;
  idpIdentifiers?: string[];
  createdAt?: Date;
  lastModifiedAt?: Date;
}

export interface SeedGroup {
  name: string;
  description?: string;
  roleArn?: string;
  precedence?: number;
  createdAt?: Date;
  lastModifiedAt?: Date;
}

export interface SeedResourceServer {
  identifier: string;
  name: string;
  scopes?: { ScopeName: string; ScopeDescription: string }[];
}

/** A user pool domain: a prefix (`Domain`) or, with `certificateArn`, a custom domain (`CustomDomain`). */
export interface SeedDomain {
  domain: string;
  certificateArn?: string;
  cloudFrontDistribution?: string;
  managedLoginVersion?: number;
  status?: 'CREATING' | 'DELETING' | 'UPDATING' | 'ACTIVE' | 'FAILED';
}

/** Hosted-UI customization (pool-level or per client). */
export interface SeedUiCustomization {
  css?: string;
  imageUrl?: string;
  createdAt?: Date;
  lastModifiedAt?: Date;
}

/** The regional web ACL associated with a user pool. */
export interface SeedWebAcl {
  name: string;
  id?: string;
  description?: string;
  defaultAction?: 'Allow' | 'Block';
  rules?: Json[];
}

/** The per-pool part of a seed (the stand-in's SeedPool and the fake's addPool take these fields). */
export interface SurfaceSeed {
  mfa?: SeedMfa;
  riskConfiguration?: SeedRiskConfiguration;
  identityProviders?: SeedIdentityProvider[];
  groups?: SeedGroup[];
  resourceServers?: SeedResourceServer[];
  /** Prefix domain. */
  domain?: string | SeedDomain;
  /** Custom domain (needs a certificate ARN; one is made up when a string is given). */
  customDomain?: string | SeedDomain;
  /** LogConfigurations of GetLogDeliveryConfiguration (API casing). */
  logDelivery?: Json[];
  uiCustomization?: SeedUiCustomization;
  webAcl?: SeedWebAcl;
}

/** The per-client part of a seed. */
export interface ClientSurfaceSeed {
  riskConfiguration?: SeedRiskConfiguration;
  uiCustomization?: SeedUiCustomization;
}

/** An identity pool (cognito-identity). */
export interface SeedIdentityPool {
  /** `<region>:<uuid>`; generated when omitted. */
  id?: string;
  name: string;
  allowUnauthenticated?: boolean;
  allowClassicFlow?: boolean;
  supportedLoginProviders?: Record<string, string>;
  developerProviderName?: string;
  openIdConnectProviderArns?: string[];
  samlProviderArns?: string[];
  cognitoIdentityProviders?: { ProviderName: string; ClientId: string; ServerSideTokenCheck?: boolean }[];
  tags?: Record<string, string>;
  /** `authenticated` / `unauthenticated` → role ARN. */
  roles?: Record<string, string>;
  /** RoleMappings of GetIdentityPoolRoles (API casing). */
  roleMappings?: Record<string, Json>;
}

/** Changes to an identity pool; a field set to `undefined` removes it. */
export type IdentityPoolPatch = Partial<Omit<SeedIdentityPool, 'id'>>;

// ---- State ----------------------------------------------------------------------------------------

export interface Dated {
  createdAt: Date;
  lastModifiedAt: Date;
}
export interface RiskRecord {
  config: Json;
  lastModifiedAt: Date;
}
export interface IdpRecord extends Dated {
  seq: number;
  name: string;
  type: IdentityProviderKind;
  details: Record<string, string>;
  attributeMapping: Record<string, string>;
  idpIdentifiers: string[];
}
export interface GroupRecord extends Dated {
  seq: number;
  name: string;
  description?: string;
  roleArn?: string;
  precedence?: number;
}
export interface ResourceServerRecord {
  seq: number;
  identifier: string;
  name: string;
  scopes: { ScopeName: string; ScopeDescription: string }[];
}
export interface DomainRecord {
  domain: string;
  certificateArn?: string;
  cloudFrontDistribution: string;
  managedLoginVersion: number;
  status: string;
  version: string;
}
export interface UiRecord extends Dated {
  css?: string;
  imageUrl?: string;
}

/** Everything this model keeps about one user pool. */
export interface PoolSurface {
  mfa: SeedMfa;
  risk?: RiskRecord;
  clientRisk: Map<string, RiskRecord>;
  idps: Map<string, IdpRecord>;
  groups: Map<string, GroupRecord>;
  resourceServers: Map<string, ResourceServerRecord>;
  domain?: DomainRecord;
  customDomain?: DomainRecord;
  logDelivery?: Json[];
  ui?: UiRecord;
  clientUi: Map<string, UiRecord>;
  webAcl?: Json;
  seq: number;
}

export interface IdentityPoolRecord {
  seq: number;
  id: string;
  name: string;
  allowUnauthenticated: boolean;
  allowClassicFlow: boolean;
  supportedLoginProviders?: Record<string, string>;
  developerProviderName?: string;
  openIdConnectProviderArns?: string[];
  samlProviderArns?: string[];
  cognitoIdentityProviders?: { ProviderName: string; ClientId: string; ServerSideTokenCheck?: boolean }[];
  tags?: Record<string, string>;
  roles: Record<string, string>;
  roleMappings?: Record<string, Json>;
}

/** What the model needs to know about the owner's pools and clients. */
export interface PoolDirectory {
  /** The pool's MfaConfiguration, or undefined when there is no such pool. */
  mfaConfiguration(poolId: string): string | undefined;
  /** Whether the pool has this app client. */
  hasClient(poolId: string, clientId: string): boolean;
  /** Set DescribeUserPool's MfaConfiguration (kept in step with GetUserPoolMfaConfig). */
  setMfaConfiguration(poolId: string, value: string): void;
}

export interface SurfaceModelOptions {
  region: string;
  accountId: string;
  /** Key of the pagination tokens' MAC. */
  tokenKey: string;
  /** Clock for dates not given in seeds. */
  clock: () => Date;
  /** Deterministic PRNG in [0, 1). */
  rand: () => number;
  directory: PoolDirectory;
}
