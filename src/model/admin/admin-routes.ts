/**
 * The one-step routes by which an IAM user can make itself administrator through IAM: `iam:*`, a
 * policy put on or attached to itself or one of its groups, a new default version of a policy it
 * holds, joining a group that is administrator, or new credentials for another administrator.
 * A route counts when the step is allowed and the user is administrator after it (its Denies stay;
 * its boundary stays unless it may remove the boundary too). One hop only: a route through a
 * principal that is itself only one step from administrator is not followed.
 */
import type { NamedPolicy, PrincipalPolicies, StatementRef } from '../effective-access.js';
import { allOf, anyOf, type RequestContext, type Truth } from '../evaluate-condition.js';
import { checkNeeds, noAnswer, type CheckResult, type Need } from './admin-checks.js';
import type { AdminAccessUser } from './admin-policies.js';
import { iamWildcardProbe, type ProbeAccount } from './admin-probes.js';
import { isAwsManagedPolicyArn } from '../iam-identifiers.js';
import type { AdminPath, AdminRoute, Group, Role } from '../inventory.js';

/** Whether a principal is administrator, and the unknown condition keys when that depends on them. */
export interface Target {
  truth: Truth;
  unknownKeys: readonly string[];
}

export interface AdminRole extends Target {
  role: Role;
}

export interface AdminGroup {
  group: Group;
  policies: readonly NamedPolicy[];
}

export interface AdminUser extends Target {
  user: AdminAccessUser;
}

/** What routes may lead to, worked out once per account. */
export interface AccountFacts {
  account: ProbeAccount;
  /** The `AdministratorAccess` ARN of the partition: what a user would attach. */
  administratorAccessArn: string;
  /** Roles whose own policies make them administrator (or may, under a condition). */
  adminRoles: readonly AdminRole[];
  /** Groups whose policies could make a member administrator. */
  adminGroups: readonly AdminGroup[];
  /** Users administrator through their own policies; computed on first use. */
  adminUsers: () => readonly AdminUser[];
  /** Whether `role` trusts the service principal (`ec2.amazonaws.com`) to assume it. */
  trustsService: (role: Role, service: string) => Truth;
}

/** The user a route starts from. */
export interface RouteScope {
  user: AdminAccessUser;
  policies: PrincipalPolicies;
  context: RequestContext;
  /** The user's groups that the inventory holds. */
  groups: readonly Group[];
  /** Whether any Allow of the user's names the action: a cheap test before asking about each resource. */
  mayAllow: (action: string) => boolean;
  /** Whether the user would be administrator with these policies added. */
  adminWith: (addition: readonly NamedPolicy[]) => Target;
  /** The user after it puts or attaches a policy granting everything anywhere it can. */
  adminWithGrantAll: () => Target;
  /** The user after it uses all of IAM on itself: a policy granting everything, and its own Denies gone. */
  adminWithAllOfIam: () => Target;
}

export interface RouteResult {
  path: AdminPath;
  truth: Truth;
  /** The user's statements behind the step. */
  because: StatementRef[];
  /** The Denies that block a step which would otherwise lead to administrator. */
  deniedBy: StatementRef[];
  unknownKeys: string[];
}

export interface Alternative {
  actions: string[];
  check: CheckResult;
}

/**
 * A route from its alternative steps (any one will do) and what it leads to. Null when no step may
 * be taken and no Deny is to blame. The target is only worked out when a step may be taken.
 */
export function routeOf(via: AdminRoute, source: string, alternatives: readonly Alternative[], target: () => Target): RouteResult | null {
  const open = alternatives.filter((a) => a.check.truth !== 'false');
  const deniedBy = alternatives.flatMap((a) => a.check.deniedBy);
  if (open.length === 0 && deniedBy.length === 0) return null;
  const reached = target();
  if (reached.truth === 'false') return null;
  const path: AdminPath = { via, source, actions: [...new Set((open.length > 0 ? open : alternatives).flatMap((a) => a.actions))] };
  if (open.length === 0) return { path, truth: 'false', because: [], deniedBy, unknownKeys: [] };
  const truth = allOf([anyOf(open.map((a) => a.check.truth)), reached.truth]);
  const unknownKeys = [...new Set([...open.flatMap((a) => a.check.unknownKeys), ...(reached.truth === 'unknown' ? reached.unknownKeys : [])])];
  return { path, truth, because: open.flatMap((a) => a.check.because), deniedBy: [], unknownKeys };
}

