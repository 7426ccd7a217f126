import type { TargetScope } from '../core/documents.js';

/** One (account, region) a deployment scans. */
export type ScanTarget = TargetScope;

/** Which accounts a deployment watches (`-c accounts=`, `TARGET_ACCOUNTS`). */
export type AccountSelection =
  | { kind: 'self' }
  | { kind: 'list'; accountIds: string[] }
  | { kind: 'organization'; organizationalUnits: string[] };

/** Which regions (`-c regions=`, `TARGET_REGIONS`). `all-enabled` is read at run time, per account. */
export type RegionSelection =
  | { kind: 'stack' }
  | { kind: 'list'; regions: string[] }
  | { kind: 'all-enabled' };

/** A target that could not be scanned, and why: one line of a "scan incomplete" notice. */
export interface UnreachableTarget {
  accountId: string;
  /** Absent when the whole account is unreachable. */
  region?: string;
  reason: string;
}

export class TargetSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetSelectionError';
  }
}

const ACCOUNT_RE = /^\d{12}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const OU_RE = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

function items(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function unique(values: string[], what: string): string[] {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new TargetSelectionError(`${what} ${v} is listed twice`);
    seen.add(v);
  }
  return values;
}

/**
 * `self` (default), `organization`, or a comma-separated list of 12-digit account ids.
 * `organizationalUnits` (comma-separated `ou-...` ids) narrows `organization` to those OUs.
 */
export function parseAccountSelection(
  value: string | undefined,
  organizationalUnits?: string,
): AccountSelection {
  const ous = unique(items(organizationalUnits ?? ''), 'organizational unit');
  for (const ou of ous) {
    if (!OU_RE.test(ou))
      throw new TargetSelectionError(`"${ou}" is not an organizational unit id (ou-xxxx-xxxxxxxx)`);
  }
  const text = (value ?? '').trim();
  if (ous.length > 0 && text !== 'organization') {
    throw new TargetSelectionError('organizationalUnits needs accounts=organization');
  }
  if (text === '' || text === 'self') return { kind: 'self' };
  if (text === 'organization') return { kind: 'organization', organizationalUnits: ous };
  const accountIds = unique(items(text), 'account');
  for (const id of accountIds) {
    if (!ACCOUNT_RE.test(id)) {
      throw new TargetSelectionError(`"${id}" is not an account id (12 digits), "self" or "organization"`);
    }
  }
  if (accountIds.length === 0) throw new TargetSelectionError('no account listed');
  return { kind: 'list', accountIds };
}

/** The stack's region (default, or `stack`), `all-enabled`, or a comma-separated list of regions. */
export function parseRegionSelection(value: string | undefined): RegionSelection {
  const text = (value ?? '').trim();
  if (text === '' || text === 'stack') return { kind: 'stack' };
  if (text === 'all-enabled') return { kind: 'all-enabled' };
  const regions = unique(items(text), 'region');
  for (const r of regions) {
    if (!REGION_RE.test(r)) throw new TargetSelectionError(`"${r}" is not a region name (like eu-west-1)`);
  }
  return { kind: 'list', regions };
}

/** The environment value of a selection (the inverse of the parsers). */
export function formatAccountSelection(selection: AccountSelection): string {
  if (selection.kind === 'self') return 'self';
  if (selection.kind === 'organization') return 'organization';
  return selection.accountIds.join(',');
}

export function formatRegionSelection(selection: RegionSelection): string {
  if (selection.kind === 'stack') return 'stack';
  if (selection.kind === 'all-enabled') return 'all-enabled';
  return selection.regions.join(',');
}

/** `111122223333/eu-west-1`: how a target is named in logs, messages and folder names. */
export function targetName(target: ScanTarget): string {
  return `${target.accountId}/${target.region}`;
}

/** Account, then region: the order of every listing and message. */
export function compareTargets(
  a: { accountId: string; region?: string },
  b: { accountId: string; region?: string },
) {
  return a.accountId.localeCompare(b.accountId) || (a.region ?? '').localeCompare(b.region ?? '');
}

/**
 * The line an unreachable target contributes to a "scan incomplete" notice. A reason that does not
 * name the account (a failed or too long scan, reported by the state machine) is given the target.
 */
export function unreachableLine(u: UnreachableTarget): string {
  if (u.reason.includes(u.accountId)) return `scan incomplete: ${u.reason}`;
  return `scan incomplete: ${u.region ? targetName({ accountId: u.accountId, region: u.region }) : u.accountId}: ${u.reason}`;
}
