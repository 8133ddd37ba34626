/**
 * Workspace files are opened only as what they claim to be: regular files of the user running the
 * tool, reached through real directories. A symbolic link in place of journal.jsonl (or of backups/)
 * would otherwise have the tool append to, chmod or overwrite a file anywhere, and a FIFO would hang a
 * read forever. The workspace directory itself may be a link the operator chose; only what is below
 * it is checked.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Fault, SafetyRefusal, UserError } from '../errors.js';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

export type OpenMode = 'read' | 'append';

function unsafe(file: string, why: string): SafetyRefusal {
  return new SafetyRefusal(
    'WORKSPACE_FILE_UNSAFE',
    `${file} is ${why}: iam2idc does not read or write a workspace file through it.`,
    `Replace it with the file itself (or remove it), owned by you; a workspace holds only its own regular files.`,
  );
}

function notRegular(file: string, what: string): UserError {
  return new UserError('WORKSPACE_FILE_NOT_REGULAR', `${file} is ${what}, not a regular file.`, `Move it aside: iam2idc keeps a file of its own there.`);
}

/** The owner a workspace file must have: this process's user, where the platform has users (-1 on Windows). */
const ownUid = ((uid) => (uid >= 0 ? uid : null))(userInfo().uid);

/** lstat, or null when nothing is there. */
async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function checkEntry(file: string, stats: Stats, kind: 'file' | 'directory'): void {
  if (stats.isSymbolicLink()) throw unsafe(file, 'a symbolic link');
  if (kind === 'file' && !stats.isFile()) throw notRegular(file, stats.isDirectory() ? 'a directory' : 'a special file (a FIFO, socket or device)');
  if (kind === 'directory' && !stats.isDirectory()) throw notRegular(file, 'not a directory');
  if (ownUid !== null && stats.uid !== ownUid) throw unsafe(file, `owned by another user (uid ${stats.uid})`);
}

/**
 * Checks a path below the workspace root: every directory on the way must be a real directory, and
 * the path itself a regular file of ours (or a directory, for `kind: 'directory'`). Returns its stats,
 * or null when it (or a directory on the way) does not exist yet.
 */
export async function checkWorkspacePath(root: string, target: string, kind: 'file' | 'directory' = 'file'): Promise<Stats | null> {
  const relative = path.relative(root, target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Fault('WORKSPACE_PATH_OUTSIDE', `${target} is not inside the workspace ${root}.`, 'This is a bug in iam2idc: please report it.');
  }
  const parts = relative.split(path.sep);
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    const stats = await lstatOrNull(current);
    if (stats === null) return null;
    checkEntry(current, stats, index === parts.length - 1 ? kind : 'directory');
    if (index === parts.length - 1) return stats;
  }
  return null;
}

/**
 * Opens a workspace file without following a link: to read (null when there is none), or to append
 * (created 0600 when there is none). The file opened is checked to be the one that was looked at, so
 * nothing can be swapped in between.
 */
export async function openWorkspaceFile(root: string, file: string, mode: OpenMode): Promise<FileHandle | null> {
  const before = await checkWorkspacePath(root, file);
  if (before === null && mode === 'read') return null;
  const flags = mode === 'read' ? constants.O_RDONLY | O_NONBLOCK : constants.O_RDWR | constants.O_APPEND | constants.O_CREAT;
  let handle: FileHandle;
  try {
    handle = await open(file, flags | O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw unsafe(file, 'a symbolic link');
    if (code === 'EISDIR') throw notRegular(file, 'a directory');
    if (code === 'ENOENT' && mode === 'read') return null;
    throw error;
  }
  try {
    const stats = await handle.stat();
    checkEntry(file, stats, 'file');
    if (before !== null && (before.ino !== stats.ino || before.dev !== stats.dev)) throw unsafe(file, 'replaced while it was being opened');
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads a workspace file as text, or null when there is none (see `openWorkspaceFile`). */
export async function readWorkspaceFile(root: string, file: string): Promise<string | null> {
  const handle = await openWorkspaceFile(root, file, 'read');
  if (handle === null) return null;
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
