import { CreateGroupCommand, CreateGroupMembershipCommand, CreateUserCommand } from '@aws-sdk/client-identitystore';
import { Fault } from '../../../errors.js';
import { z } from 'zod';
import { ActionRegistry, type ActionHandler, type ActionKind, type ApplyOutcome } from '../../../plan/plan-types.js';
import { ABSENT_FINGERPRINT, IDC_KIND, type CreateGroupMembershipParams, type CreateGroupParams, type CreateUserParams } from './plan-identities.js';
import { findGroupId, findMembershipId, findUserIdBy, type IdentityStore } from './read-identities.js';

/** What the identity handlers share during one run. */
export interface IdentityContext {
  identityStore: IdentityStore;
  /** The user's ID by user name, or null. IDs found or created are kept for the run. */
  userIdOf(userName: string, signal: AbortSignal): Promise<string | null>;
  /** The group's ID by display name, or null. */
  groupIdOf(displayName: string, signal: AbortSignal): Promise<string | null>;
  rememberUser(userName: string, userId: string): void;
  rememberGroup(displayName: string, groupId: string): void;
}

/**
 * The context for one run. An ID once found is kept: users and groups are not deleted by this
 * command, and a lookup right after a create may not see it yet. Absence is not kept, so a
 * re-check after a failure reads again.
 */
export function createIdentityContext(identityStore: IdentityStore, identityStoreId: string): IdentityContext {
  const users = new Map<string, string>();
  const groups = new Map<string, string>();
  const key = (name: string) => name.toLowerCase();
  return {
    identityStore,
    async userIdOf(userName, signal) {
      const known = users.get(key(userName));
      if (known !== undefined) return known;
      const found = await findUserIdBy(identityStore, identityStoreId, 'userName', userName, signal);
      if (found !== null) users.set(key(userName), found);
      return found;
    },
    async groupIdOf(displayName, signal) {
      const known = groups.get(displayName);
      if (known !== undefined) return known;
      const found = await findGroupId(identityStore, identityStoreId, displayName, signal);
      if (found !== null) groups.set(displayName, found);
      return found;
    },
    rememberUser: (userName, userId) => users.set(key(userName), userId),
    rememberGroup: (displayName, groupId) => groups.set(displayName, groupId),
  };
}

/** The handlers of every action `planIdentities` plans, sharing one context. */
export function createIdentityRegistry(context: IdentityContext): ActionRegistry<IdentityContext> {
  return new ActionRegistry(context).register(createUserHandler).register(createGroupHandler).register(createMembershipHandler);
}

/** What the identity store actions mean, for checking a saved plan before any AWS call. */
export function identityKinds(): ActionKind[] {
  return [createUserHandler, createGroupHandler, createMembershipHandler] as ActionKind[];
}

const store = { identityStoreId: z.string().min(1) };
const createUserParams: z.ZodType<CreateUserParams> = z.strictObject({ ...store, userName: z.string().min(1), displayName: z.string(), givenName: z.string(), familyName: z.string(), email: z.string() });
const createGroupParams: z.ZodType<CreateGroupParams> = z.strictObject({ ...store, displayName: z.string().min(1), description: z.string().nullable() });
const membershipParams: z.ZodType<CreateGroupMembershipParams> = z.strictObject({ ...store, groupDisplayName: z.string().min(1), userName: z.string().min(1) });
/** Every identity store action adds a user, a group or a membership. */
const addsToStore = { service: 'identitystore', risk: 'broadening' } as const;

/** The store's answer to a create whose unique name (or membership) is already taken. */
function isConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConflictException';
}

function outcomeOf(output: { $metadata?: { requestId?: string } } | null, detail: string): ApplyOutcome {
  return { requestId: output?.$metadata?.requestId ?? null, detail };
}

/**
 * Sends a create; a ConflictException with the thing now there means an earlier, interrupted run
 * (or someone else) made it: that is the goal, so it counts as done. Returns null then.
 */
async function createOnce<T>(call: () => Promise<T>, existsNow: () => Promise<boolean>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isConflict(error) && (await existsNow())) return null;
    throw error;
  }
}

const presentOrAbsent = (id: string | null) => (id === null ? ABSENT_FINGERPRINT : `present:${id}`);

