/**
 * Settings of the drift detector as the CDK app and the construct take them: validation and parsing
 * from CDK context. Names, types, ranges and defaults come from the one settings schema
 * (`lambda/settings.ts`); what is here is what only CDK needs (retention values, the schedule's
 * period, the 4 KB environment).
 *
 * Everything here is pure (no AWS, no process.env) so that `cdk synth` fails early with a message
 * naming the bad setting, and so the construct can validate its props with the same rules.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ignoreRulesSchema } from '../lambda/core/ignore.js';
import { SettingValueError } from '../lambda/errors.js';
import {
  type AccountSelection,
  formatAccountSelection,
  formatRegionSelection,
  parseAccountSelection,
  parseRegionSelection,
  type RegionSelection,
  TargetSelectionError,
} from '../lambda/org/target.js';
import { MAX_SCHEDULE_PERIOD_MINUTES, parseSchedule } from '../lambda/schedule.js';
import {
  CONTEXT_KEY_NAMES,
  contextKey,
  DEFAULTS,
  inRange,
  LOG_LEVELS,
  type LogLevel,
  numberRule,
  type SettingName,
} from '../lambda/settings.js';
import { parseSurfaces } from '../lambda/surfaces/selection.js';
import type { CognitoDriftDetectorProps } from './cognito-drift-detector.js';

/** A detector setting (CDK context value or construct prop) is missing or invalid. */
export class DetectorConfigError extends Error {
  constructor(
    /** The setting as the user wrote it, e.g. `context "alertEmail"`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'DetectorConfigError';
  }
}

// Defined with the schema (the function shares them); exported from here for the package's CDK users.
export { MAX_SCHEDULE_PERIOD_MINUTES, type ParsedSchedule, parseSchedule } from '../lambda/schedule.js';
export { CONTEXT_KEY_NAMES, DEFAULTS, LOG_LEVELS, type LogLevel };

/** Lambda allows 4 KB for all environment variables together; leave room for the others. */
const MAX_IGNORE_RULES_CHARS = 3000;

/** Every detector setting with its default applied; what the construct builds from. */
export interface DetectorSettings {
  readonly alertEmails: readonly string[];
  readonly schedule: string;
  readonly schedulePeriodMinutes: number;
  readonly quotaShare: number;
  readonly reminderIntervalHours: number;
  readonly lambdaMemoryMb: number;
  readonly lambdaTimeoutSeconds: number;
  readonly logRetentionDays: RetentionDays;
  readonly logLevel: LogLevel;
  readonly ignoreRules?: Readonly<Record<string, unknown>>;
  readonly noncurrentVersionExpirationDays: number;
  readonly reportExpirationDays: number;
  readonly maxInvocationsPerRun: number;
  /** The surfaces watched besides pools and clients, resolved to names. */
  readonly surfaces: readonly string[];
  readonly rotationWindowDays: number;
  readonly maxSecretAgeDays?: number;
  readonly realtime: boolean;
  readonly realtimeDebounceSeconds: number;
  readonly chatTopic: boolean;
  /** Which accounts are scanned, normalized: `self`, `organization` or `111122223333,444455556666`. */
  readonly accounts: string;
  /** Which regions are scanned, normalized: `stack`, `all-enabled` or `eu-west-1,us-east-1`. */
  readonly regions: string;
  /** With `accounts: 'organization'`: its OU filter (absent: the whole organization). */
  readonly organizationalUnits?: readonly string[];
  readonly maxConcurrentTargets: number;
  readonly memberRoleName: string;
  readonly externalId?: string;
}

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
  return {
    accounts: parseAccountSelection(settings.accounts, settings.organizationalUnits?.join(',')),
    regions: parseRegionSelection(settings.regions),
  };
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

/** Every construct prop is a setting of the schema and every setting a prop: none can skip the schema. */
const propsAreSettings: [keyof CognitoDriftDetectorProps] extends [SettingName]
  ? [SettingName] extends [keyof CognitoDriftDetectorProps]
    ? true
    : never
  : never = true;
void propsAreSettings;

/** How a setting is named in error messages: as a context key or as a construct prop. */
type Label = (setting: SettingName) => string;

const contextLabel: Label = (setting) => `context "${contextKey(setting)}"`;
const propLabel: Label = (setting) => `CognitoDriftDetector prop "${setting}"`;

function invalid(label: Label, setting: SettingName, detail: string): DetectorConfigError {
  const name = label(setting);
  return new DetectorConfigError(name, `Invalid ${name}: ${detail}`);
}

/** Quotes a user value for an error message without dumping large objects. */
function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

// Deliberately loose: SNS does the real check when it sends the confirmation mail. This only
// catches typos such as a missing domain or a stray separator.
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

const ALLOWED_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

// ---------------------------------------------------------------------------------------------
// Validation shared by context parsing and the construct
// ---------------------------------------------------------------------------------------------

/** A numeric setting checked against its range in the settings schema. */
function checkNumber(label: Label, setting: SettingName, value: number): number {
  if (!inRange(setting, value))
    throw invalid(label, setting, `${show(value)} must be ${numberRule(setting)}`);
  return value;
}

function checkEmails(label: Label, emails: readonly string[]): readonly string[] {
  if (emails.length === 0) {
    throw invalid(label, 'alertEmails', 'at least one email address is required to receive drift alerts');
  }
  const seen = new Set<string>();
  for (const email of emails) {
    if (!EMAIL.test(email)) throw invalid(label, 'alertEmails', `${show(email)} is not an email address`);
    const key = email.toLowerCase();
    if (seen.has(key)) throw invalid(label, 'alertEmails', `${show(email)} is listed twice`);
    seen.add(key);
  }
  return emails;
}

function checkSchedule(
  label: Label,
  expression: string,
  periodOverride: number | undefined,
): { schedule: string; schedulePeriodMinutes: number } {
  const parsed = parseSchedule(expression);
  if (typeof parsed === 'string') throw invalid(label, 'schedule', `${show(expression)}: ${parsed}`);
  if (periodOverride !== undefined) {
    checkNumber(label, 'schedulePeriodMinutes', periodOverride);
    if (parsed.periodMinutes !== undefined && periodOverride < parsed.periodMinutes) {
      throw invalid(
        label,
        'schedulePeriodMinutes',
        `${periodOverride} is shorter than the ${parsed.periodMinutes} minutes between runs of ${show(expression)}; ` +
          'the missed-run alarm would fire between runs',
      );
    }
    return { schedule: expression, schedulePeriodMinutes: periodOverride };
  }
  if (parsed.periodMinutes === undefined) {
    throw invalid(
      label,
      'schedulePeriodMinutes',
      `is required with ${show(expression)}: give the longest gap between two runs in minutes ` +
        '(the period is derived only for rate(...) and for cron(...) that fires every day)',
    );
  }
  if (parsed.periodMinutes > MAX_SCHEDULE_PERIOD_MINUTES) {
    throw invalid(
      label,
      'schedule',
      `${show(expression)} leaves ${parsed.periodMinutes} minutes between runs; the missed-run alarm watches two ` +
        `periods and CloudWatch evaluates at most 7 days, so runs must be at most ${MAX_SCHEDULE_PERIOD_MINUTES} ` +
        'minutes (3.5 days) apart',
    );
  }
  return { schedule: expression, schedulePeriodMinutes: parsed.periodMinutes };
}

/** The surface selection, with the function's own parser, so a typo fails at synth. */
function checkSurfaces(label: Label, spec: string | readonly string[]): string[] {
  try {
    if (typeof spec !== 'string' && spec.length === 0) return [];
    return parseSurfaces(typeof spec === 'string' ? spec : spec.join(','));
  } catch (error) {
    if (!(error instanceof SettingValueError)) throw error;
    throw invalid(label, 'surfaces', error.detail);
  }
}

/** A list setting as the target parsers read it: a comma-separated string. */
function listText(label: Label, setting: SettingName, value: string | readonly string[]): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(label, setting, `${show(value)} must be a string or a list of strings`);
  }
  if (value.length === 0) throw invalid(label, setting, 'is an empty list');
  return value.join(',');
}

