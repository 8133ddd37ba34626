import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
} from '@aws-sdk/client-identitystore';
import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { readDesiredIdentities } from '../../../src/phases/assign/identities/desired-identities.js';
import { createIdentityContext, createIdentityRegistry } from '../../../src/phases/assign/identities/identity-handlers.js';
import { IDC_KIND, planIdentities } from '../../../src/phases/assign/identities/plan-identities.js';
import type { CurrentIdentities } from '../../../src/phases/assign/identities/read-identities.js';
import { STORE_ID, awsError, mapping, mockIdentityStore } from './fixtures.js';

const { mock, client } = mockIdentityStore();
const signal = new AbortController().signal;

const desired = readDesiredIdentities(mapping({ 'jane.doe': { email: 'jane@corp.example' }, 'bob.lee': { email: 'bob@corp.example' } }, { Developers: ['jane.doe', 'bob.lee'] }), []);
const nothing = (): CurrentIdentities => ({ users: new Map(), groups: new Map() });

describe('planIdentities with the IdC directory', () => {
  it('Given an empty store, When planned, Then users, the group and memberships are created, memberships after both', () => {
    const plan = planIdentities(desired, nothing(), { identityStoreId: STORE_ID, source: 'idc' });
    expect(plan.actions.map((a) => [a.id, a.kind, a.risk, a.service])).toEqual([
      ['idc/user/jane.doe', IDC_KIND.createUser, 'broadening', 'identitystore'],
      ['idc/user/bob.lee', IDC_KIND.createUser, 'broadening', 'identitystore'],
      ['idc/group/Developers', IDC_KIND.createGroup, 'broadening', 'identitystore'],
      ['idc/group/Developers/member/jane.doe', IDC_KIND.createGroupMembership, 'broadening', 'identitystore'],
      ['idc/group/Developers/member/bob.lee', IDC_KIND.createGroupMembership, 'broadening', 'identitystore'],
    ]);
    expect(plan.actions[3]?.dependsOn).toEqual(['idc/group/Developers', 'idc/user/jane.doe']);
    expect(plan.actions[0]?.params).toEqual({ identityStoreId: STORE_ID, userName: 'jane.doe', displayName: 'Jane Doe', givenName: 'Jane', familyName: 'Doe', email: 'jane@corp.example' });
    expect(plan.actions[0]?.preview).toContain('names derived from the user name');
    expect(plan.newUsers.map((u) => u.userName)).toEqual(['jane.doe', 'bob.lee']);
    expect(plan.groupOnly).toBe(false);
  });

  it('Given everything already there, When planned, Then nothing is planned', () => {
    const current: CurrentIdentities = {
      users: new Map([['jane.doe', { userId: 'u-j', matchedBy: 'userName' }], ['bob.lee', { userId: 'u-b', matchedBy: 'email' }]]),
      groups: new Map([['Developers', { groupId: 'g', memberIds: ['u-j', 'u-b'] }]]),
    };
    expect(planIdentities(desired, current, { identityStoreId: STORE_ID, source: 'idc' }).actions).toEqual([]);
  });

  it('Given a user to create without an email, When planned, Then IDENTITY_FIELDS_MISSING and no action', () => {
    const noEmail = readDesiredIdentities(mapping({ 'jane.doe': {} }), []);
    expect(() => planIdentities(noEmail, nothing(), { identityStoreId: STORE_ID, source: 'idc' })).toThrow(
      expect.objectContaining({ code: 'IDENTITY_FIELDS_MISSING', problems: [expect.objectContaining({ field: 'users.jane.doe.email' })] }),
    );
  });

  it('Given a user without an email who already exists, When planned, Then it is not asked for', () => {
    const noEmail = readDesiredIdentities(mapping({ 'jane.doe': {} }), []);
    const current: CurrentIdentities = { users: new Map([['jane.doe', { userId: 'u-j', matchedBy: 'userName' }]]), groups: new Map() };
    expect(planIdentities(noEmail, current, { identityStoreId: STORE_ID, source: 'idc' }).actions).toEqual([]);
  });
});

describe('planIdentities with an external identity source', () => {
  it('Given one user resolved and one not, When planned, Then nothing is created and the missing user is reported with what to do in the IdP', () => {
    const current: CurrentIdentities = { users: new Map([['jane.doe', { userId: 'u-j', matchedBy: 'email' }]]), groups: new Map([['Developers', { groupId: 'g', memberIds: [] }]]) };
    const plan = planIdentities(desired, current, { identityStoreId: STORE_ID, source: 'external' });
    expect(plan.actions).toEqual([]);
    expect(plan.newUsers).toEqual([]);
    expect(plan.unresolvedUsers).toEqual([{ user: 'bob.lee', reason: expect.stringContaining('bob@corp.example'), whatToDoInIdp: expect.stringContaining('IdP') }]);
    expect(plan.missingMemberships).toEqual([{ group: 'Developers', user: 'jane.doe', whatToDoInIdp: expect.stringContaining('IdP') }]);
    expect(plan.groupOnly).toBe(false);
  });

  it('Given no user resolved, When planned, Then groupOnly is offered and missing groups are reported', () => {
    const plan = planIdentities(desired, nothing(), { identityStoreId: STORE_ID, source: 'external' });
    expect(plan.groupOnly).toBe(true);
    expect(plan.unresolvedUsers.map((u) => u.user)).toEqual(['jane.doe', 'bob.lee']);
    expect(plan.unresolvedGroups).toEqual([{ group: 'Developers', reason: expect.any(String), whatToDoInIdp: expect.stringContaining('IdP') }]);
  });
});

