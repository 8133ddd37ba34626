/**
 * Works out whether an IAM user holds administrator access, and through which paths.
 *
 * Decisions:
 * - AWS-managed policy documents are not in the inventory, so only two are known by ARN:
 *   `AdministratorAccess` (allow everything) and `AWSDenyAll` (deny everything). Any other
 *   AWS-managed policy is treated as granting nothing here.
 * - An unconditional Deny of `*` on `*` in any policy that reaches the user (their own or a group's,
 *   or `AWSDenyAll` attached) cancels every path: IAM evaluates explicit denies first, and this is
 *   how a user is switched off. The denying policies are reported in `deniedBy`.
 * - Conditioned `Allow *:*` and NotAction/NotResource near-admin grants are reported separately
 *   (`conditionalPaths`, `nearAdminPaths`) and are not admin paths (see policy-statements.ts).
 * - Assume-role: an admin role (AdministratorAccess attached, or an unconditional `Allow *:*`, and no
 *   deny-all of its own) is reachable when its trust policy allows `sts:AssumeRole` to the user and
 *   the user's identity policies do not deny it. A trust naming the user's ARN (or `*`) is enough on
 *   its own, as in IAM for a same-account principal; a trust naming the account (root ARN or bare ID)
 *   also needs an identity policy allowing `sts:AssumeRole` on the role. Conditions on trust
 *   statements are ignored (they gate how the principal signs in, usually MFA or an external ID),
 *   and only an unconditional Deny in the trust policy blocks the user;
 *   a conditioned identity Allow yields a conditional path. Statements that already grant `*:*` are
 *   not used for this, so a direct admin is not also listed once per admin role. One hop only:
 *   role chaining and permissions boundaries are not evaluated.
 */
import {
  documentDeniesAll,
  documentGrant,
  hasCondition,
  isStrongerGrant,
  statementAppliesToAction,
  statementAppliesToResource,
  statementGrant,
  statementsOf,
  toArray,
  type PolicyVariables,
  type StatementGrant,
} from './policy-statements.js';
import type { AdminPath, Group, ManagedPolicy, PolicyDocument, PolicyStatement, Role, UserRecord } from './types.js';

export type AdminAccessUser = Pick<UserRecord, 'userName' | 'arn' | 'groups' | 'inlinePolicies' | 'attachedPolicies'>;

export interface AdminAccessContext {
  groupsByName: Map<string, Group>;
  managedPoliciesByArn: Map<string, ManagedPolicy>;
  roles: Role[];
  accountId: string;
  partition: string;
}

export interface AdminAccessAnalysis {
  /** Unconditional administrator access; empty when a deny-all cancels it. */
  paths: AdminPath[];
  /** `Allow *:*` behind a Condition, or an admin role reachable only under a Condition. */
  conditionalPaths: AdminPath[];
  /** Everything-but grants (NotAction / NotResource). */
  nearAdminPaths: AdminPath[];
  /** The policies with an unconditional Deny `*` on `*` that cancel all of the above. */
  deniedBy: AdminPath[];
}

interface PolicySource {
  path: AdminPath;
  grant: StatementGrant;
  deniesAll: boolean;
  document: PolicyDocument | null;
}

const ASSUME_ROLE_ACTION = 'sts:AssumeRole';

/** ARN of the AWS-managed `AdministratorAccess` policy in a partition. */
export function administratorAccessArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/AdministratorAccess`;
}

/** ARN of the AWS-managed `AWSDenyAll` policy in a partition. */
export function denyAllPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/AWSDenyAll`;
}

/** The paths through which `user` holds unconditional administrator access (empty when none). */
export function findAdminPaths(user: AdminAccessUser, context: AdminAccessContext): AdminPath[] {
  return analyzeAdminAccess(user, context).paths;
}

/**
 * Full analysis behind `findAdminPaths`: admin paths plus the conditional and near-admin grants and
 * the deny-all policies, for reports that explain why someone is or is not counted as admin.
 */
