/**
 * The shape and the meaning of every action on a permission set, from its kind and parameters alone:
 * the engine parses a saved plan's parameters with these and derives each action's risk from them,
 * so that no file can say an action grants less than it does.
 */
import { z } from 'zod';
import type { ActionKind } from '../../plan/plan-types.js';
import type { PolicyDocument } from '../../model/inventory.js';
import {
  PS_KIND,
  permissionSetRisk,
  type CreateParams,
  type CustomerManagedParams,
  type DeleteBoundaryParams,
  type DeleteInlineParams,
  type ManagedPolicyParams,
  type PermissionSetKind,
  type PermissionSetRef,
  type PutBoundaryParams,
  type PutInlineParams,
  type TagParams,
  type UntagParams,
  type UpdateParams,
} from './permission-set-actions.js';
import type { PermissionsBoundary } from './types.js';

const ref = { instanceArn: z.string().startsWith('arn:'), permissionSetName: z.string().regex(/^[\w+=,.@-]{1,32}$/, 'not a permission set name') };
// A policy document is checked for what the engine reads of it; IAM itself validates the rest.
const policyDocument = z.looseObject({ Statement: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]) }) as unknown as z.ZodType<PolicyDocument>;
const customerManagedRef = z.strictObject({ name: z.string().min(1), path: z.string().startsWith('/') });
const boundary = z.union([z.strictObject({ managedPolicyArn: z.string().startsWith('arn:') }), z.strictObject({ customerManagedPolicy: customerManagedRef })]) as z.ZodType<PermissionsBoundary>;
const settings = { description: z.string().nullable(), sessionDuration: z.string().min(1) };

const create: z.ZodType<CreateParams> = z.strictObject({ ...ref, ...settings, tags: z.record(z.string(), z.string()) });
const update: z.ZodType<UpdateParams> = z.strictObject({ ...ref, ...settings, previous: z.strictObject(settings) });
const managed: z.ZodType<ManagedPolicyParams> = z.strictObject({ ...ref, managedPolicyArn: z.string().startsWith('arn:') });
const customerManaged: z.ZodType<CustomerManagedParams> = z.strictObject({ ...ref, policy: customerManagedRef });
const putInline: z.ZodType<PutInlineParams> = z.strictObject({ ...ref, policy: policyDocument, previous: policyDocument.nullable() });
const deleteInline: z.ZodType<DeleteInlineParams> = z.strictObject({ ...ref, previous: policyDocument.nullable() });
const putBoundary: z.ZodType<PutBoundaryParams> = z.strictObject({ ...ref, boundary, previous: boundary.nullable() });
const deleteBoundary: z.ZodType<DeleteBoundaryParams> = z.strictObject({ ...ref, previous: boundary.nullable() });
const tag: z.ZodType<TagParams> = z.strictObject({ ...ref, tags: z.record(z.string(), z.string()), previous: z.record(z.string(), z.string().nullable()) });
const untag: z.ZodType<UntagParams> = z.strictObject({ ...ref, tagKeys: z.array(z.string()), previous: z.record(z.string(), z.string()) });
const provision: z.ZodType<PermissionSetRef> = z.strictObject(ref);

const PARAMS: Record<PermissionSetKind, z.ZodType<PermissionSetRef>> = {
  [PS_KIND.create]: create,
  [PS_KIND.update]: update,
  [PS_KIND.attachManaged]: managed,
  [PS_KIND.detachManaged]: managed,
  [PS_KIND.attachCustomerManaged]: customerManaged,
  [PS_KIND.detachCustomerManaged]: customerManaged,
  [PS_KIND.putInline]: putInline,
  [PS_KIND.deleteInline]: deleteInline,
  [PS_KIND.putBoundary]: putBoundary,
  [PS_KIND.deleteBoundary]: deleteBoundary,
  [PS_KIND.tag]: tag,
  [PS_KIND.untag]: untag,
  [PS_KIND.provision]: provision,
};

/** What an action of this kind is: Identity Center's lane, its parameters' shape, its risk. */
export function permissionSetKind<P extends PermissionSetRef>(kind: PermissionSetKind): Required<Pick<ActionKind<P>, 'service' | 'params' | 'riskOf'>> {
  return { service: 'sso-admin', params: PARAMS[kind] as unknown as z.ZodType<P>, riskOf: (params: P) => permissionSetRisk(kind, params) };
}
