import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { cleanupFingerprint, credentialIds, STEP_RISK } from '../../../src/phases/cleanup/cleanup-handlers.js';
import type { CleanupStepKind } from '../../../src/phases/cleanup/cleanup-steps.js';
import { cleanupCandidates, planCleanup, type CleanupDecision, type CleanupPlanInput } from '../../../src/phases/cleanup/plan-cleanup.js';
import type { UserAttachments } from '../../../src/phases/cleanup/read-user-attachments.js';
import type { RetiredUser } from '../../../src/phases/disable/retired-users.js';
import { daysAgo } from '../support/time.js';

const ACCOUNT = '111111111111';
const NOW = new Date('2026-03-20T12:00:00.000Z');

const id = (n: number) => `AIDAEXAMPLE${String(n).padStart(9, '0')}`;
const ALICE_ID = id(1);
const BOB_ID = id(2);

/** A user disable finished with ten days ago (or as overridden), as the journal shows it: `enabledAt` means enable undid it since. */
function record(userName: string, userId: string, overrides: { completedAt?: string | null; enabledAt?: string | null } = {}): RetiredUser {
  const disabledAt = overrides.completedAt === undefined ? daysAgo(10, NOW) : overrides.completedAt;
  const change = { actionId: `disable/${userName}/deny-policy`, kind: 'iam.PutDenyAllUserPolicy', target: `IAM user ${userName}`, params: { userName, userId, policyName: 'iam2idc-deny-all' }, runId: 'run-1', command: 'disable', at: daysAgo(10, NOW), state: 'done' as const };
  const enabled = overrides.enabledAt !== undefined && overrides.enabledAt !== null;
  return {
    userName,
    userId,
    state: enabled ? 'enabled' : disabledAt === null ? 'partly-disabled' : 'disabled',
    disabledAt: enabled ? null : disabledAt,
    deletedAt: null,
    restoredAt: null,
    changes: enabled ? [] : [change],
  };
}

