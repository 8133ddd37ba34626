/**
 * `cleanup` from start to end: the users iam2idc disabled (long enough ago) or those named, read in
 * full, planned, previewed with what cannot come back, confirmed by the account ID, then taken apart
 * by the engine with a backup first, and recorded as deleted.
 */
import pMap from 'p-map';
import { SafetyRefusal } from '../../errors.js';
import { say } from '../../io/io-host.js';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import { findLockoutRefusals } from '../../plan/lockout-guard.js';
import { runCommandPlan, type PlanRunOptions } from '../../plan/run-command-plan.js';
import type { DisableRecord } from '../../workspace/disable-records.js';
import type { FileTrust } from '../../workspace/file-seals.js';
import { readUserBackup, type UserBackup } from '../../workspace/user-backups.js';
import { createCleanupRegistry } from './cleanup-handlers.js';
import { cleanupCandidates, DEFAULT_MIN_DISABLED_DAYS, planCleanup, type CleanupDecision } from './plan-cleanup.js';
import { buildPrincipalFacts, isIdentityCenterAdminVerified, type RetireAccount } from './principal-facts.js';
import { readIamUsers } from './read-iam-users.js';
import { readUserAttachments, type UserAttachments } from './read-user-attachments.js';
import { usersFullyApplied } from './record-retire-outcome.js';

export const CLEANUP = 'cleanup';
const READ_CONCURRENCY = 4;

export interface RunCleanupOptions extends PlanRunOptions, RetireAccount {
  /** The workspace's disable records, verified. */
  records: DisableRecord[];
  /** What backups already on disk are checked against. */
  trust: FileTrust;
  users: string[] | null;
  minDisabledDays: number;
  showDecisions: (decisions: CleanupDecision[]) => void;
}

export interface CleanupResult {
  decisions: CleanupDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  /** Users deleted by this run, every step done. */
  deleted: string[];
}

export async function runCleanup(options: RunCleanupOptions): Promise<CleanupResult> {
  const { io } = options;
  if (options.minDisabledDays < DEFAULT_MIN_DISABLED_DAYS && !options.dryRun) {
    const yes = await io.confirm({
      code: 'CONFIRM_MIN_DISABLED_DAYS',
      message: `Delete users disabled for only ${options.minDisabledDays} day(s)? The default wait of ${DEFAULT_MIN_DISABLED_DAYS} days is there to notice who still needs them.`,
      defaultValue: false,
    });
    if (!yes) throw new SafetyRefusal('NOT_CONFIRMED', `Not confirmed: nothing was deleted.`, `Wait until the users have been disabled for ${DEFAULT_MIN_DISABLED_DAYS} days, or answer yes.`);
  }
  const names = cleanupCandidates(options.records, options.users);
  const progress = io.startProgress('READ_USERS', `Reading ${names.length} IAM user(s) in full`);
  let users: Map<string, UserAttachments | null>;
  let snapshot;
  try {
    const read = await pMap(names, async (name) => [name, await readUserAttachments(options.iam, name, options.interrupts.abortSignal)] as const, { concurrency: READ_CONCURRENCY });
    users = new Map(read);
    // The account-wide inventory, for the guard: who the administrators are now.
    snapshot = await readIamUsers(options.iam, { targets: [], accountId: options.accountId, partition: options.partition, abortSignal: options.interrupts.abortSignal });
    progress.succeed(`Read ${names.length} IAM user(s) in full`);
  } catch (error) {
    progress.fail();
    throw error;
  }
  const backups = await readExistingBackups(options, users);
  const planned = planCleanup({ records: options.records, users, explicit: options.users, minDisabledDays: options.minDisabledDays, now: options.now(), backups });
  // A user iam2idc disabled was chosen then (a machine user only when named): the record names it now.
  const disabled = options.records.filter((r) => r.enabledAt === null && r.completedAt !== null).map((r) => r.userName);
  const guard = buildPrincipalFacts({
    snapshot,
    mapping: options.mapping,
    callerUserId: options.callerUserId,
    explicitlyNamed: [...(options.users ?? []), ...disabled],
    identityCenterAdminVerified: isIdentityCenterAdminVerified(options.mapping, options.state, options.inlinePolicyOf, options.partition),
  });
  // The table says what will happen: a user the guard refuses is shown left alone, not deleted.
  const plan = { ...planned, decisions: withGuardExclusions(planned.decisions, findLockoutRefusals(planned.actions, guard)) };
  options.showDecisions(plan.decisions);
  const { planFile, execution } = await runCommandPlan({
    ...options,
    command: CLEANUP,
    accountId: options.accountId,
    registry: createCleanupRegistry({ iam: options.iam, workspace: options.workspace, accountId: options.accountId, now: options.now, trust: options.trust, sealer: options.run }),
    planActions: async () => plan.actions,
    guard,
    checkFingerprints: true,
  });
  const deleted = execution.dryRun ? [] : usersFullyApplied(execution);
  // A user found gone (an earlier run deleted it, then stopped before recording it) is recorded as deleted too.
  const foundGone = execution.dryRun ? [] : plan.decisions.filter((d) => d.status === 'gone').map((d) => d.userName);
  if (deleted.length + foundGone.length > 0) await recordDeleted(options, plan.decisions, [...deleted, ...foundGone]);
  if (!execution.dryRun && deleted.length > 0) {
    const paths = plan.decisions.filter((d) => deleted.includes(d.userName) && d.backup !== null).map((d) => d.backup);
    say.info(io, 'USERS_DELETED', `Deleted ${deleted.length} IAM user(s), each backed up first: ${paths.join(', ')}.`);
  }
  return { decisions: plan.decisions, planFile, execution, deleted };
}

/** The backups an earlier, interrupted cleanup wrote of these users, each verified (see FileTrust). */
async function readExistingBackups(options: RunCleanupOptions, users: Map<string, UserAttachments | null>): Promise<Map<string, UserBackup>> {
  const found = new Map<string, UserBackup>();
  for (const user of users.values()) {
    if (user === null) continue;
    const backup = await readUserBackup(options.workspace, user.user.userName, user.user.userId, options.trust);
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

async function recordDeleted(options: RunCleanupOptions, decisions: CleanupDecision[], deleted: string[]): Promise<void> {
  const state = await options.workspace.readState();
  if (!state) return;
  const at = options.now().toISOString();
  const users = { ...(state.phases.cleanup?.users ?? {}) };
  for (const name of deleted) {
    // Already recorded (and not restored since): keep the first record.
    if (users[name] !== undefined && users[name]?.restoredAt === null) continue;
    const decision = decisions.find((d) => d.userName === name);
    users[name] = { userId: decision?.userId ?? '', deletedAt: at, backup: decision?.backup ?? null, restoredAt: null };
  }
  await options.workspace.writeState({ ...state, phases: { ...state.phases, cleanup: { lastRunAt: at, users } } });
}
