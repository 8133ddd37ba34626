import { canonicalAction, expandActionPattern } from '../../model/iam-actions/action-catalog.js';
import { invisibleActionsGranted } from '../../model/iam-actions/invisible-actions.js';
import { statementAppliesToAction, statementsOf, toArray } from '../../model/policy-statements.js';
import type { PolicyDocument, PolicyStatement } from '../../model/inventory.js';

/** The three policies an operator chooses between for a permission set. */
export type PolicyBasis = 'granted' | 'used' | 'proposed';

export interface PolicyComparison {
  /** Every action the IAM policies allow, wildcards expanded against the action database. */
  grantedActions: string[];
  /** Every action CloudTrail saw the permission set's users call. */
  usedActions: string[];
  /** `used`, plus the granted actions CloudTrail cannot see (such as iam:PassRole). */
  proposedActions: string[];
  /** Granted but never used in the window: the candidates for removal. */
  grantedButUnused: string[];
  /** Used but not granted (through another path, e.g. a role): shown, never added silently. */
  usedButNotGranted: string[];
  /** Invisible actions kept in `proposed` because they are granted. */
  invisibleKept: string[];
}

/** Expands the Allow statements of the documents into concrete actions. Deny and NotAction are left aside (see below). */
export async function expandAllowedActions(documents: PolicyDocument[]): Promise<Set<string>> {
  const actions = new Set<string>();
  for (const statement of documents.flatMap(statementsOf)) {
    // NotAction grants "everything but": expanding it would list most of AWS and hide the signal;
    // such statements are reported as granted-wide by the audit instead.
    if (statement.Effect !== 'Allow' || statement.NotAction !== undefined) continue;
    for (const pattern of toArray(statement.Action)) {
      for (const action of await expandActionPattern(pattern)) actions.add(action);
    }
  }
  return actions;
}

/** Compares what IAM grants with what CloudTrail saw, and derives the proposed set of actions. */
export async function comparePolicySources(granted: PolicyDocument[], used: PolicyDocument[]): Promise<PolicyComparison> {
  const grantedActions = await expandAllowedActions(granted);
  const usedActions = await expandAllowedActions(used);
  const lower = (set: Set<string>) => new Set([...set].map((a) => a.toLowerCase()));
  const grantedLower = lower(grantedActions);
  const usedLower = lower(usedActions);
  const invisibleKept = invisibleActionsGranted([...grantedActions]).filter((a) => !usedLower.has(a.toLowerCase()));
  const sorted = (values: Iterable<string>) => [...values].sort((a, b) => a.localeCompare(b));
  return {
    grantedActions: sorted(grantedActions),
    usedActions: sorted(usedActions),
    proposedActions: sorted(new Set([...usedActions, ...invisibleKept])),
    grantedButUnused: sorted([...grantedActions].filter((a) => !usedLower.has(a.toLowerCase()))),
    usedButNotGranted: sorted([...usedActions].filter((a) => !grantedLower.has(a.toLowerCase()))),
    invisibleKept: sorted(invisibleKept),
  };
}

/**
 * The proposed policy: the statements generated from CloudTrail, plus, for each granted action
 * CloudTrail cannot see, an Allow on the resources the granted policies allow it on, under the same
 * condition (an `iam:PassedToService` condition must not be dropped: the proposal is never wider).
 */
export function buildProposedPolicy(used: PolicyDocument[], granted: PolicyDocument[], invisibleKept: string[]): PolicyDocument {
  const statements: PolicyStatement[] = used.flatMap(statementsOf).filter((s) => s.Effect === 'Allow');
  const grantedAllows = granted.flatMap(statementsOf).filter((s) => s.Effect === 'Allow' && s.NotResource === undefined);
  const byScope = new Map<string, { resources: string[]; condition: PolicyStatement['Condition']; actions: string[] }>();
  for (const action of invisibleKept) {
    // Resources granted under the same condition (or none) are one scope; each condition is its own.
    const scopes = new Map<string, { resources: string[]; condition: PolicyStatement['Condition'] }>();
    for (const statement of grantedAllows.filter((s) => statementAppliesToAction(s, action))) {
      const conditionKey = JSON.stringify(statement.Condition ?? null);
      const scope = scopes.get(conditionKey) ?? { resources: [], condition: statement.Condition };
      scope.resources.push(...toArray(statement.Resource));
      scopes.set(conditionKey, scope);
    }
    for (const [conditionKey, scope] of scopes) {
      const resources = [...new Set(scope.resources)].sort();
      const key = JSON.stringify([resources, conditionKey]);
      const entry = byScope.get(key) ?? { resources, condition: scope.condition, actions: [] };
      entry.actions.push(action);
      byScope.set(key, entry);
    }
  }
  for (const { resources, condition, actions } of byScope.values()) {
    if (resources.length === 0) continue;
    statements.push({ Effect: 'Allow', Action: actions.sort(), Resource: resources.length === 1 ? resources[0]! : resources, ...(condition ? { Condition: condition } : {}) });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The used policy as CloudTrail showed it: the generated statements of every user of the set. */
export function buildUsedPolicy(used: PolicyDocument[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: used.flatMap(statementsOf).filter((s) => s.Effect === 'Allow') };
}

/**
 * Keeps only actions the IAM action database knows (patterns that match at least one), in their
 * documented spelling, so that a generated policy never carries an action that does not exist.
 * Statements left without actions are removed; what was dropped is returned for the report.
 */
export async function keepKnownActions(document: PolicyDocument): Promise<{ document: PolicyDocument; dropped: string[] }> {
  const dropped: string[] = [];
  const statements: PolicyStatement[] = [];
  for (const statement of statementsOf(document)) {
    if (statement.Action === undefined) {
      statements.push(statement);
      continue;
    }
    const kept: string[] = [];
    for (const action of toArray(statement.Action)) {
      const known = /[*?]/.test(action) ? ((await expandActionPattern(action)).length > 0 ? action : null) : await canonicalAction(action);
      if (known) kept.push(known);
      else dropped.push(action);
    }
    if (kept.length > 0) statements.push({ ...statement, Action: kept });
  }
  return { document: { ...document, Statement: statements }, dropped };
}
