import { defineConfig } from 'vitest/config';

// The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22 (nine lines on
// stderr per process). It is no news to anyone running the tests; set before any worker starts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    // Hang guards only, never a speed goal: a synthesis that bundles both functions took over 60 s
    // on this shared 2-core machine while other suites ran.
    hookTimeout: 180_000,
    // CDK synthesis and the emulator tests are CPU heavy; two cores on CI.
    maxWorkers: 2,
  },
});
