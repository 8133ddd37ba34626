/** `restore` as a phase: deleted users re-created from their verified backups, with a preview and a yes/no. */
import type { IAMClient } from '@aws-sdk/client-iam';
import stableStringify from 'safe-stable-stringify';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { Phase } from '../../plan/phase.js';
import type { PlannedAction } from '../../plan/plan-types.js';
import type { UserBackup } from '../../workspace/user-backups.js';
import { planRestore, restorableActions, type AddedDenyPolicies, type CurrentUser, type RestoreDecision } from './plan-restore.js';
import { usersFullyApplied } from '../disable/users-fully-applied.js';
import { createRestoreRegistry, currentUser, type RestoreContext } from './restore-handlers.js';
import { RETIRE_KIND } from '../disable/retire-handlers.js';
import type { RetiredUser } from '../disable/retired-users.js';

export const RESTORE = 'restore';

export interface RestoreInputs {
  iam: IAMClient;
  accountId: string;
  /** The backups to restore from, each verified against the journal (see FileTrust). */
  backups: UserBackup[];
  /** The users disable changed, from the journal, to leave out the deny policies it added. */
  retired: RetiredUser[];
}

export interface RestoreResult {
  decisions: RestoreDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  restored: string[];
}

export function restorePhase(inputs: RestoreInputs): Phase<Map<string, CurrentUser>, RestoreDecision, RestoreResult, RestoreContext> {
  const addedDeny = addedDenyPolicies(inputs.retired);
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
      // Who is restored is the journal's to say (see retired-users.ts): nothing else is recorded.
      const restored = execution.dryRun ? [] : usersFullyApplied(execution);
      return { decisions: plan.decisions, planFile, execution, restored };
    },
  };
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

/** Per UserId, the deny policy disable added (the inline deny-all, or the managed one it attached instead). */
function addedDenyPolicies(retired: readonly RetiredUser[]): AddedDenyPolicies {
  const added = new Map<string, { inline: string | null; managed: string | null }>();
  for (const user of retired) {
    const entry = added.get(user.userId) ?? { inline: null, managed: null };
    for (const change of user.changes) {
      const params = change.params as { policyName?: unknown; policyArn?: unknown; fallbackPolicyArn?: unknown };
      if (change.kind === RETIRE_KIND.putDenyPolicy && typeof params.policyName === 'string') entry.inline = params.policyName;
      if (change.kind === RETIRE_KIND.putDenyPolicy && typeof params.fallbackPolicyArn === 'string') entry.managed = params.fallbackPolicyArn;
      if (change.kind === RETIRE_KIND.attachDenyPolicy && typeof params.policyArn === 'string') entry.managed = params.policyArn;
    }
    added.set(user.userId, entry);
  }
  return added;
}
