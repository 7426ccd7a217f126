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

export const unreachableSchema = z.strictObject({
  accountId,
  region: region.optional(),
  reason: z.string(),
});

/** `{phase: 'list'}`: the state machine's first step. */
export const listInputSchema = z.strictObject({ phase: z.literal('list') });

/**
 * One Map item, and (with `runId`) the child's own loop: invoke again until `done`. Not strict: the
 * loop passes the previous output back in whole, and only these fields are read from it.
 */
export const childInputSchema = z.object({
  phase: z.literal('scan'),
  orgRunId: z.string().min(1),
  target: scanTargetSchema,
  /** The target's run to continue (from the previous invocation's output); absent on the first. */
  runId: z.string().optional(),
});
export type ChildInput = z.infer<typeof childInputSchema>;

/** The list step's output: the Map's items and what could not even be listed. */
export const listOutputSchema = z.strictObject({
  orgRunId: z.string(),
  startedAt: z.string(),
  items: z.array(childInputSchema),
  unreachable: z.array(unreachableSchema),
});
export type ListOutput = z.infer<typeof listOutputSchema>;

export const childOutputSchema = z.strictObject({
  phase: z.literal('scan'),
  orgRunId: z.string(),
  target: scanTargetSchema,
  /** The target's run id, passed back in while `done` is false. */
  runId: z.string().optional(),
  done: z.boolean(),
  /** `scanned`: compared as usual; `unreachable`: nothing compared, nothing marked removed; `not-offered`: Cognito has no endpoint there. */
  status: z.enum(['scanned', 'unreachable', 'not-offered', 'in-progress']),
  reason: z.string().optional(),
  /** Where the target's messages of this run wait for the aggregate step (none when it has nothing to say). */
  messagesKey: z.string().optional(),
  findings: z.number().int(),
});
export type ChildOutput = z.infer<typeof childOutputSchema>;

/** The aggregate step: the list output plus every child's last output (the Map's result). */
export const aggregateInputSchema = z.strictObject({
  phase: z.literal('aggregate'),
  orgRunId: z.string(),
  startedAt: z.string(),
  unreachable: z.array(unreachableSchema),
  results: z.array(childOutputSchema),
});
export type AggregateInput = z.infer<typeof aggregateInputSchema>;

export const organizationEventSchema = z.discriminatedUnion('phase', [
  listInputSchema,
  childInputSchema,
  aggregateInputSchema,
]);
export type OrganizationEvent = z.infer<typeof organizationEventSchema>;
