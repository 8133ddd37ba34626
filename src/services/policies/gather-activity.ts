import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import { UserError } from '../../errors.js';
import { say, type IoHost } from '../../io/io-host.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { AuditSnapshot, PolicyDocument } from '../../model/inventory.js';
import { discoverActivitySources, type ActivitySources } from './discover-activity-sources.js';
import { fetchAwsManagedDocuments } from '../../model/fetch-aws-managed-documents.js';
import { runPolicyGenerationQueue, type QueueEvent, type QueueRunResult } from './policy-generation-queue.js';
import { GENERATION_QUEUE_FILE, loadQueueState, type GenerationQueueStore, type GenerationUser } from './policy-generation-store.js';
import { previewGenerationQueue, type GenerationQueuePreview, type PlannedJobStep } from './preview-generation-queue.js';
import type { PolicySetDraft } from './plan-policy-sets.js';

export interface ActivityRequest {
  /** Only these IAM users (default: every human user of the permission sets). */
  users?: string[];
  trailArn?: string;
  accessRoleArn?: string;
  since?: Date;
  regenerate: boolean;
  /**
   * false: plan the queue and say what a real run would start, but start, poll and save nothing
   * (the command's `--dry-run`). Policies of jobs that finished before are still used.
   */
  startJobs: boolean;
}

export interface ActivityOutcome {
  sources: ActivitySources;
  /** The generated policies of each user whose job succeeded. */
  usedByUser: Map<string, PolicyDocument[]>;
  /** Default versions of the AWS-managed policies the sets attach, to expand what is granted. */
  awsManagedDocuments: Map<string, PolicyDocument>;
  run: QueueRunResult | null;
  /** The queue a real run would work through, when jobs were not started. */
  preview: GenerationQueuePreview | null;
}

export interface GatherActivityOptions {
  drafts: PolicySetDraft[];
  snapshot: AuditSnapshot;
  request: ActivityRequest;
  workspace: Workspace;
  aws: { cloudTrail: Pick<CloudTrailClient, 'send'>; accessAnalyzer: Pick<AccessAnalyzerClient, 'send'>; iam: Pick<IAMClient, 'send'> };
  io: IoHost;
  now: () => Date;
}

/**
 * What the permission sets' users actually did: one Access Analyzer policy-generation job per user,
 * through the resumable queue. When the trail or the access role is missing it says what to create
 * and returns without activity, so the group-derived policies still go ahead.
 */
export async function gatherActivity(options: GatherActivityOptions): Promise<ActivityOutcome> {
  const { io, request } = options;
  const sources = await discoverActivitySources(options.aws.cloudTrail, options.snapshot, {
    trailArn: request.trailArn,
    accessRoleArn: request.accessRoleArn,
  });
  const empty = { sources, usedByUser: new Map(), awsManagedDocuments: new Map(), run: null, preview: null };
  if (!sources.ready) {
    for (const problem of sources.problems) say.warn(io, `ACTIVITY_${problem.code}`, `${problem.message} ${problem.resolution}`, problem);
    say.warn(io, 'ACTIVITY_SKIPPED', 'Going on with the policies derived from the IAM groups and users only.');
    return empty;
  }
  say.verbose(io, 'ACTIVITY_TRAIL', `${sources.trail.reason}; access role ${sources.accessRole.roleArn}`);
  const users = generationUsers(options.drafts, request.users);
  if (users.length === 0) {
    say.warn(io, 'ACTIVITY_NO_USERS', 'No human IAM user belongs to these permission sets: there is no activity to analyse.');
    return empty;
  }
  const store = workspaceQueueStore(options.workspace);
  const fileLabel = options.workspace.resolve(GENERATION_QUEUE_FILE);
  let run: QueueRunResult | null = null;
  let preview: GenerationQueuePreview | null = null;
  if (request.startJobs) {
    run = await runQueue(options, users, sources, store, fileLabel);
  } else {
    preview = previewGenerationQueue({ users, existing: await loadQueueState(store, fileLabel), trail: sources.trail.trail, since: request.since, regenerate: request.regenerate, now: options.now });
    announcePreview(io, preview);
  }
  const jobs = (run ?? preview)?.state.jobs ?? [];
  const usedByUser = new Map<string, PolicyDocument[]>();
  for (const job of jobs) if (job.status === 'SUCCEEDED' && job.policies) usedByUser.set(job.userName, job.policies);
  const managedArns = options.drafts.flatMap((d) => d.sources.awsManagedPolicyArns);
  const awsManagedDocuments = await fetchAwsManagedDocuments(options.aws.iam, managedArns);
  return { sources, usedByUser, awsManagedDocuments, run, preview };
}

