/**
 * The detector's settings, declared once: each setting's type, range, default, documentation and
 * where else it is read (context key, environment variable, CLI flag). `settings-schema.ts` makes
 * them one schema with the rules between them (`settings-rules.ts`).
 *
 * Pure (no CDK, no AWS, no process.env), so the function bundles carry it.
 */
import { z } from 'zod';
import { MAX_SCHEDULE_PERIOD_MINUTES } from './schedule.js';

/** Log levels understood by Powertools for AWS Lambda (TypeScript). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a run does with drift the pool's own CloudFormation stack deployed (core/deployments.ts). */
export const DEPLOYED_CHANGES = ['alert', 'notify', 'approve'] as const;
export type DeployedChanges = (typeof DEPLOYED_CHANGES)[number];

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
  /** What a string must look like, for messages ("an IAM role name: ..."). */
  rule?: string;
}

const setting = <T extends z.ZodType>(schema: T, meta: SettingMeta): T => schema.meta({ ...meta });
const whole = () => z.number().int();
/** One string, or several as a comma-separated string or a list. */
const list = () => z.union([z.string(), z.array(z.string()).readonly()]);

const ROLE_NAME_RULE = 'an IAM role name: 1 to 64 of A-Z a-z 0-9 and +=,.@_-';
const EXTERNAL_ID_RULE = 'an external id: 2 to 1224 of A-Z a-z 0-9 and +=,.@:/_-';
const ORGANIZATION_ID_RULE = 'an organization id: o- and 10 to 32 of a-z 0-9';

/**
 * The settings, by construct prop name. Ranges and defaults here are the only ones; the TSDoc of
 * each is the construct prop's documentation.
 */
