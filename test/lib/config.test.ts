import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CognitoDriftDetector, type CognitoDriftDetectorProps } from '../../lib/cognito-drift-detector.js';
import {
  type ContextReader,
  checkContextKeys,
  DEFAULTS,
  DetectorConfigError,
  isOrganizationMode,
  parseDetectorConfig,
  parseMemberRoleTemplate,
  parseSchedule,
  resolveDetectorSettings,
  targetSelection,
} from '../../lib/config.js';
import { documentedSurfaces } from '../support/documented-surfaces.js';

/** A context reader over a plain object, the way `app.node.tryGetContext` answers. */
function context(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

function parseError(values: Record<string, unknown>): DetectorConfigError {
  try {
    parseDetectorConfig(context(values));
  } catch (error) {
    if (error instanceof DetectorConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
}

describe('parseDetectorConfig', () => {
  it('applies every default when only alertEmail is given', () => {
    const { surfaces, ...settings } = parseDetectorConfig(context({ alertEmail: 'ops@example.com' }));

    // Every documented surface is watched by default, each once.
    expect([...surfaces].sort()).toEqual(documentedSurfaces());
    expect(settings).toEqual({
      alertEmails: ['ops@example.com'],
      schedule: 'rate(1 hour)',
      schedulePeriodMinutes: 60,
      quotaShare: 0.5,
      reminderIntervalHours: 24,
      lambdaMemoryMb: 512,
      lambdaTimeoutSeconds: 900,
      logRetentionDays: 90,
      logLevel: 'INFO',
      noncurrentVersionExpirationDays: 365,
      reportExpirationDays: 90,
      maxInvocationsPerRun: 50,
      rotationWindowDays: 7,
      deployedChanges: 'alert',
      realtime: true,
      realtimeDebounceSeconds: 60,
      chatTopic: false,
      events: true,
      securityHub: false,
      accounts: 'self',
      regions: 'stack',
      maxConcurrentTargets: 10,
      memberRoleName: 'CognitoDriftMemberRole',
    });
    expect(settings.ignoreRules).toBeUndefined();
  });

  it.each([
    [
      '-waf,-uiCustomization',
      documentedSurfaces().filter((name) => !['waf', 'uiCustomization'].includes(name)),
    ],
    ['mfa,groups', ['groups', 'mfa']],
    ['none', []],
  ])('resolves surfaces=%s', (surfaces, expected) => {
    expect(
      [...parseDetectorConfig(context({ alertEmail: 'ops@example.com', surfaces })).surfaces].sort(),
    ).toEqual(expected);
  });

  it.each([
    ['-wafx', 'unknown surface "wafx" (did you mean waf?)'],
    ['mfa,-waf', 'not both'],
    ['identityproviders', 'did you mean identityProviders?'],
  ])('rejects surfaces=%s, naming the context key', (surfaces, message) => {
    expect(() => parseDetectorConfig(context({ alertEmail: 'ops@example.com', surfaces }))).toThrow(
      new RegExp(`context "surfaces".*${message.replace(/[()?]/g, '\\$&')}`),
    );
  });

  it('rejects a rotation window that is not a whole number of days', () => {
    expect(() =>
      parseDetectorConfig(context({ alertEmail: 'ops@example.com', rotationWindowDays: '0' })),
    ).toThrow(/context "rotationWindowDays"/);
  });

  it('reads realtime=false and a debounce window from the command line', () => {
    const settings = parseDetectorConfig(
      context({ alertEmail: 'ops@example.com', realtime: 'false', realtimeDebounceSeconds: '30' }),
    );

    expect(settings).toMatchObject({ realtime: false, realtimeDebounceSeconds: 30 });
  });

  it('splits a comma-separated alertEmail and trims each address', () => {
    const settings = parseDetectorConfig(context({ alertEmail: ' a@example.com, b@example.org ,' }));

    expect(settings.alertEmails).toEqual(['a@example.com', 'b@example.org']);
  });

  it('accepts a list of addresses from cdk.json', () => {
    const settings = parseDetectorConfig(context({ alertEmail: ['a@example.com', 'b@example.org'] }));

    expect(settings.alertEmails).toEqual(['a@example.com', 'b@example.org']);
  });

  it('reads numbers given as strings (-c key=value) and as numbers (cdk.json) alike', () => {
    const fromCli = parseDetectorConfig(
      context({
        alertEmail: 'a@example.com',
        quotaShare: '0.25',
        lambdaMemoryMb: '1024',
        logRetentionDays: '30',
      }),
    );
    const fromJson = parseDetectorConfig(
      context({ alertEmail: 'a@example.com', quotaShare: 0.25, lambdaMemoryMb: 1024, logRetentionDays: 30 }),
    );

    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({ quotaShare: 0.25, lambdaMemoryMb: 1024, logRetentionDays: 30 });
  });

  it('parses ignoreRules from a JSON string and accepts an object from cdk.json', () => {
    const rules = { fields: ['pool.MfaConfiguration'], pools: ['eu-west-1_abc'], clients: [] };

    expect(
      parseDetectorConfig(context({ alertEmail: 'a@b.co', ignoreRules: JSON.stringify(rules) })).ignoreRules,
    ).toEqual(rules);
    expect(parseDetectorConfig(context({ alertEmail: 'a@b.co', ignoreRules: rules })).ignoreRules).toEqual(
      rules,
    );
  });

  it('takes posture accept rules in ignoreRules, for the function to read', () => {
    const rules = {
      fields: [],
      pools: [],
      clients: [],
      posture: [{ control: 'Cognito.6', resource: 'us-east-1_Sandbox*', reason: 'torn down nightly' }],
    };

    expect(parseDetectorConfig(context({ alertEmail: 'a@b.co', ignoreRules: rules })).ignoreRules).toEqual(
      rules,
    );
  });

  it('upper-cases logLevel', () => {
    expect(parseDetectorConfig(context({ alertEmail: 'a@b.co', logLevel: 'debug' })).logLevel).toBe('DEBUG');
  });

  it('takes the schedule period from schedulePeriodMinutes when the cron runs on some days only', () => {
    const settings = parseDetectorConfig(
      context({ alertEmail: 'a@b.co', schedule: 'cron(0 8 ? * MON-FRI *)', schedulePeriodMinutes: '4320' }),
    );

    expect(settings).toMatchObject({ schedule: 'cron(0 8 ? * MON-FRI *)', schedulePeriodMinutes: 4320 });
  });

  it.each([
    [
      { alertEmail: undefined },
      'alertEmail',
      'Missing context "alertEmail": pass -c alertEmail=you@example.com',
    ],
    [{ alertEmail: '' }, 'alertEmail', 'Missing context "alertEmail"'],
    [
      { alertEmail: ' , ' },
      'alertEmail',
      'Invalid context "alertEmail": at least one email address is required',
    ],
    [{ alertEmail: 'bob@' }, 'alertEmail', 'Invalid context "alertEmail": "bob@" is not an email address'],
    [{ alertEmail: 'a@b.co;c@d.co' }, 'alertEmail', '"a@b.co;c@d.co" is not an email address'],
    [{ alertEmail: 'a@b.co,A@b.co' }, 'alertEmail', '"A@b.co" is listed twice'],
    [{ alertEmail: 42 }, 'alertEmail', 'must be a comma-separated string'],
    [{ schedule: 'rate(1 hours)' }, 'schedule', 'write rate(1 hour)'],
    [{ schedule: 'rate(5 minute)' }, 'schedule', 'write rate(5 minutes)'],
    [{ schedule: 'rate(0 minutes)' }, 'schedule', 'at least 1'],
    [{ schedule: 'rate(1 week)' }, 'schedule', 'expected rate(N'],
    [{ schedule: 'every hour' }, 'schedule', 'expected rate(N'],
    [{ schedule: 'cron(0 * * * *)' }, 'schedule', 'needs 6 fields'],
    [{ schedule: 'cron(0 8 * * MON *)' }, 'schedule', '"?" in either the day-of-month or the day-of-week'],
    [{ schedule: 'rate(4 days)' }, 'schedule', 'at most 5040 minutes'],
    [{ schedule: 'cron(0 8 ? * MON *)' }, 'schedulePeriodMinutes', 'is required with "cron(0 8 ? * MON *)"'],
    [{ schedulePeriodMinutes: '30' }, 'schedulePeriodMinutes', '30 is shorter than the 60 minutes'],
    [
      { schedulePeriodMinutes: 6000, schedule: 'cron(0 8 ? * MON *)' },
      'schedulePeriodMinutes',
      'between 1 and 5040',
    ],
    [{ quotaShare: '0' }, 'quotaShare', 'greater than 0 and at most 1'],
    [{ quotaShare: 1.5 }, 'quotaShare', 'greater than 0 and at most 1'],
    [{ quotaShare: 'half' }, 'quotaShare', '"half" is not a number'],
    [{ quotaShare: '' }, 'quotaShare', 'is not a number'],
    [{ reminderIntervalHours: '1.5' }, 'reminderIntervalHours', 'whole number >= 1'],
    [{ reminderIntervalHours: 0 }, 'reminderIntervalHours', 'whole number >= 1'],
    [{ lambdaMemoryMb: '64' }, 'lambdaMemoryMb', 'between 128 and 10240'],
    [{ lambdaMemoryMb: 20000 }, 'lambdaMemoryMb', 'between 128 and 10240'],
    [{ lambdaTimeoutSeconds: 901 }, 'lambdaTimeoutSeconds', 'between 1 and 900'],
    [{ logRetentionDays: '45' }, 'logRetentionDays', 'not a CloudWatch Logs retention'],
    [{ logRetentionDays: 9999 }, 'logRetentionDays', 'not a CloudWatch Logs retention'],
    [{ logLevel: 'VERBOSE' }, 'logLevel', 'must be one of TRACE, DEBUG'],
    [{ ignoreRules: '{not json' }, 'ignoreRules', 'is not valid JSON'],
    [{ ignoreRules: '["a"]' }, 'ignoreRules', 'must be a JSON object'],
    [{ ignoreRules: 'null' }, 'ignoreRules', 'must be a JSON object'],
    [{ ignoreRules: JSON.stringify({ fields: ['y'.repeat(4000)] }) }, 'ignoreRules', 'Lambda allows 4 KB'],
    [{ ignoreRules: JSON.stringify({ fields: 'pool.X' }) }, 'ignoreRules', 'fields:'],
    [{ ignoreRules: JSON.stringify({ feilds: ['pool.X'] }) }, 'ignoreRules', 'feilds'],
    [
      { ignoreRules: JSON.stringify({ posture: [{ control: 'Cognito.6', resource: 'us-east-1_A' }] }) },
      'ignoreRules',
      'posture.0.reason',
    ],
    [{ noncurrentVersionExpirationDays: '0' }, 'noncurrentVersionExpirationDays', 'whole number >= 1'],
    [{ reportExpirationDays: 'soon' }, 'reportExpirationDays', 'is not a number'],
    [{ maxInvocationsPerRun: 0 }, 'maxInvocationsPerRun', 'between 1 and 1000'],
    [{ realtime: 'yes' }, 'realtime', 'must be true or false'],
    [{ realtimeDebounceSeconds: '601' }, 'realtimeDebounceSeconds', 'between 0 and 600'],
    [{ realtimeDebounceSeconds: '-1' }, 'realtimeDebounceSeconds', 'between 0 and 600'],
    [
      { realtimeDebounceSeconds: '100', lambdaTimeoutSeconds: '120' },
      'realtimeDebounceSeconds',
      'less than 60 s',
    ],
  ])('rejects %j naming context "%s"', (values, key, message) => {
    const error = parseError({ alertEmail: 'ops@example.com', ...values });

    expect(error.setting).toBe(`context "${key}"`);
    expect(error.message).toContain(`context "${key}"`);
    expect(error.message).toContain(message);
  });
});

describe('parseSchedule', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(15 minutes)', 15],
    ['rate(1 hour)', 60],
    ['rate(6 hours)', 360],
    ['rate(1 day)', 1440],
    ['rate(3 days)', 4320],
  ])('derives the period of %s', (expression, minutes) => {
    expect(parseSchedule(expression)).toEqual({ expression, periodMinutes: minutes });
  });

  it.each([
    ['cron(0 * * * ? *)', 60],
    ['cron(15 3 * * ? *)', 1440],
    ['cron(0/15 * * * ? *)', 15],
    ['cron(*/10 * ? * * *)', 10],
    ['cron(0 0/6 * * ? *)', 360],
    ['cron(0 8,20 * * ? *)', 720],
    ['cron(0 9-17 * * ? *)', 960],
    ['cron(30/40 * * * ? *)', 60],
  ])('derives the longest gap of the daily cron %s', (expression, minutes) => {
    expect(parseSchedule(expression)).toEqual({ expression, periodMinutes: minutes });
  });

  it.each([
    'cron(0 8 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0 8 * 1-6 ? *)',
    'cron(0 8 * * ? 2027)',
    'cron(0 L * * ? *)',
  ])('leaves the period of %s to schedulePeriodMinutes', (expression) => {
    expect(parseSchedule(expression)).toEqual({ expression, periodMinutes: undefined });
  });
});

