import { describe, expect, it } from 'vitest';
import type { AccessKeySummary, CredentialReportRow, Tag, UserKind, UserRecord } from '../../../src/model/inventory.js';
import { buildUserProgress, type UserProgress, type UserProgressInput } from '../../../src/phases/status/user-progress.js';
import type { RetiredUser } from '../../../src/phases/disable/retired-users.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';

/**
 * alice and bob are people, in the developers group; carol is a person outside any group; ci-bot a
 * workload; old-svc is skipped; breakglass is a person protected by name.
 */
const MAPPING_TEXT = `version: 1
account: "111111111111"
protect:
  users: [breakglass]
  tags: [team=security]
users:
  alice: { kind: human, userName: alice@corp.example, email: alice@corp.example }
  bob: { kind: human, userName: bob.idc }
  carol: { kind: human, userName: carol }
  ci-bot: { kind: machine, userName: ci-bot-idc }
  old-svc: { kind: skip }
  breakglass: { kind: human, userName: breakglass }
permissionSets:
  developers:
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
  readonly:
    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  admin:
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
groups:
  developers:
    members: [alice, bob]
  readers:
    members: [alice]
assignments:
  - { group: developers, permissionSet: developers, targets: ["111111111111"] }
  - { group: readers, permissionSet: readonly, targets: ["111111111111"] }
  - { user: alice, permissionSet: readonly, targets: ["222222222222"] }
  - { user: alice, permissionSet: admin, targets: ["111111111111"] }
  - { user: carol, permissionSet: readonly, targets: ["111111111111"] }
`;

const mapping: Mapping = parseMapping(MAPPING_TEXT, 'mapping.yaml').mapping;

function snapshotUser(userName: string, kind: UserKind, tags: Tag[] = []): UserRecord {
  return { userName, tags, classification: { kind, reasons: [] } } as unknown as UserRecord;
}

function reportRow(user: string, overrides: Partial<CredentialReportRow> = {}): CredentialReportRow {
  return {
    user,
    arn: `arn:aws:iam::111111111111:user/${user}`,
    userCreationTime: '2023-01-01T00:00:00+00:00',
    passwordEnabled: true,
    passwordLastUsed: null,
    passwordLastChanged: null,
    passwordNextRotation: null,
    mfaActive: true,
    accessKeys: [],
    certificates: [],
    ...overrides,
  };
}

function key(slot: 1 | 2, lastUsedDate: string | null): AccessKeySummary {
  return { slot, active: true, lastRotated: null, lastUsedDate, lastUsedRegion: null, lastUsedService: null };
}

function stateWith(phases: WorkspaceState['phases']): WorkspaceState {
  return {
    schemaVersion: 1,
    accountId: '111111111111',
    partition: 'aws',
    createdAt: '2024-05-01T00:00:00.000Z',
    createdBy: 'arn:aws:iam::111111111111:user/ops',
    identityCenter: null,
    phases,
  };
}

function activityUser(lastSeen: string) {
  return { userId: null, lastSeen, lastAction: 's3:GetObject', eventCount: 1, accessKeys: {}, consoleLastSeen: null };
}

function activity(users: Record<string, string>): NonNullable<WorkspaceState['phases']['activity']> {
  return {
    firstRunAt: '2024-06-01T00:00:00.000Z',
    lastRunAt: '2024-06-10T00:00:00.000Z',
    logGroup: 'trail',
    windows: [],
    users: Object.fromEntries(Object.entries(users).map(([name, seen]) => [name, activityUser(seen)])),
    deniedByPermissionSet: {},
  };
}

/** A user disable finished with, as the journal shows it (or as it stands since: enabled, deleted, restored). */
function retiredUser(userName: string, overrides: Partial<RetiredUser> = {}): RetiredUser {
  return {
    userName,
    userId: `AIDA${userName.toUpperCase()}`,
    state: 'disabled',
    disabledAt: '2024-06-10T09:01:00.000Z',
    deletedAt: null,
    restoredAt: null,
    changes: [],
    ...overrides,
  };
}

const deletedUser = (userName: string, deletedAt: string) => retiredUser(userName, { state: 'deleted', deletedAt });

const ALL_NAMES = ['alice', 'bob', 'breakglass', 'carol', 'ci-bot', 'old-svc'];
const fullReport = () => ALL_NAMES.map((name) => reportRow(name));
const fullSnapshot = () => ({ users: ALL_NAMES.map((name) => snapshotUser(name, name === 'ci-bot' || name === 'old-svc' ? 'machine' : 'human')) });

function progress(overrides: Partial<UserProgressInput> = {}): Map<string, UserProgress> {
  const rows = buildUserProgress({ mapping, snapshot: fullSnapshot(), state: stateWith({}), retired: [], report: fullReport(), ...overrides });
  return new Map(rows.map((r) => [r.userName, r]));
}

