/**
 * The action that generates a policy from one IAM user's CloudTrail activity: StartPolicyGeneration,
 * then GetGeneratedPolicy until the job ends, then the result sealed into the workspace. It changes
 * nothing in the account (risk `read`), but it spends one of the account's 50 starts a day, so it
 * goes through the journal like any other call: a run stopped midway resumes it, and a start whose
 * answer was lost is sent again with the same client token, which Access Analyzer answers with the
 * same job instead of starting (and counting) another.
 */
import { createHash } from 'node:crypto';
import { GetGeneratedPolicyCommand, StartPolicyGenerationCommand, type AccessAnalyzerClient, type GetGeneratedPolicyCommandOutput } from '@aws-sdk/client-accessanalyzer';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import { z } from 'zod';
import { isForeignResponse } from '../../aws/map-aws-error.js';
import { isAccessDenied } from '../../call-errors.js';
import { Fault, RunStop } from '../../errors.js';
import { iamUserName } from '../../model/iam-identifiers.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { ActionRegistry, kindMap, type ActionHandler, type ActionKind } from '../../plan/plan-types.js';
import type { FileSealer, FileTrust } from '../../workspace/file-seals.js';
import { generationTrailSchema, readGeneratedPolicy, writeGeneratedPolicy, type GeneratedPolicyContent } from '../../workspace/generated-policies.js';
import type { Workspace } from '../../workspace/workspace.js';

export const GENERATE_POLICY_KIND = 'accessanalyzer.GeneratePolicy';
/** Access Analyzer's lane: one policy generation at a time per account. */
export const ACCESS_ANALYZER_LANE = 'access-analyzer';
/** Access Analyzer quotas: 50 starts a day per account, a window of at most 90 days. */
export const POLICY_GENERATION_LIMITS = { startsPerDay: 50, maxWindowDays: 90, attemptsPerJob: 2 } as const;

const QUOTA_ERRORS = new Set(['ServiceQuotaExceededException', 'LimitExceededException']);
const isoDate = z.iso.datetime({ offset: true });

const generationParams = z.strictObject({
  userName: iamUserName,
  principalArn: z.string().startsWith('arn:'),
  trail: generationTrailSchema,
  accessRoleArn: z.string().startsWith('arn:'),
  window: z.strictObject({ startTime: isoDate, endTime: isoDate }),
  clientToken: z.string().regex(/^[0-9a-f]{32}$/),
});

export type GenerationParams = z.infer<typeof generationParams>;

export interface GenerationContext {
  accessAnalyzer: Pick<AccessAnalyzerClient, 'send'>;
  workspace: Workspace;
  accountId: string;
  /** Seals each result in the journal; null on a dry-run, which writes nothing. */
  sealer: FileSealer | null;
  trust: FileTrust;
  now: () => Date;
  /** Waiter timings in seconds (fractions allowed). */
  polling?: { minDelaySeconds?: number; maxDelaySeconds?: number; maxWaitSeconds?: number; busyMaxWaitSeconds?: number };
}

/** Same user and window → same token, so that a start sent again after a lost answer finds the same job. */
export function generationToken(principalArn: string, window: { startTime: string; endTime: string }): string {
  return createHash('sha256').update(`${principalArn}|${window.startTime}|${window.endTime}`).digest('hex').slice(0, 32);
}

/** The token of the second attempt, after the first job failed. */
const retryToken = (token: string): string => createHash('sha256').update(`${token}|2`).digest('hex').slice(0, 32);

export function createGenerationRegistry(context: GenerationContext): ActionRegistry<GenerationContext> {
  return new ActionRegistry(context).registerAll([generatePolicy as ActionHandler<unknown, GenerationContext>]);
}

export function generationKinds(): ReadonlyMap<string, ActionKind> {
  return kindMap([generatePolicy as ActionHandler<unknown, GenerationContext>]);
}

/** The parameters of an action of this kind read back from the journal, or null when they are not its shape. */
export function parseGenerationParams(params: unknown): GenerationParams | null {
  const parsed = generationParams.safeParse(params);
  return parsed.success ? parsed.data : null;
}

