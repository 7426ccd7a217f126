/**
 * Settings of the drift detector as the CDK app and the construct take them. The props type is the
 * settings schema's input and resolving them is parsing them with it (`lambda/settings-schema.ts`:
 * names, types, ranges, defaults, the rules between settings); what is here is what only CDK needs:
 * the retention values CloudWatch Logs accepts, reading CDK context, and the error naming the context
 * key or the prop the way the user wrote it.
 *
 * Everything here is pure (no AWS, no process.env) so that `cdk synth` fails early with a message
 * naming the bad setting, and so the construct can validate its props with the same rules.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { z } from 'zod';
import type { AccountSelection, RegionSelection } from '../lambda/org/target.js';
import {
  CONTEXT_KEY_NAMES,
  contextKey,
  DEFAULTS,
  describeIssue,
  LOG_LEVELS,
  type LogLevel,
  type ResolvedSettings,
  SETTINGS,
  type SettingLabel,
  type SettingName,
  type SettingsInput,
  settingKind,
  settingMeta,
  settingsSchema,
  show,
  targetSelectionOf,
} from '../lambda/settings.js';

/** A detector setting (CDK context value or construct prop) is missing or invalid. */
export class DetectorConfigError extends Error {
  constructor(
    /** The setting as the user wrote it, e.g. `context "alertEmail"`. */
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DetectorConfigError';
  }
}

// Defined with the schema (the function shares them); exported from here for the package's CDK users.
export { MAX_SCHEDULE_PERIOD_MINUTES, type ParsedSchedule, parseSchedule } from '../lambda/schedule.js';
export { CONTEXT_KEY_NAMES, DEFAULTS, LOG_LEVELS, type LogLevel };

/**
 * Settings of {@link CognitoDriftDetector}: the settings schema's input (`lambda/settings-schema.ts`,
 * where each prop is documented with its `@default`). All but `alertEmails` are optional.
 */
export type CognitoDriftDetectorProps = Readonly<SettingsInput>;

/** Every detector setting with its default applied and its rules checked; what the construct builds from. */
export type DetectorSettings = Readonly<Omit<ResolvedSettings, 'logRetentionDays'>> & {
  readonly logRetentionDays: RetentionDays;
};

/**
 * Whether the settings ask for more than the deployment's own account and region: then the
 * schedule runs the organization state machine (`lib/organization-scan.ts`).
 */
export function isOrganizationMode(settings: Pick<DetectorSettings, 'accounts' | 'regions'>): boolean {
  const { accounts, regions } = targetSelection(settings);
  return accounts.kind !== 'self' || regions.kind !== 'stack';
}

/** The settings' account and region selections, as the function parses them from its environment. */
export function targetSelection(
  settings: Pick<DetectorSettings, 'accounts' | 'regions' | 'organizationalUnits'>,
): { accounts: AccountSelection; regions: RegionSelection } {
  return targetSelectionOf(settings);
}

/** The settings only an organization deployment uses: left out of the single-target function's environment. */
export const ORGANIZATION_SETTINGS = [
  'accounts',
  'regions',
  'organizationalUnits',
  'maxConcurrentTargets',
  'memberRoleName',
  'externalId',
] as const satisfies readonly SettingName[];

const contextLabel: SettingLabel = (setting) => `context "${contextKey(setting)}"`;
const propLabel: SettingLabel = (setting) => `CognitoDriftDetector prop "${setting}"`;

const ALLOWED_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

/** The settings schema with what only CDK knows: the retention values CloudWatch Logs accepts. */
function detectorSchema(label: SettingLabel) {
  return settingsSchema(label).transform((settings, ctx): DetectorSettings => {
    if (!ALLOWED_RETENTION_DAYS.includes(settings.logRetentionDays)) {
      ctx.addIssue({
        code: 'custom',
        path: ['logRetentionDays'],
        input: settings.logRetentionDays,
        message: `${show(settings.logRetentionDays)} is not a CloudWatch Logs retention; use one of ${ALLOWED_RETENTION_DAYS.join(', ')}`,
      });
    }
    return { ...settings, logRetentionDays: settings.logRetentionDays as RetentionDays };
  });
}

