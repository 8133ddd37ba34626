import { createHash } from 'node:crypto';
import {
  GetGeneratedPolicyCommand,
  StartPolicyGenerationCommand,
  type AccessAnalyzerClient,
  type GetGeneratedPolicyCommandOutput,
} from '@aws-sdk/client-accessanalyzer';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import { isForeignResponse } from '../../aws/map-aws-error.js';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import type { PolicyDocument } from '../../model/inventory.js';
import type { GenerationTrail } from './discover-activity-sources.js';
import {
  loadQueueState,
  nextJob,
  planGenerationJobs,
  POLICY_GENERATION_LIMITS,
  resolveGenerationWindow,
  startsOn,
  utcDay,
  type GenerationJob,
  type GenerationQueueState,
  type GenerationQueueStore,
  type GenerationUser,
  type GenerationWindow,
  type ResolvedWindow,
} from './policy-generation-store.js';

export { planGenerationJobs, resolveGenerationWindow, type GenerationUser, type ResolvedWindow };

/** Access Analyzer's names for "no more starts today". */
const QUOTA_ERRORS = new Set(['ServiceQuotaExceededException', 'LimitExceededException']);

export type QueueEvent =
  | { type: 'window-clipped'; requestedStart: string; startTime: string }
  | { type: 'job-resumed'; userName: string; jobId: string }
  | { type: 'job-starting'; userName: string; attempt: number }
  | { type: 'account-busy'; userName: string }
  | { type: 'job-started'; userName: string; jobId: string; attempt: number }
  | { type: 'job-succeeded'; userName: string; jobId: string; policyCount: number; isComplete: boolean | null }
  | { type: 'job-failed'; userName: string; jobId: string | null; status: 'FAILED' | 'CANCELED'; reason: string; willRetry: boolean };

/** Why the run stopped before the queue was empty; the saved queue resumes from there. */
export interface QueueStop {
  code: 'DAILY_LIMIT_REACHED' | 'ABORTED' | 'ACCESS_DENIED' | 'ACCOUNT_BUSY' | 'POLL_TIMEOUT' | 'SERVICE_UNAVAILABLE';
  message: string;
  resolution: string;
  /** When the queue can go on (the next UTC day), for the daily limit. */
  resumeAt: string | null;
  missingAction: string | null;
}

export interface RunPolicyGenerationQueueOptions {
  accessAnalyzer: Pick<AccessAnalyzerClient, 'send'>;
  store: GenerationQueueStore;
  users: GenerationUser[];
  trail: GenerationTrail;
  accessRoleArn: string;
  /** Start of the CloudTrail window; 90 days back by default, clipped to 90 days. */
  since?: Date;
  /** Start every user's job again, even those that succeeded before. */
  regenerate?: boolean;
  now?: () => Date;
  onEvent?: (event: QueueEvent) => void;
  abortSignal?: AbortSignal;
  /** Waiter timings in seconds (fractions allowed). */
  polling?: { minDelaySeconds?: number; maxDelaySeconds?: number; maxWaitSeconds?: number; busyMaxWaitSeconds?: number };
  /** Name of the state file in errors. */
  fileLabel?: string;
}

export interface QueueRunResult {
  state: GenerationQueueState;
  window: ResolvedWindow;
  succeeded: string[];
  failed: { userName: string; reason: string }[];
  /** Users whose job is not finished (pending, running, or awaiting its retry). */
  remaining: string[];
  startsToday: number;
  stop: QueueStop | null;
}

/**
 * Generates a policy from each user's CloudTrail activity, one Access Analyzer job at a time, and keeps
 * the queue in `store` so that a run stopped by the daily limit, Ctrl-C or a crash resumes where it was.
 * A job already running is polled before anything starts. Credential and unexpected errors propagate,
 * with the state saved.
 */
export async function runPolicyGenerationQueue(options: RunPolicyGenerationQueueOptions): Promise<QueueRunResult> {
  const now = options.now ?? (() => new Date());
  const window = resolveGenerationWindow(now(), options.since);
  if (window.clipped) options.onEvent?.({ type: 'window-clipped', requestedStart: window.requestedStart, startTime: window.startTime });
  const state = planGenerationJobs(options.users, await loadQueueState(options.store, options.fileLabel), { regenerate: options.regenerate, now });
  await options.store.save(state);
  const run = new QueueRun(options, state, window, now);
  const stop = await run.drain();
  return summarise(state, window, stop, now());
}

class QueueRun {
  private readonly emit: (event: QueueEvent) => void;

