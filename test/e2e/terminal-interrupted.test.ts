import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListInstancesCommand, paginateListPermissionSets } from '@aws-sdk/client-sso-admin';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients, type EmulatorClients } from './support/aws-clients.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { resetMoto } from './support/moto.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT, runCli } from './support/run-cli.js';
import { seedSandboxAccount } from './support/seed-account.js';
import { hasTmux, TerminalSession } from './support/tmux.js';

const endpoint = inject('motoEndpoint');

const MENU = /What next\?/;
const CURSOR_ON = (text: RegExp) => new RegExp(`❯ .*${text.source}`);
const CONFIRM = /Apply \d+ change\(s\)/;

/**
 * A step interrupted in the middle of its changes, in a real terminal: the session started again
 * must show the step as unfinished and recommend running it again, not tick it and move on.
 */
describe.skipIf(endpoint === null || !hasTmux)('an interrupted step in the guided session', () => {
  let scratch: string;
  let workspace: string;
  let clients: EmulatorClients;
  let proxy: FaultProxy;
  const sessions: TerminalSession[] = [];

  beforeEach(async () => {
    await resetMoto(endpoint ?? '');
    scratch = await mkdtemp(join(tmpdir(), 'iam2idc-interrupted-'));
    workspace = join(scratch, 'ws');
    clients = createEmulatorClients(endpoint ?? '');
    await seedSandboxAccount(clients);
    for (const step of [['audit'], ['generate-policies']]) {
      const run = await runCli([...step, '-w', workspace, '-o', 'json'], { endpoint: endpoint ?? '', timeoutMs: 120_000 });
      expect(run.code, run.stderr).toBe(0);
    }
    proxy = await startFaultProxy({ upstream: endpoint ?? '', seed: 1 });
  });

  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.kill();
    await proxy.close();
    destroyEmulatorClients(clients);
    await rm(scratch, { recursive: true, force: true });
  });

  async function startSession(name: string): Promise<TerminalSession> {
    // The session talks to the emulator through the proxy, so that the test can hold a call in flight.
    const env = buildCliEnv({ endpoint: proxy.endpoint }, scratch);
    const session = await TerminalSession.start(`${name}-${process.pid}`, scratch, { ...env, TERM: 'xterm-256color' }, REPO_ROOT, `node '${CLI_BIN}' -w '${workspace}'`);
    sessions.push(session);
    await session.waitFor(MENU, 90_000);
    return session;
  }

  const permissionSetCount = async () => {
    let count = 0;
    const instance = (await clients.ssoAdmin.send(new ListInstancesCommand({}))).Instances?.[0]?.InstanceArn ?? '';
    for await (const page of paginateListPermissionSets({ client: clients.ssoAdmin }, { InstanceArn: instance })) count += page.PermissionSets?.length ?? 0;
    return count;
  };

  it('Ctrl-C while create-permission-sets is applying: the restarted session recommends it again, and after it, assign', { timeout: 300_000 }, async () => {
    // The first permission set goes through; every later one is held in flight until the Ctrl-C.
    let creates = 0;
    proxy.setRules([{ fault: 'hold', operation: 'CreatePermissionSet', when: () => ++creates > 1 }]);
    const first = await startSession('iam2idc-interrupted-1');
    await first.waitFor(CURSOR_ON(/iam2idc create-permission-sets/));
    await first.send('Enter');
    await first.waitFor(CONFIRM, 90_000);
    await first.send('y', 'Enter');
    await waitUntil(() => proxy.held() > 0, 90_000);
    // The first Ctrl-C lets the calls in flight finish; they are held, so the second aborts them:
    // their answers are lost, and the next run has to find out whether they happened.
    await first.send('C-c');
    await first.waitFor(/Ctrl-C again/, 30_000);
    await first.send('C-c');
    // The step stops and the session offers its menu again, with the step unfinished and recommended.
    await first.waitForCount(MENU, 2);
    await first.waitFor(CURSOR_ON(/iam2idc create-permission-sets/));
    proxy.setRules([]);
    proxy.release();
    const partial = await permissionSetCount();
    expect(partial).toBeGreaterThanOrEqual(1);
    // "Stop here" is the last entry: up from the top wraps to it.
    await first.send('Up');
    await first.waitFor(CURSOR_ON(/Stop here/));
    await first.send('Enter');
    expect(await first.waitFor(/EXIT=\d+/, 60_000)).toMatch(/EXIT=0/);

    // Started again: the step is unfinished, so it is the recommended one, not the next phase.
    const second = await startSession('iam2idc-interrupted-2');
    await second.waitFor(CURSOR_ON(/iam2idc create-permission-sets/));
    await second.send('Enter');
    await second.waitFor(CONFIRM, 90_000);
    await second.send('y', 'Enter');
    await second.waitFor(CURSOR_ON(/iam2idc assign/), 120_000);
    expect(await permissionSetCount()).toBeGreaterThan(partial);

    // A third start agrees: nothing is left unfinished, and the next step is assign.
    const third = await startSession('iam2idc-interrupted-3');
    await third.waitFor(CURSOR_ON(/iam2idc assign/));
  });
});


async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
