/**
 * Deployments versus tampering: whether CloudFormation made a pool's changes, from what CloudTrail
 * and the pool already say, and what a run does with changes a stack deployed. Pure: no SDK, no clock.
 *
 * - Who made the call: `userIdentity.invokedBy` is `cloudformation.amazonaws.com` when CloudFormation
 *   made it on a stack's behalf (with the stack's service role, or as the user who deployed). AWS sets
 *   that field; the user agent (`cloudformation.amazonaws.com` too) is chosen by the caller, so a
 *   user agent alone never makes a call a deployment.
 * - Which stack manages the pool: its `aws:cloudformation:stack-name` tag (`UserPoolTags`, or an
 *   identity pool's `IdentityPoolTags`), which CloudFormation sets and no one else can (the `aws:`
 *   prefix is reserved). CloudTrail does not name the stack a resource operation came from: a change
 *   CloudFormation made in a pool of stack X is taken as X's.
 */
import type { DeployedChanges } from '../settings-table.js';
import type { Attribution, TrailEvent } from './attribution.js';
import { escapeControl } from './escape.js';
import { highestSeverity } from './severity.js';
import {
  type ChangeOrigin,
  type DeploymentCall,
  type Finding,
  type JsonObject,
  type PoolSnapshot,
  Severity,
} from './types.js';

/** A pool's drift as far as its origin goes: its findings and who made each (same order). */
export interface AttributedDrift {
  findings: Finding[];
  attributions?: readonly Attribution[];
  /** Settings the drift made risky by a public control (core/posture.ts): never set aside unseen. */
  posture?: readonly unknown[];
}

/** The tag CloudFormation puts on every resource of a stack that takes tags. */
export const STACK_NAME_TAG = 'aws:cloudformation:stack-name';
/** `userIdentity.invokedBy` of the calls CloudFormation makes for a stack. */
export const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';
/** The rule that raises a change made outside the pool's stack to HIGH. */
export const OUTSIDE_STACK_RULE = 'changed-outside-its-stack';

/** The config fields that hold a pool's tags: a user pool's, an identity pool's. */
const TAG_FIELDS = ['UserPoolTags', 'IdentityPoolTags'];

/** The stack whose tag the pool carries, if any. */
export function stackOf(pool: PoolSnapshot | null | undefined): string | undefined {
  for (const field of TAG_FIELDS) {
    const tags = pool?.config[field];
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) continue;
    const name = (tags as JsonObject)[STACK_NAME_TAG];
    if (typeof name === 'string' && name !== '') return name;
  }
  return undefined;
}

/**
 * The stack of a pool with drift: the current state's tag, else the baseline's (a deleted pool);
 * null when neither carries one.
 */
export function poolStack(
  current: PoolSnapshot | null | undefined,
  baseline: PoolSnapshot | null | undefined,
) {
  return stackOf(current) ?? stackOf(baseline) ?? null;
}

/** Whether CloudFormation made the call (AWS's `invokedBy`, never the caller's user agent). */
export function isDeployment(event: TrailEvent): boolean {
  return event.invokedBy === CLOUDFORMATION_SERVICE;
}

/**
 * Where a change came from, given who could have made it and the pool's stack: undefined when the
 * author is not known, or the stack is not (a run document of an earlier release). A change that
 * CloudFormation and someone else could both have made counts as made outside the stack.
 */
export function originOf(
  attribution: Attribution | undefined,
  stack: string | null | undefined,
): ChangeOrigin | undefined {
  if (stack === undefined || attribution?.kind !== 'event') return undefined;
  const writers = [attribution.event, ...(attribution.others ?? [])];
  if (!writers.every(isDeployment)) return stack ? { kind: 'outside-stack', stack } : { kind: 'no-stack' };
  const { eventId, eventName, eventTime, principalArn } = attribution.event;
  const call: DeploymentCall = { eventId, eventName, eventTime, principalArn };
  return stack ? { kind: 'deployed', stack, ...call } : { kind: 'deployed-no-stack', ...call };
}

/**
 * A pool's drift with each finding's origin, a change made outside the pool's stack raised to HIGH.
 * Returns `drift` itself when there is nothing to label (no attributions, stack not known).
 */