const generatePolicy: ActionHandler<GenerationParams, GenerationContext> = {
  kind: GENERATE_POLICY_KIND,
  service: ACCESS_ANALYZER_LANE,
  params: generationParams,
  risk: 'read',
  async isDone(p, c) {
    const result = await readGeneratedPolicy(c.workspace, p.userName, c.trust);
    return result !== null && (result.clientToken === p.clientToken || result.clientToken === retryToken(p.clientToken));
  },
  async apply(p, c, signal) {
    let reason = '';
    for (let attempt = 1; attempt <= POLICY_GENERATION_LIMITS.attemptsPerJob; attempt++) {
      const token = attempt === 1 ? p.clientToken : retryToken(p.clientToken);
      const jobId = await startJob(p, token, c, signal);
      const end = await awaitJob(jobId, c, signal);
      if ('failure' in end) {
        reason = end.failure;
        continue;
      }
      await saveResult(p, token, jobId, end.output, c);
      const count = end.output.generatedPolicyResult?.generatedPolicies?.length ?? 0;
      const incomplete = end.output.generatedPolicyResult?.properties?.isComplete === false ? ', incomplete (too much activity)' : '';
      return { requestId: end.output.$metadata?.requestId ?? null, detail: `job ${jobId}: ${count} policy document(s)${incomplete}${attempt > 1 ? `, on the second attempt (the first: ${reason})` : ''}` };
    }
    throw new Fault('POLICY_GENERATION_FAILED', `Policy generation failed for ${p.userName} twice: ${reason}`, 'Run the command again to try once more, or leave the user out with --users.');
  },
};

/** Sends StartPolicyGeneration, waiting while another generation runs in the account (ConflictException). */
async function startJob(p: GenerationParams, clientToken: string, c: GenerationContext, signal: AbortSignal): Promise<string> {
  const input = {
    policyGenerationDetails: { principalArn: p.principalArn },
    cloudTrailDetails: { trails: [p.trail], accessRole: p.accessRoleArn, startTime: new Date(p.window.startTime), endTime: new Date(p.window.endTime) },
    clientToken,
  };
  let jobId: string | undefined;
  let result;
  try {
    result = await createWaiter({ ...delays(c, c.polling?.busyMaxWaitSeconds ?? 1800), client: c.accessAnalyzer, abortSignal: signal }, input, async (client) => {
      try {
        jobId = (await client.send(new StartPolicyGenerationCommand(input), { abortSignal: signal })).jobId;
        return { state: WaiterState.SUCCESS };
      } catch (error) {
        // Another generation is running in the account (ours from elsewhere, or the console's): wait for it.
        if (error instanceof Error && error.name === 'ConflictException') return { state: WaiterState.RETRY, reason: error };
        throw error;
      }
    });
  } catch (error) {
    throw stopFor(error, 'access-analyzer:StartPolicyGeneration and iam:PassRole on the access role', c.now()) ?? error;
  }
  if (result.state === WaiterState.ABORTED) throw abortError();
  if (result.state !== WaiterState.SUCCESS) {
    throw new RunStop('ACCOUNT_BUSY', 'Another policy generation kept running in the account.', 'Run the command again once it ends (IAM console > Access Analyzer > Policy generation shows it).');
  }
  if (jobId === undefined) throw new Fault('POLICY_GENERATION_NO_JOB', 'StartPolicyGeneration answered without a job ID.', 'Run the command again; if it happens again, report it.');
  return jobId;
}

/** Polls GetGeneratedPolicy until the job ends: its output, or why the attempt failed. */
async function awaitJob(jobId: string, c: GenerationContext, signal: AbortSignal): Promise<{ output: GetGeneratedPolicyCommandOutput } | { failure: string }> {
  let output: GetGeneratedPolicyCommandOutput | undefined;
  let result;
  try {
    // Placeholders (`${BucketName}`) would make the policy unusable as written: ask for real statements.
    const input = { jobId, includeResourcePlaceholders: false, includeServiceLevelTemplate: false };
    result = await createWaiter({ ...delays(c, c.polling?.maxWaitSeconds ?? 3600), client: c.accessAnalyzer, abortSignal: signal }, input, async (client) => {
      output = await client.send(new GetGeneratedPolicyCommand(input), { abortSignal: signal });
      const status = output.jobDetails?.status;
      return { state: status === undefined || status === 'IN_PROGRESS' ? WaiterState.RETRY : WaiterState.SUCCESS };
    });
  } catch (error) {
    // The job is gone (expired or deleted): a failed attempt.
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return { failure: 'the generation job no longer exists' };
    throw stopFor(error, 'access-analyzer:GetGeneratedPolicy', c.now()) ?? error;
  }
  if (result.state === WaiterState.ABORTED) throw abortError();
  if (result.state !== WaiterState.SUCCESS || output === undefined) {
    throw new RunStop('POLL_TIMEOUT', `The policy generation job ${jobId} is still running.`, 'Run the same command again later: the running job is awaited, not started again.');
  }
  const details = output.jobDetails;
  if (details?.status === 'SUCCEEDED') return { output };
  const error = details?.jobError;
  return { failure: error ? `${error.code ?? 'ERROR'}: ${error.message ?? ''}`.trim() : details?.status === 'CANCELED' ? 'the job was canceled' : 'the job failed' };
}

