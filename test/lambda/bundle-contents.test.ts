import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleMetafile } from '../support/code-actions.js';

const HANDLER = fileURLToPath(new URL('../../lambda/handler.ts', import.meta.url));

/** The packages the Lambda bundle pulls in, as esbuild resolves them from the handler. */
async function packagesOfHandler(): Promise<Set<string>> {
  const metafile = await bundleMetafile(HANDLER);
  const packages = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external) packages.add(imported.path);
    }
  }
  return packages;
}

describe('the Lambda bundle', () => {
  it('carries the clients the function calls (the finding sinks included) and not STS or the CLI', async () => {
    const packages = await packagesOfHandler();

    expect(packages).toContain('@aws-sdk/client-cognito-identity-provider');
    expect(packages).toContain('@aws-sdk/client-s3');
    expect(packages).toContain('@aws-sdk/client-sns');
    expect(packages).toContain('@aws-sdk/client-eventbridge');
    expect(packages).toContain('@aws-sdk/client-securityhub');
    expect(packages).not.toContain('@aws-sdk/client-sts');
    expect(packages).not.toContain('commander');
  });
});
