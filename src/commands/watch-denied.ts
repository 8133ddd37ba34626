import ms from 'ms';
import { Option, type Command } from 'commander';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { parseSince } from '../cli-args/parse-since.js';
import { UserError } from '../errors.js';
import { say } from '../io/io-host.js';
import { exitCodeOf } from '../plan/execute-plan.js';
import { withPlanRun } from '../plan/plan-run.js';
import { renderDenialLine, renderWatchDeniedSummary } from '../phases/watch-denied/denied-summary.js';
import { parseLogGroupFlag } from '../phases/watch-denied/find-trail-log-group.js';
import type { QueryEngine } from '../phases/watch-denied/read-trail-events.js';
import { checkWatchPreconditions, runWatchDenied, WATCH_DENIED } from '../phases/watch-denied/run-watch-denied.js';
import { permissionSetKinds } from '../phases/create-permission-sets/permission-set-handlers.js';
import { CREATE_PERMISSION_SETS } from '../phases/create-permission-sets/create-permission-sets-phase.js';
import { MAPPING_FILE } from '../workspace/mapping-file.js';
import { planRunOptions } from './plan-options.js';
import { readMappingIfAny } from './mapping-input.js';

export interface WatchDeniedFlags {
  logGroup?: string;
  since: string;
  until?: string;
  follow?: boolean;
  interval: string;
  queryEngine: QueryEngine | 'auto';
  suggest?: boolean;
  applySuggestions?: boolean;
}

const MIN_INTERVAL_MS = 5_000;

/** `iam2idc watch-denied`: what the permission sets deny during the parallel run, and who still uses IAM users. */
export function registerWatchDeniedCommand(program: Command, run: CommandRunner): void {
  program
    .command(WATCH_DENIED)
    .description('read CloudTrail (in CloudWatch Logs) for calls the permission sets deny, and IAM users still in use')
    .option('--log-group <name|arn>', 'the CloudWatch Logs log group CloudTrail delivers to (default: found with DescribeTrails)')
    .option('--since <when>', 'start of the window: a duration back from now (24h, 7d) or a date', '24h')
    .option('--until <when>', 'end of the window: a duration back from now or a date (default: now)')
    .option('--follow', 'keep watching: print new denials as they come, until Ctrl-C')
    .option('--interval <duration>', 'with --follow: time between polls', '30s')
    .addOption(new Option('--query-engine <engine>', 'FilterLogEvents, Logs Insights, or auto (Insights is offered for windows over about a million events)').choices(['auto', 'filter', 'insights']).default('auto'))
    .option('--suggest', 'write a policy patch per permission set with the actions it is missing (policies/patches/)')
    .option('--apply-suggestions', 'merge the patches into policies/ and update the permission sets (preview, confirm, provision)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  iam2idc watch-denied                          the last 24 hours, from the trail that delivers to CloudWatch Logs',
        '  iam2idc watch-denied --since 7d --suggest     a week, and a policy patch per permission set',
        '  iam2idc watch-denied --follow --interval 1m   watch live until Ctrl-C',
        '  iam2idc watch-denied --apply-suggestions --dry-run   show the permission-set plan the patches make',
      ].join('\n'),
    )
    .action(async (_options: unknown, command: Command) => run(command, (ctx) => watchDeniedHandler(ctx, command.opts<WatchDeniedFlags>())));
}

export async function watchDeniedHandler(ctx: CommandContext, flags: WatchDeniedFlags): Promise<number> {
  // Flags and workspace files are checked before the first AWS call.
  const now = ctx.now();
  const since = parseSince(flags.since, now);
  const until = flags.until === undefined ? null : parseSince(flags.until, now, '--until');
  if (flags.follow && until !== null) throw new UserError('FOLLOW_WITH_UNTIL', '--follow watches up to now and on: it cannot take --until.', 'Drop --until, or drop --follow to read a closed window.');
  if (since.getTime() >= (until ?? now).getTime()) {
    throw new UserError('EMPTY_WINDOW', `The window is empty: --since ${flags.since} is not before ${flags.until === undefined ? 'now' : `--until ${flags.until}`}.`, 'Give a --since earlier than --until (for example --since 7d --until 1d).');
  }
  const intervalMs = parseInterval(flags.interval);
  const logGroup = flags.logGroup === undefined ? null : parseLogGroupFlag(flags.logGroup, ctx.aws.region);
  const apply = Boolean(flags.applySuggestions);
  // Only applying the patches changes AWS: a watch, which can last hours with --follow, holds nothing.
  const holds = apply && !ctx.options.dryRun;
  return withPlanRun({ workspace: ctx.workspace, command: WATCH_DENIED, now: ctx.now, process: ctx.process, interrupts: ctx.interrupts, dryRun: !holds }, async (run) => {
    const loaded = await readMappingIfAny(ctx);
    const suggest = Boolean(flags.suggest);
    checkWatchPreconditions({ mapping: loaded, suggest, applySuggestions: apply, state: await ctx.workspace.readState() });

    const { caller, state } = await bindCaller(ctx);
    if (loaded === null) say.warn(ctx.io, 'NO_MAPPING', `No ${MAPPING_FILE} in the workspace: denials are attributed, but IAM users are not matched to the plan. Run \`iam2idc audit\` first.`);
    const result = await runWatchDenied({
      aws: { logs: (region) => ctx.aws.logs(region), cloudTrail: ctx.aws.cloudTrail },
      clients: () => ({ accessAnalyzer: ctx.aws.accessAnalyzer, ssoAdmin: (region) => ctx.aws.ssoAdmin(region) }),
      io: ctx.io,
      accountId: caller.accountId,
      region: ctx.aws.region,
      logGroup,
      since,
      until,
      engine: flags.queryEngine,
      follow: flags.follow ? { intervalMs } : null,
      now: ctx.now,
      interrupts: ctx.interrupts,
      onDenial: flags.follow ? (line) => ctx.io.stream({ data: line, renderText: (f) => renderDenialLine(line, f) }) : undefined,
      plan: await planRunOptions(ctx, {}, run, { command: CREATE_PERMISSION_SETS, kinds: permissionSetKinds() }),
      state,
      mapping: loaded,
      suggest,
      applySuggestions: apply,
      // --dry-run reaches the services as data: no Logs Insights query started, no file written.
      startQueries: !ctx.options.dryRun,
      write: !ctx.options.dryRun,
    });
    ctx.io.result({ data: result, renderText: (f) => renderWatchDeniedSummary(result, f) });
    return result.applied?.run.permissionSets ? exitCodeOf(result.applied.run.permissionSets.execution) : 0;
  });
}

function parseInterval(value: string): number {
  const parsed = /^\d+(\.\d+)?\s*[a-z]+$/i.test(value.trim()) ? ms(value.trim() as ms.StringValue) : undefined;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < MIN_INTERVAL_MS) {
    throw new UserError('INVALID_INTERVAL', `--interval ${value} is not a duration of at least 5 seconds.`, 'Give a duration such as 30s, 1m or 5m.');
  }
  return parsed;
}
