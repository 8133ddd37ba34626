import { adminLevelMark, adminLevelOf, describeAdminAccess, describeAdminPath } from '../../model/admin/describe-admin-access.js';
import type { AdminLevel, AuditSnapshot, UserRecord } from '../../model/inventory.js';

export interface AuditCounts {
  users: number;
  human: number;
  machine: number;
  unknown: number;
  /** Administrators through their own policies. */
  admins: number;
  /** Users who can make themselves administrator in one step. */
  nearAdmins: number;
  /** Users who are, or can become, administrator only under a condition the audit cannot know. */
  conditionalAdmins: number;
  consoleUsers: number;
  consoleWithoutMfa: number;
  activeKeys: number;
  findingsBySeverity: Record<string, number>;
}

/** The headline numbers shown at the top of the summary and the markdown report. */
export function countAudit(snapshot: AuditSnapshot): AuditCounts {
  const kinds = { human: 0, machine: 0, unknown: 0 };
  for (const user of snapshot.users) kinds[user.classification.kind] += 1;
  const findingsBySeverity: Record<string, number> = {};
  for (const finding of snapshot.findings) findingsBySeverity[finding.severity] = (findingsBySeverity[finding.severity] ?? 0) + 1;
  return {
    users: snapshot.users.length,
    ...kinds,
    admins: countLevel(snapshot, 'admin'),
    nearAdmins: countLevel(snapshot, 'near-admin'),
    conditionalAdmins: countLevel(snapshot, 'conditional-admin'),
    consoleUsers: snapshot.users.filter((u) => u.console?.enabled).length,
    consoleWithoutMfa: snapshot.users.filter((u) => u.console?.enabled && u.mfa && !u.mfa.active).length,
    activeKeys: snapshot.users.reduce((sum, u) => sum + (u.accessKeys ?? []).filter((k) => k.active).length, 0),
    findingsBySeverity,
  };
}

/** One row per user, shared by the terminal table and the markdown report. */
export function describeUserRow(user: UserRecord, now: Date): string[] {
  const keys = user.accessKeys === null ? '?' : describeKeys(user, now);
  return [
    user.userName + (user.isCaller ? ' (you)' : ''),
    user.classification.kind,
    user.console === null ? '?' : user.console.enabled ? `yes, last ${shortDate(user.console.lastUsed)}` : 'no',
    user.mfa === null ? '?' : user.mfa.active ? 'yes' : 'no',
    keys,
    user.groups.join(', ') || '-',
    adminLevelMark(adminLevelOf(user)),
  ];
}

export const USER_ROW_HEADINGS = ['user', 'kind', 'console', 'MFA', 'active keys (age, last used)', 'groups', 'admin'];

export const ADMIN_ROW_HEADINGS = ['user', 'level', 'through'];

const LEVEL_ORDER: AdminLevel[] = ['admin', 'near-admin', 'conditional-admin'];

/** One row per user with any administrator access, administrators first: who, and through what. */
export function describeAdminRows(snapshot: AuditSnapshot): string[][] {
  return snapshot.users
    .filter((u) => adminLevelOf(u) !== 'none')
    .sort((a, b) => LEVEL_ORDER.indexOf(adminLevelOf(a)) - LEVEL_ORDER.indexOf(adminLevelOf(b)) || a.userName.localeCompare(b.userName))
    .map((u) => [u.userName, adminLevelMark(adminLevelOf(u)), describeAdminAccess(u) || '-']);
}

/** Users whose administrator access an explicit Deny cancels, with the Denies. */
export function describeDeniedAdmins(snapshot: AuditSnapshot): string[][] {
  return snapshot.users
    .filter((u) => adminLevelOf(u) === 'none' && (u.adminAccess?.deniedBy.length ?? 0) > 0)
    .map((u) => [u.userName, (u.adminAccess?.deniedBy ?? []).map(describeAdminPath).join('; ')]);
}

function countLevel(snapshot: AuditSnapshot, level: AdminLevel): number {
  return snapshot.users.filter((u) => adminLevelOf(u) === level).length;
}

function describeKeys(user: UserRecord, now: Date): string {
  const active = (user.accessKeys ?? []).filter((k) => k.active);
  if (active.length === 0) return '-';
  return active.map((k) => `${ageInDays(k.lastRotated, now)}d, ${shortDate(k.lastUsedDate)}`).join('; ');
}

/** Whole days between an ISO date and now; `?` when unknown. */
export function ageInDays(iso: string | null, now: Date): string {
  if (!iso) return '?';
  return String(Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000));
}

export function shortDate(iso: string | null): string {
  return iso ? iso.slice(0, 10) : 'never';
}
