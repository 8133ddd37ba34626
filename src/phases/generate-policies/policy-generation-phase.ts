/**
 * Policy generation from CloudTrail activity as a phase: one `accessanalyzer.GeneratePolicy` action per
 * IAM user whose activity is not analysed yet, run by the one runner, so that the journal is the only
 * record of which jobs were started and the sealed results in `policies/generated/` are the only
 * record of what they found. A dry-run shows the same plan and starts nothing.
 */
import { say, type IoHost } from '../../io/io-host.js';
import type { PolicyDocument } from '../../model/inventory.js';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import { readJournalFold } from '../../plan/journal-index.js';
import type { Phase } from '../../plan/phase.js';
import type { PlannedAction } from '../../plan/plan-types.js';
import type { FileSealer, FileTrust } from '../../workspace/file-seals.js';
import { readGeneratedPolicy, type GeneratedPolicy } from '../../workspace/generated-policies.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { GenerationTrail } from './discover-activity-sources.js';
import {
  ACCESS_ANALYZER_LANE,
  createGenerationRegistry,
  GENERATE_POLICY_KIND,
  generationToken,
  parseGenerationParams,
  POLICY_GENERATION_LIMITS,
  type GenerationContext,
  type GenerationParams,
} from './policy-generation-handler.js';
import { resolveGenerationWindow, type ResolvedWindow } from './generation-window.js';

export const GENERATE_POLICIES = 'generate-policies';

/** An IAM user whose CloudTrail activity describes one or more permission sets. */
export interface GenerationUser {
  userName: string;
  principalArn: string;
  permissionSets: string[];
}

/**
 * A user's job in this run: `reuse` (a result is on file: nothing is called), `resume` (a start whose
 * answer an earlier run did not get: sent again with the same token, so the same job), `start`, or
 * `deferred` (past the day's 50 starts: a later run takes it).
 */
export interface GenerationDecision {
  userName: string;
  permissionSets: string[];
  step: 'reuse' | 'resume' | 'start' | 'deferred';
  window: { startTime: string; endTime: string } | null;
}

export interface GenerationRead {
  results: Map<string, GeneratedPolicy>;
  /** Starts an earlier run sent without learning their outcome, by user name. */
  unsettled: Map<string, GenerationParams>;
}

export interface GenerationResult {
  decisions: GenerationDecision[];
  window: ResolvedWindow;
  execution: ExecutionSummary;
  /** The generated policies of each user whose activity is analysed (this run or before). */
  usedByUser: Map<string, PolicyDocument[]>;
  failed: { userName: string; reason: string }[];
  /** Users still without a result. */
  remaining: string[];
  /** Why the run stopped before its end (the daily limit, a missing permission), or null. */
  stop: { code: string; message: string } | null;
}

export interface GenerationPhaseInputs {
  users: GenerationUser[];
  trail: GenerationTrail;
  accessRoleArn: string;
  since?: Date;
  /** Start every user's job again, even those with a result on file. */
  regenerate: boolean;
  accountId: string;
  workspace: Workspace;
  accessAnalyzer: GenerationContext['accessAnalyzer'];
  sealer: FileSealer | null;
  trust: FileTrust;
  io: IoHost;
  now: () => Date;
  polling?: GenerationContext['polling'];
}

export function policyGenerationPhase(inputs: GenerationPhaseInputs): Phase<GenerationRead, GenerationDecision, GenerationResult, GenerationContext> {
  const window = resolveGenerationWindow(inputs.now(), inputs.since);
  if (window.clipped) say.info(inputs.io, 'ACTIVITY_WINDOW_CLIPPED', `The CloudTrail window is clipped to Access Analyzer's 90 days: from ${window.startTime.slice(0, 10)}.`, window);
  const context: GenerationContext = { accessAnalyzer: inputs.accessAnalyzer, workspace: inputs.workspace, accountId: inputs.accountId, sealer: inputs.sealer, trust: inputs.trust, now: inputs.now, polling: inputs.polling };
  return {
    command: GENERATE_POLICIES,
    accountId: inputs.accountId,
    read: () => readGeneration(inputs),
    plan: (read) => planPolicyGeneration(inputs.users, read, { ...inputs, window }),
    registry: () => createGenerationRegistry(context),
    async project({ plan, execution }) {
      const { results } = await readGeneration(inputs);
      const usedByUser = new Map<string, PolicyDocument[]>();
      for (const user of inputs.users) {
        const result = results.get(user.userName);
        if (result && result.principalArn === user.principalArn) usedByUser.set(user.userName, result.policies);
      }
      const failed = execution.actions.filter((a) => a.status === 'failed').map((a) => ({ userName: userOfAction(a.id), reason: a.reason ?? 'unknown' }));
      const remaining = inputs.users.map((u) => u.userName).filter((name) => !usedByUser.has(name));
      return { decisions: plan.decisions, window, execution, usedByUser, failed, remaining, stop: execution.stopped && { code: execution.stopped.code, message: execution.stopped.message } };
    },
  };
}

