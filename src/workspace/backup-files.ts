import { readdir } from 'node:fs/promises';
import { checkWorkspacePath } from './safe-file.js';
import type { Workspace } from './workspace.js';

export const BACKUP_DIR = 'backups';

/** A file of backups/, by its path in the workspace and on disk. */
export interface BackupFile {
  relativePath: string;
  absolutePath: string;
}

/** The JSON files of backups/ whose name passes `keep`, parsed by `parse`, in name order; none when there is no folder. */
export async function readBackupFiles<T>(workspace: Workspace, keep: (name: string) => boolean, parse: (text: string, file: BackupFile) => T): Promise<T[]> {
  let names: string[];
  // A backups/ that is a link to elsewhere is refused, not listed.
  if ((await checkWorkspacePath(workspace.dir, workspace.resolve(BACKUP_DIR), 'directory')) === null) return [];
  try {
    names = await readdir(workspace.resolve(BACKUP_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed: T[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && keep(n)).sort()) {
    const relativePath = `${BACKUP_DIR}/${name}`;
    const text = await workspace.readText(relativePath);
    if (text !== null) parsed.push(parse(text, { relativePath, absolutePath: workspace.resolve(relativePath) }));
  }
  return parsed;
}
