import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { say } from '../io/io-host.js';
import { renderStatus } from '../phases/status/status-summary.js';
import { readStatus } from '../phases/status/read-status.js';
import { AUDIT_FILE, readAuditSnapshot } from '../workspace/audit-file.js';
import { readMappingForStatus } from './mapping-input.js';

export interface StatusFlags {
  check?: 'migrated';
}

/** `iam2idc status`: where the migration stands, per phase and per user. */
export function registerStatusCommand(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('where the migration stands: the phase checklist and a row per IAM user (read-only)')
    .addOption(new Option('--check <condition>', 'exit 1 unless the condition holds: migrated = every person has verified access and a disabled or deleted IAM user').choices(['migrated']))
    .addHelpText('after', ['', 'Examples:', '  iam2idc status', '  iam2idc status -o json --check migrated     a CI gate'].join('\n'))
    .action(async (_options: unknown, command: Command) => run(command, (ctx) => statusHandler(ctx, command.opts<StatusFlags>())));
}

export async function statusHandler(ctx: CommandContext, flags: StatusFlags): Promise<number> {
  const { mapping, problem } = await readMappingForStatus(ctx, { showWarnings: true });
  const snapshot = existsSync(ctx.workspace.resolve(AUDIT_FILE)) ? await readAuditSnapshot(ctx.workspace) : null;
  const { state } = await bindCaller(ctx);
  const result = await readStatus({ iam: ctx.aws.iam, workspace: ctx.workspace, state, mapping, mappingProblem: problem, snapshot, io: ctx.io, now: ctx.now });
  ctx.io.result({ data: result, renderText: (f) => renderStatus(result, f) });
  if (flags.check === 'migrated' && !result.allMigrated) {
    const left = result.users.filter((u) => u.kind === 'human' && !u.protected && !u.migrated).map((u) => u.userName);
    say.warn(ctx.io, 'NOT_MIGRATED', `Not migrated yet: ${left.join(', ') || 'no person in the mapping'}.`);
    return 1;
  }
  return 0;
}