  constructor(
    private readonly options: RunPolicyGenerationQueueOptions,
    private readonly state: GenerationQueueState,
    private readonly window: ResolvedWindow,
    private readonly now: () => Date,
  ) {
    this.emit = options.onEvent ?? (() => undefined);
  }

  async drain(): Promise<QueueStop | null> {
    for (let job = nextJob(this.state); job !== undefined; job = nextJob(this.state)) {
      if (this.options.abortSignal?.aborted) return abortedStop();
      if (job.status === 'IN_PROGRESS' && job.jobId !== null) {
        this.emit({ type: 'job-resumed', userName: job.userName, jobId: job.jobId });
      } else {
        const stop = await this.start(job);
        if (stop !== null) return stop;
        if (job.status !== 'IN_PROGRESS') continue;
      }
      const stop = await this.poll(job);
      if (stop !== null) return stop;
    }
    return null;
  }

  /** Records the intent, sends StartPolicyGeneration (waiting out another job in the account), records the job ID. */
  private async start(job: GenerationJob): Promise<QueueStop | null> {
    const replay = job.status === 'PENDING' && job.startRequestedAt !== null;
    const today = utcDay(this.now());
    if (!replay && startsOn(this.state, today) >= POLICY_GENERATION_LIMITS.startsPerDay) return dailyLimitStop(this.now());
    if (!replay) {
      Object.assign(job, { status: 'PENDING', attempts: job.attempts + 1, window: { startTime: this.window.startTime, endTime: this.window.endTime }, trail: this.options.trail });
      this.state.dailyStarts = { day: today, count: startsOn(this.state, today) + 1 };
    }
    this.touch(job, { startRequestedAt: this.now().toISOString(), jobId: null, policies: null, analysed: null, isComplete: null });
    await this.options.store.save(this.state);
    this.emit({ type: 'job-starting', userName: job.userName, attempt: job.attempts });

    let outcome: { jobId: string } | { waiter: WaiterState };
    try {
      outcome = await this.sendStart(job);
    } catch (error) {
      return this.startFailed(job, error, today);
    }
    if ('waiter' in outcome) {
      // Aborted: a start may be in flight, so the intent stays and the next run replays it with the same token.
      if (outcome.waiter === WaiterState.ABORTED) return abortedStop();
      await this.revertStart(job, today);
      return busyStop();
    }
    this.touch(job, { status: 'IN_PROGRESS', jobId: outcome.jobId, startedAt: this.now().toISOString(), startRequestedAt: null, completedAt: null });
    await this.options.store.save(this.state);
    this.emit({ type: 'job-started', userName: job.userName, jobId: outcome.jobId, attempt: job.attempts });
    return null;
  }

  private async sendStart(job: GenerationJob): Promise<{ jobId: string } | { waiter: WaiterState }> {
    const { window, trail } = job;
    if (window === null || trail === null) throw new Error(`Job of ${job.userName} has no recorded window or trail.`);
    const input = {
      policyGenerationDetails: { principalArn: job.principalArn },
      cloudTrailDetails: { trails: [trail], accessRole: this.options.accessRoleArn, startTime: new Date(window.startTime), endTime: new Date(window.endTime) },
      clientToken: clientTokenOf(job, window),
    };
    let jobId: string | undefined;
    let announced = false;
    const result = await createWaiter(
      { ...this.delays(this.options.polling?.busyMaxWaitSeconds ?? 1800), client: this.options.accessAnalyzer, abortSignal: this.options.abortSignal },
      input,
      async (client) => {
        try {
          // No abort signal on the request itself: once sent, its job ID must be recorded.
          jobId = (await client.send(new StartPolicyGenerationCommand(input))).jobId;
          return { state: WaiterState.SUCCESS };
        } catch (error) {
          // Another generation is running in the account (ours from elsewhere, or the console's): wait for it.
          if (!(error instanceof Error) || error.name !== 'ConflictException') throw error;
          if (!announced) this.emit({ type: 'account-busy', userName: job.userName });
          announced = true;
          return { state: WaiterState.RETRY, reason: error };
        }
      },
    );
    if (result.state === WaiterState.SUCCESS && jobId !== undefined) return { jobId };
    if (result.state === WaiterState.SUCCESS) throw new Error('StartPolicyGeneration answered without a job ID.');
    return { waiter: result.state };
  }

