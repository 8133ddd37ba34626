import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext, CommandHandler } from '../../../src/command-context.js';
import { registerUnlockCommand } from '../../../src/commands/unlock.js';
import { SafetyRefusal, UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { TestIoHost } from '../support/test-io-host.js';
import { acquireLock, LOCK_FILE, readLock, unlockWorkspace, type AcquireLockOptions, type UnlockResult } from '../../../src/workspace/lock.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const HOST = 'ops-laptop';
const HOLDER_PID = 4242;
const OUR_PID = 5151;

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-lock-'));
  workspace = Workspace.at(path.join(root, 'ws'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A host where only the given process IDs run. */
const probeWith = (running: number[], hostname = HOST) => ({ hostname, pid: OUR_PID, isProcessAlive: (pid: number) => running.includes(pid) });

function holderOptions(overrides: Partial<AcquireLockOptions> = {}): AcquireLockOptions {
  return { command: 'create-permission-sets', now: NOW, pid: HOLDER_PID, hostname: HOST, isProcessAlive: () => true, ...overrides };
}

async function refusalOf(attempt: Promise<unknown>): Promise<SafetyRefusal | UserError> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).not.toBeNull();
  return error as SafetyRefusal | UserError;
}

describe('Acquiring the workspace lock', () => {
  it('Given a free workspace, When a run takes it, Then lock.json names the run with a short ID, owner-only even under umask 0', async () => {
    const saved = process.umask(0);
    try {
      const lock = await acquireLock(workspace, holderOptions());
      expect(lock.id).toMatch(/^[0-9a-f]{8}$/);
      expect(JSON.parse(await readFile(lock.file, 'utf8'))).toEqual({
        id: lock.id,
        pid: HOLDER_PID,
        hostname: HOST,
        command: 'create-permission-sets',
        startedAt: NOW.toISOString(),
      });
      expect((await stat(lock.file)).mode & 0o777).toBe(0o600);
      expect((await stat(workspace.dir)).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(saved);
    }
  });

  it('Given a run holding the workspace, When a second run starts, Then it is refused with the holder and its ID', async () => {
    const first = await acquireLock(workspace, holderOptions());
    const error = await refusalOf(acquireLock(workspace, holderOptions({ ...probeWith([HOLDER_PID]), command: 'assign' })));
    expect(error).toBeInstanceOf(SafetyRefusal);
    expect(error.exitCode).toBe(ExitCode.SafetyRefusal);
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.message).toContain(first.id);
    expect(error.message).toContain('create-permission-sets');
    expect(error.message).toContain(String(HOLDER_PID));
    // A live holder is waited for, not unlocked.
    expect(error.resolution).not.toContain(first.id);
    expect((await readLock(workspace))?.id).toBe(first.id);
  });

  it('Given the holder is gone, When a second run starts, Then the refusal gives the unlock command for that ID', async () => {
    const first = await acquireLock(workspace, holderOptions());
    const error = await refusalOf(acquireLock(workspace, holderOptions(probeWith([]))));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.resolution).toContain(`iam2idc unlock ${first.id}`);
  });

  it('Given a holder on another host, When a second run starts, Then it is refused and the unlock is offered for that ID', async () => {
    const first = await acquireLock(workspace, holderOptions({ hostname: 'build-box' }));
    const error = await refusalOf(acquireLock(workspace, holderOptions(probeWith([HOLDER_PID]))));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.message).toContain('build-box');
    expect(error.resolution).toContain(`iam2idc unlock ${first.id}`);
  });

  it('Given many runs starting at once, When they race for the lock, Then exactly one gets it', async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireLock(workspace, holderOptions({ pid: 1000 + i }))));
    const won = attempts.filter((a) => a.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 'rejected').map((a) => (a.reason as SafetyRefusal).code)).toEqual(Array(7).fill('WORKSPACE_LOCKED'));
  });

  it('Given an empty lock file left by a crash, When a run starts, Then it is refused with an ID that unlock accepts', async () => {
    await mkdir(workspace.dir, { recursive: true });
    await writeFile(workspace.resolve(LOCK_FILE), '');
    const error = await refusalOf(acquireLock(workspace, holderOptions()));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    const found = await readLock(workspace);
    expect(found).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{8}$/), pid: null });
    expect(error.resolution).toContain(`iam2idc unlock ${found?.id}`);
    await unlockWorkspace(workspace, found?.id ?? '', probeWith([]));
    await expect(acquireLock(workspace, holderOptions())).resolves.toMatchObject({ id: expect.any(String) });
  });
});

