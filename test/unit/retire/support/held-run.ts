/**
 * Retire services run the way their commands run them: holding the workspace (its lock and journal,
 * nothing on a dry-run), with the sealed files they read checked against the journal.
 */
import { InterruptController } from '../../../../src/plan/interrupt-controller.js';
import { Journal } from '../../../../src/plan/journal.js';
import { readFileTrust, withPlanRun, type PlanRun } from '../../../../src/plan/plan-run.js';
import type { FileSealer, FileTrust } from '../../../../src/workspace/file-seals.js';
import type { Workspace } from '../../../../src/workspace/workspace.js';
import { NOW, PROCESS } from '../../plan/support/plan-harness.js';
import { ACCOUNT_ID } from '../../support/builders.js';

export interface Held {
  run: PlanRun | null;
  trust: FileTrust;
}

/** Runs `body` holding the workspace, as `withCommandRun` does for a command. */
export function holding<T>(workspace: Workspace, command: string, dryRun: boolean, body: (held: Held) => Promise<T>): Promise<T> {
  return withPlanRun({ workspace, command, now: () => NOW, process: PROCESS, interrupts: new InterruptController(), dryRun }, async (run) => body({ run, trust: run ? await run.fileTrust(ACCOUNT_ID) : await trustOf(workspace) }));
}

/** What the workspace's sealed files are checked against now. */
export function trustOf(workspace: Workspace): Promise<FileTrust> {
  return readFileTrust(workspace, ACCOUNT_ID);
}

/** Writes sealed files the way a run does (the journal records each digest first), e.g. to set up a test. */
export function sealing(workspace: Workspace, write: (run: PlanRun) => Promise<void>): Promise<void> {
  return withPlanRun({ workspace, command: 'test-setup', now: () => NOW, process: PROCESS, interrupts: new InterruptController(), dryRun: false }, async (run) => write(run as PlanRun));
}

/**
 * A sealer for handler tests, which run outside a command: each seal goes to the journal (so a later
 * read checks out) and is remembered, as a run remembers what it sealed.
 */
export function journalSealer(workspace: Workspace, remember: (relativePath: string, sha256: string) => void): FileSealer {
  return {
    async seal(relativePath, sha256, subject) {
      const journal = await Journal.open(workspace, 'test-sealer', () => NOW);
      try {
        await journal.append({ type: 'seal', path: relativePath, sha256, ...subject });
      } finally {
        await journal.close();
      }
      remember(relativePath, sha256);
    },
  };
}
