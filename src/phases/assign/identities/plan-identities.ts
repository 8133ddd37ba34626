import type { PlannedAction } from '../../../plan/plan-types.js';
import type { IdentitySource } from './detect-identity-source.js';
import { MAPPING_FILE } from '../../../workspace/mapping-file.js';
import { missingFieldsError, type DesiredIdentities, type DesiredUser, type UserField } from './desired-identities.js';
import type { CurrentIdentities } from './read-identities.js';

/**
 * The identity store actions of `assign`. Parameters address users and groups by name and store,
 * never by an ID that an earlier action creates, so a saved plan also works for what it creates.
 */
export const IDC_KIND = {
  createUser: 'idc.CreateUser',
  createGroup: 'idc.CreateGroup',
  createGroupMembership: 'idc.CreateGroupMembership',
} as const;

/** The fingerprint of a user, group or membership that does not exist yet. */
export const ABSENT_FINGERPRINT = 'absent';

export interface IdentityStoreRef {
  identityStoreId: string;
}

export interface CreateUserParams extends IdentityStoreRef {
  userName: string;
  displayName: string;
  givenName: string;
  familyName: string;
  email: string;
}

export interface CreateGroupParams extends IdentityStoreRef {
  displayName: string;
  description: string | null;
}

export interface CreateGroupMembershipParams extends IdentityStoreRef {
  groupDisplayName: string;
  userName: string;
}

/** A desired user the store does not have and the tool may not create. */
export interface UnresolvedUser {
  /** The Identity Center user name looked for. */
  user: string;
  reason: string;
  whatToDoInIdp: string;
}

export interface UnresolvedGroup {
  group: string;
  reason: string;
  whatToDoInIdp: string;
}

/** A membership the mapping wants that only the external source can make. */
export interface MissingMembership {
  group: string;
  user: string;
  whatToDoInIdp: string;
}

export interface IdentityPlan {
  actions: PlannedAction[];
  /** Users this plan creates: they need the onboarding report. */
  newUsers: CreateUserParams[];
  unresolvedUsers: UnresolvedUser[];
  unresolvedGroups: UnresolvedGroup[];
  missingMemberships: MissingMembership[];
  /**
   * With an external source, no desired user exists in the store: only the groups the IdP
   * provisions can be assigned, so the caller offers a group-only mapping.
   */
  groupOnly: boolean;
}

/** Stable ids: `idc/user/<userName>`, `idc/group/<displayName>`, `idc/group/<displayName>/member/<userName>`. */
export const identityActionId = {
  user: (userName: string) => `idc/user/${userName}`,
  group: (displayName: string) => `idc/group/${displayName}`,
  membership: (displayName: string, userName: string) => `idc/group/${displayName}/member/${userName}`,
};

/**
 * The actions that make the store hold the desired users, groups and memberships. Pure. With the
 * IdC directory, what is missing is created; a user to create must have every field (else
 * `IDENTITY_FIELDS_MISSING`, exit 2: never a user without an email). With an external source
 * nothing is created: what is missing is reported with what to do in the IdP. What exists is never
 * changed, and nothing is removed, so a re-run after success plans nothing.
 */
