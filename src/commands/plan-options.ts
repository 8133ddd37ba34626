import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { checkSavePlanTarget, loadPlan, type LoadPlanOptions } from '../plan/plan-file.js';
import { fileTrustFor, withPlanRun, type PlanRun } from '../plan/plan-run.js';
import type { FileTrust } from '../workspace/file-seals.js';
import type { PlanRunOptions } from '../plan/run-command-plan.js';

export interface PlanFlags {
  savePlan?: string;
  plan?: string;
}

/** `--save-plan` and `--plan`, shared by every command that changes AWS. */
export function addPlanOptions(command: Command): Command {
  return command
    .option('--save-plan <file>', 'write the plan to a file (with --dry-run: to review it, then apply it with --plan)')
    .option('--plan <file>', 'apply exactly this saved plan, refusing the parts whose targets changed since');
}

/**
 * Runs the rest of a command that changes AWS holding its workspace (the lock, then one journal), so
 * that everything it reads, plans and records happens under the lock; a dry-run holds nothing.
 */
export function withCommandRun<T>(ctx: CommandContext, command: string, body: (run: PlanRun | null) => Promise<T>): Promise<T> {
  return withPlanRun({ workspace: ctx.workspace, command, now: ctx.now, process: ctx.process, interrupts: ctx.interrupts, dryRun: ctx.options.dryRun }, body);
}

/**
 * What the engine needs from a command's context and its `--save-plan` / `--plan` flags. A saved plan
 * is read and checked whole here, against the command's kinds of action, before any AWS call.
 */
export async function planRunOptions(ctx: CommandContext, flags: PlanFlags, run: PlanRun | null, kinds: Omit<LoadPlanOptions, 'accountId'>): Promise<PlanRunOptions> {
  if (flags.savePlan !== undefined) await checkSavePlanTarget(flags.savePlan);
  const savedPlan = flags.plan === undefined ? undefined : { file: flags.plan, plan: await loadPlan(flags.plan, kinds) };
  return {
    workspace: ctx.workspace,
    io: ctx.io,
    now: ctx.now,
    interrupts: ctx.interrupts,
    process: ctx.process,
    dryRun: ctx.options.dryRun,
    savePlanTo: flags.savePlan,
    savedPlan,
    run,
  };
}

/**
 * What the workspace's sealed files (user backups) are checked against: the journal's
 * digests and the account the workspace is bound to (none yet: no file can be trusted).
 */
export async function workspaceFileTrust(ctx: CommandContext, run: PlanRun | null): Promise<FileTrust> {
  const state = await ctx.workspace.readState();
  return fileTrustFor(run, ctx.workspace, state?.accountId ?? '');
}
