import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import {
  aggregateInputSchema,
  childInputSchema,
  childOutputSchema,
  listInputSchema,
  listOutputSchema,
} from '../../../lambda/org/contract.js';
import { runOrganizationStep } from '../../../lambda/org/organization-run.js';
import { organizationScanDefinition } from '../../../lib/organization-scan.js';
import { type AslDefinition, renderDefinition, runDefinition } from '../../support/asl.js';
import { HOUR } from '../../support/detector-harness.js';
import {
  DEV,
  NO_ROLE,
  organizationSettings,
  PROD,
  redirectFirstClient,
  seedOrganization,
  useStandinOrganization,
} from '../../support/organization-deps.js';

/**
 * The organization state machine's own definition, as CDK synthesizes it, run here by an ASL
 * interpreter whose every Task is the function's entry (`runOrganizationStep`, what
 * `lambda/org-handler.ts` calls): the Map's item loop, its Catch, its concurrency bound, and every
 * payload checked against the one contract (`lambda/org/contract.ts`) on the way in and out.
 */
describe('the organization state machine definition, run through the function entry', () => {
  const sent: AlertMessage[] = [];
  let clock = Date.parse('2026-12-01T10:00:00.000Z');
  let driftPool = '';
  const org = useStandinOrganization((standin) => {
    driftPool = seedOrganization(standin)[`${DEV}/eu-west-1`] ?? '';
  });

  function deps() {
    return org.deps({ publish: (m) => void sent.push(m), now: () => new Date(clock) });
  }

  /** One execution: each target's first invocation runs out of time at once, so every item loops. */
  async function execute(definition: AslDefinition, failing?: string) {
    const settings = organizationSettings(`${PROD},${DEV},${NO_ROLE}`, 'us-east-1,eu-west-1', {
      safetyMarginMs: 1_000,
      remainingTimeMs: () => 900_000,
    });
    const d = deps();
    const stats = { tasks: 0, mapMaxInFlight: 0 };
    const scans = new Map<string, number>();
    const aggregates: unknown[] = [];
    const output = await runDefinition(
      definition,
      {},
      {
        stats,
        readItems: async (bucket, key) => {
          expect(bucket).toBe('drift-bucket');
          const object = await d.documents.get(key);
          return JSON.parse(object?.body ?? 'null');
        },
        invoke: async (payload) => {
          const phase = (payload as { phase?: string }).phase;
          if (phase === 'list') {
            listInputSchema.parse(payload);
            return listOutputSchema.parse(await runOrganizationStep(payload, d, settings));
          }
          if (phase === 'aggregate') {
            aggregates.push(aggregateInputSchema.parse(payload));
            return runOrganizationStep(payload, d, settings);
          }
          const input = childInputSchema.parse(payload);
          const name = `${input.target.accountId}/${input.target.region}`;
          const count = (scans.get(name) ?? 0) + 1;
          scans.set(name, count);
          if (name === failing) throw new Error('Runtime.ExitError');
          // Each invocation has its own clock, as each Lambda invocation has its own remaining time:
          // a target's first one is out of time from the start.
          const invocation = {
            ...settings,
            scan: { ...settings.scan, remainingTimeMs: () => (count === 1 ? 0 : 900_000) },
          };
          return childOutputSchema.parse(await runOrganizationStep(payload, d, invocation));
        },
      },
    );
    return { stats, scans, aggregates, output };
  }

  for (const distributed of [false, true]) {
    it(`${distributed ? 'Distributed' : 'inline'} Map: loops each target until done, isolates a failing one, one digest`, async () => {
      const definition = renderDefinition((scope, fn) =>
        organizationScanDefinition(scope, {
          fn,
          maxConcurrentTargets: 2,
          maxInvocationsPerTarget: 5,
          distributed,
          bucketName: 'drift-bucket',
        }),
      );
      sent.length = 0;
      const first = await execute(definition);
      // Each reachable target was invoked twice (out of time, then done); at most 2 at once.
      expect([...first.scans.values()]).toEqual([2, 2, 2, 2, 1, 1]);
      expect(first.stats.mapMaxInFlight).toBe(2);
      expect(first.aggregates).toHaveLength(1);
      expect(sent.map((m) => m.attributes.kind)).toEqual(['scan-incomplete', 'baseline-created']);
      expect(sent[0]?.body).toContain(`scan incomplete: cannot assume role in ${NO_ROLE}`);

      sent.length = 0;
      clock += HOUR;
      redirectFirstClient(
        org.standin.target(DEV, 'eu-west-1'),
        driftPool,
        `https://sfn-${distributed}.example.net/cb`,
      );
      // The PROD us-east-1 scan fails: the item's Catch reports it, the others carry on.
      const second = await execute(definition, `${PROD}/us-east-1`);
      // The execution's state holds no items (a Distributed Map reads them from S3) and no results.
      const state = JSON.stringify(second.output);
      expect(state).not.toContain('"results"');
      if (distributed) expect(state).not.toContain(NO_ROLE);
      expect(Buffer.byteLength(state)).toBeLessThan(distributed ? 1_000 : 4_000);
      const digest = sent.find((m) => m.attributes.kind === 'drift');
      expect(digest?.attributes).toMatchObject({
        accounts: [DEV],
        regions: ['eu-west-1'],
        poolIds: [driftPool],
      });
      expect(digest?.body).toContain(`sfn-${distributed}.example.net`);
      expect(sent.find((m) => m.attributes.kind === 'scan-incomplete')?.body).toContain(
        `scan incomplete: ${PROD}/us-east-1: the scan failed or did not finish (see the function errors alarm)`,
      );
    }, 180_000); // a hang guard: the first synthesis loads aws-cdk-lib, slow on a shared machine
  }
});
