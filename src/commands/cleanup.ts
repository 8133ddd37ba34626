import type { Command } from 'commander';
import type { CommandContext, CommandRunner } from '../command-context.js';
import { parseUserList } from '../cli-args/user-list.js';
import { UserError } from '../errors.js';
import { renderCleanupDecisions, renderCleanupSummary } from '../phases/cleanup/cleanup-summary.js';
import { DEFAULT_MIN_DISABLED_DAYS } from '../phases/cleanup/plan-cleanup.js';
import { cleanupKinds } from '../phases/cleanup/cleanup-handlers.js';
import { CLEANUP, cleanupPhase } from '../phases/cleanup/cleanup-phase.js';
import { readJournalFold } from '../plan/journal-index.js';
import { retiredUsersOf } from '../phases/disable/retired-users.js';
import { readUserBackup } from '../workspace/user-backups.js';
import { addPlanOptions, workspaceFileTrust, type PlanFlags } from './plan-options.js';
import { runPhaseCommand } from './phase-command.js';
import { readMapping, readRetireAccount } from './mapping-input.js';

export interface CleanupFlags extends PlanFlags {
  users?: string;
  minDisabledDays: string;
}

/** `iam2idc cleanup`: delete the users disable switched off, completely, each backed up first. */
export function registerCleanupCommand(program: Command, run: CommandRunner): void {
  const command = program
    .command(CLEANUP)
    .description('delete the IAM users that disable switched off, completely (backed up first; irreversible for keys, passwords and MFA)')
    .option('--users <names>', 'these IAM users (comma-separated) instead of the ones iam2idc disabled; they pass the lockout guard')
    .option('--min-disabled-days <days>', 'only users disabled at least this long ago (fewer than 7 is asked again)', String(DEFAULT_MIN_DISABLED_DAYS))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  iam2idc cleanup --dry-run                                 who would be deleted, and what cannot come back',
        '  iam2idc cleanup --yes --confirm-account 123456789012      in a pipeline',
        '  iam2idc restore --user bob.builder                        re-create one from its backup',
      ].join('\n'),
    );
  addPlanOptions(command).action(async (_options: unknown, cmd: Command) => run(cmd, (ctx) => cleanupHandler(ctx, cmd.opts<CleanupFlags>())));
}

export async function cleanupHandler(ctx: CommandContext, flags: CleanupFlags): Promise<number> {
  // Flags and workspace files first: no AWS call for bad input.
  const users = flags.users === undefined ? null : parseUserList(flags.users, '--users');
  const minDisabledDays = Number(flags.minDisabledDays);
  if (!Number.isInteger(minDisabledDays) || minDisabledDays < 0) {
    throw new UserError('INVALID_MIN_DISABLED_DAYS', `--min-disabled-days ${flags.minDisabledDays} is not a whole number of days.`, `Give a number such as ${DEFAULT_MIN_DISABLED_DAYS}.`);
  }
  return runPhaseCommand(ctx, flags, {
    command: CLEANUP,
    kinds: cleanupKinds(),
    // A deletion whose plan takes no backup first is allowed only over a verified backup on disk.
    savedPlanChecks: async (run) => {
      const trust = await workspaceFileTrust(ctx, run);
      const backedUp = new Set<string>();
      for (const user of retiredUsersOf(await readJournalFold(ctx.workspace))) if ((await readUserBackup(ctx.workspace, user.userName, user.userId, trust)) !== null) backedUp.add(`${user.userName}/${user.userId}`);
      return { hasVerifiedBackup: (p) => backedUp.has(`${p.userName}/${p.userId ?? ''}`) };
    },
    phase: async (run) => {
      const { mapping } = await readMapping(ctx);
      // Who iam2idc disabled comes from the journal, read under the lock: no file can name a user to delete.
      const retired = retiredUsersOf(await readJournalFold(ctx.workspace));
      const account = await readRetireAccount(ctx, mapping);
      return cleanupPhase({ ...account, io: ctx.io, workspace: ctx.workspace, now: ctx.now, run, retired, trust: await workspaceFileTrust(ctx, run), users, minDisabledDays });
    },
    renderDecisions: renderCleanupDecisions,
    renderResult: renderCleanupSummary,
  });
}