async function saveResult(p: GenerationParams, clientToken: string, jobId: string, output: GetGeneratedPolicyCommandOutput, c: GenerationContext): Promise<void> {
  let policies: PolicyDocument[];
  try {
    policies = (output.generatedPolicyResult?.generatedPolicies ?? []).map((generated) => JSON.parse(generated.policy ?? '') as PolicyDocument);
  } catch {
    throw new Fault('POLICY_GENERATION_NOT_JSON', `Access Analyzer returned a policy for ${p.userName} that is not JSON.`, 'Run the command again with --regenerate for this user (--users).');
  }
  if (c.sealer === null) throw new Fault('GENERATED_POLICY_UNSEALED', 'A generated policy was to be written without a run holding the workspace.', 'This is a bug in iam2idc: please report it.');
  const properties = output.generatedPolicyResult?.properties;
  const trail = properties?.cloudTrailProperties;
  const content: GeneratedPolicyContent = {
    schemaVersion: 1,
    accountId: c.accountId,
    userName: p.userName,
    principalArn: p.principalArn,
    clientToken,
    jobId,
    window: p.window,
    analysed: trail
      ? {
          startTime: (trail.startTime ?? new Date(p.window.startTime)).toISOString(),
          endTime: (trail.endTime ?? new Date(p.window.endTime)).toISOString(),
          // A trail Access Analyzer reports without its ARN cannot be named: it is left out of the record.
          trails: (trail.trailProperties ?? []).flatMap((t) => (t.cloudTrailArn ? [{ cloudTrailArn: t.cloudTrailArn, allRegions: t.allRegions ?? false, ...(t.regions ? { regions: t.regions } : {}) }] : [])),
        }
      : null,
    isComplete: properties?.isComplete ?? null,
    completedAt: (output.jobDetails?.completedOn ?? c.now()).toISOString(),
    policies,
  };
  await writeGeneratedPolicy(c.workspace, content, c.sealer);
}

/**
 * A refusal every other user's job would meet too stops the run instead of failing each in turn: the
 * day's starts used up, a permission missing, or something other than Access Analyzer answering.
 */
function stopFor(error: unknown, action: string, now: Date): RunStop | null {
  if (!(error instanceof Error) || !('$metadata' in error)) return null;
  if (QUOTA_ERRORS.has(error.name)) {
    const resumeAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
    return new RunStop('DAILY_LIMIT_REACHED', `IAM Access Analyzer allows ${POLICY_GENERATION_LIMITS.startsPerDay} policy generations a day, and today's are used.`, `Run the same command again after ${resumeAt}: it goes on with the users not analysed yet.`);
  }
  if (isAccessDenied(error)) return new RunStop('ACCESS_DENIED', `The caller may not use ${action}.`, `Grant ${action}, then run the command again.`);
  // A 404 or a body the SDK cannot parse: something other than Access Analyzer answered (an endpoint override, a proxy).
  if (isForeignResponse(error)) return new RunStop('SERVICE_UNAVAILABLE', `IAM Access Analyzer did not answer (${error.name}).`, 'Check the endpoint and region (AWS_ENDPOINT_URL, --region), then run the command again.');
  return null;
}

function abortError(): Error {
  const error = new Error('The policy generation was interrupted.');
  error.name = 'AbortError';
  return error;
}

function delays(c: GenerationContext, maxWaitTime: number): { minDelay: number; maxDelay: number; maxWaitTime: number } {
  return { minDelay: c.polling?.minDelaySeconds ?? 5, maxDelay: c.polling?.maxDelaySeconds ?? 60, maxWaitTime };
}

