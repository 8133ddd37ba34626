import {
  GetGeneratedPolicyCommand,
  StartPolicyGenerationCommand,
  type GetGeneratedPolicyCommandOutput,
  type JobStatus,
} from '@aws-sdk/client-accessanalyzer';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import {
  planGenerationJobs,
  runPolicyGenerationQueue,
  type GenerationUser,
  type QueueEvent,
  type RunPolicyGenerationQueueOptions,
} from '../../../src/services/policies/policy-generation-queue.js';
import {
  createEmptyQueueState,
  type GenerationJob,
  type GenerationQueueState,
  type GenerationQueueStore,
} from '../../../src/services/policies/policy-generation-store.js';
import { ACCOUNT_ID, FIXTURE_NOW, roleArn, userArn } from '../../fixtures/inventory.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { DAY_MS } from '../support/time.js';

const { mocks, clients } = mockAws();

const TRAIL = { cloudTrailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT_ID}:trail/main`, allRegions: true };
const ACCESS_ROLE = roleArn('AccessAnalyzerMonitorServiceRole_1', '/service-role/');
const USED: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::${BucketName}/${ObjectName}' }] };

const user = (name: string, permissionSets = ['developers']): GenerationUser => ({ userName: name, principalArn: userArn(name), permissionSets });

/** A store in memory that keeps every saved version, as the workspace file would be written. */
function memoryStore(initial: unknown = null) {
  const saves: GenerationQueueState[] = [];
  let current: unknown = initial;
  const store: GenerationQueueStore = {
    load: async () => (current === null ? null : structuredClone(current)),
    save: async (state) => {
      current = structuredClone(state);
      saves.push(structuredClone(state));
    },
  };
  return { store, saves, current: () => current as GenerationQueueState };
}

function generated(jobId: string, status: JobStatus, extra: Partial<GetGeneratedPolicyCommandOutput> = {}): Partial<GetGeneratedPolicyCommandOutput> {
  const succeeded = status === 'SUCCEEDED';
  return {
    jobDetails: { jobId, status, startedOn: FIXTURE_NOW, ...(status === 'IN_PROGRESS' ? {} : { completedOn: FIXTURE_NOW }), ...(status === 'FAILED' ? { jobError: { code: 'SERVICE_ERROR', message: 'boom' } } : {}) },
    generatedPolicyResult: succeeded
      ? {
          properties: {
            principalArn: userArn('x'),
            isComplete: true,
            cloudTrailProperties: { startTime: new Date(FIXTURE_NOW.getTime() - 30 * DAY_MS), endTime: FIXTURE_NOW, trailProperties: [{ cloudTrailArn: TRAIL.cloudTrailArn, allRegions: true }] },
          },
          generatedPolicies: [{ policy: JSON.stringify(USED) }],
        }
      : undefined,
    ...extra,
  };
}

function run(store: GenerationQueueStore, users: GenerationUser[], overrides: Partial<RunPolicyGenerationQueueOptions> = {}) {
  const events: QueueEvent[] = [];
  const promise = runPolicyGenerationQueue({
    accessAnalyzer: clients.accessAnalyzer,
    store,
    users,
    trail: TRAIL,
    accessRoleArn: ACCESS_ROLE,
    since: new Date(FIXTURE_NOW.getTime() - 30 * DAY_MS),
    now: () => FIXTURE_NOW,
    onEvent: (event) => events.push(event),
    polling: { minDelaySeconds: 0.001, maxDelaySeconds: 0.005, maxWaitSeconds: 2, busyMaxWaitSeconds: 2 },
    ...overrides,
  });
  return { promise, events };
}

const startCalls = () => mocks.accessAnalyzer.commandCalls(StartPolicyGenerationCommand).map((call) => call.args[0].input);
const jobOf = (state: GenerationQueueState, userName: string): GenerationJob => state.jobs.find((job) => job.userName === userName)!;

describe('runPolicyGenerationQueue', () => {
  it('Given one user, When the job goes IN_PROGRESS then SUCCEEDED, Then the policy and the analysed window are kept and the job ID was saved first', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolvesOnce(generated('job-1', 'IN_PROGRESS')).resolves(generated('job-1', 'SUCCEEDED'));
    const { store, saves } = memoryStore();

    const { promise, events } = run(store, [user('alice')]);
    const result = await promise;

    expect(result.stop).toBeNull();
    expect(result.succeeded).toEqual(['alice']);
    const job = jobOf(result.state, 'alice');
    expect(job).toMatchObject({ status: 'SUCCEEDED', jobId: 'job-1', attempts: 1, policies: [USED], isComplete: true });
    expect(job.analysed).toEqual({ startTime: new Date(FIXTURE_NOW.getTime() - 30 * DAY_MS).toISOString(), endTime: FIXTURE_NOW.toISOString(), trails: [TRAIL] });
    expect(startCalls()).toEqual([
      {
        policyGenerationDetails: { principalArn: userArn('alice') },
        cloudTrailDetails: { trails: [TRAIL], accessRole: ACCESS_ROLE, startTime: new Date(FIXTURE_NOW.getTime() - 30 * DAY_MS), endTime: FIXTURE_NOW },
        clientToken: expect.any(String),
      },
    ]);
    expect(mocks.accessAnalyzer).toHaveReceivedCommandWith(GetGeneratedPolicyCommand, { jobId: 'job-1', includeResourcePlaceholders: false, includeServiceLevelTemplate: false });
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(GetGeneratedPolicyCommand, 2);
    const savedRunning = saves.findIndex((state) => jobOf(state, 'alice').status === 'IN_PROGRESS' && jobOf(state, 'alice').jobId === 'job-1');
    const savedDone = saves.findIndex((state) => jobOf(state, 'alice').status === 'SUCCEEDED');
    expect(savedRunning).toBeGreaterThanOrEqual(0);
    expect(savedRunning).toBeLessThan(savedDone);
    expect(events.map((e) => e.type)).toEqual(['job-starting', 'job-started', 'job-succeeded']);
    expect(result.startsToday).toBe(1);
  });

  it('Given a job that FAILED, When the queue runs, Then it is reported, retried once with a new token, and succeeds', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolvesOnce({ jobId: 'job-1' }).resolvesOnce({ jobId: 'job-2' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-1' }).resolves(generated('job-1', 'FAILED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-2' }).resolves(generated('job-2', 'SUCCEEDED'));

    const { promise, events } = run(memoryStore().store, [user('alice')]);
    const result = await promise;

    expect(jobOf(result.state, 'alice')).toMatchObject({ status: 'SUCCEEDED', jobId: 'job-2', attempts: 2, failureReason: null });
    expect(events.filter((e) => e.type === 'job-failed')).toEqual([
      { type: 'job-failed', userName: 'alice', jobId: 'job-1', status: 'FAILED', reason: expect.stringContaining('SERVICE_ERROR'), willRetry: true },
    ]);
    const [first, second] = startCalls();
    expect(first.clientToken).not.toBe(second.clientToken);
  });

  it('Given a job CANCELED twice, When the queue runs, Then it ends FAILED, is reported as failed, and the next user still runs', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolvesOnce({ jobId: 'job-1' }).resolvesOnce({ jobId: 'job-2' }).resolvesOnce({ jobId: 'job-3' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-1' }).resolves(generated('job-1', 'CANCELED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-2' }).resolves(generated('job-2', 'CANCELED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-3' }).resolves(generated('job-3', 'SUCCEEDED'));

    const { promise, events } = run(memoryStore().store, [user('alice'), user('bob')]);
    const result = await promise;

    expect(jobOf(result.state, 'alice')).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(result.failed.map((f) => f.userName)).toEqual(['alice']);
    expect(result.succeeded).toEqual(['bob']);
    expect(events.filter((e) => e.type === 'job-failed').map((e) => e.type === 'job-failed' && [e.status, e.willRetry])).toEqual([
      ['CANCELED', true],
      ['CANCELED', false],
    ]);
    expect(startCalls().map((input) => input.policyGenerationDetails?.principalArn)).toEqual([userArn('alice'), userArn('alice'), userArn('bob')]);
  });

  it('Given 48 starts already today, When three users are queued, Then two start, the run stops at the daily limit, and the next day goes on with the third', async () => {
    let counter = 0;
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).callsFake(async () => ({ jobId: `job-${++counter}` }));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).callsFake(async (input: { jobId: string }) => generated(input.jobId, 'SUCCEEDED'));
    const existing = { ...createEmptyQueueState(), dailyStarts: { day: '2025-06-01', count: 48 } };
    const { store } = memoryStore(existing);
    const users = [user('u1'), user('u2'), user('u3')];

    const first = await run(store, users).promise;

    expect(first.stop).toMatchObject({ code: 'DAILY_LIMIT_REACHED', resumeAt: '2025-06-02T00:00:00.000Z' });
    expect(first.succeeded).toEqual(['u1', 'u2']);
    expect(first.remaining).toEqual(['u3']);
    expect(first.startsToday).toBe(50);
    expect(startCalls()).toHaveLength(2);

    const nextDay = new Date(FIXTURE_NOW.getTime() + DAY_MS);
    const second = await run(store, users, { now: () => nextDay }).promise;

    expect(second.stop).toBeNull();
    expect(second.succeeded).toEqual(['u1', 'u2', 'u3']);
    expect(startCalls().map((input) => input.policyGenerationDetails?.principalArn)).toEqual([userArn('u1'), userArn('u2'), userArn('u3')]);
    expect(second.startsToday).toBe(1);
  });

  it('Given ServiceQuotaExceededException on a start, When the queue runs, Then it stops cleanly with the job still pending and resumes the next day', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolvesOnce({ jobId: 'job-1' }).rejectsOnce(awsError('ServiceQuotaExceededException')).resolves({ jobId: 'job-2' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).callsFake(async (input: { jobId: string }) => generated(input.jobId, 'SUCCEEDED'));
    const { store, current } = memoryStore();

    const first = await run(store, [user('u1'), user('u2')]).promise;

    expect(first.stop?.code).toBe('DAILY_LIMIT_REACHED');
    expect(jobOf(current(), 'u2')).toMatchObject({ status: 'PENDING', attempts: 0, startRequestedAt: null, jobId: null });
    expect(current().dailyStarts).toEqual({ day: '2025-06-01', count: 50 });

    const sameDay = await run(store, [user('u1'), user('u2')]).promise;
    expect(sameDay.stop?.code).toBe('DAILY_LIMIT_REACHED');
    expect(startCalls()).toHaveLength(2);

    const nextDay = new Date(FIXTURE_NOW.getTime() + DAY_MS);
    const second = await run(store, [user('u1'), user('u2')], { now: () => nextDay }).promise;
    expect(second.succeeded).toEqual(['u1', 'u2']);
    expect(jobOf(second.state, 'u2').jobId).toBe('job-2');
  });

  it('Given a saved IN_PROGRESS job from a crashed run, When the queue resumes, Then it is polled first and never started again', async () => {
    const state = planGenerationJobs([user('u1'), user('u2')], createEmptyQueueState(), { now: () => FIXTURE_NOW });
    Object.assign(jobOf(state, 'u1'), { status: 'IN_PROGRESS', jobId: 'job-old', attempts: 1, startedAt: FIXTURE_NOW.toISOString() });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-old' }).resolves(generated('job-old', 'SUCCEEDED'));
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand, { jobId: 'job-new' }).resolves(generated('job-new', 'SUCCEEDED'));
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-new' });

    const { promise, events } = run(memoryStore(state).store, [user('u1'), user('u2')]);
    const result = await promise;

    expect(result.succeeded).toEqual(['u1', 'u2']);
    expect(startCalls().map((input) => input.policyGenerationDetails?.principalArn)).toEqual([userArn('u2')]);
    expect(events[0]).toEqual({ type: 'job-resumed', userName: 'u1', jobId: 'job-old' });
    const order = mocks.accessAnalyzer.calls().map((call) => call.args[0].constructor.name);
    expect(order[0]).toBe('GetGeneratedPolicyCommand');
  });

  it('Given a start sent by a run that crashed before saving the job ID, When the queue resumes, Then the start is replayed with the same token and window, not counted twice', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));
    const { store, saves } = memoryStore();
    await run(store, [user('u1')]).promise;
    const intent = saves.find((state) => jobOf(state, 'u1').startRequestedAt !== null)!;
    const firstInput = startCalls()[0];
    mocks.accessAnalyzer.resetHistory();

    const later = new Date(FIXTURE_NOW.getTime() + 3_600_000);
    const result = await run(memoryStore(intent).store, [user('u1')], { now: () => later }).promise;

    expect(startCalls()).toEqual([firstInput]);
    expect(result.startsToday).toBe(1);
    expect(jobOf(result.state, 'u1')).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('Given another generation running in the account (ConflictException), When a start is made, Then it waits with backoff and succeeds with the same token', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejectsOnce(awsError('ConflictException')).rejectsOnce(awsError('ConflictException')).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));

    const { promise, events } = run(memoryStore().store, [user('u1')]);
    const result = await promise;

    expect(result.succeeded).toEqual(['u1']);
    const tokens = new Set(startCalls().map((input) => input.clientToken));
    expect(startCalls()).toHaveLength(3);
    expect(tokens.size).toBe(1);
    expect(events.filter((e) => e.type === 'account-busy')).toHaveLength(1);
    expect(result.startsToday).toBe(1);
  });

  it('Given an abort after the first job ends, When the queue runs, Then it stops between jobs with the rest still pending', async () => {
    const controller = new AbortController();
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));
    const { store, current } = memoryStore();

    const { promise } = run(store, [user('u1'), user('u2')], {
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'job-succeeded') controller.abort();
      },
    });
    const result = await promise;

    expect(result.stop?.code).toBe('ABORTED');
    expect(startCalls()).toHaveLength(1);
    expect(jobOf(current(), 'u2')).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(result.remaining).toEqual(['u2']);
  });

  it('Given an abort while a job is polled, When the queue runs, Then it stops with the running job saved for the next run', async () => {
    const controller = new AbortController();
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'IN_PROGRESS'));
    const { store, current } = memoryStore();

    const { promise } = run(store, [user('u1')], {
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'job-started') setTimeout(() => controller.abort(), 20);
      },
    });
    const result = await promise;

    expect(result.stop?.code).toBe('ABORTED');
    expect(jobOf(current(), 'u1')).toMatchObject({ status: 'IN_PROGRESS', jobId: 'job-1' });
  });

  it('Given AccessDenied on StartPolicyGeneration, When the queue runs, Then it stops naming the missing permission and spends no start', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(awsError('AccessDeniedException'));
    const { store, current } = memoryStore();

    const result = await run(store, [user('u1'), user('u2')]).promise;

    expect(result.stop).toMatchObject({ code: 'ACCESS_DENIED', missingAction: expect.stringContaining('access-analyzer:StartPolicyGeneration') });
    expect(startCalls()).toHaveLength(1);
    expect(jobOf(current(), 'u1')).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(result.startsToday).toBe(0);
  });

  it('Given a start refused with ValidationException, When the queue runs, Then it is tried twice, ends FAILED, and the next user still runs', async () => {
    mocks.accessAnalyzer
      .on(StartPolicyGenerationCommand)
      .rejectsOnce(awsError('ValidationException'))
      .rejectsOnce(awsError('ValidationException'))
      .resolves({ jobId: 'job-u2' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-u2', 'SUCCEEDED'));
    const { store, current } = memoryStore();

    const result = await run(store, [user('u1'), user('u2')]).promise;

    expect(startCalls()).toHaveLength(3);
    expect(jobOf(current(), 'u1')).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(result.failed.map((f) => f.userName)).toEqual(['u1']);
    expect(result.succeeded).toEqual(['u2']);
    expect(result.startsToday).toBe(1);
  });

  it('Given something other than Access Analyzer answers a start (404), When the queue runs, Then it stops at once and spends neither an attempt nor a start', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(Object.assign(awsError('UnknownError'), { $metadata: { httpStatusCode: 404 } }));
    const { store, current } = memoryStore();

    const result = await run(store, [user('u1'), user('u2')]).promise;

    expect(result.stop?.code).toBe('SERVICE_UNAVAILABLE');
    expect(startCalls()).toHaveLength(1);
    expect(jobOf(current(), 'u1')).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(result.startsToday).toBe(0);
  });

  it('Given --since 120 days back, When the queue runs, Then the window is clipped to 90 days with a note', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves(generated('job-1', 'SUCCEEDED'));

    const { promise, events } = run(memoryStore().store, [user('u1')], { since: new Date(FIXTURE_NOW.getTime() - 120 * DAY_MS) });
    const result = await promise;

    const ninetyDaysBack = new Date(FIXTURE_NOW.getTime() - 90 * DAY_MS);
    expect(result.window).toMatchObject({ clipped: true, startTime: ninetyDaysBack.toISOString() });
    expect(events[0]).toMatchObject({ type: 'window-clipped', startTime: ninetyDaysBack.toISOString() });
    expect(startCalls()[0].cloudTrailDetails?.startTime).toEqual(ninetyDaysBack);
  });

  it('Given a saved queue that is not valid, When the queue runs, Then a UserError names the field and no AWS call is made', async () => {
    const broken = { ...createEmptyQueueState(), jobs: [{ userName: 'u1' }] };

    const promise = run(memoryStore(broken).store, [user('u1')]).promise;

    await expect(promise).rejects.toBeInstanceOf(UserError);
    await expect(promise).rejects.toMatchObject({ code: 'INVALID_GENERATION_QUEUE', message: expect.stringContaining('jobs.0') });
    expect(mocks.accessAnalyzer.calls()).toHaveLength(0);
  });
});

describe('planGenerationJobs', () => {
  const base = () => {
    const state = planGenerationJobs([user('done'), user('running'), user('gone'), user('failed')], createEmptyQueueState(), { now: () => FIXTURE_NOW });
    Object.assign(jobOf(state, 'done'), { status: 'SUCCEEDED', attempts: 1, policies: [USED] });
    Object.assign(jobOf(state, 'running'), { status: 'IN_PROGRESS', jobId: 'job-r', attempts: 1 });
    Object.assign(jobOf(state, 'failed'), { status: 'FAILED', attempts: 2, failureReason: 'x' });
    return state;
  };

  it('Given finished, running, failed and unwanted jobs, When planned for a new run, Then finished and running are kept, failed get a new round, new users are added, unwanted are skipped', () => {
    const planned = planGenerationJobs([user('done', ['a', 'b']), user('failed'), user('new')], base(), { now: () => FIXTURE_NOW });

    expect(planned.jobs.map((job) => [job.userName, job.status, job.attempts])).toEqual([
      ['done', 'SUCCEEDED', 1],
      ['running', 'IN_PROGRESS', 1],
      ['gone', 'SKIPPED', 0],
      ['failed', 'PENDING', 0],
      ['new', 'PENDING', 0],
    ]);
    expect(jobOf(planned, 'done').permissionSets).toEqual(['a', 'b']);
  });

  it('Given regenerate, When planned, Then succeeded jobs start again but a running one is still awaited', () => {
    const planned = planGenerationJobs([user('done'), user('running')], base(), { regenerate: true, now: () => FIXTURE_NOW });

    expect(jobOf(planned, 'done')).toMatchObject({ status: 'PENDING', attempts: 0, policies: null });
    expect(jobOf(planned, 'running')).toMatchObject({ status: 'IN_PROGRESS', jobId: 'job-r' });
  });
});