export function analyzeAdminAccess(user: AdminAccessUser, context: AdminAccessContext): AdminAccessAnalysis {
  const sources = collectUserPolicies(user, context);
  const deniedBy = dedupe(sources.filter((source) => source.deniesAll).map((source) => source.path));
  if (deniedBy.length > 0) return { paths: [], conditionalPaths: [], nearAdminPaths: [], deniedBy };

  const byGrant = new Map<StatementGrant, AdminPath[]>();
  const add = (grant: StatementGrant, path: AdminPath): void => {
    byGrant.set(grant, [...(byGrant.get(grant) ?? []), path]);
  };
  for (const source of sources) if (source.grant !== 'none') add(source.grant, source.path);

  const variables: PolicyVariables = { 'aws:username': user.userName, 'aws:PrincipalAccount': context.accountId };
  const identityStatements = sources.flatMap((source) => statementsOf(source.document));
  for (const role of adminRoles(context)) {
    const reach = roleReach(user, identityStatements, role, context, variables);
    if (reach !== 'none') add(reach, { via: 'assume-role', source: role.arn });
  }

  const paths = dedupe(byGrant.get('admin') ?? []);
  const conditionalPaths = without(dedupe(byGrant.get('conditional-admin') ?? []), paths);
  const nearAdminPaths = without(dedupe(byGrant.get('near-admin') ?? []), [...paths, ...conditionalPaths]);
  return { paths, conditionalPaths, nearAdminPaths, deniedBy: [] };
}

/** The roles that hold unconditional administrator access themselves (one hop, no chaining). */
export function findAdminRoles(context: Pick<AdminAccessContext, 'roles' | 'managedPoliciesByArn' | 'partition'>): Role[] {
  return context.roles.filter((role) => {
    const sources = collectPolicies(role.inlinePolicies, role.attachedPolicies, context, {
      inline: (name) => ({ via: 'inline-policy', source: name }),
      managed: (arn) => ({ via: 'managed-policy', source: arn }),
    });
    return !sources.some((source) => source.deniesAll) && sources.some((source) => source.grant === 'admin');
  });
}

// Every user is analysed against the same context; compute its admin roles once.
// The context is treated as immutable for the duration of an audit.
const adminRoleCache = new WeakMap<Role[], { key: AdminAccessContext; count: number; roles: Role[] }>();

function adminRoles(context: AdminAccessContext): Role[] {
  const cached = adminRoleCache.get(context.roles);
  if (cached && cached.count === context.roles.length && sameRoleInputs(cached.key, context)) return cached.roles;
  const roles = findAdminRoles(context);
  adminRoleCache.set(context.roles, { key: context, count: context.roles.length, roles });
  return roles;
}

function sameRoleInputs(a: AdminAccessContext, b: AdminAccessContext): boolean {
  return a.managedPoliciesByArn === b.managedPoliciesByArn && a.partition === b.partition;
}

function collectUserPolicies(user: AdminAccessUser, context: AdminAccessContext): PolicySource[] {
  const sources = collectPolicies(user.inlinePolicies, user.attachedPolicies, context, {
    inline: (name) => ({ via: 'inline-policy', source: name }),
    managed: (arn) => ({ via: 'managed-policy', source: arn }),
  });
  for (const groupName of user.groups) {
    const group = context.groupsByName.get(groupName);
    if (!group) continue;
    const groupPath = (via: 'group-inline-policy' | 'group-managed-policy') => (): AdminPath => ({ via, source: group.name });
    sources.push(
      ...collectPolicies(group.inlinePolicies, group.attachedPolicies, context, {
        inline: groupPath('group-inline-policy'),
        managed: groupPath('group-managed-policy'),
      }),
    );
  }
  return sources;
}

function collectPolicies(
  inlinePolicies: ReadonlyArray<{ name: string; document: PolicyDocument }>,
  attachedPolicies: ReadonlyArray<{ arn: string }>,
  context: Pick<AdminAccessContext, 'managedPoliciesByArn' | 'partition'>,
  pathOf: { inline: (name: string) => AdminPath; managed: (arn: string) => AdminPath },
): PolicySource[] {
  const adminArn = administratorAccessArn(context.partition);
  const denyAllArn = denyAllPolicyArn(context.partition);
  const sources: PolicySource[] = inlinePolicies.map((policy) => fromDocument(pathOf.inline(policy.name), policy.document));
  for (const { arn } of attachedPolicies) {
    const path = pathOf.managed(arn);
    if (arn === adminArn) sources.push({ path, grant: 'admin', deniesAll: false, document: null });
    else if (arn === denyAllArn) sources.push({ path, grant: 'none', deniesAll: true, document: null });
    else sources.push(fromDocument(path, context.managedPoliciesByArn.get(arn)?.document ?? null));
  }
  return sources;
}