export function labelDrift<T extends AttributedDrift>(drift: T, stack: string | null | undefined): T {
  const attributions = drift.attributions;
  if (!attributions || stack === undefined) return drift;
  const findings = drift.findings.map((finding, index): Finding => {
    const origin = originOf(attributions[index], stack);
    if (!origin) return finding;
    const raised =
      origin.kind === 'outside-stack' && finding.severity !== Severity.HIGH
        ? { severity: Severity.HIGH, rule: OUTSIDE_STACK_RULE }
        : {};
    // Assigned onto `{}`, not spread: see `classify` (one hidden class per shape, not per finding).
    return Object.assign({}, finding, raised, { origin });
  });
  return { ...drift, findings };
}

/**
 * The deployment that made all of a pool's drift, when its own stack deployed every change: what
 * `deployedChanges` = notify or approve acts on. Undefined when any change has another origin or
 * none known (author unknown, made outside the stack, a secret's age), or the stack is not known.
 */
export function deploymentOf(
  drift: AttributedDrift,
): Extract<ChangeOrigin, { kind: 'deployed' }> | undefined {
  const origins = drift.findings.map((f) => f.origin);
  const deployed = origins.filter(
    (o): o is Extract<ChangeOrigin, { kind: 'deployed' }> => o?.kind === 'deployed',
  );
  if (deployed.length === 0 || deployed.length !== origins.length) return undefined;
  if (new Set(deployed.map((o) => o.stack)).size !== 1) return undefined;
  return [...deployed].sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime))[0];
}

/** The drift split by what `deployedChanges` does with it. */
export interface DeployedSplit<T> {
  /** Alerted as usual (labelled). */
  alerted: T[];
  /** Deployed by the pool's own stack: the short LOW notice (`notify`) or recorded as baseline (`approve`). */
  deployed: T[];
}

/**
 * Which drift is alerted and which is deployed, for the setting. `alert` alerts it all; drift that
 * made a setting risky (posture) is alerted whoever deployed it, so a deployment cannot approve a risk
 * unseen.
 */
export function splitDeployed<T extends AttributedDrift>(
  drifts: readonly T[],
  setting: DeployedChanges,
): DeployedSplit<T> {
  if (setting === 'alert') return { alerted: [...drifts], deployed: [] };
  const split: DeployedSplit<T> = { alerted: [], deployed: [] };
  for (const drift of drifts) {
    const setAside = deploymentOf(drift) !== undefined && (drift.posture ?? []).length === 0;
    (setAside ? split.deployed : split.alerted).push(drift);
  }
  return split;
}

/** The highest severity of labelled drift (a change outside its stack raises it). */
export function highestOf(drift: AttributedDrift): Severity {
  return highestSeverity(drift.findings) ?? Severity.LOW;
}

/**
 * Who and why, as a baseline recorded automatically for a deployment stores them: the stack and the
 * CloudTrail event in `approvedBy` (what `history` prints), the call in `reason`. Plain strings: the
 * baseline format is unchanged, so every release reads these baselines.
 */
export function deploymentApproval(
  deployment: Extract<ChangeOrigin, { kind: 'deployed' }>,
  changes: number,
): { approvedBy: string; reason: string } {
  return {
    approvedBy: `CloudFormation stack ${deployment.stack} (CloudTrail event ${deployment.eventId})`,
    reason: `${changes} change${changes === 1 ? '' : 's'} deployed by CloudFormation stack ${deployment.stack} (${deployment.eventName} at ${deployment.eventTime} as ${deployment.principalArn}), recorded automatically (deployedChanges=approve)`,
  };
}

/**
 * The label of a change's origin, one line, escaped: `deployed by stack X`, `changed outside its
 * stack X`, `made outside any stack`.
 */
export function formatOrigin(origin: ChangeOrigin): string {
  switch (origin.kind) {
    case 'deployed':
      return escapeControl(`deployed by stack ${origin.stack} (CloudTrail event ${origin.eventId})`);
    case 'deployed-no-stack':
      return escapeControl(
        `deployed by CloudFormation, stack not known: the pool has no ${STACK_NAME_TAG} tag (CloudTrail event ${origin.eventId})`,
      );
    case 'outside-stack':
      return escapeControl(`changed outside its stack ${origin.stack}`);
    case 'no-stack':
      return 'made outside any stack';
  }
}
