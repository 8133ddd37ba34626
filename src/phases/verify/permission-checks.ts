import { computeVerification, type VerifyOptions } from './run-verify.js';

/** verify's verdict on one person, as the gate weighs it. */
export interface PermissionCheck {
  verdict: 'same' | 'escalation' | 'loss' | 'unverified';
  /** Actions a permission set allows that the IAM user could not do, not acknowledged in mapping.yaml. */
  escalations: string[];
  /** Policies that could not be read, when unverified. */
  unknown: string[];
}

/**
 * verify's verdict on each of these people, worked out afresh from the audit, the mapping and the
 * policy files as they are now (never from a verdict recorded earlier), keyed by lower-case IAM user name.
 * A person the audit does not know is missing from the result.
 */
export async function checkPermissionsOf(options: Omit<VerifyOptions, 'only'>, iamUsers: readonly string[]): Promise<Map<string, PermissionCheck>> {
  if (iamUsers.length === 0) return new Map();
  const outcome = await computeVerification({ ...options, only: iamUsers });
  return new Map(
    outcome.people.map((p) => [
      p.iamUser.toLowerCase(),
      { verdict: p.verdict, escalations: [...new Set(p.gained.filter((g) => g.acknowledged === null).map((g) => g.action))], unknown: p.unknownPolicies },
    ]),
  );
}
