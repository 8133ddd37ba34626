import { SafetyRefusal } from '../errors.js';
import { say } from '../io/io-host.js';
import type { TextFormat } from '../io/io-host.js';
import type { Phase, PhasePlan } from './phase.js';
import { runCommandPlan, type PlanRunOptions } from './run-command-plan.js';

export interface RunPhaseOptions<D> extends PlanRunOptions {
  /** How the decisions look on a terminal; shown before the plan's preview (data in JSON mode). */
  renderDecisions?: (decisions: D[], format: TextFormat) => string;
}

/**
 * Runs a phase end to end: read, plan, its decisions shown and its questions asked, then the engine
 * (preview, confirmation, lockout guard, journal), and what the run achieved projected from it.
 */
export async function runPhase<R, D, Result, C>(phase: Phase<R, D, Result, C>, options: RunPhaseOptions<D>): Promise<Result> {
  await askPlanQuestions(phase, { actions: [], decisions: [], questions: phase.questionsFirst ?? [] }, options);
  const read = await phase.read(options.interrupts.abortSignal);
  const planned = await phase.plan(read);
  // The decisions first, so that every question is answered knowing them.
  const { renderDecisions } = options;
  if (renderDecisions && planned.decisions.length > 0) options.io.show({ data: planned.decisions, renderText: (f) => renderDecisions(planned.decisions, f) });
  const plan = await askPlanQuestions(phase, planned, options);
  const { planFile, execution } = await runCommandPlan({
    ...options,
    command: phase.command,
    accountId: phase.accountId,
    registry: phase.registry(read),
    planActions: async () => plan.actions,
    guard: phase.guard?.(read),
    checkFingerprints: phase.checkFingerprints,
    checkSavedActions: phase.checkSavedActions ? (actions) => phase.checkSavedActions!(read, actions) : undefined,
  });
  return phase.project({ read, plan, planFile, execution });
}

/**
 * Each question of the plan, asked once (a dry-run asks none: it shows the plan as it would be with
 * every answer yes). A "no" leaves its actions out and marks its decision, or stops the run.
 */
async function askPlanQuestions<R, D, Result, C>(phase: Phase<R, D, Result, C>, plan: PhasePlan<D>, options: RunPhaseOptions<D>): Promise<PhasePlan<D>> {
  if (options.dryRun || plan.questions.length === 0) return plan;
  const dropped = new Set<string>();
  let decisions = plan.decisions;
  for (const question of plan.questions) {
    const yes = await options.io.confirm({ code: question.code, message: question.message, defaultValue: false });
    if (yes) continue;
    if ('refuse' in question.onNo) {
      const { code, message, resolution } = question.onNo.refuse;
      throw new SafetyRefusal(code, message, resolution);
    }
    const { subject, actions, note, code } = question.onNo.drop;
    for (const id of actions) dropped.add(id);
    if (phase.declined) decisions = decisions.map((d) => phase.declined!(d, subject, note));
    say.info(options.io, code, `${subject} is left out.`);
  }
  return { actions: plan.actions.filter((a) => !dropped.has(a.id)), decisions, questions: plan.questions };
}
