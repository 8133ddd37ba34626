import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  type AccountAssignmentOperationStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import pLimit, { type LimitFunction } from 'p-limit';
import { Fault, Interrupted } from '../../errors.js';
import { z } from 'zod';
import { ActionRegistry, type ActionHandler, type ActionKind, type ApplyOutcome } from '../../plan/plan-types.js';
import { isNotFound } from '../create-permission-sets/permission-set-readers.js';
import { DEFAULT_POLLING, isConflict } from '../create-permission-sets/permission-set-context.js';
import type { PollingOptions } from '../create-permission-sets/types.js';
import { ASSIGNMENT_KIND, describePrincipal, invertAssignmentAction, principalFingerprint, type AssignmentParams, type PrincipalType } from './plan-assignments.js';
import { listAssignments, type ListedAssignment } from './read-assignments.js';

/**
 * Identity Center processes assignment requests asynchronously and throttles a burst of them; ten
 * requests in flight is the rate the service documentation advises for bulk assignment.
 */
export const MAX_ASSIGNMENTS_IN_FLIGHT = 10;

/** What the assignment handlers share during one run. */
export interface AssignmentContext {
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  /** The ARN of the permission set with this name, or null when it does not exist (yet). */
  resolvePermissionSetArn(name: string): Promise<string | null>;
  /** The identity-store ID of the user (by user name) or group (by display name), or null. */
  resolvePrincipalId(type: PrincipalType, name: string): Promise<string | null>;
  /**
   * Bounds the asynchronous requests in flight across every handler of the run, on top of the
   * executor's per-service limit: a slot is held from the request until its status settles.
   */
  inFlight: LimitFunction;
  /** The assignments of a set in an account, read once until a change there is applied. */
  assignmentsOf(accountId: string, permissionSetName: string, permissionSetArn: string, signal?: AbortSignal): Promise<ListedAssignment[]>;
  /** Forgets what was read about a set in an account, after a change there. */
  invalidate(accountId: string, permissionSetArn: string): void;
  polling?: PollingOptions;
}

export interface AssignmentContextOptions {
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  resolvePermissionSetArn: AssignmentContext['resolvePermissionSetArn'];
  resolvePrincipalId: AssignmentContext['resolvePrincipalId'];
  polling?: PollingOptions;
  maxInFlight?: number;
}

/** The context for one run against one Identity Center instance. */
export function createAssignmentContext(options: AssignmentContextOptions): AssignmentContext {
  const cache = new Map<string, Promise<ListedAssignment[]>>();
  const keyOf = (accountId: string, arn: string) => `${accountId} ${arn}`;
  return {
    ssoAdmin: options.ssoAdmin,
    instanceArn: options.instanceArn,
    resolvePermissionSetArn: options.resolvePermissionSetArn,
    resolvePrincipalId: options.resolvePrincipalId,
    inFlight: pLimit(options.maxInFlight ?? MAX_ASSIGNMENTS_IN_FLIGHT),
    polling: options.polling,
    assignmentsOf(accountId, name, arn, signal) {
      const key = keyOf(accountId, arn);
      let pending = cache.get(key);
      if (pending === undefined) {
        pending = listAssignments(options.ssoAdmin, options.instanceArn, accountId, name, arn, signal);
        // A failed read is not remembered: the next check reads again.
        pending.catch(() => cache.delete(key));
        cache.set(key, pending);
      }
      return pending;
    },
    invalidate(accountId, arn) {
      cache.delete(keyOf(accountId, arn));
    },
  };
}

/** The handlers of both kinds of assignment action, sharing one context. */
export function createAssignmentRegistry(context: AssignmentContext): ActionRegistry<AssignmentContext> {
  return new ActionRegistry(context).register(createHandler).register(deleteHandler);
}

/** What the assignment actions mean, for checking a saved plan before any AWS call. */
export function assignmentKinds(): ActionKind[] {
  return [createHandler, deleteHandler] as ActionKind[];
}

const assignmentParams: z.ZodType<AssignmentParams> = z.strictObject({
  instanceArn: z.string().startsWith('arn:'),
  principalType: z.enum(['USER', 'GROUP']),
  principalName: z.string().min(1),
  permissionSetName: z.string().regex(/^[\w+=,.@-]{1,32}$/, 'not a permission set name'),
  accountId: z.string().regex(/^\d{12}$/, 'not an account ID'),
});

