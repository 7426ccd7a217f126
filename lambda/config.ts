import { type IgnoreRules, NO_IGNORE_RULES, parseIgnoreRules } from './core/ignore.js';
import { ConfigError } from './errors.js';

/** The Lambda's settings, read and validated once from its environment. */
export interface LambdaConfig {
  bucket: string;
  topicArn: string;
  /** Where chat notifications go (optional: only with the construct's `chatTopic`). */
  chatTopicArn?: string;
  quotaShare: number;
  reminderIntervalMs: number;
  ignore: IgnoreRules;
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
  };
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