export const SETTINGS = {
  /**
   * Addresses that receive drift alerts and alarm notifications, one SNS email subscription each.
   * Each address must confirm the subscription mail SNS sends after deployment.
   */
  alertEmails: setting(z.array(z.string()).readonly(), {
    help: 'addresses that receive drift alerts and alarm notifications',
    context: 'alertEmail',
  }),
  /**
   * EventBridge schedule expression that starts a run: `rate(N minute|minutes|hour|hours|day|days)`
   * or `cron(minutes hours day-of-month month day-of-week year)` (UTC).
   * @default 'rate(1 hour)'
   */
  schedule: setting(z.string().default('rate(1 hour)'), {
    help: 'EventBridge schedule expression that starts a run: rate(...) or a 6-field cron(...) in UTC',
  }),
  /**
   * The longest gap, in minutes, between two scheduled runs. Sets the missed-run alarm period and the
   * function's `SCHEDULE_PERIOD_MINUTES`. At most 5040 (3.5 days: the alarm watches two periods and
   * CloudWatch evaluates at most 7 days). Required for a cron that does not fire every day.
   * @default - derived from `schedule`: the rate, or the largest gap of a cron that fires every day
   */
  schedulePeriodMinutes: setting(whole().min(1).max(MAX_SCHEDULE_PERIOD_MINUTES).optional(), {
    help: 'the longest gap between two runs, in minutes (derived from schedule when it can be)',
    env: 'SCHEDULE_PERIOD_MINUTES',
  }),
  /**
   * Share of the account's Cognito read quotas (UserPoolRead, UserPoolClientRead) a run may use,
   * leaving the rest to applications. Greater than 0 and at most 1.
   * @default 0.5
   */
  quotaShare: setting(z.number().gt(0).lte(1).default(0.5), {
    help: 'share of the Cognito read quotas to use',
    env: 'QUOTA_SHARE',
    flag: '--quota-share <share>',
    unit: 'a share of the quota',
  }),
  /**
   * Hours after which an unapproved drift is alerted again. Whole number, at least 1.
   * @default 24
   */
  reminderIntervalHours: setting(whole().min(1).default(24), {
    help: 'resend unchanged, unapproved drift after this many hours',
    env: 'REMINDER_INTERVAL_HOURS',
    flag: '--reminder-hours <hours>',
    unit: 'hours',
  }),
  /**
   * Memory of the scanning function, in MB (128 to 10240).
   * @default 512
   */
  lambdaMemoryMb: setting(whole().min(128).max(10240).default(512), {
    help: 'memory of the scanning function, in MB',
  }),
  /**
   * Timeout of one invocation, in seconds (1 to 900). A scan that needs longer continues in the
   * next invocation of the same run.
   * @default 900
   */
  lambdaTimeoutSeconds: setting(whole().min(1).max(900).default(900), {
    help: 'timeout of one invocation, in seconds',
  }),
  /**
   * Retention of the function's and the state machine's log groups, in days. One of the values
   * CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...).
   * @default 90
   */
  logRetentionDays: setting(whole().min(1).default(90), {
    help: 'retention of the log groups, in days (a value CloudWatch Logs accepts)',
  }),
  /**
   * Powertools log level of the function (`LOG_LEVEL`).
   * @default 'INFO'
   */
  logLevel: setting(z.enum(LOG_LEVELS).default('INFO'), {
    help: 'Powertools log level of the function',
    env: 'LOG_LEVEL',
  }),
  /**
   * Drift the function should not report, passed as JSON in `IGNORE_RULES`: `fields`, `pools` and
   * `clients` patterns, checked with the function's own rules at synth.
   * @default - no `IGNORE_RULES` variable: nothing is ignored
   */
  ignoreRules: setting(z.record(z.string(), z.unknown()).readonly().optional(), {
    help: 'drift not to report, as a JSON object of ignore rules',
    env: 'IGNORE_RULES',
  }),
  /**
   * Days after which a superseded version of a baseline object is deleted from the bucket.
   * @default 365
   */
  noncurrentVersionExpirationDays: setting(whole().min(1).default(365), {
    help: 'days a superseded baseline version is kept',
    unit: 'days',
  }),
  /**
   * Days after which objects under `reports/` expire.
   * @default 90
   */
  reportExpirationDays: setting(whole().min(1).default(90), {
    help: 'days a full JSON report under reports/ is kept',
    unit: 'days',
  }),
  /**
   * Most Lambda invocations one run may use before the state machine fails it with
   * `CognitoDrift.TooManyInvocations`; guards against a run that never reports `done`.
   * @default 50
   */
  maxInvocationsPerRun: setting(whole().min(1).max(1000).default(50), {
    help: 'most Lambda invocations one run may use',
  }),
  /**
   * The surfaces watched besides pools and app clients: `all`, `none`, a list (`mfa,groups`) or
   * exclusions (`-waf,-uiCustomization`), as one string or a list. The names are listed in
   * docs/surfaces.md.
   * @default 'all'
   */
  surfaces: setting(list().default('all'), {
    help: 'surfaces to watch besides pools and clients: all, a list (mfa,groups) or exclusions (-waf)',
    env: 'SURFACES',
    flag: '--surfaces <list>',
  }),
  /**
   * Days a client may hold two secrets before "rotation not finished" is reported.
   * @default 7
   */
  rotationWindowDays: setting(whole().min(1).default(7), {
    help: 'days a client may hold two secrets before "rotation not finished" is reported',
    env: 'ROTATION_WINDOW_DAYS',
    unit: 'days',
  }),
  /**
   * Report client secrets older than this many days.
   * @default - no limit
   */
  maxSecretAgeDays: setting(whole().min(1).optional(), {
    help: 'report client secrets older than this many days (no limit when unset)',
    env: 'MAX_SECRET_AGE_DAYS',
    unit: 'days',
  }),
  /**
   * What a run does with drift that the pool's own CloudFormation stack deployed: CloudTrail says
   * CloudFormation made every change (`invokedBy`), and the pool carries that stack's
   * `aws:cloudformation:stack-name` tag. `alert`: like any drift, labelled "deployed by stack X";
   * `notify`: a short LOW notice instead of the alert; `approve`: the new state is recorded as the
   * baseline, approved by the stack and the CloudTrail event, and nothing is alerted. A change made
   * outside the pool's stack is alerted at HIGH whatever this says; one whose author is not known is
   * alerted as usual.
   * @default 'alert'
   */
  deployedChanges: setting(z.enum(DEPLOYED_CHANGES).default('alert'), {
    help: "drift deployed by the pool's own CloudFormation stack: alert, notify (a short LOW notice) or approve (record it as baseline)",
    env: 'DEPLOYED_CHANGES',
    flag: '--deployed-changes <mode>',
    rule: `one of ${DEPLOYED_CHANGES.join(', ')}`,
  }),
  /**
   * Near-real-time detection: EventBridge rules on the default bus start a targeted check of the
   * pools named by Cognito write events ("AWS API Call via CloudTrail"). Needs a CloudTrail trail
   * that logs management events in the region; the function checks that daily and says when not.
   * @default true
   */
  realtime: setting(z.boolean().default(true), {
    help: 'start a targeted check on Cognito write events (EventBridge and CloudTrail)',
    env: 'REALTIME_ENABLED',
  }),
  /**
   * Seconds the real-time path waits after the first event of a burst, so that the burst is one
   * check and one alert. Whole number, 0 to 600, and at least 60 less than `lambdaTimeoutSeconds`.
   * @default 60
   */
  realtimeDebounceSeconds: setting(whole().min(0).max(600).default(60), {
    help: 'seconds a burst of events is gathered into one check',
    env: 'REALTIME_DEBOUNCE_SECONDS',
  }),
  /**
   * Also publish each alert to a second SNS topic, as an Amazon Q Developer in chat applications
   * (formerly AWS Chatbot) custom notification, for a Slack or Teams channel configured on it. A
   * second topic rather than per-protocol messages on one: Amazon Q subscribes over HTTPS, and a
   * per-protocol `https` message would reach every other HTTPS subscriber (webhooks, pagers) too.
   * @default false
   */
  chatTopic: setting(z.boolean().default(false), {
    help: 'also publish each alert to a second topic as a chat notification',
  }),
  /**
   * Put one EventBridge event per alerted drift, and one per resolved pool, on the account's default
   * event bus (source `cognito-drift`; see docs/alerts.md), so rules can route drift with no code.
   * @default true
   */
  events: setting(z.boolean().default(true), {
    help: 'put one EventBridge event per alerted drift (and per resolved pool) on the default event bus',
    env: 'DRIFT_EVENTS_ENABLED',
  }),
  /**
   * Import alerted findings into AWS Security Hub (ASFF, the account's default product) and archive
   * them when the drift is approved or resolved. Security Hub must be enabled in the region.
   * @default false
   */
  securityHub: setting(z.boolean().default(false), {
    help: 'import alerted findings into Security Hub, and archive them when resolved (Security Hub must be enabled)',
    env: 'SECURITY_HUB_ENABLED',
  }),
  /**
   * Accounts to scan: `self` (the stack's account), `organization` (every active account of the
   * organization, from the management or delegated-admin account) or a list of account ids. Any
   * other account needs the member role (`CognitoDriftMemberRole`).
   * @default 'self'
   */
  accounts: setting(list().default('self'), {
    help: 'accounts to scan: self, organization (every active account) or a list of account ids',
    env: 'TARGET_ACCOUNTS',
    flag: '--accounts <list>',
  }),
  /**
   * Regions to scan: `stack` (the stack's region), `all-enabled` (every region the account has
   * enabled where Cognito is offered, read at run time) or a list.
   * @default 'stack'
   */
  regions: setting(list().default('stack'), {
    help: "regions to scan: stack (the deployment's own), all-enabled, or a list of regions",
    env: 'TARGET_REGIONS',
    flag: '--regions <list>',
  }),
  /**
   * With `accounts: 'organization'`: only the accounts under these OUs (`ou-...` ids) and their children.
   * @default - the whole organization
   */
  organizationalUnits: setting(list().optional(), {
    help: 'with accounts=organization: only the accounts of these OUs (ou-... ids) and their children',
    env: 'ORGANIZATIONAL_UNITS',
    flag: '--organizational-units <list>',
  }),
  /**
   * Targets scanned at once by the organization run's Map.
   * @default 10
   */
  maxConcurrentTargets: setting(whole().min(1).max(1000).default(10), {
    help: '(account, region) targets scanned at once',
    env: 'MAX_CONCURRENT_TARGETS',
    flag: '--max-concurrent-targets <n>',
    unit: 'targets',
  }),
  /**
   * The member role's name in every scanned account.
   * @default 'CognitoDriftMemberRole'
   */
  memberRoleName: setting(
    z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, ROLE_NAME_RULE)
      .default('CognitoDriftMemberRole'),
    {
      help: 'the read-only role the detector assumes in every other account',
      env: 'MEMBER_ROLE_NAME',
      flag: '--role-name <name>',
      rule: ROLE_NAME_RULE,
    },
  ),
  /**
   * The external id the member roles require, when they require one.
   * @default - none
   */
  externalId: setting(
    z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, EXTERNAL_ID_RULE)
      .optional(),
    {
      help: 'the external id the member roles require (when they require one)',
      env: 'EXTERNAL_ID',
      flag: '--external-id <id>',
      rule: EXTERNAL_ID_RULE,
    },
  ),
  /**
   * The organization id (`o-...`) whose accounts may put events on the central event bus of the
   * real-time path (its bus policy's `aws:PrincipalOrgID`). With `realtime` on and `accounts` other
   * than `self`, member accounts forward their Cognito write events there; without it, real time
   * covers the deployment's own account and region only (synth warns).
   * @default - none
   */
  organizationId: setting(
    z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, ORGANIZATION_ID_RULE)
      .optional(),
    {
      help: 'the organization id (o-...) whose accounts may forward their Cognito write events to the detector',
      rule: ORGANIZATION_ID_RULE,
    },
  ),
} as const;

export type SettingName = keyof typeof SETTINGS;

/** How a setting is named in messages: `context "alertEmail"`, `CognitoDriftDetector prop "alertEmails"`, `--accounts`. */
export type SettingLabel = (setting: SettingName) => string;
