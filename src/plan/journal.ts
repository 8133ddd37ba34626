/**
 * The journal (`journal.jsonl`): the truth about what a run did to AWS. An intent record is made
 * durable before each mutating call and an outcome record after it, so that a run stopped at any
 * point (Ctrl-C, crash, expired credentials) leaves a record of exactly which calls may have happened.
 */
import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { redactSecrets } from '../redact-secrets.js';
import { Fault, UserError } from '../errors.js';
import { openWorkspaceFile } from '../workspace/safe-file.js';
import { emptyFold, foldRecords } from './journal-fold.js';
import type { Workspace } from '../workspace/workspace.js';

export const JOURNAL_FILE = 'journal.jsonl';
const FILE_MODE = 0o600;
/** Long enough for any AWS error message; short enough that a whole response body never lands here. */
const MAX_TEXT_CHARS = 500;

const stampFields = { at: z.string(), runId: z.string() };
const actionFields = { ...stampFields, actionId: z.string(), kind: z.string(), target: z.string() };

/** A run's start and end, so a reader can tell a finished run from one that stopped midway. */
const runSchema = z.object({ type: z.literal('run'), ...stampFields, command: z.string(), event: z.enum(['start', 'end', 'interrupted', 'stopped']) });

/**
 * Written and fsynced before a mutating call is sent. `params` are the action's, so that a later
 * run can settle the intent with the handler's `isDone`; like the plan's, they hold no secret.
 */
const intentSchema = z.object({
  type: z.literal('intent'),
  ...actionFields,
  params: z.unknown().optional(),
  /** The kind has an inverse: once it happened, the change stays on record until its undo happens (see journal-fold.ts). */
  undoable: z.literal(true).optional(),
});

/**
 * Written after the call. `unknown`: the call was sent but its result is not known (aborted in
 * flight); `settled`: a later run re-read AWS and closed an intent left open.
 */
const outcomeSchema = z.object({
  type: z.literal('outcome'),
  ...actionFields,
  status: z.enum(['done', 'skipped', 'failed', 'unknown', 'settled']),
  requestId: z.string().nullable(),
  detail: z.string().optional(),
  /** For `settled`: whether AWS showed the call had happened. */
  happened: z.boolean().optional(),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
});

/**
 * Written and fsynced before a workspace file that a later command trusts (a user's backup) is
 * written: its digest, so that a file edited, forged or copied from elsewhere is told from
 * one this workspace wrote.
 */
const sealSchema = z.object({ type: z.literal('seal'), ...stampFields, path: z.string(), sha256: z.string(), accountId: z.string(), userId: z.string() });

/**
 * Written once a run's plan is confirmed, before its first call: the actions it will apply (those the
 * engine refused aside), so that a reader can tell what a run that stopped midway left undone.
 */
const planSchema = z.object({
  type: z.literal('plan'),
  ...stampFields,
  command: z.string(),
  actions: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      target: z.string(),
      /** The IAM user the action changes, so that a reader can tell when a run finished with that user. */
      principal: z.object({ userName: z.string(), userId: z.string().nullable() }).optional(),
    }),
  ),
});

const recordSchema = z.discriminatedUnion('type', [runSchema, planSchema, intentSchema, outcomeSchema, sealSchema]);

export type RunRecord = z.infer<typeof runSchema>;
export type IntentRecord = z.infer<typeof intentSchema>;
export type OutcomeRecord = z.infer<typeof outcomeSchema>;
export type OutcomeStatus = OutcomeRecord['status'];
export type SealRecord = z.infer<typeof sealSchema>;
export type PlanRecord = z.infer<typeof planSchema>;
export type JournalRecord = RunRecord | PlanRecord | IntentRecord | OutcomeRecord | SealRecord;

type WithOptionalStamp<T> = T extends unknown ? Omit<T, 'at' | 'runId'> & { at?: string; runId?: string } : never;

