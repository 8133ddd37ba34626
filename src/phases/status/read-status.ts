/** `status`: the phase checklist and the per-user progress, from the workspace and the credential report. */
import type { IAMClient } from '@aws-sdk/client-iam';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import type { IoHost } from '../../io/io-host.js';
import { readJournalFold } from '../../plan/journal-index.js';
import { findUnfinishedRuns, type UnfinishedRun } from '../../plan/unfinished-runs.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { fetchCredentialReport } from '../audit/fetch-credential-report.js';
import { retiredUsersOf } from '../disable/retired-users.js';
import type { AuditSnapshot, CredentialReportRow } from '../../model/inventory.js';
import { buildPhaseChecklist, type PhaseChecklist } from './phase-checklist.js';
import { buildUserProgress, everyoneMigrated, type UserProgress } from './user-progress.js';

export interface StatusResult {
  accountId: string;
  workspace: string;
  checklist: PhaseChecklist;
  users: UserProgress[];
  /** What could not be read, with the permission that would read it. */
  gaps: string[];
  /** Every person migrated (protected ones aside): access verified, and the IAM user disabled or deleted. */
  allMigrated: boolean;
  /** Runs that did not finish their plan, from the journal: each is finished by running its command again. */
  unfinished: UnfinishedRun[];
  /** Why mapping.yaml cannot be used, when it is there but not valid. */
  mappingProblem: string | null;
}

export interface ReadStatusOptions {
  iam: IAMClient;
  workspace: Workspace;
  state: WorkspaceState;
  mapping: Mapping | null;
  /** Why mapping.yaml cannot be used, when it is there but not valid (then `mapping` is null). */
  mappingProblem?: string | null;
  snapshot: AuditSnapshot | null;
  io: IoHost;
  now: () => Date;
}

export async function readStatus(options: ReadStatusOptions): Promise<StatusResult> {
  const gaps: string[] = [];
  const progress = options.io.startProgress('READ_CREDENTIAL_REPORT', 'Reading the credential report');
  let report: CredentialReportRow[] | null = null;
  try {
    report = (await fetchCredentialReport(options.iam, { now: options.now })).rows;
    progress.succeed('Read the credential report');
  } catch (error) {
    progress.fail();
    if (isCredentialError(error) || !(error instanceof Error) || !('$metadata' in error || isAccessDenied(error))) throw error;
    gaps.push(`the credential report could not be read (${error.name}): the last use of the old credentials and who still exists come from the workspace only (needs iam:GenerateCredentialReport, iam:GetCredentialReport)`);
  }
  // Who is disabled, deleted or restored, and which runs did not finish, are the journal's to say.
  const retired = retiredUsersOf(await readJournalFold(options.workspace));
  const users = buildUserProgress({ mapping: options.mapping, snapshot: options.snapshot, state: options.state, retired, report });
  const unfinished = await findUnfinishedRuns(options.workspace);
  const mappingProblem = options.mappingProblem ?? null;
  return {
    accountId: options.state.accountId,
    workspace: options.workspace.dir,
    checklist: buildPhaseChecklist({ state: options.state, mapping: options.mapping, mappingProblem, users, unfinished, now: options.now() }),
    users,
    gaps,
    allMigrated: everyoneMigrated(users),
    unfinished,
    mappingProblem,
  };
}
