/**
 * Who made a CloudTrail call, from its `userIdentity` element.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 *
 * Identity Center sessions are role sessions of the role Identity Center provisions for a permission
 * set in each account: `arn:aws:sts::<account>:assumed-role/AWSReservedSSO_<PermissionSet>_<16 hex>/<session>`,
 * the role living under `/aws-reserved/sso.amazonaws.com/`. The session name is the person's Identity
 * Center user name. https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
 */
import { isObject, text } from './json-fields.js';

/** How an IAM user's call was authenticated: the long-term key, the console, or temporary credentials of the user. */
export type IamUserCredential = 'access-key' | 'console' | 'session' | 'unknown';

export type Principal =
  | {
      type: 'identity-center';
      permissionSet: string;
      /** The Identity Center user name (the role session name). */
      userName: string;
      roleName: string;
      accountId: string | null;
      /** The Identity Store user ID, when the event carries `onBehalfOf` (identity-enhanced sessions). */
      identityStoreUserId: string | null;
    }
  | {
      type: 'iam-user';
      userName: string;
      /** The IAM UserId (`AIDA…`), which survives renames and tells a re-created user apart. */
      userId: string | null;
      accountId: string | null;
      /** The key ID, never a secret: `AKIA…` for a long-term key, `ASIA…` for temporary credentials. */
      accessKeyId: string | null;
      credential: IamUserCredential;
    }
  | { type: 'identity-center-user'; userId: string | null; identityStoreArn: string | null }
  | { type: 'root'; accountId: string | null }
  | { type: 'aws-service'; service: string }
  | { type: 'role'; roleName: string; sessionName: string | null; accountId: string | null }
  | { type: 'other'; identityType: string; arn: string | null };

// Permission set names are 1–32 of [\w+=,.@-] and may hold underscores, so only the fixed suffix is split off.
const IDC_ROLE_NAME = /^AWSReservedSSO_([\w+=,.@-]{1,32})_([0-9a-f]{16})$/;
const ASSUMED_ROLE_ARN = /^arn:[\w-]+:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

interface EventContext {
  eventName: string;
  /** The top-level `sessionCredentialFromConsole` flag: the call came from a console session. */
  sessionCredentialFromConsole: boolean;
}

/** Maps a `userIdentity` element to a principal; unknown shapes become `other`, never an error. */
export function attributePrincipal(identity: Record<string, unknown>, event: EventContext): Principal {
  const type = text(identity.type) ?? 'Unknown';
  const arn = text(identity.arn);
  const accountId = text(identity.accountId);
  switch (type) {
    case 'IAMUser':
      return iamUser(identity, accountId, event);
    case 'AssumedRole':
      return assumedRole(identity, arn, accountId);
    case 'IdentityCenterUser': {
      const onBehalfOf = isObject(identity.onBehalfOf) ? identity.onBehalfOf : {};
      return { type: 'identity-center-user', userId: text(onBehalfOf.userId), identityStoreArn: text(onBehalfOf.identityStoreArn) };
    }
    case 'Root':
      return { type: 'root', accountId };
    case 'AWSService':
      return { type: 'aws-service', service: text(identity.invokedBy) ?? 'unknown service' };
    default:
      return { type: 'other', identityType: type, arn };
  }
}

/** The permission set name in an Identity Center role name, or null for any other role. */
export function permissionSetOfRole(roleName: string): string | null {
  return IDC_ROLE_NAME.exec(roleName)?.[1] ?? null;
}

function iamUser(identity: Record<string, unknown>, accountId: string | null, event: EventContext): Principal {
  const accessKeyId = text(identity.accessKeyId);
  const userName = text(identity.userName) ?? userNameFromArn(text(identity.arn)) ?? 'unknown';
  return {
    type: 'iam-user',
    userName,
    userId: text(identity.principalId),
    accountId,
    accessKeyId,
    credential: credentialOf(accessKeyId, event),
  };
}

function credentialOf(accessKeyId: string | null, event: EventContext): IamUserCredential {
  // Console sign-in has no key at all; later console calls use temporary keys flagged as console ones.
  if (event.eventName === 'ConsoleLogin' || event.sessionCredentialFromConsole) return 'console';
  if (accessKeyId === null) return 'unknown';
  if (accessKeyId.startsWith('AKIA')) return 'access-key';
  if (accessKeyId.startsWith('ASIA')) return 'session';
  return 'unknown';
}

function assumedRole(identity: Record<string, unknown>, arn: string | null, accountId: string | null): Principal {
  const fromArn = arn === null ? null : ASSUMED_ROLE_ARN.exec(arn);
  const sessionContext = isObject(identity.sessionContext) ? identity.sessionContext : {};
  const issuer = isObject(sessionContext.sessionIssuer) ? sessionContext.sessionIssuer : {};
  const roleName = text(issuer.userName) ?? fromArn?.[2] ?? null;
  const sessionName = fromArn?.[3] ?? null;
  const account = accountId ?? fromArn?.[1] ?? null;
  if (roleName === null) return { type: 'other', identityType: 'AssumedRole', arn };
  const permissionSet = permissionSetOfRole(roleName);
  if (permissionSet !== null && sessionName !== null) {
    const onBehalfOf = isObject(identity.onBehalfOf) ? identity.onBehalfOf : {};
    return {
      type: 'identity-center',
      permissionSet,
      userName: sessionName,
      roleName,
      accountId: account,
      identityStoreUserId: text(onBehalfOf.userId),
    };
  }
  return { type: 'role', roleName, sessionName, accountId: account };
}

function userNameFromArn(arn: string | null): string | null {
  if (arn === null) return null;
  const match = /:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match?.[1] ?? null;
}

/** One line naming a principal, for tables and reports. */
export function describePrincipal(principal: Principal): string {
  switch (principal.type) {
    case 'identity-center':
      return `${principal.userName} (Identity Center, ${principal.permissionSet})`;
    case 'iam-user':
      return `IAM user ${principal.userName}`;
    case 'identity-center-user':
      return `Identity Center user ${principal.userId ?? '?'}`;
    case 'root':
      return `root of ${principal.accountId ?? '?'}`;
    case 'aws-service':
      return principal.service;
    case 'role':
      return `role ${principal.roleName}${principal.sessionName ? `/${principal.sessionName}` : ''}`;
    case 'other':
      return principal.arn ?? principal.identityType;
  }
}
