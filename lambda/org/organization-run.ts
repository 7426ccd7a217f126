import { z } from 'zod';
import { CognitoReader } from '../adapters/cognito-reader.js';
import { DriftStore } from '../adapters/drift-store.js';
import { forEachConcurrently } from '../concurrency.js';
import { applyAlertMarks, type PendingAlertMarks } from '../core/alert-marks.js';
import type { Attributor } from '../core/attribution.js';
import { canonicalJson } from '../core/canonical.js';
import type { DocumentStore, Logger, MetricsSink, Notifier, PoolReader } from '../core/ports.js';
import { hasAlerts } from '../core/run-alerts.js';
import { METRIC } from '../core/telemetry.js';
import { ConflictError } from '../errors.js';
import { isCloudTrailApiEvent } from '../realtime/api-event.js';
import type { RealtimeOutcome } from '../realtime/targeted-check.js';
import { DEFAULTS } from '../settings.js';
import { aggregateMessages, unreachableFingerprint } from './aggregate.js';
import {
  type AggregateInput,
  type ChildInput,
  type ChildOutput,
  childInputSchema,
  type ListInput,
  type ListOutput,
  organizationEventSchema,
  scanTargetSchema,
  unreachableSchema,
} from './contract.js';
import type { TargetCredentials } from './credentials.js';
import { type AccountPort, listTargets, type OrganizationsPort } from './list-targets.js';
import { handleMemberEvent } from './member-events.js';
import { migrateSingleTargetLayout } from './migrate.js';
import {
  organizationRunKeys,
  type ScanTargetOptions,
  scanTarget,
  type TargetOutcome,
} from './scan-target.js';
import {
  type AccountSelection,
  type RegionSelection,
  type ScanTarget,
  targetName,
  type UnreachableTarget,
} from './target.js';
import { TargetDocumentStore } from './target-document-store.js';
import { ORGANIZATION_TARGETS_KEY, targetListDocument } from './target-list.js';

/** What the organization entry points talk to. Everything with a side effect comes in here. */
export interface OrganizationDeps {
  documents: DocumentStore;
  notifier: Notifier;
  credentials: TargetCredentials;
  organizations?: OrganizationsPort;
  /** Account Management client signing with these credentials (undefined: the function's own). */
  accountClient: (credentials: ReturnType<TargetCredentials['providerFor']>) => AccountPort;
  /**
   * A paced reader of one target (its own pacer: quotas are per account and region, and an
   * account-scoped one, IAM's, divided among the account's targets by `accountTargets`).
   */
  reader: (
    target: ScanTarget,
    credentials: ReturnType<TargetCredentials['providerFor']>,
    /**
     * `accountReads: false` for a targeted check (a few pools: no account-wide listing);
     * `accountTargets`: the account's targets in this run, which share its IAM rate (default 1).
     */
    options?: { accountReads?: boolean; accountTargets?: number },
  ) => PoolReader & {
    poolConcurrency?: number;
  };
  /** Who made a target's changes, from CloudTrail signed for that target (optional). */
  attributor?: (target: ScanTarget, credentials: ReturnType<TargetCredentials['providerFor']>) => Attributor;
  logger: Logger;
  metrics?: MetricsSink;
  now: () => Date;
  /** Waits the debounce window of a member account's forwarded event; injected so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface OrganizationSettings {
  accounts: AccountSelection;
  regions: RegionSelection;
  selfAccountId: string;
  stackRegion: string;
  reminderIntervalMs: number;
  /** The detector options every target's scan shares (time limits, ignore rules, secret policy). */
  scan: Omit<ScanTargetOptions, 'approveCommand'>;
  /** Shown in messages: how to approve a pool of any target. */
  approveCommand: (poolId: string) => string;
  /** The debounce window of a member account's forwarded events. @default the realtimeDebounceSeconds default */
  debounceMs?: number;
}

