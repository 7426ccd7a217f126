/**
 * EventBridge schedule expressions: validation and the longest gap between two runs. Pure, so the
 * CDK app (which validates `schedule`) and the function (which needs the period when none is
 * configured) share it.
 */

/**
 * The longest schedule period the missed-run alarm can watch. The alarm evaluates two periods, and
 * CloudWatch caps `Period x EvaluationPeriods` at 7 days (604,800 s) for periods of an hour or more,
 * so a period may be at most 3.5 days.
 */
export const MAX_SCHEDULE_PERIOD_MINUTES = 5040;

/** A validated schedule expression and the longest gap, in minutes, between two of its runs. */
export interface ParsedSchedule {
  readonly expression: string;
  /** Undefined when the gap cannot be derived (a cron expression restricted to some days). */
  readonly periodMinutes: number | undefined;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/**
 * Validates an EventBridge schedule expression: `rate(N unit)` (singular unit when N is 1, plural
 * otherwise, as EventBridge requires) or `cron(...)` with six fields. Derives the period for every
 * rate and for crons that fire every day (day-of-month, month, day-of-week and year all `*` or `?`).
 * Returns a reason string instead of throwing so callers can name their own setting.
 */
export function parseSchedule(expression: string): ParsedSchedule | string {
  const rate = RATE.exec(expression);
  if (rate) {
    const count = Number(rate[1]);
    const unit = rate[2]!;
    if (count < 1) return 'a rate must be at least 1';
    const singular = !unit.endsWith('s');
    if (count === 1 && !singular)
      return `write rate(1 ${unit.slice(0, -1)}): EventBridge wants the singular for 1`;
    if (count > 1 && singular) return `write rate(${count} ${unit}s): EventBridge wants the plural above 1`;
    return { expression, periodMinutes: count * UNIT_MINUTES[singular ? unit : unit.slice(0, -1)]! };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      return `a cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
    }
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (dayOfMonth !== '?' && dayOfWeek !== '?') {
      return 'EventBridge needs "?" in either the day-of-month or the day-of-week field';
    }
    const everyDay = [dayOfMonth, month, dayOfWeek, year].every((field) => field === '*' || field === '?');
    return { expression, periodMinutes: everyDay ? dailyCronPeriod(minutes, hours) : undefined };
  }
  return 'expected rate(N minute|minutes|hour|hours|day|days) or cron(minutes hours day-of-month month day-of-week year)';
}

/**
 * The longest gap between two firings of a cron that fires every day, or undefined when the minutes
 * or hours field uses syntax this does not expand.
 */
function dailyCronPeriod(minutesField: string, hoursField: string): number | undefined {
  const minutes = expandCronField(minutesField, 60);
  const hours = expandCronField(hoursField, 24);
  if (!minutes || !hours) return undefined;
  const firings = hours.flatMap((hour) => minutes.map((minute) => hour * 60 + minute));
  // Cyclic: the gap from the last firing of a day to the first of the next.
  return Math.max(...firings.map((firing, i) => (firings[i + 1] ?? (firings[0] ?? 0) + 1440) - firing));
}

/** Expands `*`, `n`, `a-b`, `a/n`, `* /n`, `a-b/n` and comma lists into sorted values in [0, size). */
function expandCronField(field: string, size: number): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const start = match[1] === '*' ? 0 : Number(match[2]);
    const end = match[3] !== undefined ? Number(match[3]) : match[1] === '*' || match[4] ? size - 1 : start;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (start >= size || end >= size || start > end || step < 1) return undefined;
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}
