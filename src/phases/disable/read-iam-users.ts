/**
 * A fresh look at the IAM users a retire step (disable, enable) is about to change: the account's
 * inventory in one paginated GetAccountAuthorizationDetails (for policies, tags and who is an
 * administrator), then, for the target users only, their password's last use and their access keys
 * with the last use of each. Per target that is GetUser, ListAccessKeys and one GetAccessKeyLastUsed
 * per key, with bounded concurrency: the credential report is up to four hours old, which is too old
 * to decide that keys are unused.
 */
import {
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  paginateListAccessKeys,
  type IAMClient,
} from '@aws-sdk/client-iam';
import pMap from 'p-map';
import { analyzeAdminAccess, type AdminAccessContext } from '../../model/admin/admin-access.js';
import { collectAuthorizationDetails, type AuthorizationDetails, type UserDetail } from '../../model/collect-authorization-details.js';

/** IAM is one global endpoint; a handful of reads in flight keeps a large account fast without throttling. */
const READ_CONCURRENCY = 6;

export interface AccessKeyState {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: string | null;
  lastUsed: string | null;
  lastUsedService: string | null;
}

export interface IamUserState extends UserDetail {
  /**
   * Holds administrator access, under a condition such as MFA, or one step away from it: the lockout
   * guard keeps the last of these, since losing every one of them is what locks an account out.
   */
  isAdmin: boolean;
  /** Read for target users only; null otherwise. */
  credentials: { passwordLastUsed: string | null; accessKeys: AccessKeyState[] } | null;
}

export interface IamUsersSnapshot {
  /** Every IAM user of the account, by user name. */
  users: Map<string, IamUserState>;
  /** Target names that are not IAM users (any more). */
  missing: string[];
}

export interface ReadIamUsersOptions {
  /** The users whose credentials are read. */
  targets: readonly string[];
  accountId: string;
  partition: string;
  abortSignal?: AbortSignal;
}

export async function readIamUsers(iam: IAMClient, options: ReadIamUsersOptions): Promise<IamUsersSnapshot> {
  const details = await collectAuthorizationDetails(iam);
  const context = adminContext(details, options);
  const users = new Map<string, IamUserState>();
  for (const user of details.users) users.set(user.userName, { ...user, isAdmin: analyzeAdminAccess(user, context).level !== 'none', credentials: null });
  // IAM user names are unique regardless of case: `Bob` on the command line is user `bob`.
  const byLowerName = new Map([...users.keys()].map((name) => [name.toLowerCase(), name]));
  const found = options.targets.map((name) => byLowerName.get(name.toLowerCase())).filter((name): name is string => name !== undefined);
  const missing = options.targets.filter((name) => !byLowerName.has(name.toLowerCase()));
  await pMap(
    found,
    async (name) => {
      const user = users.get(name) as IamUserState;
      user.credentials = await readCredentials(iam, name, options.abortSignal);
    },
    { concurrency: READ_CONCURRENCY, signal: options.abortSignal },
  );
  return { users, missing };
}

/** A user's password last use and access keys, as they are now (used by handlers to re-check too). */
export async function readCredentials(iam: IAMClient, userName: string, abortSignal?: AbortSignal): Promise<NonNullable<IamUserState['credentials']>> {
  const { User } = await iam.send(new GetUserCommand({ UserName: userName }), { abortSignal });
  const keys = await listAccessKeys(iam, userName, abortSignal);
  const accessKeys = await Promise.all(
    keys.map(async (key): Promise<AccessKeyState> => {
      const { AccessKeyLastUsed } = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }), { abortSignal });
      return { ...key, lastUsed: AccessKeyLastUsed?.LastUsedDate?.toISOString() ?? null, lastUsedService: usable(AccessKeyLastUsed?.ServiceName) };
    }),
  );
  return { passwordLastUsed: User?.PasswordLastUsed?.toISOString() ?? null, accessKeys };
}

/** The user's access keys (ID, status, creation), paginated. */
export async function listAccessKeys(iam: IAMClient, userName: string, abortSignal?: AbortSignal): Promise<Omit<AccessKeyState, 'lastUsed' | 'lastUsedService'>[]> {
  const keys: Omit<AccessKeyState, 'lastUsed' | 'lastUsedService'>[] = [];
  for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName }, { abortSignal })) {
    for (const key of page.AccessKeyMetadata ?? []) {
      if (!key.AccessKeyId) continue;
      keys.push({ accessKeyId: key.AccessKeyId, status: key.Status === 'Active' ? 'Active' : 'Inactive', createDate: key.CreateDate?.toISOString() ?? null });
    }
  }
  return keys;
}

// AWS-managed documents are not read here: of those, only AdministratorAccess and AWSDenyAll are known.
function adminContext(details: AuthorizationDetails, options: Pick<ReadIamUsersOptions, 'accountId' | 'partition'>): AdminAccessContext {
  return {
    groupsByName: new Map(details.groups.map((g) => [g.name, g])),
    managedPoliciesByArn: new Map(details.managedPolicies.map((p) => [p.arn, p])),
    roles: details.roles,
    users: details.users,
    accountId: options.accountId,
    partition: options.partition,
  };
}

/** GetAccessKeyLastUsed answers `N/A` for a key never used. */
function usable(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'N/A' ? null : value;
}
