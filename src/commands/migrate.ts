import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { mapAwsError } from '../aws/map-aws-error.js';
import { bindCaller, type CommandContext, type CommandRunner } from '../command-context.js';
import { Iam2idcError, SafetyRefusal, UserError } from '../errors.js';
import { runGuidedSession, type SessionEffects } from '../session/guided-session.js';
import { findUnfinishedRuns } from '../plan/unfinished-runs.js';
import type { PhaseId } from '../phases/status/phase-checklist.js';
import { readStatus } from '../phases/status/read-status.js';
import { AUDIT_FILE, readAuditSnapshot } from '../workspace/audit-file.js';
import { MAPPING_FILE } from '../workspace/mapping-file.js';
import { assignHandler } from './assign.js';
import { readMappingForStatus } from './mapping-input.js';
import { auditHandler } from './audit.js';
import { cleanupHandler } from './cleanup.js';
import { createPermissionSetsHandler } from './create-permission-sets.js';
import { disableHandler } from './disable.js';
import { generatePoliciesHandler } from './generate-policies.js';
import { watchDeniedHandler } from './watch-denied.js';

/** Each step of the session is the phase command itself, with the flags a person would start with. */
const PHASE_COMMANDS: Record<PhaseId, (ctx: CommandContext) => Promise<number | void>> = {
  audit: (ctx) => auditHandler(ctx),
  'generate-policies': (ctx) => generatePoliciesHandler(ctx, { since: '90d' }),
  'create-permission-sets': (ctx) => createPermissionSetsHandler(ctx, {}),
  assign: (ctx) => assignHandler(ctx, { identitySource: 'auto' }),
  'watch-denied': (ctx) => watchDeniedHandler(ctx, { since: '24h', interval: '30s', queryEngine: 'auto', suggest: true }),
  disable: (ctx) => disableHandler(ctx, { forceUser: [] }),
  cleanup: (ctx) => cleanupHandler(ctx, { minDisabledDays: '7' }),
};

const SCRIPTED_JOURNEY = [
  'iam2idc audit',
  'iam2idc generate-policies',
  'iam2idc create-permission-sets --yes',
  'iam2idc assign --yes',
  'iam2idc watch-denied',
  'iam2idc disable --yes --confirm-account <account-id>',
  'iam2idc cleanup --yes --confirm-account <account-id>',
  'iam2idc status --check migrated',
];

/** `iam2idc` (no command) and `iam2idc migrate`: the guided session. */
export function registerMigrateCommand(program: Command, run: CommandRunner): void {
  program
    .command('migrate')
    .description('the guided session: where the migration stands, and the next step (a terminal only; the default command)')
    .addHelpText('after', ['', 'In scripts, run the phase commands instead:', ...SCRIPTED_JOURNEY.map((c) => `  ${c}`)].join('\n'))
    .action(async (_options: unknown, command: Command) => run(command, migrateHandler));
  // With no command the session starts; a word that is no command is a usage error, not arguments.
  program.allowExcessArguments(true).action(async (_options: unknown, command: Command) => {
    const [unknown] = command.args;
    if (unknown !== undefined) {
      const known = command.commands.map((c) => c.name());
      throw new UserError('UNKNOWN_COMMAND', `There is no command "${unknown}".`, `Commands: ${known.join(', ')}. See iam2idc --help.`);
    }
    return run(command, migrateHandler);
  });
}

export async function migrateHandler(ctx: CommandContext): Promise<number> {
  if (ctx.options.output === 'json') {
    throw new UserError('SESSION_NOT_JSON', 'The guided session is for a person at a terminal; -o json is for the phase commands.', `Run the phase commands with -o json: ${SCRIPTED_JOURNEY.join('; ')}.`);
  }
  // Refused at once, before any AWS call: a session nobody can answer would only wait.
  if (ctx.noPromptReason !== null) {
    throw new SafetyRefusal('SESSION_NEEDS_TERMINAL', `The guided session needs a terminal, and ${ctx.noPromptReason}.`, `In scripts and CI, run the phase commands: ${SCRIPTED_JOURNEY.join('; ')}.`);
  }
  const { caller, state: bound } = await bindCaller(ctx);
  const effects: SessionEffects = {
    readStatus: async () => {
      // The account was checked once at the start; each menu only re-reads the workspace the last step wrote.
      const state = (await ctx.workspace.readState()) ?? bound;
      const { mapping, problem } = await readMappingForStatus(ctx, { showWarnings: false });
      const snapshot = existsSync(ctx.workspace.resolve(AUDIT_FILE)) ? await readAuditSnapshot(ctx.workspace) : null;
      return readStatus({ iam: ctx.aws.iam, workspace: ctx.workspace, state, mapping, mappingProblem: problem, snapshot, io: ctx.io, now: ctx.now });
    },
    runPhase: async (phase) => {
      try {
        return (await PHASE_COMMANDS[phase](ctx)) ?? 0;
      } catch (error) {
        throw error instanceof Iam2idcError ? error : mapAwsError(error, ctx.aws.config);
      }
    },
    listReports: () => listReports(ctx),
    readReport: async (file) => (await ctx.workspace.readText(file)) ?? '',
    editMapping: () => editMapping(ctx),
  };
  return runGuidedSession(ctx.io, effects, {
    accountId: caller.accountId,
    callerArn: caller.arn,
    workspace: ctx.workspace.dir,
    unfinished: await findUnfinishedRuns(ctx.workspace),
  });
}

async function listReports(ctx: CommandContext): Promise<string[]> {
  try {
    const names = await readdir(ctx.workspace.resolve('reports'));
    return names.filter((n) => n.endsWith('.md')).sort().map((n) => `reports/${n}`);
  } catch {
    return [];
  }
}

/** $VISUAL or $EDITOR (vi otherwise) on mapping.yaml, then the same validation every command does. */
async function editMapping(ctx: CommandContext): Promise<string | null> {
  const file = ctx.workspace.resolve(MAPPING_FILE);
  if (!existsSync(file)) return `${MAPPING_FILE} does not exist yet: run the audit first.`;
  const editor = ctx.env.VISUAL || ctx.env.EDITOR || 'vi';
  // Through the shell: editors are often configured with arguments (`code --wait`).
  const result = spawnSync(`${editor} ${JSON.stringify(file)}`, { shell: true, stdio: 'inherit' });
  if (result.status !== 0) return `the editor (${editor}) exited with ${result.status ?? result.signal ?? 'an error'}: set EDITOR to the one you use.`;
  return (await readMappingForStatus(ctx, { showWarnings: false })).problem;
}