/** The results on file and the starts still in doubt, for the users asked for. */
async function readGeneration(inputs: Pick<GenerationPhaseInputs, 'users' | 'workspace' | 'trust'>): Promise<GenerationRead> {
  const results = new Map<string, GeneratedPolicy>();
  for (const user of inputs.users) {
    const result = await readGeneratedPolicy(inputs.workspace, user.userName, inputs.trust);
    if (result) results.set(user.userName, result);
  }
  const unsettled = new Map<string, GenerationParams>();
  for (const intent of (await readJournalFold(inputs.workspace)).openIntents) {
    if (intent.kind !== GENERATE_POLICY_KIND) continue;
    // Read back from disk: only parameters of the kind's own shape are sent again.
    const params = parseGenerationParams(intent.params);
    if (params) unsettled.set(params.userName, params);
  }
  return { results, unsettled };
}

const ACTION_PREFIX = `${GENERATE_POLICIES}/`;
const userOfAction = (actionId: string): string => actionId.slice(ACTION_PREFIX.length);

/**
 * One action per user without a result (every user with `regenerate`), a start in doubt first, with
 * its own parameters, so that Access Analyzer answers it with the job it already has. Past the day's
 * quota of starts, users are deferred to a later run. Pure.
 */
export function planPolicyGeneration(
  users: readonly GenerationUser[],
  read: GenerationRead,
  options: { trail: GenerationTrail; accessRoleArn: string; window: ResolvedWindow; regenerate: boolean },
): { actions: PlannedAction[]; decisions: GenerationDecision[]; questions: [] } {
  const resumed: PlannedAction[] = [];
  const started: PlannedAction[] = [];
  const decisions: GenerationDecision[] = [];
  const window = { startTime: options.window.startTime, endTime: options.window.endTime };
  for (const user of [...users].sort((a, b) => a.userName.localeCompare(b.userName))) {
    const base = { userName: user.userName, permissionSets: user.permissionSets };
    const result = read.results.get(user.userName);
    if (result && result.principalArn === user.principalArn && !options.regenerate) {
      decisions.push({ ...base, step: 'reuse', window: result.window });
      continue;
    }
    const unsettled = read.unsettled.get(user.userName);
    if (unsettled && unsettled.principalArn === user.principalArn) {
      resumed.push(actionOf(unsettled, 'resume the job an earlier run started'));
      decisions.push({ ...base, step: 'resume', window: unsettled.window });
      continue;
    }
    if (started.length >= POLICY_GENERATION_LIMITS.startsPerDay) {
      decisions.push({ ...base, step: 'deferred', window: null });
      continue;
    }
    const params: GenerationParams = { userName: user.userName, principalArn: user.principalArn, trail: options.trail, accessRoleArn: options.accessRoleArn, window, clientToken: generationToken(user.principalArn, window) };
    started.push(actionOf(params, 'start'));
    decisions.push({ ...base, step: 'start', window });
  }
  return { actions: [...resumed, ...started], decisions, questions: [] };
}

function actionOf(params: GenerationParams, how: string): PlannedAction<GenerationParams> {
  return {
    id: `${ACTION_PREFIX}${params.userName}`,
    kind: GENERATE_POLICY_KIND,
    service: ACCESS_ANALYZER_LANE,
    target: `IAM user ${params.userName}`,
    risk: 'read',
    preview: `policy generation from CloudTrail, ${params.window.startTime.slice(0, 10)} to ${params.window.endTime.slice(0, 10)} (${how})`,
    params,
    dependsOn: [],
    fingerprint: null,
  };
}
