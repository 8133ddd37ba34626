/**
 * What the journal says, folded into what its readers need: each run and what it left undone, the
 * calls still in doubt, and the digests of sealed files. The fold goes record by record and its state
 * is plain data, so it can be saved (journal-index.ts) and continued from where it stopped.
 */
import { z } from 'zod';
import type { IntentRecord, JournalRecord, OutcomeStatus, SealRecord } from './journal.js';

const leftActionSchema = z.object({ id: z.string(), kind: z.string(), target: z.string() });

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

export const journalFoldSchema = z.object({
  runs: z.array(runSummarySchema),
  /** Intents no outcome closed yet, oldest first. */
  openIntents: z.array(intentSchema),
  seals: z.array(z.object({ path: z.string(), sha256: z.string() })),
});

export type JournalFold = z.infer<typeof journalFoldSchema>;

export function emptyFold(): JournalFold {
  return { runs: [], openIntents: [], seals: [] };
}

/** Continues `fold` with later records; `fold` is not changed. */
export function foldRecords(fold: JournalFold, records: Iterable<JournalRecord>): JournalFold {
  const runs = new Map(fold.runs.map((r) => [r.runId, { ...r, outcomes: { ...r.outcomes }, left: [...r.left] }]));
  const left = new Map([...runs.values()].map((r) => [r.runId, new Map(r.left.map((a) => [a.id, a]))]));
  const open = new Map(fold.openIntents.map((i) => [i.actionId, i]));
  const seals = [...fold.seals];
  for (const record of records) {
    switch (record.type) {
      case 'run': {
        if (record.event === 'start') {
          runs.set(record.runId, { runId: record.runId, command: record.command, startedAt: record.at, end: null, planned: null, outcomes: { done: 0, skipped: 0, failed: 0, unknown: 0, settled: 0 }, left: [] });
          left.set(record.runId, new Map());
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
        break;
      }
      case 'intent':
        // Re-inserted so that the open intents keep the order of the latest ones.
        open.delete(record.actionId);
        open.set(record.actionId, record as IntentRecord);
        break;
      case 'outcome': {
        if (record.status !== 'unknown') open.delete(record.actionId);
        const run = runs.get(record.runId);
        if (!run) break;
        run.outcomes[record.status as OutcomeStatus] += 1;
        if (record.status === 'done' || record.status === 'skipped') left.get(record.runId)?.delete(record.actionId);
        break;
      }
      case 'seal':
        seals.push({ path: (record as SealRecord).path, sha256: (record as SealRecord).sha256 });
        break;
    }
  }
  for (const run of runs.values()) run.left = [...(left.get(run.runId)?.values() ?? [])];
  return { runs: [...runs.values()], openIntents: [...open.values()], seals };
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
