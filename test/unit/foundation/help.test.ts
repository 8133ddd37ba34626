import { describe, expect, it } from 'vitest';
import { createProgram } from '../../../src/cli.js';
import { captureStream } from './streams.js';

/** Every command, as the program registers it. */
function commands(): string[] {
  const program = createProgram(async () => undefined, { stdout: captureStream(), stderr: captureStream() });
  return program.commands.map((c) => c.name());
}

async function helpOf(command: string): Promise<string> {
  const stdout = captureStream();
  const program = createProgram(async () => undefined, { stdout, stderr: captureStream() });
  // --help ends the parse with commander's own "help displayed" exit, which exitOverride turns into a throw.
  await program.parseAsync(['node', 'iam2idc', command, '--help']).catch(() => undefined);
  return stdout.text();
}

describe('--help on every command', () => {
  it('Given the program, When its commands are listed, Then every phase of the journey and the tools around it are there', () => {
    expect(commands()).toEqual(
      expect.arrayContaining(['migrate', 'audit', 'generate-policies', 'create-permission-sets', 'assign', 'watch-denied', 'disable', 'enable', 'cleanup', 'restore', 'status', 'required-permissions', 'unlock']),
    );
  });

  it.each(commands())('Given %s --help, When it is shown, Then it gives at least one example command line', async (command) => {
    const help = await helpOf(command);
    expect(help).toContain(`Usage: iam2idc ${command}`);
    // An example is a line that starts with the tool's name, indented under the options.
    expect(help.split('\n').some((line) => /^\s+iam2idc\s/.test(line))).toBe(true);
  });
});
