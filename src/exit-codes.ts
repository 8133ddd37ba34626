/** The process exit codes of the command-line contract (SPEC.md). Only bin/ sets them. */
export const ExitCode = {
  Ok: 0,
  PartialFailure: 1,
  UsageError: 2,
  SafetyRefusal: 3,
  AwsConfig: 4,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
