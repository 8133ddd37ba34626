import type { AuditSnapshot, UserRecord } from './types.js';

export interface AuditCounts {
  users: number;
  human: number;
  machine: number;
  unknown: number;
  admins: number;
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
    admins: snapshot.users.filter((u) => u.isAdmin).length,
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
    user.isAdmin ? 'ADMIN' : '',
  ];
}

export const USER_ROW_HEADINGS = ['user', 'kind', 'console', 'MFA', 'active keys (age, last used)', 'groups', 'admin'];

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