/** Accounts, regions and OUs, with the function's own parsers, so a typo fails at synth. */
function checkTargets(
  label: Label,
  props: CognitoDriftDetectorProps,
): Pick<DetectorSettings, 'accounts' | 'regions' | 'organizationalUnits'> {
  const parse = <T>(setting: SettingName, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof TargetSelectionError) throw invalid(label, setting, error.message);
      throw error;
    }
  };
  const accountsText = listText(label, 'accounts', props.accounts ?? DEFAULTS.accounts);
  const ousText =
    props.organizationalUnits === undefined
      ? undefined
      : listText(label, 'organizationalUnits', props.organizationalUnits);
  // The OU ids on their own first, so their errors name organizationalUnits.
  const ous = parse('organizationalUnits', () => parseAccountSelection('organization', ousText));
  const accounts = parse('accounts', () => parseAccountSelection(accountsText));
  if (ous.kind === 'organization' && ous.organizationalUnits.length > 0 && accounts.kind !== 'organization') {
    throw invalid(
      label,
      'organizationalUnits',
      `${show(ousText)} filters the accounts of an organization: it needs ${label('accounts')} = "organization"`,
    );
  }
  const regions = parse('regions', () =>
    parseRegionSelection(listText(label, 'regions', props.regions ?? DEFAULTS.regions)),
  );
  const organizationalUnits = ous.kind === 'organization' ? ous.organizationalUnits : [];
  return {
    accounts: formatAccountSelection(accounts),
    regions: formatRegionSelection(regions),
    ...(organizationalUnits.length > 0 ? { organizationalUnits } : {}),
  };
}

