/**
 * Who iam2idc switched off, enabled again, deleted or restored, and exactly which changes of disable
 * are still in effect: a projection of the journal (its fold), so that it is never kept, and never
 * disagrees with what the runs did. enable undoes the changes; cleanup deletes the users disabled
 * long enough; restore leaves out the deny policy disable added; status shows where each user stands.
 */
import type { JournalFold, PrincipalRuns, UndoableChange } from '../../plan/journal-fold.js';
import { RETIRE_KIND } from './retire-handlers.js';

export const DISABLE_COMMAND = 'disable';
export const ENABLE_COMMAND = 'enable';
export const CLEANUP_COMMAND = 'cleanup';
export const RESTORE_COMMAND = 'restore';

/** The kinds of disable's changes: the only ones enable undoes. */
const DISABLE_KINDS: ReadonlySet<string> = new Set([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.attachDenyPolicy, RETIRE_KIND.deactivateKey]);

export interface RetiredUser {
  userName: string;
  /** The UserId iam2idc acted on: a user re-created under the same name is another user. */
  userId: string;
  /**
   * `disabled`: disable finished with the user (and enable did not undo it since); `partly-disabled`:
   * some of disable's changes are in effect but its run stopped before the rest; `enabled`: enable
   * undid them; `deleted`: cleanup deleted the user; `restored`: restore re-created it since.
   */
  state: 'disabled' | 'partly-disabled' | 'enabled' | 'deleted' | 'restored';
  /** When disable finished with the user, for cleanup's wait; null while it has not. */
  disabledAt: string | null;
  deletedAt: string | null;
  restoredAt: string | null;
  /** disable's changes still in effect (or that may be: a call whose answer was lost), oldest first. */
  changes: UndoableChange[];
}

/** Every IAM user a disable run had work for, by lower-case name then UserId, from the journal's fold. */
export function retiredUsersOf(fold: JournalFold): RetiredUser[] {
  const byName = new Map<string, PrincipalRuns[]>();
  for (const principal of fold.principals) byName.set(principal.userName.toLowerCase(), [...(byName.get(principal.userName.toLowerCase()) ?? []), principal]);
  const changesOf = new Map<string, UndoableChange[]>();
  for (const change of fold.changes) {
    const user = userOfParams(change.params);
    if (change.command !== DISABLE_COMMAND || !DISABLE_KINDS.has(change.kind) || user === null) continue;
    changesOf.set(keyOf(user), [...(changesOf.get(keyOf(user)) ?? []), change]);
  }
  const users: RetiredUser[] = [];
  for (const principal of fold.principals) {
    if (principal.userId === null || principal.last[DISABLE_COMMAND] === undefined) continue;
    const key = keyOf({ userName: principal.userName, userId: principal.userId });
    // restore names the user it re-creates by name alone (the new user gets a new UserId).
    const restore = (byName.get(principal.userName.toLowerCase()) ?? []).find((p) => p.userId === null)?.last[RESTORE_COMMAND];
    users.push(standing(principal, restore, changesOf.get(key) ?? []));
  }
  return users.sort((a, b) => a.userName.localeCompare(b.userName) || a.userId.localeCompare(b.userId));
}

/** The user iam2idc disabled under this name, the newest one when several were (re-created users). */
export function retiredUserNamed(users: readonly RetiredUser[], userName: string): RetiredUser | null {
  const named = users.filter((u) => u.userName.toLowerCase() === userName.toLowerCase());
  return named.sort((a, b) => latestAt(b).localeCompare(latestAt(a)))[0] ?? null;
}

function standing(principal: PrincipalRuns, restore: PrincipalRuns['last'][string] | undefined, changes: UndoableChange[]): RetiredUser {
  const finished = (command: string) => {
    const run = principal.last[command];
    return run?.complete ? run.at : null;
  };
  const disabledAt = finished(DISABLE_COMMAND);
  const enabledAt = finished(ENABLE_COMMAND);
  const deletedAt = finished(CLEANUP_COMMAND);
  const restoredAt = restore?.complete && deletedAt !== null && restore.at >= deletedAt ? restore.at : null;
  const base = { userName: principal.userName, userId: principal.userId ?? '', disabledAt: null, deletedAt, restoredAt, changes };
  if (restoredAt !== null) return { ...base, state: 'restored' };
  if (deletedAt !== null && (disabledAt === null || deletedAt >= disabledAt)) return { ...base, state: 'deleted', disabledAt };
  const enabledSince = enabledAt !== null && (disabledAt === null || enabledAt >= disabledAt);
  if (disabledAt !== null && !enabledSince) return { ...base, state: 'disabled', disabledAt };
  return { ...base, state: changes.length > 0 ? 'partly-disabled' : 'enabled' };
}

function latestAt(user: RetiredUser): string {
  return [user.disabledAt, user.deletedAt, user.restoredAt, ...user.changes.map((c) => c.at)].filter((t): t is string => t !== null).sort().pop() ?? '';
}

const keyOf = (user: { userName: string; userId: string | null }): string => `${user.userName.toLowerCase()}\u0000${user.userId ?? ''}`;

/** The user a change's parameters name; the parameters are read back from the journal, so checked. */
function userOfParams(params: unknown): { userName: string; userId: string } | null {
  if (typeof params !== 'object' || params === null) return null;
  const { userName, userId } = params as Record<string, unknown>;
  return typeof userName === 'string' && typeof userId === 'string' ? { userName, userId } : null;
}
