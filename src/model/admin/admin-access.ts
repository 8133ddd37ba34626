/**
 * Works out whether an IAM user is an administrator, can make itself one in a step, or is one only
 * under a condition, and through which paths. Every answer comes from the one effective-access
 * evaluator (`evaluateAccess`), over the user's own policies, every group's, and its permissions
 * boundary, for requests signed by the user (its name, ARN and account known; MFA, region, source IP
 * and tags not).
 *
 * - Administrator: allowed, with no condition, every action on every resource, sampled by probes
 *   (see admin-probes.ts). A Deny of any probe, or a boundary that does not allow it, rules it out.
 * - Near-administrator: one step makes it administrator (admin-routes.ts, admin-role-routes.ts):
 *   `iam:*`, a policy on itself or its group, a policy version, joining an admin group, another
 *   administrator's credentials, assuming or re-trusting an admin role, or passing one to compute.
 * - Conditional administrator: either of those, but only under a condition the audit cannot know.
 * - Explicit Denies cancel paths as IAM does, and are reported as `deniedBy` when without them a
 *   path would hold.
 *
 * One hop only: a role, group or user on the way counts when its own policies make it administrator,
 * not when it is only a step from it. Service control policies, resource policies other than role
 * trust policies, and role permissions boundaries are not seen.
 */
import type { NamedPolicy, StatementRef } from '../effective-access.js';
import { statementCoversAction } from '../action-matcher.js';
import { allOf, anyOf, type RequestContext, type Truth } from '../evaluate-condition.js';
import { checkNeeds, type CheckResult, type Need } from './admin-checks.js';
import { dedupePaths, denialPaths, directPaths, routePath } from './admin-paths.js';
import { gatherUserPolicies, groupPolicies, policyDocumentsByArn, rolePolicies, withoutDenies, type AdminAccessUser, type LabelledPolicies } from './admin-policies.js';
import { fullAdminProbes, roleSessionContext, userRequestContext, type ProbeAccount } from './admin-probes.js';
import { roleRoutes } from './admin-role-routes.js';
import { allOfIamRoute, iamRoutes, stepOf, type AccountFacts, type AdminRole, type AdminUser, type RouteResult, type RouteScope, type Target } from './admin-routes.js';
import { trustForService } from './admin-trust.js';
import { isAwsManagedPolicyArn } from '../iam-identifiers.js';
import { statementsOf } from '../policy-statements.js';
import type { AdminAccess, AdminLevel, AdminPath, Group, ManagedPolicy, PolicyDocument, Role } from '../inventory.js';

export type { AdminAccessUser } from './admin-policies.js';

/** The account's inventory, as one audit (or one fresh read) holds it. Treated as immutable. */
export interface AdminAccessContext {
  groupsByName: Map<string, Group>;
  managedPoliciesByArn: Map<string, ManagedPolicy>;
  /** The AWS-managed policies read; without them only AdministratorAccess and AWSDenyAll are known. */
  awsManagedPoliciesByArn?: Map<string, ManagedPolicy>;
  roles: Role[];
  /** Every user of the account, for the routes through another administrator's credentials. */
  users?: readonly AdminAccessUser[];
  accountId: string;
  partition: string;
}

/** ARN of the AWS-managed `AdministratorAccess` policy in a partition. */
export function administratorAccessArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/AdministratorAccess`;
}

/** ARN of the AWS-managed `AWSDenyAll` policy in a partition. */
export function denyAllPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/AWSDenyAll`;
}

/** The policies through which `user` is administrator, unconditionally (empty when it is not). */
export function findAdminPaths(user: AdminAccessUser, context: AdminAccessContext): AdminPath[] {
  return analyzeAdminAccess(user, context).paths;
}

/** The roles whose own policies make them administrator, unconditionally. */
export function findAdminRoles(context: AdminAccessContext): Role[] {
  return prepare(context).facts.adminRoles.filter((admin) => admin.truth === 'true').map((admin) => admin.role);
}