  private async startFailed(job: GenerationJob, error: unknown, today: string): Promise<QueueStop | null> {
    const name = error instanceof Error ? error.name : 'UnknownError';
    // Without $metadata the service never answered: the start may have happened, so the intent stays for a replay.
    if (!(error instanceof Error) || !('$metadata' in error)) throw error;
    if (QUOTA_ERRORS.has(name)) {
      await this.revertStart(job, today, POLICY_GENERATION_LIMITS.startsPerDay);
      return dailyLimitStop(this.now());
    }
    if (isAccessDenied(error)) {
      await this.revertStart(job, today);
      return accessDeniedStop('access-analyzer:StartPolicyGeneration and iam:PassRole on the access role');
    }
    // A 404 or a body the SDK cannot parse: something other than Access Analyzer answered (an endpoint
    // override, a proxy). Every other user would meet the same, so stop with the queue as it was.
    if (isForeignResponse(error)) {
      await this.revertStart(job, today);
      return stopOf(
        'SERVICE_UNAVAILABLE',
        `IAM Access Analyzer did not answer StartPolicyGeneration (${name}).`,
        'Check the endpoint and region (AWS_ENDPOINT_URL, --region), then run the command again: the queue resumes.',
        {},
      );
    }
    // Throttling that outlasted the SDK's adaptive retries is not the job's fault: stop with the queue saved.
    const notTheJobsFault = isCredentialError(error) || name === 'ThrottlingException';
    // A refusal is an attempt of the job: uncounted, it would be retried forever.
    await this.revertStart(job, today, 0, !notTheJobsFault);
    if (notTheJobsFault) throw error;
    return this.recordFailure(job, 'FAILED', `StartPolicyGeneration was refused (${name}).`);
  }

  /** Undoes a start that Access Analyzer refused: no job exists, and no start was spent. */
  private async revertStart(job: GenerationJob, today: string, countAtLeast = 0, keepAttempt = false): Promise<void> {
    const count = Math.max(startsOn(this.state, today) - 1, countAtLeast, 0);
    this.state.dailyStarts = { day: today, count };
    this.touch(job, { attempts: keepAttempt ? job.attempts : Math.max(job.attempts - 1, 0), startRequestedAt: null });
    await this.options.store.save(this.state);
  }

  /** Polls GetGeneratedPolicy until the job ends, then records the outcome. */
  private async poll(job: GenerationJob): Promise<QueueStop | null> {
    let output: GetGeneratedPolicyCommandOutput | undefined;
    const { abortSignal } = this.options;
    try {
      const result = await createWaiter(
        { ...this.delays(this.options.polling?.maxWaitSeconds ?? 3600), client: this.options.accessAnalyzer, abortSignal },
        // Placeholders (`${BucketName}`) would make the policy unusable as written: ask for real statements,
        // and let the operator narrow resources by hand in the file.
        { jobId: job.jobId ?? '', includeResourcePlaceholders: false, includeServiceLevelTemplate: false },
        async (client, input) => {
          output = await client.send(new GetGeneratedPolicyCommand(input), { abortSignal });
          const status = output?.jobDetails?.status;
          return { state: status === undefined || status === 'IN_PROGRESS' ? WaiterState.RETRY : WaiterState.SUCCESS };
        },
      );
      if (result.state === WaiterState.ABORTED) return abortedStop();
      if (result.state !== WaiterState.SUCCESS || output === undefined) return pollTimeoutStop(job.userName);
    } catch (error) {
      if (abortSignal?.aborted) return abortedStop();
      if (isAccessDenied(error)) return accessDeniedStop('access-analyzer:GetGeneratedPolicy');
      // The job is gone (expired or deleted): treat it as a failed attempt.
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return this.recordFailure(job, 'FAILED', 'The generation job no longer exists.');
      throw error;
    }
    return this.recordEnd(job, output);
  }

  private async recordEnd(job: GenerationJob, output: GetGeneratedPolicyCommandOutput): Promise<QueueStop | null> {
    const details = output.jobDetails;
    if (details?.status !== 'SUCCEEDED') {
      const status = details?.status === 'CANCELED' ? 'CANCELED' : 'FAILED';
      const error = details?.jobError;
      const reason = error ? `${error.code ?? 'ERROR'}: ${error.message ?? ''}`.trim() : status === 'CANCELED' ? 'The job was canceled.' : 'The job failed.';
      return this.recordFailure(job, status, reason);
    }
    let policies: PolicyDocument[];
    try {
      policies = (output.generatedPolicyResult?.generatedPolicies ?? []).map((generated) => JSON.parse(generated.policy ?? '') as PolicyDocument);
    } catch {
      return this.recordFailure(job, 'FAILED', 'Access Analyzer returned a policy that is not JSON.');
    }
    const properties = output.generatedPolicyResult?.properties;
    const trail = properties?.cloudTrailProperties;
    this.touch(job, {
      status: 'SUCCEEDED',
      completedAt: (details.completedOn ?? this.now()).toISOString(),
      failureReason: null,
      policies,
      isComplete: properties?.isComplete ?? null,
      analysed: trail
        ? {
            startTime: (trail.startTime ?? new Date(job.window?.startTime ?? this.window.startTime)).toISOString(),
            endTime: (trail.endTime ?? new Date(job.window?.endTime ?? this.window.endTime)).toISOString(),
            trails: (trail.trailProperties ?? []).map((t) => ({ cloudTrailArn: t.cloudTrailArn ?? '', allRegions: t.allRegions ?? false, ...(t.regions ? { regions: t.regions } : {}) })),
          }
        : null,
    });
    await this.options.store.save(this.state);
    this.emit({ type: 'job-succeeded', userName: job.userName, jobId: job.jobId ?? '', policyCount: policies.length, isComplete: job.isComplete });
    return null;
  }

