/**
 * What watch-denied costs on a busy log group: AWS calls, wall time and peak memory, with
 * FilterLogEvents and with Logs Insights, on a log group seeded with N CloudTrail events (one in fifty a
 * denial, one in ten an IAM user's call, the rest Identity Center and role traffic). Usage:
 * `npm run bench:watch` (10,000, 50,000 and 150,000 events) or `npm run bench:watch -- 5000`. Appends its table
 * to docs/benchmarks.md, replacing the one an earlier run wrote.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createEmulatorClients, destroyEmulatorClients } from '../test/e2e/support/aws-clients.js';
import { findMoto, resetMoto, startMoto } from '../test/e2e/support/moto.js';
import { REPO_ROOT, runCli } from '../test/e2e/support/run-cli.js';
import { iamUserCall, idcSession, seedTrailLogGroup, TRAIL_LOG_GROUP } from '../test/e2e/support/seed-trail.js';

const DEFAULT_SIZES = [10_000, 50_000, 150_000];
const RSS_PRELOAD = pathToFileURL(join(REPO_ROOT, 'scripts', 'bench-rss.mjs')).href;
const MARK_START = '<!-- bench:watch -->';
const MARK_END = '<!-- /bench:watch -->';
const ACCOUNT = '123456789012';

interface Row {
  events: number;
  engine: string;
  apiCalls: number;
  requests: number;
  wallMs: number;
  peakRssMb: number;
}

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const moto = await findMoto();
if (!moto) {
  console.error('The benchmark runs against the moto emulator, which is not installed: pip install "moto[server]"');
  process.exit(1);
}
const server = await startMoto({ python: moto.python });
const scratch = await mkdtemp(join(tmpdir(), 'iam2idc-bench-watch-'));
const rows: Row[] = [];
try {
  const clients = createEmulatorClients(server.endpoint);
  for (const size of sizes.length > 0 ? sizes : DEFAULT_SIZES) {
    await resetMoto(server.endpoint);
    await seedTrailLogGroup(clients, ACCOUNT);
    console.error(`\n${size} events: seeding…`);
    await seedEvents(clients, size);
    for (const engine of ['filter', 'insights']) {
      const workspace = join(scratch, `${size}-${engine}`);
      const started = Date.now();
      const rssFile = join(scratch, `${size}-${engine}.rss`);
      const run = await runCli(['watch-denied', '--query-engine', engine, '-o', 'json', '--debug', '-w', workspace], {
        endpoint: server.endpoint,
        timeoutMs: 30 * 60_000,
        nodeArgs: ['--import', RSS_PRELOAD],
        env: { BENCH_RSS_FILE: rssFile },
      });
      const wallMs = Date.now() - started;
      if (run.code !== 0) throw new Error(`watch-denied (${engine}) exited ${run.code}:\n${run.stderr}`);
      const result = run.json<{ report: { stats: { requests: number } } }>();
      const apiCalls = await countCalls(run.stderr);
      rows.push({ events: size, engine, apiCalls, requests: result.report.stats.requests, wallMs, peakRssMb: Number(await readFile(rssFile, 'utf8')) / 1024 });
      console.error(`  ${engine}: ${wallMs} ms`);
    }
  }
  destroyEmulatorClients(clients);
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
await writeResults(rows);

/** A realistic mix, written 10,000 events a call (PutLogEvents' maximum). */
async function seedEvents(clients: ReturnType<typeof createEmulatorClients>, count: number): Promise<void> {
  const now = Date.now();
  const stream = `${ACCOUNT}_CloudTrail_us-east-1`;
  for (let start = 0; start < count; start += 10_000) {
    const logEvents = [];
    for (let i = start; i < Math.min(count, start + 10_000); i += 1) {
      const timestamp = now - 20 * 3600_000 + Math.floor((i / count) * 19 * 3600_000);
      const denied = i % 50 === 0;
      const iamUser = i % 10 === 1;
      const identity = iamUser ? iamUserCall(ACCOUNT, { name: `ci-${i % 7}`, userId: `AIDABENCH00000000000${i % 7}` }, `AKIABENCH0000000000${i % 7}`) : idcSession(ACCOUNT, ['Developers', 'ReadOnly', 'DataEngineers'][i % 3] as string, `user${i % 40}`);
      logEvents.push({
        timestamp,
        message: JSON.stringify({
          eventVersion: '1.10',
          userIdentity: identity,
          eventTime: new Date(timestamp).toISOString(),
          eventSource: denied ? 's3.amazonaws.com' : 'ec2.amazonaws.com',
          eventName: denied ? 'ListObjectsV2' : 'DescribeInstances',
          awsRegion: 'us-east-1',
          sourceIPAddress: `198.51.100.${i % 200}`,
          userAgent: 'aws-cli/2.22.0',
          ...(denied ? { errorCode: 'AccessDenied', errorMessage: `User: x is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::bucket-${i % 5}" because no identity-based policy allows the s3:ListBucket action` } : {}),
          eventID: `bench-${i}`,
          recipientAccountId: ACCOUNT,
        }),
      });
    }
    await clients.logs.send(new PutLogEventsCommand({ logGroupName: TRAIL_LOG_GROUP, logStreamName: stream, logEvents }));
  }
}

/** Every SDK call, as --debug logs it (one line a call, before retries). */
async function countCalls(stderr: string): Promise<number> {
  return stderr.split('\n').filter((line) => /\[debug\] [\w-]+\.\w+ \{/.test(line)).length;
}

async function writeResults(measured: Row[]): Promise<void> {
  const table = [
    MARK_START,
    '## watch-denied on a busy log group',
    '',
    'One window of CloudTrail events in CloudWatch Logs (one in fifty a denial, one in ten a call of an IAM',
    'user), read with each engine. Memory stays flat as the window grows: events are folded into the',
    'report as they stream, never kept.',
    '',
    '| events | engine | AWS calls | read requests | wall time | peak RSS |',
    '|---:|---|---:|---:|---:|---:|',
    ...measured.map((r) => `| ${r.events.toLocaleString('en-US')} | ${r.engine === 'filter' ? 'FilterLogEvents' : 'Logs Insights'} | ${r.apiCalls} | ${r.requests} | ${(r.wallMs / 1000).toFixed(1)} s | ${Math.round(r.peakRssMb)} MB |`),
    '',
    `- Command: \`npm run bench:watch\` · Date: ${new Date().toISOString().slice(0, 10)} · Machine: ${cpus().length} × ${cpus()[0]?.model.split(' ')[0] ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.version}`,
    '- moto ignores the JSON filter pattern and returns every event, so FilterLogEvents here moves all of them and the',
    '  client-side filter does the selection; on AWS only the matching events travel. moto runs Insights queries without',
    '  their `filter` too, and returns at most 10,000 rows a query, which is what the time-ordered walk is built for.',
    MARK_END,
  ].join('\n');
  const file = join(REPO_ROOT, 'docs', 'benchmarks.md');
  const current = await readFile(file, 'utf8');
  const start = current.indexOf(MARK_START);
  const end = current.indexOf(MARK_END);
  const next = start >= 0 && end > start ? `${current.slice(0, start)}${table}${current.slice(end + MARK_END.length)}` : `${current.trimEnd()}\n\n${table}\n`;
  await writeFile(file, next);
  console.error(`\nWrote ${file}`);
}
