/**
 * What the journal says, folded into what its readers need: each run and what it left undone, the
 * calls still in doubt, the digests of sealed files, the undoable changes still in effect, and per IAM
 * user the last run of each command that had work for them. The fold goes record by record and its state
 * is plain data, so it can be saved (journal-index.ts) and continued from where it stopped.
 */
import { z } from 'zod';
import type { IntentRecord, JournalRecord, OutcomeRecord, OutcomeStatus, SealRecord } from './journal.js';

const principalSchema = z.object({ userName: z.string(), userId: z.string().nullable() });
const leftActionSchema = z.object({ id: z.string(), kind: z.string(), target: z.string(), principal: principalSchema.optional() });

const runSummarySchema = z.object({
  runId: z.string(),
  command: z.string(),
  startedAt: z.string(),
  /** How the run ended, as it recorded it; null when it never did (killed, or still running). */
  end: z.object({ event: z.enum(['end', 'interrupted', 'stopped']), at: z.string() }).nullable(),
  /** Actions it set out to apply; null for a run recorded before runs wrote their plan. */
  planned: z.number().int().nonnegative().nullable(),
  outcomes: z.object({ done: z.number(), skipped: z.number(), failed: z.number(), unknown: z.number(), settled: z.number() }),
  /** Planned actions that neither happened nor were found done: failed, in doubt, or never reached. */
  left: z.array(leftActionSchema),
});

export type RunSummary = z.infer<typeof runSummarySchema>;
export type LeftAction = z.infer<typeof leftActionSchema>;

const intentSchema = z.object({
  type: z.literal('intent'),
  at: z.string(),
  runId: z.string(),
  actionId: z.string(),
  kind: z.string(),
  target: z.string(),
  params: z.unknown().optional(),
});

/** A change of an undoable kind that happened (or may have) and whose undo has not happened since. */
const changeSchema = z.object({
  actionId: z.string(),
  kind: z.string(),
  target: z.string(),
  params: z.unknown(),
  runId: z.string(),
  command: z.string(),
  at: z.string(),
  /** `done`: AWS confirmed it; `in-doubt`: sent, with no answer yet known (it may have happened). */
  state: z.enum(['done', 'in-doubt']),
});

/** The last run of each command that had work for an IAM user, and whether it finished that work. */
const principalRunsSchema = z.object({
  ...principalSchema.shape,
  last: z.record(z.string(), z.object({ runId: z.string(), at: z.string(), complete: z.boolean() })),
});

export const journalFoldSchema = z.object({
  runs: z.array(runSummarySchema),
  /** Intents no outcome closed yet, oldest first. */
  openIntents: z.array(intentSchema),
  seals: z.array(z.object({ path: z.string(), sha256: z.string() })),
  changes: z.array(changeSchema),
  principals: z.array(principalRunsSchema),
});

export type UndoableChange = z.infer<typeof changeSchema>;
export type PrincipalRuns = z.infer<typeof principalRunsSchema>;

/** The id of the action that undoes `actionId` (see ActionHandler.inverse). */
export const undoIdOf = (actionId: string): string => `${actionId}/undo`;
const UNDO_SUFFIX = undoIdOf('');

const principalKey = (p: { userName: string; userId: string | null }): string => `${p.userName}\u0000${p.userId ?? ''}`;

export type JournalFold = z.infer<typeof journalFoldSchema>;

export function emptyFold(): JournalFold {
  return { runs: [], openIntents: [], seals: [], changes: [], principals: [] };
}

