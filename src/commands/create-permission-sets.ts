import { Option, type Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { renderCreatePermissionSets } from '../phases/create-permission-sets/create-permission-sets-summary.js';
import { emitInfrastructureAsCode } from '../phases/create-permission-sets/emit-iac.js';
import { readDesiredPermissionSets } from '../phases/create-permission-sets/read-desired.js';
import { resolveIdentityCenterInstance } from '../phases/create-permission-sets/resolve-instance.js';
import { permissionSetKinds } from '../phases/create-permission-sets/permission-set-handlers.js';
import { CREATE_PERMISSION_SETS, createPermissionSetsPhase } from '../phases/create-permission-sets/create-permission-sets-phase.js';
import { readPolicyFile, readPolicyManifest } from '../workspace/policy-files.js';
import { addPlanOptions, type PlanFlags } from './plan-options.js';
import { runPhaseCommand } from './phase-command.js';
import { readMapping } from './mapping-input.js';

export interface CreatePermissionSetsFlags extends PlanFlags {
  permissionSets?: string[];
  instanceArn?: string;
  emit?: 'terraform' | 'cloudformation';
  out?: string;
}

const commaList = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

/** `iam2idc create-permission-sets`: make Identity Center's permission sets match the mapping. */
export function registerCreatePermissionSetsCommand(program: Command, run: CommandRunner): void {
  const command = program
    .command(CREATE_PERMISSION_SETS)
    .description('create or update the permission sets of mapping.yaml in IAM Identity Center (only the differences)')
    .option('--permission-sets <names>', 'only these permission sets (comma-separated)', commaList)
    .option('--instance-arn <arn>', 'the Identity Center instance, when the workspace has none recorded or several exist')
    .addOption(new Option('--emit <format>', 'write the permission sets as infrastructure as code instead, with no AWS call').choices(['terraform', 'cloudformation']))
    .addHelpText('after', ['', 'Examples:', '  iam2idc create-permission-sets --dry-run --save-plan ps.json   review the plan', '  iam2idc create-permission-sets --plan ps.json --yes           apply exactly that plan', '  iam2idc create-permission-sets --emit terraform               IaC instead, no AWS call'].join('\n'))
    .option('--out <dir>', 'with --emit: where to write the files (default: <workspace>/iac)');
  addPlanOptions(command).action(async (_options: unknown, cmd: Command) =>
    run(cmd, (ctx) => createPermissionSetsHandler(ctx, cmd.opts<CreatePermissionSetsFlags>())),
  );
}

export async function createPermissionSetsHandler(ctx: CommandContext, flags: CreatePermissionSetsFlags): Promise<number> {
  if (flags.emit) return emitPermissionSets(ctx, flags);
  return runPhaseCommand(ctx, flags, {
    command: CREATE_PERMISSION_SETS,
    kinds: permissionSetKinds(),
    phase: async () => {
      // The mapping, the policy files and every limit are checked before the first AWS call.
      const desired = await readDesired(ctx, flags);
      const { caller, state: bound } = await bindCaller(ctx);
      const region = bound.identityCenter?.region ?? ctx.aws.region;
      const instance = await resolveIdentityCenterInstance(ctx.aws.ssoAdmin(region), {
        instanceArn: flags.instanceArn,
        recorded: flags.instanceArn ? null : bound.identityCenter,
        region,
        select: (choices) =>
          ctx.io.select({
            code: 'CHOOSE_INSTANCE',
            message: 'Several IAM Identity Center instances are visible. Which one?',
            choices: choices.map((c) => ({ name: `${c.instanceArn} (${c.name ?? 'unnamed'}, owner ${c.ownerAccountId ?? '?'})`, value: c })),
          }),
      });
      if (!ctx.options.dryRun && bound.identityCenter?.instanceArn !== instance.instanceArn) {
        await ctx.workspace.updateState({ identityCenter: () => ({ instanceArn: instance.instanceArn, identityStoreId: instance.identityStoreId, region: instance.region }) });
      }
      return createPermissionSetsPhase({ ssoAdmin: ctx.aws.ssoAdmin(instance.region), instanceArn: instance.instanceArn, accountId: caller.accountId, workspace: ctx.workspace, now: ctx.now, desired });
    },
    renderResult: renderCreatePermissionSets,
  });
}

async function readDesired(ctx: CommandContext, flags: CreatePermissionSetsFlags) {
  const { mapping } = await readMapping(ctx);
  const state = await ctx.workspace.readState();
  const manifest = await readPolicyManifest(ctx.workspace);
  return readDesiredPermissionSets(mapping, async (file) => (await readPolicyFile(ctx.workspace, file, manifest)).document, {
    only: flags.permissionSets,
    policyStatus: state?.phases.policies?.sets,
  });
}

/** `--emit`: the permission sets as infrastructure as code, with no AWS call. */
async function emitPermissionSets(ctx: CommandContext, flags: CreatePermissionSetsFlags): Promise<number> {
  const desired = await readDesired(ctx, flags);
  const state = await ctx.workspace.readState();
  const emitted = await emitInfrastructureAsCode(ctx.workspace, desired, {
    format: flags.emit ?? 'terraform',
    outDir: flags.out,
    instanceArn: flags.instanceArn ?? state?.identityCenter?.instanceArn ?? null,
    generatedAt: ctx.now().toISOString(),
  });
  ctx.io.result({ data: emitted, renderText: () => `Wrote ${emitted.files.join(', ')} (${desired.length} permission set(s)). No AWS call was made.` });
  return 0;
}
