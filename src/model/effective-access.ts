/**
 * What a principal may do, by IAM's evaluation logic for identity policies within one account:
 * an explicit Deny in any policy wins; otherwise an Allow is needed in an identity policy and, when the
 * principal has a permissions boundary, in the boundary too.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * One model for both sides of a migration: an IAM user (its own policies and every group's, one
 * evaluation) and a permission set (its policies alone, in a role session). What cannot be decided
 * from what is known of the request is `conditional`, never `allowed`. Service control policies,
 * resource policies and session policies are not part of it.
 */
import { statementAppliesToResource, statementsOf, type PolicyVariables } from './policy-statements.js';
import { statementCoversAction } from './action-matcher.js';
import type { PolicyDocument, PolicyStatement } from './inventory.js';
import { allOf, anyOf, evaluateCondition, type RequestContext, type Truth } from './evaluate-condition.js';

/** A policy with a name a person recognises: `group Developers: inline deny-prod`. */
export interface NamedPolicy {
  source: string;
  document: PolicyDocument;
}

/** Everything that decides what one principal may do. */
export interface PrincipalPolicies {
  /** Identity policies: a user's own and its groups', inline and managed; or a permission set's. */
  identity: readonly NamedPolicy[];
  /** The permissions boundary, or null for none. */
  boundary: NamedPolicy | null;
}

export interface AccessRequest {
  action: string;
  resource: string;
  /** What is known of the request context (lower-case keys); the values of policy variables too. */
  context?: RequestContext;
}

/** `denied`: an explicit Deny; `not-allowed`: nothing allows it (or the boundary does not). */
export type AccessDecision = 'allowed' | 'denied' | 'not-allowed' | 'conditional';

export interface StatementRef {
  source: string;
  sid: string | null;
  index: number;
}

export interface AccessVerdict {
  decision: AccessDecision;
  /** The statements that decide: the Denies for `denied`, the Allows for `allowed`, the undecided ones for `conditional`. */
  because: StatementRef[];
}

interface Judged {
  ref: StatementRef;
  effect: 'Allow' | 'Deny';
  applies: Truth;
}

/** How IAM decides the request for this principal. */
export function evaluateAccess(policies: PrincipalPolicies, request: AccessRequest): AccessVerdict {
  const context = request.context ?? {};
  const variables = variablesOf(context);
  const identity = policies.identity.flatMap((p) => judge(p, request, context, variables));
  const boundary = policies.boundary ? judge(policies.boundary, request, context, variables) : null;
  const all = [...identity, ...(boundary ?? [])];

  const denies = all.filter((j) => j.effect === 'Deny');
  const certainDenies = denies.filter((j) => j.applies === 'true');
  if (certainDenies.length > 0) return { decision: 'denied', because: certainDenies.map((j) => j.ref) };

  const allowedByIdentity = anyOf(identity.filter((j) => j.effect === 'Allow').map((j) => j.applies));
  const allowedByBoundary = boundary === null ? 'true' : anyOf(boundary.filter((j) => j.effect === 'Allow').map((j) => j.applies));
  const notDenied = allOf(denies.map((j) => negate(j.applies)));
  const result = allOf([allowedByIdentity, allowedByBoundary, notDenied]);
  if (result === 'true') return { decision: 'allowed', because: identity.filter((j) => j.effect === 'Allow' && j.applies === 'true').map((j) => j.ref) };
  if (result === 'false') return { decision: 'not-allowed', because: [] };
  return { decision: 'conditional', because: all.filter((j) => j.applies === 'unknown').map((j) => j.ref) };
}

function judge(policy: NamedPolicy, request: AccessRequest, context: RequestContext, variables: PolicyVariables): Judged[] {
  return statementsOf(policy.document).map((statement, index) => ({
    ref: { source: policy.source, sid: statement.Sid ?? null, index },
    effect: statement.Effect,
    applies: statementApplies(statement, request, context, variables),
  }));
}

function statementApplies(statement: PolicyStatement, request: AccessRequest, context: RequestContext, variables: PolicyVariables): Truth {
  if (!statementCoversAction(statement, request.action)) return 'false';
  const resource = resourceApplies(statement, request.resource, variables, context);
  if (resource === 'false') return 'false';
  return allOf([resource, evaluateCondition(statement.Condition, context, variables)]);
}

/**
 * A resource pattern with a variable the request does not know (`${aws:username}` with no user name
 * given) may or may not match; one known to be absent (a role session has no `aws:username`) never
 * matches, as in IAM. A pattern that matches for certain settles it either way.
 */
function resourceApplies(statement: PolicyStatement, resource: string, variables: PolicyVariables, context: RequestContext): Truth {
  const patterns = [statement.Resource, statement.NotResource].flat().filter((p): p is string => typeof p === 'string');
  const undecided = patterns.some((p) => [...p.matchAll(/\$\{([^}*?$]+)\}/g)].some((m) => !Object.prototype.hasOwnProperty.call(context, (m[1] ?? '').toLowerCase())));
  const applies = statementAppliesToResource(statement, resource, variables);
  if (statement.Resource !== undefined) return applies ? 'true' : undecided ? 'unknown' : 'false';
  return applies ? (undecided ? 'unknown' : 'true') : 'false';
}

function negate(value: Truth): Truth {
  return value === 'true' ? 'false' : value === 'false' ? 'true' : 'unknown';
}

/** Policy variables are the request's context keys with a single known value. */
function variablesOf(context: RequestContext): PolicyVariables {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (typeof value === 'string') variables[key] = value;
    else if (Array.isArray(value) && value.length === 1) variables[key] = value[0] as string;
  }
  return variables;
}
