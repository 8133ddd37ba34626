import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import { Fault, Interrupted } from '../../errors.js';
import type { ActionHandler, ApplyOutcome } from '../../plan/plan-types.js';
import { invertPermissionSetAction, type PermissionSetKind, type PermissionSetRef } from './permission-set-actions.js';
import { fingerprintPermissionSet } from './plan-permission-sets.js';
import { permissionSetKind } from './permission-set-params.js';
import { isNotFound } from './permission-set-readers.js';
import { listPermissionSetsByName, readPermissionSet } from './read-current.js';
import type { PollingOptions } from './types.js';

/**
 * Provisioning a set to a handful of accounts takes seconds, to hundreds of accounts minutes.
 * A ConflictException (another change to the same set still settling) clears within seconds.
 */
export const DEFAULT_POLLING: PollingOptions = { minDelaySeconds: 2, maxDelaySeconds: 20, maxWaitSeconds: 900 };

/** What the permission-set handlers share during one run. */
export interface PermissionSetContext {
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  /**
   * The ARN of the set with this name, or null when there is none. Looked up once (there is no
   * lookup by name: every set is described) and kept; `fresh` looks again.
   */
  resolveArn(name: string, options?: { fresh?: boolean }): Promise<string | null>;
  /** Records the ARN of a set just created, so that the actions after it find it without a new lookup. */
  rememberArn(name: string, arn: string): void;
  /** The set's fingerprint (see `fingerprintPermissionSet`), read once per set until a change to it is applied. */
  fingerprintOf(name: string, signal: AbortSignal): Promise<string>;
  /** Forgets what was read about a set, after a change to it. */
  invalidate(name: string): void;
  polling?: PollingOptions;
}

/** The context for one run against one Identity Center instance. */
export function createPermissionSetContext(ssoAdmin: SSOAdminClient, instanceArn: string, polling?: PollingOptions): PermissionSetContext {
  let arnsByName: Promise<Map<string, string>> | null = null;
  const created = new Map<string, string>();
  const fingerprints = new Map<string, Promise<string>>();

  const loadArns = (): Promise<Map<string, string>> => {
    if (arnsByName === null) {
      const loading = listPermissionSetsByName(ssoAdmin, instanceArn).then((byName) => new Map([...byName].map(([name, set]) => [name, set.arn])));
      // A failed lookup (throttling that outlasted the retries) is not remembered: the next call tries again.
      loading.catch(() => {
        if (arnsByName === loading) arnsByName = null;
      });
      arnsByName = loading;
    }
    return arnsByName;
  };

  const context: PermissionSetContext = {
    ssoAdmin,
    instanceArn,
    polling,
    async resolveArn(name, options) {
      // A set this run created stays known: a listing right after the create may not show it yet.
      if (options?.fresh) arnsByName = null;
      return created.get(name) ?? (await loadArns()).get(name) ?? null;
    },
    rememberArn(name, arn) {
      created.set(name, arn);
    },
    fingerprintOf(name, signal) {
      let pending = fingerprints.get(name);
      if (pending === undefined) {
        pending = (async () => {
          const arn = await context.resolveArn(name);
          return fingerprintPermissionSet(arn === null ? null : await readPermissionSet(ssoAdmin, instanceArn, arn, signal));
        })();
        pending.catch(() => fingerprints.delete(name));
        fingerprints.set(name, pending);
      }
      return pending;
    },
    invalidate(name) {
      fingerprints.delete(name);
    },
  };
  return context;
}

/** The ARN of a set that an action needs to exist; its absence is a failure of that action. */
export async function requirePermissionSetArn(context: PermissionSetContext, name: string): Promise<string> {
  const arn = await context.resolveArn(name);
  if (arn !== null) return arn;
  throw new Fault(
    'PERMISSION_SET_NOT_FOUND',
    `Permission set ${name} does not exist in ${context.instanceArn}.`,
    'Run create-permission-sets again without --plan: it plans the creation of the set first.',
  );
}

/** Identity Center's answer while another change to the same set is still settling. */
export function isConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConflictException';
}

/**
 * Makes one change to a set. Identity Center answers `ConflictException` while another change to the
 * same set is still settling; that is retried with the waiter's backoff until it goes through, or
 * until `alreadyDone` says the change is there anyway (an attachment that exists answers the same
 * way). Returns null when the change was found already made.
 */
export async function sendSetChange<T>(
  context: PermissionSetContext,
  name: string,
  signal: AbortSignal,
  call: () => Promise<T>,
  alreadyDone?: () => Promise<boolean>,
): Promise<T | null> {
  const polling = context.polling ?? DEFAULT_POLLING;
  let output: T | null = null;
  try {
    const result = await createWaiter(
      { client: context.ssoAdmin, minDelay: polling.minDelaySeconds, maxDelay: polling.maxDelaySeconds, maxWaitTime: polling.maxWaitSeconds, abortSignal: signal },
      undefined,
      async () => {
        try {
          output = await call();
          return { state: WaiterState.SUCCESS };
        } catch (error) {
          if (!isConflict(error)) throw error;
          if (alreadyDone !== undefined && (await alreadyDone())) return { state: WaiterState.SUCCESS };
          return { state: WaiterState.RETRY, reason: error };
        }
      },
    );
    if (result.state === WaiterState.SUCCESS) return output;
    if (result.state === WaiterState.ABORTED) throw interruptedWhile(name);
    throw new Fault(
      'PERMISSION_SET_BUSY',
      `Permission set ${name} stayed busy with another change for ${polling.maxWaitSeconds} seconds (ConflictException).`,
      'Wait until the other change (a provisioning, or an edit in the console) has finished, then run the command again.',
    );
  } finally {
    context.invalidate(name);
  }
}

/** The error a change or a wait ends with when the run is aborted (second Ctrl-C). */
export function interruptedWhile(name: string): Interrupted {
  return new Interrupted('PERMISSION_SET_ABORTED', `Stopped while changing permission set ${name}.`, 'Run the command again: it checks what was done and completes the rest.');
}

/** The outcome of a call for the journal: its request ID, when it was made. */
export function outcomeOf(output: { $metadata?: { requestId?: string } } | null, detail?: string): ApplyOutcome {
  return { requestId: output?.$metadata?.requestId ?? null, ...(detail === undefined ? {} : { detail }) };
}

/** A handler of one kind of action on a permission set. */
export type PermissionSetHandler<P extends PermissionSetRef> = ActionHandler<P, PermissionSetContext>;

/** The parts that differ between kinds; the fingerprint and the inverse are the same for all. */
export function definePermissionSetHandler<P extends PermissionSetRef>(
  kind: PermissionSetKind,
  parts: Pick<PermissionSetHandler<P>, 'isDone' | 'apply'>,
): PermissionSetHandler<P> {
  return {
    kind,
    ...permissionSetKind<P>(kind),
    ...parts,
    // Every action on a set carries the fingerprint of the whole set: any change to it makes a saved plan stale.
    fingerprint: (params, context, signal) => context.fingerprintOf(params.permissionSetName, signal),
    inverse: (action) => invertPermissionSetAction(action),
  };
}

/** For removals: `ResourceNotFoundException` means there is nothing left to remove, which is the goal. */
export async function ignoreNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
