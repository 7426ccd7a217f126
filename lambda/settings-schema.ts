/**
 * The detector's settings as one schema: the table of settings (`settings-table.ts`: each setting's
 * type, range, default, documentation and where else it is read) with the rules between settings
 * (`settings-rules.ts`). The construct's props type is this schema's input (`z.input`), its resolved
 * settings the output of parsing it; the CDK context, the function's environment and the CLI flags
 * are read through it.
 *
 * Pure (no CDK, no AWS, no process.env), so the function bundles carry it.
 */
import { z } from 'zod';
import { formatAccountSelection, formatRegionSelection } from './org/target.js';
import {
  checkEmails,
  checkIgnoreRules,
  SettingRuleError,
  schedulePeriod,
  surfaceNames,
  targetSelectionOf,
} from './settings-rules.js';
import { SETTINGS, type SettingLabel } from './settings-table.js';

type Parsed = z.output<z.ZodObject<typeof SETTINGS>>;

/** The rules between settings and the resolved forms (surface names, normalized target lists). */
function resolve(values: Parsed, label: SettingLabel) {
  checkEmails(values.alertEmails);
  if (values.ignoreRules !== undefined) checkIgnoreRules(values.ignoreRules);
  const timeout = values.lambdaTimeoutSeconds;
  if (values.realtimeDebounceSeconds > timeout - 60) {
    throw new SettingRuleError(
      'realtimeDebounceSeconds',
      `${values.realtimeDebounceSeconds} leaves the check less than 60 s of the ${timeout} s function timeout: the ` +
        `function waits the window before it checks; shorten the window or raise ${label('lambdaTimeoutSeconds')}`,
    );
  }
  const schedulePeriodMinutes = schedulePeriod(values.schedule, values.schedulePeriodMinutes);
  const surfaces = surfaceNames(values.surfaces);
  const { accounts, regions } = targetSelectionOf(values, label);
  const { organizationalUnits: _ous, ...rest } = values;
  const ous = accounts.kind === 'organization' ? accounts.organizationalUnits : [];
  return {
    ...rest,
    schedulePeriodMinutes,
    surfaces,
    /** Which accounts are scanned, normalized: `self`, `organization` or `111122223333,444455556666`. */
    accounts: formatAccountSelection(accounts),
    /** Which regions are scanned, normalized: `stack`, `all-enabled` or `eu-west-1,us-east-1`. */
    regions: formatRegionSelection(regions),
    ...(ous.length > 0 ? { organizationalUnits: ous as readonly string[] } : {}),
  };
}

/**
 * The settings as one schema: parsing applies the defaults, checks each setting's type and range,
 * then the rules between settings, and gives the resolved settings. Each rule's message names other
 * settings with `label`, the way the caller's user wrote them.
 */
export function settingsSchema(label: SettingLabel = (name) => name) {
  return z.object(SETTINGS).transform((values, ctx) => {
    try {
      return resolve(values, label);
    } catch (error) {
      if (!(error instanceof SettingRuleError)) throw error;
      ctx.addIssue({ code: 'custom', path: [error.setting], message: error.detail, input: values });
      return z.NEVER;
    }
  });
}

/** The settings as given (construct props, context after coercion): every setting optional but `alertEmails`. */
export type SettingsInput = z.input<ReturnType<typeof settingsSchema>>;
/** The settings with defaults applied and rules checked: what the stack is built from. */
export type ResolvedSettings = z.output<ReturnType<typeof settingsSchema>>;
