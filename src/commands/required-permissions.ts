import { Option, type Command } from 'commander';
import type { CommandRunner } from '../command-context.js';
import { PHASES, permissionsFor, permissionsPolicy, type Phase } from '../model/required-permissions.js';

interface RequiredPermissionsFlags {
  phase?: Phase[];
  requiredOnly?: boolean;
}

/** `iam2idc required-permissions`: the IAM policy the tool itself needs, per phase. No AWS call. */
export function registerRequiredPermissionsCommand(program: Command, run: CommandRunner): void {
  program
    .command('required-permissions')
    .description('print the least-privilege IAM policy iam2idc needs, for every phase or some (no AWS call)')
    .addOption(new Option('--phase <phase...>', 'only these phases').choices([...PHASES]))
    .option('--required-only', 'leave out the optional actions (the phase then reports what it could not read)')
    .addHelpText('after', ['', 'Examples:', '  iam2idc required-permissions > iam2idc-policy.json', '  iam2idc required-permissions --phase audit status'].join('\n'))
    .action(async (_options: unknown, command: Command) =>
      run(command, async (ctx) => {
        const flags = command.opts<RequiredPermissionsFlags>();
        const phases = flags.phase ?? [...PHASES];
        const policy = permissionsPolicy(phases, !flags.requiredOnly);
        const { required, optional } = permissionsFor(phases);
        // The policy itself is the result, in both formats: it is meant to be piped into a file.
        ctx.io.result({ data: policy, renderText: () => JSON.stringify(policy, null, 2) });
        if (!flags.requiredOnly && optional.length > 0) ctx.io.notify({ level: 'info', code: 'OPTIONAL_ACTIONS', message: `${required.length} required and ${optional.length} optional action(s) for ${phases.join(', ')}; --required-only leaves the optional ones out.` });
      }),
    );
}
