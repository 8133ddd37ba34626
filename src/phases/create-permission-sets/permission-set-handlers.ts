import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreatePermissionSetCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import { ActionRegistry, kindMap, type ActionHandler, type ActionKind, type ApplyOutcome } from '../../plan/plan-types.js';
import { sessionDurationSeconds } from '../../workspace/mapping-schema.js';
import {
  PS_KIND,
  customerManagedKey,
  type CreateParams,
  type CustomerManagedParams,
  type ManagedPolicyParams,
  type UpdateParams,
} from './permission-set-actions.js';
import {
  definePermissionSetHandler,
  ignoreNotFound,
  outcomeOf,
  requirePermissionSetArn,
  sendSetChange,
  type PermissionSetContext,

} from './permission-set-context.js';
import { createPolicyHandlers } from './permission-set-policy-handlers.js';
import { createProvisionHandler } from './provision-permission-set.js';
import { describePermissionSet, listCustomerManagedReferences, listManagedPolicyArns } from './permission-set-readers.js';

/** The handlers of every action `planPermissionSets` plans, sharing one context. */
export function createPermissionSetRegistry(context: PermissionSetContext): ActionRegistry<PermissionSetContext> {
  return new ActionRegistry(context).registerAll(permissionSetHandlers());
}

/** What the actions on permission sets mean, for checking a saved plan before any AWS call. */
export function permissionSetKinds(): ReadonlyMap<string, ActionKind> {
  return kindMap(permissionSetHandlers());
}

function permissionSetHandlers(): ActionHandler<unknown, PermissionSetContext>[] {
  return [
    createHandler,
    updateHandler,
    attachManagedHandler,
    detachManagedHandler,
    attachCustomerManagedHandler,
    detachCustomerManagedHandler,
    ...createPolicyHandlers(),
    createProvisionHandler(),
  ] as ActionHandler<unknown, PermissionSetContext>[];
}

const createHandler = definePermissionSetHandler<CreateParams>(PS_KIND.create, {
  async isDone(params, context) {
    return (await context.resolveArn(params.permissionSetName)) !== null;
  },
  async apply(params, context, signal): Promise<ApplyOutcome> {
    const input = {
      InstanceArn: context.instanceArn,
      Name: params.permissionSetName,
      ...(params.description === null ? {} : { Description: params.description }),
      SessionDuration: params.sessionDuration,
      Tags: Object.entries(params.tags).map(([Key, Value]) => ({ Key, Value })),
    };
    // A ConflictException here is a set of that name already there (made by a run that stopped before recording it).
    const existsNow = async () => (await context.resolveArn(params.permissionSetName, { fresh: true })) !== null;
    const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new CreatePermissionSetCommand(input), { abortSignal: signal }), existsNow);
    const arn = out?.PermissionSet?.PermissionSetArn;
    if (arn) context.rememberArn(params.permissionSetName, arn);
    return outcomeOf(out, arn ?? 'it already existed');
  },
});

const updateHandler = definePermissionSetHandler<UpdateParams>(PS_KIND.update, {
  async isDone(params, context, signal) {
    const arn = await context.resolveArn(params.permissionSetName);
    const set = arn === null ? null : await describePermissionSet(context.ssoAdmin, context.instanceArn, arn, signal);
    if (set === null) return false;
    const sameDuration = sessionDurationSeconds(set.sessionDuration) === sessionDurationSeconds(params.sessionDuration);
    return sameDuration && (params.description === null || set.description === params.description);
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    // Both fields are always sent: an endpoint may reset a field that is left out (moto resets the duration).
    const input = {
      InstanceArn: context.instanceArn,
      PermissionSetArn: arn,
      SessionDuration: params.sessionDuration,
      ...(params.description === null ? {} : { Description: params.description }),
    };
    const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new UpdatePermissionSetCommand(input), { abortSignal: signal }));
    return outcomeOf(out);
  },
});

async function hasManagedPolicy(params: ManagedPolicyParams, context: PermissionSetContext): Promise<boolean | null> {
  const arn = await context.resolveArn(params.permissionSetName);
  if (arn === null) return null;
  return (await listManagedPolicyArns(context.ssoAdmin, context.instanceArn, arn)).includes(params.managedPolicyArn);
}

const attachManagedHandler = definePermissionSetHandler<ManagedPolicyParams>(PS_KIND.attachManaged, {
  isDone: async (params, context) => (await hasManagedPolicy(params, context)) === true,
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, ManagedPolicyArn: params.managedPolicyArn };
    const out = await sendSetChange(
      context,
      params.permissionSetName,
      signal,
      () => context.ssoAdmin.send(new AttachManagedPolicyToPermissionSetCommand(input), { abortSignal: signal }),
      async () => (await hasManagedPolicy(params, context)) === true,
    );
    return outcomeOf(out, out === null ? 'it was already attached' : undefined);
  },
});

const detachManagedHandler = definePermissionSetHandler<ManagedPolicyParams>(PS_KIND.detachManaged, {
  // A set that is gone has nothing attached.
  isDone: async (params, context) => (await hasManagedPolicy(params, context)) !== true,
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, ManagedPolicyArn: params.managedPolicyArn };
    const out = await sendSetChange(context, params.permissionSetName, signal, () => ignoreNotFound(context.ssoAdmin.send(new DetachManagedPolicyFromPermissionSetCommand(input), { abortSignal: signal })));
    return outcomeOf(out);
  },
});

async function hasCustomerManaged(params: CustomerManagedParams, context: PermissionSetContext): Promise<boolean | null> {
  const arn = await context.resolveArn(params.permissionSetName);
  if (arn === null) return null;
  const refs = await listCustomerManagedReferences(context.ssoAdmin, context.instanceArn, arn);
  return refs.some((ref) => customerManagedKey(ref) === customerManagedKey(params.policy));
}

const attachCustomerManagedHandler = definePermissionSetHandler<CustomerManagedParams>(PS_KIND.attachCustomerManaged, {
  isDone: async (params, context) => (await hasCustomerManaged(params, context)) === true,
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, CustomerManagedPolicyReference: { Name: params.policy.name, Path: params.policy.path } };
    const out = await sendSetChange(
      context,
      params.permissionSetName,
      signal,
      () => context.ssoAdmin.send(new AttachCustomerManagedPolicyReferenceToPermissionSetCommand(input), { abortSignal: signal }),
      async () => (await hasCustomerManaged(params, context)) === true,
    );
    return outcomeOf(out, out === null ? 'it was already attached' : undefined);
  },
});

const detachCustomerManagedHandler = definePermissionSetHandler<CustomerManagedParams>(PS_KIND.detachCustomerManaged, {
  isDone: async (params, context) => (await hasCustomerManaged(params, context)) !== true,
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, CustomerManagedPolicyReference: { Name: params.policy.name, Path: params.policy.path } };
    const out = await sendSetChange(context, params.permissionSetName, signal, () =>
      ignoreNotFound(context.ssoAdmin.send(new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand(input), { abortSignal: signal })),
    );
    return outcomeOf(out);
  },
});
