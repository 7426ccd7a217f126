import { type IgnoreRules, NO_IGNORE_RULES, parseIgnoreRules } from './core/ignore.js';
import type { SecretPolicy } from './core/secret-hygiene.js';
import { ConfigError } from './errors.js';
import { defaultSchedulePeriodMinutes, envName, readEnvSetting } from './settings.js';
import type { DeployedChanges } from './settings-table.js';

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
  /** Put an EventBridge event per alerted drift (`DRIFT_EVENTS_ENABLED`). */
  events: boolean;
  /** Import alerted findings into Security Hub (`SECURITY_HUB_ENABLED`). */
  securityHub: boolean;
  /** The longest gap between sweeps: how far back attribution looks for new drift. */
  schedulePeriodMinutes: number;
  /** What to do with drift the pool's own stack deployed (`DEPLOYED_CHANGES`). */
  deployedChanges: DeployedChanges;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the Lambda's environment; each error names the variable and what it should hold. Which
 * variable carries a setting, its range and its default come from the settings schema.
 */
export function readLambdaConfig(env: Env): LambdaConfig {
  return {
    bucket: requireString(env, 'BASELINE_BUCKET'),
    topicArn: requireString(env, 'ALERT_TOPIC_ARN'),
    chatTopicArn: env.CHAT_TOPIC_ARN?.trim() || undefined,
    quotaShare: readEnvSetting(env, 'quotaShare'),
    reminderIntervalMs: readEnvSetting(env, 'reminderIntervalHours') * 3_600_000,
    ignore: env[envName('ignoreRules')]
      ? parseConfigRules(env[envName('ignoreRules')] as string, envName('ignoreRules'))
      : NO_IGNORE_RULES,
    surfaces: readEnvSetting(env, 'surfaces'),
    secretPolicy: {
      rotationWindowDays: readEnvSetting(env, 'rotationWindowDays'),
      maxSecretAgeDays: readEnvSetting(env, 'maxSecretAgeDays'),
    },
    // Unset means the real-time path is not deployed (a CLI run, a test), whatever the construct's
    // default: the construct always sets the variable.
    realtime: env[envName('realtime')] ? readEnvSetting(env, 'realtime') : false,
    realtimeDebounceSeconds: readEnvSetting(env, 'realtimeDebounceSeconds'),
    // Unset (a CLI run, a test) means off, as for `realtime`: the construct always sets both.
    events: env[envName('events')] ? readEnvSetting(env, 'events') : false,
    securityHub: env[envName('securityHub')] ? readEnvSetting(env, 'securityHub') : false,
    schedulePeriodMinutes: readEnvSetting(env, 'schedulePeriodMinutes') ?? defaultSchedulePeriodMinutes(),
    deployedChanges: readEnvSetting(env, 'deployedChanges'),
  };
}

/**
 * The secret holding the digest key (`DIGEST_KEY_SECRET_ARN`, set by the construct): read by the
 * entry points that scan, apart from the settings, so a function that never digests needs none.
 */
export function readDigestKeySecretArn(env: Env): string {
  return requireString(env, 'DIGEST_KEY_SECRET_ARN');
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
