import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients, type EmulatorClients } from './aws-clients.js';
import { resetMoto } from './moto.js';

export interface EmulatorSandbox {
  clients: EmulatorClients;
  /** A scratch directory of the test, removed after it. */
  scratch: string;
  /** `<scratch>/workspace`, not created in advance: the CLI must create it, with the right mode. */
  workspace: string;
}

/**
 * Gives every test of the suite a reset emulator, fresh SDK clients and its own scratch directory,
 * and cleans them up afterwards. `ready` receives them before each test.
 */
export function useEmulatorSandbox(endpoint: string, ready: (sandbox: EmulatorSandbox) => void): void {
  let sandbox: EmulatorSandbox | undefined;
  beforeEach(async () => {
    await resetMoto(endpoint);
    const scratch = await mkdtemp(join(tmpdir(), 'iam2idc-e2e-'));
    sandbox = { clients: createEmulatorClients(endpoint), scratch, workspace: join(scratch, 'workspace') };
    ready(sandbox);
  });
  afterEach(async () => {
    if (!sandbox) return;
    destroyEmulatorClients(sandbox.clients);
    await rm(sandbox.scratch, { recursive: true, force: true });
    sandbox = undefined;
  });
}