describe('Releasing the workspace lock', () => {
  it('Given our lock, When released, Then the file is gone, and a second release is harmless', async () => {
    const lock = await acquireLock(workspace, holderOptions());
    await expect(lock.release()).resolves.toBe(true);
    await expect(readLock(workspace)).resolves.toBeNull();
    await expect(lock.release()).resolves.toBe(false);
  });

  it('Given our lock was cleared and another run took the workspace, When we release, Then their lock stays', async () => {
    const ours = await acquireLock(workspace, holderOptions());
    await unlockWorkspace(workspace, ours.id, probeWith([]));
    const theirs = await acquireLock(workspace, holderOptions({ pid: 777 }));
    await expect(ours.release()).resolves.toBe(false);
    expect((await readLock(workspace))?.id).toBe(theirs.id);
    await expect(theirs.release()).resolves.toBe(true);
  });
});

describe('Unlocking the workspace', () => {
  it('Given a stale lock, When unlocked with its ID, Then it is removed and the next run can start', async () => {
    const stale = await acquireLock(workspace, holderOptions());
    const result = await unlockWorkspace(workspace, stale.id.toUpperCase(), probeWith([]));
    expect(result).toEqual({ workspace: workspace.dir, removed: stale.holder, holder: 'gone' });
    await expect(readLock(workspace)).resolves.toBeNull();
    await expect(acquireLock(workspace, holderOptions())).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('Given a lock, When unlocked with another ID, Then it is a usage error showing the current ID, and the lock stays', async () => {
    const lock = await acquireLock(workspace, holderOptions());
    const error = await refusalOf(unlockWorkspace(workspace, 'deadbeef', probeWith([])));
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('LOCK_ID_MISMATCH');
    expect(error.message).toContain(lock.id);
    expect((await readLock(workspace))?.id).toBe(lock.id);
  });

  it('Given a lock whose process still runs here, When unlocked, Then it is refused and the lock stays', async () => {
    const lock = await acquireLock(workspace, holderOptions());
    const error = await refusalOf(unlockWorkspace(workspace, lock.id, probeWith([HOLDER_PID])));
    expect(error).toBeInstanceOf(SafetyRefusal);
    expect(error.code).toBe('LOCK_HOLDER_ALIVE');
    expect((await readLock(workspace))?.id).toBe(lock.id);
  });

  it('Given a lock naming this very process (a reused PID), When unlocked, Then it counts as gone', async () => {
    const lock = await acquireLock(workspace, holderOptions({ pid: OUR_PID }));
    await expect(unlockWorkspace(workspace, lock.id, probeWith([OUR_PID]))).resolves.toMatchObject({ holder: 'gone' });
  });

  it('Given a lock from another host, When unlocked with its ID, Then it is removed and its holder is unknown', async () => {
    const lock = await acquireLock(workspace, holderOptions({ hostname: 'build-box' }));
    await expect(unlockWorkspace(workspace, lock.id, probeWith([HOLDER_PID]))).resolves.toMatchObject({ holder: 'unknown' });
    await expect(readLock(workspace)).resolves.toBeNull();
  });

  it('Given no lock, When unlocked, Then it is a usage error', async () => {
    const error = await refusalOf(unlockWorkspace(workspace, 'deadbeef', probeWith([])));
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('NOT_LOCKED');
  });
});

describe('The unlock command', () => {
  async function runUnlock(args: string[], running: number[]): Promise<{ io: TestIoHost; error: unknown }> {
    const io = new TestIoHost();
    const program = new Command('iam2idc').exitOverride();
    const ctx = { io, workspace, now: () => NOW, process: probeWith(running) } as unknown as CommandContext;
    registerUnlockCommand(program, async (_command: Command, handler: CommandHandler) => {
      await handler(ctx);
    });
    const error = await program.parseAsync(['node', 'iam2idc', 'unlock', ...args]).then(
      () => null,
      (e: unknown) => e,
    );
    return { io, error };
  }

  it('Given a stale lock, When `unlock <id>` runs, Then the lock is removed and the result names it', async () => {
    const stale = await acquireLock(workspace, holderOptions());
    const { io, error } = await runUnlock([stale.id], []);
    expect(error).toBeNull();
    expect((io.results[0] as UnlockResult).removed).toEqual(stale.holder);
    await expect(readLock(workspace)).resolves.toBeNull();
  });

  it('Given a live holder, When `unlock <id>` runs, Then the refusal reaches the caller and nothing is reported as removed', async () => {
    const live = await acquireLock(workspace, holderOptions());
    const { io, error } = await runUnlock([live.id], [HOLDER_PID]);
    expect(error).toMatchObject({ code: 'LOCK_HOLDER_ALIVE' });
    expect(io.results).toEqual([]);
  });
});
