/**
 * The persisted policy generation queue (`policies/generation-queue.json`): its schema, how it is
 * loaded, and the pure operations the runner and the command share (planning, the window, the quota day).
 */
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { formatZodIssues } from '../../workspace/format-zod-issues.js';
import type { PolicyDocument } from '../../model/inventory.js';

export const GENERATION_QUEUE_SCHEMA_VERSION = 1;
/** Access Analyzer quotas: one generation at a time per account, 50 a day, a window of at most 90 days. */
export const POLICY_GENERATION_LIMITS = { startsPerDay: 50, maxWindowDays: 90, attemptsPerJob: 2 } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Where the command keeps the queue, relative to the workspace; used to name the file in errors. */
export const GENERATION_QUEUE_FILE = 'policies/generation-queue.json';

const isoDate = z.iso.datetime({ offset: true });

const jobStatus = z.enum(['PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);

const windowSchema = z.strictObject({ startTime: isoDate, endTime: isoDate });

const trailSchema = z.strictObject({
  cloudTrailArn: z.string().min(1),
  allRegions: z.boolean(),
  regions: z.array(z.string()).optional(),
});

/** A generated policy as parsed from Access Analyzer; only the shape the tool relies on is enforced. */
const policyDocumentSchema = z.looseObject({
  Version: z.string().optional(),
  Statement: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
});

const jobSchema = z.strictObject({
  userName: z.string().min(1),
  principalArn: z.string().min(1),
  permissionSets: z.array(z.string()),
  status: jobStatus,
  jobId: z.string().nullable(),
  /** Starts requested for this job in the current round (a retry is the second). */
  attempts: z.number().int().min(0),
  createdAt: isoDate,
  updatedAt: isoDate,
  /**
   * Set (with `window` and `trail`) just before StartPolicyGeneration is sent. A PENDING job that has
   * it may have been started by a run that crashed before saving the job ID: the start is replayed with
   * the same input and client token, which Access Analyzer answers with the same job.
   */
  startRequestedAt: isoDate.nullable(),
  startedAt: isoDate.nullable(),
  completedAt: isoDate.nullable(),
  failureReason: z.string().nullable(),
  /** The window requested for the current attempt. */
  window: windowSchema.nullable(),
  trail: trailSchema.nullable(),
  /** The generated policies, on success. */
  policies: z.array(policyDocumentSchema).nullable(),
  /** The window and trails Access Analyzer actually analysed, on success. */
  analysed: z.strictObject({ startTime: isoDate, endTime: isoDate, trails: z.array(trailSchema) }).nullable(),
  /** False when Access Analyzer says the generated policy is incomplete (too much activity). */
  isComplete: z.boolean().nullable(),
});

const stateSchema = z.strictObject({
  schemaVersion: z.literal(GENERATION_QUEUE_SCHEMA_VERSION),
  /** Starts recorded per UTC day; only the current day matters. */
  dailyStarts: z.strictObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), count: z.number().int().min(0) }),
  jobs: z.array(jobSchema),
});

export type GenerationJobStatus = z.infer<typeof jobStatus>;
export type GenerationWindow = z.infer<typeof windowSchema>;
export type GenerationJob = Omit<z.infer<typeof jobSchema>, 'policies'> & { policies: PolicyDocument[] | null };
export interface GenerationQueueState {
  schemaVersion: typeof GENERATION_QUEUE_SCHEMA_VERSION;
  dailyStarts: { day: string; count: number };
  jobs: GenerationJob[];
}

/** Persistence of the queue; the command backs it with an atomic 0600 file in the workspace. */
export interface GenerationQueueStore {
  /** The saved state as read (unparsed), or null when there is none yet. */
  load(): Promise<unknown | null>;
  save(state: GenerationQueueState): Promise<void>;
}

/** A state with no job, for a workspace that has none yet. */
export function createEmptyQueueState(): GenerationQueueState {
  return { schemaVersion: GENERATION_QUEUE_SCHEMA_VERSION, dailyStarts: { day: '1970-01-01', count: 0 }, jobs: [] };
}

/**
 * Reads and validates the saved queue. A file that does not match is an input error (exit 2), named
 * with the field: deleting it is safe but forgets running jobs and today's start count.
 * @throws UserError `INVALID_GENERATION_QUEUE`
 */
export async function loadQueueState(store: GenerationQueueStore, fileLabel = GENERATION_QUEUE_FILE): Promise<GenerationQueueState> {
  const raw = await store.load();
  if (raw === null) return createEmptyQueueState();
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(
      'INVALID_GENERATION_QUEUE',
      `${fileLabel} is not a valid policy generation queue: ${formatZodIssues(parsed.error)}`,
      `Fix the field named, or delete ${fileLabel} to start the queue afresh (a job still running in Access Analyzer is then not awaited, and today's start count is forgotten).`,
    );
  }
  return parsed.data as GenerationQueueState;
}

