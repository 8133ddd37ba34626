import { chmod, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Fault, UserError } from '../../../src/errors.js';
import {
  describeError,
  findOpenIntents,
  Journal,
  JOURNAL_FILE,
  newRunId,
  readJournal,
  type JournalRecord,
  type OutcomeRecord,
} from '../../../src/plan/journal.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const NOW = new Date('2024-06-01T12:00:00.000Z');
const now = () => NOW;
// The documented example credentials of the AWS docs: shaped like real ones, valid nowhere.
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = `IQoJb3JpZ2luX2VjEJr${'A1b2C3d4E5f6G7h8'.repeat(20)}`;

let root: string;
let workspace: Workspace;
const opened: Journal[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-journal-'));
  workspace = Workspace.at(path.join(root, 'ws'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const journal of opened.splice(0)) await journal.close();
  await rm(root, { recursive: true, force: true });
});

async function openJournal(runId = 'run-1'): Promise<Journal> {
  const journal = await Journal.open(workspace, runId, now);
  opened.push(journal);
  return journal;
}

const intent = (actionId: string) => ({ type: 'intent', actionId, kind: 'test.Kind', target: `target ${actionId}` }) as const;
const outcome = (actionId: string, status: OutcomeRecord['status'] = 'done') =>
  ({ type: 'outcome', actionId, kind: 'test.Kind', target: `target ${actionId}`, status, requestId: `req-${actionId}` }) as const;

async function journalLines(): Promise<string[]> {
  return (await readFile(workspace.resolve(JOURNAL_FILE), 'utf8')).split('\n').filter(Boolean);
}

/** Records the order of writes and fsyncs made through any FileHandle. */
async function traceFileHandleCalls(): Promise<string[]> {
  const probe = await open(path.join(root, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown>; sync: () => Promise<void> };
  await probe.close();
  const calls: string[] = [];
  const write = proto.write;
  const sync = proto.sync;
  vi.spyOn(proto, 'write').mockImplementation(async function (this: unknown, ...args: unknown[]) {
    calls.push('write');
    return write.apply(this, args);
  });
  vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
    const result = await sync.apply(this);
    calls.push('sync');
    return result;
  });
  return calls;
}

describe('Journal appends', () => {
  it('Given appends, When each resolves, Then its line has been written and fsynced, in call order', async () => {
    const journal = await openJournal();
    const calls = await traceFileHandleCalls();
    const settled: string[] = [];
    const pending = ['a', 'b', 'c'].map((id) => journal.append(intent(id)).then(() => settled.push(`${id}:${calls.join(',')}`)));
    await Promise.all(pending);
    expect(calls).toEqual(['write', 'sync', 'write', 'sync', 'write', 'sync']);
    expect(settled).toEqual(['a:write,sync', 'b:write,sync,write,sync', 'c:write,sync,write,sync,write,sync']);
    expect((await journalLines()).map((line) => (JSON.parse(line) as { actionId: string }).actionId)).toEqual(['a', 'b', 'c']);
  });

  it('Given records without a time or run, When appended, Then the journal stamps its clock and run ID', async () => {
    const journal = await openJournal('run-7');
    await journal.append({ type: 'run', command: 'create-permission-sets', event: 'start' });
    await journal.append({ ...intent('a'), at: '2024-06-01T12:00:05.000Z', runId: 'run-7' });
    expect(await readJournal(workspace)).toEqual([
      { type: 'run', at: NOW.toISOString(), runId: 'run-7', command: 'create-permission-sets', event: 'start' },
      { type: 'intent', at: '2024-06-01T12:00:05.000Z', runId: 'run-7', actionId: 'a', kind: 'test.Kind', target: 'target a' },
    ]);
  });

  it('Given many large appends at once, When they finish, Then every line is whole and in call order', async () => {
    const journal = await openJournal();
    const ids = Array.from({ length: 200 }, (_, i) => `action-${i}`);
    await Promise.all(ids.map((id) => journal.append({ ...intent(id), target: `${id} ${'x'.repeat(70_000)}` })));
    const records = (await journalLines()).map((line) => JSON.parse(line) as { actionId: string; target: string });
    expect(records.map((r) => r.actionId)).toEqual(ids);
    expect(records.every((r) => r.target === `${r.actionId} ${'x'.repeat(70_000)}`)).toBe(true);
  });

  it('Given a closed journal, When appended to, Then it is a fault and nothing is written', async () => {
    const journal = await openJournal();
    await journal.append(intent('a'));
    await journal.close();
    await expect(journal.append(intent('b'))).rejects.toMatchObject({ code: 'JOURNAL_CLOSED' });
    await expect(journal.close()).resolves.toBeUndefined();
    expect(await journalLines()).toHaveLength(1);
  });

  it("Given a record of another run, When appended, Then it is a fault and the journal's run is kept", async () => {
    const journal = await openJournal('run-1');
    const attempt = journal.append({ ...intent('a'), runId: 'run-2' });
    await expect(attempt).rejects.toBeInstanceOf(Fault);
    await expect(attempt).rejects.toMatchObject({ code: 'JOURNAL_RUN_MISMATCH' });
    await expect(readJournal(workspace)).resolves.toEqual([]);
  });
});

