/** `restore` as a phase: deleted users re-created from their verified backups, with a preview and a yes/no. */
import type { IAMClient } from '@aws-sdk/client-iam';
import stableStringify from 'safe-stable-stringify';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { Phase } from '../../plan/phase.js';
import type { PlannedAction } from '../../plan/plan-types.js';
import type { DisableRecord } from '../../workspace/disable-records.js';
import type { UserBackup } from '../../workspace/user-backups.js';
import type { Workspace } from '../../workspace/workspace.js';
import { planRestore, restorableActions, type AddedDenyPolicies, type CurrentUser, type RestoreDecision } from './plan-restore.js';
import { usersFullyApplied } from './record-retire-outcome.js';
import { createRestoreRegistry, currentUser, type RestoreContext } from './restore-handlers.js';

export const RESTORE = 'restore';

export interface RestoreInputs {
  iam: IAMClient;
  accountId: string;
  workspace: Workspace;
  now: () => Date;
  /** The backups to restore from, each verified against the journal (see FileTrust). */
  backups: UserBackup[];
  /** The workspace's disable records (verified), to leave out the deny policies iam2idc added. */
  records: DisableRecord[];
}

export interface RestoreResult {
  decisions: RestoreDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  restored: string[];
}

export function restorePhase(inputs: RestoreInputs): Phase<Map<string, CurrentUser>, RestoreDecision, RestoreResult, RestoreContext> {
  const addedDeny = addedDenyPolicies(inputs.records);
  return {
    command: RESTORE,
    accountId: inputs.accountId,
    async read(signal) {
      const current = new Map<string, CurrentUser>();
      for (const backup of inputs.backups) current.set(backup.user.userName, await currentUser(inputs.iam, backup.user.userName, signal));
      return current;
    },
    plan: (current) => ({ ...planRestore(inputs.backups, current, addedDeny), questions: [] }),
    registry: () => createRestoreRegistry({ iam: inputs.iam }),
    checkSavedActions: (_current, actions) => firstBeyondBackups(actions, restorableActions(inputs.backups, addedDeny)),
    async project({ plan, planFile, execution }) {
      const restored = execution.dryRun ? [] : usersFullyApplied(execution);
      if (restored.length > 0) await recordRestored(inputs, restored);
      return { decisions: plan.decisions, planFile, execution, restored };
    },
  };
}

async function recordRestored(inputs: RestoreInputs, restored: string[]): Promise<void> {
  const state = await inputs.workspace.readState();
  if (!state?.phases.cleanup) return;
  const at = inputs.now().toISOString();
  const users = { ...state.phases.cleanup.users };
  for (const name of restored) if (users[name]) users[name] = { ...users[name], restoredAt: at };
  await inputs.workspace.writeState({ ...state, phases: { ...state.phases, cleanup: { ...state.phases.cleanup, users } } });
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