/** A step: one action on one resource, in the user's request context plus what the step itself sets. */
export function stepOf(scope: RouteScope, action: string, resource: string, extra: RequestContext = {}): Alternative {
  if (!scope.mayAllow(action)) return { actions: [action], check: noAnswer() };
  const need: Need = { action, resources: [resource], context: { ...scope.context, ...extra } };
  return { actions: [action], check: checkNeeds(scope.policies, [need]) };
}

/** The route through all of IAM (`iam:*`, or everything-but grants that leave IAM in), or null. */
export function allOfIamRoute(scope: RouteScope, facts: AccountFacts): RouteResult | null {
  if (!scope.mayAllow('iam:Iam2idcProbeAnything')) return null;
  const wildcard = checkNeeds(scope.policies, [iamWildcardProbe(facts.account, scope.context)]);
  return routeOf('iam-full-access', '*', [{ actions: ['iam:*'], check: wildcard }], scope.adminWithAllOfIam);
}

/**
 * Every IAM route of the user. All of IAM says it all: when it leads to administrator the narrower
 * IAM routes are left out, and when it does under a condition only the ones that hold outright are kept.
 */
export function iamRoutes(scope: RouteScope, facts: AccountFacts, allOfIam: RouteResult | null): RouteResult[] {
  if (allOfIam?.truth === 'true') return [allOfIam];
  const narrower = [userPolicyRoute(scope, facts), ...groupPolicyRoutes(scope, facts), ...policyVersionRoutes(scope), ...joinGroupRoutes(scope, facts), ...credentialRoutes(scope, facts)]
    .filter((route): route is RouteResult => route !== null)
    .filter((route) => allOfIam === null || allOfIam.truth === 'false' || route.truth === 'true');
  return allOfIam ? [allOfIam, ...narrower] : narrower;
}

function userPolicyRoute(scope: RouteScope, facts: AccountFacts): RouteResult | null {
  const { arn } = scope.user;
  return routeOf(
    'user-policy',
    arn,
    [stepOf(scope, 'iam:AttachUserPolicy', arn, { 'iam:policyarn': facts.administratorAccessArn }), stepOf(scope, 'iam:PutUserPolicy', arn)],
    scope.adminWithGrantAll,
  );
}

function groupPolicyRoutes(scope: RouteScope, facts: AccountFacts): (RouteResult | null)[] {
  return scope.groups.map((group) =>
    routeOf(
      'group-policy',
      group.name,
      [stepOf(scope, 'iam:AttachGroupPolicy', group.arn, { 'iam:policyarn': facts.administratorAccessArn }), stepOf(scope, 'iam:PutGroupPolicy', group.arn)],
      scope.adminWithGrantAll,
    ),
  );
}

/** A new default version of a customer-managed policy the user holds (`iam:CreatePolicyVersion` can set it as default). */
function policyVersionRoutes(scope: RouteScope): (RouteResult | null)[] {
  const held = [...scope.user.attachedPolicies, ...scope.groups.flatMap((g) => g.attachedPolicies)].map((p) => p.arn);
  return [...new Set(held)]
    .filter((arn) => !isAwsManagedPolicyArn(arn))
    .map((arn) => routeOf('policy-version', arn, [stepOf(scope, 'iam:CreatePolicyVersion', arn)], scope.adminWithGrantAll));
}

function joinGroupRoutes(scope: RouteScope, facts: AccountFacts): (RouteResult | null)[] {
  if (!scope.mayAllow('iam:AddUserToGroup')) return [];
  const own = new Set(scope.groups.map((g) => g.name));
  return facts.adminGroups
    .filter(({ group }) => !own.has(group.name))
    .map(({ group, policies }) => routeOf('join-group', group.name, [stepOf(scope, 'iam:AddUserToGroup', group.arn)], () => scope.adminWith(policies)));
}

const CREDENTIAL_ACTIONS = ['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'];

/** Keys or a console password for another user who is administrator. */
function credentialRoutes(scope: RouteScope, facts: AccountFacts): (RouteResult | null)[] {
  if (!CREDENTIAL_ACTIONS.some(scope.mayAllow)) return [];
  return facts
    .adminUsers()
    .filter((admin) => admin.user.arn !== scope.user.arn)
    .map((admin) => routeOf('user-credentials', admin.user.arn, CREDENTIAL_ACTIONS.map((action) => stepOf(scope, action, admin.user.arn)), () => admin));
}
