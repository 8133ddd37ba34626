/**
 * What the engine's lockout guard needs to know about the account, built from a fresh inventory and
 * the mapping: who the caller is, who is protected, each user's kind and administrator access, and
 * whether someone can already administer the account through Identity Center.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { PrincipalFacts } from '../../plan/lockout-guard.js';
import { parseProtectTag, PROTECT_TAG, type Mapping } from '../../workspace/mapping-schema.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { administratorAccessArn } from '../../model/admin/admin-access.js';
import { isAllowAllStatement, statementsOf } from '../../model/policy-statements.js';
import type { PolicyDocument } from '../../model/inventory.js';
import type { IamUsersSnapshot } from './read-iam-users.js';

/** What disable and cleanup know of the account they act on: who calls, the mapping, how to tell an admin. */
export interface RetireAccount {
  iam: IAMClient;
  accountId: string;
  partition: string;
  callerUserId: string;
  mapping: Mapping;
  state: WorkspaceState;
  /** A permission set's inline policy, to tell whether Identity Center administrator access exists. */
  inlinePolicyOf: (permissionSet: string) => PolicyDocument | null;
}

export interface PrincipalFactsInput {
  snapshot: IamUsersSnapshot;
  mapping: Mapping;
  callerUserId: string;
  /** --users: only these machine (or unclassified) users may be touched. */
  explicitlyNamed: readonly string[];
  identityCenterAdminVerified: boolean;
}

export function buildPrincipalFacts(input: PrincipalFactsInput): PrincipalFacts {
  const kinds = new Map(Object.entries(input.mapping.users).map(([name, u]) => [name.toLowerCase(), u.kind]));
  const spellings = new Map([...input.snapshot.users.keys()].map((name) => [name.toLowerCase(), name]));
  const tags = [...new Set([...input.mapping.protect.tags, PROTECT_TAG])].map(parseProtectTag).filter((t): t is { key: string; value: string } => t !== null);
  return {
    callerUserId: input.callerUserId,
    protectedNames: new Set(input.mapping.protect.users),
    protectedTags: tags,
    users: new Map(
      [...input.snapshot.users.values()].map((u) => [u.userName, { userId: u.userId, tags: u.tags, kind: kinds.get(u.userName.toLowerCase()) ?? 'unknown', isAdmin: u.isAdmin }]),
    ),
    // The guard compares IAM spellings: `--users CI` names user `ci`.
    explicitlyNamed: new Set(input.explicitlyNamed.map((name) => spellings.get(name.toLowerCase()) ?? name)),
    identityCenterAdminVerified: input.identityCenterAdminVerified,
  };
}

/**
 * Whether a person can administer the account through Identity Center already: a human user whose
 * access assign verified is assigned (directly or through a group) a permission set with
 * AdministratorAccess or an unconditional Allow of everything, in this very account. Assignments to
 * an OU are not counted: which accounts it holds is not known here, and guessing would lift the guard.
 */
export function isIdentityCenterAdminVerified(
  mapping: Mapping,
  state: Pick<WorkspaceState, 'phases'>,
  inlinePolicyOf: (permissionSet: string) => PolicyDocument | null,
  partition: string,
): boolean {
  const adminArn = administratorAccessArn(partition);
  const adminSets = new Set(
    Object.entries(mapping.permissionSets)
      .filter(([name, set]) => set.managedPolicies.includes(adminArn) || statementsOf(inlinePolicyOf(name)).some(isAllowAllStatement))
      .map(([name]) => name),
  );
  const access = state.phases.assignments?.access ?? {};
  const verified = Object.entries(mapping.users).filter(([name, u]) => u.kind === 'human' && access[name]?.verified === true).map(([name]) => name);
  return verified.some((user) =>
    mapping.assignments.some(
      (a) =>
        adminSets.has(a.permissionSet) &&
        a.targets.includes(mapping.account) &&
        (a.user === user || (a.group !== undefined && (mapping.groups[a.group]?.members ?? []).includes(user))),
    ),
  );
}
