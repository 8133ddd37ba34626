/**
 * Plans are data: a versioned list of typed actions that can be shown, saved to a file, checked
 * against the account again, and applied by the one executor. What an action does lives in its
 * handler, looked up by `kind`, so a saved plan holds no code.
 */

import type { z } from 'zod';

/** 2: a saved plan carries the digest of its content. */
export const PLAN_VERSION = 2;

/**
 * How an action changes access. `broadening` grants something new, `narrowing` takes something
 * away, `destructive` removes a thing that can be recreated, `irreversible` removes what cannot.
 */
export type Risk = 'read' | 'broadening' | 'narrowing' | 'destructive' | 'irreversible';

/** Risks that need the account ID typed (or `--yes --confirm-account <id>`). */
export const DESTRUCTIVE_RISKS: ReadonlySet<Risk> = new Set(['destructive', 'irreversible']);

/** The IAM principal an action touches, for the lockout guard. */
export interface ActionPrincipal {
  userName: string;
  userId: string | null;
}

/** One step of a plan, as saved in a plan file. `params` is plain JSON and holds no secret. */
export interface PlannedAction<P = unknown> {
  /** Unique within the plan and stable across runs, e.g. `ps/Developers/attach-managed/ReadOnlyAccess`. */
  id: string;
  /** The handler that applies it, e.g. `sso.AttachManagedPolicyToPermissionSet`. */
  kind: string;
  /** The service whose concurrency limit applies (`sso-admin`, `iam`, `identitystore`). */
  service: string;
  /** What it acts on, for people: `permission set Developers`. */
  target: string;
  risk: Risk;
  /** One line for the preview table. */
  preview: string;
  params: P;
  /** Actions that must succeed first; when one fails, this one is skipped. */
  dependsOn: string[];
  /**
   * The state of the target when the plan was made. Applying a saved plan recomputes it and refuses
   * the action when it differs (the account changed since).
   */
  fingerprint: string | null;
  principal?: ActionPrincipal;
}

export interface Plan {
  version: typeof PLAN_VERSION;
  /** The command that made it; a plan is only applied by the same command. */
  command: string;
  accountId: string;
  createdAt: string;
  actions: PlannedAction[];
}

/** What a handler's `apply` reports back, for the journal. */
export interface ApplyOutcome {
  requestId: string | null;
  /** A short note for the summary, e.g. the ARN created. */
  detail?: string;
}

/**
 * What an action means, derived from its kind and parameters alone: the lane it runs in, how it
 * changes access, and the IAM user it changes. A saved plan states these too, for people; the
 * engine refuses a plan whose statement differs from what its kinds say (see `verifyPlan`).
 */
export interface ActionMeaning {
  service: string;
  risk: Risk;
  principal: ActionPrincipal | null;
}

/**
 * The part of a handler that needs no AWS client: what its actions are and what their parameters
 * look like. Commands check a saved plan against these before the first AWS call.
 */
export interface ActionKind<P = unknown> {
  kind: string;
  /** The shape of the parameters; a saved plan's are parsed with it before anything runs. */
  params?: z.ZodType<P>;
  /** The lane whose concurrency limit applies (`iam`, `sso-admin`, `identitystore`, `workspace`). */
  service?: string;
  /** The lane, where the parameters decide it. */
  serviceOf?(params: P): string;
  /** The risk every action of the kind carries. */
  risk?: Risk;
  /** The risk, where the parameters decide it (an inline policy that grants more or less than the one it replaces). */
  riskOf?(params: P): Risk;
  /** The IAM user the action changes, for the lockout guard; absent for kinds that change none. */
  principalOf?(params: P): ActionPrincipal | null;
  /**
   * `takes`: the kind backs its principal up (cleanup's backup). `needs`: it deletes part of its
   * principal, so the plan must back that user up first, or a verified backup must be on disk.
   */
  backup?: 'takes' | 'needs';
}

/**
 * The behaviour of one kind of action. Handlers are idempotent: `isDone` re-reads AWS so that a
 * re-run (or the settling of an interrupted one) never repeats a side effect.
 */
