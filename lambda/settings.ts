/**
 * Every detector setting, described once: its name, type, range, default and help, as one zod schema.
 * Each layer reads it from here, and nowhere else:
 * - CDK context and construct props (`lib/config.ts`): names, defaults, ranges, the "did you mean" list;
 * - the Lambda environment (`lambda/config.ts`): which variable carries a setting, how it is parsed;
 * - the CLI (`bin/cli.ts`, `cli/check.ts`): flag names, their help and defaults.
 *
 * Pure (no CDK, no AWS, no process.env), so the function bundle can carry it.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { MAX_SCHEDULE_PERIOD_MINUTES, parseSchedule } from './schedule.js';
import { parseSurfaces } from './surfaces/selection.js';

/** Log levels understood by Powertools for AWS Lambda (TypeScript). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where a setting is read besides the construct prop of its name, and how it is explained. */
export interface SettingMeta {
  /** One line for a person: the CLI flag's help, the table in docs/configuration.md. */
  help: string;
  /** The CDK context key, when it differs from the prop name. */
  context?: string;
  /** The function's environment variable (the construct sets it; the CLI falls back to it). */
  env?: string;
  /** The `check` / `diff` flag, with its value placeholder. */
  flag?: string;
  /** What a number counts, for messages ("a whole number of hours >= 1"). */
  unit?: string;
}

const setting = <T extends z.ZodType>(schema: T, meta: SettingMeta): T => schema.meta({ ...meta });
const whole = () => z.number().int();

/** The settings, by construct prop name. Ranges and defaults here are the only ones. */
export const SETTINGS = {
  alertEmails: setting(z.array(z.string()), {
    help: 'addresses that receive drift alerts and alarm notifications',
    context: 'alertEmail',
  }),
  schedule: setting(z.string().default('rate(1 hour)'), {
    help: 'EventBridge schedule expression that starts a run: rate(...) or a 6-field cron(...) in UTC',
  }),
  schedulePeriodMinutes: setting(whole().min(1).max(MAX_SCHEDULE_PERIOD_MINUTES).optional(), {
    help: 'the longest gap between two runs, in minutes (derived from schedule when it can be)',
    env: 'SCHEDULE_PERIOD_MINUTES',
  }),
  quotaShare: setting(z.number().gt(0).lte(1).default(0.5), {
    help: 'share of the Cognito read quotas to use',
    env: 'QUOTA_SHARE',
    flag: '--quota-share <share>',
    unit: 'a share of the quota',
  }),
  reminderIntervalHours: setting(whole().min(1).default(24), {
    help: 'resend unchanged, unapproved drift after this many hours',
    env: 'REMINDER_INTERVAL_HOURS',
    flag: '--reminder-hours <hours>',
    unit: 'hours',
  }),
  lambdaMemoryMb: setting(whole().min(128).max(10240).default(512), {
    help: 'memory of the scanning function, in MB',
  }),
  lambdaTimeoutSeconds: setting(whole().min(1).max(900).default(900), {
    help: 'timeout of one invocation, in seconds',
  }),
  logRetentionDays: setting(whole().min(1).default(90), {
    help: 'retention of the log groups, in days (a value CloudWatch Logs accepts)',
  }),
  logLevel: setting(z.enum(LOG_LEVELS).default('INFO'), {
    help: 'Powertools log level of the function',
    env: 'LOG_LEVEL',
  }),
  ignoreRules: setting(z.record(z.string(), z.unknown()).optional(), {
    help: 'drift not to report, as a JSON object of ignore rules',
    env: 'IGNORE_RULES',
  }),
  noncurrentVersionExpirationDays: setting(whole().min(1).default(365), {
    help: 'days a superseded baseline version is kept',
    unit: 'days',
  }),
  reportExpirationDays: setting(whole().min(1).default(90), {
    help: 'days a full JSON report under reports/ is kept',
    unit: 'days',
  }),
  maxInvocationsPerRun: setting(whole().min(1).max(1000).default(50), {
    help: 'most Lambda invocations one run may use',
  }),
  surfaces: setting(z.union([z.string(), z.array(z.string())]).default('all'), {
    help: 'surfaces to watch besides pools and clients: all, a list (mfa,groups) or exclusions (-waf)',
    env: 'SURFACES',
    flag: '--surfaces <list>',
  }),
  rotationWindowDays: setting(whole().min(1).default(7), {
    help: 'days a client may hold two secrets before "rotation not finished" is reported',
    env: 'ROTATION_WINDOW_DAYS',
    unit: 'days',
  }),
  maxSecretAgeDays: setting(whole().min(1).optional(), {
    help: 'report client secrets older than this many days (no limit when unset)',
    env: 'MAX_SECRET_AGE_DAYS',
    unit: 'days',
  }),
  realtime: setting(z.boolean().default(true), {
    help: 'start a targeted check on Cognito write events (EventBridge and CloudTrail)',
    env: 'REALTIME_ENABLED',
  }),
  realtimeDebounceSeconds: setting(whole().min(0).max(600).default(60), {
    help: 'seconds a burst of events is gathered into one check',
    env: 'REALTIME_DEBOUNCE_SECONDS',
  }),
  chatTopic: setting(z.boolean().default(false), {
    help: 'also publish each alert to a second topic as a chat notification',
  }),
  accounts: setting(z.union([z.string(), z.array(z.string())]).default('self'), {
    help: 'accounts to scan: self, organization (every active account) or a list of account ids',
    env: 'TARGET_ACCOUNTS',
    flag: '--accounts <list>',
  }),
  regions: setting(z.union([z.string(), z.array(z.string())]).default('stack'), {
    help: "regions to scan: stack (the deployment's own), all-enabled, or a list of regions",
    env: 'TARGET_REGIONS',
    flag: '--regions <list>',
  }),
  organizationalUnits: setting(z.union([z.string(), z.array(z.string())]).optional(), {
    help: 'with accounts=organization: only the accounts of these OUs (ou-... ids) and their children',
    env: 'ORGANIZATIONAL_UNITS',
    flag: '--organizational-units <list>',
  }),
  maxConcurrentTargets: setting(whole().min(1).max(1000).default(10), {
    help: '(account, region) targets scanned at once',
    env: 'MAX_CONCURRENT_TARGETS',
    flag: '--max-concurrent-targets <n>',
    unit: 'targets',
  }),
  memberRoleName: setting(
    z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
      .default('CognitoDriftMemberRole'),
    {
      help: 'the read-only role the detector assumes in every other account',
      env: 'MEMBER_ROLE_NAME',
      flag: '--role-name <name>',
    },
  ),
  externalId: setting(
    z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2 to 1224 of A-Z a-z 0-9 and +=,.@:/-')
      .optional(),
    {
      help: 'the external id the member roles require (when they require one)',
      env: 'EXTERNAL_ID',
      flag: '--external-id <id>',
    },
  ),
} as const;

