import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/exit-codes.js';
import { readFileTrust } from '../../../src/plan/plan-run.js';
import { contentDigest } from '../../../src/workspace/file-seals.js';
import { listUserBackups, readUserBackup, USER_BACKUP_VERSION, userBackupPath, writeUserBackup, type UserBackupContent } from '../../../src/workspace/user-backups.js';
import { rejectionOf, usePlanTestContext } from '../plan/support/plan-harness.js';
import { sealing } from '../retire/support/held-run.js';
import { ACCOUNT_ID } from '../support/builders.js';

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

const trust = () => readFileTrust(context.workspace, ACCOUNT_ID);
const backups = async () => listUserBackups(context.workspace, await trust());

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

describe('Listing and reading backups', () => {
  it('Given backups of two users written through a run, When they are listed, Then both are trusted, in file name order', async () => {
    await sealing(context.workspace, async (run) => {
      await writeUserBackup(context.workspace, backupOf('bob', BOB_ID), run);
      await writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run);
    });
    expect((await backups()).map((b) => [b.user.userName, b.user.userId])).toEqual([
      ['alice', ALICE_ID],
      ['bob', BOB_ID],
    ]);
  });

  it('Given a backup rewritten by a later run with more in it, When it is read, Then the newer version is trusted too', async () => {
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run).then(() => undefined));
    const grown = { ...backupOf('alice', ALICE_ID), updatedAt: '2024-06-01T11:30:00.000Z', groups: ['developers', 'oncall'] };
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, grown, run).then(() => undefined));

    const backup = await readUserBackup(context.workspace, 'alice', ALICE_ID, await trust());

    expect(backup?.groups).toEqual(['developers', 'oncall']);
    expect(backup?.digest).toBe(contentDigest(grown));
  });

  it('Given no backup of the user, When it is read, Then there is none; with no backups folder, the list is empty', async () => {
    expect(await readUserBackup(context.workspace, 'alice', ALICE_ID, await trust())).toBeNull();
    expect(await backups()).toEqual([]);
  });

  it('Given a disable-<user>.json an earlier version left in backups/, unsealed, When the backups are listed, Then it is not taken for a backup and the real ones are still listed', async () => {
    await sealing(context.workspace, (run) => writeUserBackup(context.workspace, backupOf('alice', ALICE_ID), run).then(() => undefined));
    await context.workspace.writeJson('backups/disable-bob.json', { schemaVersion: 1, userName: 'bob', userId: BOB_ID, keys: [] });

    expect((await backups()).map((b) => b.user.userName)).toEqual(['alice']);
  });
});
