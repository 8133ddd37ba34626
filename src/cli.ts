import { Command } from 'commander';
import type { CommandRunner } from './command-context.js';
import { registerAssignCommand } from './commands/assign.js';
import { registerCleanupCommand } from './commands/cleanup.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCreatePermissionSetsCommand } from './commands/create-permission-sets.js';
import { registerDisableCommand } from './commands/disable.js';
import { registerEnableCommand } from './commands/enable.js';
import { registerGeneratePoliciesCommand } from './commands/generate-policies.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerRestoreCommand } from './commands/restore.js';
import { registerRequiredPermissionsCommand } from './commands/required-permissions.js';
import { registerStatusCommand } from './commands/status.js';
import { registerUnlockCommand } from './commands/unlock.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerWatchDeniedCommand } from './commands/watch-denied.js';
import { addGlobalOptions } from './global-options.js';
import { TOOL_VERSION } from './version.js';

export interface ProgramStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Builds the command-line program; a factory, so every run and every test gets a fresh one. */
export function createProgram(run: CommandRunner, streams: ProgramStreams): Command {
  const program = new Command('iam2idc')
    .description('Move an AWS account off long-lived IAM users and onto IAM Identity Center, one reviewed step at a time.')
    .version(TOOL_VERSION, '--version')
    .showHelpAfterError('(run iam2idc --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    });
  addGlobalOptions(program);
  // The root runs the guided session; commander then drops `iam2idc help <command>` unless asked to keep it.
  program.helpCommand(true);
  registerMigrateCommand(program, run);
  registerAuditCommand(program, run);
  registerGeneratePoliciesCommand(program, run);
  registerCreatePermissionSetsCommand(program, run);
  registerAssignCommand(program, run);
  registerVerifyCommand(program, run);
  registerWatchDeniedCommand(program, run);
  registerDisableCommand(program, run);
  registerEnableCommand(program, run);
  registerCleanupCommand(program, run);
  registerRestoreCommand(program, run);
  registerStatusCommand(program, run);
  registerRequiredPermissionsCommand(program, run);
  registerUnlockCommand(program, run);
  // Subcommands inherit the error and output handling of the program.
  for (const command of program.commands) {
    command
      .exitOverride()
      .configureOutput(program.configureOutput())
      .configureHelp({ showGlobalOptions: true })
      .showHelpAfterError('(run iam2idc --help for usage)');
  }
  return program;
}
