import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, type JournalEntry, type OutcomeRecord } from '../../../src/plan/journal.js';
import { findUnfinishedRuns } from '../../../src/plan/unfinished-runs.js';
import { acquireLock, LOCK_FILE } from '../../../src/workspace/lock.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const now = () => NOW;

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-unfinished-'));
  workspace = Workspace.at(path.join(root, 'ws'));
  await workspace.bindToAccount({ accountId: '111111111111', partition: 'aws', arn: 'arn:aws:iam::111111111111:user/ops' }, NOW);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const start = (command: string, at?: string): JournalEntry => ({ type: 'run', command, event: 'start', ...(at ? { at } : {}) });
const end = (command: string): JournalEntry => ({ type: 'run', command, event: 'end' });
const interrupted = (command: string): JournalEntry => ({ type: 'run', command, event: 'interrupted' });
const plan = (command: string, ...ids: string[]): JournalEntry => ({ type: 'plan', command, actions: ids.map((id) => ({ id, kind: 'test.Kind', target: `target ${id}` })) });
const intent = (actionId: string): JournalEntry => ({ type: 'intent', actionId, kind: 'test.Kind', target: `target ${actionId}` });
const outcome = (actionId: string, status: OutcomeRecord['status'] = 'done'): JournalEntry => ({
  type: 'outcome',
  actionId,
  kind: 'test.Kind',
  target: `target ${actionId}`,
  status,
  requestId: `req-${actionId}`,
});

/** Appends one run's records to the workspace journal, as that run would. */
async function writeRun(runId: string, entries: JournalEntry[]): Promise<void> {
  const journal = await Journal.open(workspace, runId, now);
  try {
    for (const entry of entries) await journal.append(entry);
  } finally {
    await journal.close();
  }
}