describe('resolveDetectorSettings', () => {
  it('names the construct prop, not the context key, in its errors', () => {
    expect(() => resolveDetectorSettings({ alertEmails: ['bob@'] })).toThrow(
      'Invalid CognitoDriftDetector prop "alertEmails": "bob@" is not an email address',
    );
    expect(() => resolveDetectorSettings({ alertEmails: [] })).toThrow(
      'Invalid CognitoDriftDetector prop "alertEmails": at least one email address',
    );
  });

  it('keeps explicit values and fills the rest from DEFAULTS', () => {
    const settings = resolveDetectorSettings({ alertEmails: ['a@b.co'], quotaShare: 1, logLevel: 'WARN' });

    expect(settings).toMatchObject({
      quotaShare: 1,
      logLevel: 'WARN',
      lambdaMemoryMb: DEFAULTS.lambdaMemoryMb,
    });
  });
});

describe('checkContextKeys', () => {
  it.each([
    ['quotashare', 'quotaShare'],
    ['lambdaMemoryMB', 'lambdaMemoryMb'],
    ['scheduel', 'schedule'],
    ['alertEmails', 'alertEmail'],
    ['maxConcurrentTarget', 'maxConcurrentTargets'],
    ['organisationalUnits', 'organizationalUnits'],
    ['memberRolename', 'memberRoleName'],
    ['externalID', 'externalId'],
    ['Accounts', 'accounts'],
    ['memberRoleTemplates', 'memberRoleTemplate'],
  ])('refuses %s, suggesting %s', (key, suggestion) => {
    expect(() => checkContextKeys([key])).toThrow(
      `Unknown setting context "${key}": did you mean ${suggestion}?`,
    );
  });

  it("accepts our keys, CDK's own keys and the app's unrelated keys", () => {
    expect(() =>
      checkContextKeys([
        'quotaShare',
        'alertEmail',
        '@aws-cdk/core:checkSecretUsage',
        'aws:cdk:bundling-stacks',
        'availability-zones:account=123456789012:region=eu-west-1',
        'acknowledged-issue-numbers',
        'deploymentStage',
        'accounts',
        'regions',
        'organizationalUnits',
        'maxConcurrentTargets',
        'memberRoleName',
        'externalId',
        'memberRoleTemplate',
      ]),
    ).not.toThrow();
  });
});

