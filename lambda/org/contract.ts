import { z } from 'zod';

/**
 * The one contract between the organization state machine and the function: what the Map gives
 * each child invocation, what a child returns, and what the list and aggregate steps take and give.
 * The state machine definition (`lib/organization-scan.ts`) and the handler (`lambda/org-handler.ts`)
 * both follow it; `test/lambda/org/state-machine.test.ts` runs the synthesized definition through the function entry with it.
 */
const accountId = z.string().regex(/^\d{12}$/);
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/);

export const scanTargetSchema = z.strictObject({ accountId, region });

/**
 * The targets of the item's account in this run (its Regions), which share each account-scoped
 * rate (IAM's: `scope: 'account'` in `lambda/adapters/quotas.ts`). Optional: an input of an earlier
 * release has none, which means 1.
 */
const accountTargets = z.number().int().min(1).optional();

export const unreachableSchema = z.strictObject({
  accountId,
  region: region.optional(),
  reason: z.string(),
});

/**
 * `{phase: 'list'}`: the state machine's first step. `itemsInState`: the definition maps with an
 * inline Map, which needs the items in the state; a Distributed Map reads them from S3 instead
 * (`itemsKey`), so a run's state stays small whatever the number of targets.
 */
export const listInputSchema = z.strictObject({
  phase: z.literal('list'),
  itemsInState: z.boolean().optional(),
});
export type ListInput = z.infer<typeof listInputSchema>;

/**
 * One Map item, and (with `runId`) the child's own loop: invoke again until `done`. Not strict: the
 * loop passes the previous output back in whole, and only these fields are read from it.
 */
export const childInputSchema = z.object({
  phase: z.literal('scan'),
  orgRunId: z.string().min(1),
  target: scanTargetSchema,
  accountTargets,
  /** The target's run to continue (from the previous invocation's output); absent on the first. */
  runId: z.string().optional(),
});
export type ChildInput = z.infer<typeof childInputSchema>;

/** The list step's output. The targets and the unreachable ones are in S3, for the Map and the aggregate. */
export const listOutputSchema = z.strictObject({
  orgRunId: z.string(),
  startedAt: z.string(),
  /** `runs/organization/<orgRunId>/items.json`: the Map's items, a JSON array of child inputs. */
  itemsKey: z.string(),
  targets: z.number().int(),
  /** The items again, only with `itemsInState` (an inline Map). */
  items: z.array(childInputSchema).optional(),
});
export type ListOutput = z.infer<typeof listOutputSchema>;

/**
 * What one invocation of a child returns, to its own loop. The outcome for the aggregate step is
 * written to S3 when the target is done (`outcomeKey`), not returned: the Map keeps no results.
 */
export const childOutputSchema = z.strictObject({
  phase: z.literal('scan'),
  orgRunId: z.string(),
  target: scanTargetSchema,
  /** Passed back in with the run id, so each invocation paces the account's shared rates alike. */
  accountTargets,
  /** The target's run id, passed back in while `done` is false. */
  runId: z.string().optional(),
  done: z.boolean(),
  /** `scanned`: compared as usual; `unreachable`: nothing compared, nothing marked removed; `not-offered`: Cognito has no endpoint there. */
  status: z.enum(['scanned', 'unreachable', 'not-offered', 'in-progress']),
  reason: z.string().optional(),
  findings: z.number().int(),
});
export type ChildOutput = z.infer<typeof childOutputSchema>;

/**
 * The aggregate step, after the Map: everything else it reads from S3 (the items, the listing's
 * unreachable accounts, each target's outcome). A target without an outcome failed or did not finish.
 */
export const aggregateInputSchema = z.strictObject({
  phase: z.literal('aggregate'),
  orgRunId: z.string(),
  startedAt: z.string(),
});
export type AggregateInput = z.infer<typeof aggregateInputSchema>;

export const organizationEventSchema = z.discriminatedUnion('phase', [
  listInputSchema,
  childInputSchema,
  aggregateInputSchema,
]);
export type OrganizationEvent = z.infer<typeof organizationEventSchema>;
