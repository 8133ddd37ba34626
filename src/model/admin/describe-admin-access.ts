/**
 * Administrator access in words, for the terminal summary, the markdown report and the findings:
 * the level of each user and, for each path, where it goes, by which actions, through which of the
 * user's policies and under which unknown conditions.
 */
import type { AdminAccess, AdminLevel, AdminPath, AdminRoute, UserRecord } from '../inventory.js';

/** The user's level; an audit written before levels were recorded knows full administrators only. */
export function adminLevelOf(user: Pick<UserRecord, 'isAdmin' | 'adminAccess'>): AdminLevel {
  return user.adminAccess?.level ?? (user.isAdmin ? 'admin' : 'none');
}

/** The short mark of a level in a table cell. */
export function adminLevelMark(level: AdminLevel): string {
  return { admin: 'ADMIN', 'near-admin': 'near-admin', 'conditional-admin': 'conditional admin', none: '' }[level];
}

/** What the level means, in a phrase that follows the user's name. */
export function adminLevelMeaning(level: AdminLevel): string {
  return {
    admin: 'is an administrator',
    'near-admin': 'can make itself administrator in one step',
    'conditional-admin': 'is, or can become, administrator under a condition the audit cannot know',
    none: 'has no administrator access',
  }[level];
}

/** The paths behind the user's level (the admin ones for an administrator, and so on). */
export function pathsOfLevel(user: Pick<UserRecord, 'isAdmin' | 'adminPaths' | 'adminAccess'>): AdminPath[] {
  const access: AdminAccess | undefined = user.adminAccess;
  if (access === undefined) return user.adminPaths;
  if (access.level === 'admin') return access.paths;
  if (access.level === 'near-admin') return access.nearAdminPaths;
  if (access.level === 'conditional-admin') return access.conditionalPaths;
  return [];
}

const ROUTE_WORDS: Record<AdminRoute, string> = {
  'managed-policy': 'managed policy',
  'inline-policy': 'inline policy',
  'group-managed-policy': 'group',
  'group-inline-policy': 'group',
  'permissions-boundary': 'permissions boundary',
  'trust-policy': 'trust policy of',
  'iam-full-access': 'all of IAM',
  'user-policy': 'a policy on its own user',
  'group-policy': 'a policy on its group',
  'policy-version': 'a new default version of',
  'join-group': 'joining group',
  'user-credentials': 'credentials of administrator',
  'assume-role': 'assuming role',
  'update-trust': 'rewriting the trust policy of role',
  'pass-role': 'passing role',
};

// Routes whose source is the user itself, or everything: saying it adds nothing.
const SOURCE_IMPLIED: ReadonlySet<AdminRoute> = new Set(['iam-full-access', 'user-policy']);

/** One path in words: `assuming role <arn> (sts:AssumeRole; through group Developers managed-policy <arn>)`. */
export function describeAdminPath(path: AdminPath): string {
  const condition = path.unknownKeys && path.unknownKeys.length > 0 ? `, depending on ${path.unknownKeys.join(', ')}` : '';
  // A group's own policy already says the group: `group Admins managed-policy <arn>`.
  if ((path.via === 'group-managed-policy' || path.via === 'group-inline-policy') && path.through && path.through.length > 0) {
    return `${path.through.join(', ')}${condition}`;
  }
  const head = SOURCE_IMPLIED.has(path.via) ? ROUTE_WORDS[path.via] : `${ROUTE_WORDS[path.via]} ${path.source}`;
  const details = [
    ...(path.actions && path.actions.length > 0 ? [path.actions.join(' + ')] : []),
    ...(path.through && path.through.length > 0 ? [`through ${path.through.join(', ')}`] : []),
  ];
  return `${head}${details.length > 0 ? ` (${details.join('; ')})` : ''}${condition}`;
}

/** Every path behind the user's level, in words, joined. */
export function describeAdminAccess(user: Pick<UserRecord, 'isAdmin' | 'adminPaths' | 'adminAccess'>): string {
  return pathsOfLevel(user).map(describeAdminPath).join('; ');
}
