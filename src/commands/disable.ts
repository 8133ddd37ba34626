import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandContext, CommandRunner } from '../command-context.js';
import { parseSince } from '../cli-args/parse-since.js';
import { parseUserList } from '../cli-args/user-list.js';
import { UserError } from '../errors.js';
import { say } from '../io/io-host.js';
import { renderDisableDecisions, renderDisableSummary } from '../phases/disable/retire-summary.js';
import type { DisableMode } from '../phases/disable/plan-disable.js';
import { retireKinds } from '../phases/disable/retire-handlers.js';
import { DISABLE, disablePhase } from '../phases/disable/disable-phase.js';
import { checkPermissionsOf } from '../phases/verify/permission-checks.js';
import { AUDIT_FILE, readAuditSnapshot } from '../workspace/audit-file.js';
import { MAPPING_FILE } from '../workspace/mapping-file.js';
import { addPlanOptions, type PlanFlags } from './plan-options.js';
import { runPhaseCommand } from './phase-command.js';
import { readMapping, readRetireAccount } from './mapping-input.js';

export interface DisableFlags extends PlanFlags {
  users?: string;
  forceUser: string[];
  cutover?: string;
  keysOnly?: boolean;
  denyOnly?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `iam2idc disable`: switch the old IAM access off, reversibly (a deny-all policy, keys set Inactive). */
export function registerDisableCommand(program: Command, run: CommandRunner): void {
  const command = program
    .command(DISABLE)
    .description('switch off the IAM users that moved to Identity Center: a deny-all policy and inactive keys (reversible with enable)')
    .option('--users <names>', 'only these IAM users (comma-separated); machine users are only touched when named here')
    .option('--force-user <name>', 'include a user that fails the evidence gate (asked again); repeatable', collect, [])
    .option('--cutover <when>', 'the old credentials must not have been used since: a date or a duration back (default: when assign verified access)')
    .option('--keys-only', 'only deactivate the access keys')
    .option('--deny-only', 'only add the deny-all policy')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  iam2idc disable --dry-run                                  the per-user table and the plan, nothing changed',
        '  iam2idc disable --cutover 2026-11-15                       every human user of the mapping that passes the gate',
        '  iam2idc disable --users ci-legacy --keys-only              a machine user, named explicitly, keys only',
        '  iam2idc disable --yes --confirm-account 123456789012       in a pipeline',
      ].join('\n'),
    );
  addPlanOptions(command).action(async (_options: unknown, cmd: Command) => run(cmd, (ctx) => disableHandler(ctx, cmd.opts<DisableFlags>())));
}

export async function disableHandler(ctx: CommandContext, flags: DisableFlags): Promise<number> {
  // Flags and workspace files are checked before the first AWS call.
  if (flags.keysOnly && flags.denyOnly) throw new UserError('CONFLICTING_FLAGS', '--keys-only and --deny-only exclude each other.', 'Give one of them, or neither to do both.');
  const mode: DisableMode = flags.keysOnly ? 'keys-only' : flags.denyOnly ? 'deny-only' : 'all';
  const users = flags.users === undefined ? null : parseUserList(flags.users, '--users');
  const forced = flags.forceUser.flatMap((value) => parseUserList(value, '--force-user'));
  const outside = users === null ? [] : forced.filter((f) => !users.some((u) => u.toLowerCase() === f.toLowerCase()));
  if (outside.length > 0) throw new UserError('FORCED_USER_NOT_TARGETED', `--force-user ${outside.join(', ')} is not among --users.`, 'Add it to --users, or drop --force-user.');
  // Known once the workspace is held (assign's verification time is read under the lock).
  let cutover = ctx.now();
  return runPhaseCommand(ctx, flags, {
    command: DISABLE,
    kinds: retireKinds(),
    phase: async () => {
      const { mapping } = await readMapping(ctx);
      const recorded = await ctx.workspace.readState();
      cutover = resolveCutover(flags.cutover, recorded?.phases.assignments?.lastRunAt ?? null, ctx.now());
      const account = await readRetireAccount(ctx, mapping);
      return disablePhase({
        ...account,
        io: ctx.io,
        users,
        forced,
        cutover,
        mode,
        checkPermissions: async (people) => {
          if (!existsSync(ctx.workspace.resolve(AUDIT_FILE))) return new Map();
          return checkPermissionsOf({ workspace: ctx.workspace, snapshot: await readAuditSnapshot(ctx.workspace), mapping, iam: ctx.aws.iam }, people);
        },
      });
    },
    renderDecisions: (decisions, f) => renderDisableDecisions(decisions, cutover, f),
    renderResult: renderDisableSummary,
    exitCode: (result, code) => {
      const escalated = result.decisions.filter((d) => d.exclusion?.code === 'ESCALATION').map((d) => d.userName);
      if (escalated.length === 0) return code;
      say.warn(ctx.io, 'ESCALATION_BLOCKS_DISABLE', `Left out, because their permission sets allow more than their IAM user could: ${escalated.join(', ')}. Fix the sets, or acknowledge the gain in ${MAPPING_FILE}; see iam2idc verify.`);
      // A refusal by a safety rule, as for any guard; an interruption keeps its own code.
      return code === 0 || code === 1 ? 3 : code;
    },
  });
}

/** `--cutover`, or the time assign last verified access: since then, people were meant to use Identity Center. */
function resolveCutover(flag: string | undefined, assignedAt: string | null, now: Date): Date {
  if (flag !== undefined) {
    const cutover = parseSince(flag, now, '--cutover');
    if (cutover.getTime() > now.getTime()) throw new UserError('CUTOVER_IN_FUTURE', `--cutover ${flag} is in the future.`, 'Give the date people switched to Identity Center, which has passed.');
    return cutover;
  }
  if (assignedAt !== null) return new Date(assignedAt);
  throw new UserError('NO_CUTOVER', 'There is no cut-over date: assign has not verified anyone\'s access yet, and --cutover was not given.', 'Run `iam2idc assign` first, or give --cutover <date> (the day people switched to Identity Center).');
}
