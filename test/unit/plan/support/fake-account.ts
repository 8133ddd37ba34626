import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActionRegistry, PLAN_VERSION, type ApplyOutcome, type Plan, type PlannedAction, type Risk } from '../../../../src/plan/plan-types.js';

export const ACCOUNT_ID = '111111111111';
export const PUT = 'fake.Put';
export const DELETE = 'fake.Delete';

/** What a fake action acts on: one key of the in-memory account, through one service lane. */
export interface FakeParams {
  key: string;
  service: string;
  /** The value `fake.Put` writes. */
  value?: string;
}

export type Op = 'put' | 'delete';

/** How the fake account answers the mutating call on one key. */
export interface Behaviour {
  /** Throw an SDK-shaped error with this name... */
  failWith?: string;
  /** ...the first `failTimes` times only (always when absent). */
  failTimes?: number;
  /** Take this long (cut short by an abort). */
  delayMs?: number;
  /** Never answer until aborted: before the change reaches the account, or after (the reply is lost). */
  hang?: 'before-change' | 'after-change';
  /** Runs at the start of the call, e.g. to press Ctrl-C while it is in flight. */
  during?: () => void | Promise<void>;
  /** `isDone` waits for this before it answers. */
  isDoneGate?: () => Promise<void>;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** An SDK-shaped error: matched by `name`, with the `$metadata` every service exception carries. */
export function awsError(name: string): Error {
  return Object.assign(new Error(`${name} (fake)`), { name, $metadata: { httpStatusCode: 400, requestId: `req-${name}` } });
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * An AWS account reduced to a map of keys, whose every mutating call is logged. Handlers read it in
 * `isDone` and `fingerprint` the way real ones re-read AWS.
 */
export class FakeAccount {
  readonly state = new Map<string, string>();
  /** Every mutating call, failed ones included, in the order they were sent. */
  readonly calls: { op: Op; key: string }[] = [];
  readonly reads: { what: 'isDone' | 'fingerprint'; key: string }[] = [];
  readonly maxInFlight = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly attempts = new Map<string, number>();
  private readonly starts = new Map<string, Deferred>();

  behave(key: string, behaviour: Behaviour): this {
    this.behaviours.set(key, behaviour);
    return this;
  }

  /** Resolves once a mutating call on `key` has been sent. */
  started(key: string): Promise<void> {
    return this.startOf(key).promise;
  }

  callKeys(): string[] {
    return this.calls.map((c) => c.key);
  }

  async isDone(op: Op, params: FakeParams): Promise<boolean> {
    this.reads.push({ what: 'isDone', key: params.key });
    await this.behaviours.get(params.key)?.isDoneGate?.();
    return op === 'put' ? this.state.get(params.key) === params.value : !this.state.has(params.key);
  }

  fingerprint(key: string): string {
    this.reads.push({ what: 'fingerprint', key });
    return fingerprintOf(this.state.get(key));
  }

  async mutate(op: Op, params: FakeParams, signal: AbortSignal): Promise<ApplyOutcome> {
    const behaviour = this.behaviours.get(params.key) ?? {};
    const attempt = (this.attempts.get(params.key) ?? 0) + 1;
    this.attempts.set(params.key, attempt);
    this.calls.push({ op, key: params.key });
    const lane = params.service;
    const current = (this.inFlight.get(lane) ?? 0) + 1;
    this.inFlight.set(lane, current);
    this.maxInFlight.set(lane, Math.max(current, this.maxInFlight.get(lane) ?? 0));
    try {
      this.startOf(params.key).resolve();
      await behaviour.during?.();
      if (behaviour.delayMs) await sleep(behaviour.delayMs, undefined, { signal });
      if (behaviour.failWith && (behaviour.failTimes === undefined || attempt <= behaviour.failTimes)) throw awsError(behaviour.failWith);
      if (behaviour.hang === 'before-change') await untilAborted(signal);
      if (op === 'put') this.state.set(params.key, params.value ?? '');
      else this.state.delete(params.key);
      if (behaviour.hang === 'after-change') await untilAborted(signal);
      return { requestId: `req-${params.key}-${attempt}`, detail: `${op} ${params.key}` };
    } finally {
      this.inFlight.set(lane, (this.inFlight.get(lane) ?? 1) - 1);
    }
  }

  private startOf(key: string): Deferred {
    let start = this.starts.get(key);
    if (!start) {
      start = deferred();
      this.starts.set(key, start);
    }
    return start;
  }
}

export function fingerprintOf(value: string | undefined): string {
  return createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');
}

/** The handlers of the fake account: put a value, delete a key. */
export function fakeRegistry(account: FakeAccount): ActionRegistry<FakeAccount> {
  return new ActionRegistry(account)
    .register<FakeParams>({
      kind: PUT,
      isDone: (params, context) => context.isDone('put', params),
      apply: (params, context, signal) => context.mutate('put', params, signal),
      fingerprint: async (params, context) => context.fingerprint(params.key),
    })
    .register<FakeParams>({
      kind: DELETE,
      isDone: (params, context) => context.isDone('delete', params),
      apply: (params, context, signal) => context.mutate('delete', params, signal),
      fingerprint: async (params, context) => context.fingerprint(params.key),
    });
}

export interface ActionOptions {
  service?: string;
  dependsOn?: string[];
  risk?: Risk;
  fingerprint?: string | null;
  value?: string;
  principal?: PlannedAction['principal'];
}

/** A plan step that writes `value` (default `v-<id>`) to the key named like the action. */
export function putAction(id: string, options: ActionOptions = {}): PlannedAction<FakeParams> {
  const service = options.service ?? 'iam';
  return {
    id,
    kind: PUT,
    service,
    target: `thing ${id}`,
    risk: options.risk ?? 'broadening',
    preview: `put ${id}`,
    params: { key: id, service, value: options.value ?? `v-${id}` },
    dependsOn: options.dependsOn ?? [],
    fingerprint: options.fingerprint ?? null,
    ...(options.principal ? { principal: options.principal } : {}),
  };
}

/** A plan step that removes the key named like the action. */
export function deleteAction(id: string, options: ActionOptions = {}): PlannedAction<FakeParams> {
  const service = options.service ?? 'iam';
  return {
    id,
    kind: DELETE,
    service,
    target: `thing ${id}`,
    risk: options.risk ?? 'destructive',
    preview: `delete ${id}`,
    params: { key: id, service },
    dependsOn: options.dependsOn ?? [],
    fingerprint: options.fingerprint ?? null,
    ...(options.principal ? { principal: options.principal } : {}),
  };
}

export function planOf(actions: PlannedAction[], command = 'fake-command'): Plan {
  return { version: PLAN_VERSION, command, accountId: ACCOUNT_ID, createdAt: '2024-06-01T11:00:00.000Z', actions };
}
