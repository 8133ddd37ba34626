import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { findMoto, startMoto } from './moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The emulator's endpoint, or null when moto is missing and the e2e layer is skipped. */
    motoEndpoint: string | null;
  }
}

const BUILT_CLI = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

/**
 * Starts one moto server for the whole e2e run and hands its endpoint to the tests.
 * Without moto the layer is skipped with a loud notice, except in CI or when
 * IAM2IDC_REQUIRE_EMULATOR=1, where a silent skip would let CI pass without it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await findMoto();
  if (!moto) {
    const required = Boolean(process.env.CI) || process.env.IAM2IDC_REQUIRE_EMULATOR === '1';
    if (required) {
      throw new Error(
        'The e2e layer needs the moto emulator, and CI or IAM2IDC_REQUIRE_EMULATOR=1 forbids skipping it. ' +
          'Install it with: pip install "moto[server]"',
      );
    }
    printSkipNotice();
    project.provide('motoEndpoint', null);
    return async () => {};
  }

  if (!existsSync(BUILT_CLI)) {
    throw new Error('dist/main.js is missing: the e2e tests run the built CLI. Run `npm run build` first.');
  }

  const started = Date.now();
  const server = await startMoto({ python: moto.python });
  console.error(`[e2e] moto emulator at ${server.endpoint} (started in ${Date.now() - started} ms)`);
  project.provide('motoEndpoint', server.endpoint);
  return () => server.stop();
}

function printSkipNotice(): void {
  const line = '!'.repeat(78);
  console.error(
    [
      '',
      line,
      '!!  E2E TESTS SKIPPED: the moto AWS emulator is not installed.',
      '!!  The end-to-end layer runs the real CLI against it. Install it with:',
      '!!',
      '!!      pip install "moto[server]"',
      '!!',
      '!!  (CI, or IAM2IDC_REQUIRE_EMULATOR=1, turns this skip into a failure.)',
      line,
      '',
    ].join('\n'),
  );
}