/** Whether the assignment is there now; null when its set or principal does not exist. */
export async function hasAssignment(params: AssignmentParams, context: AssignmentContext, signal?: AbortSignal): Promise<boolean | null> {
  const arn = await context.resolvePermissionSetArn(params.permissionSetName);
  const principalId = await context.resolvePrincipalId(params.principalType, params.principalName);
  if (arn === null || principalId === null) return null;
  const listed = await context.assignmentsOf(params.accountId, params.permissionSetName, arn, signal);
  return listed.some((a) => a.principalType === params.principalType && a.principalId === principalId);
}

const createHandler: ActionHandler<AssignmentParams, AssignmentContext> = {
  kind: ASSIGNMENT_KIND.create,
  service: 'sso-admin',
  params: assignmentParams,
  risk: 'broadening',
  isDone: async (params, context, signal) => (await hasAssignment(params, context, signal)) === true,
  apply: (params, context, signal) => changeAssignment('create', params, context, signal),
  fingerprint: async (params, context) => principalFingerprint(await context.resolvePrincipalId(params.principalType, params.principalName)),
  inverse: (action) => invertAssignmentAction(action),
};

const deleteHandler: ActionHandler<AssignmentParams, AssignmentContext> = {
  kind: ASSIGNMENT_KIND.delete,
  service: 'sso-admin',
  params: assignmentParams,
  risk: 'narrowing',
  // A set or principal that is gone has no assignment left.
  isDone: async (params, context, signal) => (await hasAssignment(params, context, signal)) !== true,
  apply: (params, context, signal) => changeAssignment('delete', params, context, signal),
  fingerprint: async (params, context) => principalFingerprint(await context.resolvePrincipalId(params.principalType, params.principalName)),
  inverse: (action) => invertAssignmentAction(action),
};

type Operation = 'create' | 'delete';

/**
 * Sends the request and follows it until Identity Center settles it, holding one of the run's
 * in-flight slots throughout. A ConflictException (another change to the same set or account still
 * settling) is retried with the waiter's backoff.
 */
async function changeAssignment(operation: Operation, params: AssignmentParams, context: AssignmentContext, signal: AbortSignal): Promise<ApplyOutcome> {
  const arn = await requireArn(context, params.permissionSetName);
  const principalId = await context.resolvePrincipalId(params.principalType, params.principalName);
  if (principalId === null) {
    if (operation === 'delete') return { requestId: null, detail: `${describePrincipal(params)} no longer exists` };
    throw new Fault(
      'PRINCIPAL_NOT_FOUND',
      `${describePrincipal(params)} does not exist in the identity store.`,
      params.principalType === 'USER'
        ? 'Create the user (or have your identity provider provision it), then run assign again.'
        : 'Create the group (or have your identity provider provision it), then run assign again.',
    );
  }
  const input = {
    InstanceArn: context.instanceArn,
    TargetId: params.accountId,
    TargetType: 'AWS_ACCOUNT' as const,
    PermissionSetArn: arn,
    PrincipalType: params.principalType,
    PrincipalId: principalId,
  };
  try {
    return await context.inFlight(async () => {
      signal.throwIfAborted();
      const sent = await sendWithConflictRetry(context, params, signal, async () => {
        if (operation === 'create') {
          const out = await context.ssoAdmin.send(new CreateAccountAssignmentCommand(input), { abortSignal: signal });
          return { requestId: out.$metadata?.requestId, status: out.AccountAssignmentCreationStatus };
        }
        try {
          const out = await context.ssoAdmin.send(new DeleteAccountAssignmentCommand(input), { abortSignal: signal });
          return { requestId: out.$metadata?.requestId, status: out.AccountAssignmentDeletionStatus };
        } catch (error) {
          // Nothing left to remove is the goal of a removal.
          if (isNotFound(error)) return { requestId: undefined, status: { Status: 'SUCCEEDED' as const } };
          throw error;
        }
      });
      const final = sent.status?.Status === 'IN_PROGRESS' ? await waitForRequest(operation, context, params, sent.status.RequestId, signal) : sent.status;
      if (final?.Status === 'FAILED') throw assignmentFailed(operation, params, final);
      return { requestId: sent.requestId ?? null, ...(final?.RequestId ? { detail: `request ${final.RequestId}` } : {}) };
    });
  } catch (error) {
    if (signal.aborted && !(error instanceof Fault)) throw interrupted(params);
    throw error;
  } finally {
    context.invalidate(params.accountId, arn);
  }
}

async function requireArn(context: AssignmentContext, name: string): Promise<string> {
  const arn = await context.resolvePermissionSetArn(name);
  if (arn !== null) return arn;
  throw new Fault('PERMISSION_SET_NOT_FOUND', `Permission set ${name} does not exist in ${context.instanceArn}.`, 'Run `iam2idc create-permission-sets` first, then run assign again.');
}