const ORGANIZATION_STATE_KEY = 'state/organization.json';
/** Outcomes the aggregate step reads at once (S3 GETs). */
const OUTCOME_READS_AT_ONCE = 16;
/** The line of a target whose scan left no outcome. */
const TARGET_NOT_FINISHED = 'the scan failed or did not finish (see the function errors alarm)';
const organizationStateSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('organization-state'),
  /** The unreachable lines last sent, so the same ones are not re-sent every run. */
  unreachable: z.strictObject({ fingerprint: z.string(), lastAlertedAt: z.string() }).optional(),
});
type OrganizationState = z.infer<typeof organizationStateSchema>;

/**
 * The three steps of an organization run, as the state machine calls them: `list` (targets),
 * `scan` (one target, the Map's child; called again with its runId until done) and `aggregate`
 * (one digest for the organization). Inputs and outputs follow `contract.ts`.
 */
export async function runOrganizationStep(
  event: unknown,
  deps: OrganizationDeps,
  settings: OrganizationSettings,
): Promise<
  | ListOutput
  | ChildOutput
  | { sent: number; orgRunId: string }
  | Pick<RealtimeOutcome, 'done' | 'runId' | 'action'>
> {
  if (isCloudTrailApiEvent(event)) {
    // A member account's write event, forwarded to the member event bus: a targeted check of its target.
    const { done, runId, action } = await handleMemberEvent(
      event,
      { ...deps, sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))) },
      { ...settings, debounceMs: settings.debounceMs ?? DEFAULTS.realtimeDebounceSeconds * 1000 },
    );
    if (action === 'checked') deps.metrics?.count(METRIC.realtimeChecks, 1);
    deps.logger.info('Forwarded real-time event handled', { runId, action });
    return { done, runId, action };
  }
  const parsed = organizationEventSchema.parse(event);
  if (parsed.phase === 'list') return listStep(parsed, deps, settings);
  if (parsed.phase === 'scan') return scanStep(parsed, deps, settings);
  return aggregateStep(parsed, deps, settings);
}

async function listStep(
  input: ListInput,
  deps: OrganizationDeps,
  settings: OrganizationSettings,
): Promise<ListOutput> {
  const startedAt = deps.now().toISOString();
  const orgRunId = startedAt.replace(/[:.]/g, '-');
  // A deployment that watched only its own account and region keeps its baselines, alerts and
  // history: its documents move to that target's keys before the first organization run.
  await migrateSingleTargetLayout(
    deps.documents,
    { accountId: settings.selfAccountId, region: settings.stackRegion },
    deps.logger,
  );
  const listing = await listTargets(
    { accounts: settings.accounts, regions: settings.regions },
    {
      ...(deps.organizations ? { organizations: deps.organizations } : {}),
      accountClient: async (accountId) => {
        // Assume first, so a missing role is AssumeRoleError, not a failed ListRegions.
        if (accountId !== settings.selfAccountId) await deps.credentials.get(accountId);
        return deps.accountClient(deps.credentials.providerFor(accountId));
      },
      selfAccountId: settings.selfAccountId,
      stackRegion: settings.stackRegion,
    },
  );
  deps.logger.info('Organization run: targets listed', {
    orgRunId,
    targets: listing.targets.length,
    unreachable: listing.unreachable.length,
  });
  // IAM's rate is the account's (a global service): the Map may read all of an account's Regions at
  // once, so each item carries how many there are and its reader takes that part of the rate.
  const perAccount = new Map<string, number>();
  for (const { accountId } of listing.targets)
    perAccount.set(accountId, (perAccount.get(accountId) ?? 0) + 1);
  const items: ChildInput[] = listing.targets.map((target) => ({
    phase: 'scan',
    orgRunId,
    target,
    accountTargets: perAccount.get(target.accountId) ?? 1,
  }));
  const runKeys = organizationRunKeys(orgRunId);
  await deps.documents.put(runKeys.items, JSON.stringify(items), { unconditional: true });
  await deps.documents.put(runKeys.listing, canonicalJson({ unreachable: listing.unreachable }, 2), {
    unconditional: true,
  });
  // The targets real time may check (a member account's forwarded events): this run's, until the next.
  await deps.documents.put(
    ORGANIZATION_TARGETS_KEY,
    targetListDocument(orgRunId, startedAt, listing.targets),
    { unconditional: true },
  );
  return {
    orgRunId,
    startedAt,
    itemsKey: runKeys.items,
    targets: items.length,
    ...(input.itemsInState ? { items } : {}),
  };
}