function fromDocument(path: AdminPath, document: PolicyDocument | null): PolicySource {
  return { path, grant: documentGrant(document), deniesAll: documentDeniesAll(document), document };
}

/** How the user reaches `role`: `admin` (unconditionally), `conditional-admin`, or `none`. */
function roleReach(
  user: AdminAccessUser,
  identityStatements: PolicyStatement[],
  role: Role,
  context: AdminAccessContext,
  variables: PolicyVariables,
): StatementGrant {
  const trust = trustFor(user, role, context);
  if (trust === 'none') return 'none';
  const identity = identityAllowsAssume(identityStatements, role.arn, variables);
  if (identity === 'denied') return 'none';
  if (trust === 'direct') return 'admin';
  return identity === 'allowed' ? 'admin' : identity === 'conditional' ? 'conditional-admin' : 'none';
}

type Trust = 'direct' | 'account' | 'none';

function trustFor(user: AdminAccessUser, role: Role, context: AdminAccessContext): Trust {
  const rootArn = `arn:${context.partition}:iam::${context.accountId}:root`;
  const matchOf = (principal: string): Trust => {
    if (principal === '*' || principal === user.arn) return 'direct';
    if (principal === rootArn || principal === context.accountId) return 'account';
    return 'none';
  };
  let trust: Trust = 'none';
  for (const statement of statementsOf(role.trustPolicy)) {
    if (!statementAppliesToAction(statement, ASSUME_ROLE_ACTION)) continue;
    const matches = awsPrincipals(statement.Principal).map(matchOf).filter((match) => match !== 'none');
    if (matches.length === 0) continue;
    if (statement.Effect === 'Deny') {
      if (!hasCondition(statement)) return 'none';
      continue;
    }
    if (matches.includes('direct')) trust = 'direct';
    else if (trust === 'none') trust = 'account';
  }
  return trust;
}

// `"*"`, `{ "AWS": "..." }` or `{ "AWS": [...] }`; service and federated principals are never a user.
function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [];
  const aws = (principal as Record<string, unknown>)['AWS'];
  return toArray(aws as string | string[] | undefined).filter((value): value is string => typeof value === 'string');
}

type IdentityDecision = 'allowed' | 'conditional' | 'denied' | 'none';

function identityAllowsAssume(
  statements: PolicyStatement[],
  roleArn: string,
  variables: PolicyVariables,
): IdentityDecision {
  let decision: IdentityDecision = 'none';
  for (const statement of statements) {
    if (!appliesToAssume(statement, roleArn, variables)) continue;
    if (statement.Effect === 'Deny') {
      if (!hasCondition(statement)) return 'denied';
      continue;
    }
    // A `*:*` grant is already an admin path of its own; listing every role it reaches adds noise.
    if (isStrongerGrant(statementGrant(statement), 'near-admin')) continue;
    if (!hasCondition(statement)) decision = 'allowed';
    else if (decision === 'none') decision = 'conditional';
  }
  return decision;
}

function appliesToAssume(statement: PolicyStatement, roleArn: string, variables: PolicyVariables): boolean {
  return (
    statementAppliesToAction(statement, ASSUME_ROLE_ACTION) && statementAppliesToResource(statement, roleArn, variables)
  );
}

function pathKey(path: AdminPath): string {
  return `${path.via}\u0000${path.source}`;
}

function dedupe(paths: AdminPath[]): AdminPath[] {
  const seen = new Set<string>();
  return paths.filter((path) => {
    const key = pathKey(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function without(paths: AdminPath[], exclude: AdminPath[]): AdminPath[] {
  const excluded = new Set(exclude.map(pathKey));
  return paths.filter((path) => !excluded.has(pathKey(path)));
}