describe('Journal file modes', () => {
  let savedUmask: number;
  beforeEach(() => {
    savedUmask = process.umask();
  });
  afterEach(() => {
    process.umask(savedUmask);
  });

  it('Given umask 0 and no workspace yet, When the journal is opened, Then the directory is 0700 and the file 0600', async () => {
    process.umask(0);
    const journal = await openJournal();
    await journal.append(intent('a'));
    expect((await stat(workspace.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(journal.file)).mode & 0o777).toBe(0o600);
  });

  it('Given a journal made readable to others, When it is opened again, Then it is 0600 and keeps its records', async () => {
    process.umask(0);
    const first = await openJournal('run-1');
    await first.append(intent('a'));
    await first.close();
    await chmod(first.file, 0o644);
    const second = await openJournal('run-2');
    expect((await stat(second.file)).mode & 0o777).toBe(0o600);
    expect(await readJournal(workspace)).toHaveLength(1);
  });
});

describe('Journal secrets', () => {
  it('Given a failure whose message carries credentials, When it is journaled, Then the file holds neither secret and the message is capped', async () => {
    const journal = await openJournal();
    await journal.append({
      ...outcome('a', 'failed'),
      detail: `token ${SESSION_TOKEN}`,
      error: { name: 'AccessDenied', message: `signed with ${SECRET_ACCESS_KEY} and ${SESSION_TOKEN} ${'y'.repeat(5_000)}` },
    });
    const text = await readFile(journal.file, 'utf8');
    expect(text).not.toContain(SECRET_ACCESS_KEY);
    expect(text).not.toContain(SESSION_TOKEN);
    const [record] = (await readJournal(workspace)) as OutcomeRecord[];
    expect(record?.error?.name).toBe('AccessDenied');
    expect(record?.error?.message.length).toBeLessThanOrEqual(500);
  });

  it('Given an error whose message is an object, When it is described, Then secret-looking keys are redacted', () => {
    const described = describeError({ name: 'WeirdError', message: { SecretAccessKey: 'abc', SessionToken: 'def', Region: 'us-east-1' } });
    expect(described.name).toBe('WeirdError');
    expect(described.message).not.toContain('abc');
    expect(described.message).not.toContain('def');
    expect(described.message).toContain('us-east-1');
  });

  it('Given ARNs, request IDs and names, When described, Then they are kept', () => {
    const arn = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef';
    const described = describeError(new Error(`${arn} request 5f2c3b4a-1d2e-4f5a-8b9c-0d1e2f3a4b5c for DeveloperAccessReadOnlyPermissionSetName`));
    expect(described.message).toContain(arn);
    expect(described.message).toContain('5f2c3b4a-1d2e-4f5a-8b9c-0d1e2f3a4b5c');
    expect(described.message).toContain('DeveloperAccessReadOnlyPermissionSetName');
  });
});

describe('Reading the journal', () => {
  it('Given no journal, When read, Then there are no records', async () => {
    await expect(readJournal(workspace)).resolves.toEqual([]);
  });

  it('Given a crash mid-write left a torn last line, When read, Then the whole records are returned', async () => {
    const journal = await openJournal();
    await journal.append(intent('a'));
    await journal.append(outcome('a'));
    await journal.close();
    await writeFile(journal.file, '{"type":"intent","at":"2024-', { flag: 'a' });
    expect((await readJournal(workspace)).map((r) => r.type)).toEqual(['intent', 'outcome']);
  });

  it('Given a torn last line, When the journal is opened again and appended to, Then the tear is cut off and every record reads back', async () => {
    const first = await openJournal('run-1');
    await first.append(intent('a'));
    await first.close();
    await writeFile(first.file, '{"type":"outcome","actionId":"a","sta', { flag: 'a' });
    const second = await openJournal('run-2');
    expect(second.repairedBytes).toBeGreaterThan(0);
    await second.append(outcome('a', 'settled'));
    const records = await readJournal(workspace);
    expect(records.map((r) => [r.runId, r.type])).toEqual([
      ['run-1', 'intent'],
      ['run-2', 'outcome'],
    ]);
  });

  it('Given a whole last record without its newline, When the journal is opened again, Then the record is kept', async () => {
    const first = await openJournal('run-1');
    await first.append(intent('a'));
    await first.close();
    const text = await readFile(first.file, 'utf8');
    await writeFile(first.file, text.trimEnd());
    const second = await openJournal('run-2');
    expect(second.repairedBytes).toBe(0);
    await second.append(intent('b'));
    expect((await readJournal(workspace)).map((r) => r.type === 'intent' && r.actionId)).toEqual(['a', 'b']);
  });

  it('Given a corrupt line before the last, When read, Then it is a usage error naming the line', async () => {
    const journal = await openJournal();
    await journal.append(intent('a'));
    await journal.close();
    await writeFile(journal.file, 'not json\n', { flag: 'a' });
    await writeFile(journal.file, `${(await journalLines())[0]}\n`, { flag: 'a' });
    const attempt = readJournal(workspace);
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT', message: expect.stringContaining('line 2') });
  });

  it('Given a line that is JSON but not a record, When it is not the last, Then it is corruption too', async () => {
    await rm(workspace.dir, { recursive: true, force: true });
    const journal = await openJournal();
    await journal.close();
    await writeFile(journal.file, `{"type":"intent","at":"x"}\n${JSON.stringify({ ...intent('a'), at: 'x', runId: 'r' })}\n`);
    await expect(readJournal(workspace)).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT', message: expect.stringContaining('line 1') });
  });
});

describe('Open intents', () => {
  const at = NOW.toISOString();
  const rec = (runId: string, record: Record<string, unknown>) => ({ at, runId, ...record }) as JournalRecord;

  it('Given intents across runs, When some have later outcomes, Then only the others are open', () => {
    const records = [
      rec('run-1', { type: 'run', command: 'c', event: 'start' }),
      rec('run-1', intent('a')),
      rec('run-1', outcome('a')),
      rec('run-1', intent('b')),
      rec('run-1', intent('c')),
      rec('run-1', outcome('c', 'failed')),
      rec('run-1', intent('d')),
      // The run that crashed is settled by the next one.
      rec('run-2', outcome('d', 'settled')),
      rec('run-2', intent('e')),
    ];
    expect(findOpenIntents(records).map((r) => [r.runId, r.actionId])).toEqual([
      ['run-1', 'b'],
      ['run-2', 'e'],
    ]);
  });

  it('Given an action closed in one run and started again in a later one, When the later run stopped, Then it is open again', () => {
    const records = [rec('run-1', intent('a')), rec('run-1', outcome('a', 'failed')), rec('run-2', intent('a'))];
    expect(findOpenIntents(records)).toEqual([rec('run-2', intent('a'))]);
  });

  it('Given a call aborted in flight, When its outcome is unknown, Then the intent stays open for the next run to settle', () => {
    const records = [rec('run-1', intent('a')), rec('run-1', outcome('a', 'unknown'))];
    expect(findOpenIntents(records).map((r) => r.actionId)).toEqual(['a']);
    expect(findOpenIntents([...records, rec('run-2', outcome('a', 'settled'))])).toEqual([]);
  });

  it('Given a journal written and read back, When an intent has no outcome, Then it is found open', async () => {
    const journal = await openJournal('run-1');
    await journal.append(intent('a'));
    await journal.append(outcome('a'));
    await journal.append({ ...intent('b'), params: { permissionSet: 'Developers' } });
    expect(findOpenIntents(await readJournal(workspace))).toEqual([
      { type: 'intent', at: NOW.toISOString(), runId: 'run-1', actionId: 'b', kind: 'test.Kind', target: 'target b', params: { permissionSet: 'Developers' } },
    ]);
  });
});

describe('Run IDs', () => {
  it('Given runs started in order, When IDs are made, Then they sort by start time and never repeat', () => {
    const times = ['2024-06-01T12:00:00.000Z', '2024-06-01T12:00:00.001Z', '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z'];
    const ids = times.map((t) => newRunId(new Date(t)));
    expect([...ids].sort()).toEqual(ids);
    const same = Array.from({ length: 1000 }, () => newRunId(NOW));
    expect(new Set(same).size).toBe(1000);
    expect(ids[0]).toMatch(/^20240601T120000\.000Z-[0-9a-f]{8}$/);
  });
});
