import type { Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { renderAuditSummary } from '../phases/audit/audit-summary.js';
import { runAudit } from '../phases/audit/run-audit.js';
import { writeAuditOutputs } from '../phases/audit/write-audit-outputs.js';
import { TOOL_VERSION } from '../version.js';

/** `iam2idc audit`: a read-only inventory of the account's IAM users, written to the workspace. */
export function registerAuditCommand(program: Command, run: CommandRunner): void {
  program
    .command('audit')
    .description('read-only inventory of the IAM users, with findings and a draft mapping.yaml')
    .addHelpText('after', ['', 'Examples:', '  iam2idc audit --profile my-admin        read-only: inventory, findings and a draft mapping.yaml', '  iam2idc audit -o json > audit.json      the full inventory as one JSON document'].join('\n'))
    .action(async (_options: unknown, command: Command) => run(command, auditHandler));
}

export async function auditHandler(ctx: CommandContext): Promise<void> {
  const started = Date.now();
  const { caller, state } = await bindCaller(ctx);
  // Identity Center lives in one region; once found, keep looking there whatever --region says.
  const identityCenterRegion = state.identityCenter?.region ?? ctx.aws.region;
  const snapshot = await runAudit({
    iam: ctx.aws.iam,
    ssoAdmin: ctx.aws.ssoAdmin(identityCenterRegion),
    region: ctx.aws.region,
    identityCenterRegion,
    caller,
    io: ctx.io,
    now: ctx.now,
    toolVersion: TOOL_VERSION,
  });
  const outputs = await writeAuditOutputs(ctx.workspace, snapshot, ctx.io);
  ctx.io.result({
    data: {
      snapshot,
      workspace: ctx.workspace.dir,
      files: outputs.files,
      mapping: outputs.mapping,
      stats: { apiCalls: ctx.aws.apiCalls.snapshot(), durationMs: Date.now() - started },
    },
    renderText: (format) => renderAuditSummary(snapshot, outputs, format),
  });
}
