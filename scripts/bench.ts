/**
 * Compares the audit's API cost, wall time and peak memory with the per-user recipe, on scaled
 * accounts seeded into the moto emulator. Usage: `npm run bench` (1,000 and 5,000 users) or
 * `npm run bench -- 200 2000`. Writes the results to docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { createEmulatorClients, destroyEmulatorClients } from '../test/e2e/support/aws-clients.js';
import { findMoto, resetMoto, startMoto } from '../test/e2e/support/moto.js';
import type { CliResult, RunCliOptions } from '../test/e2e/support/run-cli.js';
import { REPO_ROOT, runCli, runNode } from '../test/e2e/support/run-cli.js';
import { seedScaledAccount } from '../test/e2e/support/seed-account.js';

const DEFAULT_SIZES = [1_000, 5_000];
const RSS_PRELOAD = pathToFileURL(join(REPO_ROOT, 'scripts', 'bench-rss.mjs')).href;
const RECIPE_SOURCE = join(REPO_ROOT, 'scripts', 'per-user-recipe.ts');
// Inside the repository, so that the compiled recipe resolves the same node_modules.
const RECIPE = join(REPO_ROOT, '.bench', 'per-user-recipe.mjs');
const RUN_TIMEOUT_MS = 30 * 60_000;

interface Row {
  size: number;
  approach: string;
  apiCalls: number;
  wallMs: number;
  peakRssMb: number;
}

interface Measured {
  result: CliResult;
  wallMs: number;
  peakRssMb: number;
}

const sizes = parseSizes(process.argv.slice(2));
const moto = await findMoto();
if (!moto) {
  console.error('The benchmark runs against the moto emulator, which is not installed: pip install "moto[server]"');
  process.exit(1);
}

await compileRecipe();
const server = await startMoto({ python: moto.python });
const scratch = await mkdtemp(join(tmpdir(), 'iam2idc-bench-'));
const rows: Row[] = [];
const seedTimes: string[] = [];
try {
  const clients = createEmulatorClients(server.endpoint);
  for (const size of sizes) {
    await resetMoto(server.endpoint);
    console.error(`\n${size} users: seeding…`);
    const seeded = await seedScaledAccount(clients, {
      users: size,
      onProgress: (done, total) => {
        if (done % 500 === 0 || done === total) process.stderr.write(`\r  seeded ${done}/${total}`);
      },
    });
    process.stderr.write('\n');
    seedTimes.push(`${size.toLocaleString('en-US')} users: ${(seeded.durationMs / 1000).toFixed(1)} s (${seeded.accessKeys.toLocaleString('en-US')} access keys, ${seeded.loginProfiles.toLocaleString('en-US')} console passwords)`);

    const workspace = join(scratch, `workspace-${size}`);
    console.error('  running iam2idc audit…');
    const cli = await measure(join(scratch, `cli-${size}.rss`), (options) =>
      runCli(['audit', '-o', 'json', '-w', workspace], { ...options, nodeArgs: ['--import', RSS_PRELOAD] }),
    );
    const cliStats = cli.result.json<{ stats: { apiCalls: { total: number } } }>().stats;
    rows.push({ size, approach: 'iam2idc audit', apiCalls: cliStats.apiCalls.total, wallMs: cli.wallMs, peakRssMb: cli.peakRssMb });

    console.error('  running the per-user recipe…');
    const recipe = await measure(join(scratch, `recipe-${size}.rss`), (options) =>
      runNode(['--import', RSS_PRELOAD, RECIPE], options),
    );
    const recipeOut = recipe.result.json<{ users: number; apiCalls: { total: number } }>();
    if (recipeOut.users !== size) throw new Error(`the recipe saw ${recipeOut.users} users, expected ${size}`);
    rows.push({ size, approach: 'per-user recipe (8 in flight)', apiCalls: recipeOut.apiCalls.total, wallMs: recipe.wallMs, peakRssMb: recipe.peakRssMb });
  }
  destroyEmulatorClients(clients);
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}

const table = renderTable(rows);
console.log(`\n${table}`);
await writeFile(join(REPO_ROOT, 'docs', 'benchmarks.md'), renderReport(table, seedTimes, moto.python));
console.error('\nWritten to docs/benchmarks.md');

/**
 * Compiles the recipe to plain JavaScript, so that it runs on bare node like the built CLI: under
 * tsx its peak RSS would carry 15–35 MB of loader that the CLI does not pay.
 */
