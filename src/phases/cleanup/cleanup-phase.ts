/**
 * `cleanup` as a phase: the users iam2idc disabled (long enough ago) or those named, read in full,
 * planned with what cannot come back, guarded, and taken apart by the engine with a backup first.
 */
import pMap from 'p-map';
import { say, type IoHost } from '../../io/io-host.js';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import { findLockoutRefusals, type PrincipalFacts } from '../../plan/lockout-guard.js';
import type { Phase, PlanQuestion } from '../../plan/phase.js';
import type { PlanRun } from '../../plan/plan-run.js';
import type { FileTrust } from '../../workspace/file-seals.js';
import { readUserBackup, type UserBackup } from '../../workspace/user-backups.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { RetiredUser } from '../disable/retired-users.js';
import { createCleanupRegistry, type CleanupContext } from './cleanup-handlers.js';
import { cleanupCandidates, DEFAULT_MIN_DISABLED_DAYS, planCleanup, type CleanupDecision } from './plan-cleanup.js';
import { buildPrincipalFacts, isIdentityCenterAdminVerified, type RetireAccount } from '../disable/principal-facts.js';
import { readIamUsers, type IamUsersSnapshot } from '../disable/read-iam-users.js';
import { readUserAttachments, type UserAttachments } from './read-user-attachments.js';
import { usersFullyApplied } from '../disable/users-fully-applied.js';

export const CLEANUP = 'cleanup';
const READ_CONCURRENCY = 4;

export interface CleanupInputs extends RetireAccount {
  io: IoHost;
  workspace: Workspace;
  now: () => Date;
  run: PlanRun | null;
  /** Every user disable had work for, from the journal. */
  retired: RetiredUser[];
  /** What backups already on disk are checked against. */
  trust: FileTrust;
  users: string[] | null;
  minDisabledDays: number;
}

export interface CleanupRead {
  users: Map<string, UserAttachments | null>;
  snapshot: IamUsersSnapshot;
  backups: Map<string, UserBackup>;
}

export interface CleanupResult {
  decisions: CleanupDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  /** Users deleted by this run, every step done. */
  deleted: string[];
}

export function cleanupPhase(inputs: CleanupInputs): Phase<CleanupRead, CleanupDecision, CleanupResult, CleanupContext> {
  // A user iam2idc disabled was chosen then (a machine user only when named): the journal names it now.
  const disabled = inputs.retired.filter((r) => r.state === 'disabled').map((r) => r.userName);
  const guard = (snapshot: IamUsersSnapshot): PrincipalFacts =>
    buildPrincipalFacts({
      snapshot,
      mapping: inputs.mapping,
      callerUserId: inputs.callerUserId,
      explicitlyNamed: [...(inputs.users ?? []), ...disabled],
      identityCenterAdminVerified: isIdentityCenterAdminVerified(inputs.mapping, inputs.state, inputs.inlinePolicyOf, inputs.partition),
    });
  return {
    command: CLEANUP,
    accountId: inputs.accountId,
    checkFingerprints: true,
    questionsFirst: inputs.minDisabledDays < DEFAULT_MIN_DISABLED_DAYS ? [shortWaitQuestion(inputs.minDisabledDays)] : [],
    async read(signal) {
      const names = cleanupCandidates(inputs.retired, inputs.users);
      const progress = inputs.io.startProgress('READ_USERS', `Reading ${names.length} IAM user(s) in full`);
      try {
        const read = await pMap(names, async (name) => [name, await readUserAttachments(inputs.iam, name, signal)] as const, { concurrency: READ_CONCURRENCY });
        // The account-wide inventory, for the guard: who the administrators are now.
        const snapshot = await readIamUsers(inputs.iam, { targets: [], accountId: inputs.accountId, partition: inputs.partition, abortSignal: signal });
        progress.succeed(`Read ${names.length} IAM user(s) in full`);
        const users = new Map(read);
        return { users, snapshot, backups: await readExistingBackups(inputs, users) };
      } catch (error) {
        progress.fail();
        throw error;
      }
    },
    plan({ users, snapshot, backups }) {
      const planned = planCleanup({ retired: inputs.retired, users, explicit: inputs.users, minDisabledDays: inputs.minDisabledDays, now: inputs.now(), backups });
      // The table says what will happen: a user the guard refuses is shown left alone, not deleted.
      const decisions = withGuardExclusions(planned.decisions, findLockoutRefusals(planned.actions, guard(snapshot)));
      return { actions: planned.actions, decisions, questions: [] };
    },
    registry: () => createCleanupRegistry({ iam: inputs.iam, workspace: inputs.workspace, accountId: inputs.accountId, now: inputs.now, trust: inputs.trust, sealer: inputs.run }),
    guard: ({ snapshot }) => guard(snapshot),
    async project({ plan, planFile, execution }) {
      // Who is deleted is the journal's to say (see retired-users.ts): nothing else is recorded.
      const deleted = execution.dryRun ? [] : usersFullyApplied(execution);
      if (deleted.length > 0) {
        const paths = plan.decisions.filter((d) => deleted.includes(d.userName) && d.backup !== null).map((d) => d.backup);
        say.info(inputs.io, 'USERS_DELETED', `Deleted ${deleted.length} IAM user(s), each backed up first: ${paths.join(', ')}.`);
      }
      return { decisions: plan.decisions, planFile, execution, deleted };
    },
  };
}

/** A wait shorter than the default is asked about: it is there to notice who still needs the users. */
function shortWaitQuestion(days: number): PlanQuestion {
  return {
    code: 'CONFIRM_MIN_DISABLED_DAYS',
    message: `Delete users disabled for only ${days} day(s)? The default wait of ${DEFAULT_MIN_DISABLED_DAYS} days is there to notice who still needs them.`,
    onNo: { refuse: { code: 'NOT_CONFIRMED', message: 'Not confirmed: nothing was deleted.', resolution: `Wait until the users have been disabled for ${DEFAULT_MIN_DISABLED_DAYS} days, or answer yes.` } },
  };
}

/** The backups an earlier, interrupted cleanup wrote of these users, each verified (see FileTrust). */
async function readExistingBackups(inputs: CleanupInputs, users: Map<string, UserAttachments | null>): Promise<Map<string, UserBackup>> {
  const found = new Map<string, UserBackup>();
  for (const user of users.values()) {
    if (user === null) continue;
    const backup = await readUserBackup(inputs.workspace, user.user.userName, user.user.userId, inputs.trust);
    if (backup !== null) found.set(user.user.userId, backup);
  }
  return found;
}

function withGuardExclusions(decisions: CleanupDecision[], refusals: ReturnType<typeof findLockoutRefusals>): CleanupDecision[] {
  const reasons = new Map(refusals.map((r) => [r.userName.toLowerCase(), `${r.reason} (${r.code})`]));
  return decisions.map((d) => {
    const reason = d.status === 'planned' ? reasons.get(d.userName.toLowerCase()) : undefined;
    return reason === undefined ? d : { ...d, status: 'excluded', exclusion: { code: 'LOCKOUT_GUARD', message: `the lockout guard refuses it: ${reason}` }, deletes: [], unrecoverable: [] };
  });
}