export interface ActionHandler<P = unknown, C = unknown> extends ActionKind<P> {
  isDone(params: P, context: C, signal: AbortSignal): Promise<boolean>;
  apply(params: P, context: C, signal: AbortSignal): Promise<ApplyOutcome>;
  /** The target's current fingerprint, compared with the plan's to detect a stale plan. */
  fingerprint?(params: P, context: C, signal: AbortSignal): Promise<string | null>;
  /** The action that undoes this one, where there is one (used by enable and restore). */
  inverse?(action: PlannedAction<P>): PlannedAction | null;
}

/** What the given kinds mean, by kind, for checking a saved plan before a registry (and its AWS clients) exists. */
export function kindMap(kinds: readonly ActionKind[]): ReadonlyMap<string, ActionKind> {
  return new Map(kinds.map((k) => [k.kind, k]));
}

/**
 * What a handler's `fingerprint` answers when its target no longer exists and the action is therefore
 * a no-op (a user already deleted): not stale, since there is nothing left to protect.
 */
export const TARGET_GONE = 'target-gone';

/** Looks handlers up by kind; one registry per command, holding the context its handlers share. */
export class ActionRegistry<C = unknown> {
  private readonly handlers = new Map<string, ActionHandler<unknown, C>>();

  constructor(readonly context: C) {}

  register<P>(handler: ActionHandler<P, C>): this {
    this.handlers.set(handler.kind, handler as ActionHandler<unknown, C>);
    return this;
  }

  registerAll(handlers: readonly ActionHandler<unknown, C>[]): this {
    for (const handler of handlers) this.register(handler);
    return this;
  }

  get(kind: string): ActionHandler<unknown, C> | undefined {
    return this.handlers.get(kind);
  }

  has(kind: string): boolean {
    return this.handlers.has(kind);
  }

  /** What each registered kind means, without the context: for checking a plan. */
  kinds(): ReadonlyMap<string, ActionKind> {
    return this.handlers as ReadonlyMap<string, ActionKind>;
  }

  /**
   * Adds another registry's handlers, each bound to that registry's own context, so that one plan
   * can mix the actions of several domains (identity store users and account assignments, say).
   */
  include<S>(other: ActionRegistry<S>): this {
    const context = other.context;
    for (const [kind, handler] of other.handlers) {
      const bound: ActionHandler<unknown, C> = {
        ...(handler as ActionKind<unknown>),
        isDone: (params, _context, signal) => handler.isDone(params, context, signal),
        apply: (params, _context, signal) => handler.apply(params, context, signal),
        fingerprint: handler.fingerprint ? (params, _context, signal) => handler.fingerprint!(params, context, signal) : undefined,
        inverse: handler.inverse,
      };
      this.handlers.set(kind, bound);
    }
    return this;
  }
}

/**
 * The ids of a dependency cycle, first id repeated at the end (`a → b → a`), or null when there is
 * none. A plan with a cycle can never be applied: each action of it waits for another. Dependencies
 * on ids outside the plan are ignored here.
 */
export function findDependencyCycle(actions: readonly PlannedAction[]): string[] | null {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const state = new Map<string, 'visiting' | 'visited'>();
  for (const root of actions) {
    if (state.has(root.id)) continue;
    // Depth-first without recursion, so that a long chain cannot overflow the stack.
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const dependsOn = byId.get(top.id)?.dependsOn ?? [];
      if (top.next >= dependsOn.length) {
        state.set(top.id, 'visited');
        stack.pop();
        continue;
      }
      const dependency = dependsOn[top.next] as string;
      top.next += 1;
      if (!byId.has(dependency)) continue;
      const seen = state.get(dependency);
      if (seen === 'visiting') {
        const ids = stack.map((s) => s.id);
        return [...ids.slice(ids.indexOf(dependency)), dependency];
      }
      if (seen === undefined) {
        state.set(dependency, 'visiting');
        stack.push({ id: dependency, next: 0 });
      }
    }
  }
  return null;
}