const createUserHandler: ActionHandler<CreateUserParams, IdentityContext> = {
  kind: IDC_KIND.createUser,
  ...addsToStore,
  params: createUserParams,
  isDone: async (params, context, signal) => (await context.userIdOf(params.userName, signal)) !== null,
  fingerprint: async (params, context, signal) => presentOrAbsent(await context.userIdOf(params.userName, signal)),
  async apply(params, context, signal) {
    const input = {
      IdentityStoreId: params.identityStoreId,
      UserName: params.userName,
      DisplayName: params.displayName,
      Name: { GivenName: params.givenName, FamilyName: params.familyName },
      Emails: [{ Value: params.email, Primary: true, Type: 'work' }],
    };
    const out = await createOnce(
      () => context.identityStore.send(new CreateUserCommand(input), { abortSignal: signal }),
      async () => (await context.userIdOf(params.userName, signal)) !== null,
    );
    if (out?.UserId) context.rememberUser(params.userName, out.UserId);
    return outcomeOf(out, out?.UserId ? `user ID ${out.UserId}` : 'it already existed');
  },
};

const createGroupHandler: ActionHandler<CreateGroupParams, IdentityContext> = {
  kind: IDC_KIND.createGroup,
  ...addsToStore,
  params: createGroupParams,
  isDone: async (params, context, signal) => (await context.groupIdOf(params.displayName, signal)) !== null,
  fingerprint: async (params, context, signal) => presentOrAbsent(await context.groupIdOf(params.displayName, signal)),
  async apply(params, context, signal) {
    const input = { IdentityStoreId: params.identityStoreId, DisplayName: params.displayName, ...(params.description === null ? {} : { Description: params.description }) };
    const out = await createOnce(
      () => context.identityStore.send(new CreateGroupCommand(input), { abortSignal: signal }),
      async () => (await context.groupIdOf(params.displayName, signal)) !== null,
    );
    if (out?.GroupId) context.rememberGroup(params.displayName, out.GroupId);
    return outcomeOf(out, out?.GroupId ? `group ID ${out.GroupId}` : 'it already existed');
  },
};

/** Both IDs of a membership, or null when the user or the group is not there (then it cannot exist). */
async function membershipIds(params: CreateGroupMembershipParams, context: IdentityContext, signal: AbortSignal): Promise<{ groupId: string; userId: string } | null> {
  const [groupId, userId] = await Promise.all([context.groupIdOf(params.groupDisplayName, signal), context.userIdOf(params.userName, signal)]);
  return groupId === null || userId === null ? null : { groupId, userId };
}

async function membershipId(params: CreateGroupMembershipParams, context: IdentityContext, signal: AbortSignal): Promise<string | null> {
  const ids = await membershipIds(params, context, signal);
  return ids === null ? null : findMembershipId(context.identityStore, params.identityStoreId, ids.groupId, ids.userId, signal);
}

const createMembershipHandler: ActionHandler<CreateGroupMembershipParams, IdentityContext> = {
  kind: IDC_KIND.createGroupMembership,
  ...addsToStore,
  params: membershipParams,
  isDone: async (params, context, signal) => (await membershipId(params, context, signal)) !== null,
  fingerprint: async (params, context, signal) => presentOrAbsent(await membershipId(params, context, signal)),
  async apply(params, context, signal) {
    const ids = await membershipIds(params, context, signal);
    if (ids === null) {
      throw new Fault(
        'IDENTITY_NOT_FOUND',
        `Cannot add ${params.userName} to group ${params.groupDisplayName}: the user or the group is not in identity store ${params.identityStoreId}.`,
        'Run assign again without --plan: it plans the creation of the user and the group first.',
      );
    }
    const input = { IdentityStoreId: params.identityStoreId, GroupId: ids.groupId, MemberId: { UserId: ids.userId } };
    const out = await createOnce(
      () => context.identityStore.send(new CreateGroupMembershipCommand(input), { abortSignal: signal }),
      async () => (await findMembershipId(context.identityStore, params.identityStoreId, ids.groupId, ids.userId, signal)) !== null,
    );
    return outcomeOf(out, out?.MembershipId ? `membership ID ${out.MembershipId}` : 'it already existed');
  },
};
