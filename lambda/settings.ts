/**
 * Reading the settings schema (`lambda/settings-schema.ts`) for each layer, and nowhere else:
 * - CDK context and construct props (`lib/config.ts`): names, defaults, ranges, the "did you mean" list;
 * - the Lambda environment (`lambda/config.ts`): which variable carries a setting, how it is parsed;
 * - the CLI (`bin/cli.ts`, `cli/check.ts`): flag names, their help and defaults.
 *
 * Pure (no CDK, no AWS, no process.env), so the function bundle can carry it.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import type { AccountSelection, RegionSelection } from './org/target.js';
import { parseSchedule } from './schedule.js';
import { SettingRuleError, show, type TargetSettings, targetSelectionOf } from './settings-rules.js';
import { SETTINGS, type SettingLabel, type SettingMeta, type SettingName } from './settings-table.js';
import { parseSurfaces, SurfaceSelectionError } from './surfaces/selection.js';

export { show, targetSelectionOf } from './settings-rules.js';
export { type ResolvedSettings, type SettingsInput, settingsSchema } from './settings-schema.js';
export {
  LOG_LEVELS,
  type LogLevel,
  SETTINGS,
  type SettingLabel,
  type SettingMeta,
  type SettingName,
} from './settings-table.js';

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

/** The schema without its default, optional or readonly wrapper: the type and range. */
function valueSchema(name: SettingName): z.ZodType {
  let schema: z.ZodType = SETTINGS[name];
  while (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodReadonly
  ) {
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
  | 'deployedChanges'
  | 'events'
  | 'securityHub'
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
    ? Exclude<z.output<(typeof SETTINGS)[K]>, readonly string[]>
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
      if (!(error instanceof SurfaceSelectionError)) throw error;
      throw new ConfigError(`${label}: ${error.message}`, { cause: error });
    }
  }
  if (text === undefined || text === '') return fallback as TextSettingValue<K>;
  const schema = valueSchema(name);
  if (schema instanceof z.ZodString || schema instanceof z.ZodUnion) {
    const checked = schema.safeParse(text.trim());
    if (!checked.success) {
      throw new ConfigError(`${label} must be ${settingMeta(name).rule ?? 'text'}, got "${text}"`);
    }
    return text.trim() as TextSettingValue<K>;
  }
  if (schema instanceof z.ZodEnum) {
    const checked = schema.safeParse(text.trim());
    if (!checked.success) {
      throw new ConfigError(`${label} must be one of ${schema.options.join(', ')}, got "${text}"`);
    }
    return checked.data as TextSettingValue<K>;
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
  // A setting without a default is unset unless its variable is: say so, not "undefined".
  const value = fallback === undefined ? 'none' : String(fallback);
  const shown = meta.env ? `$${meta.env} or ${value}` : value;
  return `${meta.help}${rule} (default: ${shown})`;
}

/** A setting's CLI flag. */
export function flagOf(name: SettingName): string {
  const flag = settingMeta(name).flag;
  if (!flag) throw new Error(`setting ${name} has no CLI flag`);
  return flag;
}

/**
 * What is wrong with a setting, in words, from the schema's issue and the value given: `"0" must be
 * a whole number between 1 and 1000`, `"yes" must be true or false`. A rule between settings states
 * its own message.
 */
export function describeIssue(name: SettingName, value: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') return issue.message;
  if (value === undefined) return 'is required';
  const schema = valueSchema(name);
  if (schema instanceof z.ZodNumber) return `${show(value)} must be ${numberRule(name)}`;
  if (schema instanceof z.ZodBoolean) return `${show(value)} must be true or false`;
  if (schema instanceof z.ZodEnum) return `${show(value)} must be one of ${schema.options.join(', ')}`;
  if (schema instanceof z.ZodRecord) return `${show(value)} must be a JSON object`;
  if (schema instanceof z.ZodArray) return `${show(value)} must be a list of strings`;
  if (schema instanceof z.ZodUnion) return `${show(value)} must be a string or a list of strings`;
  const rule = settingMeta(name).rule;
  return `${show(value)} must be ${rule ?? 'a string'}`;
}

/** How a setting's value is given as text or JSON: what a CDK context value is converted to. */
export type SettingKind = 'number' | 'boolean' | 'enum' | 'object' | 'list' | 'strings' | 'string';

/** A setting's kind, from its schema. */
export function settingKind(name: SettingName): SettingKind {
  const schema = valueSchema(name);
  if (schema instanceof z.ZodNumber) return 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodEnum) return 'enum';
  if (schema instanceof z.ZodRecord) return 'object';
  if (schema instanceof z.ZodUnion) return 'list';
  if (schema instanceof z.ZodArray) return 'strings';
  return 'string';
}

/**
 * The accounts and regions to scan from text settings (the function's variables, the CLI's flags),
 * with the rules the construct applies.
 * @throws ConfigError naming the setting as `label` does: `TARGET_ACCOUNTS: ...`, `--regions: ...`
 */
export function readTargetSettings(
  values: TargetSettings,
  label: SettingLabel,
): { accounts: AccountSelection; regions: RegionSelection } {
  try {
    return targetSelectionOf(values, label);
  } catch (error) {
    if (!(error instanceof SettingRuleError)) throw error;
    throw new ConfigError(`${label(error.setting)}: ${error.detail}`, { cause: error });
  }
}
