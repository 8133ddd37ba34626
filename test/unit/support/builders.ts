/**
 * Builders shared by unit tests: SDK-shaped errors, and IAM users in the shapes the code meets them
 * (the SDK's `User`, and the `IamUserState` retire reads them into). Each takes overrides, so a test
 * states only what it is about.
 */
import type { User } from '@aws-sdk/client-iam';
import type { AccessKeyState, IamUserState, IamUsersSnapshot } from '../../../src/phases/disable/read-iam-users.js';

/** The account every unit test's fake IAM and workspace belong to. */
export const ACCOUNT_ID = '111111111111';

export interface AwsErrorOptions {
  /** The error's message (default: its name). */
  message?: string;
  /**
   * The `$metadata` every SDK service exception carries (default `{ httpStatusCode: 400 }`), or `null`
   * for an error raised before AWS answered (a programming or network error carries none).
   */
  metadata?: Record<string, unknown> | null;
}

/** An SDK-shaped error: matched by `name`, with the `$metadata` of a service exception unless told otherwise. */
export function awsError(name: string, options: AwsErrorOptions = {}): Error {
  const error = Object.assign(new Error(options.message ?? name), { name });
  return options.metadata === null ? error : Object.assign(error, { $metadata: options.metadata ?? { httpStatusCode: 400 } });
}

/** A user ID from a number: `AIDA` and 17 digits. */
export const userIdOf = (n: number): string => `AIDA${String(n).padStart(17, '0')}`;
/** An access key ID from a number: `AKIA` and 16 digits. */
export const accessKeyIdOf = (n: number): string => `AKIA${String(n).padStart(16, '0')}`;

/** The ARN of a user of the test account. */
export const iamUserArn = (userName: string, path = '/'): string => `arn:aws:iam::${ACCOUNT_ID}:user${path}${userName}`;

/** A user as the SDK answers GetUser: created 2020-01-01 at path `/`, unless overridden. */
export function sdkUser(userName: string, userId: string, overrides: Partial<User> = {}): User {
  const path = overrides.Path ?? '/';
  return { UserName: userName, UserId: userId, Arn: iamUserArn(userName, path), Path: path, CreateDate: new Date('2020-01-01T00:00:00Z'), ...overrides };
}

/** An Active access key created 2024-01-01, last used `lastUsed` (by STS; never when null). */
export function accessKeyState(n: number, overrides: Partial<AccessKeyState> = {}): AccessKeyState {
  return { accessKeyId: accessKeyIdOf(n), status: 'Active', createDate: '2024-01-01T00:00:00.000Z', lastUsed: null, lastUsedService: null, ...overrides };
}

/**
 * A user as retire reads it: ID from `n`, created 2024-01-01, nothing attached, not an administrator,
 * its credentials not read (`credentials: null`) unless overridden. The ARN follows the path.
 */
export function iamUserState(userName: string, n: number, overrides: Partial<IamUserState> = {}): IamUserState {
  const path = overrides.path ?? '/';
  return {
    userName,
    userId: userIdOf(n),
    arn: iamUserArn(userName, path),
    path,
    createDate: '2024-01-01T00:00:00.000Z',
    tags: [],
    groups: [],
    inlinePolicies: [],
    attachedPolicies: [],
    permissionsBoundary: null,
    isAdmin: false,
    credentials: null,
    ...overrides,
  };
}

/** The snapshot `readIamUsers` answers with: these users, and the target names that are not users. */
export function usersSnapshot(users: readonly IamUserState[], missing: string[] = []): IamUsersSnapshot {
  return { users: new Map(users.map((u) => [u.userName, u])), missing };
}
