/**
 * How a test arranges the rest of an account's surface (MFA, threat protection, identity providers,
 * groups, resource servers, domains, log export, hosted UI, web ACL, identity pools): written once for
 * both faces of the {@link AccountModel}, the HTTP stand-in and the in-memory account.
 *
 * @module
 */
import type { AccountModel } from './account-model.js';
import type {
  IdentityPoolPatch,
  SeedDomain,
  SeedGroup,
  SeedIdentityPool,
  SeedIdentityProvider,
  SeedMfa,
  SeedResourceServer,
  SeedRiskConfiguration,
  SeedUiCustomization,
  SeedWebAcl,
  SurfaceModel,
} from './cognito-surface.js';

/** The arranging methods both faces share; each face provides its {@link AccountModel}. */
export abstract class AccountFace {
  /** The account this face serves. */
  abstract readonly account: AccountModel;

  /** The rest of the surface, inside the account model. */
  protected get model(): SurfaceModel {
    return this.account.surface;
  }

  /** SetUserPoolMfaConfig (merges; `MfaConfiguration` also changes DescribeUserPool). */
  setMfa(poolId: string, mfa: SeedMfa): void {
    this.account.mustPool(poolId);
    this.model.setMfa(poolId, mfa);
  }

  /** SetRiskConfiguration for the pool or one client; `null` removes it. */
  setRiskConfiguration(poolId: string, risk: SeedRiskConfiguration | null, clientId?: string): void {
    if (clientId !== undefined) this.account.mustClient(poolId, clientId);
    this.model.setRiskConfiguration(poolId, risk, clientId);
  }

  addIdentityProvider(poolId: string, idp: SeedIdentityProvider): void {
    this.model.addIdentityProvider(poolId, idp);
  }

  /** UpdateIdentityProvider: `details` / `attributeMapping` merged key by key (`undefined` removes a key). */
  updateIdentityProvider(
    poolId: string,
    name: string,
    patch: Parameters<SurfaceModel['updateIdentityProvider']>[2],
  ): void {
    this.model.updateIdentityProvider(poolId, name, patch);
  }

  removeIdentityProvider(poolId: string, name: string): void {
    this.model.removeIdentityProvider(poolId, name);
  }

  addGroup(poolId: string, group: SeedGroup): void {
    this.model.addGroup(poolId, group);
  }

  /** UpdateGroup: a field set to `null` is removed. */
  updateGroup(poolId: string, name: string, patch: Parameters<SurfaceModel['updateGroup']>[2]): void {
    this.model.updateGroup(poolId, name, patch);
  }

  removeGroup(poolId: string, name: string): void {
    this.model.removeGroup(poolId, name);
  }

  addResourceServer(poolId: string, rs: SeedResourceServer): void {
    this.model.addResourceServer(poolId, rs);
  }

  updateResourceServer(
    poolId: string,
    identifier: string,
    patch: Parameters<SurfaceModel['updateResourceServer']>[2],
  ): void {
    this.model.updateResourceServer(poolId, identifier, patch);
  }

  removeResourceServer(poolId: string, identifier: string): void {
    this.model.removeResourceServer(poolId, identifier);
  }

  /** The prefix domain (`null` deletes it); DescribeUserPool reports it as `Domain`. */
  setDomain(poolId: string, domain: string | SeedDomain | null): void {
    this.model.setDomain(poolId, domain);
  }

  /** The custom domain (`null` deletes it); DescribeUserPool reports it as `CustomDomain`. */
  setCustomDomain(poolId: string, domain: string | SeedDomain | null): void {
    this.model.setCustomDomain(poolId, domain);
  }

  /** SetLogDeliveryConfiguration's LogConfigurations (`null` removes them). */
  setLogDelivery(poolId: string, logConfigurations: Record<string, unknown>[] | null): void {
    this.model.setLogDelivery(poolId, logConfigurations);
  }

  /** SetUICustomization for the pool or one client (`null` removes it). */
  setUiCustomization(poolId: string, ui: SeedUiCustomization | null, clientId?: string): void {
    if (clientId !== undefined) this.account.mustClient(poolId, clientId);
    this.model.setUiCustomization(poolId, ui, clientId);
  }

  /** Associate a web ACL with the pool (`null` disassociates it). */
  setWebAcl(poolId: string, acl: SeedWebAcl | null): void {
    this.model.setWebAcl(poolId, acl);
  }

  /** Adds an identity pool; returns its id (`<region>:<uuid>`). */
  addIdentityPool(p: SeedIdentityPool): string {
    return this.model.addIdentityPool(p);
  }

  /** UpdateIdentityPool (a field set to `undefined` removes it). */
  updateIdentityPool(id: string, patch: IdentityPoolPatch): void {
    this.model.updateIdentityPool(id, patch);
  }

  /** SetIdentityPoolRoles. */
  setIdentityPoolRoles(
    id: string,
    roles: Record<string, string>,
    roleMappings?: Record<string, Record<string, unknown>>,
  ): void {
    this.model.setIdentityPoolRoles(id, roles, roleMappings);
  }

  removeIdentityPool(id: string): void {
    this.model.removeIdentityPool(id);
  }

  identityPoolIds(): string[] {
    return this.model.identityPoolIds();
  }
}