/** Parses settings with the schema; the first problem becomes an error naming the setting as `label` does. */
function parseSettings(input: Readonly<Record<string, unknown>>, label: SettingLabel): DetectorSettings {
  const result = detectorSchema(label).safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const name = issue.path[0] as SettingName;
  const value = input[name];
  const message =
    value === undefined && issue.code !== 'custom'
      ? `Missing ${label(name)}: ${settingMeta(name).help}`
      : `Invalid ${label(name)}: ${describeIssue(name, value, issue)}`;
  throw new DetectorConfigError(label(name), message, { cause: result.error });
}

/**
 * Applies defaults to construct props and validates them: parses them with the settings schema.
 * A prop that is not a setting (a typo in a JavaScript app) is refused with the nearest name.
 *
 * @throws DetectorConfigError naming the first invalid prop
 */
export function resolveDetectorSettings(props: CognitoDriftDetectorProps): DetectorSettings {
  if (props === null || typeof props !== 'object') {
    throw new DetectorConfigError(
      'CognitoDriftDetector props',
      'CognitoDriftDetector needs props: at least { alertEmails: [...] }',
    );
  }
  const known = Object.keys(SETTINGS);
  for (const key of Object.keys(props)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw new DetectorConfigError(
      `CognitoDriftDetector prop "${key}"`,
      `Unknown CognitoDriftDetector prop "${key}": ${near ? `did you mean ${near}?` : `the props are ${known.join(', ')}`}`,
    );
  }
  return parseSettings(props, propLabel);
}

// ---------------------------------------------------------------------------------------------
// CDK context
// ---------------------------------------------------------------------------------------------

/** Context keys CDK itself (or a CDK tool) uses: feature flags, lookups, acknowledgements. */
function isCdkOwnKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';
}

/** Edit distance, for "did you mean": a swapped pair of letters counts as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known name nearest to `key`, when it is near enough to be a typo of it. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const best = known
    .map((name) => ({ name, d: distance(lower, name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(2, Math.floor(best.name.length / 5)) ? best.name : undefined;
}

/**
 * Refuses a context key that is not one of ours but looks like one (another case, a typo): a
 * misspelled setting must stop synthesis, not be silently ignored. Keys CDK uses itself, and keys
 * unlike any of ours (the app's own), are left alone.
 * @throws DetectorConfigError `Unknown setting context "quotashare": did you mean quotaShare?`
 */
export function checkContextKeys(keys: Iterable<string>): void {
  const known = [...CONTEXT_KEY_NAMES, MEMBER_ROLE_TEMPLATE_KEY];
  for (const key of keys) {
    if (known.includes(key) || isCdkOwnKey(key)) continue;
    const near = nearest(key, known);
    if (near) {
      throw new DetectorConfigError(
        `context "${key}"`,
        `Unknown setting context "${key}": did you mean ${near}?`,
      );
    }
  }
}

/**
 * The app's own switch (not a detector setting): `-c memberRoleTemplate=true` synthesizes only the
 * member role stack, for a StackSet, instead of the detector. Off, the app has one stack, so a plain
 * `cdk deploy` needs no stack name.
 */
export const MEMBER_ROLE_TEMPLATE_KEY = 'memberRoleTemplate';

/**
 * Whether the app should synthesize the member role template, and with which role name (the
 * `memberRoleName` setting, validated as the detector validates it).
 * @returns undefined when `memberRoleTemplate` is unset or false
 * @throws DetectorConfigError naming the context key
 */