/** The detector's settings as one object schema (construct props with defaults applied). */
export const settingsSchema = z.object(SETTINGS);

export type SettingName = keyof typeof SETTINGS;

type WithDefault = {
  [K in SettingName]: (typeof SETTINGS)[K] extends z.ZodDefault ? K : never;
}[SettingName];

/** The default of every setting that has one, read from {@link SETTINGS}. */
export const DEFAULTS = Object.fromEntries(
  Object.entries(SETTINGS).flatMap(([name, schema]) =>
    schema instanceof z.ZodDefault ? [[name, schema.def.defaultValue]] : [],
  ),
) as { readonly [K in WithDefault]: z.output<(typeof SETTINGS)[K]> };

/** A setting's own help, context key, variable, flag and unit. */
export function settingMeta(name: SettingName): SettingMeta {
  return SETTINGS[name].meta() as unknown as SettingMeta;
}

/** The CDK context key of a setting. */
export function contextKey(name: SettingName): string {
  return settingMeta(name).context ?? name;
}

/** Every context key, in the spelling the app reads it. */
export const CONTEXT_KEY_NAMES: readonly string[] = (Object.keys(SETTINGS) as SettingName[]).map(contextKey);

/** The schema without its default or optional wrapper: the type and range. */
function valueSchema(name: SettingName): z.ZodType {
  let schema: z.ZodType = SETTINGS[name];
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) {
    schema = schema.unwrap() as z.ZodType;
  }
  return schema;
}

/** A numeric setting's range as JSON Schema states it. */
function numericRange(name: SettingName) {
  const json = z.toJSONSchema(valueSchema(name)) as {
    type?: string;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
  };
  // zod states a whole number's safe-integer limits as its range: those are no limit of ours.
  const bounded = (n: number | undefined) =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
  return {
    integer: json.type === 'integer',
    minimum: bounded(json.minimum),
    maximum: bounded(json.maximum),
    exclusiveMinimum: bounded(json.exclusiveMinimum),
  };
}

/**
 * The rule a numeric setting's value must follow, in words: `a whole number >= 1`, `a whole number
 * between 128 and 10240`, `a number greater than 0 and at most 1`. With `unit`: `a whole number of
 * hours >= 1`.
 */
export function numberRule(name: SettingName, { withUnit = false } = {}): string {
  const range = numericRange(name);
  const unit = withUnit ? settingMeta(name).unit : undefined;
  if (range.integer) {
    const of = unit ? ` of ${unit}` : '';
    return range.maximum === undefined
      ? `a whole number${of} >= ${range.minimum}`
      : `a whole number${of} between ${range.minimum} and ${range.maximum}`;
  }
  const bounds = [
    range.exclusiveMinimum !== undefined ? `greater than ${range.exclusiveMinimum}` : undefined,
    range.minimum !== undefined ? `at least ${range.minimum}` : undefined,
    range.maximum !== undefined ? `at most ${range.maximum}` : undefined,
  ].filter(Boolean);
  return `a number ${bounds.join(' and ')}${unit ? ` (${unit})` : ''}`;
}

/** Whether `value` is in a numeric setting's range (and whole, when it must be). */
export function inRange(name: SettingName, value: unknown): boolean {
  return valueSchema(name).safeParse(value).success;
}

