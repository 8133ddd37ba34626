import type { Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { parseUserList } from '../cli-args/user-list.js';
import { UserError } from '../errors.js';
import { readJournalFold } from '../plan/journal-index.js';
import { renderEnableDecisions, renderEnableSummary } from '../phases/disable/retire-summary.js';
import { retireKinds } from '../phases/disable/retire-handlers.js';
import { ENABLE, enablePhase } from '../phases/disable/enable-phase.js';
import { retiredUserNamed, retiredUsersOf, type RetiredUser } from '../phases/disable/retired-users.js';
import { addPlanOptions, type PlanFlags } from './plan-options.js';
import { runPhaseCommand } from './phase-command.js';

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
  const names = flags.users === undefined ? null : parseUserList(flags.users, '--users');
  return runPhaseCommand(ctx, flags, {
    command: ENABLE,
    kinds: retireKinds(),
    phase: async () => {
      // The plan comes from the journal alone, read under the lock: what disable changed, and nothing else.
      const retired = retiredUsersOf(await readJournalFold(ctx.workspace));
      const users = names === null ? retired.filter((u) => u.state !== 'enabled' && u.state !== 'restored') : names.map((name) => namedUser(retired, name, ctx));
      const { caller } = await bindCaller(ctx);
      return enablePhase({ iam: ctx.aws.iam, accountId: caller.accountId, io: ctx.io, users });
    },
    renderDecisions: renderEnableDecisions,
    renderResult: renderEnableSummary,
  });
}

/** The user named with --users, as disable left it; refused when disable never touched it, or cleanup deleted it. */
function namedUser(retired: readonly RetiredUser[], name: string, ctx: CommandContext): RetiredUser {
  const user = retiredUserNamed(retired, name);
  if (user === null) {
    throw new UserError('NOT_DISABLED_BY_IAM2IDC', `The journal of ${ctx.workspace.dir} has no disable of ${name}.`, 'enable only reverses what disable did; a user switched off another way is not touched.');
  }
  if (user.state === 'deleted') {
    throw new UserError('USER_DELETED_BY_CLEANUP', `cleanup deleted ${user.userName} on ${user.deletedAt ?? '?'}: there is no user left to switch back on. Nothing was changed.`, `Re-create it from its backup with \`iam2idc restore --user ${user.userName}\`.`);
  }
  return user;
}
