/**
 * What an error from an AWS call says about the caller, told by the error's name alone (never its
 * message): for every layer that must react to it, the plan executor included, without the AWS clients.
 */

/** SDK errors that mean the credentials are missing, expired or not valid for this account. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'AuthFailure',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
]);

const ACCESS_DENIED_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'NotAuthorized',
]);

/** True when the error is an authorization failure of one call (the caller lacks an IAM permission). */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && ACCESS_DENIED_ERRORS.has(error.name);
}

/** True when the error is AWS saying the caller's identity itself is unusable. */
export function isCredentialError(error: unknown): boolean {
  return error instanceof Error && CREDENTIAL_ERRORS.has(error.name);
}
