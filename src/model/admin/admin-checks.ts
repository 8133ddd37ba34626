/**
 * One question admin detection asks the evaluator: may this principal do all of these things? Each
 * need is one action on any of a few resources; the answer is true, false or unknown (a condition the
 * audit cannot know), with the statements responsible, and the Denies that turn a yes into a no.
 */
import { evaluateAccess, type AccessVerdict, type PrincipalPolicies, type StatementRef } from '../effective-access.js';
import { allOf, type RequestContext, type Truth } from '../evaluate-condition.js';
import { withoutDenies } from './admin-policies.js';
import { statementsOf } from '../policy-statements.js';

/** One action the principal must be allowed, on any one of `resources`. */
export interface Need {
  action: string;
  resources: readonly string[];
  context: RequestContext;
}

export interface CheckResult {
  truth: Truth;
  /** Per need, the verdict that counts (the best over its resources); cut short at the first need nothing allows. */
  verdicts: AccessVerdict[];
  /** The statements behind the needs that hold or may hold. */
  because: StatementRef[];
  /** The Deny statements that make the answer no, when without any Deny it would be yes (or unknown). */
  deniedBy: StatementRef[];
  /** The condition keys, not known of the request, that leave the answer unknown. */
  unknownKeys: string[];
}

/** The answer no, with nobody to blame. */
export function noAnswer(): CheckResult {
  return { truth: 'false', verdicts: [], because: [], deniedBy: [], unknownKeys: [] };
}

/** Whether `policies` allow every need. */
export function checkNeeds(policies: PrincipalPolicies, needs: readonly Need[]): CheckResult {
  const verdicts: AccessVerdict[] = [];
  const denied: Need[] = [];
  for (const need of needs) {
    const verdict = bestVerdict(policies, need);
    // Nothing allows it: no Deny is to blame, and the rest cannot change the answer.
    if (verdict.decision === 'not-allowed') return noAnswer();
    if (verdict.decision === 'denied') denied.push(need);
    verdicts.push(verdict);
  }
  if (denied.length > 0) {
    const lifted = withoutDenies(policies);
    const otherwise = allOf(denied.map((need) => truthOf(bestVerdict(lifted, need))));
    const deniedBy = otherwise === 'false' ? [] : verdicts.filter((v) => v.decision === 'denied').flatMap((v) => v.because);
    return { truth: 'false', verdicts, because: [], deniedBy, unknownKeys: [] };
  }
  const unknownKeys = new Set<string>();
  verdicts.forEach((verdict, i) => {
    if (verdict.decision === 'conditional') for (const key of unknownConditionKeys(policies, verdict.because, needs[i]?.context ?? {})) unknownKeys.add(key);
  });
  return { truth: allOf(verdicts.map(truthOf)), verdicts, because: verdicts.flatMap((v) => v.because), deniedBy: [], unknownKeys: [...unknownKeys] };
}

/** Both answers at once: true when both hold. */
export function checkBoth(a: CheckResult, b: CheckResult): CheckResult {
  const truth = allOf([a.truth, b.truth]);
  const failed = [a, b].filter((c) => c.truth === 'false');
  // A Deny is to blame only when every part that fails was cancelled by one.
  const deniedBy = failed.length > 0 && failed.every((c) => c.deniedBy.length > 0) ? failed.flatMap((c) => c.deniedBy) : [];
  if (truth === 'false') return { truth, verdicts: [], because: [], deniedBy, unknownKeys: [] };
  return { truth, verdicts: [...a.verdicts, ...b.verdicts], because: [...a.because, ...b.because], deniedBy: [], unknownKeys: [...new Set([...a.unknownKeys, ...b.unknownKeys])] };
}

/** `allowed` is true, `conditional` unknown, anything else false. */
export function truthOf(verdict: AccessVerdict): Truth {
  return verdict.decision === 'allowed' ? 'true' : verdict.decision === 'conditional' ? 'unknown' : 'false';
}

// Over a need's resources: allowed beats conditional beats denied beats not-allowed.
function bestVerdict(policies: PrincipalPolicies, need: Need): AccessVerdict {
  let best: AccessVerdict | null = null;
  for (const resource of need.resources) {
    const verdict = evaluateAccess(policies, { action: need.action, resource, context: need.context });
    if (verdict.decision === 'allowed') return verdict;
    if (best === null || RANK[verdict.decision] > RANK[best.decision]) best = verdict;
  }
  return best ?? { decision: 'not-allowed', because: [] };
}

function unknownConditionKeys(policies: PrincipalPolicies, refs: readonly StatementRef[], context: RequestContext): string[] {
  const bySource = new Map([...policies.identity, ...(policies.boundary ? [policies.boundary] : [])].map((p) => [p.source, p]));
  const keys: string[] = [];
  for (const ref of refs) {
    const policy = bySource.get(ref.source);
    const condition = policy ? statementsOf(policy.document)[ref.index]?.Condition : undefined;
    if (typeof condition !== 'object' || condition === null) continue;
    for (const block of Object.values(condition)) {
      if (typeof block !== 'object' || block === null) continue;
      for (const key of Object.keys(block)) if (!Object.prototype.hasOwnProperty.call(context, key.toLowerCase())) keys.push(key);
    }
  }
  return keys;
}

const RANK: Record<AccessVerdict['decision'], number> = { allowed: 3, conditional: 2, denied: 1, 'not-allowed': 0 };
