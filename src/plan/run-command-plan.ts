import type { IoHost } from '../io/io-host.js';
import type { Workspace } from '../workspace/workspace.js';
import { executePlan, type ExecutionSummary, type ProcessInfo } from './execute-plan.js';
import type { InterruptController } from './interrupt-controller.js';
import type { PrincipalFacts } from './lockout-guard.js';
import { loadPlan, savePlan } from './plan-file.js';
import { PLAN_VERSION, type ActionRegistry, type Plan, type PlannedAction } from './plan-types.js';

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
  planFile?: string;
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
  },
): Promise<{ planFile: string | null; execution: ExecutionSummary }> {
  const plan: Plan = options.planFile
    ? await loadPlan(options.planFile, { command: options.command, accountId: options.accountId })
    : { version: PLAN_VERSION, command: options.command, accountId: options.accountId, createdAt: options.now().toISOString(), actions: await options.planActions() };
  const planFile = options.savePlanTo ? await savePlan(options.savePlanTo, plan) : null;
  const execution = await executePlan({
    plan,
    registry: options.registry,
    io: options.io,
    workspace: options.workspace,
    interrupts: options.interrupts,
    now: options.now,
    process: options.process,
    dryRun: options.dryRun,
    checkFingerprints: Boolean(options.planFile) || options.checkFingerprints === true,
    beforeApply: options.beforeApply,
    guard: options.guard,
  });
  return { planFile, execution };
}
