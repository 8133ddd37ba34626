import { Fault, SafetyRefusal } from '../errors.js';
import { say, type IoHost } from '../io/io-host.js';
import type { Workspace } from '../workspace/workspace.js';
import { applyActions, resultOf, type ActionResult, type ActionStatus } from './apply-actions.js';
import type { InterruptController } from './interrupt-controller.js';
import { describePlan, renderPlanPreview, type PlanPreviewData } from './plan-preview.js';
import type { PlanRun } from './plan-run.js';
import { DESTRUCTIVE_RISKS, findDependencyCycle, type ActionRegistry, type Plan, type PlannedAction } from './plan-types.js';
import { findStaleActions } from './find-stale-actions.js';
import { findLockoutRefusals, type PrincipalFacts } from './lockout-guard.js';
import { settleOpenIntents } from './settle-open-intents.js';
import { verifyPlan, type PlanSource } from './verify-plan.js';

export interface ProcessInfo {
  pid: number;
  hostname: string;
  isProcessAlive: (pid: number) => boolean;
}

export interface ExecutePlanOptions<C> {
  plan: Plan;
  /** A saved plan (`--plan`) is refused whole when it was edited; a fresh one that disagrees with its kinds is a bug. */
  source?: PlanSource;
  registry: ActionRegistry<C>;
  io: IoHost;
  workspace: Workspace;
  /** The run holding the workspace (its lock and journal); null only for a dry-run, which changes nothing. */
  run: PlanRun | null;
  interrupts: InterruptController;
  now: () => Date;
  /** `--dry-run`: show the plan and stop, with no mutating call and nothing written. */
  dryRun: boolean;
  /** A saved plan (`--plan`): every action's target is re-read and refused when it changed since. */
  checkFingerprints: boolean;
  concurrency?: Record<string, number>;
  /**
   * What the lockout guard knows about the account's IAM users, read fresh by the command. A plan with
   * actions that take access away from an IAM principal cannot run without it: the guard is the
   * engine's, not the command's, so no flag and no saved plan can skip it.
   */
  guard?: PrincipalFacts;
  /**
   * Runs once the plan is confirmed (or has nothing to confirm), before the first change, and never
   * on a dry-run: for local files that must change only when AWS does.
   */
  beforeApply?: () => Promise<void>;
}

export interface ExecutionSummary {
  runId: string | null;
  /** How long applying took (0 for a dry-run). */
  durationMs: number;
  dryRun: boolean;
  interrupted: boolean;
  /** Why the run stopped before its end, other than Ctrl-C: the credentials expired (exit 4), or a refusal every later action would meet (RunStop). */
  stopped: { code: string; message: string; exitCode: number } | null;
  plan: PlanPreviewData;
  counts: Record<ActionStatus, number>;
  actions: ActionResult[];
}

/**
 * The one path every mutating command takes: preview, confirm, apply, journal. Dry-run and apply
 * share it up to the confirmation, so what dry-run shows is exactly what apply would do.
 */
