/**
 * `backups/<user>-<userId>.json`: everything about an IAM user that can be recreated, written before
 * cleanup deletes the first thing of it, and the only input of `restore`. It holds no secret: public
 * SSH keys and certificate bodies are public, and of keys, passwords and MFA devices only their IDs,
 * status and existence are kept.
 */
import { z } from 'zod';
import { Fault, UserError } from '../errors.js';
import { formatZodIssues } from './format-zod-issues.js';
import { BACKUP_DIR, readBackupFiles } from './backup-files.js';
import type { Workspace } from './workspace.js';

export const USER_BACKUP_VERSION = 1;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
// IAM documents UserId as [\w]+ of 16 to 128; emulators make shorter lower-case ones.
const USER_ID = /^\w{8,128}$/;

const tag = z.strictObject({ key: z.string(), value: z.string() });

export const UserBackupSchema = z.strictObject({
  schemaVersion: z.literal(USER_BACKUP_VERSION),
  accountId: z.string().regex(/^\d{12}$/),
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

/** Where the backup of one user lives; the UserId in the name keeps a re-created user's backup apart. */
export function userBackupPath(userName: string, userId: string): string {
  if (!IAM_USER_NAME.test(userName) || !USER_ID.test(userId)) {
    throw new Fault('INVALID_BACKUP_NAME', `No backup path for user "${userName}" (${userId}): not an IAM user name and ID.`, 'This is a bug in iam2idc: please report it.');
  }
  return `${BACKUP_DIR}/${userName}-${userId}.json`;
}

export async function readUserBackup(workspace: Workspace, userName: string, userId: string): Promise<UserBackup | null> {
  const path = userBackupPath(userName, userId);
  const text = await workspace.readText(path);
  return text === null ? null : parseBackup(text, workspace.resolve(path));
}

/** Writes the backup atomically (0600); the caller deletes nothing of the user unless this resolved. */
export async function writeUserBackup(workspace: Workspace, backup: UserBackup): Promise<string> {
  return workspace.writeJson(userBackupPath(backup.user.userName, backup.user.userId), UserBackupSchema.parse(backup));
}

/** Every user backup of the workspace (disable records, which share the folder, are not backups). */
export async function listUserBackups(workspace: Workspace): Promise<UserBackup[]> {
  return readBackupFiles(workspace, (n) => !n.startsWith('disable-'), parseBackup);
}

function parseBackup(text: string, file: string): UserBackup {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError('USER_BACKUP_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, `Restore ${file} from your copy of the workspace.`);
  }
  const parsed = UserBackupSchema.safeParse(raw);
  if (!parsed.success) throw new UserError('USER_BACKUP_INVALID', `${file} is invalid: ${formatZodIssues(parsed.error)}`, `Restore ${file} from your copy of the workspace.`);
  return parsed.data;
}