export function parseMemberRoleTemplate(ctx: ContextReader): { roleName: string } | undefined {
  const raw = ctx(MEMBER_ROLE_TEMPLATE_KEY);
  if (raw === undefined || raw === false || raw === 'false') return undefined;
  if (raw !== true && raw !== 'true') {
    throw new DetectorConfigError(
      `context "${MEMBER_ROLE_TEMPLATE_KEY}"`,
      `Invalid context "${MEMBER_ROLE_TEMPLATE_KEY}": ${show(raw)} must be true or false`,
    );
  }
  const roleName = contextString(ctx, 'memberRoleName') ?? DEFAULTS.memberRoleName;
  const checked = SETTINGS.memberRoleName.safeParse(roleName);
  if (!checked.success) {
    const issue = checked.error.issues[0] as z.core.$ZodIssue;
    throw new DetectorConfigError(
      contextLabel('memberRoleName'),
      `Invalid ${contextLabel('memberRoleName')}: ${describeIssue('memberRoleName', roleName, issue)}`,
    );
  }
  return { roleName };
}

/** A boolean from `-c key=true|false` (a string) or cdk.json (a boolean). */
function contextBoolean(ctx: ContextReader, setting: SettingName): boolean | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined || typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalid(setting, `${show(raw)} must be true or false`);
}

function invalid(setting: SettingName, detail: string): DetectorConfigError {
  const name = contextLabel(setting);
  return new DetectorConfigError(name, `Invalid ${name}: ${detail}`);
}

/** Reads one context value; `(key) => app.node.tryGetContext(key)` in the CDK app. */
export type ContextReader = (key: string) => unknown;

function contextString(ctx: ContextReader, setting: SettingName): string | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalid(setting, `${show(raw)} must be a string`);
  return raw.trim();
}

/** `-c key=value` gives strings; cdk.json can give numbers. Both are accepted. */
function contextNumber(ctx: ContextReader, setting: SettingName): number | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw.trim())) return Number(raw.trim());
  throw invalid(setting, `${show(raw)} is not a number`);
}

/** A list from `-c key=a,b` (a string) or cdk.json (a string or a list of strings). */
function contextList(ctx: ContextReader, setting: SettingName): string | string[] | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw.trim();
  if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw;
  throw invalid(setting, `${show(raw)} must be a comma-separated string or a list of strings`);
}

function contextEmails(ctx: ContextReader): string[] {
  const raw = ctx(contextKey('alertEmails'));
  if (raw === undefined || raw === '') {
    throw new DetectorConfigError(
      contextLabel('alertEmails'),
      'Missing context "alertEmail": pass -c alertEmail=you@example.com (comma-separate several addresses)',
    );
  }
  // A list is accepted too, for cdk.json.
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items || items.some((item) => typeof item !== 'string')) {
    throw invalid('alertEmails', `${show(raw)} must be a comma-separated string of email addresses`);
  }
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
}

function contextObject(ctx: ContextReader, setting: SettingName): Record<string, unknown> | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw invalid(setting, `${show(raw)} is not valid JSON (${(error as Error).message})`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(setting, `${show(raw)} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses and validates CDK context into detector settings, applying defaults.
 *
 * @param ctx reads one context key, e.g. `(key) => app.node.tryGetContext(key)`
 * @throws DetectorConfigError whose message names the context key, e.g.
 *   `Invalid context "alertEmail": "bob@" is not an email address`
 */
export function parseDetectorConfig(ctx: ContextReader): DetectorSettings {
  const input: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = contextValue(ctx, name);
    if (value !== undefined) input[name] = value;
  }
  return parseSettings(input, contextLabel);
}

/**
 * One setting from context, as the schema takes it: `-c key=value` gives strings, cdk.json gives
 * JSON values; both are accepted for every kind of setting.
 */
function contextValue(ctx: ContextReader, name: SettingName): unknown {
  switch (settingKind(name)) {
    case 'number':
      return contextNumber(ctx, name);
    case 'boolean':
      return contextBoolean(ctx, name);
    case 'enum':
      return contextString(ctx, name)?.toUpperCase();
    case 'object':
      return contextObject(ctx, name);
    case 'list':
      return contextList(ctx, name);
    case 'strings':
      return contextEmails(ctx);
    case 'string':
      return contextString(ctx, name);
  }
}
