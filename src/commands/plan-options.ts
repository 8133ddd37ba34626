import type { Command } from 'commander';

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
