import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { planRestore, type AddedDenyPolicies, type CurrentUser, type RestoreDecision } from '../../../src/phases/cleanup/plan-restore.js';
import { RESTORE_KIND } from '../../../src/phases/cleanup/restore-handlers.js';
import { UserBackupSchema, type UserBackup } from '../../../src/workspace/user-backups.js';

const ACCOUNT = '111111111111';
const TAKEN_AT = '2026-03-20T12:00:00.000Z';
const DENY_ALL_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
const S3_READ = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const DENY_DOC = { Version: '2012-10-17', Statement: [{ Sid: 'Iam2idcDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] };
const SSH_BODY = 'ssh-rsa AAAAB3NzaC1yc2E alice@laptop';
const CERT_BODY = '-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----';

const id = (n: number) => `AIDAEXAMPLE${String(n).padStart(9, '0')}`;
const ALICE_ID = id(1);
const BOB_ID = id(2);
const NEW_ID = id(900);

type Contents = Omit<UserBackup, 'schemaVersion' | 'accountId' | 'digest' | 'takenAt' | 'updatedAt' | 'user'>;

/** A backup with nothing but the user, checked against the schema: only backups cleanup could write are used. */
function backup(userName: string, userId: string, overrides: Partial<Contents> = {}, user: Partial<UserBackup['user']> = {}): UserBackup {
  return UserBackupSchema.parse({
    schemaVersion: 2,
    // Planners take backups already checked against the journal; the digest is not theirs to check.
    digest: 'sha256:checked-by-the-command',
    accountId: ACCOUNT,
    takenAt: TAKEN_AT,
    updatedAt: TAKEN_AT,
    user: { userName, userId, arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`, path: '/', createDate: '2024-01-01T00:00:00.000Z', tags: [], permissionsBoundary: null, ...user },
    inlinePolicies: [],
    attachedPolicies: [],
    groups: [],
    sshPublicKeys: [],
    signingCertificates: [],
    mfaDevices: [],
    accessKeys: [],
    serviceSpecificCredentials: [],
    loginProfile: { existed: false, passwordResetRequired: false },
    ...overrides,
  });
}

/** A backup with everything a user can have, the deny policies disable adds included. */
function fullBackup(userName: string, userId: string): UserBackup {
  return backup(
    userName,
    userId,
    {
      inlinePolicies: [
        { name: 's3-read', document: S3_READ },
        { name: 'iam2idc-deny-all', document: DENY_DOC },
      ],
      attachedPolicies: [
        { name: 'ReadOnlyAccess', arn: READ_ONLY },
        { name: 'AWSDenyAll', arn: DENY_ALL_ARN },
      ],
      groups: ['developers', 'ops'],
      sshPublicKeys: [{ sshPublicKeyId: 'APKAEXAMPLESSH000001', status: 'Active', body: SSH_BODY, uploadDate: null }],
      signingCertificates: [{ certificateId: 'CERTEXAMPLE000000001', status: 'Inactive', body: CERT_BODY, uploadDate: null }],
      mfaDevices: [{ serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/${userName}`, type: 'virtual', enableDate: null }],
      accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000001', status: 'Inactive', createDate: null }],
      serviceSpecificCredentials: [{ id: 'ACCAEXAMPLE000000001', serviceName: 'codecommit.amazonaws.com', serviceUserName: `${userName}-at-${ACCOUNT}`, status: 'Active' }],
      loginProfile: { existed: true, passwordResetRequired: false },
    },
    { path: '/people/', tags: [{ key: 'team', value: 'data' }], permissionsBoundary: BOUNDARY },
  );
}

const params = (action: PlannedAction | undefined) => action?.params as Record<string, unknown>;
const none = new Map<string, CurrentUser>();
const statuses = (decisions: RestoreDecision[]) => decisions.map((d) => [d.userName, d.status]);
const kindsOf = (actions: PlannedAction[]) => actions.map((a) => a.kind);

describe('planRestore: a user absent now', () => {
  const { actions, decisions } = planRestore([fullBackup('alice', ALICE_ID)], none);
  const [create, ...rest] = actions;

  it('Given a backup of a user absent now, When planned, Then the user is planned', () => {
    expect(statuses(decisions)).toEqual([['alice', 'planned']]);
    expect(decisions[0]?.formerUserId).toBe(ALICE_ID);
    expect(decisions[0]?.exclusion).toBeNull();
    expect(decisions[0]?.backupTakenAt).toBe(TAKEN_AT);
  });

  it('Given a backup of a user absent now, When planned, Then CreateUser comes first, tagged with the old UserId, with path, tags and boundary', () => {
    expect(create?.kind).toBe('iam.CreateUser');
    expect(create?.dependsOn).toEqual([]);
    expect(create?.params).toStrictEqual({ userName: 'alice', restoredFrom: ALICE_ID, path: '/people/', tags: [{ key: 'team', value: 'data' }], permissionsBoundary: BOUNDARY });
  });

  it('Given a full backup, When planned, Then inline policies, managed policies, groups, SSH keys and certificates follow in that order', () => {
    expect(kindsOf(actions)).toEqual([
      'iam.CreateUser',
      'iam.PutUserPolicy',
      'iam.AttachUserPolicy',
      'iam.AttachUserPolicy',
      'iam.AddUserToGroup',
      'iam.AddUserToGroup',
      'iam.UploadSSHPublicKey',
      'iam.UploadSigningCertificate',
    ]);
  });

  it('Given a full backup, When planned, Then each action carries the params of what it restores', () => {
    expect(rest.map((a) => a.params)).toEqual([
      { userName: 'alice', policyName: 's3-read', document: S3_READ },
      { userName: 'alice', policyArn: READ_ONLY },
      { userName: 'alice', policyArn: DENY_ALL_ARN },
      { userName: 'alice', groupName: 'developers' },
      { userName: 'alice', groupName: 'ops' },
      { userName: 'alice', body: SSH_BODY, status: 'Active' },
      { userName: 'alice', body: CERT_BODY, status: 'Inactive' },
    ]);
  });

  it('Given a full backup, When planned, Then every action after CreateUser depends on it', () => {
    expect(rest.length).toBeGreaterThan(0);
    for (const action of rest) expect(action.dependsOn).toEqual([create?.id]);
  });

  it('Given a full backup, When planned, Then every action is broadening, on iam, and names the user in its principal and params', () => {
    for (const action of actions) {
      expect(action.risk).toBe('broadening');
      expect(action.service).toBe('iam');
      expect(action.principal?.userName).toBe('alice');
      expect(action.principal?.userName).toBe(params(action).userName);
    }
  });

  it('Given a full backup, When planned, Then the action IDs are unique', () => {
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });

  it('Given the inline deny-all of iam2idc in the backup, When planned, Then it is never put back', () => {
    expect(actions.filter((a) => a.kind === RESTORE_KIND.putPolicy).map((a) => params(a).policyName)).toEqual(['s3-read']);
  });

  it('Given an absent user with an explicit null in the current users, When planned, Then it is planned too', () => {
    const result = planRestore([backup('bob', BOB_ID)], new Map([['bob', null]]));
    expect(statuses(result.decisions)).toEqual([['bob', 'planned']]);
    expect(kindsOf(result.actions)).toEqual([RESTORE_KIND.createUser]);
  });

  it('Given a backup with nothing but the user, When planned, Then only CreateUser is planned, without boundary', () => {
    const result = planRestore([backup('bob', BOB_ID)], none);
    expect(result.actions.map((a) => [a.kind, a.params])).toEqual([[RESTORE_KIND.createUser, { userName: 'bob', restoredFrom: BOB_ID, path: '/', tags: [], permissionsBoundary: null }]]);
  });
});

describe('planRestore: AWSDenyAll', () => {
  const attached = (added?: AddedDenyPolicies) =>
    planRestore([fullBackup('alice', ALICE_ID)], none, added)
      .actions.filter((a) => a.kind === RESTORE_KIND.attachPolicy)
      .map((a) => params(a).policyArn);

  it('Given iam2idc attached AWSDenyAll to this former UserId, When planned, Then it is left out and the other managed policies kept', () => {
    expect(attached(new Map([[ALICE_ID, { inline: null, managed: DENY_ALL_ARN }]]))).toEqual([READ_ONLY]);
  });

  it('Given no record of what iam2idc added, When planned, Then AWSDenyAll is kept (the user had it before)', () => {
    expect(attached()).toEqual([READ_ONLY, DENY_ALL_ARN]);
    expect(attached(new Map())).toEqual([READ_ONLY, DENY_ALL_ARN]);
  });

  it('Given iam2idc added only an inline deny for this UserId, When planned, Then AWSDenyAll is kept', () => {
    expect(attached(new Map([[ALICE_ID, { inline: 'iam2idc-deny-all', managed: null }]]))).toEqual([READ_ONLY, DENY_ALL_ARN]);
  });

  it('Given iam2idc attached AWSDenyAll to another UserId of the same name, When planned, Then AWSDenyAll is kept for this one', () => {
    expect(attached(new Map([[BOB_ID, { inline: null, managed: DENY_ALL_ARN }]]))).toEqual([READ_ONLY, DENY_ALL_ARN]);
  });

  it('Given iam2idc attached AWSDenyAll to one of two users, When planned, Then it is left out for that one only', () => {
    const { actions } = planRestore([fullBackup('alice', ALICE_ID), fullBackup('bob', BOB_ID)], none, new Map([[BOB_ID, { inline: null, managed: DENY_ALL_ARN }]]));
    const arns = (userName: string) => actions.filter((a) => a.kind === RESTORE_KIND.attachPolicy && params(a).userName === userName).map((a) => params(a).policyArn);
    expect(arns('alice')).toEqual([READ_ONLY, DENY_ALL_ARN]);
    expect(arns('bob')).toEqual([READ_ONLY]);
  });
});

describe('planRestore: a user of that name exists now', () => {
  it('Given a user restored from this backup (tagged with the old UserId), When planned, Then the restore is resumed with its actions', () => {
    const current = new Map<string, CurrentUser>([['alice', { userId: NEW_ID, restoredFrom: ALICE_ID }]]);
    const { actions, decisions } = planRestore([fullBackup('alice', ALICE_ID)], current);
    expect(statuses(decisions)).toEqual([['alice', 'resumed']]);
    expect(decisions[0]?.exclusion).toBeNull();
    expect(kindsOf(actions)).toEqual(kindsOf(planRestore([fullBackup('alice', ALICE_ID)], none).actions));
    expect(params(actions[0]).restoredFrom).toBe(ALICE_ID);
  });

  it('Given another user of that name without the restored-from tag, When planned, Then it is excluded with no action', () => {
    const current = new Map<string, CurrentUser>([['alice', { userId: NEW_ID, restoredFrom: null }]]);
    const { actions, decisions } = planRestore([fullBackup('alice', ALICE_ID)], current);
    expect(statuses(decisions)).toEqual([['alice', 'excluded']]);
    expect(decisions[0]?.exclusion).toEqual(expect.any(String));
    expect(actions).toEqual([]);
  });

  it('Given a user of that name restored from another UserId, When planned, Then it is excluded with no action', () => {
    const current = new Map<string, CurrentUser>([['alice', { userId: NEW_ID, restoredFrom: id(777) }]]);
    const { actions, decisions } = planRestore([fullBackup('alice', ALICE_ID)], current);
    expect(statuses(decisions)).toEqual([['alice', 'excluded']]);
    expect(actions).toEqual([]);
  });

  it('Given the very user of the backup still exists (same UserId, never deleted), When planned, Then it is excluded with no action', () => {
    const current = new Map<string, CurrentUser>([['alice', { userId: ALICE_ID, restoredFrom: null }]]);
    const { actions, decisions } = planRestore([fullBackup('alice', ALICE_ID)], current);
    expect(statuses(decisions)).toEqual([['alice', 'excluded']]);
    expect(decisions[0]?.exclusion).toEqual(expect.any(String));
    expect(actions).toEqual([]);
  });

  it('Given one excluded and one absent user, When planned, Then only the absent one has actions', () => {
    const current = new Map<string, CurrentUser>([['alice', { userId: ALICE_ID, restoredFrom: null }]]);
    const { actions, decisions } = planRestore([fullBackup('bob', BOB_ID), fullBackup('alice', ALICE_ID)], current);
    expect(statuses(decisions)).toEqual([
      ['alice', 'excluded'],
      ['bob', 'planned'],
    ]);
    expect(new Set(actions.map((a) => params(a).userName))).toEqual(new Set(['bob']));
  });
});

describe('planRestore: several users', () => {
  it('Given two backups, When planned, Then each user restores after its own CreateUser and all IDs are unique', () => {
    const { actions } = planRestore([fullBackup('bob', BOB_ID), fullBackup('alice', ALICE_ID)], none);
    for (const name of ['alice', 'bob']) {
      const own = actions.filter((a) => params(a).userName === name);
      const create = own.find((a) => a.kind === RESTORE_KIND.createUser);
      expect(params(create).restoredFrom).toBe(name === 'alice' ? ALICE_ID : BOB_ID);
      for (const action of own.filter((a) => a !== create)) expect(action.dependsOn).toEqual([create?.id]);
    }
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });
});

describe('planRestore: what cannot be restored', () => {
  const cannot = (b: UserBackup) => planRestore([b], none).decisions[0]?.cannotRestore ?? [];

  it('Given a full backup, When planned, Then one entry per secret kind and one for the UserId, each with what to do instead', () => {
    const entries = cannot(fullBackup('alice', ALICE_ID));
    expect(entries).toHaveLength(5);
    for (const entry of entries) expect(entry.instead.trim()).not.toBe('');
    expect(entries.filter((e) => e.what.includes(ALICE_ID))).toHaveLength(1);
  });

  it('Given a backup with nothing secret, When planned, Then only the UserId cannot be restored', () => {
    const entries = cannot(backup('bob', BOB_ID, { groups: ['developers'], sshPublicKeys: [{ sshPublicKeyId: 'APKAEXAMPLESSH000002', status: 'Active', body: SSH_BODY, uploadDate: null }] }));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.what).toContain(BOB_ID);
    expect(entries[0]?.instead.trim()).not.toBe('');
  });

  it.each<[string, Partial<Contents>]>([
    ['access keys', { accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000009', status: 'Active', createDate: null }] }],
    ['a console password', { loginProfile: { existed: true, passwordResetRequired: true } }],
    ['MFA devices', { mfaDevices: [{ serialNumber: 'GAHT12345678', type: 'hardware', enableDate: null }] }],
    ['service-specific credentials', { serviceSpecificCredentials: [{ id: 'ACCAEXAMPLE000000009', serviceName: 'cassandra.amazonaws.com', serviceUserName: 'bob-at-111111111111', status: 'Active' }] }],
  ])('Given a backup with only %s, When planned, Then that kind and the UserId cannot be restored', (_kind, contents) => {
    const entries = cannot(backup('bob', BOB_ID, contents));
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry.instead.trim()).not.toBe('');
    expect(entries.filter((e) => e.what.includes(BOB_ID))).toHaveLength(1);
  });

  it('Given several access keys and credentials of one service, When planned, Then each kind is one entry', () => {
    const entries = cannot(
      backup('bob', BOB_ID, {
        accessKeys: [
          { accessKeyId: 'AKIAEXAMPLE000000008', status: 'Active', createDate: null },
          { accessKeyId: 'AKIAEXAMPLE000000009', status: 'Inactive', createDate: null },
        ],
        serviceSpecificCredentials: [
          { id: 'ACCAEXAMPLE000000008', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'bob-at-1', status: 'Active' },
          { id: 'ACCAEXAMPLE000000009', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'bob-at-2', status: 'Active' },
        ],
      }),
    );
    expect(entries).toHaveLength(3);
  });

  it('Given a login profile that did not exist, When planned, Then no password entry is listed', () => {
    expect(cannot(backup('bob', BOB_ID, { loginProfile: { existed: false, passwordResetRequired: false } }))).toHaveLength(1);
  });
});
