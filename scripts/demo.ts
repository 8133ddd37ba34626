/**
 * A first look at iam2idc without an AWS account: starts the moto emulator, seeds a realistic
 * sandbox account (with a CloudTrail trail in CloudWatch Logs, for the parallel run), and opens the
 * real guided session against it, so that a newcomer can walk the whole migration. Without a
 * terminal (a pipe, CI) the session cannot ask anything, so the demo runs `iam2idc audit` instead.
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
import { seedSandboxAccount, type SeededSandbox } from '../test/e2e/support/seed-account.js';
import { iamUserCall, idcSession, putTrailEvents, seedTrailLogGroup } from '../test/e2e/support/seed-trail.js';

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
  await seedParallelRun(clients, seeded);
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
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
  const args = interactive ? ['-w', relative(REPO_ROOT, WORKSPACE)] : ['audit', '-w', relative(REPO_ROOT, WORKSPACE)];
  if (!interactive) console.error('No terminal here, so no guided session: running the audit instead.');
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
    console.error('\nOpen mapping.yaml to see the migration plan, and reports/ for what each step found.');
  }
  process.exitCode = code;
} catch (error) {
  console.error(`The demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

/** CloudTrail delivering to CloudWatch Logs, with a few calls of the kind a parallel run sees. */
async function seedParallelRun(clients: ReturnType<typeof createEmulatorClients>, seeded: SeededSandbox): Promise<void> {
  const { accountId } = seeded;
  const ci = seeded.users.find((u) => u.name === 'ci-deploy');
  await seedTrailLogGroup(clients, accountId);
  await putTrailEvents(clients, accountId, [
    {
      id: 'demo-1',
      minutesAgo: 40,
      identity: idcSession(accountId, 'Developers', 'carol.dev'),
      eventSource: 'ecr.amazonaws.com',
      eventName: 'DescribeRepositories',
      errorCode: 'AccessDeniedException',
      errorMessage: `User: arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_Developers_0a1b2c3d4e5f6a7b/carol.dev is not authorized to perform: ecr:DescribeRepositories because no identity-based policy allows the ecr:DescribeRepositories action`,
    },
    {
      id: 'demo-2',
      minutesAgo: 30,
      identity: idcSession(accountId, 'DataEngineers', 'dave.data'),
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      errorCode: 'AccessDenied',
      errorMessage: `User: arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_DataEngineers_0a1b2c3d4e5f6a7b/dave.data is not authorized to perform: kms:Decrypt with an explicit deny in a service control policy`,
    },
    ...(ci ? [{ id: 'demo-3', minutesAgo: 20, identity: iamUserCall(accountId, { name: ci.name, userId: ci.userId }, ci.accessKeys[0]?.id ?? null), eventSource: 'cloudformation.amazonaws.com', eventName: 'DescribeStacks' }] : []),
  ]);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}
