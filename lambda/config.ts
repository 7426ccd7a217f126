import { type IgnoreRules, NO_IGNORE_RULES, parseIgnoreRules } from './core/ignore.js';
import type { SecretPolicy } from './core/secret-hygiene.js';
import { ConfigError } from './errors.js';
import { parseSurfaces } from './surfaces/selection.js';

/** The Lambda's settings, read and validated once from its environment. */
export interface LambdaConfig {
  bucket: string;
  topicArn: string;
  /** Where chat notifications go (optional: only with the construct's `chatTopic`). */
  chatTopicArn?: string;
  quotaShare: number;
  reminderIntervalMs: number;
  ignore: IgnoreRules;
  /** The surfaces watched besides pools and clients (`SURFACES`, default all). */
  surfaces: string[];
  /** Secret lifecycle limits (`ROTATION_WINDOW_DAYS`, `MAX_SECRET_AGE_DAYS`). */
  secretPolicy: SecretPolicy;
  /** The real-time path is deployed: check daily that a trail feeds it. */
  realtime: boolean;
  /** Events within this many seconds of the first are checked together. */
  realtimeDebounceSeconds: number;
  /** The longest gap between sweeps: how far back attribution looks for new drift. */
  schedulePeriodMinutes: number;
}

type Env = Record<string, string | undefined>;

/** Reads the Lambda's environment; each error names the variable and what it should hold. */
export function readLambdaConfig(env: Env): LambdaConfig {
  return {
    bucket: requireString(env, 'BASELINE_BUCKET'),
    topicArn: requireString(env, 'ALERT_TOPIC_ARN'),
    chatTopicArn: env.CHAT_TOPIC_ARN?.trim() || undefined,
    quotaShare: readQuotaShare(env.QUOTA_SHARE, 'QUOTA_SHARE'),
    reminderIntervalMs: readReminderHours(env.REMINDER_INTERVAL_HOURS, 'REMINDER_INTERVAL_HOURS') * 3_600_000,
    ignore: env.IGNORE_RULES ? parseConfigRules(env.IGNORE_RULES, 'IGNORE_RULES') : NO_IGNORE_RULES,
    surfaces: readSurfaces(env.SURFACES, 'SURFACES'),
    secretPolicy: {
      rotationWindowDays:
        readDays(env.ROTATION_WINDOW_DAYS, 'ROTATION_WINDOW_DAYS') ?? DEFAULT_ROTATION_WINDOW_DAYS,
      maxSecretAgeDays: readDays(env.MAX_SECRET_AGE_DAYS, 'MAX_SECRET_AGE_DAYS'),
    },
    realtime: env.REALTIME_ENABLED === 'true',
    realtimeDebounceSeconds: readWhole(env.REALTIME_DEBOUNCE_SECONDS, 'REALTIME_DEBOUNCE_SECONDS', 60, 0),
    schedulePeriodMinutes: readWhole(env.SCHEDULE_PERIOD_MINUTES, 'SCHEDULE_PERIOD_MINUTES', 60, 1),
  };
}

/** Days a client may hold two secrets before "rotation not finished" is reported. */
export const DEFAULT_ROTATION_WINDOW_DAYS = 7;

/** A surface selection (see `parseSurfaces`): `all`, `mfa,groups` or `-waf,-uiCustomization`. */
export function readSurfaces(value: string | undefined, name: string): string[] {
  try {
    return parseSurfaces(value);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

/** A whole number of days >= 1, or undefined when not set. */
export function readDays(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1)
    throw new ConfigError(`${name} must be a whole number of days >= 1, got "${value}"`);
  return days;
}

function readWhole(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

export const DEFAULT_QUOTA_SHARE = 0.5;
export const DEFAULT_REMINDER_HOURS = 24;

/** A share of Cognito's read quotas: 0 < share <= 1, default {@link DEFAULT_QUOTA_SHARE}. */
export function readQuotaShare(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return DEFAULT_QUOTA_SHARE;
  const share = Number(value);
  if (!(share > 0 && share <= 1)) {
    throw new ConfigError(
      `${name} must be a number greater than 0 and at most 1 (a share of the quota), got "${value}"`,
    );
  }
  return share;
}

/** Hours before unchanged drift is alerted again: a whole number >= 1. */
export function readReminderHours(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return DEFAULT_REMINDER_HOURS;
  const hours = Number(value);
  if (!Number.isInteger(hours) || hours < 1)
    throw new ConfigError(`${name} must be a whole number of hours >= 1, got "${value}"`);
  return hours;
}

function parseConfigRules(text: string, name: string): IgnoreRules {
  try {
    return parseIgnoreRules(text, name);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function requireString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Environment variable ${name} is not set`);
  return value;
}
