import { z } from 'zod';
import type { TrailStatus } from '../adapters/cloudtrail-reader.js';
import type { DocumentStore, Logger, Notifier } from '../core/ports.js';
import { formatSubject } from '../core/render.js';

/** When the trail check last ran, what it found, and when its notice was last sent. */
export const TRAIL_CHECK_KEY = 'state/realtime-trail.json';
const DAY_MS = 24 * 3_600_000;

const trailCheckSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('trail-check'),
  checkedAt: z.string(),
  status: z.enum(['active', 'inactive', 'unknown']),
  notice: z.strictObject({ firstAlertedAt: z.string(), lastAlertedAt: z.string() }).optional(),
});
type TrailCheckDoc = z.infer<typeof trailCheckSchema>;

export interface TrailCheckDeps {
  documents: DocumentStore;
  trailStatus: () => Promise<TrailStatus>;
  notifier: Notifier;
  logger: Logger;
  now: () => Date;
}

export interface TrailCheckOptions {
  accountId: string;
  region: string;
  reminderIntervalMs: number;
  /** @default 24 hours */
  checkIntervalMs?: number;
}

/**
 * Once a day: does a logging trail deliver management events to EventBridge in this region? If
 * not, real-time detection is silently inactive, so say so, and repeat it at the reminder interval.
 * A check that cannot tell (access denied) says nothing and tries again the next day.
 */
export async function checkTrailDaily(
  deps: TrailCheckDeps,
  options: TrailCheckOptions,
): Promise<TrailCheckDoc['status'] | 'not-due'> {
  const now = deps.now();
  const previous = await read(deps.documents);
  if (previous && now.getTime() - Date.parse(previous.doc.checkedAt) < (options.checkIntervalMs ?? DAY_MS))
    return 'not-due';
  const status = await deps.trailStatus();
  const doc: TrailCheckDoc = {
    formatVersion: 1,
    kind: 'trail-check',
    checkedAt: now.toISOString(),
    status: status.status,
  };
  if (status.status === 'unknown')
    deps.logger.warn('Could not tell whether a trail logs management events', { reason: status.reason });
  if (status.status === 'inactive') {
    const notice = previous?.doc.notice;
    const due = !notice || now.getTime() - Date.parse(notice.lastAlertedAt) >= options.reminderIntervalMs;
    if (due) await deps.notifier.publish(renderRealtimeInactive(options));
    doc.notice = {
      firstAlertedAt: notice?.firstAlertedAt ?? now.toISOString(),
      lastAlertedAt: due ? now.toISOString() : (notice?.lastAlertedAt ?? now.toISOString()),
    };
  } else if (status.status === 'unknown' && previous?.doc.notice) doc.notice = previous.doc.notice;
  await deps.documents.put(
    TRAIL_CHECK_KEY,
    JSON.stringify(doc, null, 2),
    previous ? { ifMatch: previous.etag } : { ifNoneMatch: '*' },
  );
  return status.status;
}

export function renderRealtimeInactive(ctx: { accountId: string; region: string }) {
  return {
    subject: formatSubject(ctx, `Real-time detection inactive in ${ctx.region}: no trail`),
    body: [
      `real-time detection inactive: no trail logs management events in ${ctx.region}`,
      '',
      `EventBridge receives Cognito API calls ("AWS API Call via CloudTrail") only where a CloudTrail trail`,
      `logs management events. Until one does in account ${ctx.accountId}, drift is found by the scheduled`,
      'sweep alone, up to one schedule period late. Create a trail (a multi-Region trail covers every',
      'Region), or start logging on the existing one.',
    ].join('\n'),
    attributes: { kind: 'realtime-inactive', severity: 'MEDIUM', poolIds: [] },
  };
}

async function read(documents: DocumentStore): Promise<{ doc: TrailCheckDoc; etag: string } | undefined> {
  const object = await documents.get(TRAIL_CHECK_KEY);
  if (!object) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(object.body);
  } catch {
    parsed = undefined;
  }
  const result = trailCheckSchema.safeParse(parsed);
  // The detector's own bookkeeping: an unusable one is rewritten by this check.
  return result.success
    ? { doc: result.data, etag: object.etag }
    : {
        doc: {
          formatVersion: 1,
          kind: 'trail-check',
          checkedAt: '1970-01-01T00:00:00.000Z',
          status: 'unknown',
        },
        etag: object.etag,
      };
}
