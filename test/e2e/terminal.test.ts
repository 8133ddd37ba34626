import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients } from './support/aws-clients.js';
import { resetMoto } from './support/moto.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT } from './support/run-cli.js';
import { seedSandboxAccount } from './support/seed-account.js';
import { hasTmux, TerminalSession } from './support/tmux.js';

const endpoint = inject('motoEndpoint');

describe.skipIf(endpoint === null || !hasTmux)('audit in a real terminal', () => {
  let scratch: string;
  let terminal: TerminalSession | undefined;

  beforeEach(async () => {
    await resetMoto(endpoint ?? '');
    scratch = await mkdtemp(join(tmpdir(), 'iam2idc-tty-'));
  });

  afterEach(async () => {
    await terminal?.kill();
    await rm(scratch, { recursive: true, force: true });
  });

  it('shows the account, the findings and the users in colour, and exits 0', async () => {
    const clients = createEmulatorClients(endpoint ?? '');
    const seeded = await seedSandboxAccount(clients);
    destroyEmulatorClients(clients);
    const env = buildCliEnv({ endpoint: endpoint ?? '', env: { NO_COLOR: undefined } }, scratch);
    terminal = await TerminalSession.start(`iam2idc-audit-${process.pid}`, scratch, { ...env, TERM: 'xterm-256color' }, REPO_ROOT, `node '${CLI_BIN}' audit -w '${join(scratch, 'ws')}'`);
    const screen = await terminal.waitFor(/EXIT=\d+/);

    expect(screen).toMatch(/EXIT=0/);
    expect(screen).toContain(seeded.accountId);
    for (const user of ['alice.admin', 'ci-deploy', 'frank.nomfa']) expect(screen).toContain(user);
    expect(screen).toMatch(/console-without-mfa|console with a password and has no MFA/);
    // On a terminal the summary is coloured; in a pipe it never is (the other e2e tests read plain text).
    expect(await terminal.screen(true)).toContain('\u001b[');
  });
});
