/**
 * The IAM actions of disable and enable. Every handler checks the user name before it builds a
 * request: IAM applies key and policy operations to the caller when `UserName` is absent, so an empty
 * name must never reach a call, whatever planned it.
 */
import { createHash } from 'node:crypto';
import {
  AttachUserPolicyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  paginateListAttachedUserPolicies,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { undoIdOf } from '../../plan/journal-fold.js';
import { Fault } from '../../errors.js';
import { IAM_USER_NAME, iamUserId, iamUserName } from '../../model/iam-identifiers.js';
import { ActionRegistry, kindMap, type ActionHandler, type ActionKind, type ApplyOutcome } from '../../plan/plan-types.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { listAccessKeys } from './read-iam-users.js';

export const RETIRE_KIND = {
  putDenyPolicy: 'iam.PutDenyAllUserPolicy',
  attachDenyPolicy: 'iam.AttachDenyAllUserPolicy',
  deactivateKey: 'iam.DeactivateAccessKey',
  deleteDenyPolicy: 'iam.DeleteDenyAllUserPolicy',
  detachDenyPolicy: 'iam.DetachDenyAllUserPolicy',
  reactivateKey: 'iam.ReactivateAccessKey',
} as const;

/** The inline deny-all disable adds; named so that enable (and a person) can tell it from any other. */
export const DENY_ALL_POLICY_NAME = 'iam2idc-deny-all';
export const DENY_ALL_DOCUMENT: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'Iam2idcDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] };

export interface RetireContext {
  iam: IAMClient;
}

const user = { userName: iamUserName, userId: iamUserId };
const inlinePolicyParams = z.strictObject({
  ...user,
  policyName: z.string().min(1).max(128),
  /** disable: attached instead when IAM says the inline budget is full (LimitExceeded). */
  fallbackPolicyArn: z.string().startsWith('arn:').optional(),
});
const managedPolicyParams = z.strictObject({ ...user, policyArn: z.string().startsWith('arn:') });
const accessKeyParams = z.strictObject({ ...user, accessKeyId: z.string().regex(/^\w{16,128}$/, 'not an access key ID') });

type UserParams = { userName: string; userId: string };
export type InlinePolicyParams = z.infer<typeof inlinePolicyParams>;
export type ManagedPolicyParams = z.infer<typeof managedPolicyParams>;
export type AccessKeyParams = z.infer<typeof accessKeyParams>;

/** What every action of disable and enable is: an IAM call on the user its parameters name. */
const onUser = { service: 'iam', principalOf: (p: UserParams) => ({ userName: p.userName, userId: p.userId }) } as const;

/**
 * The stale-plan fingerprint of a user: who they are (UserId, which a user re-created under the same
 * name does not keep) and which keys they have. Key status is left out on purpose: disable changes
 * it, and a saved plan resumed after an interruption must not look stale for its own work.
 */
export function userFingerprint(userId: string, keyIds: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([userId, [...keyIds].sort()])).digest('hex').slice(0, 16);
}

/** Registers the handlers of disable and enable. */
export function createRetireRegistry(context: RetireContext): ActionRegistry<RetireContext> {
  return new ActionRegistry(context).registerAll(retireHandlers());
}

/** What the actions of disable and enable mean, for checking a saved plan before any AWS call. */
export function retireKinds(): ReadonlyMap<string, ActionKind> {
  return kindMap(retireHandlers());
}

function retireHandlers(): ActionHandler<unknown, RetireContext>[] {
  return [putDenyPolicy, attachDenyPolicy, deactivateKey, deleteDenyPolicy, detachDenyPolicy, reactivateKey] as ActionHandler<unknown, RetireContext>[];
}

