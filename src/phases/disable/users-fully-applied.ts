import type { ExecutionSummary } from '../../plan/execute-plan.js';

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
