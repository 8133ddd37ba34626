import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { WorkspaceState } from '../../src/workspace/workspace-state.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { startCountingServer } from './support/e2e-helpers.js';
import { emulatorInstanceArn, readEmulatorPermissionSets } from './support/permission-sets.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT, runCli, type RunCliOptions } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { seedSandboxAccount, type SeededUser } from './support/seed-account.js';
import { iamUserCall, idcSession, putForeignLine, putTrailEvents, seedTrailLogGroup, type SeedEvent } from './support/seed-trail.js';
import { effectActions, readWorkspaceJson, readWorkspaceText } from './support/workspace-files.js';

interface ActionGroupJson {
  action: string;
  count: number;
  users: string[];
  deniedBy: string;
  explicit: boolean | null;
  fixable: boolean;
  exampleResources: string[];
}

interface WatchJson {
  report: {
    engine: string;
    stats: { duplicates: number; matched: number };
    totals: { denied: number; fixable: number; iamUserEvents: number };
    permissionSets: { permissionSet: string; inMapping: boolean; total: number; actions: ActionGroupJson[] }[];
    otherPrincipals: { principal: string; type: string; actions: ActionGroupJson[] }[];
    iamUsers: { userName: string; kind: string | null; eventCount: number; lastSeen: string; accessKeys: { accessKeyId: string }[]; consoleLastSeen: string | null; sourceIps: { value: string }[] }[];
  };
  files: { json: string; markdown: string };
  suggestions: { permissionSet: string; file: string; actions: { action: string; resources: string[] | '*'; unverified: boolean }[] }[];
  applied: { merged: { permissionSet: string; file: string }[]; run: { written: string[]; permissionSets: { execution: { dryRun: boolean; counts: Record<string, number> } } | null } } | null;
}

interface PatchJson {
  document: { Statement: { Effect: string; Action: string[]; Resource: string | string[] }[] };
}

const endpoint = inject('motoEndpoint');
const RUN_TIMEOUT_MS = 120_000;
const OTHER_ACCOUNT = '222222222222';
const S3_DENIED = (account: string, user: string) =>
  `User: arn:aws:sts::${account}:assumed-role/AWSReservedSSO_Developers_0a1b2c3d4e5f6a7b/${user} is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::acme-data-lake" because no identity-based policy allows the s3:ListBucket action`;

/**
 * A day in the parallel run: people work through Identity Center and are denied a few things, for
 * reasons the permission set can and cannot fix; some IAM users still use their old credentials.
 */
