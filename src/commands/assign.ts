import { Option, type Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { SafetyRefusal, UserError } from '../errors.js';
import { say, type IoHost } from '../io/io-host.js';
import { renderAssignSummary } from '../phases/assign/assign-summary.js';
import { renderVerifySummary } from '../phases/verify/verify-summary.js';
import { emitAssignmentsAsCode } from '../phases/assign/emit-assignments.js';
import { expandTargets } from '../phases/assign/expand-targets.js';
import { ASSIGN, assignKinds, assignPhase } from '../phases/assign/assign-phase.js';
import { completeDesiredUsers, readDesiredIdentities, type DesiredIdentities } from '../phases/assign/identities/desired-identities.js';
import { detectIdentitySource, type IdentitySourceOption } from '../phases/assign/identities/detect-identity-source.js';
import { runVerify } from '../phases/verify/run-verify.js';
import { readAuditSnapshot } from '../workspace/audit-file.js';
import { MAPPING_FILE } from '../workspace/mapping-file.js';
import { addPlanOptions, type PlanFlags } from './plan-options.js';
import { runPhaseCommand } from './phase-command.js';
import type { AuditSnapshot } from '../model/inventory.js';
import type { Mapping } from '../workspace/mapping-schema.js';
import { readMapping } from './mapping-input.js';

export interface AssignFlags extends PlanFlags {
  prune?: boolean;
  emit?: 'terraform' | 'cloudformation';
  out?: string;
  emailTemplate?: string;
  identitySource: IdentitySourceOption;
}

/** `iam2idc assign`: Identity Center users, groups and the account assignments of the mapping. */
export function registerAssignCommand(program: Command, run: CommandRunner): void {
  const command = program
    .command(ASSIGN)
    .description('create the Identity Center users, groups and account assignments of mapping.yaml (only what is missing)')
    .option('--prune', 'also delete assignments of the mapped permission sets that the mapping no longer has')
    .option('--email-template <template>', "email for users with none in the mapping or tags, e.g. '{user}@corp.example'")
    .addOption(
      new Option('--identity-source <source>', 'idc: users may be created; external (IdP, AD, SCIM): only resolved').choices(['auto', 'idc', 'external']).default('auto'),
    )
    .addOption(new Option('--emit <format>', 'write the groups and assignments as infrastructure as code instead, with no AWS call').choices(['terraform', 'cloudformation']))
    .addHelpText('after', ['', 'Examples:', '  iam2idc assign --dry-run', '  iam2idc assign --yes --email-template \'{user}@corp.example\'', '  iam2idc assign --identity-source external        users come from your IdP (SCIM): resolve, never create'].join('\n'))
    .option('--out <dir>', 'with --emit: where to write the files (default: <workspace>/iac)');
  addPlanOptions(command).action(async (_options: unknown, cmd: Command) => run(cmd, (ctx) => assignHandler(ctx, cmd.opts<AssignFlags>())));
}

export async function assignHandler(ctx: CommandContext, flags: AssignFlags): Promise<number> {
  if (flags.emit) return emitAssignments(ctx, flags, flags.emit);
  // Everything that can be wrong in the files is checked before the first AWS call.
  let snapshot: AuditSnapshot | null = null;
  let mapping: Mapping | null = null;
  return runPhaseCommand(ctx, flags, {
    command: ASSIGN,
    kinds: assignKinds(),
    phase: async () => {
      snapshot = await readAuditSnapshot(ctx.workspace);
      mapping = (await readMapping(ctx)).mapping;
      return assignPhaseFor(ctx, flags, snapshot, mapping);
    },
    renderResult: renderAssignSummary,
    after: async (result) => {
      if (result.execution.dryRun || snapshot === null || mapping === null) return null;
      // The access now in place is compared with what each person had in IAM, so escalations show before disable.
      const verified = await runVerify({ workspace: ctx.workspace, snapshot, mapping, iam: ctx.aws.iam, now: ctx.now });
      const escalated = verified.people.filter((p) => p.verdict === 'escalation').map((p) => p.iamUser);
      return {
        data: { verify: verified },
        renderText: (f) => renderVerifySummary(verified, f),
        afterResult: () => {
          if (escalated.length > 0) say.warn(ctx.io, 'VERIFY_ESCALATION', `Escalations for ${escalated.join(', ')}: see ${verified.reportFile ?? 'reports/verify.md'}. disable leaves them out until fixed or acknowledged.`);
        },
      };
    },
  });
}

/** `--emit`: the groups and assignments as infrastructure as code, with no AWS call. */
async function emitAssignments(ctx: CommandContext, flags: AssignFlags, format: 'terraform' | 'cloudformation'): Promise<number> {
  const snapshot = await readAuditSnapshot(ctx.workspace);
  const { mapping } = await readMapping(ctx);
  const recorded = await ctx.workspace.readState();
  const emitted = await emitAssignmentsAsCode(ctx.workspace, mapping, readDesiredIdentities(mapping, snapshot.users, { emailTemplate: flags.emailTemplate }), {
    format,
    outDir: flags.out,
    instanceArn: recorded?.identityCenter?.instanceArn ?? null,
    identityStoreId: recorded?.identityCenter?.identityStoreId ?? null,
    generatedAt: ctx.now().toISOString(),
  });
  ctx.io.result({ data: emitted, renderText: () => `Wrote ${emitted.files.join(', ')}. No AWS call was made.` });
  return 0;
}

/** The phase for this account: permission sets created, the Identity Center instance and identity source known, missing fields asked. */
async function assignPhaseFor(ctx: CommandContext, flags: AssignFlags, snapshot: AuditSnapshot, mapping: Mapping) {
  const recorded = await ctx.workspace.readState();
  const permissionSetArns = new Map(Object.entries(recorded?.phases.permissionSets?.arns ?? {}));
  const notCreated = [...new Set(mapping.assignments.map((a) => a.permissionSet))].filter((name) => !permissionSetArns.has(name));
  if (notCreated.length > 0) {
    throw new UserError(
      'PERMISSION_SET_NOT_CREATED',
      `${MAPPING_FILE} assigns permission sets that are not created yet: ${notCreated.join(', ')}.`,
      'Run `iam2idc create-permission-sets` first (after generate-policies), then assign.',
    );
  }
  const { caller, state } = await bindCaller(ctx);
  if (!state.identityCenter) {
    throw new UserError('NO_IDENTITY_CENTER_RECORDED', 'The workspace has no Identity Center instance recorded.', 'Run `iam2idc create-permission-sets` first: it records the instance.');
  }
  const { instanceArn, identityStoreId, region } = state.identityCenter;
  const identityStore = ctx.aws.identityStore(region);
  const source = await detectIdentitySource(identityStore, identityStoreId, { option: flags.identitySource });
  say.verbose(ctx.io, 'IDENTITY_SOURCE', source.reason);
  let desired = readDesiredIdentities(mapping, snapshot.users, { emailTemplate: flags.emailTemplate });
  if (source.source === 'idc') {
    const template = flags.emailTemplate ?? (await askForEmailTemplate(desired, ctx.io));
    if (template !== undefined && flags.emailTemplate === undefined) desired = readDesiredIdentities(mapping, snapshot.users, { emailTemplate: template });
    desired = await askForMissingFields(desired, ctx.io);
  }
  const targets = await expandTargets(ctx.aws.organizations, mapping, { auditedAccount: caller.accountId });
  for (const skipped of targets.skipped) say.warn(ctx.io, 'ACCOUNT_SKIPPED', `${skipped.accountId} (${skipped.via}) is ${skipped.state}: skipped.`);
  return assignPhase({
    workspace: ctx.workspace,
    now: ctx.now,
    aws: { ssoAdmin: ctx.aws.ssoAdmin(region), identityStore, organizations: ctx.aws.organizations },
    instance: { instanceArn, identityStoreId },
    accountId: caller.accountId,
    mapping,
    desired,
    source,
    accountsByAssignment: targets.accountsByAssignment,
    skippedAccounts: targets.skipped,
    permissionSetArns,
    prune: Boolean(flags.prune),
  });
}

/** Several people without an email: one template answers them all (an empty answer asks one by one). */
const EMAIL_TEMPLATE_QUESTION_FROM = 3;

async function askForEmailTemplate(desired: DesiredIdentities, io: IoHost): Promise<string | undefined> {
  const withoutEmail = desired.missing.filter((m) => m.field === 'email').length;
  if (withoutEmail < EMAIL_TEMPLATE_QUESTION_FROM) return undefined;
  try {
    const answer = await io.input({
      code: 'EMAIL_TEMPLATE',
      message: `${withoutEmail} people have no email in the mapping or their tags. An email template for them, such as {user}@corp.example (empty: ask one by one)?`,
      defaultValue: '',
      validate: (v) => (v.trim() === '' || v.includes('{user}') ? true : 'the template needs {user}, e.g. {user}@corp.example'),
    });
    return answer.trim() === '' ? undefined : answer.trim();
  } catch (error) {
    if (error instanceof SafetyRefusal && error.code === 'NO_INTERACTIVE_INPUT') return undefined;
    throw error;
  }
}

/**
 * Asks for the fields a new Identity Center user needs and the mapping, tags and template did not
 * give. Without a terminal nothing is asked: a user still missing one is refused when planned (exit 2).
 */
async function askForMissingFields(desired: DesiredIdentities, io: IoHost): Promise<DesiredIdentities> {
  if (desired.missing.length === 0) return desired;
  const answers: Record<string, Record<string, string>> = {};
  try {
    for (const { user, field } of desired.missing) {
      const value = await io.input({ code: 'IDENTITY_FIELD', message: `${user}: ${field}?`, validate: (v) => (v.trim() ? true : 'required') });
      (answers[user] ??= {})[field] = value.trim();
    }
  } catch (error) {
    if (error instanceof SafetyRefusal && error.code === 'NO_INTERACTIVE_INPUT') return desired;
    throw error;
  }
  return completeDesiredUsers(desired, answers);
}
