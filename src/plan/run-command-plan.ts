import type { IoHost } from '../io/io-host.js';
import type { Workspace } from '../workspace/workspace.js';
import { SafetyRefusal } from '../errors.js';
import { executePlan, type ExecutionSummary, type ProcessInfo } from './execute-plan.js';
import type { InterruptController } from './interrupt-controller.js';
import type { PrincipalFacts } from './lockout-guard.js';
import { savePlan } from './plan-file.js';
import type { PlanRun } from './plan-run.js';
import { PLAN_VERSION, type ActionRegistry, type Plan, type PlannedAction } from './plan-types.js';

/** A plan read from `--plan` and checked whole against the command's kinds (see loadPlan). */
export interface SavedPlan {
  file: string;
  plan: Plan;
}

/** What every command that changes AWS passes to the engine, from its flags and its context. */
export interface PlanRunOptions {
  workspace: Workspace;
  io: IoHost;
  now: () => Date;
  interrupts: InterruptController;
  process: ProcessInfo;
  dryRun: boolean;
  /** `--save-plan`: where to write the plan. */
  savePlanTo?: string;
  /** `--plan`: apply exactly this saved plan instead of planning afresh. */
  savedPlan?: SavedPlan;
  /** The run holding the workspace (see withPlanRun); null for a dry-run. */
  run: PlanRun | null;
  /** Runs after the confirmation, before the first change (see ExecutePlanOptions.beforeApply). */
  beforeApply?: () => Promise<void>;
}

/**
 * A command's plan, from start to end: the saved one (`--plan`), or a fresh one from `planActions`;
 * written out on `--save-plan`; then shown, confirmed and applied by the executor. A saved plan has
 * its targets re-read, so that what changed since is refused.
 */
export async function runCommandPlan<C>(
  options: PlanRunOptions & {
    command: string;
    accountId: string;
    registry: ActionRegistry<C>;
    planActions: () => Promise<PlannedAction[]>;
    /** Required by plans that take access away from IAM users (see ExecutePlanOptions.guard). */
    guard?: PrincipalFacts;
    /** Re-read every pinned target even for a fresh plan (destructive commands); saved plans always are. */
    checkFingerprints?: boolean;
    /**
     * A check of a saved plan's actions that only the command can make (restore: nothing beyond what
     * the verified backups hold): the first difference, or null.
     */
    checkSavedActions?: (actions: readonly PlannedAction[]) => string | null;
  },
): Promise<{ planFile: string | null; execution: ExecutionSummary }> {
  const saved = options.savedPlan;
  if (saved && saved.plan.accountId !== options.accountId) {
    throw new SafetyRefusal('PLAN_WRONG_ACCOUNT', `${saved.file} was made for account ${saved.plan.accountId}, but the credentials are for ${options.accountId}.`, `Use credentials for account ${saved.plan.accountId}, or make a new plan.`);
  }
  const difference = saved && options.checkSavedActions ? options.checkSavedActions(saved.plan.actions) : null;
  if (saved && difference !== null) {
    throw new SafetyRefusal('PLAN_EDITED', `${saved.file} holds more than it may: ${difference}. Nothing was changed.`, 'Make the plan again with --dry-run --save-plan <file>, review it, and apply that file.');
  }
  const plan: Plan = saved
    ? saved.plan
    : { version: PLAN_VERSION, command: options.command, accountId: options.accountId, createdAt: options.now().toISOString(), actions: await options.planActions() };
  const planFile = options.savePlanTo ? await savePlan(options.savePlanTo, plan) : null;
  const execution = await executePlan({
    plan,
    source: saved ? { saved: true, file: saved.file } : { saved: false },
    registry: options.registry,
    io: options.io,
    workspace: options.workspace,
    run: options.run,
    interrupts: options.interrupts,
    now: options.now,
    dryRun: options.dryRun,
    checkFingerprints: saved !== undefined || options.checkFingerprints === true,
    beforeApply: options.beforeApply,
    guard: options.guard,
  });
  return { planFile, execution };
}
