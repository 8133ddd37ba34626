import { Option, type Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { parseSince } from '../cli-args/parse-since.js';
import { renderPoliciesSummary } from '../phases/generate-policies/policies-summary.js';
import type { PolicyBasis } from '../phases/generate-policies/compare-policy-sources.js';
import { checkActivitySourceArns } from '../phases/generate-policies/discover-activity-sources.js';
import { generatePolicies } from '../phases/generate-policies/generate-policies.js';
import { generationKinds } from '../phases/generate-policies/policy-generation-handler.js';
import { GENERATE_POLICIES } from '../phases/generate-policies/policy-generation-phase.js';
import { preparePolicyGeneration } from '../phases/generate-policies/prepare-policy-generation.js';
import { readAuditSnapshot } from '../workspace/audit-file.js';
import { readMapping } from './mapping-input.js';
import { planRunOptions, withCommandRun, workspaceFileTrust } from './plan-options.js';

export interface GeneratePoliciesFlags {
  permissionSets?: string[];
  fromActivity?: boolean;
  users?: string[];
  trailArn?: string;
  accessRoleArn?: string;
  since: string;
  use?: PolicyBasis;
  regenerate?: boolean;
}

const commaList = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

/** `iam2idc generate-policies`: each permission set's policy, from what its IAM source has and, optionally, what its users did. */
export function registerGeneratePoliciesCommand(program: Command, run: CommandRunner): void {
  program
    .command('generate-policies')
    .description('build, pack and validate the policy of each permission set in mapping.yaml')
    .option('--permission-sets <names>', 'only these permission sets (comma-separated)', commaList)
    .option('--from-activity', 'also analyse what the users did (CloudTrail, through IAM Access Analyzer policy generation)')
    .option('--users <names>', 'with --from-activity: only these IAM users (comma-separated)', commaList)
    .option('--trail-arn <arn>', 'with --from-activity: the CloudTrail trail to analyse (default: discovered)')
    .option('--access-role-arn <arn>', 'with --from-activity: the role Access Analyzer reads the trail with (default: discovered)')
    .option('--since <when>', 'with --from-activity: start of the window, a duration (90d, 24h) or a date; at most 90 days', '90d')
    .addOption(new Option('--use <basis>', 'the policy each set carries when activity is known (asked otherwise; default granted)').choices(['granted', 'used', 'proposed']))
    .option('--regenerate', 'replace policy files that were edited by hand, and restart finished activity jobs')
    .addHelpText('after', ['', 'Examples:', '  iam2idc generate-policies                              a validated policy per permission set, from the IAM groups and users', '  iam2idc generate-policies --from-activity --since 30d  narrowed to what CloudTrail saw the users do', '  iam2idc generate-policies --permission-sets Developers --regenerate'].join('\n'))
    .action(async (_options: unknown, command: Command) => run(command, (ctx) => generatePoliciesHandler(ctx, command.opts<GeneratePoliciesFlags>())));
}

export async function generatePoliciesHandler(ctx: CommandContext, flags: GeneratePoliciesFlags): Promise<void> {
  // Everything that can be wrong locally is checked before the first AWS call.
  const snapshot = await readAuditSnapshot(ctx.workspace);
  const { mapping, document } = await readMapping(ctx);
  const since = flags.fromActivity ? parseSince(flags.since, ctx.now()) : undefined;
  if (flags.fromActivity) checkActivitySourceArns({ trailArn: flags.trailArn, accessRoleArn: flags.accessRoleArn });
  const prepared = await preparePolicyGeneration(ctx.workspace, { snapshot, mapping, mappingDocument: document }, flags.permissionSets, flags.users);

  const { caller } = await bindCaller(ctx);
  // --dry-run reaches the service as data: start no Access Analyzer job, write no file. A real run
  // with --from-activity holds the workspace: the jobs go through the journal, and their results are
  // sealed in it. Without it nothing is journaled, so nothing is held.
  const dryRun = ctx.options.dryRun;
  const hold = flags.fromActivity ? withCommandRun : <T>(_ctx: CommandContext, _command: string, body: (run: null) => Promise<T>) => body(null);
  await hold(ctx, GENERATE_POLICIES, async (run) => {
    const activityRun = flags.fromActivity
      ? { accountId: caller.accountId, engine: await planRunOptions(ctx, {}, run, { command: GENERATE_POLICIES, kinds: generationKinds() }), sealer: run, trust: await workspaceFileTrust(ctx, run) }
      : null;
    const result = await generatePolicies({
      prepared,
      workspace: ctx.workspace,
      aws: { iam: ctx.aws.iam, accessAnalyzer: ctx.aws.accessAnalyzer, cloudTrail: ctx.aws.cloudTrail },
      io: ctx.io,
      now: ctx.now,
      activity: activityRun ? { users: flags.users, trailArn: flags.trailArn, accessRoleArn: flags.accessRoleArn, since, regenerate: Boolean(flags.regenerate), run: activityRun } : null,
      basis: flags.use,
      regenerate: Boolean(flags.regenerate),
      write: !dryRun,
    });
    ctx.io.result({ data: result, renderText: (format) => renderPoliciesSummary(result, format) });
  });
}