/** A user with nothing attached but the user itself. */
function bareUser(userName: string, userId: string): UserAttachments {
  return {
    user: { userName, userId, arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`, path: '/', createDate: '2024-01-01T00:00:00.000Z', tags: [], permissionsBoundary: null },
    inlinePolicies: [],
    attachedPolicies: [],
    groups: [],
    sshPublicKeys: [],
    signingCertificates: [],
    mfaDevices: [],
    accessKeys: [],
    serviceSpecificCredentials: [],
    loginProfile: { existed: false, passwordResetRequired: false },
  };
}

const VIRTUAL_MFA = `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`;
const HARDWARE_MFA = 'GAHT12345678';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/** A user with every kind of attachment DeleteUser needs gone. */
function fullUser(userName: string, userId: string): UserAttachments {
  const base = bareUser(userName, userId);
  return {
    ...base,
    user: { ...base.user, path: '/people/', tags: [{ key: 'team', value: 'data' }], permissionsBoundary: BOUNDARY },
    inlinePolicies: [{ name: 's3-read', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } }],
    attachedPolicies: [{ name: 'ReadOnlyAccess', arn: READ_ONLY }],
    groups: ['developers'],
    sshPublicKeys: [{ sshPublicKeyId: 'APKAEXAMPLESSH000001', status: 'Active', body: 'ssh-rsa AAAAB3Nza alice', uploadDate: null }],
    signingCertificates: [{ certificateId: 'CERTEXAMPLE000000001', status: 'Active', body: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', uploadDate: null }],
    mfaDevices: [
      { serialNumber: VIRTUAL_MFA, type: 'virtual', enableDate: null },
      { serialNumber: HARDWARE_MFA, type: 'hardware', enableDate: null },
    ],
    accessKeys: [
      { accessKeyId: 'AKIAEXAMPLE000000001', status: 'Inactive', createDate: null },
      { accessKeyId: 'AKIAEXAMPLE000000002', status: 'Inactive', createDate: null },
    ],
    serviceSpecificCredentials: [{ id: 'ACCAEXAMPLE000000001', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'alice-at-111111111111', status: 'Active' }],
    loginProfile: { existed: true, passwordResetRequired: false },
  };
}

function plan(overrides: Partial<CleanupPlanInput>) {
  return planCleanup({ retired: [], users: new Map(), explicit: null, minDisabledDays: 7, now: NOW, ...overrides });
}

const usersOf = (...users: UserAttachments[]) => new Map<string, UserAttachments | null>(users.map((u) => [u.user.userName, u]));
const params = (action: PlannedAction | undefined) => action?.params as Record<string, unknown>;
const decisionOf = (decisions: CleanupDecision[], userName: string) => decisions.find((d) => d.userName === userName);
const statuses = (decisions: CleanupDecision[]) => decisions.map((d) => [d.userName, d.status, d.exclusion?.code ?? null]);
const actionsFor = (actions: PlannedAction[], userName: string) => actions.filter((a) => a.principal?.userName === userName);

describe('cleanupCandidates', () => {
  it('Given no explicit users, When the candidates are listed, Then they are the users with a disable record not enabled again', () => {
    const records = [
      record('alice', ALICE_ID),
      record('bob', BOB_ID, { enabledAt: daysAgo(1, NOW) }),
      record('carol', id(3), { completedAt: null }),
    ];
    expect(cleanupCandidates(records, null)).toEqual(['alice', 'carol']);
  });

  it('Given no disable record and no explicit users, When the candidates are listed, Then there are none', () => {
    expect(cleanupCandidates([], null)).toEqual([]);
  });

  it('Given explicit users, When the candidates are listed, Then they are exactly those named, records or not', () => {
    const records = [record('alice', ALICE_ID)];
    expect(cleanupCandidates(records, ['zoe', 'bob'])).toEqual(['zoe', 'bob']);
  });
});

describe('planCleanup: who is planned', () => {
  it('Given a disable completed 10 days ago and minDisabledDays 7, When planned, Then the user is planned with a backup and a deletion', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID, { completedAt: daysAgo(10, NOW) })], users: usersOf(bareUser('alice', ALICE_ID)) });
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
    expect(decisions[0]?.disabledSince).toBe(daysAgo(10, NOW));
    expect(actions.map((a) => a.kind)).toEqual(['workspace.BackupIamUser', 'iam.DeleteUser']);
  });

  it('Given a disable completed exactly minDisabledDays ago, When planned, Then the user is planned', () => {
    const { decisions } = plan({ retired: [record('alice', ALICE_ID, { completedAt: daysAgo(7, NOW) })], users: usersOf(bareUser('alice', ALICE_ID)) });
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
  });

  it('Given a disable completed 2 days ago and minDisabledDays 7, When planned, Then the user is excluded as disabled too recently, with no action', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID, { completedAt: daysAgo(2, NOW) })], users: usersOf(fullUser('alice', ALICE_ID)) });
    expect(statuses(decisions)).toEqual([['alice', 'excluded', 'DISABLED_TOO_RECENTLY']]);
    expect(decisions[0]?.deletes).toEqual([]);
    expect(decisions[0]?.unrecoverable).toEqual([]);
    expect(actions).toEqual([]);
  });

  it('Given a disable completed 2 days ago and minDisabledDays 0, When planned, Then the user is planned', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID, { completedAt: daysAgo(2, NOW) })], users: usersOf(bareUser('alice', ALICE_ID)), minDisabledDays: 0 });
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
    expect(actions.map((a) => a.kind)).toEqual(['workspace.BackupIamUser', 'iam.DeleteUser']);
  });

  it('Given a disable record whose run did not complete, When planned, Then the user is excluded as disable incomplete, with no action', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID, { completedAt: null })], users: usersOf(bareUser('alice', ALICE_ID)), minDisabledDays: 0 });
    expect(statuses(decisions)).toEqual([['alice', 'excluded', 'DISABLE_INCOMPLETE']]);
    expect(actions).toEqual([]);
  });

  it('Given a record with enabledAt set, When planned by default, Then the user is not a candidate: no decision, no action', () => {
    const { actions, decisions } = plan({
      retired: [record('alice', ALICE_ID), record('bob', BOB_ID, { enabledAt: daysAgo(5, NOW) })],
      users: usersOf(bareUser('alice', ALICE_ID), bareUser('bob', BOB_ID)),
    });
    expect(decisionOf(decisions, 'bob')).toBeUndefined();
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
    expect(actionsFor(actions, 'bob')).toEqual([]);
  });

  it('Given a record whose UserId differs from the user of that name now, When planned, Then the user is excluded as re-created and nothing is planned', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: usersOf(fullUser('alice', id(99))) });
    expect(statuses(decisions)).toEqual([['alice', 'excluded', 'RECREATED']]);
    expect(actions).toEqual([]);
  });

  it('Given the same re-created user named with --users, When planned, Then it is planned (named explicitly, the engine\'s guard judges it)', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: usersOf(fullUser('alice', id(99))), explicit: ['alice'] });
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
    expect(actions.every((a) => a.principal?.userId === id(99))).toBe(true);
  });

  it('Given a record of a user who no longer exists, When planned, Then the user is gone with no action and nothing to delete', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: new Map([['alice', null]]) });
    expect(statuses(decisions)).toEqual([['alice', 'gone', null]]);
    expect(decisions[0]?.userId).toBe(ALICE_ID);
    expect(decisions[0]?.deletes).toEqual([]);
    expect(decisions[0]?.unrecoverable).toEqual([]);
    expect(decisions[0]?.backup).toBeNull();
    expect(actions).toEqual([]);
  });

  it('Given a record of a user absent from the users read, When planned, Then the user is gone too', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: new Map() });
    expect(statuses(decisions)).toEqual([['alice', 'gone', null]]);
    expect(actions).toEqual([]);
  });

  it('Given an explicitly named user without any disable record, When planned, Then the user is planned (the engine guard judges it)', () => {
    const { actions, decisions } = plan({ retired: [], users: usersOf(bareUser('bob', BOB_ID)), explicit: ['bob'] });
    expect(statuses(decisions)).toEqual([['bob', 'planned', null]]);
    expect(decisions[0]?.userId).toBe(BOB_ID);
    expect(decisions[0]?.disabledSince).toBeNull();
    expect(actions.map((a) => [a.kind, a.principal?.userName])).toEqual([
      ['workspace.BackupIamUser', 'bob'],
      ['iam.DeleteUser', 'bob'],
    ]);
  });

  it('Given explicit users, When planned, Then users with a record but not named are not planned', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: usersOf(bareUser('alice', ALICE_ID), bareUser('bob', BOB_ID)), explicit: ['bob'] });
    expect(statuses(decisions)).toEqual([['bob', 'planned', null]]);
    expect(actionsFor(actions, 'alice')).toEqual([]);
  });

  it('Given an explicitly named user whose disable was undone by enable, When planned, Then the user is planned like any named user', () => {
    const { decisions } = plan({ retired: [record('alice', ALICE_ID, { enabledAt: daysAgo(5, NOW) })], users: usersOf(bareUser('alice', ALICE_ID)), explicit: ['alice'] });
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
  });

  it('Given an explicitly named user already gone, named in another case than recorded, When planned, Then it is gone under the recorded name and UserId', () => {
    const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: new Map([['ALICE', null]]), explicit: ['ALICE'] });
    expect(statuses(decisions)).toEqual([['alice', 'gone', null]]);
    expect(decisions[0]?.userId).toBe(ALICE_ID);
    expect(actions).toEqual([]);
  });

  it('Given an explicitly named user that does not exist and has no record, When planned, Then it is excluded as not found with no action', () => {
    const { actions, decisions } = plan({ retired: [], users: new Map([['nobody', null]]), explicit: ['nobody'] });
    expect(statuses(decisions)).toEqual([['nobody', 'excluded', 'NOT_FOUND']]);
    expect(decisions[0]?.userId).toBeNull();
    expect(actions).toEqual([]);
  });

  it('Given a name given twice in different case, When planned, Then the user is planned once', () => {
    const { actions, decisions } = plan({ retired: [], users: usersOf(bareUser('alice', ALICE_ID)), explicit: ['alice', 'ALICE'] });
    expect(statuses(decisions)).toEqual([['alice', 'planned', null]]);
    expect(actions.filter((a) => a.kind === 'workspace.BackupIamUser')).toHaveLength(1);
    expect(actions.filter((a) => a.kind === 'iam.DeleteUser')).toHaveLength(1);
  });

  it('Given a name in another case than IAM spells it, When planned, Then the user and the record are found and named as IAM spells it', () => {
    const { actions, decisions } = plan({ retired: [record('Alice', ALICE_ID)], users: usersOf(bareUser('Alice', ALICE_ID)), explicit: ['alice'] });
    expect(statuses(decisions)).toEqual([['Alice', 'planned', null]]);
    expect(decisions[0]?.disabledSince).toBe(daysAgo(10, NOW));
    expect(actions.every((a) => params(a).userName === 'Alice')).toBe(true);
  });

  it('Given several candidates, When planned, Then the decisions are sorted by user name', () => {
    const { decisions } = plan({
      retired: [record('carol', id(3)), record('alice', ALICE_ID), record('bob', BOB_ID, { completedAt: daysAgo(1, NOW) })],
      users: usersOf(bareUser('carol', id(3)), bareUser('alice', ALICE_ID), bareUser('bob', BOB_ID)),
    });
    expect(statuses(decisions)).toEqual([
      ['alice', 'planned', null],
      ['bob', 'excluded', 'DISABLED_TOO_RECENTLY'],
      ['carol', 'planned', null],
    ]);
  });
});

describe('planCleanup: the actions of a planned user', () => {
  const user = fullUser('alice', ALICE_ID);
  const { actions, decisions } = plan({ retired: [record('alice', ALICE_ID)], users: usersOf(user) });
  const [backup, ...steps] = actions;

  it('Given a planned user, When planned, Then the first action is the backup, read-only, in the workspace', () => {
    expect(backup?.kind).toBe('workspace.BackupIamUser');
    expect(backup?.risk).toBe('read');
    expect(backup?.service).toBe('workspace');
    expect(backup?.dependsOn).toEqual([]);
    expect(backup?.principal).toEqual({ userName: 'alice', userId: ALICE_ID });
  });

  it('Given a planned user, When planned, Then the backup pins the UserId and exactly the credentials of the user', () => {
    expect(backup?.params).toStrictEqual({ userName: 'alice', userId: ALICE_ID, credentials: credentialIds(user) });
    expect([...(params(backup).credentials as string[])].sort()).toEqual(
      [
        'key:AKIAEXAMPLE000000001',
        'key:AKIAEXAMPLE000000002',
        'certificate:CERTEXAMPLE000000001',
        'ssh:APKAEXAMPLESSH000001',
        'service-credential:ACCAEXAMPLE000000001',
        `mfa:${VIRTUAL_MFA}`,
        `mfa:${HARDWARE_MFA}`,
        'login-profile',
      ].sort(),
    );
  });

  it('Given a planned user, When planned, Then the backup fingerprint is the cleanup fingerprint of the UserId and credentials', () => {
    expect(backup?.fingerprint).toBe(cleanupFingerprint(ALICE_ID, credentialIds(user)));
  });

  it('Given the same user with one more key, When planned, Then the backup fingerprint differs', () => {
    const more = { ...user, accessKeys: [...user.accessKeys, { accessKeyId: 'AKIAEXAMPLE000000003', status: 'Active', createDate: null }] };
    const again = plan({ retired: [record('alice', ALICE_ID)], users: usersOf(more) });
    expect(again.actions[0]?.fingerprint).not.toBe(backup?.fingerprint);
  });

  it('Given a user with every kind of attachment, When planned, Then one step per item follows in IAM order, ending with DeleteUser', () => {
    expect(steps.map((a) => [a.kind, params(a).item])).toEqual([
      ['iam.DeleteLoginProfile', undefined],
      ['iam.DeleteAccessKey', 'AKIAEXAMPLE000000001'],
      ['iam.DeleteAccessKey', 'AKIAEXAMPLE000000002'],
      ['iam.DeleteSigningCertificate', 'CERTEXAMPLE000000001'],
      ['iam.DeleteSSHPublicKey', 'APKAEXAMPLESSH000001'],
      ['iam.DeleteServiceSpecificCredential', 'ACCAEXAMPLE000000001'],
      ['iam.DeactivateMFADevice', VIRTUAL_MFA],
      ['iam.DeleteVirtualMFADevice', VIRTUAL_MFA],
      ['iam.DeactivateMFADevice', HARDWARE_MFA],
      ['iam.DeleteUserPolicy', 's3-read'],
      ['iam.DetachUserPolicy', READ_ONLY],
      ['iam.RemoveUserFromGroup', 'developers'],
      ['iam.DeleteUserPermissionsBoundary', undefined],
      ['iam.DeleteUser', undefined],
    ]);
  });

  it('Given a user with every kind of attachment, When planned, Then each action depends on the one before it (a strict chain)', () => {
    expect(actions.length).toBeGreaterThan(2);
    actions.forEach((action, index) => {
      expect(action.dependsOn).toEqual(index === 0 ? [] : [actions[index - 1]?.id]);
    });
  });

  it('Given a user with every kind of attachment, When planned, Then every step is an iam action without fingerprint, naming the user and UserId', () => {
    for (const step of steps) {
      expect(step.service).toBe('iam');
      expect(step.fingerprint).toBeNull();
      expect(step.principal).toEqual({ userName: 'alice', userId: ALICE_ID });
      expect(step.principal).toEqual({ userName: params(step).userName, userId: params(step).userId });
    }
  });

  it('Given a user with every kind of attachment, When planned, Then each step carries the risk of its kind: secrets irreversible, the rest destructive', () => {
    const expected: Record<string, string> = {
      'iam.DeleteLoginProfile': 'irreversible',
      'iam.DeleteAccessKey': 'irreversible',
      'iam.DeleteServiceSpecificCredential': 'irreversible',
      'iam.DeactivateMFADevice': 'irreversible',
      'iam.DeleteVirtualMFADevice': 'irreversible',
      'iam.DeleteUser': 'irreversible',
      'iam.DeleteSigningCertificate': 'destructive',
      'iam.DeleteSSHPublicKey': 'destructive',
      'iam.DeleteUserPolicy': 'destructive',
      'iam.DetachUserPolicy': 'destructive',
      'iam.RemoveUserFromGroup': 'destructive',
      'iam.DeleteUserPermissionsBoundary': 'destructive',
    };
    for (const step of steps) {
      expect([step.kind, step.risk]).toEqual([step.kind, STEP_RISK[step.kind as CleanupStepKind]]);
      expect([step.kind, step.risk]).toEqual([step.kind, expected[step.kind]]);
    }
    expect(new Set(steps.map((s) => s.kind))).toEqual(new Set(Object.keys(expected)));
  });

  it('Given a planned user, When planned, Then the action IDs are unique', () => {
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });

  it('Given a planned user, When planned, Then the decision names the backup file by user and UserId', () => {
    expect(decisions[0]?.backup).toBe(`backups/alice-${ALICE_ID}.json`);
  });

  it('Given a user with every kind of attachment, When planned, Then deletes has one entry per kind and the user', () => {
    expect(decisions[0]?.deletes).toHaveLength(11);
  });

  it('Given a user with every kind of attachment, When planned, Then unrecoverable lists password, key secrets, service passwords, MFA and the UserId', () => {
    const unrecoverable = decisions[0]?.unrecoverable ?? [];
    expect(unrecoverable).toHaveLength(5);
    expect(unrecoverable.filter((line) => line.includes(ALICE_ID))).toHaveLength(1);
  });
});

describe('planCleanup: what cannot come back', () => {
  const unrecoverableOf = (user: UserAttachments) => {
    const { decisions } = plan({ retired: [], users: usersOf(user), explicit: [user.user.userName] });
    return decisions[0]?.unrecoverable ?? [];
  };

  it('Given a user with nothing attached, When planned, Then only the UserId is unrecoverable and the user is the one thing deleted', () => {
    const user = bareUser('bob', BOB_ID);
    const { actions, decisions } = plan({ retired: [], users: usersOf(user), explicit: ['bob'] });
    expect(decisions[0]?.unrecoverable).toHaveLength(1);
    expect(decisions[0]?.unrecoverable[0]).toContain(BOB_ID);
    expect(decisions[0]?.deletes).toHaveLength(1);
    expect(params(actions[0]).credentials).toEqual([]);
  });

  it('Given a user with a console password only, When planned, Then the password is unrecoverable besides the UserId', () => {
    const user = { ...bareUser('bob', BOB_ID), loginProfile: { existed: true, passwordResetRequired: true } };
    const unrecoverable = unrecoverableOf(user);
    expect(unrecoverable).toHaveLength(2);
    expect(unrecoverable.some((line) => line.includes(BOB_ID))).toBe(true);
  });

  it('Given a user with MFA devices only, When planned, Then the MFA is unrecoverable besides the UserId', () => {
    const user = { ...bareUser('bob', BOB_ID), mfaDevices: [{ serialNumber: HARDWARE_MFA, type: 'hardware' as const, enableDate: null }] };
    expect(unrecoverableOf(user)).toHaveLength(2);
  });

  it('Given a full user without console password, When planned, Then the password is not listed as unrecoverable', () => {
    const user = { ...fullUser('bob', BOB_ID), loginProfile: { existed: false, passwordResetRequired: false } };
    expect(unrecoverableOf(user)).toHaveLength(4);
  });

  it('Given a full user without MFA devices, When planned, Then the MFA is not listed as unrecoverable', () => {
    const user = { ...fullUser('bob', BOB_ID), mfaDevices: [] };
    expect(unrecoverableOf(user)).toHaveLength(4);
  });

  it('Given a user with policies, groups, SSH keys and certificates only, When planned, Then only the UserId is unrecoverable', () => {
    const full = fullUser('bob', BOB_ID);
    const user = { ...full, mfaDevices: [], accessKeys: [], serviceSpecificCredentials: [], loginProfile: { existed: false, passwordResetRequired: false } };
    const unrecoverable = unrecoverableOf(user);
    expect(unrecoverable).toHaveLength(1);
    expect(unrecoverable[0]).toContain(BOB_ID);
  });
});

describe('planCleanup: several users', () => {
  it('Given two planned users, When planned, Then each has its own chain, starting at its own backup, and all IDs are unique', () => {
    const { actions } = plan({ retired: [record('alice', ALICE_ID), record('bob', BOB_ID)], users: usersOf(fullUser('alice', ALICE_ID), fullUser('bob', BOB_ID)) });
    for (const name of ['alice', 'bob']) {
      const own = actionsFor(actions, name);
      expect(own[0]?.kind).toBe('workspace.BackupIamUser');
      expect(own[0]?.dependsOn).toEqual([]);
      expect(own.at(-1)?.kind).toBe('iam.DeleteUser');
      own.slice(1).forEach((action, index) => expect(action.dependsOn).toEqual([own[index]?.id]));
      expect(own.every((a) => params(a).userName === name)).toBe(true);
    }
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });
});
