import type { Mapping } from './mapping-schema.js';

export interface PersonPermissionSets {
  /** The IAM user, as mapping.yaml names it. */
  iamUser: string;
  /** The Identity Center user it becomes. */
  userName: string;
  /** Every permission set the person receives in the account, directly or through a group, each once. */
  permissionSets: string[];
}

/**
 * Which permission sets each person of the mapping receives in `accountId`: assignments to the user
 * and to the groups it is a member of. An OU or root target may hold the account, so it counts.
 */
export function permissionSetsOfPeople(mapping: Pick<Mapping, 'users' | 'groups' | 'assignments'>, accountId: string): PersonPermissionSets[] {
  const reaches = (targets: readonly string[]) => targets.some((t) => t === accountId || !/^\d{12}$/.test(t));
  const people: PersonPermissionSets[] = [];
  for (const [iamUser, entry] of Object.entries(mapping.users).sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.kind !== 'human' || entry.userName === undefined) continue;
    const lower = iamUser.toLowerCase();
    const groups = new Set(Object.entries(mapping.groups).filter(([, g]) => g.members.some((m) => m.toLowerCase() === lower)).map(([name]) => name));
    const sets = mapping.assignments
      .filter((a) => reaches(a.targets) && ((a.user !== undefined && a.user.toLowerCase() === lower) || (a.group !== undefined && groups.has(a.group))))
      .map((a) => a.permissionSet);
    people.push({ iamUser, userName: entry.userName, permissionSets: [...new Set(sets)].sort() });
  }
  return people;
}
