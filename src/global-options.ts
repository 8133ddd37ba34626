import { InvalidArgumentError, Option, type Command } from 'commander';

/** The options every command accepts (SPEC.md, "Command-line contract"). */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  workspace: string;
  output: 'table' | 'json';
  dryRun: boolean;
  yes: boolean;
  confirmAccount?: string;
  input: boolean;
  color: boolean;
  verbose: boolean;
  debug: boolean;
}

export const DEFAULT_WORKSPACE = './iam2idc-workspace';

/** Declares the global options on the root program; subcommands read them with `optsWithGlobals()`. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE, then the SDK default chain)')
    .option('--region <region>', 'region for regional APIs (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile)')
    .addOption(
      new Option('-w, --workspace <dir>', 'the migration workspace').env('IAM2IDC_WORKSPACE').default(DEFAULT_WORKSPACE),
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--dry-run', 'build and show the plan, make no mutating call', false)
    .option('-y, --yes', 'answer yes to confirmations (destructive ones also need --confirm-account)', false)
    .addOption(
      new Option('--confirm-account <id>', 'with --yes, the account ID that destructive commands must match').argParser(
        parseAccountId,
      ),
    )
    .option('--no-input', 'never prompt; fail with exit 3 when an answer is needed')
    .option('--no-color', 'no colour (also NO_COLOR, or when not a terminal)')
    .option('--verbose', 'more detail on stderr', false)
    .option('--debug', 'SDK request log on stderr (secrets redacted)', false);
}

function parseAccountId(value: string): string {
  if (!/^\d{12}$/.test(value)) {
    // commander turns this into a usage error (exit 2).
    throw new InvalidArgumentError(`it must be a 12-digit account ID, got "${value}"`);
  }
  return value;
}

/** Reads the parsed global options of a subcommand into the typed shape. */
export function readGlobalOptions(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals<GlobalOptions>();
  return {
    profile: raw.profile,
    region: raw.region,
    workspace: raw.workspace,
    output: raw.output,
    dryRun: Boolean(raw.dryRun),
    yes: Boolean(raw.yes),
    confirmAccount: raw.confirmAccount,
    input: raw.input !== false,
    color: raw.color !== false,
    verbose: Boolean(raw.verbose),
    debug: Boolean(raw.debug),
  };
}
