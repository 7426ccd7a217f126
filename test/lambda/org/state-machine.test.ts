import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderDocumentStore } from '../../../lambda/adapters/folder-document-store.js';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import {
  aggregateInputSchema,
  childInputSchema,
  childOutputSchema,
  listInputSchema,
  listOutputSchema,
} from '../../../lambda/org/contract.js';
import {
  type OrganizationDeps,
  type OrganizationSettings,
  runOrganizationStep,
} from '../../../lambda/org/organization-run.js';
import { parseAccountSelection, parseRegionSelection } from '../../../lambda/org/target.js';
import { organizationScanDefinition } from '../../../lib/organization-scan.js';
import { type AslDefinition, renderDefinition, runDefinition } from '../../support/asl.js';
import { CognitoStandin } from '../../support/cognito-standin.js';
import { standinOrganizationDeps } from '../../support/organization-deps.js';

const MANAGEMENT = '123456789012';
const PROD = '111122223333';
const DEV = '444455556666';
const NO_ROLE = '777788889999';
const HOUR = 3_600_000;

/**
 * The organization state machine's own definition, as CDK synthesizes it, run here by an ASL
 * interpreter whose every Task is the function's entry (`runOrganizationStep`, what
 * `lambda/org-handler.ts` calls): the Map's item loop, its Catch, its concurrency bound, and every
 * payload checked against the one contract (`lambda/org/contract.ts`) on the way in and out.
 */
describe('the organization state machine definition, run through the function entry', () => {
  let standin: CognitoStandin;
  let folder: string;
  const sent: AlertMessage[] = [];
  const destroy: { destroy(): void }[] = [];
  let clock = Date.parse('2026-12-01T10:00:00.000Z');
  let driftPool = '';

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
    standin.organization.addAccount(PROD, { name: 'prod' });
    standin.organization.addAccount(DEV, { name: 'dev' });
    standin.organization.addAccount(NO_ROLE, { name: 'legacy', roleName: null });
    for (const account of [PROD, DEV]) {
      for (const region of ['us-east-1', 'eu-west-1']) {
        const pool = standin
          .target(account, region)
          .addPool({ name: `app-${region}`, clients: [{ name: 'web' }] });
        if (account === DEV && region === 'eu-west-1') driftPool = pool;
      }
    }
    folder = await mkdtemp(join(tmpdir(), 'org-sfn-'));
  });
  afterAll(async () => {
    for (const c of destroy) c.destroy();
    await standin?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  function deps(): OrganizationDeps {
    return standinOrganizationDeps(standin, {
      managementAccount: MANAGEMENT,
      documents: new FolderDocumentStore(folder),
      publish: (m) => void sent.push(m),
      now: () => new Date(clock),
      clients: destroy,
    });
  }

  /** One execution: each target's first invocation runs out of time at once, so every item loops. */
  async function execute(definition: AslDefinition, failing?: string) {
    const settings: OrganizationSettings = {
      accounts: parseAccountSelection(`${PROD},${DEV},${NO_ROLE}`),
      regions: parseRegionSelection('us-east-1,eu-west-1'),
      selfAccountId: MANAGEMENT,
      stackRegion: 'us-east-1',
      reminderIntervalMs: 24 * HOUR,
      approveCommand: (poolId) => `npm run approve -- --pool ${poolId}`,
      scan: {
        reminderIntervalMs: 24 * HOUR,
        safetyMarginMs: 1_000,
        remainingTimeMs: () => 900_000,
        maxRunAgeMs: HOUR,
      },
    };
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
          const invocation: OrganizationSettings = {
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
      await rm(folder, { recursive: true, force: true });
      folder = await mkdtemp(join(tmpdir(), 'org-sfn-'));
      const first = await execute(definition);
      // Each reachable target was invoked twice (out of time, then done); at most 2 at once.
      expect([...first.scans.values()]).toEqual([2, 2, 2, 2, 1, 1]);
      expect(first.stats.mapMaxInFlight).toBe(2);
      expect(first.aggregates).toHaveLength(1);
      expect(sent.map((m) => m.attributes.kind)).toEqual(['scan-incomplete', 'baseline-created']);
      expect(sent[0]?.body).toContain(`scan incomplete: cannot assume role in ${NO_ROLE}`);

      sent.length = 0;
      clock += HOUR;
      const target = standin.target(DEV, 'eu-west-1');
      const [clientId] = target.clientIds(driftPool);
      target.updateClient(driftPool, clientId as string, {
        config: { CallbackURLs: [`https://sfn-${distributed}.example.net/cb`] },
      });
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
