import { findOpenIntents, readJournal, type JournalRecord } from '../plan/journal.js';
import { readLock } from '../workspace/lock.js';
import type { Workspace } from '../workspace/workspace.js';

/** A run of a command that did not end: interrupted (Ctrl-C), killed, or still running elsewhere. */
export interface UnfinishedRun {
  command: string;
  startedAt: string;
  /** Changes applied before it stopped. */
  done: number;
  /** Calls that were in flight when it stopped: the next run of the command settles them first. */
  inFlight: number;
  /** Another process holds the workspace lock (it may still be running, or was killed). */
  locked: boolean;
}

/** The last run that started and never ended, from the journal and the lock, or null. */
export async function findUnfinishedRun(workspace: Workspace): Promise<UnfinishedRun | null> {
  const records = await readJournal(workspace);
  const lock = await readLock(workspace);
  const run = lastUnended(records);
  if (run === null) return lock ? { command: lock.command ?? 'unknown', startedAt: lock.startedAt ?? '', done: 0, inFlight: 0, locked: true } : null;
  const ofRun = records.filter((r) => r.type !== 'run' && r.runId === run.runId);
  const open = new Set(findOpenIntents(records).map((i) => i.actionId));
  return {
    command: run.command,
    startedAt: run.at,
    done: ofRun.filter((r) => r.type === 'outcome' && r.status === 'done').length,
    inFlight: ofRun.filter((r) => r.type === 'intent' && open.has(r.actionId)).length,
    locked: lock !== null,
  };
}

function lastUnended(records: readonly JournalRecord[]): { runId: string; command: string; at: string } | null {
  const ended = new Set(records.filter((r) => r.type === 'run' && r.event === 'end').map((r) => r.runId));
  const starts = records.filter((r): r is Extract<JournalRecord, { type: 'run' }> => r.type === 'run' && r.event === 'start');
  const last = starts[starts.length - 1];
  // Only the newest run counts: an older one that did not end was taken up by the runs after it.
  return last && !ended.has(last.runId) ? { runId: last.runId, command: last.command, at: last.at } : null;
}