const putDenyPolicy: ActionHandler<InlinePolicyParams, RetireContext> = {
  kind: RETIRE_KIND.putDenyPolicy,
  ...onUser,
  params: inlinePolicyParams,
  risk: 'narrowing',
  async isDone(p, c, signal) {
    return (await hasInlinePolicy(c.iam, p, signal)) || (p.fallbackPolicyArn !== undefined && (await hasManagedPolicy(c.iam, { ...p, policyArn: p.fallbackPolicyArn }, signal)));
  },
  async apply(p, c, signal) {
    try {
      return await sent(c.iam.send(new PutUserPolicyCommand({ UserName: userName(p), PolicyName: p.policyName, PolicyDocument: JSON.stringify(DENY_ALL_DOCUMENT) }), { abortSignal: signal }));
    } catch (error) {
      // The user's inline policies may have grown since the plan: the managed deny-all needs no inline room.
      if (!(error instanceof Error) || error.name !== 'LimitExceededException' || p.fallbackPolicyArn === undefined) throw error;
      const outcome = await sent(c.iam.send(new AttachUserPolicyCommand({ UserName: userName(p), PolicyArn: p.fallbackPolicyArn }), { abortSignal: signal }));
      return { ...outcome, detail: `the inline policy budget was full: attached ${p.fallbackPolicyArn} instead` };
    }
  },
  fingerprint: (p, c, signal) => currentFingerprint(c.iam, p.userName, signal),
  // Its undo removes the fallback too, when that is what the call attached.
  inverse: (action) => ({ ...action, id: undoIdOf(action.id), kind: RETIRE_KIND.deleteDenyPolicy, risk: 'broadening', preview: `remove the inline policy ${action.params.policyName}`, dependsOn: [] }),
};

const attachDenyPolicy: ActionHandler<ManagedPolicyParams, RetireContext> = {
  kind: RETIRE_KIND.attachDenyPolicy,
  ...onUser,
  params: managedPolicyParams,
  risk: 'narrowing',
  isDone: (p, c, signal) => hasManagedPolicy(c.iam, p, signal),
  apply: (p, c, signal) => sent(c.iam.send(new AttachUserPolicyCommand({ UserName: userName(p), PolicyArn: p.policyArn }), { abortSignal: signal })),
  fingerprint: (p, c, signal) => currentFingerprint(c.iam, p.userName, signal),
  inverse: (action) => ({ ...action, id: undoIdOf(action.id), kind: RETIRE_KIND.detachDenyPolicy, risk: 'broadening', preview: `detach ${action.params.policyArn}`, dependsOn: [] }),
};

const deactivateKey: ActionHandler<AccessKeyParams, RetireContext> = {
  kind: RETIRE_KIND.deactivateKey,
  ...onUser,
  params: accessKeyParams,
  risk: 'narrowing',
  async isDone(p, c, signal) {
    const key = (await listAccessKeys(c.iam, userName(p), signal)).find((k) => k.accessKeyId === p.accessKeyId);
    // A key deleted since the plan can no longer be used: nothing is left to switch off.
    return key === undefined || key.status === 'Inactive';
  },
  apply: (p, c, signal) => sent(c.iam.send(new UpdateAccessKeyCommand({ UserName: userName(p), AccessKeyId: p.accessKeyId, Status: 'Inactive' }), { abortSignal: signal })),
  fingerprint: (p, c, signal) => currentFingerprint(c.iam, p.userName, signal),
  inverse: (action) => ({ ...action, id: undoIdOf(action.id), kind: RETIRE_KIND.reactivateKey, risk: 'broadening', preview: `reactivate access key ${action.params.accessKeyId}`, dependsOn: [] }),
};

const deleteDenyPolicy: ActionHandler<InlinePolicyParams, RetireContext> = {
  kind: RETIRE_KIND.deleteDenyPolicy,
  ...onUser,
  params: inlinePolicyParams,
  risk: 'broadening',
  // Either deny-all disable's put may have left: the inline one, or the fallback it attached when IAM's inline budget was full.
  isDone: async (p, c, signal) => !(await hasInlinePolicy(c.iam, p, signal)) && !(await hasFallback(c.iam, p, signal)),
  async apply(p, c, signal) {
    await requireSameUser(c.iam, p, signal);
    let requestId: string | null = null;
    if (await hasInlinePolicy(c.iam, p, signal)) {
      requestId = (await c.iam.send(new DeleteUserPolicyCommand({ UserName: userName(p), PolicyName: p.policyName }), { abortSignal: signal })).$metadata.requestId ?? null;
    }
    if (p.fallbackPolicyArn !== undefined && (await hasFallback(c.iam, p, signal))) {
      requestId = (await c.iam.send(new DetachUserPolicyCommand({ UserName: userName(p), PolicyArn: p.fallbackPolicyArn }), { abortSignal: signal })).$metadata.requestId ?? null;
      return { requestId, detail: `detached ${p.fallbackPolicyArn}, which disable attached when the inline budget was full` };
    }
    return { requestId };
  },
};