interface SentRequest {
  requestId: string | undefined;
  status: AccountAssignmentOperationStatus | undefined;
}

async function sendWithConflictRetry(context: AssignmentContext, params: AssignmentParams, signal: AbortSignal, call: () => Promise<SentRequest>): Promise<SentRequest> {
  const polling = context.polling ?? DEFAULT_POLLING;
  let sent: SentRequest | null = null;
  const result = await createWaiter(
    { client: context.ssoAdmin, minDelay: polling.minDelaySeconds, maxDelay: polling.maxDelaySeconds, maxWaitTime: polling.maxWaitSeconds, abortSignal: signal },
    undefined,
    async () => {
      try {
        sent = await call();
        return { state: WaiterState.SUCCESS };
      } catch (error) {
        if (!isConflict(error)) throw error;
        return { state: WaiterState.RETRY, reason: error };
      }
    },
  );
  if (result.state === WaiterState.SUCCESS && sent !== null) return sent;
  if (result.state === WaiterState.ABORTED) throw interrupted(params);
  throw new Fault(
    'ASSIGNMENT_BUSY',
    `Identity Center kept answering ConflictException for ${describePrincipal(params)} in ${params.accountId} for ${polling.maxWaitSeconds} seconds.`,
    'Another change to the permission set or account is still settling (a provisioning, an edit in the console). Wait for it, then run assign again.',
  );
}

/** Polls the request's status until it leaves IN_PROGRESS. */
async function waitForRequest(operation: Operation, context: AssignmentContext, params: AssignmentParams, requestId: string | undefined, signal: AbortSignal): Promise<AccountAssignmentOperationStatus | undefined> {
  if (requestId === undefined) {
    throw new Fault('ASSIGNMENT_UNTRACKABLE', `Identity Center accepted the ${operation} of an assignment for ${describePrincipal(params)} without a request ID to follow.`, 'Run assign again: it checks which assignments exist.');
  }
  const polling = context.polling ?? DEFAULT_POLLING;
  let last: AccountAssignmentOperationStatus | undefined;
  const result = await createWaiter(
    { client: context.ssoAdmin, minDelay: polling.minDelaySeconds, maxDelay: polling.maxDelaySeconds, maxWaitTime: polling.maxWaitSeconds, abortSignal: signal },
    requestId,
    async (client, id) => {
      const base = { InstanceArn: context.instanceArn };
      last =
        operation === 'create'
          ? (await client.send(new DescribeAccountAssignmentCreationStatusCommand({ ...base, AccountAssignmentCreationRequestId: id }), { abortSignal: signal })).AccountAssignmentCreationStatus
          : (await client.send(new DescribeAccountAssignmentDeletionStatusCommand({ ...base, AccountAssignmentDeletionRequestId: id }), { abortSignal: signal })).AccountAssignmentDeletionStatus;
      return { state: last?.Status === undefined || last.Status === 'IN_PROGRESS' ? WaiterState.RETRY : WaiterState.SUCCESS };
    },
  );
  if (result.state === WaiterState.SUCCESS) return last;
  if (result.state === WaiterState.ABORTED) throw interrupted(params);
  throw new Fault(
    'ASSIGNMENT_TIMEOUT',
    `The ${operation} of ${params.permissionSetName} for ${describePrincipal(params)} in ${params.accountId} was still in progress after ${polling.maxWaitSeconds} seconds (request ${requestId}).`,
    'Identity Center goes on in the background: run assign again later; it checks which assignments exist.',
  );
}

function assignmentFailed(operation: Operation, params: AssignmentParams, status: AccountAssignmentOperationStatus): Fault {
  return new Fault(
    'ASSIGNMENT_FAILED',
    `${operation === 'create' ? 'Assigning' : 'Unassigning'} ${params.permissionSetName} ${operation === 'create' ? 'to' : 'from'} ${describePrincipal(params)} in ${params.accountId} failed: ${status.FailureReason ?? 'no reason given'}.`,
    'Fix the cause (often the permission set cannot be provisioned to that account: a customer-managed policy missing there, or a role quota), then run assign again.',
  );
}

function interrupted(params: AssignmentParams): Interrupted {
  return new Interrupted('ASSIGNMENT_ABORTED', `Stopped while changing the assignment of ${describePrincipal(params)} in ${params.accountId}.`, 'Run assign again: it checks what was done and completes the rest.');
}
