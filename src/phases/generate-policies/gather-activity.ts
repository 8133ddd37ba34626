import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import { say, type IoHost } from '../../io/io-host.js';
import { runPhase } from '../../plan/run-phase.js';
import type { PlanRunOptions } from '../../plan/run-command-plan.js';
import type { FileSealer, FileTrust } from '../../workspace/file-seals.js';
import type { AuditSnapshot, PolicyDocument } from '../../model/inventory.js';
import { discoverActivitySources, type ActivitySources } from './discover-activity-sources.js';
import { fetchAwsManagedDocuments } from '../../model/fetch-aws-managed-documents.js';
import type { GenerationContext } from './policy-generation-handler.js';
import { policyGenerationPhase, type GenerationResult, type GenerationUser } from './policy-generation-phase.js';
import type { PolicySetDraft } from './plan-policy-sets.js';

export interface ActivityRequest {
  /** Only these IAM users (default: every human user of the permission sets). */
  users?: string[];
  trailArn?: string;
  accessRoleArn?: string;
  since?: Date;
  /** Start every user's job again, even those with a result on file. */
  regenerate: boolean;
}

export interface ActivityOutcome {
  sources: ActivitySources;
  /** The generated policies of each user whose activity is analysed. */
  usedByUser: Map<string, PolicyDocument[]>;
  /** Default versions of the AWS-managed policies the sets attach, to expand what is granted. */
  awsManagedDocuments: Map<string, PolicyDocument>;
  /** The jobs' run (on a dry-run: their plan, with nothing started); null when there was nothing to analyse. */
  generation: GenerationResult | null;
}

/** How the jobs run: the engine's options (dry-run, the run holding the workspace), and what results are checked against. */
export interface ActivityRun {
  accountId: string;
  engine: PlanRunOptions;
  sealer: FileSealer | null;
  trust: FileTrust;
  polling?: GenerationContext['polling'];
}

export interface GatherActivityOptions {
  drafts: PolicySetDraft[];
  snapshot: AuditSnapshot;
  request: ActivityRequest;
  run: ActivityRun;
  aws: { cloudTrail: Pick<CloudTrailClient, 'send'>; accessAnalyzer: Pick<AccessAnalyzerClient, 'send'>; iam: Pick<IAMClient, 'send'> };
  io: IoHost;
  now: () => Date;
}

/**
 * What the permission sets' users actually did: one Access Analyzer policy-generation job per user,
 * as actions of the plan engine (journal, resume, dry-run). When the trail or the access role is
 * missing it says what to create and returns without activity, so the group-derived policies still go ahead.
 */
export async function gatherActivity(options: GatherActivityOptions): Promise<ActivityOutcome> {
  const { io, request, run } = options;
  const sources = await discoverActivitySources(options.aws.cloudTrail, options.snapshot, {
    trailArn: request.trailArn,
    accessRoleArn: request.accessRoleArn,
  });
  const empty = { sources, usedByUser: new Map(), awsManagedDocuments: new Map(), generation: null };
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
  const phase = policyGenerationPhase({
    users,
    trail: sources.trail.trail,
    accessRoleArn: sources.accessRole.roleArn,
    since: request.since,
    regenerate: request.regenerate,
    accountId: run.accountId,
    workspace: run.engine.workspace,
    accessAnalyzer: options.aws.accessAnalyzer,
    sealer: run.sealer,
    trust: run.trust,
    io,
    now: options.now,
    polling: run.polling,
  });
  const generation = await runPhase(phase, run.engine);
  reportGeneration(io, generation, users.length);
  const managedArns = options.drafts.flatMap((d) => d.sources.awsManagedPolicyArns);
  const awsManagedDocuments = await fetchAwsManagedDocuments(options.aws.iam, managedArns);
  return { sources, usedByUser: generation.usedByUser, awsManagedDocuments, generation };
}

/** What the jobs came to: the stop and the failures as warnings, or on a dry-run what a real run starts. */
function reportGeneration(io: IoHost, generation: GenerationResult, total: number): void {
  if (generation.execution.dryRun) {
    const starts = generation.decisions.filter((d) => d.step === 'start' || d.step === 'resume').length;
    say.info(io, 'ACTIVITY_JOBS_NOT_STARTED', `Dry run: no policy generation job started (${starts} planned; Access Analyzer allows 50 starts a day).`, { planned: starts });
    return;
  }
  if (generation.stop) say.warn(io, `ACTIVITY_${generation.stop.code}`, generation.stop.message, generation.stop);
  for (const failure of generation.failed) say.warn(io, 'ACTIVITY_JOB_FAILED', `Policy generation failed for ${failure.userName}: ${failure.reason}`, failure);
  const deferred = generation.decisions.filter((d) => d.step === 'deferred').length;
  if (deferred > 0) say.warn(io, 'ACTIVITY_DEFERRED', `${deferred} user(s) are left for a later run: Access Analyzer allows 50 starts a day.`, { deferred });
  say.info(io, 'ACTIVITY_ANALYSED', `Activity analysed for ${generation.usedByUser.size} of ${total} user(s).`, { analysed: generation.usedByUser.size, total });
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
