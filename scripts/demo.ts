/**
 * A first look at iam2idc without an AWS account: starts the moto emulator, seeds a realistic
 * sandbox account, and runs the real `iam2idc audit` against it with its normal terminal output.
 * Usage: `npm run demo`. Exits with the CLI's exit code.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createEmulatorClients, destroyEmulatorClients } from '../test/e2e/support/aws-clients.js';
import type { MotoServer } from '../test/e2e/support/moto.js';
import { findMoto, startMoto } from '../test/e2e/support/moto.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT } from '../test/e2e/support/run-cli.js';
import { seedSandboxAccount } from '../test/e2e/support/seed-account.js';

const WORKSPACE = join(REPO_ROOT, '.demo-workspace');

let server: MotoServer | undefined;
let cliRunning = false;
let home: string | undefined;

async function cleanUp(): Promise<void> {
  await server?.stop();
  server = undefined;
  if (home) await rm(home, { recursive: true, force: true });
}

// Ctrl-C reaches the CLI too (same process group): while it runs, let it finish and report its
// own exit code; otherwise stop the emulator and leave.
process.on('SIGINT', () => {
  if (cliRunning) return;
  void cleanUp().finally(() => process.exit(130));
});
process.on('SIGTERM', () => {
  void cleanUp().finally(() => process.exit(143));
});

const moto = await findMoto();
if (!moto) {
  console.error('The demo runs against the moto AWS emulator, which is not installed. Install it with:\n\n  pip install "moto[server]"\n');
  process.exit(1);
}

try {
  console.error('Starting the moto AWS emulator…');
  server = await startMoto({ python: moto.python });
  const clients = createEmulatorClients(server.endpoint);
  const seeded = await seedSandboxAccount(clients);
  destroyEmulatorClients(clients);
  console.error(
    `Seeded account ${seeded.accountId}: ${seeded.users.length} IAM users (${seeded.machineUsers.length} machine users, ` +
      `${seeded.expectedAdmins.length} admins, ${seeded.humansWithoutMfa.length} console users without MFA), ` +
      `${seeded.groups.length} groups, ${seeded.customerPolicies.length} customer-managed policies.\n`,
  );

  await rm(WORKSPACE, { recursive: true, force: true });
  home = await mkdtemp(join(tmpdir(), 'iam2idc-demo-home-'));
  // Colour stays on for a person at a terminal; the environment is still emulator-only.
  const env = buildCliEnv({ endpoint: server.endpoint, env: { NO_COLOR: process.env.NO_COLOR, COLORTERM: process.env.COLORTERM } }, home);
  const args = ['audit', '-w', relative(REPO_ROOT, WORKSPACE)];
  console.error(`$ iam2idc ${args.join(' ')}\n`);

  cliRunning = true;
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: REPO_ROOT, env, stdio: 'inherit' });
  const code = await new Promise<number>((resolve) =>
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal === 'SIGINT' ? 130 : 1))),
  );
  cliRunning = false;

  if (code === 0) {
    console.error(`\nThe workspace is in ${relative(process.cwd(), WORKSPACE) || '.'}/:`);
    for (const file of await listFiles(WORKSPACE)) console.error(`  ${relative(process.cwd(), file)}`);
    console.error('\nOpen mapping.yaml to see the draft migration plan, and reports/audit.md for the findings.');
  }
  process.exitCode = code;
} catch (error) {
  console.error(`The demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}
