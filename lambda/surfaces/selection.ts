import { surfaceNames } from '../core/catalog.js';
import { CATALOG } from './index.js';

/** Every surface that can be turned off, in the catalog's order (docs/surfaces.md's): pool surfaces, then identity pools. */
export const SURFACE_NAMES: readonly string[] = surfaceNames(CATALOG);

/** A surface selection names an unknown surface, or mixes a list with exclusions. */
export class SurfaceSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SurfaceSelectionError';
  }
}

/**
 * Parses a surface selection: `all` (the default), `none`, a list of surfaces to watch (`mfa,groups`),
 * or surfaces to leave out (`-waf,-uiCustomization`). Pools and app clients are always watched.
 * @throws SurfaceSelectionError naming the unknown surface and the closest valid one (the caller names the setting)
 */
export function parseSurfaces(spec: string | undefined): string[] {
  const text = (spec ?? '').trim();
  if (text === '' || text === 'all') return [...SURFACE_NAMES];
  if (text === 'none') return [];
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const removing = items.filter((item) => item.startsWith('-'));
  if (removing.length > 0 && removing.length !== items.length)
    throw new SurfaceSelectionError(
      `use either a list to watch (mfa,groups) or a list to leave out (-waf,-uiCustomization), not both: "${text}"`,
    );
  for (const item of items) {
    const name = item.replace(/^-/, '');
    if (!SURFACE_NAMES.includes(name))
      throw new SurfaceSelectionError(
        `unknown surface "${name}"${suggestion(name)}; known: ${SURFACE_NAMES.join(', ')}`,
      );
  }
  if (removing.length === 0) return SURFACE_NAMES.filter((name) => items.includes(name));
  const out = new Set(removing.map((item) => item.slice(1)));
  return SURFACE_NAMES.filter((name) => !out.has(name));
}

function suggestion(name: string): string {
  const lower = name.toLowerCase();
  const close = SURFACE_NAMES.find(
    (s) => s.toLowerCase() === lower || s.toLowerCase().startsWith(lower.slice(0, 3)),
  );
  return close ? ` (did you mean ${close}?)` : '';
}
