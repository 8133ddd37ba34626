import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListInstancesCommand, ListPermissionSetsCommand } from '@aws-sdk/client-sso-admin';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients, type EmulatorClients } from './support/aws-clients.js';
import { resetMoto } from './support/moto.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT, runCli } from './support/run-cli.js';
import { seedSandboxAccount } from './support/seed-account.js';
import { hasTmux, TerminalSession } from './support/tmux.js';

const endpoint = inject('motoEndpoint');

/** inquirer's yes/no prompt shows its choices as (y/N): the one structural mark of a question on screen. */
const YES_NO_PROMPT = /\(y\/N\)/;

describe.skipIf(endpoint === null || !hasTmux)('confirming a plan in a real terminal', () => {
  let scratch: string;
  let workspace: string;
  let clients: EmulatorClients;
  const sessions: TerminalSession[] = [];

  beforeEach(async () => {
    await resetMoto(endpoint ?? '');
    scratch = await mkdtemp(join(tmpdir(), 'iam2idc-confirm-'));
    workspace = join(scratch, 'ws');
    clients = createEmulatorClients(endpoint ?? '');
    await seedSandboxAccount(clients);
    for (const step of [['audit'], ['generate-policies']]) {
      const run = await runCli([...step, '-w', workspace, '-o', 'json'], { endpoint: endpoint ?? '' });
      expect(run.code, run.stderr).toBe(0);
    }
  });

  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.kill();
    destroyEmulatorClients(clients);
    await rm(scratch, { recursive: true, force: true });
  });

  async function permissionSetCount(): Promise<number> {
    const instance = (await clients.ssoAdmin.send(new ListInstancesCommand({}))).Instances?.[0]?.InstanceArn;
    return (await clients.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: instance }))).PermissionSets?.length ?? 0;
  }

  async function startCreate(name: string): Promise<TerminalSession> {
    const env = buildCliEnv({ endpoint: endpoint ?? '' }, scratch);
    const session = await TerminalSession.start(`${name}-${process.pid}`, scratch, { ...env, TERM: 'xterm-256color' }, REPO_ROOT, `node '${CLI_BIN}' create-permission-sets -w '${workspace}'`);
    sessions.push(session);
    await session.waitFor(YES_NO_PROMPT);
    return session;
  }

  it('applies nothing when the operator answers no, stops on Ctrl-C, and applies the plan on yes', async () => {
    const declined = await startCreate('iam2idc-no');
    await declined.send('n', 'Enter');
    expect(await declined.waitFor(/EXIT=\d+/)).toMatch(/EXIT=3/);
    expect(await permissionSetCount()).toBe(0);

    const interrupted = await startCreate('iam2idc-ctrl-c');
    await interrupted.send('C-c');
    expect(await interrupted.waitFor(/EXIT=\d+/)).toMatch(/EXIT=130/);
    expect(await permissionSetCount()).toBe(0);

    const accepted = await startCreate('iam2idc-yes');
    await accepted.send('y', 'Enter');
    expect(await accepted.waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
    expect(await permissionSetCount()).toBeGreaterThan(0);
  });
});
