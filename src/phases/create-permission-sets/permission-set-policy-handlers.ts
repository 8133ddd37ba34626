import {
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type PermissionsBoundary as SdkPermissionsBoundary,
} from '@aws-sdk/client-sso-admin';
import { arePoliciesEqual, hashCanonical, renderInlinePolicyText } from './compare-policies.js';
import {
  PS_KIND,
  type DeleteBoundaryParams,
  type DeleteInlineParams,
  type PutBoundaryParams,
  type PutInlineParams,
  type TagParams,
  type UntagParams,
} from './permission-set-actions.js';
import {
  definePermissionSetHandler,
  ignoreNotFound,
  outcomeOf,
  requirePermissionSetArn,
  sendSetChange,
  type PermissionSetContext,

} from './permission-set-context.js';
import { getInlinePolicy, getPermissionsBoundary, listPermissionSetTags } from './permission-set-readers.js';
import type { PermissionsBoundary } from './types.js';
import type { ActionHandler } from '../../plan/plan-types.js';

/**
 * Handlers for the inline policy, the permissions boundary and the tags. "Done" compares what
 * Identity Center holds now with what the action wants, the same way the plan compared them.
 */
export function createPolicyHandlers(): ActionHandler<unknown, PermissionSetContext>[] {
  return [putInlineHandler, deleteInlineHandler, putBoundaryHandler, deleteBoundaryHandler, tagHandler, untagHandler];
}

/** Runs `read` on the set's ARN, or answers `absent` when the set does not exist. */
async function readOf<T>(context: PermissionSetContext, name: string, absent: T, read: (arn: string) => Promise<T>): Promise<T> {
  const arn = await context.resolveArn(name);
  return arn === null ? absent : read(arn);
}

const putInlineHandler = definePermissionSetHandler<PutInlineParams>(PS_KIND.putInline, {
  async isDone(params, context, signal) {
    const current = await readOf(context, params.permissionSetName, null, (arn) => getInlinePolicy(context.ssoAdmin, context.instanceArn, arn, signal));
    return current !== null && arePoliciesEqual(current, params.policy);
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, InlinePolicy: renderInlinePolicyText(params.policy) };
    const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new PutInlinePolicyToPermissionSetCommand(input), { abortSignal: signal }));
    return outcomeOf(out);
  },
});

const deleteInlineHandler = definePermissionSetHandler<DeleteInlineParams>(PS_KIND.deleteInline, {
  async isDone(params, context, signal) {
    return (await readOf(context, params.permissionSetName, null, (arn) => getInlinePolicy(context.ssoAdmin, context.instanceArn, arn, signal))) === null;
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn };
    const out = await sendSetChange(context, params.permissionSetName, signal, () =>
      ignoreNotFound(context.ssoAdmin.send(new DeleteInlinePolicyFromPermissionSetCommand(input), { abortSignal: signal })),
    );
    return outcomeOf(out);
  },
});

function toSdkBoundary(boundary: PermissionsBoundary): SdkPermissionsBoundary {
  return 'managedPolicyArn' in boundary
    ? { ManagedPolicyArn: boundary.managedPolicyArn }
    : { CustomerManagedPolicyReference: { Name: boundary.customerManagedPolicy.name, Path: boundary.customerManagedPolicy.path } };
}

const putBoundaryHandler = definePermissionSetHandler<PutBoundaryParams>(PS_KIND.putBoundary, {
  async isDone(params, context, signal) {
    const current = await readOf(context, params.permissionSetName, null, (arn) => getPermissionsBoundary(context.ssoAdmin, context.instanceArn, arn, signal));
    return current !== null && current !== 'unreadable' && hashCanonical(current) === hashCanonical(params.boundary);
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, PermissionsBoundary: toSdkBoundary(params.boundary) };
    const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new PutPermissionsBoundaryToPermissionSetCommand(input), { abortSignal: signal }));
    return outcomeOf(out);
  },
});

const deleteBoundaryHandler = definePermissionSetHandler<DeleteBoundaryParams>(PS_KIND.deleteBoundary, {
  async isDone(params, context, signal) {
    return (await readOf(context, params.permissionSetName, null, (arn) => getPermissionsBoundary(context.ssoAdmin, context.instanceArn, arn, signal))) === null;
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn };
    const out = await sendSetChange(context, params.permissionSetName, signal, () =>
      ignoreNotFound(context.ssoAdmin.send(new DeletePermissionsBoundaryFromPermissionSetCommand(input), { abortSignal: signal })),
    );
    return outcomeOf(out);
  },
});

const tagHandler = definePermissionSetHandler<TagParams>(PS_KIND.tag, {
  async isDone(params, context) {
    const tags = await readOf(context, params.permissionSetName, null, (arn) => listPermissionSetTags(context.ssoAdmin, context.instanceArn, arn));
    return tags !== null && tags !== 'unreadable' && Object.entries(params.tags).every(([key, value]) => tags[key] === value);
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, ResourceArn: arn, Tags: Object.entries(params.tags).map(([Key, Value]) => ({ Key, Value })) };
    const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new TagResourceCommand(input), { abortSignal: signal }));
    return outcomeOf(out);
  },
});

const untagHandler = definePermissionSetHandler<UntagParams>(PS_KIND.untag, {
  async isDone(params, context) {
    const tags = await readOf(context, params.permissionSetName, null, (arn) => listPermissionSetTags(context.ssoAdmin, context.instanceArn, arn));
    if (tags === null) return true;
    return tags !== 'unreadable' && params.tagKeys.every((key) => !(key in tags));
  },
  async apply(params, context, signal) {
    const arn = await requirePermissionSetArn(context, params.permissionSetName);
    const input = { InstanceArn: context.instanceArn, ResourceArn: arn, TagKeys: params.tagKeys };
    const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new UntagResourceCommand(input), { abortSignal: signal }));
    return outcomeOf(out);
  },
});
