/**
 * The rules a setting's value must follow beyond its type and range (email addresses, ignore rules,
 * the schedule's period, surface names, the account, region and OU selection), each failure a
 * {@link SettingRuleError} naming the setting. Pure, like the schema that applies them.
 */
import { ignoreRulesSchema } from './core/ignore.js';
import {
  type AccountSelection,
  parseAccountSelection,
  parseRegionSelection,
  type RegionSelection,
  TargetSelectionError,
} from './org/target.js';
import { MAX_SCHEDULE_PERIOD_MINUTES, parseSchedule } from './schedule.js';
import type { SettingLabel, SettingName } from './settings-table.js';
import { parseSurfaces, SurfaceSelectionError } from './surfaces/selection.js';

/** Lambda allows 4 KB for all environment variables together; leave room for the others. */
export const MAX_IGNORE_RULES_CHARS = 3000;

/** Quotes a user value for a message without dumping large objects. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

// Deliberately loose: SNS does the real check when it sends the confirmation mail. This only
// catches typos such as a missing domain or a stray separator.
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

/** A setting that breaks a rule, named by its setting; the caller's label names it for the user. */
export class SettingRuleError extends Error {
  constructor(
    readonly setting: SettingName,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'SettingRuleError';
  }
}

/** The account, region and OU settings as the target parsers read them. */
export interface TargetSettings {
  accounts?: string | readonly string[];
  regions?: string | readonly string[];
  organizationalUnits?: string | readonly string[];
}

/** A list setting as the target parsers read it: a comma-separated string. */
function listText(setting: SettingName, value: string | readonly string[]): string {
  if (typeof value === 'string') return value;
  if (value.length === 0) throw new SettingRuleError(setting, 'is an empty list');
  return value.join(',');
}

/**
 * The accounts and regions to scan, with the OU filter: the one reading of these three settings,
 * for the construct, the organization function and the CLI.
 * @throws SettingRuleError naming the setting at fault (an OU filter without `accounts=organization`
 *   names organizationalUnits, with `label` naming accounts)
 */
export function targetSelectionOf(
  values: TargetSettings,
  label: SettingLabel = (name) => name,
): { accounts: AccountSelection; regions: RegionSelection } {
  const parse = <T>(name: SettingName, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof TargetSelectionError) throw new SettingRuleError(name, error.message);
      throw error;
    }
  };
  const ousText =
    values.organizationalUnits === undefined
      ? undefined
      : listText('organizationalUnits', values.organizationalUnits);
  // The OU ids on their own first, so their errors name organizationalUnits.
  const ous = parse('organizationalUnits', () => parseAccountSelection('organization', ousText));
  const accounts = parse('accounts', () =>
    parseAccountSelection(listText('accounts', values.accounts ?? 'self')),
  );
  if (ous.kind === 'organization' && ous.organizationalUnits.length > 0 && accounts.kind !== 'organization') {
    throw new SettingRuleError(
      'organizationalUnits',
      `${show(ousText)} filters the accounts of an organization: it needs ${label('accounts')} = "organization"`,
    );
  }
  const regions = parse('regions', () =>
    parseRegionSelection(listText('regions', values.regions ?? 'stack')),
  );
  return {
    accounts: ous.kind === 'organization' && accounts.kind === 'organization' ? ous : accounts,
    regions,
  };
}

/** The schedule's period, from `schedulePeriodMinutes` or derived from the expression. */
export function schedulePeriod(expression: string, override: number | undefined): number {
  const parsed = parseSchedule(expression);
  if (typeof parsed === 'string') throw new SettingRuleError('schedule', `${show(expression)}: ${parsed}`);
  if (override !== undefined) {
    if (parsed.periodMinutes !== undefined && override < parsed.periodMinutes) {
      throw new SettingRuleError(
        'schedulePeriodMinutes',
        `${override} is shorter than the ${parsed.periodMinutes} minutes between runs of ${show(expression)}; ` +
          'the missed-run alarm would fire between runs',
      );
    }
    return override;
  }
  if (parsed.periodMinutes === undefined) {
    throw new SettingRuleError(
      'schedulePeriodMinutes',
      `is required with ${show(expression)}: give the longest gap between two runs in minutes ` +
        '(the period is derived only for rate(...) and for cron(...) that fires every day)',
    );
  }
  if (parsed.periodMinutes > MAX_SCHEDULE_PERIOD_MINUTES) {
    throw new SettingRuleError(
      'schedule',
      `${show(expression)} leaves ${parsed.periodMinutes} minutes between runs; the missed-run alarm watches two ` +
        `periods and CloudWatch evaluates at most 7 days, so runs must be at most ${MAX_SCHEDULE_PERIOD_MINUTES} ` +
        'minutes (3.5 days) apart',
    );
  }
  return parsed.periodMinutes;
}

/** At least one address, each plausible, none twice (case-insensitively). */
export function checkEmails(emails: readonly string[]): void {
  if (emails.length === 0) {
    throw new SettingRuleError(
      'alertEmails',
      'at least one email address is required to receive drift alerts',
    );
  }
  const seen = new Set<string>();
  for (const email of emails) {
    if (!EMAIL.test(email))
      throw new SettingRuleError('alertEmails', `${show(email)} is not an email address`);
    const key = email.toLowerCase();
    if (seen.has(key)) throw new SettingRuleError('alertEmails', `${show(email)} is listed twice`);
    seen.add(key);
  }
}

/** The ignore rules in the shape the function reads, small enough for the function's environment. */
export function checkIgnoreRules(rules: Readonly<Record<string, unknown>>): void {
  // The same schema the function applies at run time, so a wrong shape fails at synth, not hourly.
  const parsed = ignoreRulesSchema.safeParse(rules);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingRuleError('ignoreRules', `${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const chars = JSON.stringify(rules).length;
  if (chars > MAX_IGNORE_RULES_CHARS) {
    throw new SettingRuleError(
      'ignoreRules',
      `is ${chars} characters as JSON; Lambda allows 4 KB for all environment variables, so keep it under ` +
        `${MAX_IGNORE_RULES_CHARS}`,
    );
  }
}

/** The surfaces setting as catalog names. */
export function surfaceNames(spec: string | readonly string[]): string[] {
  try {
    if (typeof spec !== 'string' && spec.length === 0) return [];
    return parseSurfaces(typeof spec === 'string' ? spec : spec.join(','));
  } catch (error) {
    if (error instanceof SurfaceSelectionError) throw new SettingRuleError('surfaces', error.message);
    throw error;
  }
}