describe('chatTopic', () => {
  const ctx =
    (values: Record<string, unknown>): ContextReader =>
    (key) =>
      ({ alertEmail: 'a@example.com', ...values })[key];

  it.each([
    ['true', true],
    ['false', false],
    [true, true],
  ])('reads %j from context as %j', (value, expected) => {
    expect(parseDetectorConfig(ctx({ chatTopic: value })).chatTopic).toBe(expected);
  });

  it('refuses anything else, naming the key', () => {
    expect(() => parseDetectorConfig(ctx({ chatTopic: 'yes' }))).toThrow(
      'Invalid context "chatTopic": "yes" must be true or false',
    );
  });
});

describe('accounts, regions and the organization settings', () => {
  const ctx =
    (values: Record<string, unknown>): ContextReader =>
    (key) =>
      ({ alertEmail: 'a@example.com', ...values })[key];

  it('defaults to the own account and region: not organization mode', () => {
    const settings = parseDetectorConfig(ctx({}));

    expect(settings).toMatchObject({ accounts: 'self', regions: 'stack', maxConcurrentTargets: 10 });
    expect(settings.organizationalUnits).toBeUndefined();
    expect(settings.externalId).toBeUndefined();
    expect(isOrganizationMode(settings)).toBe(false);
  });

  it('reads -c accounts=organization -c regions=all-enabled with OUs, concurrency, role and external id', () => {
    const settings = parseDetectorConfig(
      ctx({
        accounts: 'organization',
        regions: 'all-enabled',
        organizationalUnits: 'ou-ab12-cdefgh34, ou-ab12-ijklmn56',
        maxConcurrentTargets: '25',
        memberRoleName: 'DriftReader',
        externalId: 'cognito-drift-7f3a',
        organizationId: 'o-abc123defg',
      }),
    );

    expect(settings).toMatchObject({
      accounts: 'organization',
      regions: 'all-enabled',
      organizationalUnits: ['ou-ab12-cdefgh34', 'ou-ab12-ijklmn56'],
      maxConcurrentTargets: 25,
      memberRoleName: 'DriftReader',
      externalId: 'cognito-drift-7f3a',
      organizationId: 'o-abc123defg',
    });
    expect(isOrganizationMode(settings)).toBe(true);
    expect(targetSelection(settings)).toEqual({
      accounts: { kind: 'organization', organizationalUnits: ['ou-ab12-cdefgh34', 'ou-ab12-ijklmn56'] },
      regions: { kind: 'all-enabled' },
    });
  });

  it('takes lists as comma-separated strings (-c) and as lists (cdk.json) alike', () => {
    const fromFlag = parseDetectorConfig(
      ctx({ accounts: '111122223333, 444455556666', regions: 'eu-west-1', organizationId: 'o-abc123defg' }),
    );
    const fromJson = parseDetectorConfig(
      ctx({
        accounts: ['111122223333', '444455556666'],
        regions: ['eu-west-1'],
        organizationId: 'o-abc123defg',
      }),
    );

    expect(fromFlag).toMatchObject({ accounts: '111122223333,444455556666', regions: 'eu-west-1' });
    expect(fromJson).toEqual(fromFlag);
    expect(isOrganizationMode(fromFlag)).toBe(true);
  });

  it('is organization mode with the own account in several regions too', () => {
    expect(isOrganizationMode(parseDetectorConfig(ctx({ regions: 'eu-west-1,us-east-1' })))).toBe(true);
    expect(isOrganizationMode(parseDetectorConfig(ctx({ accounts: 'self', regions: 'stack' })))).toBe(false);
  });

  it.each([
    [
      { accounts: '12345' },
      'Invalid context "accounts": "12345" is not an account id (12 digits), "self" or "organization"',
    ],
    [
      { accounts: '111122223333,111122223333' },
      'Invalid context "accounts": account 111122223333 is listed twice',
    ],
    [{ accounts: [] }, 'Invalid context "accounts": is an empty list'],
    [
      { accounts: 42 },
      'Invalid context "accounts": "42" must be a comma-separated string or a list of strings',
    ],
    [{ regions: 'eu-west' }, 'Invalid context "regions": "eu-west" is not a region name (like eu-west-1)'],
    [{ regions: 'all' }, 'Invalid context "regions": "all" is not a region name (like eu-west-1)'],
    [
      { accounts: 'organization', organizationalUnits: 'r-abcd' },
      'Invalid context "organizationalUnits": "r-abcd" is not an organizational unit id (ou-xxxx-xxxxxxxx)',
    ],
    [
      { organizationalUnits: 'ou-ab12-cdefgh34' },
      'Invalid context "organizationalUnits": "ou-ab12-cdefgh34" filters the accounts of an organization: it needs context "accounts" = "organization"',
    ],
    [
      { accounts: '111122223333', organizationalUnits: ['ou-ab12-cdefgh34'] },
      'Invalid context "organizationalUnits": "ou-ab12-cdefgh34" filters the accounts of an organization: it needs context "accounts" = "organization"',
    ],
    [
      { maxConcurrentTargets: '0' },
      'Invalid context "maxConcurrentTargets": "0" must be a whole number between 1 and 1000',
    ],
    [
      { maxConcurrentTargets: '2.5' },
      'Invalid context "maxConcurrentTargets": "2.5" must be a whole number between 1 and 1000',
    ],
    [
      { memberRoleName: 'role/Drift' },
      'Invalid context "memberRoleName": "role/Drift" must be an IAM role name: 1 to 64 of A-Z a-z 0-9 and +=,.@_-',
    ],
    [
      { externalId: 'x' },
      'Invalid context "externalId": "x" must be an external id: 2 to 1224 of A-Z a-z 0-9 and +=,.@:/_-',
    ],
  ])('refuses %j, naming the context key', (values, message) => {
    expect(parseError({ alertEmail: 'a@example.com', ...values }).message).toBe(message);
  });

  it('names the construct prop in the errors of the construct', () => {
    expect(() =>
      resolveDetectorSettings({
        alertEmails: ['a@b.co'],
        regions: 'stack',
        organizationalUnits: ['ou-ab12-cdefgh34'],
      }),
    ).toThrow(
      'Invalid CognitoDriftDetector prop "organizationalUnits": "ou-ab12-cdefgh34" filters the accounts of an ' +
        'organization: it needs CognitoDriftDetector prop "accounts" = "organization"',
    );
    expect(() =>
      resolveDetectorSettings({ alertEmails: ['a@b.co'], accounts: ['self', 'organization'] }),
    ).toThrow(/^Invalid CognitoDriftDetector prop "accounts": /);
  });

  it('gives settings the construct accepts back as props (what the app does)', () => {
    const settings = parseDetectorConfig(
      ctx({
        accounts: 'organization',
        organizationalUnits: 'ou-ab12-cdefgh34',
        regions: 'eu-west-1,us-east-1',
        organizationId: 'o-abc123defg',
      }),
    );

    expect(resolveDetectorSettings(settings)).toEqual(settings);
  });
});

