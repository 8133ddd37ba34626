import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import type { AuditGap } from '../../model/inventory.js';

export type Optional<T> = { ok: true; value: T } | { ok: false; gap: AuditGap };

/**
 * Runs one optional read of the audit. A partial permission set for the tool must not crash it:
 * a denied (or failing) source becomes a gap that names the missing action. Credential errors
 * still propagate, since no other read would succeed either.
 */
export async function readOptional<T>(
  source: AuditGap['source'],
  missingAction: string,
  impact: string,
  read: () => Promise<T>,
): Promise<Optional<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (isCredentialError(error)) throw error;
    const errorName = error instanceof Error ? error.name : 'UnknownError';
    const why = isAccessDenied(error) ? `Grant ${missingAction}` : `The call failed (${errorName}); re-run later or with --debug`;
    return { ok: false, gap: { source, missingAction, impact: `${impact}. ${why}.`, errorName } };
  }
}
