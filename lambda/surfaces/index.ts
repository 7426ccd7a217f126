import type { SurfaceCatalog } from '../core/catalog.js';
import { domainsSurface } from './domains.js';
import { groupsSurface } from './groups.js';
import { iamRolesSurface } from './iam-roles.js';
import { identityPoolsEntry } from './identity-pools.js';
import { identityProvidersSurface } from './identity-providers.js';
import { kmsKeysSurface } from './kms-keys.js';
import { lambdaTriggersSurface } from './lambda-triggers.js';
import { logDeliverySurface } from './log-delivery.js';
import { managedLoginBrandingSurface } from './managed-login-branding.js';
import { mfaSurface } from './mfa.js';
import { resourceServersSurface } from './resource-servers.js';
import { riskConfigurationSurface } from './risk-configuration.js';
import type { Surface } from './surface.js';
import { termsSurface } from './terms.js';
import { uiCustomizationSurface } from './ui-customization.js';
import { webAclSurface } from './web-acl.js';

/** Every surface of a user pool beyond its settings and app clients, in the order alerts list them. */
export const POOL_SURFACES: readonly Surface[] = [
  identityProvidersSurface,
  groupsSurface,
  mfaSurface,
  riskConfigurationSurface,
  webAclSurface,
  domainsSurface,
  logDeliverySurface,
  resourceServersSurface,
  uiCustomizationSurface,
  managedLoginBrandingSurface,
  termsSurface,
  lambdaTriggersSurface,
  iamRolesSurface,
  kmsKeysSurface,
];

/**
 * THE catalog: every resource kind beyond user pools and app clients. The core receives it as an
 * argument; the IAM statements, the quota table, the reader's commands, the write-event table, the
 * EventBridge patterns and the test fakes are derived from it.
 */
export const CATALOG: SurfaceCatalog = { entries: [...POOL_SURFACES, identityPoolsEntry] };
