import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import { readLambdaConfig } from '../../lambda/config.js';
import { ConfigError } from '../../lambda/errors.js';
import {
  CONTEXT_KEY_NAMES,
  contextKey,
  DEFAULTS,
  envName,
  flagHelp,
  readTargetSettings,
  SETTINGS,
  type SettingName,
  settingMeta,
  settingsEnvironment,
} from '../../lambda/settings.js';
import { parseDetectorConfig } from '../../lib/config.js';
import { fakeIo } from '../support/cli-harness.js';

const REQUIRED = { BASELINE_BUCKET: 'drift-baselines', ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:t' };

function configError(env: Record<string, string>): string {
  try {
    readLambdaConfig({ ...REQUIRED, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('the settings schema', () => {
  it('gives every setting a help line, and every context key once', () => {
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      expect(settingMeta(name).help.length, name).toBeGreaterThan(10);
    }
    expect(new Set(CONTEXT_KEY_NAMES).size).toBe(Object.keys(SETTINGS).length);
    expect(contextKey('alertEmails')).toBe('alertEmail');
    expect(contextKey('quotaShare')).toBe('quotaShare');
  });

  it('has the defaults the configuration page documents, row by row', () => {
    const page = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf-8');
    const rows = new Map(
      [...page.matchAll(/^\| `(\w+)` \| (.+?) \|/gm)].map((m) => [m[1] as string, m[2] as string]),
    );

    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const documented = rows.get(contextKey(name));
      const fallback = (DEFAULTS as Record<string, unknown>)[name];
      expect(documented, name).toBeDefined();
      if (fallback !== undefined) expect(documented, name).toBe(`\`${String(fallback)}\``);
      else expect(documented, name).toMatch(/^(required|none|derived from `schedule`)$/);
    }
  });

  it("states the schema's defaults in the @default tags the construct props are documented with", () => {
    const source = readFileSync(new URL('../../lambda/settings-table.ts', import.meta.url), 'utf-8');
    const tags = new Map(
      [...source.matchAll(/@default ([^\n]+)\n\s+\*\/\n\s+(\w+): setting\(/g)].map((m) => [
        m[2] as string,
        (m[1] as string).trim(),
      ]),
    );

    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const fallback = (DEFAULTS as Record<string, unknown>)[name];
      const shown = typeof fallback === 'string' ? `'${fallback}'` : String(fallback);
      if (name === 'alertEmails') expect(tags.has(name), name).toBe(false);
      else if (fallback === undefined) expect(tags.get(name), name).toMatch(/^- /);
      else expect(tags.get(name), name).toBe(shown);
    }
  });
});

describe('one default per setting, in every layer', () => {
  it('the function reads, with its variables unset, the defaults the CDK app applies', () => {
    const synth = parseDetectorConfig((key) => (key === 'alertEmail' ? 'ops@example.com' : undefined));

    const lambda = readLambdaConfig(REQUIRED);

    expect(lambda.quotaShare).toBe(0.5);
    expect(lambda.reminderIntervalMs).toBe(24 * 3_600_000);
    expect(lambda).toMatchObject({
      quotaShare: synth.quotaShare,
      reminderIntervalMs: synth.reminderIntervalHours * 3_600_000,
      surfaces: synth.surfaces,
      secretPolicy: { rotationWindowDays: synth.rotationWindowDays, maxSecretAgeDays: undefined },
      realtimeDebounceSeconds: synth.realtimeDebounceSeconds,
      schedulePeriodMinutes: synth.schedulePeriodMinutes,
    });
    // Unset means "not deployed" for the real-time path: the construct always sets it.
    expect(lambda.realtime).toBe(false);
  });

  it('the function reads back exactly what the construct writes into its environment', () => {
    const synth = parseDetectorConfig(
      (key) =>
        ({
          alertEmail: 'ops@example.com',
          quotaShare: '0.25',
          reminderIntervalHours: '6',
          surfaces: 'mfa,groups',
          rotationWindowDays: '3',
          maxSecretAgeDays: '90',
          realtime: 'true',
          realtimeDebounceSeconds: '30',
          schedule: 'rate(15 minutes)',
          ignoreRules: '{"fields":["pool.UserPoolTags"]}',
        })[key],
    );

    const environment = settingsEnvironment(synth);
    const lambda = readLambdaConfig({ ...REQUIRED, ...environment });

    expect(environment).toMatchObject({
      QUOTA_SHARE: '0.25',
      REMINDER_INTERVAL_HOURS: '6',
      SURFACES: 'groups,mfa',
      ROTATION_WINDOW_DAYS: '3',
      MAX_SECRET_AGE_DAYS: '90',
      REALTIME_ENABLED: 'true',
      REALTIME_DEBOUNCE_SECONDS: '30',
      SCHEDULE_PERIOD_MINUTES: '15',
      LOG_LEVEL: 'INFO',
      IGNORE_RULES: '{"fields":["pool.UserPoolTags"]}',
    });
    expect(lambda).toMatchObject({
      quotaShare: 0.25,
      reminderIntervalMs: 6 * 3_600_000,
      surfaces: ['groups', 'mfa'],
      secretPolicy: { rotationWindowDays: 3, maxSecretAgeDays: 90 },
      realtime: true,
      realtimeDebounceSeconds: 30,
      schedulePeriodMinutes: 15,
    });
  });

  it('writes SURFACES=none for no surfaces and leaves unset settings out', () => {
    expect(settingsEnvironment({ surfaces: [], maxSecretAgeDays: undefined })).toEqual({ SURFACES: 'none' });
  });

  it("shows each flag's default from the schema in --help", async () => {
    const io = fakeIo();

    await main(['check', '--help'], io);

    const help = io.out().replace(/\s+/g, ' ');
    expect(flagHelp('quotaShare')).toBe(
      'share of the Cognito read quotas to use: a number greater than 0 and at most 1 (default: $QUOTA_SHARE or 0.5)',
    );
    expect(help).toContain('(default: $QUOTA_SHARE or 0.5)');
    expect(help).toContain('a whole number >= 1 (default: $REMINDER_INTERVAL_HOURS or 24)');
    expect(help).toContain('(default: $SURFACES or all)');
  });
});

describe('the function environment', () => {
  it.each([
    [
      { QUOTA_SHARE: '2' },
      'QUOTA_SHARE must be a number greater than 0 and at most 1 (a share of the quota), got "2"',
    ],
    [
      { REMINDER_INTERVAL_HOURS: '1.5' },
      'REMINDER_INTERVAL_HOURS must be a whole number of hours >= 1, got "1.5"',
    ],
    [{ ROTATION_WINDOW_DAYS: '0' }, 'ROTATION_WINDOW_DAYS must be a whole number of days >= 1, got "0"'],
    [{ MAX_SECRET_AGE_DAYS: 'x' }, 'MAX_SECRET_AGE_DAYS must be a whole number of days >= 1, got "x"'],
    [
      { REALTIME_DEBOUNCE_SECONDS: '601' },
      'REALTIME_DEBOUNCE_SECONDS must be a whole number between 0 and 600, got "601"',
    ],
    [
      { SCHEDULE_PERIOD_MINUTES: '0' },
      'SCHEDULE_PERIOD_MINUTES must be a whole number between 1 and 5040, got "0"',
    ],
    [{ REALTIME_ENABLED: 'yes' }, 'REALTIME_ENABLED must be true or false, got "yes"'],
    [{ SURFACES: 'wafx' }, 'SURFACES: unknown surface "wafx" (did you mean waf?); known: identityProviders'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(configError(env)).toContain(message);
  });
});

describe('the target settings, one reading for the construct, the organization function and the CLI', () => {
  it('applies the OU rule with the names of the function environment', () => {
    expect(() =>
      readTargetSettings({ accounts: '111122223333', organizationalUnits: 'ou-ab12-cdefgh34' }, envName),
    ).toThrow(
      new ConfigError(
        'ORGANIZATIONAL_UNITS: "ou-ab12-cdefgh34" filters the accounts of an organization: it needs TARGET_ACCOUNTS = "organization"',
      ),
    );
    expect(() => readTargetSettings({ regions: 'eu-west' }, envName)).toThrow(
      'TARGET_REGIONS: "eu-west" is not a region name (like eu-west-1)',
    );
  });

  it('reads an organization with its OU filter, and the defaults when nothing is set', () => {
    expect(
      readTargetSettings(
        { accounts: 'organization', organizationalUnits: 'ou-ab12-cdefgh34', regions: 'all-enabled' },
        envName,
      ),
    ).toEqual({
      accounts: { kind: 'organization', organizationalUnits: ['ou-ab12-cdefgh34'] },
      regions: { kind: 'all-enabled' },
    });
    expect(readTargetSettings({}, envName)).toEqual({
      accounts: { kind: 'self' },
      regions: { kind: 'stack' },
    });
  });
});
