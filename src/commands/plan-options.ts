import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
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

/** What the engine needs from a command's context and its `--save-plan` / `--plan` flags. */
export function planRunOptions(ctx: CommandContext, flags: PlanFlags): PlanRunOptions {
  return {
    workspace: ctx.workspace,
    io: ctx.io,
    now: ctx.now,
    interrupts: ctx.interrupts,
    process: ctx.process,
    dryRun: ctx.options.dryRun,
    savePlanTo: flags.savePlan,
    planFile: flags.plan,
  };
}
