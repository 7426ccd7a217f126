import { defineConfig } from 'vitest/config';

// The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22 (nine lines on
// stderr per process). It is no news to anyone running the tests; set before any worker starts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CDK synthesis and the emulator tests are CPU heavy; two cores on CI.
    maxWorkers: 2,
  },
});
