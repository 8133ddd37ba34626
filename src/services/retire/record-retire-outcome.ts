import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { Workspace } from '../../workspace/workspace.js';

/**
 * The users all of whose actions in the run are done or were already done. Action IDs of disable and
 * enable are `<command>/<user>/…`, and IAM user names hold no `/`.
 */
export function usersFullyApplied(execution: ExecutionSummary): string[] {
  const byUser = new Map<string, boolean>();
  for (const action of execution.actions) {
    const user = action.id.split('/')[1];
    if (user === undefined) continue;
    const ok = action.status === 'done' || action.status === 'skipped';
    byUser.set(user, (byUser.get(user) ?? true) && ok);
  }
  return [...byUser].filter(([, ok]) => ok).map(([user]) => user).sort();
}

/** Records in workspace.json who is now disabled (or enabled again), for status and cleanup. */
export async function recordRetireOutcome(
  workspace: Workspace,
  outcome: { users: { userName: string; userId: string }[]; kind: 'disabled' | 'enabled'; now: Date },
): Promise<void> {
  const state = await workspace.readState();
  if (!state) return;
  const at = outcome.now.toISOString();
  const users = { ...(state.phases.disable?.users ?? {}) };
  for (const { userName, userId } of outcome.users) {
    users[userName] = outcome.kind === 'disabled' ? { userId, disabledAt: at, enabledAt: null } : { userId, disabledAt: users[userName]?.disabledAt ?? null, enabledAt: at };
  }
  await workspace.writeState({ ...state, phases: { ...state.phases, disable: { lastRunAt: at, users } } });
}