/**
 * What a caller appends: a record whose time defaults to the journal's clock and whose run ID, when
 * given, must be the journal's own.
 */
export type JournalEntry = WithOptionalStamp<JournalRecord>;

/**
 * An append-only, fsynced journal for one run. Appends are serialised, so concurrent actions never
 * interleave their lines, and each resolves only once its line is on disk.
 */
export class Journal {
  private tail: Promise<void> = Promise.resolve();
  private broken: Error | null = null;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
    readonly runId: string,
    private readonly now: () => Date,
    /** Bytes of an unreadable last line (left by a crash mid-write) removed when the journal was opened. */
    readonly repairedBytes: number,
  ) {}

  /**
   * Opens (creating it 0600 if needed) the workspace's journal for appending. A torn last line is
   * repaired first: left in place, the next record would be glued to it and corrupt the middle of the file.
   */
  static async open(workspace: Workspace, runId: string, now: () => Date): Promise<Journal> {
    await workspace.ensureExists();
    const file = workspace.resolve(JOURNAL_FILE);
    // Never through a link: a journal.jsonl pointing elsewhere would have that file appended to and chmod-ed.
    const handle = (await openWorkspaceFile(workspace.dir, file, 'append')) as FileHandle;
    try {
      // The mode given to open() is filtered by the umask, and an existing file keeps its mode.
      await handle.chmod(FILE_MODE);
      const repairedBytes = await repairTornTail(handle);
      await handle.sync();
      await syncDir(workspace.dir);
      return new Journal(handle, file, runId, now, repairedBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Appends one record; resolves once it is fsynced. Secret-looking text is removed first. */
  append(entry: JournalEntry): Promise<void> {
    let record: JournalRecord;
    try {
      record = this.stamp(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    const write = this.tail.then(async () => {
      if (this.closed) throw new Fault('JOURNAL_CLOSED', `The journal ${this.file} is closed.`, 'This is a bug in iam2idc: please report it.');
      if (this.broken) throw this.broken;
      try {
        await writeAll(this.handle, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
        await this.handle.sync();
      } catch (error) {
        // A half-written line must not be followed by more records: refuse every later append.
        this.broken = new Fault(
          'JOURNAL_WRITE_FAILED',
          `Could not write the journal ${this.file}: ${(error as Error).message}`,
          'Free disk space or fix the workspace permissions, then re-run the command to resume.',
          { cause: error },
        );
        throw this.broken;
      }
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  /** Waits for pending appends, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.tail;
    this.closed = true;
    await this.handle.close();
  }

  private stamp(entry: JournalEntry): JournalRecord {
    const { type, at, runId, ...rest } = entry;
    if (runId !== undefined && runId !== this.runId) {
      throw new Fault('JOURNAL_RUN_MISMATCH', `A record of run ${runId} was appended to the journal of run ${this.runId}.`, 'This is a bug in iam2idc: please report it.');
    }
    const record = { type, at: at ?? this.now().toISOString(), runId: this.runId, ...rest } as JournalRecord;
    if (record.type !== 'outcome') return record;
    return {
      ...record,
      ...(record.detail !== undefined ? { detail: scrubText(record.detail) } : {}),
      ...(record.error ? { error: describeError(record.error) } : {}),
    };
  }
}

/**
 * The name and message of anything thrown, safe for the journal: objects are redacted by key,
 * secret-looking tokens removed, and the text capped.
 */
export function describeError(error: unknown): { name: string; message: string } {
  if (error && typeof error === 'object') {
    const { name, message } = error as { name?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : stringifyRedacted(message ?? error);
    return { name: typeof name === 'string' && name ? scrubText(name) : 'Error', message: scrubText(text) };
  }
  return { name: 'Error', message: scrubText(String(error)) };
}

function stringifyRedacted(value: unknown): string {
  try {
    return JSON.stringify(redactSecrets(value)) ?? String(value);
  } catch {
    // A circular structure: its type is all that can be said safely.
    return Object.prototype.toString.call(value);
  }
}

// A secret access key is 40 characters and a session token hundreds, from the base64 alphabet. Such
// runs, mixing cases and digits, never occur in the ARNs, IDs and names the journal should keep.
const SECRET_LIKE = /[A-Za-z0-9/+=]{40,}/g;
const looksSecret = (token: string) => /[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token);

function scrubText(text: string): string {
  const scrubbed = text.replace(SECRET_LIKE, (token) => (looksSecret(token) ? '<redacted>' : token));
  return scrubbed.length > MAX_TEXT_CHARS ? `${scrubbed.slice(0, MAX_TEXT_CHARS - 1)}…` : scrubbed;
}

/**
 * Reads every record of the workspace's journal (none when there is no journal). An unreadable last
 * line is what a crash mid-write leaves, and is ignored; an unreadable line before it is corruption.
 */
export async function readJournal(workspace: Workspace): Promise<JournalRecord[]> {
  const text = await workspace.readText(JOURNAL_FILE);
  return text === null ? [] : parseJournalText(text, workspace.resolve(JOURNAL_FILE));
}

/** The records of journal text (whole lines, or a file whose last line may be torn); `file` names it in errors. */
export function parseJournalText(text: string, file: string): JournalRecord[] {
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  const last = lastContentIndex(lines);
  for (let index = 0; index <= last; index += 1) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record) {
      records.push(record);
      continue;
    }
    if (index === last) break;
    throw new UserError(
      'JOURNAL_CORRUPT',
      `${file} line ${index + 1} is not a journal record.`,
      `The journal is only written by iam2idc. Restore it from a backup, or move it aside: the next run then re-reads AWS for every action, but cannot settle actions an interrupted run left open.`,
    );
  }
  return records;
}

/**
 * The intents that no later outcome closed, across runs (a later run's `settled` closes one): the
 * calls that may or may not have happened, which the next run settles by re-reading AWS before
 * applying anything. An `unknown` outcome (a call aborted in flight) says exactly that, so it
 * leaves the intent open.
 */
export function findOpenIntents(records: readonly JournalRecord[]): IntentRecord[] {
  return foldRecords(emptyFold(), records).openIntents as IntentRecord[];
}

/** A run ID that sorts by start time and is unique: `20240601T120000.000Z-1a2b3c4d`. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${randomBytes(4).toString('hex')}`;
}

function parseRecord(line: string): JournalRecord | null {
  const parsed = recordSchema.safeParse(parseJson(line));
  return parsed.success ? parsed.data : null;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function lastContentIndex(lines: string[]): number {
  for (let index = lines.length - 1; index >= 0; index -= 1) if ((lines[index] ?? '').trim() !== '') return index;
  return -1;
}

/**
 * Makes the file end with a whole line: an unterminated but whole JSON line gets its newline; a last
 * line that is not JSON (a torn write, or the zeros a power cut can leave) is cut off, as
 * `readJournal` ignores it anyway. Returns the bytes removed.
 */
async function repairTornTail(handle: FileHandle): Promise<number> {
  const content = await handle.readFile();
  if (content.length === 0) return 0;
  const text = content.toString('utf8');
  const lines = text.split('\n');
  const last = lastContentIndex(lines);
  if (last < 0) return 0;
  // Only a write cut short leaves text that is not JSON; a whole line of a newer record type is kept.
  if (parseJson(lines[last] ?? '') !== undefined) {
    if (!text.endsWith('\n')) await writeAll(handle, Buffer.from('\n', 'utf8'));
    return 0;
  }
  const keep = Buffer.byteLength(lines.slice(0, last).map((line) => `${line}\n`).join(''), 'utf8');
  await handle.truncate(keep);
  return content.length - keep;
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}


/** Makes the journal's directory entry durable too (it may be new); not every platform can fsync a directory. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the records themselves are fsynced either way.
  } finally {
    await handle?.close();
  }
}