describe('identity handlers', () => {
  const reg = () => createIdentityRegistry(createIdentityContext(client, STORE_ID));
  const plan = () => planIdentities(readDesiredIdentities(mapping({ 'jane.doe': { email: 'jane@corp.example' } }, { Developers: ['jane.doe'] }), []), nothing(), { identityStoreId: STORE_ID, source: 'idc' });

  async function applyAll(actions: PlannedAction[]): Promise<string[]> {
    const r = reg();
    const applied: string[] = [];
    for (const action of actions) {
      const handler = r.get(action.kind);
      if (!handler) throw new Error(`no handler for ${action.kind}`);
      if (await handler.isDone(action.params, r.context, signal)) continue;
      await handler.apply(action.params, r.context, signal);
      applied.push(action.kind);
    }
    return applied;
  }

  it('Given an empty store, When applied, Then the user is created with name, display name and a primary work email, then the group and membership', async () => {
    mock.on(GetUserIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(GetGroupIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(CreateUserCommand).resolves({ UserId: 'u-j', IdentityStoreId: STORE_ID });
    mock.on(CreateGroupCommand).resolves({ GroupId: 'g-d', IdentityStoreId: STORE_ID });
    mock.on(GetGroupMembershipIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(CreateGroupMembershipCommand).resolves({ MembershipId: 'm-1', IdentityStoreId: STORE_ID });

    expect(await applyAll(plan().actions)).toEqual([IDC_KIND.createUser, IDC_KIND.createGroup, IDC_KIND.createGroupMembership]);
    expect(mock.commandCalls(CreateUserCommand)[0]?.args[0].input).toEqual({
      IdentityStoreId: STORE_ID,
      UserName: 'jane.doe',
      DisplayName: 'Jane Doe',
      Name: { GivenName: 'Jane', FamilyName: 'Doe' },
      Emails: [{ Value: 'jane@corp.example', Primary: true, Type: 'work' }],
    });
    expect(mock.commandCalls(CreateGroupMembershipCommand)[0]?.args[0].input).toEqual({ IdentityStoreId: STORE_ID, GroupId: 'g-d', MemberId: { UserId: 'u-j' } });
  });

  it('Given a run interrupted after the user and group were created, When resumed, Then only the membership is made', async () => {
    mock.on(GetUserIdCommand).resolves({ UserId: 'u-j', IdentityStoreId: STORE_ID });
    mock.on(GetGroupIdCommand).resolves({ GroupId: 'g-d', IdentityStoreId: STORE_ID });
    mock.on(GetGroupMembershipIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(CreateGroupMembershipCommand).resolves({ MembershipId: 'm-1', IdentityStoreId: STORE_ID });

    expect(await applyAll(plan().actions)).toEqual([IDC_KIND.createGroupMembership]);
    expect(mock.commandCalls(CreateUserCommand)).toHaveLength(0);
    expect(mock.commandCalls(CreateGroupCommand)).toHaveLength(0);
  });

  it('Given a ConflictException because the user appeared meanwhile, When applied, Then it counts as done', async () => {
    mock.on(GetUserIdCommand).rejectsOnce(awsError('ResourceNotFoundException')).resolves({ UserId: 'u-j', IdentityStoreId: STORE_ID });
    mock.on(CreateUserCommand).rejects(awsError('ConflictException'));
    const action = plan().actions[0] as PlannedAction;
    const r = reg();
    const handler = r.get(action.kind);
    expect(await handler?.isDone(action.params, r.context, signal)).toBe(false);
    const outcome = await handler?.apply(action.params, r.context, signal);
    expect(outcome).toEqual({ requestId: null, detail: 'it already existed' });
  });

  it('Given a membership whose group is missing, When applied from a saved plan, Then IDENTITY_NOT_FOUND', async () => {
    mock.on(GetUserIdCommand).resolves({ UserId: 'u-j', IdentityStoreId: STORE_ID });
    mock.on(GetGroupIdCommand).rejects(awsError('ResourceNotFoundException'));
    const action = plan().actions[2] as PlannedAction;
    const r = reg();
    await expect(r.get(action.kind)?.apply(action.params, r.context, signal)).rejects.toMatchObject({ code: 'IDENTITY_NOT_FOUND' });
  });

  it('Given a user that now exists, When a saved plan is fingerprinted, Then the fingerprint differs from the planned one', async () => {
    mock.on(GetUserIdCommand).resolves({ UserId: 'u-j', IdentityStoreId: STORE_ID });
    const action = plan().actions[0] as PlannedAction;
    const r = reg();
    expect(action.fingerprint).toBe('absent');
    expect(await r.get(action.kind)?.fingerprint?.(action.params, r.context, signal)).toBe('present:u-j');
  });
});