  /** A failed or canceled attempt: kept for one retry, then left FAILED. */
  private async recordFailure(job: GenerationJob, status: 'FAILED' | 'CANCELED', reason: string): Promise<null> {
    const willRetry = job.attempts < POLICY_GENERATION_LIMITS.attemptsPerJob;
    this.touch(job, { status: willRetry ? status : 'FAILED', failureReason: reason, completedAt: this.now().toISOString(), startRequestedAt: null });
    await this.options.store.save(this.state);
    this.emit({ type: 'job-failed', userName: job.userName, jobId: job.jobId, status, reason, willRetry });
    return null;
  }

  private touch(job: GenerationJob, changes: Partial<GenerationJob>): void {
    Object.assign(job, changes, { updatedAt: this.now().toISOString() });
  }

  private delays(maxWaitTime: number): { minDelay: number; maxDelay: number; maxWaitTime: number } {
    return { minDelay: this.options.polling?.minDelaySeconds ?? 5, maxDelay: this.options.polling?.maxDelaySeconds ?? 60, maxWaitTime };
  }
}

/** Same job, attempt and window → same token, so a start replayed after a crash returns the same job. */
function clientTokenOf(job: GenerationJob, window: GenerationWindow): string {
  return createHash('sha256').update(`${job.principalArn}|${job.attempts}|${window.startTime}|${window.endTime}`).digest('hex').slice(0, 32);
}

function summarise(state: GenerationQueueState, window: ResolvedWindow, stop: QueueStop | null, now: Date): QueueRunResult {
  const done = (job: GenerationJob) => job.status === 'SUCCEEDED' || job.status === 'SKIPPED' || (job.status === 'FAILED' && job.attempts >= POLICY_GENERATION_LIMITS.attemptsPerJob);
  return {
    state,
    window,
    succeeded: state.jobs.filter((job) => job.status === 'SUCCEEDED').map((job) => job.userName),
    failed: state.jobs
      .filter((job) => job.status === 'FAILED' && job.attempts >= POLICY_GENERATION_LIMITS.attemptsPerJob)
      .map((job) => ({ userName: job.userName, reason: job.failureReason ?? 'unknown' })),
    remaining: state.jobs.filter((job) => !done(job)).map((job) => job.userName),
    startsToday: startsOn(state, utcDay(now)),
    stop,
  };
}

function stopOf(code: QueueStop['code'], message: string, resolution: string, extra: Partial<QueueStop> = {}): QueueStop {
  return { code, message, resolution, resumeAt: null, missingAction: null, ...extra };
}

function dailyLimitStop(now: Date): QueueStop {
  const resumeAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
  return stopOf('DAILY_LIMIT_REACHED', `IAM Access Analyzer allows ${POLICY_GENERATION_LIMITS.startsPerDay} policy generations a day, and today's are used.`, `Run the same command again after ${resumeAt}: the queue goes on with the next user.`, { resumeAt });
}

function abortedStop(): QueueStop {
  return stopOf('ABORTED', 'Policy generation was interrupted.', 'Run the same command again: a running job is awaited, not started again.');
}

function busyStop(): QueueStop {
  return stopOf('ACCOUNT_BUSY', 'Another policy generation kept running in the account.', 'Run the command again once it ends (IAM console > Access Analyzer > Policy generation shows it).');
}

function pollTimeoutStop(userName: string): QueueStop {
  return stopOf('POLL_TIMEOUT', `The policy generation for ${userName} is still running.`, 'Run the same command again later: the running job is awaited, not started again.');
}

function accessDeniedStop(missingAction: string): QueueStop {
  return stopOf('ACCESS_DENIED', `The caller may not use ${missingAction}.`, `Grant ${missingAction}, then run the command again.`, { missingAction });
}