const detachDenyPolicy: ActionHandler<ManagedPolicyParams, RetireContext> = {
  kind: RETIRE_KIND.detachDenyPolicy,
  ...onUser,
  params: managedPolicyParams,
  risk: 'broadening',
  isDone: async (p, c, signal) => !(await hasManagedPolicy(c.iam, p, signal)),
  async apply(p, c, signal) {
    await requireSameUser(c.iam, p, signal);
    const output = await c.iam.send(new DetachUserPolicyCommand({ UserName: userName(p), PolicyArn: p.policyArn }), { abortSignal: signal });
    return { requestId: output.$metadata.requestId ?? null };
  },
};

const reactivateKey: ActionHandler<AccessKeyParams, RetireContext> = {
  kind: RETIRE_KIND.reactivateKey,
  ...onUser,
  params: accessKeyParams,
  risk: 'broadening',
  async isDone(p, c, signal) {
    const key = (await listAccessKeys(c.iam, userName(p), signal)).find((k) => k.accessKeyId === p.accessKeyId);
    return key?.status === 'Active';
  },
  async apply(p, c, signal) {
    await requireSameUser(c.iam, p, signal);
    try {
      const output = await c.iam.send(new UpdateAccessKeyCommand({ UserName: userName(p), AccessKeyId: p.accessKeyId, Status: 'Active' }), { abortSignal: signal });
      return { requestId: output.$metadata.requestId ?? null };
    } catch (error) {
      // Deleted since disable: there is nothing to switch back on, and enable should not fail on it forever.
      if (error instanceof Error && error.name === 'NoSuchEntityException') return { requestId: null, detail: `access key ${p.accessKeyId} no longer exists: nothing to reactivate` };
      throw error;
    }
  },
};

async function sent(call: Promise<{ $metadata: { requestId?: string } }>): Promise<ApplyOutcome> {
  return { requestId: (await call).$metadata.requestId ?? null };
}

async function hasFallback(iam: IAMClient, p: InlinePolicyParams, signal: AbortSignal): Promise<boolean> {
  return p.fallbackPolicyArn !== undefined && (await hasManagedPolicy(iam, { ...p, policyArn: p.fallbackPolicyArn }, signal));
}

/** The user name, checked before it goes into any request. */
function userName(p: UserParams): string {
  if (!IAM_USER_NAME.test(p.userName)) {
    throw new Fault('EMPTY_USER_NAME', `Refusing an IAM call with the user name "${p.userName}".`, 'This is a bug in iam2idc: a plan must name a valid IAM user. Please report it.');
  }
  return p.userName;
}

/** enable acts on the user disable changed, never on a user re-created under the same name. */
async function requireSameUser(iam: IAMClient, p: UserParams, signal: AbortSignal): Promise<void> {
  const { User } = await iam.send(new GetUserCommand({ UserName: userName(p) }), { abortSignal: signal });
  if (User?.UserId !== p.userId) {
    throw new Fault('USER_RECREATED', `${p.userName} is another user now (UserId ${User?.UserId ?? '?'}, disabled as ${p.userId}).`, 'Nothing of the old user is left to enable; the new user was never disabled by iam2idc.');
  }
}

async function hasInlinePolicy(iam: IAMClient, p: InlinePolicyParams, signal: AbortSignal): Promise<boolean> {
  try {
    await iam.send(new GetUserPolicyCommand({ UserName: userName(p), PolicyName: p.policyName }), { abortSignal: signal });
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchEntityException') return false;
    throw error;
  }
}

async function hasManagedPolicy(iam: IAMClient, p: ManagedPolicyParams, signal: AbortSignal): Promise<boolean> {
  for await (const page of paginateListAttachedUserPolicies({ client: iam }, { UserName: userName(p) }, { abortSignal: signal })) {
    if ((page.AttachedPolicies ?? []).some((a) => a.PolicyArn === p.policyArn)) return true;
  }
  return false;
}

async function currentFingerprint(iam: IAMClient, name: string, signal: AbortSignal): Promise<string | null> {
  try {
    const { User } = await iam.send(new GetUserCommand({ UserName: userName({ userName: name, userId: '' }) }), { abortSignal: signal });
    const keys = await listAccessKeys(iam, name, signal);
    return userFingerprint(User?.UserId ?? '', keys.map((k) => k.accessKeyId));
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchEntityException') return null;
    throw error;
  }
}