/** A deep copy, so that the runner's working state never aliases what the store was given. */
export function cloneQueueState(state: GenerationQueueState): GenerationQueueState {
  return structuredClone(state);
}

/** An IAM user whose CloudTrail activity describes one or more permission sets. */
export interface GenerationUser {
  userName: string;
  principalArn: string;
  permissionSets: string[];
}

export interface ResolvedWindow extends GenerationWindow {
  /** True when `--since` reached further back than Access Analyzer allows and was moved forward. */
  clipped: boolean;
  requestedStart: string;
}

/**
 * The CloudTrail window to analyse: from `since` (default 90 days back) to now, never longer than the
 * 90 days Access Analyzer accepts.
 * @throws UserError `INVALID_SINCE` when `since` is not in the past.
 */
export function resolveGenerationWindow(now: Date, since?: Date): ResolvedWindow {
  const earliest = new Date(now.getTime() - POLICY_GENERATION_LIMITS.maxWindowDays * DAY_MS);
  const requested = since ?? earliest;
  if (Number.isNaN(requested.getTime()) || requested.getTime() >= now.getTime()) {
    const shown = Number.isNaN(requested.getTime()) ? 'an invalid date' : requested.toISOString();
    throw new UserError('INVALID_SINCE', `--since is ${shown}, not a time in the past.`, 'Give a start in the past, at most 90 days back, such as --since 30d.');
  }
  const clipped = requested.getTime() < earliest.getTime();
  const start = clipped ? earliest : requested;
  return { startTime: start.toISOString(), endTime: now.toISOString(), clipped, requestedStart: requested.toISOString() };
}

/**
 * The queue for this run: a job for each new user, finished jobs kept (unless `regenerate`), failed
 * ones given a new round. A running job is always kept, even for a user no longer asked for, because
 * no other job may start in the account until it ends. Pure: the caller saves the result.
 */
export function planGenerationJobs(
  users: GenerationUser[],
  existing: GenerationQueueState | null,
  options: { regenerate?: boolean; now?: () => Date } = {},
): GenerationQueueState {
  const now = (options.now ?? (() => new Date()))().toISOString();
  const state = cloneQueueState(existing ?? createEmptyQueueState());
  const wanted = new Map(users.map((user) => [user.userName, user]));
  const jobs: GenerationJob[] = [];
  for (const job of state.jobs) {
    const user = wanted.get(job.userName);
    const inFlight = job.status === 'IN_PROGRESS' || (job.status === 'PENDING' && job.startRequestedAt !== null);
    if (user === undefined) {
      // Not asked for this time: only a job that may be running in Access Analyzer is still followed.
      jobs.push(inFlight || job.status === 'SUCCEEDED' || job.status === 'SKIPPED' ? job : { ...job, status: 'SKIPPED', updatedAt: now });
      continue;
    }
    wanted.delete(job.userName);
    const sameUser = job.principalArn === user.principalArn;
    if (inFlight || (sameUser && job.status === 'SUCCEEDED' && !options.regenerate)) {
      jobs.push({ ...job, permissionSets: user.permissionSets });
    } else {
      jobs.push(newJob(user, now));
    }
  }
  for (const user of wanted.values()) jobs.push(newJob(user, now));
  return { ...state, jobs };
}

/** The job to work on next: a running job first (one at a time per account), then a start to replay, then pending jobs and retries in queue order. */
export function nextJob(state: GenerationQueueState): GenerationJob | undefined {
  return (
    state.jobs.find((job) => job.status === 'IN_PROGRESS') ??
    state.jobs.find((job) => job.status === 'PENDING' && job.startRequestedAt !== null) ??
    state.jobs.find((job) => job.status === 'PENDING' || ((job.status === 'FAILED' || job.status === 'CANCELED') && job.attempts < POLICY_GENERATION_LIMITS.attemptsPerJob))
  );
}

function newJob(user: GenerationUser, now: string): GenerationJob {
  return {
    ...user,
    status: 'PENDING',
    jobId: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    startRequestedAt: null,
    startedAt: null,
    completedAt: null,
    failureReason: null,
    window: null,
    trail: null,
    policies: null,
    analysed: null,
    isComplete: null,
  };
}

/** `YYYY-MM-DD` of the UTC day, the unit of the daily start quota. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Starts recorded on `day`. */
export function startsOn(state: GenerationQueueState, day: string): number {
  return state.dailyStarts.day === day ? state.dailyStarts.count : 0;
}
