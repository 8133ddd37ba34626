/**
 * A run of a command that changes AWS holds its workspace from the first read to the last write:
 * the lock is taken before anything is read, so no run plans from state another run is changing,
 * and one journal records everything the run does, the digests of the files it writes included.
 */
import { Journal, newRunId } from './journal.js';
import { readJournalFold, updateJournalIndex } from './journal-index.js';
import { acquireLock, type WorkspaceLock } from '../workspace/lock.js';
import { FileTrust, type FileSealer } from '../workspace/file-seals.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ProcessInfo } from './execute-plan.js';
import type { InterruptController } from './interrupt-controller.js';

export interface PlanRunSettings {
  workspace: Workspace;
  command: string;
  now: () => Date;
  process: ProcessInfo;
  /** A Ctrl-C that ends the run outside an apply releases the lock first. */
  interrupts: InterruptController;
}

/** The workspace, held by one run: its lock and its journal. */
export class PlanRun implements FileSealer {
  private readonly trusts: FileTrust[] = [];

  private constructor(
    readonly workspace: Workspace,
    readonly command: string,
    readonly lock: WorkspaceLock,
    readonly journal: Journal,
  ) {}

  get runId(): string {
    return this.journal.runId;
  }

  /** Takes the lock (or refuses: another run holds it), then opens the journal. */
  static async open(settings: PlanRunSettings): Promise<PlanRun> {
    const lock = await acquireLock(settings.workspace, { command: settings.command, now: settings.now, ...settings.process });
    try {
      const journal = await Journal.open(settings.workspace, newRunId(settings.now()), settings.now);
      return new PlanRun(settings.workspace, settings.command, lock, journal);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  async seal(relativePath: string, sha256: string, subject: { accountId: string; userId: string }): Promise<void> {
    await this.journal.append({ type: 'seal', path: relativePath, sha256, ...subject });
    for (const trust of this.trusts) trust.remember(relativePath, sha256);
  }

  /** What sealed files are checked against, kept up to date with the files this run seals. */
  async fileTrust(accountId: string): Promise<FileTrust> {
    const trust = await readFileTrust(this.workspace, accountId);
    this.trusts.push(trust);
    return trust;
  }

  async close(): Promise<void> {
    try {
      await this.journal.close();
      // Still holding the lock, so no other run appends while the index is brought up to date.
      await updateJournalIndex(this.workspace);
    } finally {
      await this.lock.release();
    }
  }
}

/**
 * Runs `body` holding the workspace; a dry-run changes nothing and holds nothing (`run` is null), so
 * it can look while another run works.
 */
export async function withPlanRun<T>(settings: PlanRunSettings & { dryRun: boolean }, body: (run: PlanRun | null) => Promise<T>): Promise<T> {
  if (settings.dryRun) return body(null);
  const run = await PlanRun.open(settings);
  const stopCleanup = settings.interrupts.onExit(() => run.close());
  try {
    return await body(run);
  } finally {
    stopCleanup();
    await run.close();
  }
}

/** What sealed workspace files are checked against: the journal's digests and the workspace's account (`run` keeps it current). */
export function fileTrustFor(run: PlanRun | null, workspace: Workspace, accountId: string): Promise<FileTrust> {
  return run ? run.fileTrust(accountId) : readFileTrust(workspace, accountId);
}

export async function readFileTrust(workspace: Workspace, accountId: string): Promise<FileTrust> {
  return new FileTrust(accountId, (await readJournalFold(workspace)).seals);
}
