import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActionRegistry, PLAN_VERSION, type ApplyOutcome, type Plan, type PlannedAction, type Risk } from '../../../../src/plan/plan-types.js';
import { ACCOUNT_ID, awsError } from '../../support/builders.js';

export const PUT = 'fake.Put';
export const DELETE = 'fake.Delete';

/** What a fake action acts on: one key of the in-memory account, through one service lane. */
export interface FakeParams {
  key: string;
  service: string;
  /** The value `fake.Put` writes. */
  value?: string;
  /** What the fake kinds derive the action's risk and principal from (real kinds derive them from real parameters). */
  risk?: Risk;
  principal?: { userName: string; userId: string | null };
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
  /**
   * The call fails the way a lost answer looks from the SDK: this error, carrying this HTTP status
   * (none: a reset connection) and attempt count; `applied` says whether the change reached the account.
   */
  unclear?: { name: string; status?: number; attempts: number; applied: boolean };
  /** `isDone` fails with an SDK-shaped error of this name (e.g. ExpiredToken). */
  isDoneFailsWith?: string;
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

/** An SDK-shaped error of the fake account: its request ID names the error, so the journal shows which it was. */
function fakeError(name: string): Error {
  return awsError(name, { message: `${name} (fake)`, metadata: { httpStatusCode: 400, requestId: `req-${name}` } });
}

/** An error as the SDK's retry middleware leaves it: `$metadata` always, the HTTP status only when AWS answered. */
function unclearError(unclear: NonNullable<Behaviour['unclear']>): Error {
  const metadata = { ...(unclear.status === undefined ? {} : { httpStatusCode: unclear.status }), attempts: unclear.attempts };
  return awsError(unclear.name, { message: `${unclear.name} (fake)`, metadata });
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
    const behaviour = this.behaviours.get(params.key);
    await behaviour?.isDoneGate?.();
    if (behaviour?.isDoneFailsWith && this.calls.some((c) => c.key === params.key)) throw fakeError(behaviour.isDoneFailsWith);
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
      if (behaviour.failWith && (behaviour.failTimes === undefined || attempt <= behaviour.failTimes)) throw fakeError(behaviour.failWith);
      if (behaviour.unclear && !behaviour.unclear.applied) throw unclearError(behaviour.unclear);
      if (behaviour.hang === 'before-change') await untilAborted(signal);
      if (op === 'put') this.state.set(params.key, params.value ?? '');
      else this.state.delete(params.key);
      if (behaviour.hang === 'after-change') await untilAborted(signal);
      if (behaviour.unclear?.applied) throw unclearError(behaviour.unclear);
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

/** What a fake action means, from its parameters, as a real kind derives it from its own. */
const fakeMeaning = (defaultRisk: Risk) => ({
  serviceOf: (p: FakeParams) => p.service,
  riskOf: (p: FakeParams) => p.risk ?? defaultRisk,
  principalOf: (p: FakeParams) => p.principal ?? null,
});

/** The handlers of the fake account: put a value, delete a key. */
export function fakeRegistry(account: FakeAccount): ActionRegistry<FakeAccount> {
  return new ActionRegistry(account)
    .register<FakeParams>({
      kind: PUT,
      ...fakeMeaning('broadening'),
      isDone: (params, context) => context.isDone('put', params),
      apply: (params, context, signal) => context.mutate('put', params, signal),
      fingerprint: async (params, context) => context.fingerprint(params.key),
    })
    .register<FakeParams>({
      kind: DELETE,
      ...fakeMeaning('destructive'),
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
    params: { key: id, service, value: options.value ?? `v-${id}`, ...meaningParams(options) },
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
    params: { key: id, service, ...meaningParams(options) },
    dependsOn: options.dependsOn ?? [],
    fingerprint: options.fingerprint ?? null,
    ...(options.principal ? { principal: options.principal } : {}),
  };
}

/** The risk and principal the test chose, where the fake kinds read them. */
function meaningParams(options: ActionOptions): Pick<FakeParams, 'risk' | 'principal'> {
  return { ...(options.risk ? { risk: options.risk } : {}), ...(options.principal ? { principal: options.principal } : {}) };
}

export function planOf(actions: PlannedAction[], command = 'fake-command'): Plan {
  return { version: PLAN_VERSION, command, accountId: ACCOUNT_ID, createdAt: '2024-06-01T11:00:00.000Z', actions };
}