describe('parseMemberRoleTemplate', () => {
  it('is off unless memberRoleTemplate is true', () => {
    expect(parseMemberRoleTemplate(() => undefined)).toBeUndefined();
    expect(
      parseMemberRoleTemplate((key) => (key === 'memberRoleTemplate' ? 'false' : undefined)),
    ).toBeUndefined();
  });

  it('takes the role name from memberRoleName, with its default', () => {
    expect(parseMemberRoleTemplate((key) => ({ memberRoleTemplate: 'true' })[key])).toEqual({
      roleName: 'CognitoDriftMemberRole',
    });
    expect(
      parseMemberRoleTemplate((key) => ({ memberRoleTemplate: true, memberRoleName: 'DriftReader' })[key]),
    ).toEqual({ roleName: 'DriftReader' });
  });

  it('refuses a value other than true or false, and a bad role name', () => {
    expect(() => parseMemberRoleTemplate((key) => ({ memberRoleTemplate: 'yes' })[key])).toThrow(
      'Invalid context "memberRoleTemplate": "yes" must be true or false',
    );
    expect(() =>
      parseMemberRoleTemplate((key) => ({ memberRoleTemplate: 'true', memberRoleName: 'a b' })[key]),
    ).toThrow(/^Invalid context "memberRoleName": "a b" must be an IAM role name/);
  });
});