/** Continues `fold` with later records; `fold` is not changed. */
export function foldRecords(fold: JournalFold, records: Iterable<JournalRecord>): JournalFold {
  const runs = new Map(fold.runs.map((r) => [r.runId, { ...r, outcomes: { ...r.outcomes }, left: [...r.left] }]));
  const left = new Map([...runs.values()].map((r) => [r.runId, new Map(r.left.map((a) => [a.id, a]))]));
  // Per run, how many of its planned actions on each IAM user are still left: kept as counts so that each outcome costs O(1).
  const pending = new Map([...left].map(([runId, actions]) => [runId, countByPrincipal(actions.values())]));
  const open = new Map(fold.openIntents.map((i) => [i.actionId, i]));
  const seals = [...fold.seals];
  const changes = new Map(fold.changes.map((c) => [c.actionId, c]));
  const principals = new Map(fold.principals.map((p) => [principalKey(p), { ...p, last: { ...p.last } }]));

  const lastRunOf = (principal: { userName: string; userId: string | null }) => {
    const key = principalKey(principal);
    const entry = principals.get(key) ?? { userName: principal.userName, userId: principal.userId, last: {} };
    principals.set(key, entry);
    return entry.last;
  };
  /** The action is applied (or found so): it leaves its run's work, and may finish that run's work on its user. */
  const applied = (runId: string, actionId: string, at: string) => {
    const action = left.get(runId)?.get(actionId);
    if (!action) return;
    left.get(runId)?.delete(actionId);
    const run = runs.get(runId);
    if (!action.principal || !run) return;
    const counts = pending.get(runId);
    const key = principalKey(action.principal);
    const remaining = (counts?.get(key) ?? 1) - 1;
    counts?.set(key, remaining);
    const last = lastRunOf(action.principal);
    if (remaining === 0 && last[run.command]?.runId === runId) last[run.command] = { runId, at, complete: true };
  };

  for (const record of records) {
    switch (record.type) {
      case 'run': {
        if (record.event === 'start') {
          runs.set(record.runId, { runId: record.runId, command: record.command, startedAt: record.at, end: null, planned: null, outcomes: { done: 0, skipped: 0, failed: 0, unknown: 0, settled: 0 }, left: [] });
          left.set(record.runId, new Map());
          pending.set(record.runId, new Map());
        } else {
          const run = runs.get(record.runId);
          if (run) run.end = { event: record.event, at: record.at };
        }
        break;
      }
      case 'plan': {
        const run = runs.get(record.runId);
        if (!run) break;
        run.planned = record.actions.length;
        left.set(record.runId, new Map(record.actions.map((a) => [a.id, a])));
        pending.set(record.runId, countByPrincipal(record.actions));
        for (const action of record.actions) if (action.principal) lastRunOf(action.principal)[run.command] = { runId: run.runId, at: run.startedAt, complete: false };
        break;
      }
      case 'intent': {
        // Re-inserted so that the open intents keep the order of the latest ones.
        open.delete(record.actionId);
        open.set(record.actionId, record as IntentRecord);
        const command = runs.get(record.runId)?.command;
        if (record.undoable && command !== undefined) {
          changes.set(record.actionId, { actionId: record.actionId, kind: record.kind, target: record.target, params: record.params, runId: record.runId, command, at: record.at, state: 'in-doubt' });
        }
        break;
      }
      case 'outcome': {
        const intent = open.get(record.actionId);
        if (record.status !== 'unknown') open.delete(record.actionId);
        foldOutcome(record, intent, changes);
        if (record.status === 'settled' && record.happened === true && intent) applied(intent.runId, record.actionId, record.at);
        const run = runs.get(record.runId);
        if (!run) break;
        run.outcomes[record.status as OutcomeStatus] += 1;
        if (record.status === 'done' || record.status === 'skipped') applied(record.runId, record.actionId, record.at);
        break;
      }
      case 'seal':
        seals.push({ path: (record as SealRecord).path, sha256: (record as SealRecord).sha256 });
        break;
    }
  }
  for (const run of runs.values()) run.left = [...(left.get(run.runId)?.values() ?? [])];
  return { runs: [...runs.values()], openIntents: [...open.values()], seals, changes: [...changes.values()], principals: [...principals.values()] };
}

/** What an outcome does to the undoable changes on record: confirms, withdraws, or (for an undo) removes one. */
function foldOutcome(record: OutcomeRecord, intent: IntentRecord | undefined, changes: Map<string, UndoableChange>): void {
  const change = changes.get(record.actionId);
  if (change) {
    if (record.status === 'done' || (record.status === 'settled' && record.happened === true)) changes.set(record.actionId, { ...change, state: 'done', at: record.at });
    // Refused by AWS, or found not to have happened: there is nothing to undo.
    else if (record.status === 'failed' || (record.status === 'settled' && record.happened === false && intent !== undefined)) changes.delete(record.actionId);
  }
  const undone = record.actionId.endsWith(UNDO_SUFFIX) && (record.status === 'done' || record.status === 'skipped' || (record.status === 'settled' && record.happened === true));
  if (undone) changes.delete(record.actionId.slice(0, -UNDO_SUFFIX.length));
}

function countByPrincipal(actions: Iterable<LeftAction>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const action of actions) if (action.principal) counts.set(principalKey(action.principal), (counts.get(principalKey(action.principal)) ?? 0) + 1);
  return counts;
}

/**
 * How a run stands: `complete` (every planned action happened or was already so), `failed` (it ended,
 * but some failed or are in doubt), `interrupted` (Ctrl-C), `stopped` (credentials expired midway), or
 * `unended` (killed, or still running: the lock tells which).
 */
export type RunState = 'complete' | 'failed' | 'interrupted' | 'stopped' | 'unended';

export function runStateOf(run: RunSummary): RunState {
  if (run.end === null) return 'unended';
  if (run.end.event !== 'end') return run.end.event;
  const doubtful = run.outcomes.failed + run.outcomes.unknown;
  return run.left.length > 0 || doubtful > 0 ? 'failed' : 'complete';
}

/** The newest run of each command, by command. */
export function latestRunByCommand(fold: JournalFold): Map<string, RunSummary> {
  const latest = new Map<string, RunSummary>();
  for (const run of fold.runs) latest.set(run.command, run);
  return latest;
}
