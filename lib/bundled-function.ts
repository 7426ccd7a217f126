import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The single-target function's entry. */
export const HANDLER_ENTRY = fileURLToPath(new URL('../lambda/handler.ts', import.meta.url));
/** The organization function's entry. */
export const ORGANIZATION_HANDLER_ENTRY = fileURLToPath(new URL('../lambda/org-handler.ts', import.meta.url));
/**
 * The functions as the installed package ships them (`npm run build`: dist/lambda-bundle and
 * dist/lambda-org-bundle next to dist/lib). In a clone there are none, and NodejsFunction bundles
 * lambda/handler.ts and lambda/org-handler.ts instead.
 */
export const PREBUILT_BUNDLE = fileURLToPath(new URL('../lambda-bundle/', import.meta.url));
/** The organization function as the installed package ships it. */
export const PREBUILT_ORGANIZATION_BUNDLE = fileURLToPath(new URL('../lambda-org-bundle/', import.meta.url));

/**
 * A function from the package's prebuilt bundle when there is one, else bundled here from its
 * TypeScript entry with the same options as the prebuilt bundle (bench/bundle.ts, scripts/build.ts).
 */
export function bundledFunction(
  scope: Construct,
  id: string,
  props: lambda.FunctionOptions & { runtime: lambda.Runtime },
  entry: string,
  prebuilt: string,
): lambda.Function {
  if (existsSync(join(prebuilt, 'index.mjs'))) {
    return new lambda.Function(scope, id, {
      ...props,
      code: lambda.Code.fromAsset(prebuilt),
      handler: 'index.handler',
    });
  }
  return new NodejsFunction(scope, id, {
    ...props,
    entry,
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      // Bundled CommonJS dependencies call require(); ESM has none, so define it.
      banner:
        "import { createRequire as __cdkCreateRequire } from 'node:module'; const require = __cdkCreateRequire(import.meta.url);",
      mainFields: ['module', 'main'],
      target: 'node22',
      minify: true,
      sourceMap: true,
      // Bundle the AWS SDK too, so the versions pinned in package-lock.json are the ones that run.
      externalModules: [],
    },
  });
}