/** The user's level of administrator access, with every path that leads there and every Deny that stops one. */
export function analyzeAdminAccess(user: AdminAccessUser, context: AdminAccessContext): AdminAccess {
  const prepared = prepare(context);
  const subject = prepared.subject(user);
  const { labelled, direct } = subject;
  const unreadPolicies = labelled.unread;
  if (direct.truth === 'true') {
    return { level: 'admin', paths: directPaths(direct, subject.probes, labelled), nearAdminPaths: [], conditionalPaths: [], deniedBy: [], unreadPolicies };
  }
  const conditionalPaths: AdminPath[] = direct.truth === 'unknown' ? directPaths(direct, subject.probes, labelled) : [];
  const nearAdminPaths: AdminPath[] = [];
  const deniedBy = denialPaths(direct.deniedBy, labelled);
  const scope = routeScope(subject, user, prepared);
  const repeatsDirect = repeatsConditionalGrant(direct, labelled);
  const allOfIam = allOfIamRoute(scope, prepared.facts);
  for (const route of [...iamRoutes(scope, prepared.facts, allOfIam), ...roleRoutes(scope, prepared.facts, allOfIam?.truth === 'true')]) {
    if (route.truth === 'true') nearAdminPaths.push(routePath(route, labelled));
    else if (route.truth === 'unknown') {
      if (!repeatsDirect(route)) conditionalPaths.push(routePath(route, labelled));
    } else deniedBy.push(...denialPaths(route.deniedBy, labelled));
  }
  const level: AdminLevel = nearAdminPaths.length > 0 ? 'near-admin' : conditionalPaths.length > 0 ? 'conditional-admin' : 'none';
  return { level, paths: [], nearAdminPaths: dedupePaths(nearAdminPaths), conditionalPaths: dedupePaths(conditionalPaths), deniedBy: dedupePaths(deniedBy), unreadPolicies };
}

/**
 * A conditional administrator can take most routes under the same condition (`Allow *:*` with MFA
 * also allows `iam:PutUserPolicy` with MFA): a conditional route that rests on nothing but the
 * user's statements behind the conditional grant says nothing new.
 */
function repeatsConditionalGrant(direct: CheckResult, labelled: LabelledPolicies): (route: RouteResult) => boolean {
  const key = (ref: StatementRef) => `${ref.source}\u0000${ref.index}`;
  const granting = new Set(direct.truth === 'unknown' ? direct.because.map(key) : []);
  return (route) => {
    const own = route.because.filter((ref) => labelled.pathOf.has(ref.source));
    return granting.size > 0 && own.length > 0 && own.every((ref) => granting.has(key(ref)));
  };
}

interface Subject {
  labelled: LabelledPolicies;
  context: RequestContext;
  probes: Need[];
  /** The user's own policies against the full-admin probes. */
  direct: CheckResult;
}

interface Prepared {
  facts: AccountFacts;
  groups: ReadonlyMap<string, Group>;
  subject: (user: AdminAccessUser) => Subject;
}

// Every user of an audit is analysed against the same context: work out the account's side once.
const preparedByContext = new WeakMap<AdminAccessContext, Prepared>();

function prepare(context: AdminAccessContext): Prepared {
  const cached = preparedByContext.get(context);
  if (cached) return cached;
  const account: ProbeAccount = { partition: context.partition, accountId: context.accountId };
  const documents = policyDocumentsByArn({ partition: context.partition, managedPolicies: context.managedPoliciesByArn, awsManagedPolicies: context.awsManagedPoliciesByArn });
  const subjects = new WeakMap<AdminAccessUser, Subject>();
  const subject = (user: AdminAccessUser): Subject => {
    let found = subjects.get(user);
    if (found === undefined) {
      const labelled = gatherUserPolicies(user, context.groupsByName, documents);
      const requestContext = userRequestContext(user, account);
      const probes = fullAdminProbes(account, requestContext);
      found = { labelled, context: requestContext, probes, direct: checkNeeds(labelled.policies, probes) };
      subjects.set(user, found);
    }
    return found;
  };
  let adminUsers: readonly AdminUser[] | undefined;
  const serviceTrust = new Map<string, Truth>();
  const facts: AccountFacts = {
    account,
    administratorAccessArn: administratorAccessArn(context.partition),
    adminRoles: context.roles.map((role) => adminRoleOf(role, documents, account)).filter((admin) => admin.truth !== 'false'),
    adminGroups: [...new Set(context.groupsByName.values())]
      .map((group) => ({ group, policies: groupPolicies(group, documents) }))
      .filter(({ policies }) => mayBeAdmin(policies, account)),
    adminUsers: () =>
      (adminUsers ??= (context.users ?? [])
        .map((user) => ({ user, ...targetOf(subject(user).direct) }))
        .filter((admin) => admin.truth !== 'false')),
    trustsService: (role, service) => {
      const key = `${role.arn}\u0000${service}`;
      let truth = serviceTrust.get(key);
      if (truth === undefined) serviceTrust.set(key, (truth = serviceTrustOf(role, service, account)));
      return truth;
    },
  };
  const prepared = { facts, groups: context.groupsByName, subject };
  preparedByContext.set(context, prepared);
  return prepared;
}

