import { Iam2idcError } from '../errors.js';

/**
 * Whether a failed mutating call may still have changed something in AWS. Only an error that AWS
 * itself answered, on the first and only attempt, with a client-side status (4xx: denied, throttled,
 * invalid, conflict) proves the call was refused, and so does the tool's own refusal before calling
 * (an `Iam2idcError`). Anything else may have been applied: a lost response, a timeout or a reset
 * connection (no HTTP status at all), a server error (5xx), and any error after the SDK retried,
 * since an earlier attempt may have gone through while its answer was lost (the retry then sees
 * throttling, EntityAlreadyExists or NoSuchEntity). The SDK's retry middleware records the attempts
 * in `$metadata.attempts`, on errors too.
 */
export function mayHaveApplied(error: unknown): boolean {
  if (error instanceof Iam2idcError) return false;
  const metadata = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } } | null)?.$metadata;
  const status = metadata?.httpStatusCode;
  if (status === undefined) return true;
  if (status >= 500) return true;
  return (metadata?.attempts ?? 1) > 1;
}
