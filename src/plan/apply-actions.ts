import pLimit, { type LimitFunction } from 'p-limit';
import { isCredentialError } from '../call-errors.js';
import { RunStop } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { mayHaveApplied } from './call-outcome.js';
import type { Journal } from './journal.js';
import type { InterruptController } from './interrupt-controller.js';
import type { ActionRegistry, PlannedAction } from './plan-types.js';

export type ActionStatus = 'planned' | 'done' | 'skipped' | 'failed' | 'not-run' | 'refused' | 'unknown';

export interface ActionResult {
  id: string;
  kind: string;
  target: string;
  risk: PlannedAction['risk'];
  preview: string;
  status: ActionStatus;
  /** Why it was skipped, failed, refused or not run. */
  reason: string | null;
  requestId: string | null;
  detail: string | null;
}

/** How many calls may be in flight per service: IAM is one global endpoint, IdC APIs share about 20 TPS. */
// Access Analyzer runs one policy generation at a time per account: a second start waits (ConflictException).
export const DEFAULT_CONCURRENCY: Record<string, number> = { iam: 4, 'sso-admin': 4, identitystore: 4, 'access-analyzer': 1 };

export interface ApplyActionsOptions<C> {
  actions: PlannedAction[];
  registry: ActionRegistry<C>;
  journal: Journal;
  runId: string;
  interrupts: InterruptController;
  now: () => Date;
  concurrency?: Record<string, number>;
  /** Actions refused before the run (stale); their dependents are refused too. */
  refused: Map<string, string>;
  /** Called each time an action settles, with how many have and how many there are (for a spinner). */
  onProgress?: (settled: number, total: number) => void;
}

export interface AppliedActions {
  results: ActionResult[];
  /** Set when the run stopped early: the credentials stopped working (expired, revoked), or a handler raised RunStop. */
  stopped: { code: string; message: string; exitCode: number } | null;
}

/**
 * Applies the actions in dependency order, with bounded concurrency per service. A failure stops only
 * the actions that depend on it. After the first Ctrl-C no new action starts; after the second the
 * calls in flight are aborted and recorded as unknown, to be settled by the next run. Credentials that
 * stop working stop the run at once: every action after would fail the same way.
 */
