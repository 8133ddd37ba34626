import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/exit-codes.js';
import { readFileTrust } from '../../../src/plan/plan-run.js';
import { contentDigest } from '../../../src/workspace/file-seals.js';
import { DISABLE_RECORD_VERSION, disableRecordPath, listDisableRecords, writeDisableRecord, type DisableRecordContent } from '../../../src/workspace/disable-records.js';
import { listUserBackups, readUserBackup, USER_BACKUP_VERSION, userBackupPath, writeUserBackup, type UserBackupContent } from '../../../src/workspace/user-backups.js';
import { rejectionOf, usePlanTestContext } from '../plan/support/plan-harness.js';
import { ACCOUNT_ID } from '../plan/support/fake-account.js';
import { sealing } from '../retire/support/held-run.js';

const context = usePlanTestContext();
const ALICE_ID = 'AIDAALICE000000000001';
const BOB_ID = 'AIDABOB00000000000001';
const AT = '2024-06-01T11:00:00.000Z';

function backupOf(userName: string, userId: string): UserBackupContent {
  return {
    schemaVersion: USER_BACKUP_VERSION,
    accountId: ACCOUNT_ID,
    takenAt: AT,
    updatedAt: AT,
    user: { userName, userId, arn: `arn:aws:iam::${ACCOUNT_ID}:user/${userName}`, path: '/', createDate: null, tags: [], permissionsBoundary: null },
    inlinePolicies: [],
    attachedPolicies: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    groups: ['developers'],
    sshPublicKeys: [],
    signingCertificates: [],
    mfaDevices: [],
    accessKeys: [{ accessKeyId: 'AKIAALICE00000000001', status: 'Inactive', createDate: null }],
    serviceSpecificCredentials: [],
    loginProfile: { existed: false, passwordResetRequired: false },
  };
}

function recordOf(userName: string, userId: string): DisableRecordContent {
  return {
    schemaVersion: DISABLE_RECORD_VERSION,
    accountId: ACCOUNT_ID,
    userName,
    userId,
    startedAt: AT,
    completedAt: AT,
    enabledAt: null,
    denyPolicy: { kind: 'inline', policyName: 'iam2idc-deny-all', state: 'done', at: AT },
    keys: [{ accessKeyId: 'AKIAALICE00000000001', previousStatus: 'Active', state: 'done', at: AT }],
    history: [],
  };
}

const trust = () => readFileTrust(context.workspace, ACCOUNT_ID);
const backups = async () => listUserBackups(context.workspace, await trust());
const records = async () => listDisableRecords(context.workspace, await trust());

async function editJson(relativePath: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const file = context.workspace.resolve(relativePath);
  const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  await writeFile(file, JSON.stringify(value));
}

async function expectUntrusted(attempt: Promise<unknown>): Promise<void> {
  expect(await rejectionOf(attempt)).toMatchObject({ code: 'WORKSPACE_FILE_UNTRUSTED', exitCode: ExitCode.SafetyRefusal });
}

describe('Backups are trusted only as this workspace wrote them', () => {
  it('Given a backup written through a run, When it is read, Then it is trusted, with its digest recorded in the journal', async () => {
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run).then(() => undefined));
    const [backup] = await backups();
    expect(backup?.user.userName).toBe('alice');
    expect(backup?.digest).toBe(contentDigest(backupOf('alice', ALICE_ID)));
  });

  it('Given a backup edited to add AdministratorAccess, an admin group and an inline iam:*, When it is read, Then it is refused', async () => {
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run).then(() => undefined));
    await editJson(userBackupPath('alice', ALICE_ID), (b) => {
      (b.attachedPolicies as unknown[]).push({ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
      (b.groups as string[]).push('admins');
      b.inlinePolicies = [{ name: 'all', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } }];
    });
    await expectUntrusted(backups());
  });

  it('Given the same edit with the digest recomputed to match, When it is read, Then it is still refused: the journal never recorded that digest', async () => {
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run).then(() => undefined));
    await editJson(userBackupPath('alice', ALICE_ID), (b) => {
      (b.groups as string[]).push('admins');
      b.digest = contentDigest(b);
    });
    await expectUntrusted(backups());
  });

  it('Given a backup of another account, sealed there, When it is copied in and read, Then it is refused', async () => {
    const other = { ...backupOf('alice', ALICE_ID), accountId: '222222222222' };
    await context.workspace.writeJson(userBackupPath('alice', ALICE_ID), { ...other, digest: contentDigest(other) });
    await expectUntrusted(backups());
  });

  it('Given a backup whose digest this journal recorded but which names another account, When it is read, Then it is refused', async () => {
    const other = { ...backupOf('alice', ALICE_ID), accountId: '222222222222' };
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, other, run).then(() => undefined));
    await expectUntrusted(backups());
  });

  it('Given alice\'s backup under bob\'s file name, When it is read, Then it is refused', async () => {
    await sealing(context.workspace, async (run) => {
      await writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run);
      await writeUserBackup(context.workspace, backupOf('bob', BOB_ID), run);
    });
    const alice = await readFile(context.workspace.resolve(userBackupPath('alice', ALICE_ID)), 'utf8');
    await writeFile(context.workspace.resolve(userBackupPath('bob', BOB_ID)), alice);
    await expectUntrusted(readUserBackup(context.workspace, 'bob', BOB_ID, await trust()));
  });
});

describe('Disable records are trusted only as disable wrote them', () => {
  it('Given a record written through a run, When the records are listed, Then it is trusted', async () => {
    await sealing(context.workspace, (run) => writeDisableRecord(context.workspace, recordOf('alice', ALICE_ID), run));
    expect((await records()).map((r) => r.userName)).toEqual(['alice']);
  });

  it('Given a forged record (never written by disable) naming a key iam2idc never touched, When the records are listed, Then it is refused', async () => {
    const forged = recordOf('bob', BOB_ID);
    await context.workspace.writeJson(disableRecordPath('bob'), { ...forged, digest: contentDigest(forged) });
    await expectUntrusted(records());
  });

  it('Given a record edited to add a key, When the records are listed, Then it is refused', async () => {
    await sealing(context.workspace, (run) => writeDisableRecord(context.workspace, recordOf('alice', ALICE_ID), run));
    await editJson(disableRecordPath('alice'), (r) => {
      (r.keys as unknown[]).push({ accessKeyId: 'AKIAOTHER0000000001', previousStatus: 'Active', state: 'done', at: AT });
    });
    await expectUntrusted(records());
  });

  it('Given alice\'s record under bob\'s file name, When the records are listed, Then it is refused', async () => {
    await sealing(context.workspace, (run) => writeDisableRecord(context.workspace, recordOf('alice', ALICE_ID), run));
    await writeFile(context.workspace.resolve(disableRecordPath('bob')), await readFile(context.workspace.resolve(disableRecordPath('alice')), 'utf8'));
    await expectUntrusted(records());
  });
});
