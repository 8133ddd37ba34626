/**
 * `backups/<user>-<userId>.json`: everything about an IAM user that can be recreated, written before
 * cleanup deletes the first thing of it, and the only input of `restore`. It holds no secret: public
 * SSH keys and certificate bodies are public, and of keys, passwords and MFA devices only their IDs,
 * status and existence are kept.
 */
import { z } from 'zod';
import { Fault, UserError } from '../errors.js';
import { formatZodIssues } from './format-zod-issues.js';
import { BACKUP_DIR, readBackupFiles, type BackupFile } from './backup-files.js';
import { contentDigest, type FileSealer, type FileTrust } from './file-seals.js';
import type { Workspace } from './workspace.js';

/** 2: sealed (a digest the journal records too). */
export const USER_BACKUP_VERSION = 2;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
// IAM documents UserId as [\w]+ of 16 to 128; emulators make shorter lower-case ones.
const USER_ID = /^\w{8,128}$/;

const tag = z.strictObject({ key: z.string(), value: z.string() });

export const UserBackupSchema = z.strictObject({
  schemaVersion: z.literal(USER_BACKUP_VERSION),
  accountId: z.string().regex(/^\d{12}$/),
  /** See file-seals.ts: restore acts only on a backup whose digest the journal recorded. */
  digest: z.string(),
  /** When the first backup of the user was taken; later runs only add what they find. */
  takenAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  user: z.strictObject({
    userName: z.string().regex(IAM_USER_NAME),
    userId: z.string().regex(USER_ID),
    arn: z.string(),
    path: z.string(),
    createDate: z.string().nullable(),
    tags: z.array(tag),
    permissionsBoundary: z.string().nullable(),
  }),
  inlinePolicies: z.array(z.strictObject({ name: z.string(), document: z.unknown() })),
  attachedPolicies: z.array(z.strictObject({ name: z.string(), arn: z.string() })),
  groups: z.array(z.string()),
  sshPublicKeys: z.array(z.strictObject({ sshPublicKeyId: z.string(), status: z.string(), body: z.string(), uploadDate: z.string().nullable() })),
  signingCertificates: z.array(z.strictObject({ certificateId: z.string(), status: z.string(), body: z.string(), uploadDate: z.string().nullable() })),
  mfaDevices: z.array(z.strictObject({ serialNumber: z.string(), type: z.enum(['virtual', 'hardware', 'security-key']), enableDate: z.string().nullable() })),
  accessKeys: z.array(z.strictObject({ accessKeyId: z.string(), status: z.string(), createDate: z.string().nullable() })),
  serviceSpecificCredentials: z.array(z.strictObject({ id: z.string(), serviceName: z.string(), serviceUserName: z.string(), status: z.string() })),
  loginProfile: z.strictObject({ existed: z.boolean(), passwordResetRequired: z.boolean() }),
});

export type UserBackup = z.infer<typeof UserBackupSchema>;
/** A backup as cleanup builds it, before it is sealed. */
export type UserBackupContent = Omit<UserBackup, 'digest'>;

/** Where the backup of one user lives; the UserId in the name keeps a re-created user's backup apart. */
export function userBackupPath(userName: string, userId: string): string {
  if (!IAM_USER_NAME.test(userName) || !USER_ID.test(userId)) {
    throw new Fault('INVALID_BACKUP_NAME', `No backup path for user "${userName}" (${userId}): not an IAM user name and ID.`, 'This is a bug in iam2idc: please report it.');
  }
  return `${BACKUP_DIR}/${userName}-${userId}.json`;
}

/** The user's backup, checked against the journal (see FileTrust), or null when there is none. */
export async function readUserBackup(workspace: Workspace, userName: string, userId: string, trust: FileTrust): Promise<UserBackup | null> {
  const relativePath = userBackupPath(userName, userId);
  const text = await workspace.readText(relativePath);
  return text === null ? null : parseBackup(text, { relativePath, absolutePath: workspace.resolve(relativePath) }, trust);
}

/**
 * Seals and writes the backup atomically (0600): the journal records its digest first. The caller
 * deletes nothing of the user unless this resolved.
 */
export async function writeUserBackup(workspace: Workspace, content: UserBackupContent, sealer: FileSealer): Promise<string> {
  const relativePath = userBackupPath(content.user.userName, content.user.userId);
  const backup = UserBackupSchema.parse({ ...content, digest: contentDigest(content) });
  await sealer.seal(relativePath, backup.digest, { accountId: backup.accountId, userId: backup.user.userId });
  return workspace.writeJson(relativePath, backup);
}

/** Every user backup of the workspace, each checked (the disable-<user>.json files earlier versions wrote there are not backups). */
export async function listUserBackups(workspace: Workspace, trust: FileTrust): Promise<UserBackup[]> {
  return readBackupFiles(workspace, (n) => !n.startsWith('disable-'), (text, file) => parseBackup(text, file, trust));
}

function parseBackup(text: string, file: BackupFile, trust: FileTrust): UserBackup {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError('USER_BACKUP_INVALID', `${file.absolutePath} is not valid JSON: ${(error as Error).message}`, `Restore ${file.absolutePath} from your copy of the workspace.`);
  }
  const parsed = UserBackupSchema.safeParse(raw);
  if (!parsed.success) throw new UserError('USER_BACKUP_INVALID', `${file.absolutePath} is invalid: ${formatZodIssues(parsed.error)}`, `Restore ${file.absolutePath} from your copy of the workspace.`);
  trust.check(file, parsed.data, userBackupPath(parsed.data.user.userName, parsed.data.user.userId));
  return parsed.data;
}
