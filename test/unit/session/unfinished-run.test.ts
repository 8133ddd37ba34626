import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, type JournalEntry, type OutcomeRecord } from '../../../src/plan/journal.js';
import { findUnfinishedRun } from '../../../src/session/unfinished-run.js';
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

describe('findUnfinishedRun', () => {
  it('Given a workspace without a journal or a lock, When the last run is looked for, Then there is none unfinished', async () => {
    expect(await findUnfinishedRun(workspace)).toBeNull();
  });

  it('Given a last run that started and ended, When the last run is looked for, Then there is none unfinished', async () => {
    await writeRun('run-1', [start('assign'), intent('a'), outcome('a'), end('assign')]);
    expect(await findUnfinishedRun(workspace)).toBeNull();
  });

  it('Given a last run with two changes done and one call in flight, When the last run is looked for, Then it is reported with its command, start, and counts', async () => {
    await writeRun('run-1', [start('create-permission-sets', '2024-06-01T11:00:00.000Z'), intent('a'), outcome('a'), intent('b'), outcome('b'), intent('c')]);
    expect(await findUnfinishedRun(workspace)).toEqual({ command: 'create-permission-sets', startedAt: '2024-06-01T11:00:00.000Z', done: 2, inFlight: 1, locked: false });
  });

  it('Given a last run that recorded being interrupted, When the last run is looked for, Then it counts as unfinished', async () => {
    await writeRun('run-1', [start('disable'), intent('a'), outcome('a'), intent('b'), outcome('b', 'unknown'), interrupted('disable')]);
    expect(await findUnfinishedRun(workspace)).toMatchObject({ command: 'disable', done: 1, inFlight: 1, locked: false });
  });

  it('Given failed and skipped outcomes in the last run, When the last run is looked for, Then only done outcomes count as applied', async () => {
    await writeRun('run-1', [start('assign'), intent('a'), outcome('a', 'failed'), intent('b'), outcome('b', 'skipped'), intent('c'), outcome('c')]);
    expect(await findUnfinishedRun(workspace)).toMatchObject({ command: 'assign', done: 1, inFlight: 0 });
  });

  it('Given an older run that did not end followed by one that ended, When the last run is looked for, Then there is none unfinished', async () => {
    await writeRun('run-1', [start('assign'), intent('a')]);
    await writeRun('run-2', [start('assign'), intent('b'), outcome('b'), end('assign')]);
    expect(await findUnfinishedRun(workspace)).toBeNull();
  });

  it('Given an older unfinished run with an open intent and a newer unfinished one, When the last run is looked for, Then only the newer run\'s records are counted', async () => {
    await writeRun('run-1', [start('assign'), intent('old-1'), outcome('old-1'), intent('old-2')]);
    await writeRun('run-2', [start('disable', '2024-06-01T11:30:00.000Z'), intent('new-1'), outcome('new-1')]);
    expect(await findUnfinishedRun(workspace)).toEqual({ command: 'disable', startedAt: '2024-06-01T11:30:00.000Z', done: 1, inFlight: 0, locked: false });
  });

  it('Given a run that ended after an older interrupted one, When the last run is looked for, Then there is none unfinished', async () => {
    await writeRun('run-1', [start('cleanup'), intent('a'), interrupted('cleanup')]);
    await writeRun('run-2', [start('cleanup'), outcome('a', 'settled'), end('cleanup')]);
    expect(await findUnfinishedRun(workspace)).toBeNull();
  });

  it('Given an unfinished last run and the workspace lock held, When the last run is looked for, Then it is reported as locked', async () => {
    await writeRun('run-1', [start('assign'), intent('a')]);
    await acquireLock(workspace, { command: 'assign', pid: 4242, hostname: 'build-host', isProcessAlive: () => true, now: NOW });
    expect(await findUnfinishedRun(workspace)).toMatchObject({ command: 'assign', done: 0, inFlight: 1, locked: true });
  });

  it('Given the lock held by a run that has not written its journal yet, When the last run is looked for, Then the lock holder is reported as unfinished and locked', async () => {
    await acquireLock(workspace, { command: 'create-permission-sets', pid: 4242, hostname: 'build-host', isProcessAlive: () => true, now: NOW });
    expect(await findUnfinishedRun(workspace)).toEqual({ command: 'create-permission-sets', startedAt: NOW.toISOString(), done: 0, inFlight: 0, locked: true });
  });

  it('Given a lock file left half-written, When the last run is looked for, Then it is still reported as locked', async () => {
    await writeFile(workspace.resolve(LOCK_FILE), '{"id":"1a2b', 'utf8');
    expect(await findUnfinishedRun(workspace)).toMatchObject({ locked: true, done: 0, inFlight: 0 });
  });

  it('Given a finished last run and a lock released, When the last run is looked for, Then there is none unfinished', async () => {
    const lock = await acquireLock(workspace, { command: 'assign', pid: 4242, hostname: 'build-host', isProcessAlive: () => true, now: NOW });
    await writeRun('run-1', [start('assign'), intent('a'), outcome('a'), end('assign')]);
    await lock.release();
    expect(await findUnfinishedRun(workspace)).toBeNull();
  });
});
