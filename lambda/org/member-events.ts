import type { DocumentStore, Logger, MetricsSink, Notifier, PoolReader } from '../core/ports.js';
import type { CloudTrailApiEvent } from '../realtime/api-event.js';
import { handleApiEvent, type RealtimeOutcome } from '../realtime/targeted-check.js';
import { DEFAULT_POOL_CONCURRENCY } from '../run/run-policy.js';
import { targetStore } from '../run/scan-service.js';
import { scanTargetSchema } from './contract.js';
import { AssumeRoleError, type TargetCredentials } from './credentials.js';
import type { ScanTargetOptions } from './scan-target.js';
import { type AccountSelection, type RegionSelection, type ScanTarget, targetName } from './target.js';
import { readTargetList, type TargetList } from './target-list.js';

/**
 * The real time of the member accounts, on the detector's side: an event forwarded from a member
 * account's default bus to the member event bus (`lib/realtime-path.ts`) names its target by its
 * `account` and `region`. Only a target of the organization run is checked, with the one targeted
 * check of the real-time path (its debounce, per target, under that target's keys) and the member
 * role; anything else is ignored with a log line.
 */

/** What a forwarded event is checked with: the organization function's own deps, narrowed. */
export interface MemberEventDeps {
  documents: DocumentStore;
  notifier: Notifier;
  credentials: TargetCredentials;
  /** A paced reader of one target, signing with its credentials (`accountReads: false` here). */
  reader: (
    target: ScanTarget,
    credentials: ReturnType<TargetCredentials['providerFor']>,
    options?: { accountReads?: boolean },
  ) => PoolReader & { poolConcurrency?: number };
  logger: Logger;
  metrics?: MetricsSink;
  now: () => Date;
  /** Waits the debounce window; injected so tests need not wait. */
  sleep: (ms: number) => Promise<void>;
}

/** Which targets the organization scans, and how a targeted check of one runs. */
export interface MemberEventSettings {
  accounts: AccountSelection;
  regions: RegionSelection;
  selfAccountId: string;
  stackRegion: string;
  scan: Omit<ScanTargetOptions, 'approveCommand'>;
  approveCommand: (poolId: string) => string;
  debounceMs: number;
}

/**
 * Why a forwarded event's target is not checked, or undefined when it is: it must be selected by the
 * settings (accounts, regions) and listed by the last organization run (a target listed by no run
 * has no baseline to compare with; the run records it). The deployment's own account and region
 * are left to its own rules.
 */
export function whyNotChecked(
  target: ScanTarget,
  settings: Pick<MemberEventSettings, 'accounts' | 'regions' | 'selfAccountId' | 'stackRegion'>,
  listed: TargetList | undefined,
): string | undefined {
  const { accountId, region } = target;
  const { accounts, regions } = settings;
  if (accountId === settings.selfAccountId && region === settings.stackRegion)
    return "the deployment's own account and region: its own rules start the check";
  if (accounts.kind === 'self' && accountId !== settings.selfAccountId)
    return `account ${accountId} is not scanned (accounts: self)`;
  if (accounts.kind === 'list' && !accounts.accountIds.includes(accountId))
    return `account ${accountId} is not one of the accounts scanned`;
  if (regions.kind === 'stack' && region !== settings.stackRegion)
    return `region ${region} is not scanned (regions: stack, ${settings.stackRegion})`;
  if (regions.kind === 'list' && !regions.regions.includes(region))
    return `region ${region} is not one of the regions scanned`;
  if (!listed)
    return 'no organization run has listed the targets yet (the first run records their baselines)';
  const listedRegions = listed.accounts[accountId];
  if (!listedRegions)
    return `account ${accountId} was not a target of the last organization run (${listed.orgRunId})`;
  if (!listedRegions.includes(region))
    return `region ${region} of account ${accountId} was not a target of the last organization run (${listed.orgRunId})`;
  return undefined;
}

/** The target a forwarded event is about, or undefined when it names none. */
function targetOf(input: CloudTrailApiEvent): ScanTarget | undefined {
  const parsed = scanTargetSchema.safeParse({ accountId: input.account, region: input.region });
  return parsed.success ? parsed.data : undefined;
}

/**
 * One forwarded event: ignored (logged) unless its target is one of the organization's; otherwise
 * queued in that target's batch, and the invocation that opened the batch checks the pools named
 * during the debounce window, reading only that target, signed with its member role.
 */
export async function handleMemberEvent(
  input: CloudTrailApiEvent,
  deps: MemberEventDeps,
  settings: MemberEventSettings,
): Promise<RealtimeOutcome> {
  const ignored: RealtimeOutcome = { done: true, runId: 'ignored', action: 'ignored' };
  const target = targetOf(input);
  const eventName = (input.detail as { eventName?: unknown } | null)?.eventName;
  if (!target) {
    deps.logger.info('Forwarded event ignored: it names no account and region', { eventName });
    return ignored;
  }
  const reason = whyNotChecked(target, settings, await readTargetList(deps.documents));
  if (reason) {
    deps.logger.info(`Forwarded event ignored: ${reason}`, { target: targetName(target), eventName });
    return ignored;
  }
  const self = target.accountId === settings.selfAccountId;
  const reader = deps.reader(target, deps.credentials.providerFor(target.accountId), { accountReads: false });
  try {
    return await handleApiEvent(
      input,
      {
        reader,
        store: targetStore(deps.documents, target),
        notifier: deps.notifier,
        logger: deps.logger,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        now: deps.now,
        sleep: deps.sleep,
        // Only the invocation that checks assumes the role (and a missing role stops it here, not
        // as a failed read of every pool).
        prepare: async () => {
          if (!self) await deps.credentials.get(target.accountId);
        },
      },
      {
        ...settings.scan,
        approveCommand: settings.approveCommand,
        poolConcurrency: reader.poolConcurrency ?? DEFAULT_POOL_CONCURRENCY,
        ...target,
        debounceMs: settings.debounceMs,
      },
    );
  } catch (error) {
    if (!(error instanceof AssumeRoleError)) throw error;
    // The organization run reports the account as unreachable; its sweep is the safety net.
    deps.logger.warn('Forwarded event not checked: cannot assume the member role', {
      target: targetName(target),
      code: error.code,
    });
    return ignored;
  }
}