export function planIdentities(desired: DesiredIdentities, current: CurrentIdentities, options: { identityStoreId: string; source: IdentitySource }): IdentityPlan {
  const { identityStoreId, source } = options;
  const plan: IdentityPlan = { actions: [], newUsers: [], unresolvedUsers: [], unresolvedGroups: [], missingMemberships: [], groupOnly: false };
  const absentUsers = desired.users.filter((u) => !current.users.has(u.userName));

  if (source === 'idc') {
    const incomplete = absentUsers.flatMap((u) => missingOf(u).map((field) => ({ user: u.iamUserName, field })));
    if (incomplete.length > 0) throw missingFieldsError(incomplete);
    for (const user of absentUsers) {
      const params = createUserParams(user, identityStoreId);
      plan.newUsers.push(params);
      plan.actions.push(action(identityActionId.user(user.userName), IDC_KIND.createUser, `user ${user.userName}`, describeNewUser(user), params, []));
    }
  } else {
    for (const user of absentUsers) {
      plan.unresolvedUsers.push({
        user: user.userName,
        reason: `no user with user name ${user.userName}${user.email === null ? '' : ` or email ${user.email}`} in the identity store`,
        whatToDoInIdp: `Create or assign ${user.userName} in the IdP so that it is provisioned to IAM Identity Center (or set users.${user.iamUserName}.userName in ${MAPPING_FILE} to the name the IdP uses), then run assign again.`,
      });
    }
    plan.groupOnly = desired.users.length > 0 && absentUsers.length === desired.users.length;
  }

  const hasUser = (userName: string) => current.users.has(userName) || source === 'idc';
  for (const group of desired.groups) {
    const existing = current.groups.get(group.displayName);
    if (existing === undefined && source === 'external') {
      plan.unresolvedGroups.push({
        group: group.displayName,
        reason: `no group named ${group.displayName} in the identity store`,
        whatToDoInIdp: `Create the group ${group.displayName} in the IdP and push it to IAM Identity Center, or rename it in ${MAPPING_FILE} to the group the IdP provisions.`,
      });
      continue;
    }
    const groupId = identityActionId.group(group.displayName);
    if (existing === undefined) {
      const params: CreateGroupParams = { identityStoreId, displayName: group.displayName, description: group.description };
      plan.actions.push(action(groupId, IDC_KIND.createGroup, `group ${group.displayName}`, `create group ${group.displayName}`, params, []));
    }
    const memberIds = new Set(existing?.memberIds ?? []);
    for (const userName of group.members) {
      if (!hasUser(userName)) continue;
      const userId = current.users.get(userName)?.userId;
      if (userId !== undefined && memberIds.has(userId)) continue;
      if (source === 'external') {
        plan.missingMemberships.push({ group: group.displayName, user: userName, whatToDoInIdp: `Add ${userName} to ${group.displayName} in the IdP; the next provisioning cycle brings the membership over.` });
        continue;
      }
      const dependsOn = [...(existing === undefined ? [groupId] : []), ...(userId === undefined ? [identityActionId.user(userName)] : [])];
      const params: CreateGroupMembershipParams = { identityStoreId, groupDisplayName: group.displayName, userName };
      plan.actions.push(action(identityActionId.membership(group.displayName, userName), IDC_KIND.createGroupMembership, `group ${group.displayName}`, `add ${userName} to group ${group.displayName}`, params, dependsOn));
    }
  }
  return plan;
}

function missingOf(user: DesiredUser): UserField[] {
  return (['email', 'displayName', 'givenName', 'familyName'] as const).filter((field) => user[field] === null);
}

function createUserParams(user: DesiredUser, identityStoreId: string): CreateUserParams {
  return {
    identityStoreId,
    userName: user.userName,
    displayName: user.displayName as string,
    givenName: user.givenName as string,
    familyName: user.familyName as string,
    email: user.email as string,
  };
}

/** `create user jane.doe: Jane Doe <jane@corp.example> (names derived from the user name; email from an IAM tag)`. */
export function describeNewUser(user: DesiredUser): string {
  const notes: string[] = [];
  const origins = user.origins;
  if (origins.givenName === 'derived' || origins.familyName === 'derived') notes.push('names derived from the user name');
  if (origins.email === 'template') notes.push('email from --email-template');
  if (origins.email === 'tag') notes.push('email from an IAM tag');
  if (origins.givenName === 'tag' || origins.familyName === 'tag') notes.push('names from IAM tags');
  return `create user ${user.userName}: ${user.displayName ?? ''} <${user.email ?? ''}>${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

function action<P>(id: string, kind: string, target: string, preview: string, params: P, dependsOn: string[]): PlannedAction<P> {
  return { id, kind, service: 'identitystore', target, risk: 'broadening', preview, params, dependsOn, fingerprint: ABSENT_FINGERPRINT };
}
