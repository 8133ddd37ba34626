import { GetGroupIdCommand, GetUserIdCommand, ListGroupMembershipsCommand, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { describe, expect, it } from 'vitest';
import { detectIdentitySource } from '../../../src/phases/assign/identities/detect-identity-source.js';
import { readDesiredIdentities } from '../../../src/phases/assign/identities/desired-identities.js';
import { readCurrentIdentities } from '../../../src/phases/assign/identities/read-identities.js';
import { STORE_ID, awsError, mapping, mockIdentityStore } from './fixtures.js';

const { mock, client } = mockIdentityStore();

const byUserName = (value: string) => ({ IdentityStoreId: STORE_ID, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: value } } });
const byEmail = (value: string) => ({ IdentityStoreId: STORE_ID, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: value } } });

describe('detectIdentitySource', () => {
  it('Given --identity-source external, When detected, Then the flag wins and nothing is read', async () => {
    const detected = await detectIdentitySource(client, STORE_ID, { option: 'external' });
    expect(detected).toMatchObject({ source: 'external', decidedBy: 'flag' });
    expect(mock.calls()).toHaveLength(0);
  });

  it('Given a store whose users carry SCIM external IDs, When detected, Then the source is external', async () => {
    mock.on(ListUsersCommand).resolves({ Users: [{ IdentityStoreId: STORE_ID, UserId: 'u-1', UserName: 'jane', ExternalIds: [{ Issuer: 'https://scim.example.com', Id: '42' }] }] });
    const detected = await detectIdentitySource(client, STORE_ID);
    expect(detected).toMatchObject({ source: 'external', decidedBy: 'external-ids' });
    expect(detected.reason).toContain('https://scim.example.com');
  });

  it('Given a store with only directory users (or none), When detected, Then the source is the IdC directory by default', async () => {
    mock.on(ListUsersCommand).resolves({ Users: [{ IdentityStoreId: STORE_ID, UserId: 'u-1', UserName: 'jane' }] });
    expect(await detectIdentitySource(client, STORE_ID)).toMatchObject({ source: 'idc', decidedBy: 'default' });
    mock.on(ListUsersCommand).resolves({ Users: [] });
    expect((await detectIdentitySource(client, STORE_ID)).reason).toContain('no users');
  });
});

describe('readCurrentIdentities', () => {
  const desired = readDesiredIdentities(
    mapping({ 'jane.doe': { email: 'jane@corp.example' }, 'bob.lee': { email: 'bob@corp.example' }, 'ann.kim': { email: 'ann@corp.example' } }, { Developers: ['jane.doe'], Ops: ['bob.lee'] }),
    [],
  );

  it('Given users found by user name, by email, and not at all, When read, Then each is resolved the way it was found or left absent', async () => {
    mock.on(GetUserIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(GetUserIdCommand, byUserName('jane.doe')).resolves({ UserId: 'u-jane', IdentityStoreId: STORE_ID });
    mock.on(GetUserIdCommand, byEmail('bob@corp.example')).resolves({ UserId: 'u-bob', IdentityStoreId: STORE_ID });
    mock.on(GetGroupIdCommand).rejects(awsError('ResourceNotFoundException'));

    const current = await readCurrentIdentities(client, STORE_ID, desired);

    expect(Object.fromEntries(current.users)).toEqual({ 'jane.doe': { userId: 'u-jane', matchedBy: 'userName' }, 'bob.lee': { userId: 'u-bob', matchedBy: 'email' } });
    expect(current.groups.size).toBe(0);
  });

  it('Given a group found by display name with paginated memberships, When read, Then every member ID is collected', async () => {
    mock.on(GetUserIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(GetGroupIdCommand).rejects(awsError('ResourceNotFoundException'));
    mock.on(GetGroupIdCommand, { IdentityStoreId: STORE_ID, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Developers' } } }).resolves({ GroupId: 'g-dev', IdentityStoreId: STORE_ID });
    mock
      .on(ListGroupMembershipsCommand)
      .resolvesOnce({ GroupMemberships: [{ IdentityStoreId: STORE_ID, MemberId: { UserId: 'u-1' } }], NextToken: 't' })
      .resolvesOnce({ GroupMemberships: [{ IdentityStoreId: STORE_ID, MemberId: { UserId: 'u-2' } }] });

    const current = await readCurrentIdentities(client, STORE_ID, desired);

    expect(current.groups.get('Developers')).toEqual({ groupId: 'g-dev', memberIds: ['u-1', 'u-2'] });
    expect(current.groups.has('Ops')).toBe(false);
  });

  it('Given a failure other than not-found, When read, Then it is not taken for absence', async () => {
    mock.on(GetUserIdCommand).rejects(awsError('AccessDeniedException'));
    await expect(readCurrentIdentities(client, STORE_ID, desired)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
