/**
 * The one-step routes to a role that is administrator: assuming it (its trust policy must let the
 * user in), rewriting its trust policy to name the user, or passing it to a compute service the user
 * may run code on (EC2, Lambda, CloudFormation, Glue, ECS, CodeBuild) when the role trusts that
 * service. A role is administrator when its own policies, evaluated like a user's, allow everything;
 * roles that are only a step from administrator themselves are not followed (one hop).
 */
import type { NamedPolicy, PrincipalPolicies } from '../effective-access.js';
import { allOf } from '../evaluate-condition.js';
import { checkBoth, checkNeeds, type CheckResult } from './admin-checks.js';
import { denyStatementsOf } from './admin-policies.js';
import { COMPUTE_SERVICES, type ComputeService } from './admin-probes.js';
import { routeOf, stepOf, type AccountFacts, type AdminRole, type RouteResult, type RouteScope } from './admin-routes.js';
import { trustForUser } from './admin-trust.js';

const ASSUME_ROLE = 'sts:AssumeRole';

/** Every route of the user through an administrator role. With all of IAM, re-trusting a role goes without saying. */
export function roleRoutes(scope: RouteScope, facts: AccountFacts, hasAllOfIam: boolean): RouteResult[] {
  const routes = facts.adminRoles.flatMap((admin) => [assumeRoute(scope, facts, admin), hasAllOfIam ? null : updateTrustRoute(scope, admin)]);
  routes.push(...passRoleRoutes(scope, facts));
  return routes.filter((route): route is RouteResult => route !== null);
}

function assumeRoute(scope: RouteScope, facts: AccountFacts, admin: AdminRole): RouteResult | null {
  const trust = trustForUser(admin.role, scope.user.arn, facts.account);
  const alternatives = [];
  // Named in the trust policy: allowed unless a Deny (the user's, its boundary's, the trust policy's) says no.
  if (trust.direct) alternatives.push({ actions: [ASSUME_ROLE], check: assumeUnlessDenied(scope, admin.role.arn, [trust.direct, ...(trust.denies ? [trust.denies] : [])]) });
  // The account is trusted: the user's own policies (within its boundary) must allow it too.
  if (trust.account && scope.mayAllow(ASSUME_ROLE)) {
    const identity: PrincipalPolicies = { identity: [...scope.policies.identity, ...(trust.denies ? [trust.denies] : [])], boundary: scope.policies.boundary };
    const byIdentity = assumeCheck(identity, scope, admin.role.arn);
    const byTrust = assumeCheck({ identity: [trust.account], boundary: null }, scope, admin.role.arn);
    alternatives.push({ actions: [ASSUME_ROLE], check: checkBoth(byIdentity, byTrust) });
  }
  return routeOf('assume-role', admin.role.arn, alternatives, () => admin);
}

/** `iam:UpdateAssumeRolePolicy` on the role, then assuming it under a trust policy that names the user. */
function updateTrustRoute(scope: RouteScope, admin: AdminRole): RouteResult | null {
  const arn = admin.role.arn;
  const grant: NamedPolicy = { source: 'the trust policy the user writes', document: { Statement: [{ Effect: 'Allow', Action: ASSUME_ROLE, Resource: arn }] } };
  return routeOf('update-trust', arn, [stepOf(scope, 'iam:UpdateAssumeRolePolicy', arn)], () => {
    const assume = assumeUnlessDenied(scope, arn, [grant]);
    return { truth: allOf([assume.truth, admin.truth]), unknownKeys: [...assume.unknownKeys, ...admin.unknownKeys] };
  });
}

function passRoleRoutes(scope: RouteScope, facts: AccountFacts): (RouteResult | null)[] {
  if (!scope.mayAllow('iam:PassRole')) return [];
  return COMPUTE_SERVICES.flatMap((service) => {
    const passable = facts.adminRoles.filter((admin) => facts.trustsService(admin.role, service.principal) !== 'false');
    if (passable.length === 0 || !service.actions.every((a) => scope.mayAllow(a.action))) return [];
    const compute = computeCheck(scope, facts, service);
    if (compute.truth === 'false' && compute.deniedBy.length === 0) return [];
    return passable.map((admin) => {
      const pass = stepOf(scope, 'iam:PassRole', admin.role.arn, { 'iam:passedtoservice': service.principal });
      const actions = ['iam:PassRole', ...service.actions.map((a) => a.action)];
      return routeOf('pass-role', admin.role.arn, [{ actions, check: checkBoth(pass.check, compute) }], () => ({
        truth: allOf([admin.truth, facts.trustsService(admin.role, service.principal)]),
        unknownKeys: admin.unknownKeys,
      }));
    });
  });
}

function computeCheck(scope: RouteScope, facts: AccountFacts, service: ComputeService): CheckResult {
  return checkNeeds(
    scope.policies,
    service.actions.map((a) => ({ action: a.action, resources: a.resources(facts.account), context: scope.context })),
  );
}

/**
 * Allowed by a policy on the role itself (a trust policy naming the user): IAM then needs no Allow
 * from the user's own policies, and a boundary's implicit deny does not stop it; explicit Denies do.
 */
function assumeUnlessDenied(scope: RouteScope, roleArn: string, grants: readonly NamedPolicy[]): CheckResult {
  const denies = [...scope.policies.identity, ...(scope.policies.boundary ? [scope.policies.boundary] : [])].map(denyStatementsOf);
  return assumeCheck({ identity: [...denies, ...grants], boundary: null }, scope, roleArn);
}

function assumeCheck(policies: PrincipalPolicies, scope: RouteScope, roleArn: string): CheckResult {
  return checkNeeds(policies, [{ action: ASSUME_ROLE, resources: [roleArn], context: scope.context }]);
}
