import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { TARGET_GONE, type ApplyOutcome } from '../../../src/plan/plan-types.js';
import { BACKUP_KIND, cleanupFingerprint, createCleanupRegistry, type BackupParams } from '../../../src/phases/cleanup/cleanup-handlers.js';
import { CLEANUP_STEP, type CleanupStepKind, type StepParams } from '../../../src/phases/cleanup/cleanup-steps.js';
import { FileTrust } from '../../../src/workspace/file-seals.js';
import { readUserBackup } from '../../../src/workspace/user-backups.js';
import { journalSealer, trustOf } from './support/held-run.js';
import { NOW, usePlanTestContext } from '../plan/support/plan-harness.js';
import { mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';
import {
  BOUNDARY,
  certBodyOf,
  DENY_ALL_DOC,
  DENY_ALL_NAME,
  describeCalls,
  fakeIam,
  fullUser,
  hardwareMfaOf,
  LEGACY_DOC,
  READ_ONLY,
  secretsOf,
  sshBodyOf,
  virtualMfaOf,
  type FakeIam,
  type FakeUser,
} from '../support/fake-iam.js';
import { ACCOUNT_ID } from '../support/builders.js';

const { mocks, clients } = mockAws();
const context = usePlanTestContext();

const FAST = { retries: 3, minTimeout: 1, maxTimeout: 2, factor: 1 };
const ALICE_ID = 'AIDAALICE000000000001';
const BACKUP_FILE = `backups/alice-${ALICE_ID}.json`;
const CREATED = '2020-01-01T00:00:00.000Z';
const LATER = new Date(NOW.getTime() + 3_600_000);
const sealed: { path: string; sha256: string }[] = [];
beforeEach(() => {
  sealed.length = 0;
});

function handler(kind: string, now: () => Date = () => NOW) {
  // Backups this test wrote are trusted, as a run trusts those it sealed.
  const trust = new FileTrust(ACCOUNT_ID, sealed);
  const registry = createCleanupRegistry({ iam: clients.iam, workspace: context.workspace, accountId: ACCOUNT_ID, now, retry: FAST, trust, sealer: journalSealer(context.workspace, (path, sha256) => sealed.push({ path, sha256 })) });
  const h = registry.get(kind);
  if (!h) throw new Error(`no handler ${kind}`);
  const signal = new AbortController().signal;
  // Wrapped in async functions, so that a synchronous throw is a rejection like any other.
  return {
    isDone: async (params: unknown) => h.isDone(params, registry.context, signal),
    apply: async (params: unknown): Promise<ApplyOutcome> => h.apply(params, registry.context, signal),
    fingerprint: async (params: unknown) => h.fingerprint?.(params, registry.context, signal),
  };
}

/** The credential IDs of a user as the plan saw them, written out by hand. */
function credentialsOf(u: FakeUser): string[] {
  return [
    ...u.accessKeys.map((k) => `key:${k.id}`),
    ...u.certificates.map((c) => `certificate:${c.id}`),
    ...u.sshKeys.map((k) => `ssh:${k.id}`),
    ...u.serviceCredentials.map((c) => `service-credential:${c.id}`),
    ...u.mfa.map((s) => `mfa:${s}`),
    ...(u.loginProfile ? ['login-profile'] : []),
  ].sort();
}

function setUp(overrides: Partial<FakeUser> = {}): { fake: FakeIam; alice: FakeUser; params: BackupParams } {
  const alice = fullUser('alice', ALICE_ID, overrides);
  const fake = fakeIam(mocks.iam, [alice]);
  return { fake, alice, params: { userName: 'alice', userId: ALICE_ID, credentials: credentialsOf(alice) } };
}

const backupOnDisk = async () => JSON.parse((await context.workspace.readText(BACKUP_FILE)) ?? 'null') as Record<string, unknown> | null;

describe('the backup action', () => {
  it('Given a user with every kind of attachment, When the backup is applied, Then backups/<user>-<userId>.json holds everything recreatable and the IDs of the rest, and no mutating call is made', async () => {
    const { fake, alice, params } = setUp();

    const outcome = await handler(BACKUP_KIND).apply(params);

    expect(outcome.requestId).toBeNull();
    expect(await backupOnDisk()).toEqual({
      schemaVersion: 2,
      accountId: ACCOUNT_ID,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      takenAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      user: {
        userName: 'alice',
        userId: ALICE_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/people/alice`,
        path: '/people/',
        createDate: CREATED,
        tags: [
          { key: 'team', value: 'data' },
          { key: 'owner', value: 'alice@example.com' },
        ],
        permissionsBoundary: BOUNDARY,
      },
      inlinePolicies: [
        { name: DENY_ALL_NAME, document: DENY_ALL_DOC },
        { name: 'legacy-s3', document: LEGACY_DOC },
      ],
      attachedPolicies: [{ name: 'ReadOnlyAccess', arn: READ_ONLY }],
      groups: ['developers'],
      sshPublicKeys: [{ sshPublicKeyId: alice.sshKeys[0]?.id, status: 'Active', body: sshBodyOf('alice', 1), uploadDate: CREATED }],
      signingCertificates: [{ certificateId: alice.certificates[0]?.id, status: 'Active', body: certBodyOf('alice', 1), uploadDate: CREATED }],
      mfaDevices: [
        { serialNumber: virtualMfaOf('alice'), type: 'virtual', enableDate: CREATED },
        { serialNumber: hardwareMfaOf('alice'), type: 'hardware', enableDate: CREATED },
      ],
      accessKeys: alice.accessKeys.map((k) => ({ accessKeyId: k.id, status: 'Inactive', createDate: CREATED })),
      serviceSpecificCredentials: [
        { id: alice.serviceCredentials[0]?.id, serviceName: 'codecommit.amazonaws.com', serviceUserName: `alice-at-${ACCOUNT_ID}`, status: 'Active' },
        { id: alice.serviceCredentials[1]?.id, serviceName: 'cassandra.amazonaws.com', serviceUserName: `alice+1-at-${ACCOUNT_ID}`, status: 'Inactive' },
      ],
      loginProfile: { existed: true, passwordResetRequired: false },
    });
    expect(fake.mutating()).toEqual([]);
    expect((await stat(context.workspace.resolve(BACKUP_FILE))).mode & 0o777).toBe(0o600);
  });

  it('Given IAM answers with secrets it never lists (key secret, password, service password, MFA seed), When the backup is applied, Then none of them is in the file', async () => {
    const { alice, params } = setUp();

    await handler(BACKUP_KIND).apply(params);

    const text = (await context.workspace.readText(BACKUP_FILE)) ?? '';
    expect(text).not.toBe('');
    for (const secret of secretsOf(alice)) expect(text).not.toContain(secret);
    for (const field of ['SecretAccessKey', 'Password', 'ServicePassword', 'Base32StringSeed']) expect(text).not.toContain(field);
  });

  it('Given a directory where the backup file must go, When the backup is applied, Then it fails and no backup is written', async () => {
    const { params } = setUp();
    await mkdir(context.workspace.resolve(BACKUP_FILE), { recursive: true });

    const error = await caught(handler(BACKUP_KIND).apply(params));

    expect(error).toBeInstanceOf(Error);
    expect((await stat(context.workspace.resolve(BACKUP_FILE))).isDirectory()).toBe(true);
    expect(await readdir(context.workspace.resolve(BACKUP_FILE))).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('Given the backups folder is read-only, When the backup is applied, Then the write fails and so does the action', async () => {
    const { params } = setUp();
    const folder = context.workspace.resolve('backups');
    await mkdir(folder, { recursive: true });
    await chmod(folder, 0o500);
    try {
      const error = await caught(handler(BACKUP_KIND).apply(params));

      expect(error).toMatchObject({ code: 'EACCES' });
      expect(await readdir(folder)).toEqual([]);
    } finally {
      await chmod(folder, 0o700);
    }
  });

  it('Given the user was re-created under the same name (another UserId), When the backup is applied, Then it fails with USER_RECREATED and writes nothing', async () => {
    const { fake, params } = setUp();
    fake.user('alice').userId = 'AIDAALICE000000000099';

    const error = await caught(handler(BACKUP_KIND).apply(params));

    expect(error).toMatchObject({ code: 'USER_RECREATED' });
    expect(await context.workspace.readText(BACKUP_FILE)).toBeNull();
    expect(await context.workspace.readText('backups/alice-AIDAALICE000000000099.json')).toBeNull();
  });

  it.each<[string, (u: FakeUser) => void]>([
    ['a new access key', (u) => u.accessKeys.push({ id: 'AKIAALICENEW00000001', status: 'Active', secret: 'x' })],
    ['a new SSH key', (u) => u.sshKeys.push({ id: 'APKAALICENEW00000001', body: 'ssh-rsa AAAA new', status: 'Active' })],
    ['a new MFA device', (u) => u.mfa.push('GAHTNEW00001')],
    ['a new service credential', (u) => u.serviceCredentials.push({ id: 'ACCAALICENEW0000001', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'n', status: 'Active', password: 'p' })],
  ])('Given the user has %s the plan did not list, When the backup is applied, Then it fails with USER_CHANGED and writes nothing', async (_what, change) => {
    const { fake, params } = setUp();
    change(fake.user('alice'));

    const error = await caught(handler(BACKUP_KIND).apply(params));

    expect(error).toMatchObject({ code: 'USER_CHANGED' });
    expect(await context.workspace.readText(BACKUP_FILE)).toBeNull();
  });

  it('Given a console password set since the plan (which saw none), When the backup is applied, Then it fails with USER_CHANGED', async () => {
    const { fake, params } = setUp({ loginProfile: null });
    fake.user('alice').loginProfile = { passwordResetRequired: true, password: 'x' };

    expect(await caught(handler(BACKUP_KIND).apply(params))).toMatchObject({ code: 'USER_CHANGED' });
  });

  it('Given some planned credentials already deleted (a resumed run), When the backup is applied, Then it succeeds', async () => {
    const { fake, params } = setUp();
    fake.user('alice').accessKeys.shift();
    fake.user('alice').loginProfile = null;

    await handler(BACKUP_KIND).apply(params);

    expect(await backupOnDisk()).toMatchObject({ user: { userId: ALICE_ID } });
  });

  it('Given a backup on disk and things deleted (and one group added) since, When the backup is applied again, Then the file keeps every earlier entry, adds the new one, and keeps when it was first taken', async () => {
    const { fake, alice, params } = setUp();
    const keyIds = alice.accessKeys.map((k) => k.id);
    await handler(BACKUP_KIND).apply(params);
    const u = fake.user('alice');
    u.loginProfile = null;
    u.accessKeys = [];
    u.sshKeys = [];
    u.mfa = [hardwareMfaOf('alice')];
    delete u.inline['legacy-s3'];
    u.attached = [];
    u.groups = ['auditors'];
    u.boundary = null;
    u.tags = [{ Key: 'team', Value: 'data' }];

    await handler(BACKUP_KIND, () => LATER).apply(params);

    const backup = await readUserBackup(context.workspace, 'alice', ALICE_ID, await trustOf(context.workspace));
    expect(backup).toMatchObject({ takenAt: NOW.toISOString(), updatedAt: LATER.toISOString() });
    expect(backup?.loginProfile).toEqual({ existed: true, passwordResetRequired: false });
    expect(backup?.accessKeys.map((k) => k.accessKeyId)).toEqual(keyIds);
    expect(backup?.sshPublicKeys.map((k) => k.body)).toEqual([sshBodyOf('alice', 1)]);
    expect(backup?.mfaDevices.map((d) => d.serialNumber)).toEqual([virtualMfaOf('alice'), hardwareMfaOf('alice')]);
    expect(backup?.inlinePolicies.map((p) => p.name)).toEqual([DENY_ALL_NAME, 'legacy-s3']);
    expect(backup?.attachedPolicies.map((p) => p.arn)).toEqual([READ_ONLY]);
    expect(backup?.groups).toEqual(['developers', 'auditors']);
    expect(backup?.user.permissionsBoundary).toBe(BOUNDARY);
    expect(backup?.user.tags).toEqual([
      { key: 'team', value: 'data' },
      { key: 'owner', value: 'alice@example.com' },
    ]);
    expect(backup?.serviceSpecificCredentials).toHaveLength(2);
  });

  it('Given the user no longer exists, When the backup is applied, Then it succeeds with nothing written', async () => {
    const { fake, params } = setUp();
    fake.users.splice(0);

    const outcome = await handler(BACKUP_KIND).apply(params);

    expect(outcome.requestId).toBeNull();
    expect(await context.workspace.readText(BACKUP_FILE)).toBeNull();
  });

  it('Given any state, When isDone is asked, Then the backup is never done (it is always taken again, merged)', async () => {
    const { params } = setUp();
    await handler(BACKUP_KIND).apply(params);

    expect(await handler(BACKUP_KIND).isDone(params)).toBe(false);
  });
});

describe('the backup fingerprint', () => {
  it('Given the user as planned, When the fingerprint is read, Then it is the plan\'s (cleanupFingerprint of the planned UserId and credentials)', async () => {
    const { params } = setUp();

    expect(await handler(BACKUP_KIND).fingerprint(params)).toBe(cleanupFingerprint(ALICE_ID, params.credentials));
  });

  it('Given credentials deleted since (by the run itself), When the fingerprint is read, Then it is still the plan\'s', async () => {
    const { fake, params } = setUp();
    const u = fake.user('alice');
    u.accessKeys = [];
    u.loginProfile = null;
    u.mfa = [];
    u.sshKeys = [];

    expect(await handler(BACKUP_KIND).fingerprint(params)).toBe(cleanupFingerprint(ALICE_ID, params.credentials));
  });

  it('Given a new access key since the plan, When the fingerprint is read, Then it differs from the plan\'s', async () => {
    const { fake, params } = setUp();
    fake.user('alice').accessKeys.push({ id: 'AKIAALICENEW00000001', status: 'Active', secret: 'x' });

    const fingerprint = await handler(BACKUP_KIND).fingerprint(params);

    expect(fingerprint).not.toBe(cleanupFingerprint(ALICE_ID, params.credentials));
    expect(fingerprint).not.toBe(TARGET_GONE);
  });

  it('Given the user re-created with the same name, When the fingerprint is read, Then it differs from the plan\'s', async () => {
    const { fake, params } = setUp();
    fake.user('alice').userId = 'AIDAALICE000000000099';

    expect(await handler(BACKUP_KIND).fingerprint(params)).not.toBe(cleanupFingerprint(ALICE_ID, params.credentials));
  });

  it('Given the user is gone, When the fingerprint is read, Then it is TARGET_GONE', async () => {
    const { fake, params } = setUp();
    fake.users.splice(0);

    expect(await handler(BACKUP_KIND).fingerprint(params)).toBe(TARGET_GONE);
  });
});

describe('the deletion steps', () => {
  it('Given a key, When its step is applied twice, Then the first call deletes it and the second finds it gone (no request ID), and isDone turns true', async () => {
    const { fake, alice } = setUp();
    const key = alice.accessKeys[0]?.id ?? '';
    const p: StepParams = { userName: 'alice', userId: ALICE_ID, item: key };
    const step = handler(CLEANUP_STEP.accessKey);
    expect(await step.isDone(p)).toBe(false);

    const first = await step.apply(p);
    const second = await step.apply(p);

    expect(first.requestId).toMatch(/^req-/);
    expect(second.requestId).toBeNull();
    expect(await step.isDone(p)).toBe(true);
    expect(describeCalls(fake.mutating())).toEqual([`DeleteAccessKeyCommand ${key}`, `DeleteAccessKeyCommand ${key}`]);
  });

  it('Given IAM answers ConcurrentModification once, When a step is applied, Then the context\'s retry settings are used and the second call succeeds', async () => {
    const { fake } = setUp();
    fake.fail('DetachUserPolicyCommand', 'alice', 'ConcurrentModificationException', 1);

    const outcome = await handler(CLEANUP_STEP.managedPolicy).apply({ userName: 'alice', userId: ALICE_ID, item: READ_ONLY });

    expect(outcome.requestId).toMatch(/^req-/);
    expect(describeCalls(fake.mutating())).toEqual([`DetachUserPolicyCommand ${READ_ONLY}`, `DetachUserPolicyCommand ${READ_ONLY}`]);
    expect(fake.user('alice').attached).toEqual([]);
  });
});

describe('DeleteUser', () => {
  /** alice backed up in full, then taken apart but for what was attached since the plan: a new key and a group. */
  async function aliceWithLateAttachments() {
    const { fake, alice, params } = setUp();
    await handler(BACKUP_KIND).apply(params);
    const u = fake.user('alice');
    Object.assign(u, { loginProfile: null, accessKeys: [{ id: 'AKIAALICELATE0000001', status: 'Active', secret: 'late-secret-value' }], certificates: [], sshKeys: [], serviceCredentials: [], mfa: [], inline: {}, attached: [], groups: ['auditors'], boundary: null });
    fake.virtualMfa.clear();
    fake.calls.length = 0;
    return { fake, alice };
  }

  it('Given DeleteConflict the first time (a key and a group attached since the plan), When DeleteUser is applied, Then the user is read again, the backup gains what remains, it is deleted in order, and DeleteUser succeeds on the second try', async () => {
    const { fake } = await aliceWithLateAttachments();
    let backupDuringDelete: unknown = 'not read';
    fake.hooks.set('DeleteAccessKeyCommand', async () => {
      backupDuringDelete = (await readUserBackup(context.workspace, 'alice', ALICE_ID, await trustOf(context.workspace)))?.accessKeys.map((k) => k.accessKeyId);
    });

    const outcome = await handler(CLEANUP_STEP.user, () => LATER).apply({ userName: 'alice', userId: ALICE_ID });

    expect(describeCalls(fake.mutating())).toEqual(['DeleteUserCommand', 'DeleteAccessKeyCommand AKIAALICELATE0000001', 'RemoveUserFromGroupCommand auditors', 'DeleteUserCommand']);
    // Between the conflict and the first deletion, the user was read again.
    const commands = fake.calls.map((c) => c.command);
    const reads = commands.slice(commands.indexOf('DeleteUserCommand') + 1, commands.indexOf('DeleteAccessKeyCommand'));
    expect(reads).toEqual(expect.arrayContaining(['GetUserCommand', 'ListAccessKeysCommand', 'ListGroupsForUserCommand', 'ListMFADevicesCommand', 'GetLoginProfileCommand']));
    expect(outcome.requestId).toMatch(/^req-/);
    expect(fake.has('alice')).toBe(false);
    // The backup had the late key before it was deleted, and kept everything saved before.
    expect(backupDuringDelete).toEqual(['AKIAALICE00000000001', 'AKIAALICE00000000002', 'AKIAALICELATE0000001']);
    const backup = await readUserBackup(context.workspace, 'alice', ALICE_ID, await trustOf(context.workspace));
    expect(backup?.groups).toEqual(['developers', 'auditors']);
    expect(backup?.loginProfile.existed).toBe(true);
    expect(backup?.updatedAt).toBe(LATER.toISOString());
    expect(await context.workspace.readText(BACKUP_FILE)).not.toContain('late-secret-value');
  });

  it('Given DeleteConflict twice, When DeleteUser is applied, Then it fails with DELETE_CONFLICT after exactly two DeleteUser calls', async () => {
    const { fake } = await aliceWithLateAttachments();
    fake.fail('DeleteUserCommand', 'alice', 'DeleteConflictException');

    const error = await caught(handler(CLEANUP_STEP.user).apply({ userName: 'alice', userId: ALICE_ID }));

    expect(error).toMatchObject({ code: 'DELETE_CONFLICT' });
    expect(fake.mutating().filter((c) => c.command === 'DeleteUserCommand')).toHaveLength(2);
    expect(fake.has('alice')).toBe(true);
  });

  it('Given DeleteConflict and the user re-created meanwhile (another UserId), When DeleteUser is applied, Then it fails with USER_RECREATED and nothing of the new user is deleted', async () => {
    const { fake } = await aliceWithLateAttachments();
    fake.hooks.set('DeleteUserCommand', () => {
      fake.user('alice').userId = 'AIDAALICE000000000099';
    });

    const error = await caught(handler(CLEANUP_STEP.user).apply({ userName: 'alice', userId: ALICE_ID }));

    expect(error).toMatchObject({ code: 'USER_RECREATED' });
    expect(describeCalls(fake.mutating())).toEqual(['DeleteUserCommand']);
    expect(await context.workspace.readText('backups/alice-AIDAALICE000000000099.json')).toBeNull();
  });

  it('Given AccessDenied, When DeleteUser is applied, Then it fails with that error and the user is not read again', async () => {
    const { fake } = await aliceWithLateAttachments();
    fake.fail('DeleteUserCommand', 'alice', 'AccessDenied');

    const error = await caught(handler(CLEANUP_STEP.user).apply({ userName: 'alice', userId: ALICE_ID }));

    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(fake.calls.map((c) => c.command)).toEqual(['DeleteUserCommand']);
  });

  it('Given the user is already gone, When DeleteUser is applied, Then it is a no-op (no request ID) and isDone is true', async () => {
    const { fake } = setUp();
    fake.users.splice(0);

    const outcome = await handler(CLEANUP_STEP.user).apply({ userName: 'alice', userId: ALICE_ID });

    expect(outcome.requestId).toBeNull();
    expect(await handler(CLEANUP_STEP.user).isDone({ userName: 'alice', userId: ALICE_ID })).toBe(true);
  });
});

describe('invalid user names', () => {
  const kinds: CleanupStepKind[] = Object.values(CLEANUP_STEP);

  it.each(['', 'a b', 'alice/../bob'])('Given the user name "%s", When any cleanup handler is used, Then it fails with EMPTY_USER_NAME before any SDK call', async (userName) => {
    fakeIam(mocks.iam, [fullUser('alice', ALICE_ID)]);
    const backup: BackupParams = { userName, userId: ALICE_ID, credentials: [] };
    const step: StepParams = { userName, userId: ALICE_ID, item: 'AKIAALICE00000000001' };

    const attempts: Promise<unknown>[] = [handler(BACKUP_KIND).apply(backup), handler(BACKUP_KIND).fingerprint(backup)];
    for (const kind of kinds) attempts.push(handler(kind).isDone(step), handler(kind).apply(step));

    for (const attempt of attempts) expect(await caught(attempt)).toMatchObject({ code: 'EMPTY_USER_NAME' });
    expect(mocks.iam.calls()).toHaveLength(0);
    expect(await readdir(context.workspace.dir)).not.toContain('backups');
  });
});
