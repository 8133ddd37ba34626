/**
 * Per IAM user, how far the migration got: the Identity Center user it becomes, its groups and
 * permission sets, whether its access is verified, the last use of its old credentials, and whether
 * it is disabled or deleted. Built from the workspace and one fresh look at the account (the
 * credential report, which also tells who still exists).
 */
import type { AuditSnapshot, CredentialReportRow } from '../../model/inventory.js';
import { retiredUserNamed, type RetiredUser } from '../disable/retired-users.js';
import { isProtectedBy, PROTECT_TAG, type Mapping } from '../../workspace/mapping-schema.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';

export interface UserProgress {
  userName: string;
  kind: 'human' | 'machine' | 'skip' | 'unknown';
  identityCenterUser: string | null;
  groups: string[];
  permissionSets: string[];
  accessVerified: boolean;
  /** What assign found missing, when not verified. */
  accessMissing: string[];
  /** verify's last verdict on this person's permissions (same, escalation, loss, unverified), or null before verify ran. */
  permissions: 'same' | 'escalation' | 'loss' | 'unverified' | null;
  /** The newest use of the old credentials known (credential report, CloudTrail), or null. */
  lastUsed: string | null;
  state: 'active' | 'disabled' | 'deleted' | 'restored';
  disabledAt: string | null;
  deletedAt: string | null;
  /** Protected (break-glass): kept on purpose, so not counted as left to migrate. */
  protected: boolean;
  /** A person whose access is verified and whose IAM user is switched off or gone. */
  migrated: boolean;
}

export interface UserProgressInput {
  mapping: Mapping | null;
  snapshot: Pick<AuditSnapshot, 'users'> | null;
  state: WorkspaceState | null;
  /** Who disable, enable, cleanup and restore acted on, from the journal. */
  retired: readonly RetiredUser[];
  /** The fresh credential report rows, or null when it could not be read (existence is then unknown). */
  report: readonly CredentialReportRow[] | null;
}

export function buildUserProgress(input: UserProgressInput): UserProgress[] {
  const { mapping, state } = input;
  const names = new Set([...Object.keys(mapping?.users ?? {}), ...(input.snapshot?.users ?? []).map((u) => u.userName)]);
  const reportByName = new Map((input.report ?? []).map((r) => [r.user, r]));
  const protect = { users: mapping?.protect.users ?? [], tags: [...new Set([...(mapping?.protect.tags ?? []), PROTECT_TAG])] };
  return [...names].sort().map((userName) => {
    const entry = mapping?.users[userName];
    const kind = entry?.kind ?? input.snapshot?.users.find((u) => u.userName === userName)?.classification.kind ?? 'unknown';
    const groups = Object.entries(mapping?.groups ?? {}).filter(([, g]) => g.members.includes(userName)).map(([name]) => name);
    const permissionSets = [...new Set((mapping?.assignments ?? []).filter((a) => a.user === userName || (a.group !== undefined && groups.includes(a.group))).map((a) => a.permissionSet))].sort();
    const access = state?.phases.assignments?.access[userName];
    const retired = retiredUserNamed(input.retired, userName);
    const disabledAt = retired?.state === 'disabled' ? retired.disabledAt : null;
    const row = reportByName.get(userName);
    const stateOf = (): UserProgress['state'] => {
      if (retired?.state === 'restored') return 'restored';
      if (retired?.state === 'deleted' || (input.report !== null && !row && input.snapshot?.users.some((u) => u.userName === userName))) return 'deleted';
      return disabledAt !== null ? 'disabled' : 'active';
    };
    const userState = stateOf();
    const accessVerified = access?.verified === true;
    return {
      userName,
      kind: kind === 'human' || kind === 'machine' || kind === 'skip' ? kind : 'unknown',
      identityCenterUser: entry?.kind === 'human' ? (entry.userName ?? null) : null,
      groups,
      permissionSets,
      accessVerified,
      accessMissing: access?.missing ?? [],
      permissions: state?.phases.verify?.users[userName]?.verdict ?? null,
      lastUsed: newest([row?.passwordLastUsed, ...(row?.accessKeys ?? []).map((k) => k.lastUsedDate), state?.phases.activity?.users[userName]?.lastSeen]),
      state: userState,
      disabledAt,
      deletedAt: retired?.state === 'deleted' ? retired.deletedAt : null,
      protected: isProtectedBy(protect, { userName, tags: input.snapshot?.users.find((u) => u.userName === userName)?.tags ?? [] }),
      migrated: kind === 'human' && accessVerified && (userState === 'disabled' || userState === 'deleted'),
    };
  });
}

function newest(values: (string | null | undefined)[]): string | null {
  const times = values.filter((v): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)));
  if (times.length === 0) return null;
  return times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** Every person migrated (protected ones aside, and at least one person): what `status --check migrated` asks. */
export function everyoneMigrated(users: readonly UserProgress[]): boolean {
  const humans = users.filter((u) => u.kind === 'human' && !u.protected);
  return humans.length > 0 && humans.every((u) => u.migrated);
}
