import type { Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { parseUserList } from '../cli-args/user-list.js';
import { UserError } from '../errors.js';
import { renderRestoreDecisions, renderRestoreSummary } from '../phases/cleanup/cleanup-summary.js';
import { restoreKinds } from '../phases/cleanup/restore-handlers.js';
import { RESTORE, restorePhase } from '../phases/cleanup/restore-phase.js';
import { readJournalFold } from '../plan/journal-index.js';
import { retiredUsersOf } from '../phases/disable/retired-users.js';
import { listUserBackups, type UserBackup } from '../workspace/user-backups.js';
import { addPlanOptions, workspaceFileTrust, type PlanFlags } from './plan-options.js';
import { runPhaseCommand } from './phase-command.js';

export interface RestoreFlags extends PlanFlags {
  user?: string;
  all?: boolean;
}

/** `iam2idc restore`: re-create deleted users from their backups (not their keys, passwords or MFA). */
export function registerRestoreCommand(program: Command, run: CommandRunner): void {
  const command = program
    .command(RESTORE)
    .description('re-create users that cleanup deleted, from their backups (keys, passwords and MFA cannot come back)')
    .option('--user <names>', 'these users (comma-separated)')
    .option('--all', 'every user with a backup that does not exist now')
    .addHelpText('after', ['', 'Examples:', '  iam2idc restore --user bob.builder --dry-run', '  iam2idc restore --all --yes'].join('\n'));
  addPlanOptions(command).action(async (_options: unknown, cmd: Command) => run(cmd, (ctx) => restoreHandler(ctx, cmd.opts<RestoreFlags>())));
}

export async function restoreHandler(ctx: CommandContext, flags: RestoreFlags): Promise<number> {
  if ((flags.user === undefined) === (flags.all !== true) && !flags.plan) {
    throw new UserError('RESTORE_WHO', 'Say whom to restore: --user <name> or --all (not both).', 'For example: iam2idc restore --user bob.builder');
  }
  const names = flags.user === undefined ? null : parseUserList(flags.user, '--user');
  return runPhaseCommand(ctx, flags, {
    command: RESTORE,
    kinds: restoreKinds(),
    phase: async (run) => {
      // Every backup is checked against the journal before anything is planned from it: restore
      // re-creates what cleanup recorded, never what a file was edited to say.
      const trust = await workspaceFileTrust(ctx, run);
      const backups = latestByUser(await listUserBackups(ctx.workspace, trust));
      const missing = (names ?? []).filter((n) => !backups.has(n.toLowerCase()));
      if (missing.length > 0) throw new UserError('NO_BACKUP', `No backup of ${missing.join(', ')} in ${ctx.workspace.resolve('backups')}.`, 'restore re-creates users that cleanup deleted; their backups are backups/<user>-<userId>.json.');
      const chosen = names === null ? [...backups.values()] : names.map((n) => backups.get(n.toLowerCase()) as UserBackup);
      const retired = retiredUsersOf(await readJournalFold(ctx.workspace));
      const { caller } = await bindCaller(ctx);
      return restorePhase({ iam: ctx.aws.iam, accountId: caller.accountId, backups: chosen, retired });
    },
    renderDecisions: renderRestoreDecisions,
    renderResult: renderRestoreSummary,
  });
}

/** A user deleted, restored and deleted again has several backups: the newest is what it was last. */
function latestByUser(backups: UserBackup[]): Map<string, UserBackup> {
  const latest = new Map<string, UserBackup>();
  for (const backup of backups) {
    const key = backup.user.userName.toLowerCase();
    const seen = latest.get(key);
    if (!seen || backup.updatedAt > seen.updatedAt) latest.set(key, backup);
  }
  return latest;
}
