import { DescribeGroupCommand, DescribeUserCommand, type IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { DesiredIdentities } from './identities/desired-identities.js';
import { isNotFound, readCurrentIdentities, type CurrentIdentities } from './identities/read-identities.js';
import type { CurrentAssignment, PrincipalType } from './plan-assignments.js';
import { nameAssignments, readAccountAssignments } from './read-assignments.js';

export interface AssignmentState {
  identities: CurrentIdentities;
  assignments: CurrentAssignment[];
}

/**
 * What Identity Center has now for the mapping: its users and groups, and the assignments of the
 * mapped permission sets on the target accounts, with principals named for comparison.
 */
export async function readAssignmentState(options: {
  identityStore: IdentitystoreClient;
  identityStoreId: string;
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  desired: DesiredIdentities;
  accounts: readonly string[];
  permissionSetArns: ReadonlyMap<string, string>;
}): Promise<AssignmentState> {
  const identities = await readCurrentIdentities(options.identityStore, options.identityStoreId, options.desired);
  const listed = await readAccountAssignments(options.ssoAdmin, options.instanceArn, options.accounts, options.permissionSetArns);
  const assignments = await nameAssignments(listed, (type, id) => principalName(options.identityStore, options.identityStoreId, type, id));
  return { identities, assignments };
}

/** A principal's name from its ID; null when it no longer exists (an orphaned assignment). */
async function principalName(store: IdentitystoreClient, identityStoreId: string, type: PrincipalType, id: string): Promise<string | null> {
  try {
    if (type === 'USER') return (await store.send(new DescribeUserCommand({ IdentityStoreId: identityStoreId, UserId: id }))).UserName ?? null;
    return (await store.send(new DescribeGroupCommand({ IdentityStoreId: identityStoreId, GroupId: id }))).DisplayName ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Group display name → member user names, for the access check. */
export function groupMembersByName(identities: CurrentIdentities): Map<string, string[]> {
  const nameById = new Map([...identities.users].map(([name, user]) => [user.userId, name]));
  return new Map([...identities.groups].map(([name, group]) => [name, group.memberIds.map((id) => nameById.get(id)).filter((n): n is string => n !== undefined)]));
}
