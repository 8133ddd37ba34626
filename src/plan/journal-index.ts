/**
 * The journal only grows (tens of MB after a journey over thousands of users), yet every command
 * needs what it says: the seals, the calls in doubt, how the last runs ended. `journal.index.json`
 * holds the fold of the journal up to a byte offset, written when a run closes; a reader folds only
 * the lines after it. The index is a cache, never a record: it is checked against the journal's own
 * bytes before use, and anything that does not agree (a journal replaced, cut short or edited before
 * the offset, an index from another version) makes the reader fold the whole journal again.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { openWorkspaceFile } from '../workspace/safe-file.js';
import type { Workspace } from '../workspace/workspace.js';
import { emptyFold, foldRecords, journalFoldSchema, type JournalFold } from './journal-fold.js';
import { JOURNAL_FILE, parseJournalText } from './journal.js';

export const JOURNAL_INDEX_FILE = 'journal.index.json';
/** 2: the fold holds the undoable changes and the runs per IAM user. */
const INDEX_VERSION = 2;
/** How much of the journal before the offset the index pins by digest: the last records it folded. */
const PINNED_BYTES = 4096;

const indexSchema = z.object({
  version: z.literal(INDEX_VERSION),
  /** The journal's bytes folded: always whole lines. */
  journalBytes: z.number().int().nonnegative(),
  /** sha256 of the journal's bytes just before `journalBytes` (up to PINNED_BYTES of them). */
  pinnedSha256: z.string(),
  fold: journalFoldSchema,
});

/** The fold of the whole journal, from the index and the lines after it (or from every line). */
export async function readJournalFold(workspace: Workspace): Promise<JournalFold> {
  return (await readFoldWithOffset(workspace)).fold;
}

/** Brings the index up to the journal's end; called once a run has closed its journal. Best effort. */
export async function updateJournalIndex(workspace: Workspace): Promise<void> {
  try {
    const { fold, bytes, pinnedSha256 } = await readFoldWithOffset(workspace);
    if (bytes === 0) return;
    await workspace.writeJson(JOURNAL_INDEX_FILE, { version: INDEX_VERSION, journalBytes: bytes, pinnedSha256, fold });
  } catch {
    // The index only saves reading: without it (disk full, say) the next reader folds the whole journal.
  }
}

async function readFoldWithOffset(workspace: Workspace): Promise<{ fold: JournalFold; bytes: number; pinnedSha256: string }> {
  // Never through a link, like every workspace file.
  const handle = await openWorkspaceFile(workspace.dir, workspace.resolve(JOURNAL_FILE), 'read');
  if (handle === null) return { fold: emptyFold(), bytes: 0, pinnedSha256: '' };
  try {
    const size = (await handle.stat()).size;
    const index = await readIndex(workspace);
    const start = index && index.journalBytes <= size && (await pinnedDigest(handle, index.journalBytes)) === index.pinnedSha256 ? index : null;
    const from = start?.journalBytes ?? 0;
    const tail = Buffer.alloc(size - from);
    if (tail.length > 0) await handle.read(tail, 0, tail.length, from);
    const text = tail.toString('utf8');
    // Only whole lines are folded: a line still being written belongs to the next reader.
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    const bytes = from + Buffer.byteLength(whole, 'utf8');
    const fold = foldRecords(start?.fold ?? emptyFold(), parseJournalText(whole, workspace.resolve(JOURNAL_FILE)));
    return { fold, bytes, pinnedSha256: await pinnedDigest(handle, bytes) };
  } finally {
    await handle.close();
  }
}

async function readIndex(workspace: Workspace): Promise<z.infer<typeof indexSchema> | null> {
  try {
    const text = await workspace.readText(JOURNAL_INDEX_FILE);
    if (text === null) return null;
    const parsed = indexSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function pinnedDigest(handle: FileHandle, end: number): Promise<string> {
  const start = Math.max(0, end - PINNED_BYTES);
  const bytes = Buffer.alloc(end - start);
  if (bytes.length > 0) await handle.read(bytes, 0, bytes.length, start);
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
