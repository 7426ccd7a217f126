import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { functionNodeOptions } from '../lib/function-node-options.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';
import { buildLambdaBundle } from './bundle.js';
import { seedCatalogExamples } from './full-surface.js';
import type { RunMemoryChildResult } from './run-memory-child.js';

/**
 * Peak memory of a real run, by account size (issue 18 item 5). For each size, a fresh stand-in
 * (every surface, no quotas, no latency) and a fresh S3 (fauxqs) in this process, and two fresh
 * child processes running the real detector and reader against them over HTTP: the first run
 * (records every baseline), then, after drift is planted in every pool, the drift run (findings in
 * every pool, the report, the alerts). The account and its documents live here, not in the child,
 * as they live in Cognito and S3, not in the Lambda: the child's peak RSS is the run's own.
 */

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REGION = 'us-east-1';

export interface RunMemorySize {
  /** The function memory whose NODE_OPTIONS the runs had. */
  memoryMb: number;
  pools: number;
  clients: number;
  identityPools: number;
  /** Findings planted per pool before the drift run. */
  plantedPerPool: number;
  baseline: RunMemoryChildResult;
  drift: RunMemoryChildResult;
}

/**
 * Changes every pool three ways (a pool setting, one client's callback URLs, one group's role) and
 * every tenth pool a fourth (an identity provider removed): findings in every pool, as in an account
 * whose whole configuration was redeployed.
 */
function plantDrift(standin: CognitoStandin, poolIds: readonly string[]): number {
  let planted = 0;
  poolIds.forEach((poolId, i) => {
    const config = standin.describePool(poolId) as { DeletionProtection?: string };
    standin.updatePool(poolId, {
      config: { DeletionProtection: config.DeletionProtection === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE' },
    });
    const [clientId] = standin.clientIds(poolId);
    if (clientId)
      standin.updateClient(poolId, clientId, {
        config: { CallbackURLs: [`https://drift${i}.example.net/cb`] },
      });
    standin.updateGroup(poolId, 'admins', { roleArn: `arn:aws:iam::000000000000:role/drift-${i}` });
    planted += clientId ? 3 : 2;
    if (i % 10 === 0) {
      standin.removeIdentityProvider(poolId, 'CorpSAML');
      planted += 1;
    }
  });
  return planted;
}

/**
 * Bundles the child the way the Lambda is bundled (`buildLambdaBundle`: minified ESM, everything
 * bundled, source map), so that its memory is the deployed code's, not tsx's compiled sources.
 */
export async function buildRunMemoryChild(outDir: string): Promise<string> {
  return buildLambdaBundle(REPO_ROOT, outDir, {
    entryPoints: [join(REPO_ROOT, 'bench/run-memory-child.ts')],
    outfile: join(outDir, 'run-memory-child.mjs'),
  });
}

function runChild(
  bundle: string,
  memoryMb: number,
  env: Record<string, string>,
): Promise<RunMemoryChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', bundle], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        // As the function of that memory size runs it (the construct's NODE_OPTIONS).
        NODE_OPTIONS: functionNodeOptions(memoryMb),
        ...(process.env.BENCH_HEAP_SNAPSHOT ? { BENCH_HEAP_SNAPSHOT: process.env.BENCH_HEAP_SNAPSHOT } : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`run-memory child failed (exit ${code}): ${err.trim().slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as RunMemoryChildResult);
    });
  });
}

/**
 * Both runs of one account size, each in its own process, run as a function of `memoryMb` runs
 * ({@link functionNodeOptions}).
 */
export async function runMemoryBench(
  bundle: string,
  pools: number,
  clients: number,
  memoryMb: number,
): Promise<RunMemorySize> {
  const standin = await CognitoStandin.start({ latencyMs: 0, quotas: false, region: REGION });
  const s3app = buildApp({ logger: false, defaultRegion: REGION });
  try {
    const identityPools = Math.max(1, Math.round(pools / 10));
    const { poolIds } = standin.seedFullSurface({ pools, clientsPerPool: clients, identityPools });
    seedCatalogExamples(standin, poolIds);
    poolIds.forEach((poolId, i) => {
      standin.setWebAcl(poolId, { name: `bench-acl-${i % 3}` });
    });
    const s3Endpoint = new URL(await s3app.listen({ port: 0, host: '127.0.0.1' })).origin;
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const bucket = 'cognito-drift-memory-bench';
    const s3 = new S3Client({ endpoint: s3Endpoint, region: REGION, credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    const env = {
      BENCH_BUCKET: bucket,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...standin.endpointEnv(),
      AWS_ENDPOINT_URL_S3: s3Endpoint,
    };
    const baseline = await runChild(bundle, memoryMb, env);
    const planted = plantDrift(standin, poolIds);
    const drift = await runChild(bundle, memoryMb, env);
    return { memoryMb, pools, clients, identityPools, plantedPerPool: planted / pools, baseline, drift };
  } finally {
    await s3app.close();
    await standin.stop();
  }
}
