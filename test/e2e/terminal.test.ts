import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients } from './support/aws-clients.js';
import { resetMoto } from './support/moto.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT } from './support/run-cli.js';
import { seedSandboxAccount } from './support/seed-account.js';

const exec = promisify(execFile);
const endpoint = inject('motoEndpoint');
const hasTmux = await exec('tmux', ['-V']).then(
  () => true,
  () => false,
);

/** Reads the visible screen of a tmux pane, with colour escapes when `escapes` is set. */
async function capture(session: string, escapes = false): Promise<string> {
  const { stdout } = await exec('tmux', ['capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-S', '-200', '-t', session]);
  return stdout;
}

async function waitForScreen(session: string, marker: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await capture(session);
    if (marker.test(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${marker} on the terminal:\n${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(endpoint === null || !hasTmux)('audit in a real terminal', () => {
  const session = `iam2idc-e2e-${process.pid}`;
  let scratch: string;

  beforeEach(async () => {
    await resetMoto(endpoint ?? '');
    scratch = await mkdtemp(join(tmpdir(), 'iam2idc-tty-'));
  });

  afterEach(async () => {
    await exec('tmux', ['kill-session', '-t', session]).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  });

  it('shows the account, the findings and the users in colour, and exits 0', async () => {
    const clients = createEmulatorClients(endpoint ?? '');
    const seeded = await seedSandboxAccount(clients);
    destroyEmulatorClients(clients);
    const env = buildCliEnv({ endpoint: endpoint ?? '', env: { NO_COLOR: undefined } }, scratch);
    // A script, so that the environment reaches the pane exactly and nothing of this shell leaks in.
    const script = join(scratch, 'run.sh');
    const exports = Object.entries({ ...env, TERM: 'xterm-256color' })
      .map(([key, value]) => `export ${key}='${value.replace(/'/g, `'\\''`)}'`)
      .join('\n');
    await writeFile(script, `${exports}\ncd '${REPO_ROOT}'\nnode '${CLI_BIN}' audit -w '${join(scratch, 'ws')}'\necho "EXIT=$?"\nsleep 600\n`);

    await exec('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '80', `bash '${script}'`]);
    const screen = await waitForScreen(session, /EXIT=\d+/);

    expect(screen).toMatch(/EXIT=0/);
    expect(screen).toContain(seeded.accountId);
    for (const user of ['alice.admin', 'ci-deploy', 'frank.nomfa']) expect(screen).toContain(user);
    expect(screen).toMatch(/console-without-mfa|console with a password and has no MFA/);
    // On a terminal the summary is coloured; in a pipe it never is (the other e2e tests read plain text).
    expect(await capture(session, true)).toContain('\u001b[');
  });
});
