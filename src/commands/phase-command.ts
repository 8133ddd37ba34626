import type { CommandContext } from '../command-context.js';
import type { TextFormat } from '../io/io-host.js';
import { exitCodeOf, type ExecutionSummary } from '../plan/execute-plan.js';
import type { Phase } from '../plan/phase.js';
import type { PlanRun } from '../plan/plan-run.js';
import type { LoadPlanOptions } from '../plan/plan-file.js';
import type { ActionKind } from '../plan/plan-types.js';
import { runPhase } from '../plan/run-phase.js';
import { planRunOptions, withCommandRun, type PlanFlags } from './plan-options.js';

export interface FollowUp {
  data: Record<string, unknown>;
  renderText: (format: TextFormat) => string;
  /** Runs once the result is shown (warnings that refer to it). */
  afterResult?: () => void;
}

export interface PhaseCommand<R, D, Result, C> {
  command: string;
  /** What the phase's actions mean, for checking a saved plan before the first AWS call. */
  kinds: ReadonlyMap<string, ActionKind>;
  /** What else a saved plan is checked against, from the workspace held (see LoadPlanOptions). */
  savedPlanChecks?: (run: PlanRun | null) => Promise<Pick<LoadPlanOptions, 'hasVerifiedBackup'>>;
  /** The phase, built holding the workspace (its files are read under the lock). */
  phase: (run: PlanRun | null) => Promise<Phase<R, D, Result, C>>;
  renderDecisions?: (decisions: D[], format: TextFormat) => string;
  renderResult: (result: Result, format: TextFormat) => string;
  /**
   * Work that follows an applied run and joins its result (assign compares the access now in place
   * with what each person had): its data, its text after the phase's, and its warnings.
   */
  after?: (result: Result) => Promise<FollowUp | null>;
  /** The exit code, when more than the execution decides it. */
  exitCode?: (result: Result, fromExecution: number) => number;
}

/** A phase command from its flags to its exit code: the workspace held, the phase run, its result shown. */
export function runPhaseCommand<R, D, Result extends { execution: ExecutionSummary }, C>(ctx: CommandContext, flags: PlanFlags, spec: PhaseCommand<R, D, Result, C>): Promise<number> {
  return withCommandRun(ctx, spec.command, async (run) => {
    const checks = flags.plan !== undefined && spec.savedPlanChecks ? await spec.savedPlanChecks(run) : {};
    const options = await planRunOptions(ctx, flags, run, { command: spec.command, kinds: spec.kinds, ...checks });
    const phase = await spec.phase(run);
    const result = await runPhase(phase, { ...options, renderDecisions: spec.renderDecisions });
    const followUp = spec.after ? await spec.after(result) : null;
    ctx.io.result({
      data: followUp ? { ...result, ...followUp.data } : result,
      renderText: (f) => [spec.renderResult(result, f), ...(followUp ? ['', followUp.renderText(f)] : [])].join('\n'),
    });
    followUp?.afterResult?.();
    const code = exitCodeOf(result.execution);
    return spec.exitCode ? spec.exitCode(result, code) : code;
  });
}
