/**
 * The two sides a fault scenario compares after every run: an IAM user as moto holds it (read
 * directly, never through the fault proxy) and what the workspace says iam2idc did to it.
 */
import {
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { readJournalFold } from '../../../src/plan/journal-index.js';
import { retiredUserNamed, retiredUsersOf, type RetiredUser } from '../../../src/phases/disable/retired-users.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import type { UserBackup } from '../../../src/workspace/user-backups.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { readWorkspaceJson } from './workspace-files.js';

export interface UserAccess {
  userId: string;
  tags: Record<string, string>;
  inline: string[];
  attached: string[];
  groups: string[];
  /** Access key ID → Active or Inactive. */
  keys: Record<string, string>;
  /** Serials of the MFA devices IAM lists for the user (a deactivated one is not listed). */
  mfa: string[];
}

/** The user as moto holds it now, or null when there is no such user. */
export async function readAccess(iam: IAMClient, userName: string): Promise<UserAccess | null> {
  let user;
  try {
    user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchEntityException') return null;
    throw error;
  }
  const UserName = userName;
  const [inline, attached, groups, keys, mfa] = await Promise.all([
    iam.send(new ListUserPoliciesCommand({ UserName })),
    iam.send(new ListAttachedUserPoliciesCommand({ UserName })),
    iam.send(new ListGroupsForUserCommand({ UserName })),
    iam.send(new ListAccessKeysCommand({ UserName })),
    iam.send(new ListMFADevicesCommand({ UserName })),
  ]);
  return {
    userId: user?.UserId ?? '',
    tags: Object.fromEntries((user?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    inline: [...(inline.PolicyNames ?? [])].sort(),
    attached: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '').sort(),
    groups: (groups.Groups ?? []).map((g) => g.GroupName ?? '').sort(),
    keys: Object.fromEntries((keys.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId ?? '', k.Status ?? ''])),
    mfa: (mfa.MFADevices ?? []).map((d) => d.SerialNumber ?? '').sort(),
  };
}

export async function readAccessOf(iam: IAMClient, userNames: readonly string[]): Promise<Map<string, UserAccess | null>> {
  return new Map(await Promise.all(userNames.map(async (name) => [name, await readAccess(iam, name)] as const)));
}

/** Every virtual MFA device of the account, assigned or not: a deactivated device is still one until deleted. */
export async function virtualMfaSerials(iam: IAMClient): Promise<string[]> {
  const { VirtualMFADevices } = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any' }));
  return (VirtualMFADevices ?? []).map((d) => d.SerialNumber ?? '').sort();
}

/** How many IAM users bear this name, whatever its case (IAM refuses a second, but restore must not try). */
export async function usersNamed(iam: IAMClient, userName: string): Promise<number> {
  const { Users } = await iam.send(new ListUsersCommand({}));
  return (Users ?? []).filter((u) => u.UserName?.toLowerCase() === userName.toLowerCase()).length;
}

/** Where the journal says the user stands: what disable changed, and whether enable, cleanup or restore finished with it. */
export async function readRetiredUser(workspace: string, userName: string): Promise<RetiredUser | null> {
  return retiredUserNamed(retiredUsersOf(await readJournalFold(Workspace.at(workspace))), userName);
}

export async function readUserBackupFile(workspace: string, userName: string, userId: string): Promise<UserBackup | null> {
  return readWorkspaceJson<UserBackup>(workspace, `backups/${userName}-${userId}.json`).catch(missingAsNull);
}

export async function readStateFile(workspace: string): Promise<WorkspaceState> {
  return readWorkspaceJson<WorkspaceState>(workspace, 'workspace.json');
}

function missingAsNull(error: unknown): null {
  if ((error as { code?: string }).code === 'ENOENT') return null;
  throw error;
}
