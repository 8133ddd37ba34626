import { readdir } from 'node:fs/promises';
import type { Workspace } from './workspace.js';

export const BACKUP_DIR = 'backups';

/** The JSON files of backups/ whose name passes `keep`, parsed by `parse`, in name order; none when there is no folder. */
export async function readBackupFiles<T>(workspace: Workspace, keep: (name: string) => boolean, parse: (text: string, file: string) => T): Promise<T[]> {
  let names: string[];
  try {
    names = await readdir(workspace.resolve(BACKUP_DIR));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed: T[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && keep(n)).sort()) {
    const text = await workspace.readText(`${BACKUP_DIR}/${name}`);
    if (text !== null) parsed.push(parse(text, workspace.resolve(`${BACKUP_DIR}/${name}`)));
  }
  return parsed;
}
