import { hostname } from 'node:os';
import { CommanderError, type Command } from 'commander';
import { createProgram } from './cli.js';
import { createCommandContext, createRunIo, type CommandHandler, type Runtime } from './command-context.js';
import { mapAwsError } from './aws/map-aws-error.js';
import { resolveAwsConfig } from './aws/resolve-aws-config.js';
import { Iam2idcError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { readGlobalOptions } from './global-options.js';
import type { IoHost } from './io/io-host.js';
import { JsonIoHost } from './io/hosts/json-io-host.js';
import { InterruptController } from './plan/interrupt-controller.js';

/** The runtime of a real process. */
export function processRuntime(): Runtime {
  // The SDK warns about Node 20 on every client; the engines field already states what is supported.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `iam2idc status -o json | head`: the reader left, which is no error of ours. Work already done
  // (a journal, a workspace file) is complete on disk, since every write is atomic.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const interrupts = new InterruptController();
  process.on('SIGINT', () => {
    // While a plan is applied, the executor handles Ctrl-C in two steps; elsewhere nothing is half
    // done (workspace writes are atomic), so the run ends as soon as its lock is released.
    if (interrupts.interrupt() !== 'unarmed') return;
    process.stderr.write('\nInterrupted.\n');
    // A run holding the workspace gives its lock back first, or the next run would find it locked.
    void interrupts.runExitCleanups().finally(() => process.exit(ExitCode.Interrupted));
  });
  return {
    interrupts,
    process: { pid: process.pid, hostname: hostname(), isProcessAlive },
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/**
 * Runs the CLI and returns the exit code. Nothing below this function sets an exit code or exits:
 * errors travel up as typed errors and are turned into codes here.
 */
export async function main(argv: string[], runtime: Runtime = processRuntime()): Promise<number> {
  let io: IoHost | undefined;
  let exitCode: number = ExitCode.Ok;
  const run = async (command: Command, handler: CommandHandler) => {
    const options = readGlobalOptions(command);
    io = createRunIo(options, runtime);
    const ctx = await createCommandContext(options, io, runtime);
    try {
      exitCode = (await handler(ctx)) ?? ExitCode.Ok;
    } catch (error) {
      throw mapAwsError(error, ctx.aws.config);
    } finally {
      ctx.aws.destroy();
    }
  };
  const program = createProgram(run, runtime);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? ExitCode.Ok : ExitCode.UsageError;
    }
    const typed = error instanceof Iam2idcError ? error : mapAwsError(error, await resolveAwsConfig({ env: runtime.env }));
    reportError(typed, io, runtime);
    return typed.exitCode;
  }
}

function reportError(error: Iam2idcError, io: IoHost | undefined, runtime: Runtime): void {
  if (io instanceof JsonIoHost && !io.hasWrittenDocument) {
    io.writeDocument({ error: { code: error.code, message: error.message, resolution: error.resolution } });
  }
  const detail = `${error.message}\n  → ${error.resolution}`;
  if (io) io.notify({ level: 'error', code: error.code, message: detail });
  else runtime.stderr.write(`✖ ${detail}\n`);
  if (error.cause instanceof Error && io) {
    io.notify({ level: 'debug', code: 'ERROR_CAUSE', message: error.cause.stack ?? String(error.cause) });
  }
}

/** Whether a process of this host is still running (signal 0 checks without touching it). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