const storedItemsSchema = z.array(childInputSchema);
const storedListingSchema = z.object({ unreachable: z.array(unreachableSchema) });

const storedOutcomeSchema = z.object({
  target: scanTargetSchema,
  status: z.enum(['scanned', 'unreachable', 'not-offered']),
  reason: z.string().optional(),
  /** The structured report (outcome documents of this release). */
  report: z
    .object({
      runId: z.string(),
      at: z.string(),
      reportLocation: z.string().optional(),
      alerts: z.looseObject({
        drifts: z.array(z.looseObject({ poolId: z.string() })),
        resolved: z.array(z.unknown()),
      }),
    })
    .optional(),
  /** Rendered messages (outcome documents of an earlier release). */
  messages: z
    .array(
      z.object({
        subject: z.string(),
        body: z.string(),
        attributes: z.looseObject({ kind: z.string(), poolIds: z.array(z.string()) }),
      }),
    )
    .optional(),
  alertMarks: z.looseObject({ pools: z.record(z.string(), z.unknown()) }).optional(),
});

/**
 * A target's outcome; an unusable one counts as no outcome (the target is reported as failed, and
 * its drift is alerted by the next run), never as a target with nothing to say.
 */
function parseOutcome(body: string, target: ScanTarget, logger: Logger): TargetOutcome | undefined {
  try {
    return storedOutcomeSchema.parse(JSON.parse(body)) as TargetOutcome;
  } catch {
    logger.error('A target outcome document is unusable; the target is reported as not finished', {
      target: targetName(target),
    });
    return undefined;
  }
}

/** A run document of this organization run, parsed; a missing or unusable one stops the aggregate. */
/** Whether a scanned target has a message for the digest or marks to set. */
function hasSomethingToSay(outcome: TargetOutcome): boolean {
  if (outcome.alertMarks) return true;
  return outcome.report ? hasAlerts(outcome.report.alerts) : (outcome.messages ?? []).length > 0;
}

async function readRunDocument<T>(documents: DocumentStore, key: string, schema: z.ZodType<T>): Promise<T> {
  const object = await documents.get(key);
  if (!object) throw new Error(`The organization run document ${key} is missing`);
  return schema.parse(JSON.parse(object.body));
}

async function scanStep(input: ChildInput, deps: OrganizationDeps, settings: OrganizationSettings) {
  const { attributor } = deps;
  return scanTarget(
    input,
    {
      documents: deps.documents,
      reader: async (target) => {
        if (target.accountId !== settings.selfAccountId) await deps.credentials.get(target.accountId);
        const options = input.accountTargets === undefined ? {} : { accountTargets: input.accountTargets };
        return deps.reader(target, deps.credentials.providerFor(target.accountId), options);
      },
      ...(attributor
        ? {
            attributor: (target: ScanTarget) =>
              attributor(target, deps.credentials.providerFor(target.accountId)),
          }
        : {}),
      logger: deps.logger,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      now: deps.now,
    },
    { ...settings.scan, approveCommand: settings.approveCommand },
  );
}

