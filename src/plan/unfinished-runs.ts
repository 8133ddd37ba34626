/**
 * Runs that did not finish their plan: interrupted (Ctrl-C), stopped (credentials expired), ended with
 * failures or calls in doubt, killed, or still running elsewhere. From the journal and the lock only,
 * so every reader (status, the guided session) says the same, and none keeps its own record.
 */
import { readLock } from '../workspace/lock.js';
import type { Workspace } from '../workspace/workspace.js';
import { latestRunByCommand, runStateOf, type JournalFold, type RunState, type RunSummary } from './journal-fold.js';
import { readJournalFold } from './journal-index.js';

export interface UnfinishedRun {
  command: string;
  /** null for a run that holds the lock but has not written its journal yet. */
  runId: string | null;
  startedAt: string;
  state: Exclude<RunState, 'complete'>;
  /** Changes applied. */
  done: number;
  /** Planned changes not applied: failed, in doubt, or never reached (null: the run recorded no plan). */
  left: number | null;
  failed: number;
  /** Calls sent with no answer: the next run of the command reads AWS to settle them first. */
  inFlight: number;
  /** A few of what is left, for people. */
  leftTargets: string[];
  /** Another process holds the workspace lock (it may still be running, or was killed). */
  locked: boolean;
}

/**
 * Commands that act on the same thing, where the newest run of either decides: an `enable` that
 * rolled back an interrupted `disable` finishes that story, and so does a `restore` after `cleanup`.
 */
const FAMILY_OF: Record<string, string> = { enable: 'disable', restore: 'cleanup' };

const SHOWN_TARGETS = 5;

export async function findUnfinishedRuns(workspace: Workspace): Promise<UnfinishedRun[]> {
  return unfinishedRunsOf(await readJournalFold(workspace), await readLock(workspace));
}

/** The same, from a fold and the lock holder already read. */
export function unfinishedRunsOf(fold: JournalFold, lock: { command: string | null; startedAt: string | null } | null): UnfinishedRun[] {
  const byFamily = new Map<string, RunSummary>();
  for (const run of latestRunByCommand(fold).values()) {
    const family = FAMILY_OF[run.command] ?? run.command;
    const other = byFamily.get(family);
    if (!other || other.startedAt <= run.startedAt) byFamily.set(family, run);
  }
  const newest = fold.runs[fold.runs.length - 1];
  const unfinished: UnfinishedRun[] = [];
  for (const run of [...byFamily.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const state = runStateOf(run);
    if (state === 'complete') continue;
    unfinished.push({
      command: run.command,
      runId: run.runId,
      startedAt: run.startedAt,
      state,
      done: run.outcomes.done,
      left: run.planned === null ? null : run.left.length,
      failed: run.outcomes.failed,
      inFlight: fold.openIntents.filter((i) => i.runId === run.runId).length,
      leftTargets: run.left.slice(0, SHOWN_TARGETS).map((a) => a.target),
      // Only the newest run can be the one holding the lock.
      locked: lock !== null && state === 'unended' && run === newest,
    });
  }
  const lockedRunShown = unfinished.some((u) => u.locked);
  if (lock && !lockedRunShown) {
    unfinished.push({ command: lock.command ?? 'unknown', runId: null, startedAt: lock.startedAt ?? '', state: 'unended', done: 0, left: null, failed: 0, inFlight: 0, leftTargets: [], locked: true });
  }
  return unfinished;
}
