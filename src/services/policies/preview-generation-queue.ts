/**
 * What the policy generation queue would do, worked out without starting, polling or saving
 * anything: the preview of `generate-policies --from-activity --dry-run`. It plans the queue exactly
 * as a real run does (planGenerationJobs, the same window and daily quota), then reads each job's
 * next step off the plan instead of taking it.
 */
import type { GenerationTrail } from './discover-activity-sources.js';
import {
  planGenerationJobs,
  POLICY_GENERATION_LIMITS,
  resolveGenerationWindow,
  startsOn,
  utcDay,
  type GenerationJob,
  type GenerationQueueState,
  type GenerationUser,
  type GenerationWindow,
  type ResolvedWindow,
} from './policy-generation-store.js';

/**
 * A job's next step in a real run:
 * - `reuse`: it succeeded before; its recorded policies are used, nothing is called;
 * - `await`: it is running in Access Analyzer; a real run polls it before starting anything;
 * - `replay`: a start was sent by a run that stopped before recording the job ID; it is sent again
 *   with the same client token (same job, no new start spent);
 * - `start` / `retry`: a new StartPolicyGeneration (a retry is the job's second attempt);
 * - `deferred`: it would start, but today's starts are used up; a real run stops before it;
 * - `failed`: both attempts failed; it is not tried again without --regenerate.
 */
export type PlannedJobStep = 'reuse' | 'await' | 'replay' | 'start' | 'retry' | 'deferred' | 'failed';

/** One user's job as the preview shows it. */
export interface PlannedGenerationJob {
  userName: string;
  principalArn: string;
  permissionSets: string[];
  step: PlannedJobStep;
  /** The Access Analyzer job, for `await` and `reuse`. */
  jobId: string | null;
  /** The CloudTrail window the job covers (or would cover). */
  window: GenerationWindow | null;
  trailArn: string;
}

export interface GenerationQueuePreview {
  /** The window a new job would ask for. */
  window: ResolvedWindow;
  jobs: PlannedGenerationJob[];
  /** Starts a real run would spend today (new starts and retries, not replays). */
  newStarts: number;
  /** Starts left today before this run. */
  startsLeftToday: number;
  /** The state a real run would begin from; nothing saves it. */
  state: GenerationQueueState;
}

export interface PreviewGenerationQueueOptions {
  users: GenerationUser[];
  /** The saved queue, already loaded and validated; null when there is none. */
  existing: GenerationQueueState | null;
  trail: GenerationTrail;
  since?: Date;
  regenerate?: boolean;
  now: () => Date;
}

/** The queue a real run would work through, job by job, in the order it would take them. Pure. */
export function previewGenerationQueue(options: PreviewGenerationQueueOptions): GenerationQueuePreview {
  const now = options.now();
  const window = resolveGenerationWindow(now, options.since);
  const state = planGenerationJobs(options.users, options.existing, { regenerate: options.regenerate, now: options.now });
  const startsLeftToday = Math.max(POLICY_GENERATION_LIMITS.startsPerDay - startsOn(state, utcDay(now)), 0);
  let left = startsLeftToday;
  const jobs: PlannedGenerationJob[] = [];
  for (const job of inRunOrder(state.jobs)) {
    let step = stepOf(job);
    if (step === null) continue;
    if (step === 'start' || step === 'retry') {
      if (left > 0) left -= 1;
      else step = 'deferred';
    }
    jobs.push({
      userName: job.userName,
      principalArn: job.principalArn,
      permissionSets: job.permissionSets,
      step,
      jobId: step === 'await' || step === 'reuse' ? job.jobId : null,
      window: windowOf(job, step, window),
      trailArn: job.trail?.cloudTrailArn ?? options.trail.cloudTrailArn,
    });
  }
  return { window, jobs, newStarts: startsLeftToday - left, startsLeftToday, state };
}

/** The queue's own order (see nextJob): running jobs, then replays, then the rest as queued. */
function inRunOrder(jobs: GenerationJob[]): GenerationJob[] {
  const rank = (job: GenerationJob) => (job.status === 'IN_PROGRESS' ? 0 : job.status === 'PENDING' && job.startRequestedAt !== null ? 1 : 2);
  return [...jobs].sort((a, b) => rank(a) - rank(b));
}

function stepOf(job: GenerationJob): PlannedJobStep | null {
  switch (job.status) {
    case 'SUCCEEDED':
      return 'reuse';
    case 'IN_PROGRESS':
      // Without a job ID the runner treats it as a fresh start (see QueueRun.start).
      if (job.jobId !== null) return 'await';
      return job.attempts > 0 ? 'retry' : 'start';
    case 'PENDING':
      if (job.startRequestedAt !== null) return 'replay';
      return job.attempts > 0 ? 'retry' : 'start';
    case 'FAILED':
    case 'CANCELED':
      return job.attempts < POLICY_GENERATION_LIMITS.attemptsPerJob ? 'retry' : 'failed';
    case 'SKIPPED':
      // Not asked for this time: a real run leaves it alone.
      return null;
  }
}

function windowOf(job: GenerationJob, step: PlannedJobStep, window: ResolvedWindow): GenerationWindow | null {
  if (step === 'start' || step === 'retry' || step === 'deferred') return { startTime: window.startTime, endTime: window.endTime };
  if (step === 'reuse' && job.analysed) return { startTime: job.analysed.startTime, endTime: job.analysed.endTime };
  return job.window;
}
