import { mkdir, chmod } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { SafetyRefusal, UserError } from '../errors.js';
import { formatZodIssues } from './format-zod-issues.js';
import { checkWorkspacePath, readWorkspaceFile } from './safe-file.js';
import { WORKSPACE_STATE_VERSION, WorkspaceStateSchema, type WorkspaceState } from './workspace-state.js';

export const WORKSPACE_STATE_FILE = 'workspace.json';
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** The account a run is made with, as `sts:GetCallerIdentity` reports it. */
export interface BoundIdentity {
  accountId: string;
  partition: string;
  arn: string;
}

/**
 * The migration workspace: a directory bound to one AWS account, written only through atomic,
 * owner-only writes (0700 directories, 0600 files) whatever the umask.
 */
export class Workspace {
  private constructor(readonly dir: string) {}

  /** Opens the workspace at `dir` without creating anything (creation waits for the account binding). */
  static at(dir: string): Workspace {
    return new Workspace(path.resolve(dir));
  }

  resolve(relative: string): string {
    return path.join(this.dir, relative);
  }

  /** Reads `workspace.json`, or null when the workspace is new. Invalid content is a usage error. */
  async readState(): Promise<WorkspaceState | null> {
    const file = this.resolve(WORKSPACE_STATE_FILE);
    const text = await this.readText(WORKSPACE_STATE_FILE);
    if (text === null) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new UserError('WORKSPACE_STATE_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, `Restore ${file} from a backup, or point --workspace at the right directory.`);
    }
    const parsed = WorkspaceStateSchema.safeParse(raw);
    if (!parsed.success) {
      throw new UserError('WORKSPACE_STATE_INVALID', `${file} is invalid: ${formatZodIssues(parsed.error)}`, `Restore ${file} from a backup, or point --workspace at the right directory.`);
    }
    return parsed.data;
  }

  /**
   * Binds a new workspace to the caller's account, or checks that an existing one belongs to it.
   * Every command calls this before anything else, so no run ever mixes two accounts.
   */
  async bindToAccount(identity: BoundIdentity, now: Date): Promise<WorkspaceState> {
    const existing = await this.readState();
    if (existing) {
      if (existing.accountId !== identity.accountId) {
        throw new SafetyRefusal(
          'WORKSPACE_ACCOUNT_MISMATCH',
          `The workspace ${this.dir} belongs to account ${existing.accountId}, but the credentials in use are for account ${identity.accountId} (${identity.arn}).`,
          `Use credentials for account ${existing.accountId} (--profile), or another workspace (--workspace <dir>) for account ${identity.accountId}.`,
        );
      }
      return existing;
    }
    const state: WorkspaceState = {
      schemaVersion: WORKSPACE_STATE_VERSION,
      accountId: identity.accountId,
      partition: identity.partition,
      createdAt: now.toISOString(),
      createdBy: identity.arn,
      identityCenter: null,
      phases: {},
    };
    await this.writeState(state);
    return state;
  }

  /**
   * The one writer of `workspace.json` once it is bound: each change says which record it replaces
   * (a phase's, or the Identity Center instance) and computes it from what is there, read afresh and
   * written whole, one change after another. Null, with nothing written, when the workspace is not
   * bound yet.
   */
  updateState(...changes: StateChange[]): Promise<WorkspaceState | null> {
    const next = this.stateWrites.then(async () => {
      const state = await this.readState();
      if (!state) return null;
      let updated: WorkspaceState = state;
      for (const change of changes) updated = applyStateChange(updated, change);
      await this.writeState(updated);
      return updated;
    });
    // A failed write fails its own caller, not every later one.
    this.stateWrites = next.catch(() => undefined);
    return next;
  }

  private stateWrites: Promise<unknown> = Promise.resolve();

  private async writeState(state: WorkspaceState): Promise<void> {
    await this.writeJson(WORKSPACE_STATE_FILE, WorkspaceStateSchema.parse(state));
  }

  /** A workspace file's text, or null when there is none; never through a link (see safe-file.ts). */
  readText(relative: string): Promise<string | null> {
    return readWorkspaceFile(this.dir, this.resolve(relative));
  }

  /**
   * Writes a file atomically (temp file, fsync, rename) with mode 0600, creating 0700 parents. What is
   * there is checked first: write-file-atomic follows a link to its target, so a link is refused.
   */
  async writeText(relative: string, content: string): Promise<string> {
    const file = this.resolve(relative);
    await checkWorkspacePath(this.dir, file);
    await this.ensureDir(path.dirname(file));
    await writeFileAtomic(file, content, { mode: FILE_MODE, encoding: 'utf8' });
    return file;
  }

  writeJson(relative: string, value: unknown): Promise<string> {
    return this.writeText(relative, `${JSON.stringify(value, null, 2)}\n`);
  }

  /** Creates the workspace directory (0700, whatever the umask) if this is its first file. */
  async ensureExists(): Promise<void> {
    await this.ensureDir(this.dir);
  }

  /** Creates the directory and any missing parents inside the workspace with mode 0700. */
  private async ensureDir(dir: string): Promise<void> {
    // A linked folder (backups/ pointing elsewhere) is refused before anything is created through it.
    if (dir !== this.dir) await checkWorkspacePath(this.dir, dir, 'directory');
    const created = await mkdir(dir, { recursive: true, mode: DIR_MODE });
    if (created === undefined) return;
    // mkdir reports the first directory it made; tighten it and everything below it against the umask.
    let current = dir;
    for (;;) {
      await chmod(current, DIR_MODE);
      if (current === created || current === path.dirname(current)) break;
      current = path.dirname(current);
    }
  }
}

type PhaseRecords = WorkspaceState['phases'];

/** One change of `workspace.json` (see Workspace.updateState). */
export type StateChange =
  | { [K in keyof PhaseRecords]-?: { phase: K; update: (previous: PhaseRecords[K]) => NonNullable<PhaseRecords[K]> } }[keyof PhaseRecords]
  | { identityCenter: (previous: WorkspaceState['identityCenter']) => WorkspaceState['identityCenter'] };

function applyStateChange(state: WorkspaceState, change: StateChange): WorkspaceState {
  if ('identityCenter' in change) return { ...state, identityCenter: change.identityCenter(state.identityCenter) };
  const { phase, update } = change as { phase: keyof PhaseRecords; update: (previous: unknown) => unknown };
  return { ...state, phases: { ...state.phases, [phase]: update(state.phases[phase]) } };
}