function row(rows: Map<string, UserProgress>, name: string): UserProgress {
  const found = rows.get(name);
  if (!found) throw new Error(`no row for ${name}`);
  return found;
}

describe('buildUserProgress', () => {
  it('Given a mapping and an audit snapshot, When progress is built, Then there is one row per IAM user of either, sorted by name', () => {
    const rows = buildUserProgress({
      mapping,
      snapshot: { users: [...fullSnapshot().users, snapshotUser('audit-only', 'unknown')] },
      state: stateWith({}),
      retired: [],
      report: [...fullReport(), reportRow('audit-only')],
    });
    expect(rows.map((r) => r.userName)).toEqual(['alice', 'audit-only', 'bob', 'breakglass', 'carol', 'ci-bot', 'old-svc']);
  });

  it('Given a user in the mapping, When progress is built, Then the kind comes from the mapping, even when the audit classified it otherwise', () => {
    const rows = progress({ snapshot: { users: [snapshotUser('alice', 'machine'), snapshotUser('ci-bot', 'human'), snapshotUser('old-svc', 'human')] } });
    expect(row(rows, 'alice').kind).toBe('human');
    expect(row(rows, 'ci-bot').kind).toBe('machine');
    expect(row(rows, 'old-svc').kind).toBe('skip');
  });

  it('Given users the mapping does not list, When progress is built, Then the kind comes from the audit classification', () => {
    const snapshot = { users: [snapshotUser('new-person', 'human'), snapshotUser('new-bot', 'machine'), snapshotUser('unsure', 'unknown')] };
    const rows = progress({ mapping: null, snapshot, report: [reportRow('new-person'), reportRow('new-bot'), reportRow('unsure')] });
    expect(row(rows, 'new-person').kind).toBe('human');
    expect(row(rows, 'new-bot').kind).toBe('machine');
    expect(row(rows, 'unsure').kind).toBe('unknown');
  });

  it('Given a mapping user the audit never saw, When progress is built, Then the kind is the mapping\'s', () => {
    const rows = progress({ snapshot: null });
    expect(row(rows, 'carol').kind).toBe('human');
  });

  it('Given humans and a machine with a user name in the mapping, When progress is built, Then only the humans get an Identity Center user name', () => {
    const rows = progress();
    expect(row(rows, 'alice').identityCenterUser).toBe('alice@corp.example');
    expect(row(rows, 'bob').identityCenterUser).toBe('bob.idc');
    expect(row(rows, 'ci-bot').identityCenterUser).toBeNull();
    expect(row(rows, 'old-svc').identityCenterUser).toBeNull();
  });

  it('Given no mapping, When progress is built, Then nobody has an Identity Center user, group or permission set', () => {
    const rows = progress({ mapping: null });
    for (const r of rows.values()) {
      expect(r.identityCenterUser).toBeNull();
      expect(r.groups).toEqual([]);
      expect(r.permissionSets).toEqual([]);
    }
  });

  it('Given the mapping\'s groups, When progress is built, Then each user lists the groups that have it as a member', () => {
    const rows = progress();
    expect(row(rows, 'alice').groups).toEqual(['developers', 'readers']);
    expect(row(rows, 'bob').groups).toEqual(['developers']);
    expect(row(rows, 'carol').groups).toEqual([]);
  });

  it('Given direct and group assignments, When progress is built, Then the permission sets are the union, each once and sorted', () => {
    const rows = progress();
    // alice: developers (group), readonly (group readers and directly on another account), admin (direct)
    expect(row(rows, 'alice').permissionSets).toEqual(['admin', 'developers', 'readonly']);
    expect(row(rows, 'bob').permissionSets).toEqual(['developers']);
    expect(row(rows, 'carol').permissionSets).toEqual(['readonly']);
    expect(row(rows, 'ci-bot').permissionSets).toEqual([]);
  });

  it('Given what assign verified, When progress is built, Then accessVerified and accessMissing come from it', () => {
    const state = stateWith({
      assignments: {
        lastRunAt: '2024-06-05T00:00:00.000Z',
        access: { alice: { verified: true, missing: [] }, bob: { verified: false, missing: ['developers on 111111111111'] } },
      },
    });
    const rows = progress({ state });
    expect(row(rows, 'alice')).toMatchObject({ accessVerified: true, accessMissing: [] });
    expect(row(rows, 'bob')).toMatchObject({ accessVerified: false, accessMissing: ['developers on 111111111111'] });
    expect(row(rows, 'carol')).toMatchObject({ accessVerified: false, accessMissing: [] });
  });

  it('Given no workspace state, When progress is built, Then nobody has verified access and everyone is active', () => {
    const rows = progress({ state: null });
    for (const r of rows.values()) expect(r).toMatchObject({ accessVerified: false, state: 'active', migrated: false, disabledAt: null, deletedAt: null, lastUsed: null });
  });

  it('Given a password used last, When progress is built, Then lastUsed is the password\'s last use', () => {
    const report = [...fullReport().filter((r) => r.user !== 'alice'), reportRow('alice', { passwordLastUsed: '2024-06-09T08:00:00+00:00', accessKeys: [key(1, '2024-06-01T00:00:00+00:00'), key(2, null)] })];
    const state = stateWith({ activity: activity({ alice: '2024-06-05T00:00:00.000Z' }) });
    expect(row(progress({ report, state }), 'alice').lastUsed).toBe('2024-06-09T08:00:00+00:00');
  });

  it('Given the second access key used last, When progress is built, Then lastUsed is that key\'s last use', () => {
    const report = [...fullReport().filter((r) => r.user !== 'alice'), reportRow('alice', { passwordLastUsed: '2024-06-01T00:00:00+00:00', accessKeys: [key(1, '2024-06-02T00:00:00+00:00'), key(2, '2024-06-11T10:00:00+00:00')] })];
    const state = stateWith({ activity: activity({ alice: '2024-06-05T00:00:00.000Z' }) });
    expect(row(progress({ report, state }), 'alice').lastUsed).toBe('2024-06-11T10:00:00+00:00');
  });

  it('Given CloudTrail saw the user after the credential report\'s dates, When progress is built, Then lastUsed is the activity\'s lastSeen', () => {
    const report = [...fullReport().filter((r) => r.user !== 'alice'), reportRow('alice', { passwordLastUsed: '2024-06-01T00:00:00+00:00', accessKeys: [key(1, '2024-06-02T00:00:00+00:00')] })];
    const state = stateWith({ activity: activity({ alice: '2024-06-12T13:14:15.000Z' }) });
    expect(row(progress({ report, state }), 'alice').lastUsed).toBe('2024-06-12T13:14:15.000Z');
  });

  it('Given the credential report could not be read but CloudTrail saw the user, When progress is built, Then lastUsed is the activity\'s lastSeen', () => {
    const state = stateWith({ activity: activity({ bob: '2024-06-12T13:14:15.000Z' }) });
    expect(row(progress({ report: null, state }), 'bob').lastUsed).toBe('2024-06-12T13:14:15.000Z');
  });

  it('Given no known use of the old credentials, When progress is built, Then lastUsed is null', () => {
    expect(row(progress(), 'carol').lastUsed).toBeNull();
  });

  it('Given the journal shows alice disabled, When progress is built, Then the user is disabled since disable finished with her', () => {
    const rows = progress({ retired: [retiredUser('alice')] });
    expect(row(rows, 'alice')).toMatchObject({ state: 'disabled', disabledAt: '2024-06-10T09:01:00.000Z', deletedAt: null });
    expect(row(rows, 'bob')).toMatchObject({ state: 'active', disabledAt: null });
  });

  it('Given a disable that enable undid, When progress is built, Then the user is active again, with no disabledAt', () => {
    const rows = progress({ retired: [retiredUser('alice', { state: 'enabled', disabledAt: null })] });
    expect(row(rows, 'alice')).toMatchObject({ state: 'active', disabledAt: null });
  });

  it('Given a user cleanup deleted, When progress is built, Then the user is deleted, with cleanup\'s deletedAt', () => {
    const report = fullReport().filter((r) => r.user !== 'alice');
    const rows = progress({ report, retired: [deletedUser('alice', '2024-06-18T00:00:00.000Z')] });
    expect(row(rows, 'alice')).toMatchObject({ state: 'deleted', deletedAt: '2024-06-18T00:00:00.000Z' });
  });

  it('Given a user cleanup deleted and the credential report unreadable, When progress is built, Then the user is still deleted', () => {
    const rows = progress({ report: null, retired: [deletedUser('alice', '2024-06-18T00:00:00.000Z')] });
    expect(row(rows, 'alice').state).toBe('deleted');
  });

  it('Given an audited user the fresh credential report no longer lists, When progress is built, Then the user is deleted (by someone else)', () => {
    const report = fullReport().filter((r) => r.user !== 'bob');
    const rows = progress({ report });
    expect(row(rows, 'bob')).toMatchObject({ state: 'deleted', deletedAt: null });
    expect(row(rows, 'alice').state).toBe('active');
  });

  it('Given the credential report could not be read, When progress is built, Then nobody is deleted merely because the report is missing', () => {
    const rows = progress({ report: null });
    for (const r of rows.values()) expect(r.state).toBe('active');
  });

  it('Given a mapping user the audit never saw and the report does not list, When progress is built, Then it is not taken as deleted', () => {
    const rows = progress({ snapshot: { users: [snapshotUser('alice', 'human')] }, report: [reportRow('alice')] });
    expect(row(rows, 'carol').state).toBe('active');
  });

  it('Given a user restored after cleanup, When progress is built, Then the user is restored, even with disable\'s changes still on record', () => {
    const change = { actionId: 'disable/alice/deny-policy', kind: 'iam.PutDenyAllUserPolicy', target: 'IAM user alice', params: {}, runId: 'r', command: 'disable', at: '2024-06-10T09:00:30.000Z', state: 'done' as const };
    const rows = progress({ retired: [retiredUser('alice', { state: 'restored', deletedAt: '2024-06-18T00:00:00.000Z', restoredAt: '2024-06-19T00:00:00.000Z', changes: [change] })] });
    expect(row(rows, 'alice').state).toBe('restored');
    expect(row(rows, 'alice').migrated).toBe(false);
  });

  it('Given a user named in protect.users, When progress is built, Then it is protected', () => {
    const rows = progress();
    expect(row(rows, 'breakglass').protected).toBe(true);
    expect(row(rows, 'alice').protected).toBe(false);
  });

  it('Given a user the audit saw with the iam2idc:protect=true tag, When progress is built, Then it is protected, whatever the case of the tag', () => {
    const snapshot = { users: [...fullSnapshot().users.filter((u) => u.userName !== 'carol' && u.userName !== 'bob'), snapshotUser('carol', 'human', [{ key: 'iam2idc:protect', value: 'true' }]), snapshotUser('bob', 'human', [{ key: 'IAM2IDC:Protect', value: 'True' }])] };
    const rows = progress({ snapshot });
    expect(row(rows, 'carol').protected).toBe(true);
    expect(row(rows, 'bob').protected).toBe(true);
  });

  it('Given the protect tag with another value, When progress is built, Then the user is not protected', () => {
    const snapshot = { users: [...fullSnapshot().users.filter((u) => u.userName !== 'carol'), snapshotUser('carol', 'human', [{ key: 'iam2idc:protect', value: 'false' }])] };
    expect(row(progress({ snapshot }), 'carol').protected).toBe(false);
  });

  it('Given no mapping and the protect tag in the audit snapshot, When progress is built, Then the user is still protected by the tag', () => {
    const snapshot = { users: [snapshotUser('carol', 'human', [{ key: 'iam2idc:protect', value: 'true' }])] };
    expect(row(progress({ mapping: null, snapshot, report: [reportRow('carol')] }), 'carol').protected).toBe(true);
  });

  it('Given a user with a protect tag of the mapping\'s protect.tags, When progress is built, Then it is protected', () => {
    const snapshot = { users: [...fullSnapshot().users.filter((u) => u.userName !== 'carol'), snapshotUser('carol', 'human', [{ key: 'team', value: 'security' }])] };
    expect(row(progress({ snapshot }), 'carol').protected).toBe(true);
  });

  describe('migrated', () => {
    const verifiedState = (extra: WorkspaceState['phases'] = {}) =>
      stateWith({
        assignments: {
          lastRunAt: '2024-06-05T00:00:00.000Z',
          access: { alice: { verified: true, missing: [] }, bob: { verified: true, missing: [] }, carol: { verified: false, missing: ['readonly'] }, 'ci-bot': { verified: true, missing: [] } },
        },
        ...extra,
      });

    it('Given a person with verified access whose IAM user is disabled, When progress is built, Then the person is migrated', () => {
      expect(row(progress({ state: verifiedState(), retired: [retiredUser('alice')] }), 'alice').migrated).toBe(true);
    });

    it('Given a person with verified access whose IAM user is deleted, When progress is built, Then the person is migrated', () => {
      const rows = progress({ state: verifiedState(), retired: [deletedUser('bob', '2024-06-18T00:00:00.000Z')], report: fullReport().filter((r) => r.user !== 'bob') });
      expect(row(rows, 'bob').migrated).toBe(true);
    });

    it('Given a person with verified access whose IAM user is still active, When progress is built, Then the person is not migrated', () => {
      expect(row(progress({ state: verifiedState() }), 'alice').migrated).toBe(false);
    });

    it('Given a person disabled without verified access, When progress is built, Then the person is not migrated', () => {
      expect(row(progress({ state: verifiedState(), retired: [retiredUser('carol')] }), 'carol').migrated).toBe(false);
    });

    it('Given a machine user with verified access that is disabled, When progress is built, Then it is not migrated (only people are)', () => {
      expect(row(progress({ state: verifiedState(), retired: [retiredUser('ci-bot')] }), 'ci-bot').migrated).toBe(false);
    });
  });
});
