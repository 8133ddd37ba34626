/**
 * One run at a time per workspace: `lock.json`, created exclusively, names the run that holds the
 * workspace by a short ID that the operator can type (`iam2idc unlock <id>`) when that run is gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { SafetyRefusal, UserError } from '../errors.js';
import type { Workspace } from './workspace.js';

export const LOCK_FILE = 'lock.json';
const FILE_MODE = 0o600;
const ID_PATTERN = /^[0-9a-f]{8}$/;

/**
 * The run that holds the workspace. A lock file that cannot be read (a run stopped while writing it)
 * has only an ID, derived from its bytes so that it can still be typed, and nulls elsewhere.
 */
export interface LockHolder {
  id: string;
  pid: number | null;
  hostname: string | null;
  command: string | null;
  startedAt: string | null;
}

/** Whether the holder still runs: only a process on this host can be checked. */
export type HolderLiveness = 'alive' | 'gone' | 'unknown';

/** How to tell whether the process holding a lock still runs (`process.kill(pid, 0)` in a real process). */
export interface ProcessProbe {
  isProcessAlive: (pid: number) => boolean;
  hostname: string;
  /** This process: a lock naming it was left by an earlier process that had the same number (a container's PID 1). */
  pid?: number;
}

export interface AcquireLockOptions extends ProcessProbe {
  /** The command taking the lock, e.g. `create-permission-sets`. */
  command: string;
  pid: number;
  /** When the run started (a clock is accepted too). */
  now: Date | (() => Date);
}

/** The lock held by this run. */
export interface WorkspaceLock {
  readonly id: string;
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still ours; true when it did. Safe to call twice. */
  release(): Promise<boolean>;
}

export interface UnlockResult {
  workspace: string;
  removed: LockHolder;
  /** `unknown` when the holder ran on another host and the operator vouched for it by its ID. */
  holder: Exclude<HolderLiveness, 'alive'>;
}

const lockRecordSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  pid: z.number().int().positive(),
  hostname: z.string(),
  command: z.string(),
  startedAt: z.string(),
});

/**
 * Takes the workspace for this run, or refuses (`WORKSPACE_LOCKED`, exit 3) when another run holds
 * it, saying who holds it and whether that process still runs.
 */
export async function acquireLock(workspace: Workspace, options: AcquireLockOptions): Promise<WorkspaceLock> {
  await workspace.ensureExists();
  const file = workspace.resolve(LOCK_FILE);
  const startedAt = (typeof options.now === 'function' ? options.now() : options.now).toISOString();
  // A lock released between our failed create and our read is simply gone: try again, a few times.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const holder: LockHolder = { id: newLockId(), pid: options.pid, hostname: options.hostname, command: options.command, startedAt };
    if (await createExclusive(file, `${JSON.stringify(holder)}\n`)) return heldLock(workspace, holder);
    const current = await readLock(workspace);
    if (current) throw lockedError(workspace, current, livenessOf(current, options));
  }
  throw new SafetyRefusal('WORKSPACE_LOCK_CONTENDED', `Other runs keep taking and releasing the lock on ${workspace.dir}.`, 'Run one iam2idc command at a time on a workspace.');
}

/** The lock on the workspace, or null when no run holds it. */
export function readLock(workspace: Workspace): Promise<LockHolder | null> {
  return readLockFile(workspace);
}

async function readLockFile(workspace: Workspace): Promise<LockHolder | null> {
  // Read without following a link, like every workspace file.
  const text = await workspace.readText(LOCK_FILE);
  if (text === null) return null;
  const bytes = Buffer.from(text, 'utf8');
  const parsed = lockRecordSchema.safeParse(parseJson(bytes.toString('utf8')));
  if (parsed.success) return parsed.data;
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), pid: null, hostname: null, command: null, startedAt: null };
}

/** Whether the holder of a lock still runs, as far as this host can tell. */
export function livenessOf(holder: LockHolder, probe: ProcessProbe): HolderLiveness {
  if (holder.pid === null || holder.hostname === null || holder.hostname !== probe.hostname) return 'unknown';
  if (holder.pid === probe.pid) return 'gone';
  return probe.isProcessAlive(holder.pid) ? 'alive' : 'gone';
}

