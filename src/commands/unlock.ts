import type { Command } from 'commander';
import type { CommandContext, CommandRunner } from '../command-context.js';
import type { TextFormat } from '../io/io-host.js';
import { unlockWorkspace, type UnlockResult } from '../workspace/lock.js';

/**
 * `iam2idc unlock <id>`: clears the lock a stopped run left on the workspace. It reads and removes a
 * local file only, so it makes no AWS call and does not check the caller's account.
 */
export function registerUnlockCommand(program: Command, run: CommandRunner): void {
  program
    .command('unlock')
    .description('clear the workspace lock left by a run that is no longer running (no AWS call)')
    .argument('<id>', 'the lock ID, as shown when a run was refused because the workspace is locked')
    .addHelpText('after', ['', 'Example:', '  iam2idc unlock 3f2a9c1e     after a run was killed and left its lock (refused while the holder still runs)'].join('\n'))
    .action(async (id: string, _options: unknown, command: Command) => run(command, (ctx) => unlockHandler(ctx, id)));
}

async function unlockHandler(ctx: CommandContext, id: string): Promise<void> {
  const result = await unlockWorkspace(ctx.workspace, id, ctx.process);
  ctx.io.result({ data: result, renderText: (f) => renderUnlockResult(result, f) });
}

function renderUnlockResult(result: UnlockResult, f: TextFormat): string {
  const { removed } = result;
  const holder =
    removed.pid === null
      ? 'an incomplete lock file'
      : `iam2idc ${removed.command}, started ${removed.startedAt} by process ${removed.pid} on ${removed.hostname}`;
  const lines = [`${f.green('Removed')} lock ${f.bold(removed.id)} from ${result.workspace} (${holder}).`];
  if (result.holder === 'unknown' && removed.hostname !== null) {
    lines.push(f.yellow(`That run was on another host (${removed.hostname}); make sure it is no longer running there.`));
  }
  lines.push('Run the command again: it settles what the stopped run left open, then resumes.');
  return lines.join('\n');
}