describe('findUnfinishedRuns', () => {
  it('Given a workspace without a journal or a lock, When unfinished runs are looked for, Then there are none', async () => {
    expect(await findUnfinishedRuns(workspace)).toEqual([]);
  });

  it('Given a run that applied its whole plan and ended, When unfinished runs are looked for, Then there are none', async () => {
    await writeRun('run-1', [start('assign'), plan('assign', 'a'), intent('a'), outcome('a'), end('assign')]);
    expect(await findUnfinishedRuns(workspace)).toEqual([]);
  });

  it('Given a run killed with two changes done, one in flight and one not reached, When unfinished runs are looked for, Then it is reported with what it left', async () => {
    await writeRun('run-1', [start('create-permission-sets', '2024-06-01T11:00:00.000Z'), plan('create-permission-sets', 'a', 'b', 'c', 'd'), intent('a'), outcome('a'), intent('b'), outcome('b'), intent('c')]);
    expect(await findUnfinishedRuns(workspace)).toEqual([
      { command: 'create-permission-sets', runId: 'run-1', startedAt: '2024-06-01T11:00:00.000Z', state: 'unended', done: 2, left: 2, failed: 0, inFlight: 1, leftTargets: ['target c', 'target d'], locked: false },
    ]);
  });

  it('Given a run that recorded being interrupted, When unfinished runs are looked for, Then it is interrupted, with the call in doubt', async () => {
    await writeRun('run-1', [start('disable'), plan('disable', 'a', 'b'), intent('a'), outcome('a'), intent('b'), outcome('b', 'unknown'), interrupted('disable')]);
    expect(await findUnfinishedRuns(workspace)).toMatchObject([{ command: 'disable', state: 'interrupted', done: 1, left: 1, inFlight: 1, locked: false }]);
  });

  it('Given a run that ended with a failed action, When unfinished runs are looked for, Then it is unfinished too: only done and skipped count as applied', async () => {
    await writeRun('run-1', [start('assign'), plan('assign', 'a', 'b', 'c'), intent('a'), outcome('a', 'failed'), intent('b'), outcome('b', 'skipped'), intent('c'), outcome('c'), end('assign')]);
    expect(await findUnfinishedRuns(workspace)).toMatchObject([{ command: 'assign', state: 'failed', done: 1, left: 1, failed: 1, leftTargets: ['target a'] }]);
  });

  it('Given an unfinished run followed by a complete run of the same command, When unfinished runs are looked for, Then the later run has finished it', async () => {
    await writeRun('run-1', [start('assign'), plan('assign', 'a', 'b'), intent('a')]);
    // As the executor does: the open intent is settled before the run starts, and the new plan holds only what is still to do.
    await writeRun('run-2', [outcome('a', 'settled'), start('assign'), plan('assign', 'b'), intent('b'), outcome('b'), end('assign')]);
    expect(await findUnfinishedRuns(workspace)).toEqual([]);
  });

  it('Given an unfinished assign and a complete disable after it, When unfinished runs are looked for, Then assign is still unfinished: another command does not finish its work', async () => {
    await writeRun('run-1', [start('assign', '2024-06-01T11:00:00.000Z'), plan('assign', 'a', 'b'), intent('a'), outcome('a'), interrupted('assign')]);
    await writeRun('run-2', [start('disable', '2024-06-01T11:30:00.000Z'), plan('disable', 'c'), intent('c'), outcome('c'), end('disable')]);
    expect(await findUnfinishedRuns(workspace)).toMatchObject([{ command: 'assign', runId: 'run-1', left: 1 }]);
  });

  it('Given an interrupted disable rolled back by a complete enable, When unfinished runs are looked for, Then there are none', async () => {
    await writeRun('run-1', [start('disable', '2024-06-01T11:00:00.000Z'), plan('disable', 'a', 'b'), intent('a'), outcome('a'), interrupted('disable')]);
    await writeRun('run-2', [start('enable', '2024-06-01T11:30:00.000Z'), plan('enable', 'x'), intent('x'), outcome('x'), end('enable')]);
    expect(await findUnfinishedRuns(workspace)).toEqual([]);
  });

  it('Given a run recorded before runs wrote their plan, When unfinished runs are looked for, Then what it left is unknown but it still counts', async () => {
    await writeRun('run-1', [start('cleanup'), intent('a'), interrupted('cleanup')]);
    expect(await findUnfinishedRuns(workspace)).toMatchObject([{ command: 'cleanup', state: 'interrupted', left: null, inFlight: 1 }]);
  });

  it('Given an unfinished last run and the workspace lock held, When unfinished runs are looked for, Then it is reported as locked', async () => {
    await writeRun('run-1', [start('assign'), plan('assign', 'a'), intent('a')]);
    await acquireLock(workspace, { command: 'assign', pid: 4242, hostname: 'build-host', isProcessAlive: () => true, now: NOW });
    expect(await findUnfinishedRuns(workspace)).toMatchObject([{ command: 'assign', done: 0, inFlight: 1, locked: true }]);
  });

  it('Given the lock held by a run that has not written its journal yet, When unfinished runs are looked for, Then the lock holder is reported as unfinished and locked', async () => {
    await acquireLock(workspace, { command: 'create-permission-sets', pid: 4242, hostname: 'build-host', isProcessAlive: () => true, now: NOW });
    expect(await findUnfinishedRuns(workspace)).toEqual([
      { command: 'create-permission-sets', runId: null, startedAt: NOW.toISOString(), state: 'unended', done: 0, left: null, failed: 0, inFlight: 0, leftTargets: [], locked: true },
    ]);
  });

  it('Given a lock file left half-written, When unfinished runs are looked for, Then it is still reported as locked', async () => {
    await writeFile(workspace.resolve(LOCK_FILE), '{"id":"1a2b', 'utf8');
    expect(await findUnfinishedRuns(workspace)).toMatchObject([{ locked: true, done: 0, inFlight: 0 }]);
  });

  it('Given a finished last run and a lock released, When unfinished runs are looked for, Then there are none', async () => {
    const lock = await acquireLock(workspace, { command: 'assign', pid: 4242, hostname: 'build-host', isProcessAlive: () => true, now: NOW });
    await writeRun('run-1', [start('assign'), plan('assign', 'a'), intent('a'), outcome('a'), end('assign')]);
    await lock.release();
    expect(await findUnfinishedRuns(workspace)).toEqual([]);
  });
});
