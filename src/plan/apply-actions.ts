import pLimit, { type LimitFunction } from 'p-limit';
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
export const DEFAULT_CONCURRENCY: Record<string, number> = { iam: 4, 'sso-admin': 4, identitystore: 4 };

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

/**
 * Applies the actions in dependency order, with bounded concurrency per service. A failure stops only
 * the actions that depend on it. After the first Ctrl-C no new action starts; after the second the
 * calls in flight are aborted and recorded as unknown, to be settled by the next run.
 */
export async function applyActions<C>(options: ApplyActionsOptions<C>): Promise<ActionResult[]> {
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
      return failed(action, base, error, 'while checking whether it was already done');
    }
    // A stop requested while `isDone` was reading: the mutating call would be a new one, so it is not sent.
    if (options.interrupts.stopRequested) return resultOf(action, 'not-run', 'interrupted before it started');
    // The intent is on disk before the call: a crash between the two is settled by the next run.
    await options.journal.append({ type: 'intent', at: options.now().toISOString(), ...base, params: action.params });
    try {
      const outcome = await handler.apply(action.params, options.registry.context, signal);
      await options.journal.append({ type: 'outcome', at: options.now().toISOString(), ...base, status: 'done', requestId: outcome.requestId, detail: outcome.detail });
      return { ...resultOf(action, 'done', null), requestId: outcome.requestId, detail: outcome.detail ?? null };
    } catch (error) {
      return failed(action, base, error);
    }
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
  return Promise.all(
    options.actions.map(async (action) => {
      const result = await run(action);
      settled += 1;
      options.onProgress?.(settled, options.actions.length);
      return result;
    }),
  );
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