/**
 * Clears a stale lock: only the lock with this ID (`LOCK_ID_MISMATCH` otherwise), and never one whose
 * process still runs on this host (`LOCK_HOLDER_ALIVE`). No lock at all is `NOT_LOCKED`.
 */
export async function unlockWorkspace(workspace: Workspace, id: string, probe: ProcessProbe): Promise<UnlockResult> {
  const file = workspace.resolve(LOCK_FILE);
  const current = await readLock(workspace);
  if (!current) {
    throw new UserError('NOT_LOCKED', `The workspace ${workspace.dir} is not locked: there is no ${LOCK_FILE}.`, 'Nothing to clear: run the command you wanted.');
  }
  const wanted = id.trim().toLowerCase();
  if (wanted !== current.id) {
    throw new UserError(
      'LOCK_ID_MISMATCH',
      `The lock on ${workspace.dir} has the ID ${current.id}, not ${id.trim()}.`,
      'Give the ID of the lock to clear, after checking that the run holding it is no longer running.',
    );
  }
  const holder = livenessOf(current, probe);
  if (holder === 'alive') {
    throw new SafetyRefusal(
      'LOCK_HOLDER_ALIVE',
      `The lock ${current.id} is held by ${describeHolder(current)}, which is still running.`,
      `Let it finish, or stop it with Ctrl-C (the lock is released when it ends). If process ${current.pid} is not iam2idc (its number was reused after a restart), delete ${file} by hand.`,
    );
  }
  // Read and remove are two steps; a new run would have to take the lock in between for this to
  // remove the wrong one, and the ID check above makes that a window of microseconds.
  await removeIfPresent(file);
  return { workspace: workspace.dir, removed: current, holder };
}

function heldLock(workspace: Workspace, holder: LockHolder): WorkspaceLock {
  const file = workspace.resolve(LOCK_FILE);
  let released = false;
  return {
    id: holder.id,
    file,
    holder,
    async release() {
      if (released) return false;
      released = true;
      const current = await readLockFile(workspace);
      // Someone may have cleared our lock with `unlock` and another run taken it: that one is not ours.
      if (current?.id !== holder.id) return false;
      await removeIfPresent(file);
      return true;
    },
  };
}

function lockedError(workspace: Workspace, holder: LockHolder, liveness: HolderLiveness): SafetyRefusal {
  const state = {
    alive: 'and it is still running',
    gone: 'but it is no longer running',
    unknown: holder.hostname === null ? 'so which run it was cannot be told' : 'on another host, so whether it still runs cannot be told here',
  }[liveness];
  const unlock = `iam2idc unlock ${holder.id}`;
  const resolution = {
    alive: 'Wait for that run to finish, or stop it with Ctrl-C; the lock is released when it ends.',
    gone: `That run stopped without releasing the lock: clear it with \`${unlock}\` and run the command again; it resumes from the journal.`,
    unknown: `If no iam2idc run is using this workspace any more, clear the lock with \`${unlock}\` and run the command again.`,
  }[liveness];
  return new SafetyRefusal('WORKSPACE_LOCKED', `The workspace ${workspace.dir} is locked (lock ${holder.id}) by ${describeHolder(holder)}, ${state}.`, resolution);
}

function describeHolder(holder: LockHolder): string {
  if (holder.pid === null) return 'an incomplete lock file (a run stopped while taking the lock, or is taking it now)';
  return `\`iam2idc ${holder.command}\` started ${holder.startedAt} (process ${holder.pid} on ${holder.hostname})`;
}

/** Creates the file only if it does not exist; false when another run's lock is there. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx', FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    // The mode given to open() is filtered by the umask.
    await handle.chmod(FILE_MODE);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    // Leave no half-written lock behind to block the next run.
    await handle.close();
    await removeIfPresent(file);
    throw error;
  }
  await handle.close();
  return true;
}

async function removeIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Eight hex characters: enough that two runs never share one, short enough to type. */
function newLockId(): string {
  return randomBytes(4).toString('hex');
}

