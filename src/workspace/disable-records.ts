/**
 * `backups/disable-<user>.json`: exactly what `disable` changed on a user (the deny policy it added,
 * the keys it deactivated), written before each change, so that `enable` reverses precisely that
 * and nothing else, from the workspace alone, even after an interrupted run.
 */
import { z } from 'zod';
import { Fault, UserError } from '../errors.js';
import { formatZodIssues } from './format-zod-issues.js';
import { BACKUP_DIR, readBackupFiles, type BackupFile } from './backup-files.js';
import { contentDigest, type FileSealer, type FileTrust } from './file-seals.js';
import type { Workspace } from './workspace.js';

/** 2: sealed, with the account (see file-seals.ts). */
export const DISABLE_RECORD_VERSION = 2;
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
  accountId: z.string().regex(/^\d{12}$/),
  /** enable acts only on a record whose digest the journal recorded when it was written. */
  digest: z.string(),
  ...episodeShape,
  /** Earlier disable/enable episodes of the same user, oldest first. */
  history: z.array(z.strictObject(episodeShape)),
});

export type DisableRecord = z.infer<typeof DisableRecordSchema>;
/** A record as disable keeps it, before it is sealed. */
export type DisableRecordContent = Omit<DisableRecord, 'digest'>;
export type DisableEpisode = Omit<DisableRecord, 'schemaVersion' | 'history' | 'accountId' | 'digest'>;
export type RecordedDenyPolicy = NonNullable<DisableRecord['denyPolicy']>;
export type RecordedKey = DisableRecord['keys'][number];

const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** The record's path; the name must be an IAM user name, which can never leave the backups folder. */
export function disableRecordPath(userName: string): string {
  if (!IAM_USER_NAME.test(userName)) throw new Fault('INVALID_USER_NAME', `"${userName}" is not an IAM user name: no record is written for it.`, 'This is a bug in iam2idc: please report it.');
  return `${BACKUP_DIR}/${PREFIX}${userName}.json`;
}

/** The user's record, checked against the journal (see FileTrust), or null when iam2idc never disabled them. */
export async function readDisableRecord(workspace: Workspace, userName: string, trust: FileTrust): Promise<DisableRecord | null> {
  const relativePath = disableRecordPath(userName);
  const text = await workspace.readText(relativePath);
  return text === null ? null : parseRecord(text, { relativePath, absolutePath: workspace.resolve(relativePath) }, trust);
}

/** Every disable record of the workspace, each checked. */
export async function listDisableRecords(workspace: Workspace, trust: FileTrust): Promise<DisableRecord[]> {
  return readBackupFiles(workspace, (n) => n.startsWith(PREFIX), (text, file) => parseRecord(text, file, trust));
}

/** Seals the record (the journal records its digest first), then writes it atomically. */
export async function writeDisableRecord(workspace: Workspace, content: DisableRecordContent, sealer: FileSealer): Promise<void> {
  const relativePath = disableRecordPath(content.userName);
  const record = DisableRecordSchema.parse({ ...content, digest: contentDigest(content) });
  await sealer.seal(relativePath, record.digest, { accountId: record.accountId, userId: record.userId });
  await workspace.writeJson(relativePath, record);
}

function parseRecord(text: string, file: BackupFile, trust: FileTrust): DisableRecord {
  const fix = `Restore ${file.absolutePath} from your copy: enable needs it to know what disable changed.`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError('DISABLE_RECORD_INVALID', `${file.absolutePath} is not valid JSON: ${(error as Error).message}`, fix);
  }
  const parsed = DisableRecordSchema.safeParse(raw);
  if (!parsed.success) throw new UserError('DISABLE_RECORD_INVALID', `${file.absolutePath} is invalid: ${formatZodIssues(parsed.error)}`, fix);
  trust.check(file, parsed.data, disableRecordPath(parsed.data.userName));
  return parsed.data;
}