export async function executePlan<C>(options: ExecutePlanOptions<C>): Promise<ExecutionSummary> {
  const { io } = options;
  // Whole before anything: every action is what its kind says, or nothing of the plan runs.
  const actions = verifyPlan(options.plan.actions, options.registry.kinds(), { source: options.source ?? { saved: false } });
  const plan: Plan = { ...options.plan, actions };
  const cycle = findDependencyCycle(plan.actions);
  if (cycle) {
    throw new Fault('PLAN_DEPENDENCY_CYCLE', `The plan's actions depend on each other in a circle: ${cycle.join(' → ')}.`, 'This is a bug in iam2idc: please report it.');
  }
  const guarded = withDependents(plan.actions, guardRefusals(plan.actions, options.guard, new Set()));
  if (options.dryRun || plan.actions.length === 0) {
    const preview = describePlan(plan.command, plan.accountId, plan.actions, guarded);
    io.show({ data: preview, renderText: (f) => renderPlanPreview(preview, f) });
    if (!options.dryRun) await options.beforeApply?.();
    return summarise(null, options.dryRun, false, null, preview, plan.actions.map((a) => resultOf(a, 'planned', null)), 0);
  }
  const run = options.run;
  if (run === null) throw new Fault('PLAN_RUN_MISSING', 'A plan was applied without holding the workspace.', 'This is a bug in iam2idc: please report it.');
  const { journal, runId } = run;
  await settleOpenIntents({ workspace: options.workspace, journal, registry: options.registry, io, runId, now: options.now });
  const checked = options.checkFingerprints ? await findStaleActions(plan.actions, options.registry, options.interrupts.abortSignal) : { stale: new Map<string, string>(), gone: new Set<string>() };
  // The guard is judged again knowing which targets are gone: their actions are no-ops, not unknown users.
  const gone = withDependents(plan.actions, new Map([...checked.gone].map((id) => [id, 'gone'])));
  const guardedNow = guardRefusals(plan.actions, options.guard, new Set(gone.keys()));
  const refused = withDependents(plan.actions, new Map([...checked.stale, ...guardedNow]));
  const preview = describePlan(plan.command, plan.accountId, plan.actions, refused);
  io.show({ data: preview, renderText: (f) => renderPlanPreview(preview, f) });
  await confirmPlan(plan, refused, io);
  await options.beforeApply?.();
  await journal.append({ type: 'run', at: options.now().toISOString(), runId, command: plan.command, event: 'start' });
  const toApply = plan.actions.filter((a) => !refused.has(a.id)).map((a) => ({ id: a.id, kind: a.kind, target: a.target, ...(a.principal ? { principal: a.principal } : {}) }));
  await journal.append({ type: 'plan', runId, command: plan.command, actions: toApply });
  const started = options.now().getTime();
  const disarm = options.interrupts.arm();
  const stopListener = options.interrupts.onStopRequested(() =>
    say.warn(io, 'INTERRUPT_REQUESTED', 'Stopping: the calls in flight finish and are recorded. Press Ctrl-C again to abort them now.'),
  );
  let applied: Awaited<ReturnType<typeof applyActions>>;
  try {
    // A spinner while AWS works through the plan: provisioning and assignments can take minutes.
    const total = plan.actions.length;
    const progress = io.startProgress('APPLY_PLAN', `Applying ${total} change(s)…`);
    try {
      applied = await applyActions({
        actions: plan.actions,
        registry: options.registry,
        journal,
        runId,
        interrupts: options.interrupts,
        now: options.now,
        concurrency: options.concurrency,
        refused,
        onProgress: (settled) => progress.update(`Applying changes: ${settled} of ${total} settled…`),
      });
      if (applied.stopped) progress.fail();
      else progress.succeed(`Applied the plan: ${total} action(s) settled in ${seconds(options.now().getTime() - started)}.`);
    } catch (error) {
      progress.fail();
      throw error;
    }
  } finally {
    stopListener();
    disarm();
  }
  const interrupted = options.interrupts.stopRequested;
  const event = interrupted ? 'interrupted' : applied.stopped ? 'stopped' : 'end';
  await journal.append({ type: 'run', at: options.now().toISOString(), runId, command: plan.command, event });
  if (applied.stopped) {
    say.warn(io, 'RUN_STOPPED', `${applied.stopped.message} The run stopped there: the journal records what was done, and \`iam2idc ${plan.command}\` run again resumes the rest.`);
  }
  return summarise(runId, false, interrupted, applied.stopped, preview, applied.results, options.now().getTime() - started);
}

/** Yes/no for plans that add or narrow; the typed account ID for plans that remove anything. */
async function confirmPlan(plan: Plan, refused: Map<string, string>, io: IoHost): Promise<void> {
  const applicable = plan.actions.filter((a) => !refused.has(a.id));
  // Work that changes nothing in the account (an analysis job) needs no consent beyond the command itself.
  if (applicable.every((a) => a.risk === 'read')) return;
  const destructive = applicable.some(needsTypedConfirmation);
  const removes = applicable.some((a) => DESTRUCTIVE_RISKS.has(a.risk));
  const confirmed = destructive
    ? await io.confirmTyped({
        code: 'CONFIRM_DESTRUCTIVE_PLAN',
        message: `This ${removes ? 'removes things' : 'switches access off'} in account ${plan.accountId}. Type the account ID to go on:`,
        expected: plan.accountId,
      })
    : await io.confirm({ code: 'CONFIRM_PLAN', message: `Apply ${applicable.length} change(s) to account ${plan.accountId}?`, defaultValue: false });
  if (!confirmed) {
    throw new SafetyRefusal('NOT_CONFIRMED', 'Not confirmed: nothing was changed.', destructive ? `Type the account ID exactly (${plan.accountId}) to apply the plan.` : 'Answer yes to apply the plan, or use --dry-run to only see it.');
  }
}

