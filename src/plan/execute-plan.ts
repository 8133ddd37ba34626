import { Fault, SafetyRefusal } from '../errors.js';
import { say, type IoHost } from '../io/io-host.js';
import { acquireLock } from '../workspace/lock.js';
import type { Workspace } from '../workspace/workspace.js';
import { applyActions, resultOf, type ActionResult, type ActionStatus } from './apply-actions.js';
import type { InterruptController } from './interrupt-controller.js';
import { Journal, newRunId } from './journal.js';
import { describePlan, renderPlanPreview, type PlanPreviewData } from './plan-preview.js';
import { DESTRUCTIVE_RISKS, findDependencyCycle, type ActionRegistry, type Plan, type PlannedAction } from './plan-types.js';
import { findStaleActions } from './find-stale-actions.js';
import { findLockoutRefusals, type PrincipalFacts } from './lockout-guard.js';
import { settleOpenIntents } from './settle-open-intents.js';

export interface ProcessInfo {
  pid: number;
  hostname: string;
  isProcessAlive: (pid: number) => boolean;
}

export interface ExecutePlanOptions<C> {
  plan: Plan;
  registry: ActionRegistry<C>;
  io: IoHost;
  workspace: Workspace;
  interrupts: InterruptController;
  now: () => Date;
  process: ProcessInfo;
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
  plan: PlanPreviewData;
  counts: Record<ActionStatus, number>;
  actions: ActionResult[];
}

/**
 * The one path every mutating command takes: preview, confirm, apply, journal. Dry-run and apply
 * share it up to the confirmation, so what dry-run shows is exactly what apply would do.
 */
