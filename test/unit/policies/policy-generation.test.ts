import { GetGeneratedPolicyCommand, StartPolicyGenerationCommand, type GetGeneratedPolicyCommandOutput, type JobStatus } from '@aws-sdk/client-accessanalyzer';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { readJournal } from '../../../src/plan/journal.js';
import { withPlanRun, readFileTrust } from '../../../src/plan/plan-run.js';
import { runPhase } from '../../../src/plan/run-phase.js';
import { resolveGenerationWindow } from '../../../src/phases/generate-policies/generation-window.js';
import { GENERATE_POLICY_KIND, generationToken, POLICY_GENERATION_LIMITS } from '../../../src/phases/generate-policies/policy-generation-handler.js';
import { GENERATE_POLICIES, planPolicyGeneration, policyGenerationPhase, type GenerationResult, type GenerationUser } from '../../../src/phases/generate-policies/policy-generation-phase.js';
import { generatedPolicyPath, readGeneratedPolicy } from '../../../src/workspace/generated-policies.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { ACCOUNT_ID, FIXTURE_NOW, roleArn, userArn } from '../../fixtures/inventory.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const DAY_MS = 86_400_000;
const TRAIL = { cloudTrailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT_ID}:trail/main`, allRegions: true };
const ACCESS_ROLE = roleArn('AccessAnalyzerMonitorServiceRole_1', '/service-role/');
const USED: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::app/*' }] };
const SINCE = new Date(FIXTURE_NOW.getTime() - 30 * DAY_MS);
const PROCESS = { pid: 4242, hostname: 'test-host', isProcessAlive: () => true };

const user = (name: string, permissionSets = ['developers']): GenerationUser => ({ userName: name, principalArn: userArn(name), permissionSets });

function generated(jobId: string, status: JobStatus): Partial<GetGeneratedPolicyCommandOutput> {
  return {
    jobDetails: { jobId, status, startedOn: FIXTURE_NOW, ...(status === 'IN_PROGRESS' ? {} : { completedOn: FIXTURE_NOW }), ...(status === 'FAILED' ? { jobError: { code: 'SERVICE_ERROR', message: 'boom' } } : {}) },
    generatedPolicyResult:
      status === 'SUCCEEDED'
        ? {
            properties: { principalArn: userArn('x'), isComplete: true, cloudTrailProperties: { startTime: SINCE, endTime: FIXTURE_NOW, trailProperties: [{ cloudTrailArn: TRAIL.cloudTrailArn, allRegions: true }] } },
            generatedPolicies: [{ policy: JSON.stringify(USED) }],
          }
        : undefined,
  };
}

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-generation-'));
  workspace = Workspace.at(path.join(root, 'ws'));
  await workspace.bindToAccount({ accountId: ACCOUNT_ID, partition: 'aws', arn: userArn('ops') }, FIXTURE_NOW);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

interface RunOptions {
  dryRun?: boolean;
  regenerate?: boolean;
  since?: Date;
  interrupts?: InterruptController;
  io?: TestIoHost;
  now?: Date;
}

/** One run of the phase, as `generate-policies --from-activity` runs it: holding the workspace, through the one runner. */
function run(users: GenerationUser[], options: RunOptions = {}): Promise<GenerationResult> {
  const interrupts = options.interrupts ?? new InterruptController();
  const io = options.io ?? new TestIoHost();
  const dryRun = options.dryRun ?? false;
  const now = () => options.now ?? FIXTURE_NOW;
  return withPlanRun({ workspace, command: GENERATE_POLICIES, now, process: PROCESS, interrupts, dryRun }, async (planRun) => {
    const trust = planRun ? await planRun.fileTrust(ACCOUNT_ID) : await readFileTrust(workspace, ACCOUNT_ID);
    const phase = policyGenerationPhase({
      users,
      trail: TRAIL,
      accessRoleArn: ACCESS_ROLE,
      since: options.since ?? SINCE,
      regenerate: options.regenerate ?? false,
      accountId: ACCOUNT_ID,
      workspace,
      accessAnalyzer: clients.accessAnalyzer,
      sealer: planRun,
      trust,
      io,
      now,
      polling: { minDelaySeconds: 0.001, maxDelaySeconds: 0.005, maxWaitSeconds: 2, busyMaxWaitSeconds: 2 },
    });
    return runPhase(phase, { workspace, io, now, interrupts, process: PROCESS, dryRun, run: planRun });
  });
}

const startCalls = () => mocks.accessAnalyzer.commandCalls(StartPolicyGenerationCommand).map((call) => call.args[0].input);
const resultOf = async (userName: string) => readGeneratedPolicy(workspace, userName, await readFileTrust(workspace, ACCOUNT_ID));

describe('policy generation as a phase', () => {
  it('Given one user, When the job goes IN_PROGRESS then SUCCEEDED, Then the policy and the analysed window are sealed on file and the journal records the call', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolvesOnce(generated('job-1', 'IN_PROGRESS')).resolves(generated('job-1', 'SUCCEEDED'));

    const result = await run([user('alice')]);

    expect(result.stop).toBeNull();
    expect(result.usedByUser.get('alice')).toEqual([USED]);
    expect(result.remaining).toEqual([]);
    expect(await resultOf('alice')).toMatchObject({ jobId: 'job-1', isComplete: true, policies: [USED], analysed: { startTime: SINCE.toISOString(), endTime: FIXTURE_NOW.toISOString(), trails: [TRAIL] } });
    expect(startCalls()).toEqual([
      {
        policyGenerationDetails: { principalArn: userArn('alice') },
        cloudTrailDetails: { trails: [TRAIL], accessRole: ACCESS_ROLE, startTime: SINCE, endTime: FIXTURE_NOW },
        clientToken: generationToken(userArn('alice'), { startTime: SINCE.toISOString(), endTime: FIXTURE_NOW.toISOString() }),
      },
    ]);
    expect(mocks.accessAnalyzer).toHaveReceivedCommandWith(GetGeneratedPolicyCommand, { jobId: 'job-1', includeResourcePlaceholders: false, includeServiceLevelTemplate: false });
    const records = await readJournal(workspace);
    expect(records.filter((r) => r.type === 'intent' || r.type === 'outcome' || r.type === 'seal').map((r) => (r.type === 'outcome' ? `outcome:${r.status}` : r.type))).toEqual(['intent', 'seal', 'outcome:done']);
    expect(result.execution.actions[0]?.detail).toMatch(/^job job-1: 1 policy document/);
  });

  it('Given a result on file, When run again, Then nothing is called and the result is used; with regenerate, the job starts again', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));
    await run([user('alice')]);
    mocks.accessAnalyzer.resetHistory();

    const again = await run([user('alice')]);
    expect(startCalls()).toEqual([]);
    expect(again.decisions.map((d) => d.step)).toEqual(['reuse']);
    expect(again.usedByUser.get('alice')).toEqual([USED]);

    await run([user('alice')], { regenerate: true, since: new Date(FIXTURE_NOW.getTime() - 10 * DAY_MS) });
    expect(startCalls()).toHaveLength(1);
  });

  it('Given a job that FAILED, When run, Then it is retried once with another token and succeeds', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolvesOnce({ jobId: 'job-1' }).resolvesOnce({ jobId: 'job-2' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-1' }).resolves(generated('job-1', 'FAILED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-2' }).resolves(generated('job-2', 'SUCCEEDED'));

    const result = await run([user('alice')]);

    expect(result.failed).toEqual([]);
    expect(await resultOf('alice')).toMatchObject({ jobId: 'job-2' });
    const [first, second] = startCalls();
    expect(first?.clientToken).not.toBe(second?.clientToken);
    expect(result.execution.actions[0]?.detail).toContain('SERVICE_ERROR');
  });

  it('Given a job CANCELED twice, When run, Then the user is reported failed and the next user still runs', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolvesOnce({ jobId: 'job-1' }).resolvesOnce({ jobId: 'job-2' }).resolvesOnce({ jobId: 'job-3' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-1' }).resolves(generated('job-1', 'CANCELED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-2' }).resolves(generated('job-2', 'CANCELED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-3' }).resolves(generated('job-3', 'SUCCEEDED'));

    const result = await run([user('alice'), user('bob')]);

    expect(result.failed.map((f) => f.userName)).toEqual(['alice']);
    expect(result.failed[0]?.reason).toMatch(/canceled/);
    expect([...result.usedByUser.keys()]).toEqual(['bob']);
    expect(result.remaining).toEqual(['alice']);
  });

  it("Given today's starts used up (ServiceQuotaExceededException), When run, Then the run stops there, the next user is not started, and the journal records a stopped run", async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolvesOnce({ jobId: 'job-1' }).rejects(awsError('ServiceQuotaExceededException'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));

    const result = await run([user('alice'), user('bob'), user('carol')]);

    expect(result.stop?.code).toBe('DAILY_LIMIT_REACHED');
    expect(result.stop?.message).toContain(new Date(Date.UTC(FIXTURE_NOW.getUTCFullYear(), FIXTURE_NOW.getUTCMonth(), FIXTURE_NOW.getUTCDate() + 1)).toISOString());
    expect(startCalls()).toHaveLength(2);
    expect(result.remaining).toEqual(['bob', 'carol']);
    expect(result.execution.actions.map((a) => [a.id, a.status])).toEqual([
      [`${GENERATE_POLICIES}/alice`, 'done'],
      [`${GENERATE_POLICIES}/bob`, 'failed'],
      [`${GENERATE_POLICIES}/carol`, 'not-run'],
    ]);
    const runs = (await readJournal(workspace)).filter((r) => r.type === 'run').map((r) => (r.type === 'run' ? r.event : ''));
    expect(runs).toEqual(['start', 'stopped']);
  });

  it('Given StartPolicyGeneration is denied, When run, Then it stops naming the missing permission, after one call', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(awsError('AccessDeniedException'));

    const result = await run([user('alice'), user('bob')]);

    expect(result.stop).toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringContaining('iam:PassRole') });
    expect(startCalls()).toHaveLength(1);
  });

  it('Given something other than Access Analyzer answers (404), When run, Then it stops at once', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(Object.assign(awsError('UnknownError'), { $metadata: { httpStatusCode: 404 } }));

    const result = await run([user('alice'), user('bob')]);

    expect(result.stop?.code).toBe('SERVICE_UNAVAILABLE');
    expect(startCalls()).toHaveLength(1);
  });

  it('Given another generation running in the account (ConflictException), When a start is made, Then it waits and succeeds with the same token', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejectsOnce(awsError('ConflictException')).rejectsOnce(awsError('ConflictException')).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));

    const result = await run([user('alice')]);

    expect(result.usedByUser.has('alice')).toBe(true);
    expect(new Set(startCalls().map((c) => c.clientToken)).size).toBe(1);
    expect(startCalls()).toHaveLength(3);
  });

  it('Given a run aborted while its job was polled, When run again later, Then the start is sent again with the same window and token, so Access Analyzer answers with the same job', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    const interrupts = new InterruptController();
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).callsFake(async () => {
      // Ctrl-C twice while the job runs: the poll is aborted, and the answer to the start is the only trace.
      interrupts.interrupt();
      interrupts.interrupt();
      return generated('job-1', 'IN_PROGRESS');
    });
    const first = await run([user('alice')], { interrupts });
    expect(first.execution.actions.map((a) => a.status)).toEqual(['unknown']);

    mocks.accessAnalyzer.reset();
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));
    // A day later: a fresh plan would ask for another window, and so another job.
    const later = new Date(FIXTURE_NOW.getTime() + DAY_MS);
    const second = await run([user('alice')], { now: later });

    expect(second.decisions.map((d) => d.step)).toEqual(['resume']);
    expect(startCalls()).toEqual([expect.objectContaining({ clientToken: generationToken(userArn('alice'), { startTime: SINCE.toISOString(), endTime: FIXTURE_NOW.toISOString() }) })]);
    expect(second.usedByUser.has('alice')).toBe(true);
  });

  it('Given a result file edited to grant more, When run, Then it is refused (exit 3) before any call', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));
    await run([user('alice')]);
    const file = generatedPolicyPath('alice');
    const content = JSON.parse((await workspace.readText(file)) ?? '{}') as { policies: PolicyDocument[] };
    content.policies = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    await workspace.writeJson(file, content);
    mocks.accessAnalyzer.resetHistory();

    await expect(run([user('alice')])).rejects.toMatchObject({ code: 'WORKSPACE_FILE_UNTRUSTED', exitCode: 3 });
    expect(startCalls()).toEqual([]);
  });

  it('Given a dry-run, When run, Then the plan is shown and nothing is started, polled or written', async () => {
    const io = new TestIoHost();
    const result = await run([user('alice'), user('bob')], { dryRun: true, io });

    expect(mocks.accessAnalyzer.calls()).toHaveLength(0);
    expect(result.decisions.map((d) => [d.userName, d.step])).toEqual([
      ['alice', 'start'],
      ['bob', 'start'],
    ]);
    expect(result.execution.dryRun).toBe(true);
    expect(await readJournal(workspace)).toEqual([]);
  });

  it('Given --since 120 days back, When run, Then the window is clipped to 90 days with a note', async () => {
    const io = new TestIoHost();
    const result = await run([user('alice')], { dryRun: true, io, since: new Date(FIXTURE_NOW.getTime() - 120 * DAY_MS) });

    expect(result.window.clipped).toBe(true);
    expect(result.window.startTime).toBe(new Date(FIXTURE_NOW.getTime() - 90 * DAY_MS).toISOString());
    expect(io.codes('info')).toContain('ACTIVITY_WINDOW_CLIPPED');
  });
});

describe('planPolicyGeneration', () => {
  const window = resolveGenerationWindow(FIXTURE_NOW, SINCE);
  const options = { trail: TRAIL, accessRoleArn: ACCESS_ROLE, window, regenerate: false };

  it('Given more users than the day allows, When planned, Then the first 50 start and the rest are deferred', () => {
    const users = Array.from({ length: 53 }, (_, i) => user(`user-${String(i).padStart(2, '0')}`));
    const { actions, decisions } = planPolicyGeneration(users, { results: new Map(), unsettled: new Map() }, options);
    expect(actions).toHaveLength(POLICY_GENERATION_LIMITS.startsPerDay);
    expect(decisions.filter((d) => d.step === 'deferred').map((d) => d.userName)).toEqual(['user-50', 'user-51', 'user-52']);
    expect(actions.every((a) => a.kind === GENERATE_POLICY_KIND && a.risk === 'read' && a.principal === undefined)).toBe(true);
  });

  it('Given a start in doubt for one user, When planned, Then it comes first, with its own parameters, and is not counted against the day', () => {
    const unsettledWindow = { startTime: '2024-04-01T00:00:00.000Z', endTime: '2024-05-01T00:00:00.000Z' };
    const unsettled = { userName: 'zoe', principalArn: userArn('zoe'), trail: TRAIL, accessRoleArn: ACCESS_ROLE, window: unsettledWindow, clientToken: generationToken(userArn('zoe'), unsettledWindow) };
    const users = [user('alice'), user('zoe')];
    const { actions, decisions } = planPolicyGeneration(users, { results: new Map(), unsettled: new Map([['zoe', unsettled]]) }, options);
    expect(actions.map((a) => a.id)).toEqual([`${GENERATE_POLICIES}/zoe`, `${GENERATE_POLICIES}/alice`]);
    expect(actions[0]?.params).toEqual(unsettled);
    expect(decisions.map((d) => [d.userName, d.step])).toEqual([
      ['alice', 'start'],
      ['zoe', 'resume'],
    ]);
  });

  it('Given a start in doubt for a user re-created under the same name, When planned, Then a new job is planned for the new user', () => {
    const stale = { userName: 'alice', principalArn: 'arn:aws:iam::111111111111:user/old/alice', trail: TRAIL, accessRoleArn: ACCESS_ROLE, window, clientToken: 'a'.repeat(32) };
    const { decisions } = planPolicyGeneration([user('alice')], { results: new Map(), unsettled: new Map([['alice', stale]]) }, options);
    expect(decisions.map((d) => d.step)).toEqual(['start']);
  });
});
