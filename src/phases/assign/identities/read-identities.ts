import {
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
  paginateListGroupMemberships,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import pMap from 'p-map';
import type { DesiredIdentities } from './desired-identities.js';

/** The identity store client; a full client because the SDK paginators require one. */
export type IdentityStore = IdentitystoreClient;

/** An Identity Center user found for a desired one. */
export interface ResolvedUser {
  userId: string;
  /** `email` when the user name found nothing and the email did: the store names that person differently. */
  matchedBy: 'userName' | 'email';
}

export interface ResolvedGroup {
  groupId: string;
  /** User IDs of its members. */
  memberIds: string[];
}

/** What exists of the desired users and groups; an absent key is absent from the store. */
export interface CurrentIdentities {
  /** By desired Identity Center user name. */
  users: Map<string, ResolvedUser>;
  /** By display name. */
  groups: Map<string, ResolvedGroup>;
}

/** The store's answer for an identifier that names nothing. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** The ID of the user with this unique attribute value (`userName` or `emails.value`), or null. */
export async function findUserIdBy(store: IdentityStore, identityStoreId: string, attributePath: 'userName' | 'emails.value', value: string, signal?: AbortSignal): Promise<string | null> {
  const out = await orNull(
    store.send(new GetUserIdCommand({ IdentityStoreId: identityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: attributePath, AttributeValue: value } } }), { abortSignal: signal }),
  );
  return out?.UserId ?? null;
}

/** The user by user name, else by email when one is known. */
export async function resolveUser(store: IdentityStore, identityStoreId: string, userName: string, email: string | null, signal?: AbortSignal): Promise<ResolvedUser | null> {
  const byName = await findUserIdBy(store, identityStoreId, 'userName', userName, signal);
  if (byName !== null) return { userId: byName, matchedBy: 'userName' };
  if (email === null) return null;
  const byEmail = await findUserIdBy(store, identityStoreId, 'emails.value', email, signal);
  return byEmail === null ? null : { userId: byEmail, matchedBy: 'email' };
}

/** The ID of the group with this display name, or null. */
export async function findGroupId(store: IdentityStore, identityStoreId: string, displayName: string, signal?: AbortSignal): Promise<string | null> {
  const out = await orNull(
    store.send(new GetGroupIdCommand({ IdentityStoreId: identityStoreId, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: displayName } } }), { abortSignal: signal }),
  );
  return out?.GroupId ?? null;
}

/** The user IDs of a group's members (groups hold only users here). */
export async function listGroupMemberIds(store: IdentityStore, identityStoreId: string, groupId: string, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateListGroupMemberships({ client: store, pageSize: 100, ...(signal ? { abortSignal: signal } : {}) }, { IdentityStoreId: identityStoreId, GroupId: groupId });
  for await (const page of pages) {
    for (const membership of page.GroupMemberships ?? []) {
      const userId = membership.MemberId?.UserId;
      if (userId) ids.push(userId);
    }
  }
  return ids;
}

/** The membership's ID when the user is a member of the group, else null. */
export async function findMembershipId(store: IdentityStore, identityStoreId: string, groupId: string, userId: string, signal?: AbortSignal): Promise<string | null> {
  const out = await orNull(store.send(new GetGroupMembershipIdCommand({ IdentityStoreId: identityStoreId, GroupId: groupId, MemberId: { UserId: userId } }), { abortSignal: signal }));
  return out?.MembershipId ?? null;
}

/**
 * Looks up every desired user and group, and the members of each group found. Only what the mapping
 * names is read: other people in the store are not the tool's business.
 */
export async function readCurrentIdentities(
  store: IdentityStore,
  identityStoreId: string,
  desired: Pick<DesiredIdentities, 'users' | 'groups'>,
  options: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<CurrentIdentities> {
  const concurrency = options.concurrency ?? 4;
  const signal = options.signal;
  const users = new Map<string, ResolvedUser>();
  await pMap(
    desired.users,
    async (user) => {
      const found = await resolveUser(store, identityStoreId, user.userName, user.email, signal);
      if (found !== null) users.set(user.userName, found);
    },
    { concurrency, ...(signal ? { signal } : {}) },
  );
  const groups = new Map<string, ResolvedGroup>();
  await pMap(
    desired.groups,
    async (group) => {
      const groupId = await findGroupId(store, identityStoreId, group.displayName, signal);
      if (groupId === null) return;
      groups.set(group.displayName, { groupId, memberIds: await listGroupMemberIds(store, identityStoreId, groupId, signal) });
    },
    { concurrency, ...(signal ? { signal } : {}) },
  );
  return { users, groups };
}
