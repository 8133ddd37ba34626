/**
 * Journal records of retire runs, built in memory as the executor would write them (a start, the
 * plan, an intent and an outcome per change, an end), for tests that fold them without a workspace.
 */
import type { JournalRecord, OutcomeRecord } from '../../../../src/plan/journal.js';
import { undoIdOf } from '../../../../src/plan/journal-fold.js';
import { DENY_ALL_POLICY_NAME, RETIRE_KIND } from '../../../../src/phases/disable/retire-handlers.js';

export const userIdOf = (n: number): string => `AIDA${String(n).padStart(17, '0')}`;
export const keyIdOf = (n: number): string => `AKIA${String(n).padStart(16, '0')}`;

export interface TestUser {
  userName: string;
  userId: string;
}

export interface Change {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  /** How the call ended; `none`: the run stopped before its answer was written (killed in flight). */
  outcome?: OutcomeRecord['status'] | 'none';
  /** For a change whose call never started: planned, with no intent written. */
  reached?: boolean;
  undoable?: boolean;
}

export const denyInline = (user: TestUser): Change => ({
  id: `disable/${user.userName}/deny`,
  kind: RETIRE_KIND.putDenyPolicy,
  params: { ...user, policyName: DENY_ALL_POLICY_NAME },
  undoable: true,
});

export const denyManaged = (user: TestUser, policyArn = 'arn:aws:iam::aws:policy/AWSDenyAll'): Change => ({
  id: `disable/${user.userName}/deny`,
  kind: RETIRE_KIND.attachDenyPolicy,
  params: { ...user, policyArn },
  undoable: true,
});

export const deactivate = (user: TestUser, accessKeyId: string): Change => ({
  id: `disable/${user.userName}/key/${accessKeyId}`,
  kind: RETIRE_KIND.deactivateKey,
  params: { ...user, accessKeyId },
  undoable: true,
});

/** The undo of a change, as enable plans it (the kinds' `inverse`). */
export function undo(change: Change): Change {
  const kinds: Record<string, string> = {
    [RETIRE_KIND.putDenyPolicy]: RETIRE_KIND.deleteDenyPolicy,
    [RETIRE_KIND.attachDenyPolicy]: RETIRE_KIND.detachDenyPolicy,
    [RETIRE_KIND.deactivateKey]: RETIRE_KIND.reactivateKey,
  };
  return { id: undoIdOf(change.id), kind: kinds[change.kind] ?? change.kind, params: change.params };
}

export interface RunOptions {
  command: string;
  runId: string;
  at: string;
  /** The IAM user the run's actions change; `userId: null` for restore, which re-creates a user by name. */
  principal: { userName: string; userId: string | null };
  changes: Change[];
  /** How the run ended; `none`: killed, no end record. */
  end?: 'end' | 'interrupted' | 'stopped' | 'none';
}

/** One run's records, in the order the executor writes them. */
export function runRecords(options: RunOptions): JournalRecord[] {
  const { command, runId, at, principal, changes } = options;
  const stamp = { runId, at };
  const target = `user ${principal.userName}`;
  const records: JournalRecord[] = [
    { type: 'run', ...stamp, command, event: 'start' },
    { type: 'plan', ...stamp, command, actions: changes.map((c) => ({ id: c.id, kind: c.kind, target, principal })) },
  ];
  for (const change of changes) {
    if (change.reached === false) continue;
    records.push({ type: 'intent', ...stamp, actionId: change.id, kind: change.kind, target, params: change.params, ...(change.undoable ? { undoable: true as const } : {}) });
    const status = change.outcome ?? 'done';
    if (status !== 'none') records.push({ type: 'outcome', ...stamp, actionId: change.id, kind: change.kind, target, status, requestId: status === 'done' ? `req-${change.id}` : null });
  }
  const end = options.end ?? 'end';
  if (end !== 'none') records.push({ type: 'run', ...stamp, command, event: end });
  return records;
}

/** A later run's settling of an intent left open: AWS was re-read and the call had, or had not, happened. */
export function settled(runId: string, at: string, change: Change, happened: boolean): JournalRecord {
  return { type: 'outcome', runId, at, actionId: change.id, kind: change.kind, target: 'settled', status: 'settled', requestId: null, happened };
}

export const disableRun = (user: TestUser, runId: string, at: string, changes: Change[], end?: RunOptions['end']): JournalRecord[] =>
  runRecords({ command: 'disable', runId, at, principal: user, changes, ...(end ? { end } : {}) });

export const enableRun = (user: TestUser, runId: string, at: string, undone: Change[], end?: RunOptions['end']): JournalRecord[] =>
  runRecords({ command: 'enable', runId, at, principal: user, changes: undone.map(undo), ...(end ? { end } : {}) });

export const cleanupRun = (user: TestUser, runId: string, at: string, end?: RunOptions['end']): JournalRecord[] =>
  runRecords({
    command: 'cleanup',
    runId,
    at,
    principal: user,
    changes: [
      { id: `cleanup/${user.userName}/00-backup`, kind: 'workspace.BackupUser', params: { userName: user.userName } },
      { id: `cleanup/${user.userName}/99-DeleteUser`, kind: 'iam.DeleteUser', params: { userName: user.userName } },
    ],
    ...(end ? { end } : {}),
  });

export const restoreRun = (userName: string, runId: string, at: string, end?: RunOptions['end']): JournalRecord[] =>
  runRecords({ command: 'restore', runId, at, principal: { userName, userId: null }, changes: [{ id: `restore/${userName}/create`, kind: 'iam.CreateUser', params: { userName } }], ...(end ? { end } : {}) });
