/**
 * SDK clients for the reader that run its pacing middleware and answer after a fixed latency on a
 * {@link ManualClock}: a whole scan then plays out in simulated time, deterministically, so how long
 * it takes can be asserted without a wall clock.
 *
 * The answers come from the SDK-mocked clients of a {@link FakeAccount} (its one account model);
 * only the timing is added here.
 *
 * @module
 */
import type { ManualClock } from './manual-timer-clock.js';

/** One request the pacing let through: the operation, when, and the user pool it named. */
export interface AdmittedCall {
  operation: string;
  at: number;
  poolId?: string;
}

/** A client the answers come from: a FakeAccount-mocked SDK client. */
interface Answering {
  send(command: unknown): Promise<unknown>;
}

type Handler = (args: { input: object }) => Promise<{ output: unknown; response: unknown }>;
type Middleware = (next: Handler, context: { commandName: string }) => Handler;

/**
 * A client whose `send` goes through the middleware the reader adds (its pacing), then waits
 * `latencyMs` on `clock` and answers from `answering`. Every admitted request is appended to
 * `admitted`. Cast it to the SDK client type the reader's options name.
 */
export function timedClient(
  answering: Answering,
  clock: ManualClock,
  latencyMs: number,
  admitted: AdmittedCall[],
): unknown {
  const middleware: Middleware[] = [];
  return {
    middlewareStack: {
      addRelativeTo(added: Middleware) {
        middleware.push(added);
      },
    },
    async send(command: { input: Record<string, unknown>; constructor: { name: string } }) {
      const commandName = command.constructor.name;
      const answer: Handler = async () => {
        const poolId = command.input.UserPoolId;
        admitted.push({
          operation: commandName.replace(/Command$/, ''),
          at: clock.now(),
          ...(typeof poolId === 'string' ? { poolId } : {}),
        });
        await clock.sleep(latencyMs);
        return { output: await answering.send(command), response: {} };
      };
      const handler = middleware.reduceRight<Handler>((next, m) => m(next, { commandName }), answer);
      return (await handler({ input: command.input })).output;
    },
  };
}
