import { AwsAuthError, Fault, Iam2idcError } from '../errors.js';
import type { ResolvedAwsConfig } from './resolve-aws-config.js';
import { isAccessDenied, isCredentialError } from '../call-errors.js';

/**
 * True when the answer did not come from the AWS service at all: a 404, or a body the SDK could not
 * parse (an endpoint override such as a local emulator, or a proxy). Retrying will not help.
 */
export function isForeignResponse(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 || error.name === 'SyntaxError';
}

/** SDK service exceptions carry `$metadata` (request ID, HTTP status); programming errors do not. */
function isAwsServiceError(error: unknown): boolean {
  return error instanceof Error && '$metadata' in error;
}

/** The one place that turns a raw SDK error into a typed error with a fix-it text. Matches on `name` only. */
export function mapAwsError(error: unknown, config: ResolvedAwsConfig, action?: string): Iam2idcError {
  if (error instanceof Iam2idcError) return error;
  const name = error instanceof Error ? error.name : 'UnknownError';
  const detail = error instanceof Error ? error.message : String(error);
  if (isCredentialError(error)) {
    return new AwsAuthError('AWS_CREDENTIALS', `AWS credentials are missing, expired or invalid (${name}).`, credentialResolution(config), {
      cause: error,
    });
  }
  if (isAccessDenied(error)) {
    const what = action ? `the IAM permission ${action}` : 'a permission this step needs';
    return new Fault('AWS_ACCESS_DENIED', `AWS denied the call: ${detail}`, `Grant the caller ${what}, or run as a principal that has it.`, {
      cause: error,
    });
  }
  if (!isAwsServiceError(error)) {
    return new Fault('INTERNAL_ERROR', `Unexpected error: ${detail}`, 'This is a bug in iam2idc. Re-run with --debug and report the output (it contains no secrets).', {
      cause: error,
    });
  }
  return new Fault('AWS_ERROR', `AWS call failed (${name}): ${detail}`, 'Re-run with --debug to see the request log. If it persists, check the AWS Health Dashboard.', {
    cause: error,
  });
}

function credentialResolution(config: ResolvedAwsConfig): string {
  const profileFlag = config.profile ? ` --profile ${config.profile}` : '';
  if (config.ssoProfile) return `Sign in again: aws sso login${profileFlag}`;
  return [
    `Configure credentials for this shell: aws configure${profileFlag}, or aws sso login${profileFlag} for an Identity Center profile,`,
    'or export AWS_PROFILE / AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Check with: aws sts get-caller-identity' + profileFlag,
  ].join(' ');
}