/** A string setting checked against its schema (the IAM role name, the external id). */
function checkString(label: Label, setting: SettingName, value: unknown, rule: string): string {
  if (typeof value !== 'string' || !inRange(setting, value)) {
    throw invalid(label, setting, `${show(value)} must be ${rule}`);
  }
  return value;
}

function resolve(props: CognitoDriftDetectorProps, label: Label): DetectorSettings {
  const quotaShare = checkNumber(label, 'quotaShare', props.quotaShare ?? DEFAULTS.quotaShare);
  const logRetentionDays = props.logRetentionDays ?? DEFAULTS.logRetentionDays;
  if (!ALLOWED_RETENTION_DAYS.includes(logRetentionDays)) {
    throw invalid(
      label,
      'logRetentionDays',
      `${show(logRetentionDays)} is not a CloudWatch Logs retention; use one of ${ALLOWED_RETENTION_DAYS.join(', ')}`,
    );
  }
  const logLevel = props.logLevel ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw invalid(label, 'logLevel', `${show(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const ignoreRules = props.ignoreRules;
  if (
    ignoreRules !== undefined &&
    (ignoreRules === null || typeof ignoreRules !== 'object' || Array.isArray(ignoreRules))
  ) {
    throw invalid(label, 'ignoreRules', `${show(ignoreRules)} must be a JSON object`);
  }
  if (ignoreRules !== undefined) {
    // The same schema the function applies at run time, so a wrong shape fails here, not hourly.
    const parsed = ignoreRulesSchema.safeParse(ignoreRules);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(label, 'ignoreRules', `${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
  }
  if (ignoreRules !== undefined && JSON.stringify(ignoreRules).length > MAX_IGNORE_RULES_CHARS) {
    throw invalid(
      label,
      'ignoreRules',
      `is ${JSON.stringify(ignoreRules).length} characters as JSON; Lambda allows 4 KB for all environment ` +
        `variables, so keep it under ${MAX_IGNORE_RULES_CHARS}`,
    );
  }
  const realtime = props.realtime ?? DEFAULTS.realtime;
  if (typeof realtime !== 'boolean')
    throw invalid(label, 'realtime', `${show(realtime)} must be true or false`);
  const timeout = props.lambdaTimeoutSeconds ?? DEFAULTS.lambdaTimeoutSeconds;
  const realtimeDebounceSeconds = checkNumber(
    label,
    'realtimeDebounceSeconds',
    props.realtimeDebounceSeconds ?? DEFAULTS.realtimeDebounceSeconds,
  );
  if (Number.isInteger(timeout) && realtimeDebounceSeconds > timeout - 60) {
    throw invalid(
      label,
      'realtimeDebounceSeconds',
      `${realtimeDebounceSeconds} leaves the check less than 60 s of the ${timeout} s function timeout: the ` +
        'function waits the window before it checks; shorten the window or raise lambdaTimeoutSeconds',
    );
  }
  return {
    realtime,
    realtimeDebounceSeconds,
    alertEmails: checkEmails(label, props.alertEmails),
    ...checkSchedule(label, props.schedule ?? DEFAULTS.schedule, props.schedulePeriodMinutes),
    quotaShare,
    reminderIntervalHours: checkNumber(
      label,
      'reminderIntervalHours',
      props.reminderIntervalHours ?? DEFAULTS.reminderIntervalHours,
    ),
    lambdaMemoryMb: checkNumber(label, 'lambdaMemoryMb', props.lambdaMemoryMb ?? DEFAULTS.lambdaMemoryMb),
    lambdaTimeoutSeconds: checkNumber(
      label,
      'lambdaTimeoutSeconds',
      props.lambdaTimeoutSeconds ?? DEFAULTS.lambdaTimeoutSeconds,
    ),
    logRetentionDays,
    logLevel,
    ...(ignoreRules === undefined ? {} : { ignoreRules }),
    noncurrentVersionExpirationDays: checkNumber(
      label,
      'noncurrentVersionExpirationDays',
      props.noncurrentVersionExpirationDays ?? DEFAULTS.noncurrentVersionExpirationDays,
    ),
    reportExpirationDays: checkNumber(
      label,
      'reportExpirationDays',
      props.reportExpirationDays ?? DEFAULTS.reportExpirationDays,
    ),
    surfaces: checkSurfaces(label, props.surfaces ?? DEFAULTS.surfaces),
    rotationWindowDays: checkNumber(
      label,
      'rotationWindowDays',
      props.rotationWindowDays ?? DEFAULTS.rotationWindowDays,
    ),
    ...(props.maxSecretAgeDays === undefined
      ? {}
      : { maxSecretAgeDays: checkNumber(label, 'maxSecretAgeDays', props.maxSecretAgeDays) }),
    maxInvocationsPerRun: checkNumber(
      label,
      'maxInvocationsPerRun',
      props.maxInvocationsPerRun ?? DEFAULTS.maxInvocationsPerRun,
    ),
    chatTopic: checkBoolean(label, 'chatTopic', props.chatTopic ?? DEFAULTS.chatTopic),
    ...checkTargets(label, props),
    maxConcurrentTargets: checkNumber(
      label,
      'maxConcurrentTargets',
      props.maxConcurrentTargets ?? DEFAULTS.maxConcurrentTargets,
    ),
    memberRoleName: checkString(
      label,
      'memberRoleName',
      props.memberRoleName ?? DEFAULTS.memberRoleName,
      'an IAM role name: 1 to 64 of A-Z a-z 0-9 and +=,.@_-',
    ),
    ...(props.externalId === undefined
      ? {}
      : {
          externalId: checkString(
            label,
            'externalId',
            props.externalId,
            'an external id: 2 to 1224 of A-Z a-z 0-9 and +=,.@:/_-',
          ),
        }),
  };
}

function checkBoolean(label: Label, setting: SettingName, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(label, setting, `${show(value)} must be true or false`);
  return value;
}

/**
 * Applies defaults to construct props and validates them.
 *
 * @throws DetectorConfigError naming the first invalid prop
 */
export function resolveDetectorSettings(props: CognitoDriftDetectorProps): DetectorSettings {
  return resolve(props, propLabel);
}

// ---------------------------------------------------------------------------------------------
// CDK context
// ---------------------------------------------------------------------------------------------

/** Context keys CDK itself (or a CDK tool) uses: feature flags, lookups, acknowledgements. */
function isCdkOwnKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
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
    const lower = key.toLowerCase();
    const nearest = known
      .map((name) => ({
        name,
        d: distance(lower, name.toLowerCase()),
      }))
      .sort((a, b) => a.d - b.d)[0];
    if (nearest && nearest.d <= Math.max(2, Math.floor(nearest.name.length / 5))) {
      throw new DetectorConfigError(
        `context "${key}"`,
        `Unknown setting context "${key}": did you mean ${nearest.name}?`,
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
  return {
    roleName: checkString(
      contextLabel,
      'memberRoleName',
      roleName,
      'an IAM role name: 1 to 64 of A-Z a-z 0-9 and +=,.@_-',
    ),
  };
}

/** A boolean from `-c key=true|false` (a string) or cdk.json (a boolean). */
function contextBoolean(ctx: ContextReader, setting: SettingName): boolean | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined || typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalid(contextLabel, setting, `${show(raw)} must be true or false`);
}

/** Reads one context value; `(key) => app.node.tryGetContext(key)` in the CDK app. */
export type ContextReader = (key: string) => unknown;

function contextString(ctx: ContextReader, setting: SettingName): string | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalid(contextLabel, setting, `${show(raw)} must be a string`);
  return raw.trim();
}