export async function executePlan<C>(options: ExecutePlanOptions<C>): Promise<ExecutionSummary> {
  const { plan, io } = options;
  const unknownKinds = [...new Set(plan.actions.map((a) => a.kind).filter((kind) => !options.registry.has(kind)))];
  if (unknownKinds.length > 0) {
    throw new Fault('PLAN_UNKNOWN_ACTION', `The plan has actions this command cannot apply: ${unknownKinds.join(', ')}.`, 'Make the plan again with the same version of iam2idc.');
  }
  const cycle = findDependencyCycle(plan.actions);
  if (cycle) {
    throw new Fault('PLAN_DEPENDENCY_CYCLE', `The plan's actions depend on each other in a circle: ${cycle.join(' → ')}.`, 'This is a bug in iam2idc: please report it.');
  }
  const guarded = withDependents(plan.actions, new Map([...riskRefusals(plan.actions, options.registry), ...guardRefusals(plan.actions, options.guard, new Set())]));
  if (options.dryRun || plan.actions.length === 0) {
    const preview = describePlan(plan.command, plan.accountId, plan.actions, guarded);
    io.show({ data: preview, renderText: (f) => renderPlanPreview(preview, f) });
    if (!options.dryRun) await options.beforeApply?.();
    return summarise(null, options.dryRun, false, preview, plan.actions.map((a) => resultOf(a, 'planned', null)), 0);
  }

  const lock = await acquireLock(options.workspace, { command: plan.command, now: options.now(), ...options.process });
  try {
    const runId = newRunId(options.now());
    const journal = await Journal.open(options.workspace, runId, options.now);
    try {
      await settleOpenIntents({ workspace: options.workspace, journal, registry: options.registry, io, runId, now: options.now });
      const checked = options.checkFingerprints ? await findStaleActions(plan.actions, options.registry, options.interrupts.abortSignal) : { stale: new Map<string, string>(), gone: new Set<string>() };
      // The guard is judged again knowing which targets are gone: their actions are no-ops, not unknown users.
      const gone = withDependents(plan.actions, new Map([...checked.gone].map((id) => [id, 'gone'])));
      const guardedNow = guardRefusals(plan.actions, options.guard, new Set(gone.keys()));
      const refused = withDependents(plan.actions, new Map([...checked.stale, ...riskRefusals(plan.actions, options.registry), ...guardedNow]));
      const preview = describePlan(plan.command, plan.accountId, plan.actions, refused);
      io.show({ data: preview, renderText: (f) => renderPlanPreview(preview, f) });
      await confirmPlan(plan, refused, io);
      await options.beforeApply?.();
      await journal.append({ type: 'run', at: options.now().toISOString(), runId, command: plan.command, event: 'start' });
      const started = options.now().getTime();
      const disarm = options.interrupts.arm();
      const stopListener = options.interrupts.onStopRequested(() =>
        say.warn(io, 'INTERRUPT_REQUESTED', 'Stopping: the calls in flight finish and are recorded. Press Ctrl-C again to abort them now.'),
      );
      let results: ActionResult[];
      try {
        // A spinner while AWS works through the plan: provisioning and assignments can take minutes.
        const total = plan.actions.length;
        const progress = io.startProgress('APPLY_PLAN', `Applying ${total} change(s)…`);
        try {
          results = await applyActions({
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
          progress.succeed(`Applied the plan: ${total} action(s) settled in ${seconds(options.now().getTime() - started)}.`);
        } catch (error) {
          progress.fail();
          throw error;
        }
      } finally {
        stopListener();
        disarm();
      }
      const interrupted = options.interrupts.stopRequested;
      await journal.append({ type: 'run', at: options.now().toISOString(), runId, command: plan.command, event: interrupted ? 'interrupted' : 'end' });
      return summarise(runId, false, interrupted, preview, results, options.now().getTime() - started);
    } finally {
      await journal.close();
    }
  } finally {
    await lock.release();
  }
}

/** Yes/no for plans that add or narrow; the typed account ID for plans that remove anything. */
async function confirmPlan(plan: Plan, refused: Map<string, string>, io: IoHost): Promise<void> {
  const applicable = plan.actions.filter((a) => !refused.has(a.id));
  if (applicable.length === 0) return;
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

/** Actions whose risk is not the one their handler declares (see ActionHandler.risk). */
function riskRefusals<C>(actions: PlannedAction[], registry: ActionRegistry<C>): Map<string, string> {
  const refused = new Map<string, string>();
  for (const action of actions) {
    const declared = registry.get(action.kind)?.risk;
    if (declared !== undefined && declared !== action.risk) refused.set(action.id, `the plan says ${action.risk}, but ${action.kind} is ${declared}: the plan was edited`);
  }
  return refused;
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

/** The guard's refusals, by action ID; refused actions (and what depends on them) are never applied. */
function guardRefusals(actions: PlannedAction[], facts: PrincipalFacts | undefined, gone: ReadonlySet<string>): Map<string, string> {
  const refused = new Map<string, string>();
  // IAM actions on a user carry `params.userName`: one that names another principal (or none) was not
  // made by a planner, and the guard could not judge it, so it is refused outright.
  for (const action of actions) {
    const named = action.service === 'iam' ? (action.params as { userName?: unknown } | null)?.userName : undefined;
    if (named !== undefined && action.principal?.userName !== named) refused.set(action.id, `lockout guard: the action changes user ${String(named)} but names ${action.principal ? `principal ${action.principal.userName}` : 'no principal'}`);
  }
  const touchesPrincipals = actions.some((a) => a.principal !== undefined && a.risk !== 'broadening' && a.risk !== 'read');
  if (!touchesPrincipals) return refused;
  if (facts === undefined) {
    throw new Fault('PLAN_NEEDS_LOCKOUT_GUARD', 'This plan takes access away from IAM users, but the command gave the engine nothing to check a lockout against.', 'This is a bug in iam2idc: please report it.');
  }
  for (const r of findLockoutRefusals(actions.filter((a) => !gone.has(a.id)), facts)) refused.set(r.actionId, `lockout guard: ${r.userName}: ${r.reason} (${r.code})`);
  return refused;
}

function summarise(runId: string | null, dryRun: boolean, interrupted: boolean, plan: PlanPreviewData, actions: ActionResult[], durationMs: number): ExecutionSummary {
  const counts: Record<ActionStatus, number> = { planned: 0, done: 0, skipped: 0, failed: 0, 'not-run': 0, refused: 0, unknown: 0 };
  for (const action of actions) counts[action.status] += 1;
  return { runId, durationMs, dryRun, interrupted, plan, counts, actions };
}

/** The exit code a run ends with: interrupted 130, anything refused 3, anything failed 1. */
export function exitCodeOf(summary: ExecutionSummary): number {
  if (summary.interrupted) return 130;
  if (summary.counts.refused > 0) return 3;
  if (summary.counts.failed > 0 || summary.counts.unknown > 0) return 1;
  return 0;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