function adminRoleOf(role: Role, documents: ReadonlyMap<string, PolicyDocument>, account: ProbeAccount): AdminRole {
  const check = checkNeeds({ identity: rolePolicies(role, documents), boundary: null }, fullAdminProbes(account, roleSessionContext(role.arn, account)));
  return { role, ...targetOf(check) };
}

/** Whether a group's policies alone may make any member administrator (its user name unknown). */
function mayBeAdmin(policies: readonly NamedPolicy[], account: ProbeAccount): boolean {
  const context = { 'aws:principalaccount': account.accountId, 'aws:principaltype': 'User' };
  return policies.length > 0 && checkNeeds({ identity: policies, boundary: null }, fullAdminProbes(account, context)).truth !== 'false';
}

function serviceTrustOf(role: Role, service: string, account: ProbeAccount): Truth {
  const trust = trustForService(role, service);
  if (trust.allows === null) return 'false';
  const identity = [trust.allows, ...(trust.denies ? [trust.denies] : [])];
  // The service acts for this account: a trust condition on the source account holds.
  const context = { 'aws:sourceaccount': account.accountId };
  return checkNeeds({ identity, boundary: null }, [{ action: 'sts:AssumeRole', resources: [role.arn], context }]).truth;
}

const GRANT_ALL: NamedPolicy = { source: 'the policy the user adds', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

function routeScope(subject: Subject, user: AdminAccessUser, prepared: Prepared): RouteScope {
  const { policies } = subject.labelled;
  const allows = policies.identity.flatMap((p) => statementsOf(p.document)).filter((s) => s.Effect === 'Allow');
  const covered = new Map<string, boolean>();
  let grantAll: Target | undefined;
  let boundaryRemoval: Truth | undefined;
  const scope: RouteScope = {
    user,
    policies,
    context: subject.context,
    groups: [...new Set(user.groups)].flatMap((name) => prepared.groups.get(name) ?? []),
    mayAllow: (action) => {
      let result = covered.get(action);
      if (result === undefined) covered.set(action, (result = allows.some((s) => statementCoversAction(s, action))));
      return result;
    },
    adminWith: (addition) => {
      const identity = [...policies.identity, ...addition];
      const capped = targetOf(checkNeeds({ identity, boundary: policies.boundary }, subject.probes));
      if (policies.boundary === null || capped.truth === 'true') return capped;
      boundaryRemoval ??= removesBoundary(scope, user, prepared.facts);
      if (boundaryRemoval === 'false') return capped;
      const free = targetOf(checkNeeds({ identity, boundary: null }, subject.probes));
      return { truth: anyOf([capped.truth, allOf([boundaryRemoval, free.truth])]), unknownKeys: [...capped.unknownKeys, ...free.unknownKeys] };
    },
    adminWithGrantAll: () => (grantAll ??= scope.adminWith([GRANT_ALL])),
    adminWithAllOfIam: () => {
      // With all of IAM it may also delete or detach its own denying policies and leave its groups.
      const lifted = withoutDenies(policies);
      const capped = targetOf(checkNeeds({ identity: [...lifted.identity, GRANT_ALL], boundary: policies.boundary }, subject.probes));
      if (policies.boundary === null || capped.truth === 'true') return capped;
      boundaryRemoval ??= removesBoundary(scope, user, prepared.facts);
      return { truth: anyOf([capped.truth, boundaryRemoval]), unknownKeys: capped.unknownKeys };
    },
  };
  return scope;
}

/** Whether the user may take its boundary off, set AdministratorAccess as its boundary, or rewrite the boundary policy. */
function removesBoundary(scope: RouteScope, user: AdminAccessUser, facts: AccountFacts): Truth {
  const boundary = user.permissionsBoundary ?? null;
  const steps = [
    stepOf(scope, 'iam:DeleteUserPermissionsBoundary', user.arn),
    stepOf(scope, 'iam:PutUserPermissionsBoundary', user.arn, { 'iam:permissionsboundary': facts.administratorAccessArn }),
    ...(boundary !== null && !isAwsManagedPolicyArn(boundary) ? [stepOf(scope, 'iam:CreatePolicyVersion', boundary)] : []),
  ];
  return anyOf(steps.map((step) => step.check.truth));
}

function targetOf(check: CheckResult): Target {
  return { truth: check.truth, unknownKeys: check.unknownKeys };
}
