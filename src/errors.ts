import { ExitCode } from './exit-codes.js';

/**
 * Every error the tool raises on purpose. Each carries a stable code, a resolution the operator
 * can act on, and the exit code the top level turns it into.
 */
export abstract class Iam2idcError extends Error {
  abstract readonly exitCode: ExitCode;

  constructor(
    readonly code: string,
    message: string,
    readonly resolution: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags or an invalid input file. No AWS call has been made. */
export class UserError extends Iam2idcError {
  readonly exitCode = ExitCode.UsageError;
}

/** A safety guard refused to go on (wrong account, no confirmation, protected user, stale plan). */
export class SafetyRefusal extends Iam2idcError {
  readonly exitCode = ExitCode.SafetyRefusal;
}

/** Credentials are missing, expired or unusable, or the AWS configuration is wrong. */
export class AwsAuthError extends Iam2idcError {
  readonly exitCode = ExitCode.AwsConfig;
}

/** Something failed that the operator did not cause directly (an AWS fault, a denied call). */
export class Fault extends Iam2idcError {
  readonly exitCode = ExitCode.PartialFailure;
}

/** The operator interrupted the run (Ctrl-C, or EOF at a prompt that needed an answer). */
export class Interrupted extends Iam2idcError {
  readonly exitCode = ExitCode.Interrupted;
}

/**
 * A refusal that every later action of the run would meet too (a daily quota used up, a permission
 * the caller lacks): the action fails, nothing new starts, and the journal records a stopped run that
 * the same command resumes. Raised by a handler before or instead of a change, so it proves nothing
 * was changed.
 */
export class RunStop extends Iam2idcError {
  readonly exitCode = ExitCode.PartialFailure;
}
