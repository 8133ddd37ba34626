import type { Command } from 'commander';
import { parseUserList } from '../cli-args/user-list.js';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { say } from '../io/io-host.js';
import { renderVerifySummary } from '../phases/verify/verify-summary.js';
import { runVerify } from '../phases/verify/run-verify.js';
import { readAuditSnapshot } from '../workspace/audit-file.js';
import { readMapping } from './mapping-input.js';

export interface VerifyFlags {
  users?: string;
}

/** `iam2idc verify`: per person, what their permission sets gain or lose against their IAM user. */
export function registerVerifyCommand(program: Command, run: CommandRunner): void {
  program
    .command('verify')
    .description('per person: what their permission sets allow that their IAM user could not (escalations), and what they lose (read-only)')
    .option('--users <names>', 'only these IAM users (comma-separated)')
    .addHelpText(
      'after',
      ['', 'Exit 1 while any person has an escalation that mapping.yaml does not acknowledge.', '', 'Examples:', '  iam2idc verify', '  iam2idc verify --users alice -o json'].join('\n'),
    )
    .action(async (_options: unknown, command: Command) => run(command, (ctx) => verifyHandler(ctx, command.opts<VerifyFlags>())));
}

export async function verifyHandler(ctx: CommandContext, flags: VerifyFlags): Promise<number> {
  const only = flags.users === undefined ? undefined : parseUserList(flags.users, '--users');
  const snapshot = await readAuditSnapshot(ctx.workspace);
  const { mapping } = await readMapping(ctx);
  await bindCaller(ctx);
  const result = await runVerify({ workspace: ctx.workspace, snapshot, mapping, iam: ctx.aws.iam, only, now: ctx.now });
  ctx.io.result({ data: result, renderText: (f) => renderVerifySummary(result, f) });
  const escalated = result.people.filter((p) => p.verdict === 'escalation').map((p) => p.iamUser);
  if (escalated.length === 0) return 0;
  say.warn(ctx.io, 'VERIFY_ESCALATION', `Escalations for ${escalated.join(', ')}: see ${result.reportFile}. disable leaves them out until fixed or acknowledged.`);
  return 1;
}