describe('construct props in a JavaScript app (no type checker)', () => {
  const resolveUntyped = (props: unknown) => () =>
    resolveDetectorSettings(props as Parameters<typeof resolveDetectorSettings>[0]);

  it.each([
    ['alertEmial', 'alertEmails'],
    ['alertEmail', 'alertEmails'],
    ['quotashare', 'quotaShare'],
    ['memberRolename', 'memberRoleName'],
  ])('refuses the misspelt prop %s, suggesting %s', (typo, suggestion) => {
    expect(resolveUntyped({ [typo]: ['ops@example.com'] })).toThrow(
      `Unknown CognitoDriftDetector prop "${typo}": did you mean ${suggestion}?`,
    );
  });

  it('stops the construct itself before it builds anything', () => {
    const stack = new Stack(new App(), 'Platform');
    const props = { alertEmial: ['ops@example.com'] } as unknown as CognitoDriftDetectorProps;

    expect(() => new CognitoDriftDetector(stack, 'Detector', props)).toThrow(
      new DetectorConfigError(
        'CognitoDriftDetector prop "alertEmial"',
        'Unknown CognitoDriftDetector prop "alertEmial": did you mean alertEmails?',
      ),
    );
    expect(stack.node.tryFindChild('Detector')?.node.children ?? []).toEqual([]);
  });

  it('refuses a prop that is no setting, listing the props', () => {
    expect(resolveUntyped({ alertEmails: ['ops@example.com'], bucketName: 'x' })).toThrow(
      /^Unknown CognitoDriftDetector prop "bucketName": the props are alertEmails, schedule, /,
    );
  });

  it('names the missing alertEmails instead of failing on undefined', () => {
    expect(resolveUntyped({ quotaShare: 0.5 })).toThrow(
      'Missing CognitoDriftDetector prop "alertEmails": addresses that receive drift alerts',
    );
    expect(resolveUntyped(undefined)).toThrow('CognitoDriftDetector needs props');
  });

  it('refuses a value of the wrong type with the rule, not a stack trace', () => {
    expect(resolveUntyped({ alertEmails: 'ops@example.com' })).toThrow(
      'Invalid CognitoDriftDetector prop "alertEmails": "ops@example.com" must be a list of strings',
    );
    expect(resolveUntyped({ alertEmails: ['ops@example.com'], realtime: 'yes' })).toThrow(
      'Invalid CognitoDriftDetector prop "realtime": "yes" must be true or false',
    );
  });
});

