import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JOURNAL_FILE, readJournal, type JournalEntry } from '../../../src/plan/journal.js';
import { emptyFold, foldRecords } from '../../../src/plan/journal-fold.js';
import { JOURNAL_INDEX_FILE, readJournalFold, updateJournalIndex } from '../../../src/plan/journal-index.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');
let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-journal-index-'));
  workspace = Workspace.at(path.join(root, 'ws'));
  await workspace.bindToAccount({ accountId: '111111111111', partition: 'aws', arn: 'arn:aws:iam::111111111111:user/ops' }, NOW);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** One run of `command` that applies the given action ids, as the executor writes it. */
async function writeRun(runId: string, command: string, ids: string[], options: { end?: boolean } = {}): Promise<void> {
  const journal = await Journal.open(workspace, runId, () => NOW);
  const entries: JournalEntry[] = [
    { type: 'run', command, event: 'start' },
    { type: 'plan', command, actions: ids.map((id) => ({ id, kind: 'test.Kind', target: id })) },
    ...ids.flatMap((id): JournalEntry[] => [
      { type: 'intent', actionId: id, kind: 'test.Kind', target: id },
      { type: 'outcome', actionId: id, kind: 'test.Kind', target: id, status: 'done', requestId: `req-${id}` },
    ]),
    ...(options.end === false ? [] : [{ type: 'run', command, event: 'end' } as JournalEntry]),
  ];
  try {
    for (const entry of entries) await journal.append(entry);
  } finally {
    await journal.close();
  }
}

const fullFold = async () => foldRecords(emptyFold(), await readJournal(workspace));
const journalPath = () => workspace.resolve(JOURNAL_FILE);

describe('the journal index', () => {
  it('Given an index and runs written after it, When the journal is folded, Then the result is the fold of every line', async () => {
    await writeRun('run-1', 'assign', ['a', 'b']);
    await updateJournalIndex(workspace);
    await writeRun('run-2', 'disable', ['c'], { end: false });

    expect(await readJournalFold(workspace)).toEqual(await fullFold());
  });

  it('Given an index, When the journal is folded, Then only the lines after it are read: the index stands for the lines before', async () => {
    await writeRun('run-1', 'assign', ['a']);
    await updateJournalIndex(workspace);
    // An index whose fold says something the journal does not: only a reader that trusts it returns it.
    const index = JSON.parse((await workspace.readText(JOURNAL_INDEX_FILE)) ?? '{}') as { fold: { runs: { command: string }[] } };
    index.fold.runs[0]!.command = 'from-the-index';
    await workspace.writeJson(JOURNAL_INDEX_FILE, index);
    await writeRun('run-2', 'disable', ['b']);

    expect((await readJournalFold(workspace)).runs.map((r) => r.command)).toEqual(['from-the-index', 'disable']);
  });

  it('Given the journal edited before the offset, When folded, Then the index is not trusted and every line is folded again', async () => {
    await writeRun('run-1', 'assign', ['a']);
    await updateJournalIndex(workspace);
    const text = await readFile(journalPath(), 'utf8');
    await writeFile(journalPath(), text.replace('"command":"assign"', '"command":"cleanup"'));

    expect((await readJournalFold(workspace)).runs.map((r) => r.command)).toEqual(['cleanup']);
  });

  it('Given a journal cut shorter than the index, When folded, Then the index is ignored', async () => {
    await writeRun('run-1', 'assign', ['a', 'b']);
    await updateJournalIndex(workspace);
    const text = await readFile(journalPath(), 'utf8');
    const firstLines = text.split('\n').slice(0, 3).join('\n') + '\n';
    await truncate(journalPath(), Buffer.byteLength(firstLines));

    const fold = await readJournalFold(workspace);
    expect(fold).toEqual(await fullFold());
    expect(fold.runs[0]?.end).toBeNull();
  });

  it('Given an index that is not JSON or of another version, When folded, Then every line is folded', async () => {
    await writeRun('run-1', 'assign', ['a']);
    await workspace.writeText(JOURNAL_INDEX_FILE, '{ not json');
    expect(await readJournalFold(workspace)).toEqual(await fullFold());
    await workspace.writeJson(JOURNAL_INDEX_FILE, { version: 1, journalBytes: 0, pinnedSha256: '', fold: emptyFold() });
    expect(await readJournalFold(workspace)).toEqual(await fullFold());
  });

  it('Given a last line still being written, When folded and indexed, Then it is left for the next reader', async () => {
    await writeRun('run-1', 'assign', ['a']);
    await appendFile(journalPath(), '{"type":"run","at":"2024-06-01T12:00:00.000Z","runId":"run-2","comm');
    const fold = await readJournalFold(workspace);
    expect(fold.runs.map((r) => r.runId)).toEqual(['run-1']);
    await updateJournalIndex(workspace);
    await appendFile(journalPath(), 'and":"disable","event":"start"}\n');
    expect((await readJournalFold(workspace)).runs.map((r) => r.runId)).toEqual(['run-1', 'run-2']);
  });

  it('Given no journal, When folded or indexed, Then the fold is empty and no index is written', async () => {
    expect(await readJournalFold(workspace)).toEqual(emptyFold());
    await updateJournalIndex(workspace);
    expect(await workspace.readText(JOURNAL_INDEX_FILE)).toBeNull();
  });
});