async function aggregateStep(
  input: AggregateInput,
  deps: OrganizationDeps,
  settings: OrganizationSettings,
): Promise<{ sent: number; orgRunId: string }> {
  const { documents, notifier, now } = deps;
  const runKeys = organizationRunKeys(input.orgRunId);
  const items = await readRunDocument(documents, runKeys.items, storedItemsSchema);
  const listed = await readRunDocument(documents, runKeys.listing, storedListingSchema);
  const outcomes = new Map<string, TargetOutcome | undefined>();
  await forEachConcurrently(items, OUTCOME_READS_AT_ONCE, async ({ target }) => {
    const stored = await documents.get(runKeys.outcome(target));
    outcomes.set(targetName(target), stored ? parseOutcome(stored.body, target, deps.logger) : undefined);
  });
  const parts: TargetOutcome[] = [];
  const unreachable: UnreachableTarget[] = [...listed.unreachable];
  for (const { target } of items) {
    const outcome = outcomes.get(targetName(target));
    // No outcome: the target's scan failed (the Map item caught it) or needed too many invocations.
    if (!outcome) unreachable.push({ ...target, reason: TARGET_NOT_FINISHED });
    else if (outcome.status === 'unreachable')
      unreachable.push({ ...target, reason: outcome.reason ?? TARGET_NOT_FINISHED });
    else if (hasSomethingToSay(outcome)) parts.push(outcome);
  }
  // Dedupe the unreachable lines like every other notice: the same set is re-sent only after the
  // reminder interval.
  const stateObject = await documents.get(ORGANIZATION_STATE_KEY);
  const state: OrganizationState = stateObject
    ? organizationStateSchema.parse(JSON.parse(stateObject.body))
    : { formatVersion: 1, kind: 'organization-state' };
  const fingerprint = unreachable.length > 0 ? unreachableFingerprint(unreachable) : undefined;
  const alreadySent =
    fingerprint !== undefined &&
    state.unreachable?.fingerprint === fingerprint &&
    now().getTime() - Date.parse(state.unreachable.lastAlertedAt) < settings.reminderIntervalMs;

  let reportLocation: string | undefined;
  if (parts.length > 0 || (unreachable.length > 0 && !alreadySent)) {
    const reportKey = `reports/${input.orgRunId}.json`;
    await documents.put(
      reportKey,
      canonicalJson(
        {
          orgRunId: input.orgRunId,
          startedAt: input.startedAt,
          targets: parts.map(({ target, report, messages }) => ({
            target,
            ...(report ? { report } : {}),
            ...(messages ? { messages } : {}),
          })),
          unreachable,
        },
        2,
      ),
      { unconditional: true },
    );
    reportLocation = documents.locate?.(reportKey) ?? `${documents.location}/${reportKey}`;
  }
  const messages = aggregateMessages({
    orgRunId: input.orgRunId,
    startedAt: input.startedAt,
    parts,
    unreachable,
    approveCommand: settings.approveCommand,
    unreachableAlreadySent: alreadySent,
    ...(reportLocation ? { reportLocation } : {}),
  });
  for (const message of messages) await notifier.publish(message);
  // Only after every publish succeeded: a failed one is retried by the next run. The targets'
  // drift marks first, then the organization's own.
  for (const part of parts) {
    if (part.alertMarks) await markAlerted(documents, part.target, part.alertMarks, deps.logger);
  }
  const next: OrganizationState = { formatVersion: 1, kind: 'organization-state' };
  if (fingerprint !== undefined) {
    next.unreachable =
      alreadySent && state.unreachable
        ? state.unreachable
        : { fingerprint, lastAlertedAt: now().toISOString() };
  }
  if (canonicalJson(next, 2) !== stateObject?.body) {
    await documents.put(ORGANIZATION_STATE_KEY, canonicalJson(next, 2), { unconditional: true });
  }
  deps.logger.info('Organization run finished', {
    orgRunId: input.orgRunId,
    targets: items.length,
    unreachable: unreachable.length,
    messagesSent: messages.length,
  });
  return { sent: messages.length, orgRunId: input.orgRunId };
}

/**
 * Sets a target's alert marks after the digest that carried its messages was published. The state
 * may have been written since the target's scan (a targeted check): the write is conditional, and
 * on a conflict the marks are applied again to what is stored now.
 */
export async function markAlerted(
  documents: DocumentStore,
  target: ScanTarget,
  marks: PendingAlertMarks,
  logger: Logger,
): Promise<void> {
  const store = new DriftStore(new TargetDocumentStore(documents, target));
  for (let attempt = 0; ; attempt += 1) {
    const current = await store.getState();
    if (!current) return;
    try {
      await store.putState(applyAlertMarks(current.doc, marks), current.etag);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 3) {
        logger.error('Could not record what was alerted; the next run alerts it again', {
          target: targetName(target),
        });
        throw error;
      }
    }
  }
}

/** A reader for one target with its own pacer, from clients signed for that target. */
export function pacedReader(
  clients: ConstructorParameters<typeof CognitoReader>[0],
): PoolReader & { poolConcurrency: number } {
  return new CognitoReader(clients);
}
