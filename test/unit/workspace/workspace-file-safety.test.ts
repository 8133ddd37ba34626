import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafetyRefusal, UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { Journal, JOURNAL_FILE, readJournal } from '../../../src/plan/journal.js';
import { checkSavePlanTarget } from '../../../src/plan/plan-file.js';
import { checkMappingAccount } from '../../../src/workspace/mapping-file.js';
import { listUserBackups } from '../../../src/workspace/user-backups.js';
import { FileTrust } from '../../../src/workspace/file-seals.js';
import { acquireLock, LOCK_FILE, readLock } from '../../../src/workspace/lock.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { rejectionOf } from '../plan/support/plan-harness.js';

const ACCOUNT_ID = '111111111111';
const NOW = new Date('2024-06-01T12:00:00.000Z');
const PROCESS = { pid: 4242, hostname: 'test-host', isProcessAlive: () => true };

let root: string;
let workspace: Workspace;
/** A file outside the workspace that a link in it points at: it must never change. */
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-safe-'));
  workspace = Workspace.at(path.join(root, 'ws'));
  await workspace.bindToAccount({ accountId: ACCOUNT_ID, partition: 'aws', arn: `arn:aws:iam::${ACCOUNT_ID}:user/ops` }, NOW);
  outside = path.join(root, 'outside.txt');
  await writeFile(outside, 'precious\n', { mode: 0o644 });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectOutsideUntouched(): Promise<void> {
  expect(await readFile(outside, 'utf8')).toBe('precious\n');
  expect((await stat(outside)).mode & 0o777).toBe(0o644);
}

async function expectUnsafe(attempt: Promise<unknown>): Promise<void> {
  const error = await rejectionOf(attempt);
  expect(error).toBeInstanceOf(SafetyRefusal);
  expect(error).toMatchObject({ code: 'WORKSPACE_FILE_UNSAFE', exitCode: ExitCode.SafetyRefusal });
}

describe('Workspace files are never opened through a link', () => {
  it('Given journal.jsonl linked to a file outside, When the journal is opened, appended to or read, Then each is refused and the outside file is untouched', async () => {
    await symlink(outside, workspace.resolve(JOURNAL_FILE));
    await expectUnsafe(Journal.open(workspace, 'run-1', () => NOW));
    await expectUnsafe(readJournal(workspace));
    await expectOutsideUntouched();
  });

  it('Given workspace.json linked to a file outside, When it is read or written, Then both are refused', async () => {
    await rm(workspace.resolve('workspace.json'));
    await symlink(outside, workspace.resolve('workspace.json'));
    await expectUnsafe(workspace.readState());
    await expectUnsafe(workspace.updateState({ phase: 'audit', update: () => ({ lastRunAt: '2024-06-01T00:00:00.000Z', userCount: 1 }) }));
    await expectOutsideUntouched();
  });

  it('Given a backup file that is a link, When the backups are listed, Then it is refused', async () => {
    await mkdir(workspace.resolve('backups'), { recursive: true });
    await symlink(outside, workspace.resolve('backups/alice-AIDAALICE000000000001.json'));
    await expectUnsafe(listUserBackups(workspace, new FileTrust(ACCOUNT_ID, [])));
  });

  it('Given backups/ linked to a folder outside, When a backup is listed or written, Then both are refused and nothing is written there', async () => {
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere);
    await symlink(elsewhere, workspace.resolve('backups'));
    await expectUnsafe(listUserBackups(workspace, new FileTrust(ACCOUNT_ID, [])));
    await expectUnsafe(workspace.writeJson('backups/alice-AIDAALICE000000000001.json', {}));
    expect(execFileSync('ls', ['-A', elsewhere]).toString()).toBe('');
  });

  it('Given lock.json linked to a file outside, When the lock is read or taken, Then it is refused and the outside file is untouched', async () => {
    await symlink(outside, workspace.resolve(LOCK_FILE));
    await expectUnsafe(readLock(workspace));
    await expectUnsafe(acquireLock(workspace, { command: 'disable', now: NOW, ...PROCESS }));
    await expectOutsideUntouched();
  });
});

describe('Workspace files must be the user\'s own', () => {
  // Only root can hand a file to another user; elsewhere the case cannot be set up.
  it.runIf(userInfo().uid === 0)('Given workspace.json owned by another user, When it is read, Then it is refused', async () => {
    await chown(workspace.resolve('workspace.json'), 4321, 4321);
    await expectUnsafe(workspace.readState());
  });
});

describe('Workspace files must be regular files', () => {
  it('Given journal.jsonl is a directory, When the journal is opened or read, Then it is a usage error naming the file', async () => {
    await mkdir(workspace.resolve(JOURNAL_FILE));
    for (const attempt of [() => Journal.open(workspace, 'run-1', () => NOW), () => readJournal(workspace)]) {
      const error = await rejectionOf(attempt());
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({ code: 'WORKSPACE_FILE_NOT_REGULAR', exitCode: ExitCode.UsageError });
      expect((error as unknown as Error).message).toContain(workspace.resolve(JOURNAL_FILE));
    }
  });

  it('Given a FIFO in place of workspace.json, When it is read, Then it is refused at once instead of hanging', async () => {
    await rm(workspace.resolve('workspace.json'));
    execFileSync('mkfifo', [workspace.resolve('workspace.json')]);
    expect(await rejectionOf(workspace.readState())).toMatchObject({ code: 'WORKSPACE_FILE_NOT_REGULAR' });
  }, 5_000);
});

describe('--save-plan', () => {
  it.each([
    ['into a folder that does not exist', (dir: string) => path.join(dir, 'no-such-folder', 'plan.json')],
    ['onto a directory', (dir: string) => dir],
  ])('Given a target %s, When it is checked, Then it is a usage error naming the file', async (_case, target) => {
    const file = target(root);
    const error = await rejectionOf(checkSavePlanTarget(file));
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'PLAN_FILE_TARGET_INVALID', exitCode: ExitCode.UsageError });
  });

  it('Given a target that is a link, When it is checked, Then it is refused', async () => {
    const link = path.join(root, 'plan.json');
    await symlink(outside, link);
    expect(await rejectionOf(checkSavePlanTarget(link))).toMatchObject({ code: 'PLAN_FILE_TARGET_INVALID' });
    await expectOutsideUntouched();
  });

  it('Given a new file in a folder that exists, When it is checked, Then it is accepted', async () => {
    await expect(checkSavePlanTarget(path.join(root, 'plan.json'))).resolves.toBeUndefined();
  });
});

describe('mapping.yaml of another account', () => {
  it('Given a mapping whose account is not the workspace\'s, When it is checked, Then it is a usage error naming the file', () => {
    expect(() => checkMappingAccount({ account: '222222222222' }, { accountId: ACCOUNT_ID }, 'mapping.yaml')).toThrow(expect.objectContaining({ code: 'MAPPING_ACCOUNT_MISMATCH', exitCode: ExitCode.UsageError }));
    expect(() => checkMappingAccount({ account: ACCOUNT_ID }, { accountId: ACCOUNT_ID }, 'mapping.yaml')).not.toThrow();
    expect(() => checkMappingAccount({ account: '222222222222' }, null, 'mapping.yaml')).not.toThrow();
  });
});
