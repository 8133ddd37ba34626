/**
 * `backups/disable-<user>.json`: exactly what `disable` changed on a user (the deny policy it added,
 * the keys it deactivated), written before each change, so that `enable` reverses precisely that
 * and nothing else, from the workspace alone, even after an interrupted run.
 */
import { z } from 'zod';
import { Fault, UserError } from '../errors.js';
import { formatZodIssues } from './format-zod-issues.js';
import { BACKUP_DIR, readBackupFiles } from './backup-files.js';
import type { Workspace } from './workspace.js';

export const DISABLE_RECORD_VERSION = 1;
const PREFIX = 'disable-';

/** `intent`: written before the call (it may or may not have happened); `done`: AWS confirmed it. */
const changeState = z.enum(['intent', 'done']);
const at = z.iso.datetime();

const denyPolicySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('inline'), policyName: z.string().min(1), state: changeState, at }),
  z.strictObject({ kind: z.literal('managed'), policyArn: z.string().min(1), state: changeState, at }),
]);

const keySchema = z.strictObject({
  accessKeyId: z.string().min(1),
  /** Only keys that were Active are ever recorded: a key already inactive is never reactivated. */
  previousStatus: z.literal('Active'),
  state: changeState,
  at,
});

const episodeShape = {
  userName: z.string().min(1),
  /** The user's UserId when disabled: a user re-created under the same name is another user. */
  userId: z.string().min(1),
  startedAt: at,
  /** Every planned change of the run was applied; null while incomplete. */
  completedAt: at.nullable(),
  /** When `enable` reversed it; null while the user stays disabled. */
  enabledAt: at.nullable(),
  denyPolicy: denyPolicySchema.nullable(),
  keys: z.array(keySchema),
};

export const DisableRecordSchema = z.strictObject({
  schemaVersion: z.literal(DISABLE_RECORD_VERSION),
  ...episodeShape,
  /** Earlier disable/enable episodes of the same user, oldest first. */
  history: z.array(z.strictObject(episodeShape)),
});

export type DisableRecord = z.infer<typeof DisableRecordSchema>;
export type DisableEpisode = Omit<DisableRecord, 'schemaVersion' | 'history'>;
export type RecordedDenyPolicy = NonNullable<DisableRecord['denyPolicy']>;
export type RecordedKey = DisableRecord['keys'][number];

const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** The record's path; the name must be an IAM user name, which can never leave the backups folder. */
export function disableRecordPath(userName: string): string {
  if (!IAM_USER_NAME.test(userName)) throw new Fault('INVALID_USER_NAME', `"${userName}" is not an IAM user name: no record is written for it.`, 'This is a bug in iam2idc: please report it.');
  return `${BACKUP_DIR}/${PREFIX}${userName}.json`;
}

/** The user's record, or null when iam2idc never disabled them. Invalid content is a usage error. */
export async function readDisableRecord(workspace: Workspace, userName: string): Promise<DisableRecord | null> {
  const path = disableRecordPath(userName);
  const text = await workspace.readText(path);
  return text === null ? null : parseRecord(text, workspace.resolve(path));
}

/** Every disable record of the workspace, by user name. */
export async function listDisableRecords(workspace: Workspace): Promise<DisableRecord[]> {
  return readBackupFiles(workspace, (n) => n.startsWith(PREFIX), parseRecord);
}

export async function writeDisableRecord(workspace: Workspace, record: DisableRecord): Promise<void> {
  await workspace.writeJson(disableRecordPath(record.userName), DisableRecordSchema.parse(record));
}

function parseRecord(text: string, file: string): DisableRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError('DISABLE_RECORD_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, `Restore ${file} from your copy: enable needs it to know what disable changed.`);
  }
  const parsed = DisableRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError('DISABLE_RECORD_INVALID', `${file} is invalid: ${formatZodIssues(parsed.error)}`, `Restore ${file} from your copy: enable needs it to know what disable changed.`);
  }
  return parsed.data;
}