/**
 * Removing something, or switching an IAM principal's access off (a deny policy, a deactivated key),
 * is confirmed by typing the account ID: both can lock people or systems out.
 */
function needsTypedConfirmation(action: PlannedAction): boolean {
  return DESTRUCTIVE_RISKS.has(action.risk) || (action.risk === 'narrowing' && action.principal !== undefined);
}

/** The refusals, plus every action that depends on a refused one (directly or not), so the preview shows all of them. */
function withDependents(actions: PlannedAction[], refused: Map<string, string>): Map<string, string> {
  const result = new Map(refused);
  let grew = true;
  while (grew) {
    grew = false;
    for (const action of actions) {
      if (result.has(action.id)) continue;
      const blocker = action.dependsOn.find((id) => result.has(id));
      if (blocker !== undefined) {
        result.set(action.id, `depends on ${blocker}, which is refused`);
        grew = true;
      }
    }
  }
  return result;
}

/**
 * The guard's refusals, by action ID. It judges every action that names a principal (the kind names
 * it, from the parameters). When it refuses one action on a user, every action of the plan on that
 * user is refused too: a backup, say, is no use for a user who is never deleted.
 */
function guardRefusals(actions: PlannedAction[], facts: PrincipalFacts | undefined, gone: ReadonlySet<string>): Map<string, string> {
  const refused = new Map<string, string>();
  const touchesPrincipals = actions.some((a) => a.principal !== undefined && a.risk !== 'broadening' && a.risk !== 'read');
  if (!touchesPrincipals) return refused;
  if (facts === undefined) {
    throw new Fault('PLAN_NEEDS_LOCKOUT_GUARD', 'This plan takes access away from IAM users, but the command gave the engine nothing to check a lockout against.', 'This is a bug in iam2idc: please report it.');
  }
  const refusedUsers = new Map<string, string>();
  for (const r of findLockoutRefusals(actions.filter((a) => !gone.has(a.id)), facts)) {
    const reason = `lockout guard: ${r.userName}: ${r.reason} (${r.code})`;
    refused.set(r.actionId, reason);
    if (!refusedUsers.has(r.userName.toLowerCase())) refusedUsers.set(r.userName.toLowerCase(), reason);
  }
  for (const action of actions) {
    const reason = action.principal ? refusedUsers.get(action.principal.userName.toLowerCase()) : undefined;
    if (reason !== undefined && !refused.has(action.id)) refused.set(action.id, reason);
  }
  return refused;
}

function summarise(runId: string | null, dryRun: boolean, interrupted: boolean, stopped: ExecutionSummary['stopped'], plan: PlanPreviewData, actions: ActionResult[], durationMs: number): ExecutionSummary {
  const counts: Record<ActionStatus, number> = { planned: 0, done: 0, skipped: 0, failed: 0, 'not-run': 0, refused: 0, unknown: 0 };
  for (const action of actions) counts[action.status] += 1;
  return { runId, durationMs, dryRun, interrupted, stopped, plan, counts, actions };
}

/** The exit code a run ends with: interrupted 130, stopped by expired credentials 4, anything refused 3, anything failed 1. */
export function exitCodeOf(summary: ExecutionSummary): number {
  if (summary.interrupted) return 130;
  if (summary.stopped) return summary.stopped.exitCode;
  if (summary.counts.refused > 0) return 3;
  if (summary.counts.failed > 0 || summary.counts.unknown > 0) return 1;
  return 0;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