/** `-c key=value` gives strings; cdk.json can give numbers. Both are accepted. */
function contextNumber(ctx: ContextReader, setting: SettingName): number | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw.trim())) return Number(raw.trim());
  throw invalid(contextLabel, setting, `${show(raw)} is not a number`);
}

/** A list from `-c key=a,b` (a string) or cdk.json (a string or a list of strings). */
function contextList(ctx: ContextReader, setting: SettingName): string | string[] | undefined {
  const raw = ctx(contextKey(setting));
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw.trim();
  if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw;
  throw invalid(contextLabel, setting, `${show(raw)} must be a comma-separated string or a list of strings`);
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
    throw invalid(
      contextLabel,
      'alertEmails',
      `${show(raw)} must be a comma-separated string of email addresses`,
    );
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
      throw invalid(contextLabel, setting, `${show(raw)} is not valid JSON (${(error as Error).message})`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(contextLabel, setting, `${show(raw)} must be a JSON object`);
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
  const logLevel = contextString(ctx, 'logLevel')?.toUpperCase();
  const props: CognitoDriftDetectorProps = {
    alertEmails: contextEmails(ctx),
    schedule: contextString(ctx, 'schedule'),
    schedulePeriodMinutes: contextNumber(ctx, 'schedulePeriodMinutes'),
    quotaShare: contextNumber(ctx, 'quotaShare'),
    reminderIntervalHours: contextNumber(ctx, 'reminderIntervalHours'),
    lambdaMemoryMb: contextNumber(ctx, 'lambdaMemoryMb'),
    lambdaTimeoutSeconds: contextNumber(ctx, 'lambdaTimeoutSeconds'),
    logRetentionDays: contextNumber(ctx, 'logRetentionDays'),
    logLevel: logLevel as LogLevel | undefined,
    ignoreRules: contextObject(ctx, 'ignoreRules'),
    noncurrentVersionExpirationDays: contextNumber(ctx, 'noncurrentVersionExpirationDays'),
    reportExpirationDays: contextNumber(ctx, 'reportExpirationDays'),
    maxInvocationsPerRun: contextNumber(ctx, 'maxInvocationsPerRun'),
    surfaces: contextString(ctx, 'surfaces'),
    rotationWindowDays: contextNumber(ctx, 'rotationWindowDays'),
    maxSecretAgeDays: contextNumber(ctx, 'maxSecretAgeDays'),
    realtime: contextBoolean(ctx, 'realtime'),
    realtimeDebounceSeconds: contextNumber(ctx, 'realtimeDebounceSeconds'),
    chatTopic: contextBoolean(ctx, 'chatTopic'),
    accounts: contextList(ctx, 'accounts'),
    regions: contextList(ctx, 'regions'),
    organizationalUnits: contextList(ctx, 'organizationalUnits'),
    maxConcurrentTargets: contextNumber(ctx, 'maxConcurrentTargets'),
    memberRoleName: contextString(ctx, 'memberRoleName'),
    externalId: contextString(ctx, 'externalId'),
  };
  return resolve(props, contextLabel);
}
