/**
 * Turns what the evaluator holds responsible (statements, by the label of their policy) back into
 * admin paths a person can act on: the policy, the group, the role or the user, and through what.
 */
import type { PrincipalPolicies, StatementRef } from '../effective-access.js';
import { checkNeeds, type CheckResult, type Need } from './admin-checks.js';
import { statementOf, UNREAD_BOUNDARY_KEY, withoutDenies, type LabelledPolicies } from './admin-policies.js';
import type { RouteResult } from './admin-routes.js';
import type { AdminPath } from '../inventory.js';

const TRUST_LABEL = 'trust-policy ';

/**
 * The policies that grant what a full-admin check found, as few as explain it: those behind the
 * made-up action (the first need), then, for any other need none of them covers, the ones behind it.
 */
export function directPaths(check: CheckResult, needs: readonly Need[], labelled: LabelledPolicies): AdminPath[] {
  const chosen: string[] = [];
  check.verdicts.forEach((verdict, i) => {
    const need = needs[i];
    if (need === undefined) return;
    const labels = unique(grantingRefs(verdict, need, labelled).map((ref) => ref.source));
    if (i === 0 || !labels.some((label) => chosen.includes(label))) for (const label of labels) if (!chosen.includes(label)) chosen.push(label);
  });
  const keys = knownKeys(check.unknownKeys);
  return dedupePaths(chosen.flatMap((label) => pathsOf([label], labelled)).map((path) => (keys.length > 0 ? { ...path, unknownKeys: keys } : path)));
}

/** A route as a path: where it goes, by which actions, through which of the user's policies. */
export function routePath(route: RouteResult, labelled: LabelledPolicies): AdminPath {
  const through = unique(route.because.map((ref) => ref.source).filter((label) => labelled.pathOf.has(label) || label.startsWith(TRUST_LABEL)));
  const keys = knownKeys(route.unknownKeys);
  return { ...route.path, ...(through.length > 0 ? { through } : {}), ...(keys.length > 0 ? { unknownKeys: keys } : {}) };
}

/** The policies whose Deny statements are `refs`. */
export function denialPaths(refs: readonly StatementRef[], labelled: LabelledPolicies): AdminPath[] {
  return dedupePaths(pathsOf(unique(refs.map((ref) => ref.source)), labelled));
}

/** One path per way and source; what each goes through is merged. */
export function dedupePaths(paths: readonly AdminPath[]): AdminPath[] {
  const byKey = new Map<string, AdminPath>();
  for (const path of paths) {
    const key = `${path.via}\u0000${path.source}\u0000${(path.actions ?? []).join(',')}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, path);
    else {
      const through = unique([...(seen.through ?? []), ...(path.through ?? [])]);
      const unknownKeys = unique([...(seen.unknownKeys ?? []), ...(path.unknownKeys ?? [])]);
      byKey.set(key, { ...seen, ...(through.length > 0 ? { through } : {}), ...(unknownKeys.length > 0 ? { unknownKeys } : {}) });
    }
  }
  return [...byKey.values()];
}

function pathsOf(labels: readonly string[], labelled: LabelledPolicies): AdminPath[] {
  return labels.flatMap((label): AdminPath[] => {
    if (label.startsWith(TRUST_LABEL)) return [{ via: 'trust-policy', source: label.slice(TRUST_LABEL.length) }];
    const path = labelled.pathOf.get(label);
    if (path === undefined) return [];
    // A group's path names the group; which of its policies it is goes in `through`.
    return [path.via === 'group-inline-policy' || path.via === 'group-managed-policy' ? { ...path, through: [label] } : path];
  });
}

/**
 * The Allow statements behind a verdict. A conditional verdict may name only the Denies left
 * undecided; then the grants are those found with the Denies set aside.
 */
function grantingRefs(verdict: CheckResult['verdicts'][number], need: Need, labelled: LabelledPolicies): StatementRef[] {
  const allows = verdict.because.filter((ref) => statementOf(labelled.byLabel, ref)?.Effect === 'Allow');
  if (verdict.decision === 'allowed' || allows.length > 0) return allows;
  const lifted: PrincipalPolicies = withoutDenies(labelled.policies);
  return checkNeeds(lifted, [need]).because;
}

function knownKeys(keys: readonly string[]): string[] {
  return unique(keys.filter((key) => key !== UNREAD_BOUNDARY_KEY));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
