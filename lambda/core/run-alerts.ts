import { renderDeployedChanges } from './deployed-notice.js';
import type { AlertMessage } from './ports.js';
import type { PostureSummary } from './posture.js';
import type { NotReadableNotice, NowReadableNotice } from './references.js';
import {
  type AuthorFollowUpPool,
  type PoolDrift,
  type RunContext,
  renderAuthorFollowUp,
  renderDriftDigest,
} from './render.js';
import {
  type ReadProblem,
  renderBaselineCreated,
  renderNotReadable,
  renderNowReadable,
  renderNowWatching,
  renderResolved,
  renderScanIncomplete,
  renderStoreProblems,
} from './run-notices.js';

/** A pool whose alerted drift is gone. */
export interface ResolvedPool {
  poolId: string;
  poolName: string;
}

/**
 * What one run (of one target) has to say, as data: each field is one message when present (or
 * non-empty). The email digest, the chat message, the organization digest and the CLI render it.
 */
export interface RunAlerts {
  /** The first run recorded the baselines; `posture`: the risky settings they hold. */
  baselineCreated?: { pools: number; clients: number; posture?: PostureSummary };
  /** Surfaces (or identity pools) watched for the first time were recorded into the baselines. */
  nowWatching?: { surfaces: string[]; identityPools: number };
  /** New, changed and reminded drift, with authors once attributed. */
  drifts: PoolDrift[];
  /** With `deployedChanges` = notify: drift the pools' own stacks deployed (the short LOW notice). */
  deployed?: PoolDrift[];
  /** The authors a sweep found for drift a real-time check alerted without them. */
  authorFollowUps?: AuthorFollowUpPool[];
  resolved: ResolvedPool[];
  /** The "scan incomplete" notice is due with these problems. */
  incomplete?: ReadProblem[];
  /** The "unusable stored documents" notice is due with these problems. */
  storeProblems?: ReadProblem[];
  /** References (triggers, roles, keys) not readable from this account, reported for the first time. */
  notReadable?: NotReadableNotice[];
  /** References that could not be read before and were read this run (LOW, sent once). */
  nowReadable?: NowReadableNotice[];
}

/** No message at all. */
export const NO_ALERTS: RunAlerts = { drifts: [], resolved: [] };

/** The messages of one target's run, in the order they go out. */
export function renderRunAlerts(ctx: RunContext, alerts: RunAlerts): AlertMessage[] {
  const messages: AlertMessage[] = [];
  if (alerts.baselineCreated)
    messages.push(
      renderBaselineCreated(
        ctx,
        alerts.baselineCreated.pools,
        alerts.baselineCreated.clients,
        alerts.baselineCreated.posture,
      ),
    );
  if (alerts.nowWatching)
    messages.push(renderNowWatching(ctx, alerts.nowWatching.surfaces, alerts.nowWatching.identityPools));
  if (alerts.drifts.length > 0) messages.push(renderDriftDigest(ctx, alerts.drifts));
  if (alerts.deployed?.length) messages.push(renderDeployedChanges(ctx, alerts.deployed));
  if (alerts.authorFollowUps?.length) messages.push(renderAuthorFollowUp(ctx, alerts.authorFollowUps));
  if (alerts.resolved.length > 0) messages.push(renderResolved(ctx, alerts.resolved));
  if (alerts.incomplete) messages.push(renderScanIncomplete(ctx, alerts.incomplete));
  if (alerts.storeProblems) messages.push(renderStoreProblems(ctx, alerts.storeProblems));
  if (alerts.notReadable?.length) messages.push(renderNotReadable(ctx, alerts.notReadable));
  if (alerts.nowReadable?.length) messages.push(renderNowReadable(ctx, alerts.nowReadable));
  return messages;
}

/** Whether the run has anything to say. */
export function hasAlerts(alerts: RunAlerts): boolean {
  return renderKinds(alerts).length > 0;
}

/** The kinds of message `alerts` renders to (`drift` or `reminder`, `resolved`, ...), in order. */
export function renderKinds(alerts: RunAlerts): string[] {
  return [
    ...(alerts.baselineCreated ? ['baseline-created'] : []),
    ...(alerts.nowWatching ? ['now-watching'] : []),
    ...(alerts.drifts.length > 0
      ? [alerts.drifts.every((d) => d.status === 'reminder') ? 'reminder' : 'drift']
      : []),
    ...(alerts.deployed?.length ? ['deployed'] : []),
    ...(alerts.authorFollowUps?.length ? ['author-follow-up'] : []),
    ...(alerts.resolved.length > 0 ? ['resolved'] : []),
    ...(alerts.incomplete ? ['scan-incomplete'] : []),
    ...(alerts.storeProblems ? ['store-problem'] : []),
    ...(alerts.notReadable?.length ? ['not-readable'] : []),
    ...(alerts.nowReadable?.length ? ['now-readable'] : []),
  ];
}