export async function applyActions<C>(options: ApplyActionsOptions<C>): Promise<AppliedActions> {
  const limits = new Map<string, LimitFunction>();
  const limitFor = (service: string) => {
    let limit = limits.get(service);
    if (!limit) {
      limit = pLimit(options.concurrency?.[service] ?? DEFAULT_CONCURRENCY[service] ?? 4);
      limits.set(service, limit);
    }
    return limit;
  };
  const running = new Map<string, Promise<ActionResult>>();
  const run = (action: PlannedAction): Promise<ActionResult> => {
    let promise = running.get(action.id);
    if (!promise) {
      promise = runOne(action);
      running.set(action.id, promise);
    }
    return promise;
  };
  const byId = new Map(options.actions.map((a) => [a.id, a]));
  // Skipped because a dependency did not succeed, unlike skipped as already done: it blocks its own dependents.
  const blocked = new Set<string>();
  let stopped: AppliedActions['stopped'] = null;
  const stopFor = (error: unknown) => {
    stopped ??=
      error instanceof RunStop
        ? { code: error.code, message: `${error.message} ${error.resolution}`, exitCode: error.exitCode }
        : { code: 'AWS_CREDENTIALS', message: `The AWS credentials stopped working (${error instanceof Error ? error.name : 'error'}): renew them (aws sso login, or fresh keys).`, exitCode: ExitCode.AwsConfig };
  };
  const notStarted = () => `not started: ${stopped?.code === 'AWS_CREDENTIALS' ? 'the credentials stopped working' : `the run stopped (${stopped?.code})`}`;

  async function runOne(action: PlannedAction): Promise<ActionResult> {
    const refusal = options.refused.get(action.id);
    if (refusal) return resultOf(action, 'refused', refusal);
    const dependencies = await Promise.all(action.dependsOn.map((id) => byId.get(id)).filter((a): a is PlannedAction => a !== undefined).map(run));
    const blocker = dependencies.find((d) => (d.status !== 'done' && d.status !== 'skipped') || blocked.has(d.id));
    if (blocker) {
      const status = blocker.status === 'refused' ? 'refused' : blocker.status === 'not-run' || blocker.status === 'unknown' ? 'not-run' : 'skipped';
      if (status === 'skipped') blocked.add(action.id);
      return resultOf(action, status, `depends on ${blocker.id}, which ${describeStatus(blocker.status)}`);
    }
    return limitFor(action.service)(() => execute(action));
  }

  async function execute(action: PlannedAction): Promise<ActionResult> {
    if (options.interrupts.stopRequested) return resultOf(action, 'not-run', 'interrupted before it started');
    if (stopped) return resultOf(action, 'not-run', notStarted());
    const handler = options.registry.get(action.kind);
    if (!handler) return resultOf(action, 'failed', `no handler for ${action.kind}`);
    const signal = options.interrupts.abortSignal;
    const base = { runId: options.runId, actionId: action.id, kind: action.kind, target: action.target };
    try {
      if (await handler.isDone(action.params, options.registry.context, signal)) {
        await options.journal.append({ type: 'outcome', at: options.now().toISOString(), ...base, status: 'skipped', requestId: null, detail: 'already done' });
        return resultOf(action, 'skipped', 'already done');
      }
    } catch (error) {
      if (isCredentialError(error)) {
        stopFor(error);
        return resultOf(action, 'not-run', notStarted());
      }
      return failed(action, base, error, 'while checking whether it was already done');
    }
    // A stop requested while `isDone` was reading: the mutating call would be a new one, so it is not sent.
    if (options.interrupts.stopRequested) return resultOf(action, 'not-run', 'interrupted before it started');
    if (stopped) return resultOf(action, 'not-run', notStarted());
    // The intent is on disk before the call: a crash between the two is settled by the next run.
    await options.journal.append({ type: 'intent', at: options.now().toISOString(), ...base, params: action.params, ...(handler.inverse ? { undoable: true as const } : {}) });
    try {
      const outcome = await handler.apply(action.params, options.registry.context, signal);
      await options.journal.append({ type: 'outcome', at: options.now().toISOString(), ...base, status: 'done', requestId: outcome.requestId, detail: outcome.detail });
      return { ...resultOf(action, 'done', null), requestId: outcome.requestId, detail: outcome.detail ?? null };
    } catch (error) {
      if (!options.interrupts.abortSignal.aborted && mayHaveApplied(error)) return settle(action, handler, base, error);
      if (isCredentialError(error) || error instanceof RunStop) stopFor(error);
      return failed(action, base, error);
    }
  }

  /**
   * The call failed in a way that does not say whether AWS applied it (the answer was lost, a timeout,
   * a server error, or retries of which an earlier one may have gone through): the intent stays open
   * until AWS has been read. Done or not done is recorded only then, before any dependent starts; when
   * even the read fails, the outcome stays unknown for the next run to settle.
   */
  async function settle(action: PlannedAction, handler: NonNullable<ReturnType<ActionRegistry<C>['get']>>, base: { runId: string; actionId: string; kind: string; target: string }, error: unknown): Promise<ActionResult> {
    const signal = options.interrupts.abortSignal;
    let happened: boolean;
    try {
      happened = await handler.isDone(action.params, options.registry.context, signal);
    } catch (readError) {
      if (isCredentialError(readError)) stopFor(readError);
      await options.journal.append({ type: 'outcome', at: options.now().toISOString(), ...base, status: 'unknown', requestId: null, error: describeFailure(error) });
      return resultOf(action, 'unknown', `no clear answer from AWS (${describeFailure(error).name}), and reading whether it happened failed too: the next run checks`);
    }
    if (happened) {
      const detail = `the answer was lost (${describeFailure(error).name}), but AWS shows the change was made`;
      await options.journal.append({ type: 'outcome', at: options.now().toISOString(), ...base, status: 'done', requestId: null, detail });
      return { ...resultOf(action, 'done', null), detail };
    }
    return failed(action, base, error, 'AWS shows the change was not made');
  }

  async function failed(action: PlannedAction, base: { runId: string; actionId: string; kind: string; target: string }, error: unknown, when?: string): Promise<ActionResult> {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    const aborted = options.interrupts.abortSignal.aborted;
    await options.journal.append({
      type: 'outcome',
      at: options.now().toISOString(),
      ...base,
      // An aborted call may or may not have reached AWS: the next run re-reads it.
      status: aborted ? 'unknown' : 'failed',
      requestId: (error as { $metadata?: { requestId?: string } }).$metadata?.requestId ?? null,
      error: { name, message },
    });
    if (aborted) return resultOf(action, 'unknown', 'interrupted while in flight: the next run checks whether it happened');
    return resultOf(action, 'failed', `${name}: ${message}${when ? ` (${when})` : ''}`);
  }

  let settled = 0;
  const results = await Promise.all(
    options.actions.map(async (action) => {
      const result = await run(action);
      settled += 1;
      options.onProgress?.(settled, options.actions.length);
      return result;
    }),
  );
  return { results, stopped };
}

function describeFailure(error: unknown): { name: string; message: string } {
  return { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}

export function resultOf(action: PlannedAction, status: ActionStatus, reason: string | null): ActionResult {
  return { id: action.id, kind: action.kind, target: action.target, risk: action.risk, preview: action.preview, status, reason, requestId: null, detail: null };
}

function describeStatus(status: ActionStatus): string {
  switch (status) {
    case 'failed':
      return 'failed';
    case 'refused':
      return 'was refused';
    case 'not-run':
      return 'did not run';
    case 'unknown':
      return 'was interrupted';
    case 'skipped':
      return 'was skipped';
    default:
      return status;
  }
}
