import type { Mapping } from '../../workspace/mapping-schema.js';
import { assignmentKey, listDesiredAssignments, principalKey, type AssignmentKey, type CurrentAssignment } from './plan-assignments.js';

/** Whether one person can sign in through Identity Center with all the access the mapping gives them. */
export interface AccessVerification {
  verified: boolean;
  /** What is not there yet, one line each, e.g. `assignment Developers in 111111111111 (through group Devs)`. */
  missing: string[];
}

/** What Identity Center holds now, as read after an apply. */
export interface IdentityCenterState {
  /** Identity Center user names that exist (compared without regard to case). */
  users: Iterable<string>;
  /** The assignments that exist (a FAILED one is absent), principals named. */
  assignments: readonly CurrentAssignment[];
  /**
   * Group display name → member user names. When given, an assignment through a group also needs the
   * membership; when left out, memberships are not checked.
   */
  groupMembers?: ReadonlyMap<string, Iterable<string>>;
}

/**
 * Per human IAM user of the mapping: verified when their Identity Center user exists and every
 * assignment the mapping gives them, directly or through a group, exists. Pure. A user the mapping
 * gives no assignment is not verified: disabling their IAM access would leave them with none.
 */
export function verifyAccess(
  mapping: Pick<Mapping, 'users' | 'groups' | 'assignments'>,
  accountsByAssignment: readonly (readonly string[])[],
  state: IdentityCenterState,
): Record<string, AccessVerification> {
  const users = new Set([...state.users].map(principalKey));
  const assigned = new Set(state.assignments.flatMap((a) => (a.principalName === null ? [] : [assignmentKey({ ...a, principalName: a.principalName })])));
  const members = state.groupMembers === undefined ? null : new Map([...state.groupMembers].map(([group, names]) => [principalKey(group), new Set([...names].map(principalKey))]));

  const direct = new Map<string, AssignmentKey[]>();
  const viaGroup = new Map<string, AssignmentKey[]>();
  for (const a of listDesiredAssignments(mapping, accountsByAssignment)) {
    const into = a.principalType === 'USER' ? direct : viaGroup;
    const key = principalKey(a.principalName);
    into.set(key, [...(into.get(key) ?? []), a]);
  }

  const result: Record<string, AccessVerification> = {};
  for (const [iamUser, entry] of Object.entries(mapping.users).sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.kind !== 'human' || entry.userName === undefined) continue;
    const userName = entry.userName;
    const missing: string[] = [];
    if (!users.has(principalKey(userName))) missing.push(`Identity Center user ${userName}`);

    const needed = [...(direct.get(principalKey(userName)) ?? []).map((a) => ({ a, group: null as string | null }))];
    for (const [group, groupEntry] of Object.entries(mapping.groups)) {
      if (!groupEntry.members.includes(iamUser)) continue;
      const groupAssignments = viaGroup.get(principalKey(group)) ?? [];
      if (groupAssignments.length > 0 && members !== null && !members.get(principalKey(group))?.has(principalKey(userName))) {
        missing.push(`membership of group ${group}`);
      }
      needed.push(...groupAssignments.map((a) => ({ a, group })));
    }
    for (const { a, group } of needed) {
      if (!assigned.has(assignmentKey(a))) missing.push(`assignment ${a.permissionSetName} in ${a.accountId}${group === null ? '' : ` (through group ${group})`}`);
    }
    if (needed.length === 0) missing.push('any assignment: the mapping gives this user no access through Identity Center');
    result[iamUser] = { verified: missing.length === 0, missing };
  }
  return result;
}
