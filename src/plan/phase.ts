/**
 * A phase that changes AWS, as data and four steps: `read` what the plan needs, `plan` the actions
 * with the decisions behind them (and any question for the operator), the `registry` of handlers that
 * apply them, and `project` what the run achieved. One runner (run-phase.ts) executes every phase end
 * to end, so that no phase wires the engine by hand.
 */
import type { ExecutionSummary } from './execute-plan.js';
import type { PrincipalFacts } from './lockout-guard.js';
import type { ActionRegistry, PlannedAction } from './plan-types.js';

/**
 * A question the plan puts to the operator once its decisions are shown and before its preview is
 * confirmed: never asked on a dry-run (which shows it), answered yes by `--yes`, and refused without a
 * terminal (see IoHost).
 */
export interface PlanQuestion {
  code: string;
  message: string;
  /**
   * What a "no" does: leave the `actions` out (mark `subject`'s decision with `note`, and say so under
   * `code`), or stop the run with nothing changed.
   */
  onNo: { drop: { subject: string; actions: string[]; note: string; code: string } } | { refuse: { code: string; message: string; resolution: string } };
}

/** A phase's plan: the actions, one decision per target saying what is done to it and why, and the questions. */
export interface PhasePlan<D> {
  actions: PlannedAction[];
  decisions: D[];
  questions: PlanQuestion[];
}

/** What `project` is given: what was read, planned and applied. */
export interface PhaseOutcome<R, D> {
  read: R;
  plan: PhasePlan<D>;
  planFile: string | null;
  execution: ExecutionSummary;
}

export interface Phase<R, D, Result, C = unknown> {
  /** The command whose runs these are; a saved plan is only applied by the same command. */
  command: string;
  /** The account the plan is for (the caller's). */
  accountId: string;
  /** Questions that do not depend on what is read, asked before the first call (a "no" must refuse). */
  questionsFirst?: PlanQuestion[];
  /** Reads the account and the workspace: everything the plan is made from. */
  read(signal: AbortSignal): Promise<R>;
  plan(read: R): PhasePlan<D> | Promise<PhasePlan<D>>;
  /** The decision of a target whose question was answered no, now that it is left out. */
  declined?(decision: D, subject: string, note: string): D;
  registry(read: R): ActionRegistry<C>;
  /** Who the administrators are, for plans that take access away from IAM users (see ExecutePlanOptions.guard). */
  guard?(read: R): PrincipalFacts;
  /** Re-read every pinned target even for a fresh plan (destructive phases); saved plans always are. */
  checkFingerprints?: boolean;
  /** A check of a saved plan's actions that only the phase can make: the first difference, or null. */
  checkSavedActions?(read: R, actions: readonly PlannedAction[]): string | null;
  /** What the run achieved, for its result; records nothing but what its own outputs are. */
  project(outcome: PhaseOutcome<R, D>): Promise<Result>;
}
