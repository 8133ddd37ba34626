import type { Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { parseUserList } from '../cli-args/user-list.js';
import { UserError } from '../errors.js';
import { exitCodeOf } from '../plan/execute-plan.js';
import { renderEnableDecisions, renderEnableSummary } from '../render/retire-summary.js';
import { retireKinds } from '../services/retire/retire-handlers.js';
import { ENABLE, runEnable } from '../services/retire/run-enable.js';
import { listDisableRecords } from '../workspace/disable-records.js';
import { addPlanOptions, planRunOptions, withCommandRun, workspaceFileTrust, type PlanFlags } from './plan-options.js';

export interface EnableFlags extends PlanFlags {
  users?: string;
}

/** `iam2idc enable`: the rollback of disable, exactly what it changed and nothing else. */
export function registerEnableCommand(program: Command, run: CommandRunner): void {
  const command = program
    .command(ENABLE)
    .description('switch back on what disable switched off: its deny policy removed, the keys it deactivated reactivated')
    .option('--users <names>', 'only these IAM users (comma-separated; default: every user iam2idc disabled)')
    .addHelpText('after', ['', 'Examples:', '  iam2idc enable --users bob.builder     roll one user back', '  iam2idc enable --dry-run               what would be switched back on'].join('\n'));
  addPlanOptions(command).action(async (_options: unknown, cmd: Command) => run(cmd, (ctx) => enableHandler(ctx, cmd.opts<EnableFlags>())));
}

export async function enableHandler(ctx: CommandContext, flags: EnableFlags): Promise<number> {
  const users = flags.users === undefined ? null : parseUserList(flags.users, '--users');
  return withCommandRun(ctx, ENABLE, async (run) => {
    // The plan comes from the workspace alone: what disable recorded, read under the lock and checked
    // against the journal (a record edited or forged is refused), before the first change.
    const plan = await planRunOptions(ctx, flags, run, { command: ENABLE, kinds: retireKinds() });
    const trust = await workspaceFileTrust(ctx, run);
    const all = await listDisableRecords(ctx.workspace, trust);
    const byLower = new Map(all.map((r) => [r.userName.toLowerCase(), r]));
    const unknown = (users ?? []).filter((u) => !byLower.has(u.toLowerCase()));
    if (unknown.length > 0) {
      throw new UserError('NOT_DISABLED_BY_IAM2IDC', `iam2idc has no disable record for ${unknown.join(', ')} in ${ctx.workspace.dir}.`, 'enable only reverses what disable did; a user switched off another way is not touched.');
    }
    const records = users === null ? all : users.map((u) => byLower.get(u.toLowerCase())).filter((r) => r !== undefined);
    const { caller } = await bindCaller(ctx);
    const result = await runEnable({
      ...plan,
      iam: ctx.aws.iam,
      accountId: caller.accountId,
      records,
      trust,
      showDecisions: (decisions) => ctx.io.show({ data: decisions, renderText: (f) => renderEnableDecisions(decisions, f) }),
    });
    ctx.io.result({ data: result, renderText: (f) => renderEnableSummary(result, f) });
    return exitCodeOf(result.execution);
  });
}
