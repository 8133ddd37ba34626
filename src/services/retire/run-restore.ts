/** `restore`: deleted users re-created from their backups, as a plan with a preview and a yes/no. */
import type { IAMClient } from '@aws-sdk/client-iam';
import stableStringify from 'safe-stable-stringify';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { PlannedAction } from '../../plan/plan-types.js';
import { runCommandPlan, type PlanRunOptions } from '../../plan/run-command-plan.js';
import type { DisableRecord } from '../../workspace/disable-records.js';
import type { UserBackup } from '../../workspace/user-backups.js';
import { planRestore, restorableActions, type AddedDenyPolicies, type CurrentUser, type RestoreDecision } from './plan-restore.js';
import { usersFullyApplied } from './record-retire-outcome.js';
import { createRestoreRegistry, currentUser } from './restore-handlers.js';

export const RESTORE = 'restore';

export interface RunRestoreOptions extends PlanRunOptions {
  iam: IAMClient;
  accountId: string;
  /** The backups to restore from, each verified against the journal (see FileTrust). */
  backups: UserBackup[];
  /** The workspace's disable records (verified), to leave out the deny policies iam2idc added. */
  records: DisableRecord[];
  showDecisions: (decisions: RestoreDecision[]) => void;
}

export interface RestoreResult {
  decisions: RestoreDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  restored: string[];
}

export async function runRestore(options: RunRestoreOptions): Promise<RestoreResult> {
  const current = new Map<string, CurrentUser>();
  for (const backup of options.backups) current.set(backup.user.userName, await currentUser(options.iam, backup.user.userName, options.interrupts.abortSignal));
  const addedDeny = addedDenyPolicies(options.records);
  const plan = planRestore(options.backups, current, addedDeny);
  options.showDecisions(plan.decisions);
  const { planFile, execution } = await runCommandPlan({
    ...options,
    command: RESTORE,
    accountId: options.accountId,
    registry: createRestoreRegistry({ iam: options.iam }),
    planActions: async () => plan.actions,
    checkSavedActions: (actions) => firstBeyondBackups(actions, restorableActions(options.backups, addedDeny)),
  });
  const restored = execution.dryRun ? [] : usersFullyApplied(execution);
  if (restored.length > 0) {
    const state = await options.workspace.readState();
    if (state?.phases.cleanup) {
      const at = options.now().toISOString();
      const users = { ...state.phases.cleanup.users };
      for (const name of restored) if (users[name]) users[name] = { ...users[name], restoredAt: at };
      await options.workspace.writeState({ ...state, phases: { ...state.phases, cleanup: { ...state.phases.cleanup, users } } });
    }
  }
  return { decisions: plan.decisions, planFile, execution, restored };
}

/** The first saved action that no verified backup gives exactly (same ID, kind and parameters), described; or null. */
function firstBeyondBackups(saved: readonly PlannedAction[], allowed: readonly PlannedAction[]): string | null {
  const byId = new Map(allowed.map((a) => [a.id, a]));
  for (const action of saved) {
    const match = byId.get(action.id);
    if (match === undefined || match.kind !== action.kind || stableStringify(match.params) !== stableStringify(action.params)) {
      return `${action.id} (${action.preview}) is not what the verified backups hold`;
    }
  }
  return null;
}

/** Per UserId, the deny policy any disable episode of that user added. */
function addedDenyPolicies(records: DisableRecord[]): AddedDenyPolicies {
  const added = new Map<string, { inline: string | null; managed: string | null }>();
  for (const record of records) {
    for (const episode of [record, ...record.history]) {
      const entry = added.get(episode.userId) ?? { inline: null, managed: null };
      if (episode.denyPolicy?.kind === 'inline') entry.inline = episode.denyPolicy.policyName;
      if (episode.denyPolicy?.kind === 'managed') entry.managed = episode.denyPolicy.policyArn;
      added.set(episode.userId, entry);
    }
  }
  return added;
}

