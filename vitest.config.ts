import { defineConfig } from 'vitest/config';

// The SDK warns about Node 20 on every run; the supported range is stated in package.json.
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          env,
          // Test files share their worker's modules: the SDK clients and the IAM data are loaded once
          // per worker, not once per file. A file must leave nothing behind (see mockSdkClient).
          isolate: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          env,
          globalSetup: ['test/e2e/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One emulator, reset between tests: the files must not run in parallel.
          fileParallelism: false,
        },
      },
    ],
  },
});