async function compileRecipe(): Promise<void> {
  const source = await readFile(RECIPE_SOURCE, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  await mkdir(join(REPO_ROOT, '.bench'), { recursive: true });
  await writeFile(RECIPE, outputText);
}

/** Runs one child with the RSS preload and times it; a failed run stops the benchmark. */
async function measure(rssFile: string, run: (options: RunCliOptions) => Promise<CliResult>): Promise<Measured> {
  const started = performance.now();
  const result = await run({ endpoint: server.endpoint, env: { BENCH_RSS_FILE: rssFile }, timeoutMs: RUN_TIMEOUT_MS });
  const wallMs = performance.now() - started;
  if (result.code !== 0) {
    throw new Error(`run failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}):\n${result.stderr.slice(-4000)}`);
  }
  const maxRssKb = Number(await readFile(rssFile, 'utf8'));
  return { result, wallMs, peakRssMb: maxRssKb / 1024 };
}

function parseSizes(args: string[]): number[] {
  const values = args.filter((a) => a !== '--').map(Number);
  if (values.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error('usage: npm run bench -- [users ...]   e.g. npm run bench -- 200 2000');
    process.exit(2);
  }
  return values.length > 0 ? values : DEFAULT_SIZES;
}

function renderTable(data: Row[]): string {
  const lines = ['| users | approach | API calls | wall time | peak RSS |', '|---:|---|---:|---:|---:|'];
  for (const row of data) {
    lines.push(
      `| ${row.size.toLocaleString('en-US')} | ${row.approach} | ${row.apiCalls.toLocaleString('en-US')} | ${(row.wallMs / 1000).toFixed(1)} s | ${row.peakRssMb.toFixed(0)} MB |`,
    );
  }
  return lines.join('\n');
}

function renderReport(table: string, seeds: string[], python: string): string {
  const cpu = cpus();
  const motoVersion = execFileSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  return `# Benchmarks

How many AWS calls, how much time and how much memory an inventory takes, for \`iam2idc audit\`
and for the per-user recipe most IAM scripts follow (\`scripts/per-user-recipe.ts\`: ListUsers, then
for every user ListAttachedUserPolicies, ListUserPolicies, ListGroupsForUser, ListAccessKeys and
GetAccessKeyLastUsed per key, 8 requests in flight).

${table}

- Command: \`npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\`
- Date: ${new Date().toISOString().slice(0, 10)}
- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node.js ${process.version}, ${process.platform}/${process.arch}
- Emulator: moto ${motoVersion} on loopback, one Python process (AWS-managed policies loaded)
- Seeding (SDK, 16 requests in flight): ${seeds.join('; ')}

How to read it:
- API calls are SDK operations counted by each process itself (an \`initialize\`-step middleware),
  so SDK retries are not counted twice. They are the number that matters on real AWS, where every
  call is a round trip to IAM's single global endpoint.
- Wall time and peak RSS include Node.js start-up. Both run on plain \`node\`: the CLI from \`dist/\`,
  the recipe compiled to JavaScript by the benchmark.
- moto answers in milliseconds, never throttles, and returns GetAccountAuthorizationDetails in one
  page whatever \`MaxItems\` says. On real AWS the audit pages through it (up to 1,000 items a page),
  so its call count grows by about one call per 1,000 users, groups, roles and policies, and the
  recipe's wall time grows with its call count, since IAM throttles each account.
- Peak RSS is \`process.resourceUsage().maxRSS\` written at exit by \`scripts/bench-rss.mjs\`.
`;
}
