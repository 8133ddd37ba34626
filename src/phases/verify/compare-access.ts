/**
 * One person's access before and after: the IAM user (one evaluation over all of its policies) against
 * each of their permission sets (each evaluated alone, as each is a separate role). After the move, a
 * person can do what any one of their sets allows.
 *
 * - gained: a set allows what IAM did not (denied, not allowed, or only under a condition). Certain
 *   when the set allows it outright; possible when the set allows it under a condition IAM never granted.
 * - lost: IAM allowed it and no set does. Certain when no set even may; possible when a set allows it
 *   only under a condition.
 * Where both sides depend on a condition the evaluator cannot decide, nothing is claimed: it is counted
 * as undecided.
 */
import { evaluateAccess, type AccessVerdict, type PrincipalPolicies, type StatementRef } from '../../model/effective-access.js';
import type { RequestContext } from '../../model/evaluate-condition.js';
import type { SampleRequest } from './sample-requests.js';

export interface AccessDifference {
  action: string;
  resource: string;
  certain: boolean;
  /** gained: the set that allows it; lost: null. */
  permissionSet: string | null;
  iam: AccessVerdict;
  /** gained: that set's verdict; lost: the verdict of the set that came closest (or null with no set). */
  after: AccessVerdict | null;
}

export interface AccessComparison {
  gained: AccessDifference[];
  lost: AccessDifference[];
  compared: number;
  undecided: number;
}

export interface ComparedSet {
  name: string;
  policies: PrincipalPolicies;
}

export interface ComparisonContexts {
  /** What is known of an IAM user's requests: `aws:username` and the like. */
  iam: RequestContext;
  /** What is known of a role session's requests: no `aws:username`. */
  session: RequestContext;
}

export function compareAccess(iam: PrincipalPolicies, sets: readonly ComparedSet[], requests: readonly SampleRequest[], contexts: ComparisonContexts): AccessComparison {
  const result: AccessComparison = { gained: [], lost: [], compared: 0, undecided: 0 };
  for (const request of requests) {
    result.compared += 1;
    const before = evaluateAccess(iam, { ...request, context: contexts.iam });
    const after = sets.map((set) => ({ set: set.name, verdict: evaluateAccess(set.policies, { ...request, context: contexts.session }) }));
    const allowing = after.find((a) => a.verdict.decision === 'allowed');
    const maybe = after.find((a) => a.verdict.decision === 'conditional');
    const difference = (certain: boolean, chosen: { set: string; verdict: AccessVerdict } | undefined, gained: boolean): AccessDifference => ({
      ...request,
      certain,
      permissionSet: gained ? (chosen?.set ?? null) : null,
      iam: before,
      after: chosen?.verdict ?? null,
    });

    if (before.decision === 'allowed') {
      if (allowing) continue;
      result.lost.push(difference(maybe === undefined, maybe, false));
    } else if (before.decision === 'conditional') {
      if (allowing) result.gained.push(difference(true, allowing, true));
      else if (maybe) result.undecided += 1;
      else result.lost.push(difference(false, undefined, false));
    } else if (allowing) {
      result.gained.push(difference(true, allowing, true));
    } else if (maybe) {
      result.gained.push(difference(false, maybe, true));
    }
  }
  return result;
}

/** The statements that make a difference, named for a person to find: `group Devs inline s3 #0 (ReadAll)`. */
export function describeStatement(ref: StatementRef): string {
  return `${ref.source} statement ${ref.index}${ref.sid ? ` (${ref.sid})` : ''}`;
}
