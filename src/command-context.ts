import path from 'node:path';
import type { Command } from 'commander';
import { AwsContext } from './aws/aws-context.js';
import { getCallerIdentity } from './aws/caller-identity.js';
import { mapAwsError } from './aws/map-aws-error.js';
import { resolveAwsConfig } from './aws/resolve-aws-config.js';
import type { GlobalOptions } from './global-options.js';
import { say, type IoHost } from './io/io-host.js';
import { createIoHost, whyNoPrompt, type ProcessStreams } from './io/hosts/create-io-host.js';
import type { ProcessInfo } from './plan/execute-plan.js';
import type { InterruptController } from './plan/interrupt-controller.js';
import type { CallerIdentity } from './model/inventory.js';
import { Workspace } from './workspace/workspace.js';
import type { WorkspaceState } from './workspace/workspace-state.js';

/** What a command needs from the process it runs in; tests pass their own. */
export interface Runtime extends ProcessStreams {
  cwd: string;
  now: () => Date;
  interrupts: InterruptController;
  process: ProcessInfo;
}

/** Everything a command works with, built once per run from the global options. */
export interface CommandContext {
  options: GlobalOptions;
  io: IoHost;
  aws: AwsContext;
  workspace: Workspace;
  now: () => Date;
  interrupts: InterruptController;
  process: ProcessInfo;
  /** Why no question can be asked in this run (no terminal, --no-input, CI), or null when one can. */
  noPromptReason: string | null;
  env: Readonly<Record<string, string | undefined>>;
}

/** Builds the IoHost for the run; it exists before anything else so that every error can be shown. */
export function createRunIo(options: GlobalOptions, runtime: Runtime): IoHost {
  return createIoHost(
    {
      output: options.output,
      color: options.color,
      input: options.input,
      verbose: options.verbose,
      debug: options.debug,
      yes: options.yes,
      confirmAccount: options.confirmAccount,
    },
    runtime,
  );
}

/** Resolves the AWS configuration and builds the one AwsContext of the run. */
export async function createCommandContext(options: GlobalOptions, io: IoHost, runtime: Runtime): Promise<CommandContext> {
  const config = await resolveAwsConfig({ profile: options.profile, region: options.region, env: runtime.env });
  say.verbose(io, 'AWS_CONFIG', `profile ${config.profile ?? '(default chain)'}, region ${config.region} (from ${config.regionSource})`);
  const debug = options.debug ? (line: string) => io.notify({ level: 'debug', code: 'AWS_REQUEST', message: line }) : undefined;
  const aws = new AwsContext({ config, debug });
  const workspace = Workspace.at(path.resolve(runtime.cwd, options.workspace));
  const noPromptReason = whyNoPrompt({ input: options.input }, runtime);
  return { options, io, aws, workspace, now: runtime.now, interrupts: runtime.interrupts, process: runtime.process, noPromptReason, env: runtime.env };
}

/**
 * Asks AWS who is calling and binds the workspace to that account, or refuses a workspace that
 * belongs to another one. Every command does this before anything else.
 */
export async function bindCaller(ctx: CommandContext): Promise<{ caller: CallerIdentity; state: WorkspaceState }> {
  let caller: CallerIdentity;
  try {
    caller = await getCallerIdentity(ctx.aws.sts);
  } catch (error) {
    throw mapAwsError(error, ctx.aws.config, 'sts:GetCallerIdentity');
  }
  const state = await ctx.workspace.bindToAccount(caller, ctx.now());
  say.verbose(ctx.io, 'CALLER', `account ${caller.accountId} as ${caller.arn}; workspace ${ctx.workspace.dir}`);
  return { caller, state };
}

/** A command's body; it returns an exit code only when the run finished with failures. */
export type CommandHandler = (ctx: CommandContext) => Promise<number | void>;

/** Runs a handler with the context built from the command's options; provided by `main`. */
export type CommandRunner = (command: Command, handler: CommandHandler) => Promise<void>;
