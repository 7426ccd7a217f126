import type { SeverityRule } from '../core/severity.js';
import { domainsSurface } from './domains.js';
import { groupsSurface } from './groups.js';
import { identityProvidersSurface } from './identity-providers.js';
import { logDeliverySurface } from './log-delivery.js';
import { mfaSurface } from './mfa.js';
import { resourceServersSurface } from './resource-servers.js';
import { riskConfigurationSurface } from './risk-configuration.js';
import type { Surface } from './surface.js';
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
];

/** The surface named `name`, if there is one. */
export function surfaceNamed(name: string): Surface | undefined {
  return POOL_SURFACES.find((s) => s.name === name);
}

/** The severity rules every surface declares, for `classify`. */
export const SURFACE_RULES: readonly SeverityRule[] = POOL_SURFACES.flatMap((s) => s.rules);
