import { TARGET_GONE, type ActionRegistry, type PlannedAction } from './plan-types.js';

export interface StaleCheck {
  /** Actions whose target changed since the plan was made, with why. */
  stale: Map<string, string>;
  /** Actions whose target no longer exists: no-ops, which the lockout guard need not judge. */
  gone: Set<string>;
}

/**
 * Re-reads the target of every action of a saved plan and returns those whose state changed since the
 * plan was made (a new key, a user re-created under the same name, a set edited in the console), with
 * why, and those whose target is gone. Dependents of a stale action are refused by the executor too.
 */
export async function findStaleActions<C>(actions: PlannedAction[], registry: ActionRegistry<C>, signal: AbortSignal): Promise<StaleCheck> {
  const stale = new Map<string, string>();
  const gone = new Set<string>();
  const seen = new Map<string, string | null>();
  for (const action of actions) {
    const handler = registry.get(action.kind);
    if (action.fingerprint === null || !handler?.fingerprint) continue;
    // Actions on one target share its fingerprint: read each target once.
    const key = `${action.kind}:${action.target}:${JSON.stringify(action.params)}`;
    const current = seen.has(key) ? (seen.get(key) ?? null) : await handler.fingerprint(action.params, registry.context, signal);
    seen.set(key, current);
    // A target that is gone is not stale: the action's isDone skips it.
    if (current === TARGET_GONE) gone.add(action.id);
    else if (current !== action.fingerprint) stale.set(action.id, `${action.target} changed since the plan was made`);
  }
  return { stale, gone };
}