function parallelRunEvents(accountId: string, users: Map<string, SeededUser>): SeedEvent[] {
  const user = (name: string) => ({ name, userId: users.get(name)?.userId ?? 'AIDAUNKNOWN' });
  const ciKey = users.get('ci-deploy')?.accessKeys[0]?.id ?? 'AKIAEXAMPLECIDEPLOY1';
  return [
    { id: 'dev-s3-1', minutesAgo: 300, identity: idcSession(accountId, 'Developers', 'bob.builder'), eventSource: 's3.amazonaws.com', eventName: 'ListObjectsV2', errorCode: 'AccessDenied', errorMessage: S3_DENIED(accountId, 'bob.builder'), resources: ['arn:aws:s3:::acme-data-lake'] },
    { id: 'dev-s3-2', minutesAgo: 200, identity: idcSession(accountId, 'Developers', 'carol.dev'), eventSource: 's3.amazonaws.com', eventName: 'ListObjectsV2', errorCode: 'AccessDenied', errorMessage: S3_DENIED(accountId, 'carol.dev'), resources: ['arn:aws:s3:::acme-data-lake'] },
    {
      id: 'dev-lambda',
      minutesAgo: 150,
      identity: idcSession(accountId, 'Developers', 'carol.dev'),
      eventSource: 'lambda.amazonaws.com',
      eventName: 'GetFunction20150331v2',
      errorCode: 'AccessDeniedException',
      errorMessage: `User: arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_Developers_0a1b2c3d4e5f6a7b/carol.dev is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:eu-west-1:${accountId}:function:billing-export because no identity-based policy allows the lambda:GetFunction action`,
      region: 'eu-west-1',
    },
    {
      id: 'data-kms-scp',
      minutesAgo: 120,
      identity: idcSession(accountId, 'DataEngineers', 'dave.data'),
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      errorCode: 'AccessDenied',
      errorMessage: `User: arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_DataEngineers_0a1b2c3d4e5f6a7b/dave.data is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:${accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab with an explicit deny in a service control policy`,
    },
    { id: 'ro-ec2', minutesAgo: 90, identity: idcSession(accountId, 'ReadOnly', 'erin.readonly'), eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' },
    { id: 'ro-allowed', minutesAgo: 80, identity: idcSession(accountId, 'ReadOnly', 'erin.readonly'), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' },
    { id: 'ci-1', minutesAgo: 240, identity: iamUserCall(accountId, user('ci-deploy'), ciKey), eventSource: 'cloudformation.amazonaws.com', eventName: 'DescribeStacks', sourceIp: '203.0.113.10', userAgent: 'Boto3/1.35 ci-runner' },
    { id: 'ci-2', minutesAgo: 30, identity: iamUserCall(accountId, user('ci-deploy'), ciKey), eventSource: 'ecr.amazonaws.com', eventName: 'GetAuthorizationToken', sourceIp: '203.0.113.10', userAgent: 'Boto3/1.35 ci-runner' },
    { id: 'bob-console', minutesAgo: 60, identity: iamUserCall(accountId, user('bob.builder'), null), eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', extra: { responseElements: { ConsoleLogin: 'Success' } } },
    {
      id: 'backup-denied',
      minutesAgo: 45,
      identity: iamUserCall(accountId, user('svc-backup'), 'AKIAEXAMPLESVCBACKUP'),
      eventSource: 's3.amazonaws.com',
      eventName: 'DeleteObject',
      errorCode: 'AccessDenied',
      errorMessage: `User: arn:aws:iam::${accountId}:user/svc-backup is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::acme-backups/2026/12/db.dump" with an explicit deny in an identity-based policy`,
    },
    // Not this account's user (an organization trail sees every account): not listed among the IAM users.
    { id: 'other-account', minutesAgo: 20, identity: iamUserCall(OTHER_ACCOUNT, { name: 'ci-deploy', userId: 'AIDAOTHERACCOUNT0001' }, 'AKIAOTHERACCOUNT0001'), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', recipientAccountId: OTHER_ACCOUNT },
    // A workload role: neither a denial nor an IAM user.
    { id: 'lambda-role', minutesAgo: 10, identity: { type: 'AssumedRole', arn: `arn:aws:sts::${accountId}:assumed-role/report-lambda/run`, accountId, sessionContext: { sessionIssuer: { userName: 'report-lambda' } } }, eventSource: 'logs.amazonaws.com', eventName: 'CreateLogStream' },
    // Older than the window.
    { id: 'too-old', minutesAgo: 60 * 30, identity: idcSession(accountId, 'Developers', 'bob.builder'), eventSource: 'iam.amazonaws.com', eventName: 'ListRoles', errorCode: 'AccessDenied', errorMessage: 'because no identity-based policy allows the iam:ListRoles action' },
  ];
}

describe.skipIf(endpoint === null)('watch-denied against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  const cli = (args: string[], options: Partial<RunCliOptions> = {}) => runCli([...args, '-w', workspace], { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS, ...options });

  /** An account through audit, generate-policies and create-permission-sets, with a day of trail events. */
  async function prepare(): Promise<{ accountId: string; events: SeedEvent[] }> {
    const seeded = await seedSandboxAccount(clients);
    for (const step of [['audit'], ['generate-policies'], ['create-permission-sets', '--yes']]) {
      const run = await cli([...step, '-o', 'json']);
      expect(run.code, `${step[0]}: ${run.stderr}`).toBe(0);
    }
    const events = await seedParallelRun(seeded.accountId, seeded.users);
    return { accountId: seeded.accountId, events };
  }

  async function seedParallelRun(accountId: string, users: SeededUser[]): Promise<SeedEvent[]> {
    await seedTrailLogGroup(clients, accountId);
    const events = parallelRunEvents(accountId, new Map(users.map((u) => [u.name, u])));
    await putTrailEvents(clients, accountId, events);
    // CloudTrail delivered one event twice (a second trail into the same group): it must count once.
    await putTrailEvents(clients, accountId, events.filter((e) => e.id === 'dev-s3-1'), { stream: 1 });
    await putForeignLine(clients, accountId);
    return events;
  }

  it('attributes denials to permission sets and lists the IAM users still in use, in reports and for disable', async () => {
    await prepare();
    const run = await cli(['watch-denied', '--since', '24h', '--suggest', '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const { report, files, suggestions } = run.json<WatchJson>();

    expect(report.engine).toBe('filter');
    expect(report.stats.duplicates).toBe(1);
    const sets = new Map(report.permissionSets.map((s) => [s.permissionSet, s]));
    expect([...sets.keys()].sort()).toEqual(['DataEngineers', 'Developers', 'ReadOnly']);
    const developers = new Map(sets.get('Developers')!.actions.map((a) => [a.action, a]));
    expect(developers.get('s3:ListBucket')).toMatchObject({ count: 2, users: ['bob.builder', 'carol.dev'], deniedBy: 'identity-policy', fixable: true, exampleResources: ['arn:aws:s3:::acme-data-lake'] });
    expect(developers.get('lambda:GetFunction')).toMatchObject({ count: 1, fixable: true });
    expect(developers.has('iam:ListRoles')).toBe(false);
    expect(sets.get('DataEngineers')!.actions).toEqual([expect.objectContaining({ action: 'kms:Decrypt', deniedBy: 'service-control-policy', explicit: true, fixable: false })]);
    expect(sets.get('ReadOnly')!.actions).toEqual([expect.objectContaining({ action: 'ec2:DescribeInstances', deniedBy: 'unknown', fixable: false })]);
    expect(report.otherPrincipals).toEqual([expect.objectContaining({ type: 'iam-user', actions: [expect.objectContaining({ action: 's3:DeleteObject', deniedBy: 'identity-policy', explicit: true })] })]);
    expect(report.totals).toMatchObject({ denied: 6, fixable: 3 });

    const iamUsers = new Map(report.iamUsers.map((u) => [u.userName, u]));
    expect([...iamUsers.keys()].sort()).toEqual(['bob.builder', 'ci-deploy', 'svc-backup']);
    expect(iamUsers.get('ci-deploy')).toMatchObject({ kind: 'machine', eventCount: 2, sourceIps: [{ value: '203.0.113.10', count: 2 }] });
    expect(iamUsers.get('ci-deploy')!.accessKeys).toHaveLength(1);
    expect(iamUsers.get('bob.builder')).toMatchObject({ kind: 'human', accessKeys: [] });
    expect(iamUsers.get('bob.builder')!.consoleLastSeen).not.toBeNull();

    // Suggestions: only what a permission set can fix, scoped where it is safe.
    const bySet = new Map(suggestions.map((s) => [s.permissionSet, s]));
    expect([...bySet.keys()].sort()).toEqual(['Developers', 'ReadOnly']);
    expect(bySet.get('Developers')!.actions.find((a) => a.action === 's3:ListBucket')).toMatchObject({ resources: ['arn:aws:s3:::acme-data-lake'], unverified: false });
    expect(bySet.get('ReadOnly')!.actions).toEqual([expect.objectContaining({ action: 'ec2:DescribeInstances', resources: '*', unverified: true })]);
    const patch = await readWorkspaceJson<PatchJson>(workspace, bySet.get('Developers')!.file);
    expect(effectActions(patch.document)).toEqual(expect.arrayContaining(['Allow:s3:ListBucket', 'Allow:lambda:GetFunction']));

    // The reports, and the evidence disable will weigh.
    expect((await readdir(join(workspace, 'reports'))).filter((f) => f.startsWith('denied-')).sort()).toEqual([files.json.slice('reports/'.length), files.markdown.slice('reports/'.length)].sort());
    const markdown = await readWorkspaceText(workspace, files.markdown);
    for (const expected of ['Developers', 's3:ListBucket', 'ci-deploy', 'service-control-policy']) expect(markdown).toContain(expected);
    const state = await readWorkspaceJson<WorkspaceState>(workspace, 'workspace.json');
    expect(state.phases.activity?.users['ci-deploy']?.lastSeen).toBe(iamUsers.get('ci-deploy')!.lastSeen);
    expect(state.phases.activity?.users['ci-deploy']?.accessKeys).toEqual({ [iamUsers.get('ci-deploy')!.accessKeys[0]!.accessKeyId]: iamUsers.get('ci-deploy')!.lastSeen });
    expect(Object.keys(state.phases.activity?.users ?? {}).sort()).toEqual(['bob.builder', 'ci-deploy', 'svc-backup']);
    expect(state.phases.activity?.deniedByPermissionSet).toMatchObject({ Developers: 3, DataEngineers: 1, ReadOnly: 1 });
  });

  it('--apply-suggestions previews the permission-set plan, then merges the patch and provisions it, once', async () => {
    await prepare();
    const instanceArn = await emulatorInstanceArn(clients.ssoAdmin);
    const before = (await readEmulatorPermissionSets(clients.ssoAdmin, instanceArn)).get('Developers')!;
    const policyBefore = await readWorkspaceText(workspace, 'policies/Developers.json').catch(() => null);

    const dry = await cli(['watch-denied', '--apply-suggestions', '--dry-run', '-o', 'json']);
    expect(dry.code, dry.stderr).toBe(0);
    const dryResult = dry.json<WatchJson>();
    expect(dryResult.applied?.run.permissionSets?.execution.dryRun).toBe(true);
    expect(dryResult.applied?.run.written).toEqual([]);
    expect(await readWorkspaceText(workspace, 'policies/Developers.json').catch(() => null)).toBe(policyBefore);
    expect((await readEmulatorPermissionSets(clients.ssoAdmin, instanceArn)).get('Developers')!.inlinePolicy).toEqual(before.inlinePolicy);

    const refused = await cli(['watch-denied', '--apply-suggestions'], { stdin: 'keep-open' });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.timedOut).toBe(false);

    const applied = await cli(['watch-denied', '--apply-suggestions', '--yes', '-o', 'json']);
    expect(applied.code, applied.stderr).toBe(0);
    const result = applied.json<WatchJson>();
    expect(result.applied?.merged.map((m) => m.permissionSet).sort()).toEqual(['Developers', 'ReadOnly']);
    expect(result.applied?.run.permissionSets?.execution.counts.failed).toBe(0);
    const after = (await readEmulatorPermissionSets(clients.ssoAdmin, instanceArn)).get('Developers')!;
    expect(effectActions(after.inlinePolicy as PatchJson['document'])).toEqual(expect.arrayContaining(['Allow:s3:ListBucket', 'Allow:lambda:GetFunction']));
    const onDisk = JSON.parse(await readWorkspaceText(workspace, 'policies/Developers.json')) as PatchJson['document'];
    expect(onDisk).toEqual(after.inlinePolicy);

    // The same denials again: the policies already hold the actions, so nothing changes.
    const again = await cli(['watch-denied', '--apply-suggestions', '--yes', '-o', 'json', '--debug']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<WatchJson>().applied?.merged).toEqual([]);
    expect(again.stderr).not.toMatch(/\[debug\] sso-admin\.(Put|Create|Update|Attach|Provision)\w* \{/);
  });

  it('reads the same window with Logs Insights, and attributes without a mapping', async () => {
    const seeded = await seedSandboxAccount(clients);
    await seedParallelRun(seeded.accountId, seeded.users);
    const run = await cli(['watch-denied', '--query-engine', 'insights', '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const { report } = run.json<WatchJson>();
    expect(report.engine).toBe('insights');
    expect(report.stats.duplicates).toBe(1);
    expect(report.totals.denied).toBe(6);
    expect(report.permissionSets.every((s) => !s.inMapping)).toBe(true);
    expect(report.iamUsers.map((u) => u.userName).sort()).toEqual(['bob.builder', 'ci-deploy', 'svc-backup']);
    expect(report.iamUsers.every((u) => u.kind === null)).toBe(true);
  });

  it('says what to set up when no trail delivers to CloudWatch Logs, and rejects bad flags before any AWS call', async () => {
    const noTrail = await cli(['watch-denied', '-o', 'json']);
    expect(noTrail.code, noTrail.stderr).toBe(1);
    const error = noTrail.json<{ error: { code: string; resolution: string } }>().error;
    expect(error.code).toBe('NO_TRAIL_LOG_GROUP');
    expect(error.resolution).toContain('aws cloudtrail create-trail');
    expect(error.resolution).toContain('--cloud-watch-logs-log-group-arn');

    const counting = await startCountingServer();
    try {
      for (const args of [['--since', 'last tuesday'], ['--follow', '--until', '1h'], ['--since', '1h', '--until', '2h'], ['--interval', '1s', '--follow'], ['--log-group', 'not a group!'], ['--suggest']]) {
        const run = await cli(['watch-denied', ...args], { endpoint: counting.endpoint });
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      }
      expect(counting.requests()).toBe(0);
    } finally {
      await counting.close();
    }
  });

  it('--follow prints new denials as they arrive, once each, and ends with a summary on Ctrl-C', async () => {
    const { accountId } = await prepare();
    const home = await mkdtemp(join(tmpdir(), 'iam2idc-e2e-home-'));
    try {
      const child = spawn(process.execPath, [CLI_BIN, 'watch-denied', '--follow', '--interval', '5s', '-w', workspace], {
        cwd: REPO_ROOT,
        env: buildCliEnv({ endpoint: motoEndpoint }, home),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      await waitFor(() => stderr.includes('Ctrl-C'), 60_000, () => stderr);
      expect(streamedLines(stdout).filter((l) => l.includes('s3:ListBucket'))).toHaveLength(2);

      await putTrailEvents(clients, accountId, [
        { id: 'live-1', minutesAgo: 0, identity: idcSession(accountId, 'Admins', 'alice.admin'), eventSource: 'organizations.amazonaws.com', eventName: 'ListAccounts', errorCode: 'AccessDeniedException', errorMessage: 'because no identity-based policy allows the organizations:ListAccounts action' },
      ]);
      await waitFor(() => stdout.includes('organizations:ListAccounts'), 60_000, () => `${stdout}\n${stderr}`);
      // Two polls later the overlap has been read again: still printed once.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(streamedLines(stdout).filter((l) => l.includes('organizations:ListAccounts') && l.includes('alice.admin'))).toHaveLength(1);
      // The summary follows, as a table that includes the new denial.
      expect(stdout.split('\n').some((l) => l.startsWith('│') && l.includes('organizations:ListAccounts'))).toBe(true);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

/** The lines --follow streams as denials arrive: each starts with the time of the call. */
function streamedLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z /.test(line));
}

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting; output so far:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