async function runQueue(
  options: GatherActivityOptions,
  users: GenerationUser[],
  sources: Extract<ActivitySources, { ready: true }>,
  store: GenerationQueueStore,
  fileLabel: string,
): Promise<QueueRunResult> {
  const { io, request } = options;
  const progress = io.startProgress('ACTIVITY_QUEUE', `Generating policies from CloudTrail activity for ${users.length} user(s), one job at a time`);
  const run = await runPolicyGenerationQueue({
    accessAnalyzer: options.aws.accessAnalyzer,
    store,
    users,
    trail: sources.trail.trail,
    accessRoleArn: sources.accessRole.roleArn,
    since: request.since,
    regenerate: request.regenerate,
    now: options.now,
    onEvent: (event) => progress.update(describeEvent(event)),
    fileLabel,
  });
  if (run.stop) {
    progress.fail(`${run.stop.message}`);
    say.warn(io, `ACTIVITY_${run.stop.code}`, `${run.stop.message} ${run.stop.resolution}`, run.stop);
  } else {
    progress.succeed(`Activity analysed for ${run.succeeded.length} of ${users.length} user(s)`);
  }
  for (const failure of run.failed) say.warn(io, 'ACTIVITY_JOB_FAILED', `Policy generation failed for ${failure.userName}: ${failure.reason}`);
  return run;
}

const STEP_TEXT: Record<PlannedJobStep, string> = {
  reuse: 'would reuse the policy generated before',
  await: 'would wait for the job already running',
  replay: 'would re-send the start an earlier run left unconfirmed (same job)',
  start: 'would start a policy generation job',
  retry: 'would start a second attempt',
  deferred: "would wait for tomorrow: today's 50 starts are used",
  failed: 'would not try again (both attempts failed; --regenerate restarts it)',
};

/** One message per job, so that a dry-run says exactly which Access Analyzer jobs a real run starts. */
function announcePreview(io: IoHost, preview: GenerationQueuePreview): void {
  for (const job of preview.jobs) {
    const window = job.window ? ` over ${job.window.startTime} to ${job.window.endTime}` : '';
    say.info(io, 'ACTIVITY_JOB_PLANNED', `${job.userName} (${job.permissionSets.join(', ')}): ${STEP_TEXT[job.step]}${window}${job.jobId ? ` (${job.jobId})` : ''}.`, job);
  }
  say.info(io, 'ACTIVITY_JOBS_NOT_STARTED', `Dry run: no policy generation job started (${preview.newStarts} start(s) planned of ${preview.startsLeftToday} left today); the queue file is not written.`, {
    newStarts: preview.newStarts,
    startsLeftToday: preview.startsLeftToday,
  });
}

/** One generation user per IAM user, with every permission set the user's activity describes. */
function generationUsers(drafts: PolicySetDraft[], only: string[] | undefined): GenerationUser[] {
  const wanted = only ? new Set(only) : null;
  const byName = new Map<string, GenerationUser>();
  for (const draft of drafts) {
    for (const user of draft.users) {
      if (wanted && !wanted.has(user.userName)) continue;
      const entry = byName.get(user.userName) ?? { userName: user.userName, principalArn: user.arn, permissionSets: [] };
      entry.permissionSets.push(draft.name);
      byName.set(user.userName, entry);
    }
  }
  return [...byName.values()].sort((a, b) => a.userName.localeCompare(b.userName));
}

/** The queue lives in the workspace, so a run stopped after 20 users goes on with user 21 next time. */
function workspaceQueueStore(workspace: Workspace): GenerationQueueStore {
  return {
    async load() {
      const text = await workspace.readText(GENERATION_QUEUE_FILE);
      if (text === null) return null;
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new UserError(
          'INVALID_GENERATION_QUEUE',
          `${workspace.resolve(GENERATION_QUEUE_FILE)} is not valid JSON: ${(error as Error).message}`,
          'Delete the file to start the queue afresh (jobs already finished in Access Analyzer are not lost there, only here).',
        );
      }
    },
    async save(state) {
      await workspace.writeJson(GENERATION_QUEUE_FILE, state);
    },
  };
}

function describeEvent(event: QueueEvent): string {
  switch (event.type) {
    case 'window-clipped':
      return `CloudTrail window clipped to 90 days (from ${event.startTime.slice(0, 10)})`;
    case 'job-resumed':
      return `${event.userName}: following the job already running (${event.jobId})`;
    case 'job-starting':
      return `${event.userName}: starting policy generation (attempt ${event.attempt})`;
    case 'account-busy':
      return `${event.userName}: another generation job is running in the account; waiting`;
    case 'job-started':
      return `${event.userName}: job ${event.jobId} running`;
    case 'job-succeeded':
      return `${event.userName}: ${event.policyCount} policy document(s) generated`;
    case 'job-failed':
      return `${event.userName}: job ${event.status}${event.willRetry ? ', retrying once' : ''}: ${event.reason}`;
  }
}