describe('the construct props type', () => {
  // A hang guard, not a speed goal: the type checker loads the SDK types the surfaces import.
  it("carries each setting's documentation and @default from the schema, as an editor shows them", {
    timeout: 120_000,
  }, () => {
    // The props are Readonly<SettingsInput> (lib/config.ts); the CDK types would take a minute to load here.
    const probe = fileURLToPath(new URL('../../lambda/props-probe.ts', import.meta.url));
    const source =
      "import type { SettingsInput } from './settings-schema.js';\nexport declare const p: Readonly<SettingsInput>;\n";
    const host = ts.createCompilerHost({});
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language) =>
      file === probe ? ts.createSourceFile(file, source, language) : read(file, language);
    const program = ts.createProgram(
      [probe],
      {
        module: ts.ModuleKind.Preserve,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        strict: true,
        skipLibCheck: true,
        // Only zod's types and the language's own: no @types/node, no DOM.
        types: [],
        lib: ['lib.es2022.d.ts'],
        noEmit: true,
      },
      host,
    );
    const checker = program.getTypeChecker();
    const declaration = program.getSourceFile(probe)?.statements[1] as ts.VariableStatement;
    const props = checker.getTypeAtLocation(declaration.declarationList.declarations[0] as ts.Node);
    const doc = (name: string) => {
      const symbol = props.getProperty(name);
      return {
        text: symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)) : undefined,
        default: symbol?.getJsDocTags(checker).find((tag) => tag.name === 'default'),
      };
    };

    expect(doc('alertEmails').text).toMatch(/^Addresses that receive drift alerts/);
    expect(doc('quotaShare').text).toMatch(/^Share of the account's Cognito read quotas/);
    expect(ts.displayPartsToString(doc('quotaShare').default?.text)).toBe('0.5');
    expect(ts.displayPartsToString(doc('schedule').default?.text)).toBe("'rate(1 hour)'");
    expect(doc('memberRoleName').text).toMatch(/member role's name/);
  });
});