/** The settings that can be given as text: in the function's environment, or to the CLI. */
export type TextSetting =
  | 'quotaShare'
  | 'reminderIntervalHours'
  | 'rotationWindowDays'
  | 'maxSecretAgeDays'
  | 'schedulePeriodMinutes'
  | 'realtimeDebounceSeconds'
  | 'realtime'
  | 'surfaces'
  | 'accounts'
  | 'regions'
  | 'organizationalUnits'
  | 'maxConcurrentTargets'
  | 'memberRoleName'
  | 'externalId';

/** Settings given as a comma-separated list; read as text (the target parsers read the list). */
type ListSetting = 'accounts' | 'regions' | 'organizationalUnits';

/**
 * What reading a text setting gives: the schema's type, with the surface selection resolved to
 * names, and a list setting as its text (`lambda/org/target.ts` parses it).
 */
export type TextSettingValue<K extends TextSetting> = K extends 'surfaces'
  ? string[]
  : K extends ListSetting
    ? Exclude<z.output<(typeof SETTINGS)[K]>, string[]>
    : z.output<(typeof SETTINGS)[K]>;

/**
 * Reads a setting from text (an environment variable or a CLI flag): its default when `text` is
 * unset or empty, else the parsed value, checked against the schema.
 * @param label how the user named it, for the error: `QUOTA_SHARE`, `--quota-share`
 * @throws ConfigError naming `label`, what the value must be and what it was
 */
export function readSetting<K extends TextSetting>(
  name: K,
  text: string | undefined,
  label: string,
): TextSettingValue<K> {
  const fallback = (DEFAULTS as Record<string, unknown>)[name];
  if (name === 'surfaces') {
    try {
      const spec = text === undefined || text === '' ? (fallback as string) : text;
      return parseSurfaces(spec) as TextSettingValue<K>;
    } catch (error) {
      throw new ConfigError(`${label}: ${(error as Error).message}`);
    }
  }
  if (text === undefined || text === '') return fallback as TextSettingValue<K>;
  const schema = valueSchema(name);
  if (schema instanceof z.ZodString || schema instanceof z.ZodUnion) {
    const checked = schema.safeParse(text.trim());
    if (!checked.success) {
      throw new ConfigError(`${label} ${checked.error.issues[0]?.message ?? 'is not valid'}, got "${text}"`);
    }
    return text.trim() as TextSettingValue<K>;
  }
  if (schema instanceof z.ZodBoolean) {
    if (text === 'true' || text === 'false') return (text === 'true') as TextSettingValue<K>;
    throw new ConfigError(`${label} must be true or false, got "${text}"`);
  }
  const value = Number(text);
  if (!inRange(name, value)) {
    throw new ConfigError(`${label} must be ${numberRule(name, { withUnit: true })}, got "${text}"`);
  }
  return value as TextSettingValue<K>;
}

/** A setting from the function's environment, named by its variable in errors. */
export function readEnvSetting<K extends TextSetting>(
  env: Record<string, string | undefined>,
  name: K,
): TextSettingValue<K> {
  const variable = envName(name);
  return readSetting(name, env[variable], variable);
}

/** The environment variable that carries a setting. */
export function envName(name: SettingName): string {
  const variable = settingMeta(name).env;
  if (!variable) throw new Error(`setting ${name} has no environment variable`);
  return variable;
}

/**
 * The function's environment for resolved settings: each setting that has a variable, as text the
 * function reads back with {@link readEnvSetting}. Unset settings are left out; a list is joined
 * with commas (`none` when empty, as the surface selection reads it); an object is JSON.
 */
export function settingsEnvironment(values: Partial<Record<SettingName, unknown>>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const variable = settingMeta(name).env;
    const value = values[name];
    if (!variable || value === undefined) continue;
    environment[variable] = Array.isArray(value)
      ? value.length === 0
        ? 'none'
        : value.join(',')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }
  return environment;
}

/** The period when `SCHEDULE_PERIOD_MINUTES` is not set: the default schedule's. */
export function defaultSchedulePeriodMinutes(): number {
  const parsed = parseSchedule(DEFAULTS.schedule);
  if (typeof parsed === 'string' || parsed.periodMinutes === undefined) {
    throw new Error(`the default schedule ${DEFAULTS.schedule} has no period: ${String(parsed)}`);
  }
  return parsed.periodMinutes;
}

/** A CLI flag's help: the setting's help, its range, and its default (the variable first, when it has one). */
export function flagHelp(name: SettingName): string {
  const meta = settingMeta(name);
  const fallback = (DEFAULTS as Record<string, unknown>)[name];
  const rule = valueSchema(name) instanceof z.ZodNumber ? `: ${numberRule(name)}` : '';
  const shown = meta.env ? `$${meta.env} or ${String(fallback)}` : String(fallback);
  return `${meta.help}${rule} (default: ${shown})`;
}

/** A setting's CLI flag. */
export function flagOf(name: SettingName): string {
  const flag = settingMeta(name).flag;
  if (!flag) throw new Error(`setting ${name} has no CLI flag`);
  return flag;
}
