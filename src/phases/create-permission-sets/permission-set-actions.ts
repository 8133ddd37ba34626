import type { PlannedAction, Risk } from '../../plan/plan-types.js';
import { sessionDurationSeconds } from '../../workspace/mapping-schema.js';
import { isPolicyBroadening } from './compare-policies.js';
import type { PolicyDocument } from '../../model/inventory.js';
import type { PermissionsBoundary } from './types.js';

/**
 * The kinds of action that change a permission set, their parameters, and how each is written into
 * a plan. Parameters address the set by instance and name, never by ARN: a saved plan must also work
 * for a set that an earlier action of the same plan creates.
 */

/** The kind of each action, which names its handler. */
export const PS_KIND = {
  create: 'sso.CreatePermissionSet',
  update: 'sso.UpdatePermissionSet',
  attachManaged: 'sso.AttachManagedPolicy',
  detachManaged: 'sso.DetachManagedPolicy',
  attachCustomerManaged: 'sso.AttachCustomerManagedPolicyReference',
  detachCustomerManaged: 'sso.DetachCustomerManagedPolicyReference',
  putInline: 'sso.PutInlinePolicy',
  deleteInline: 'sso.DeleteInlinePolicy',
  putBoundary: 'sso.PutPermissionsBoundary',
  deleteBoundary: 'sso.DeletePermissionsBoundary',
  tag: 'sso.TagPermissionSet',
  untag: 'sso.UntagPermissionSet',
  provision: 'sso.ProvisionPermissionSet',
} as const;

export type PermissionSetKind = (typeof PS_KIND)[keyof typeof PS_KIND];

/** Every parameter object names its set this way. */
export interface PermissionSetRef {
  instanceArn: string;
  permissionSetName: string;
}

export interface CreateParams extends PermissionSetRef {
  description: string | null;
  sessionDuration: string;
  tags: Record<string, string>;
}

export interface UpdateParams extends PermissionSetRef {
  description: string | null;
  sessionDuration: string;
  /** What it was, so that the change can be undone. */
  previous: { description: string | null; sessionDuration: string };
}

export interface ManagedPolicyParams extends PermissionSetRef {
  managedPolicyArn: string;
}

export interface CustomerManagedParams extends PermissionSetRef {
  policy: { name: string; path: string };
}

export interface PutInlineParams extends PermissionSetRef {
  policy: PolicyDocument;
  previous: PolicyDocument | null;
}

export interface DeleteInlineParams extends PermissionSetRef {
  previous: PolicyDocument | null;
}

export interface PutBoundaryParams extends PermissionSetRef {
  boundary: PermissionsBoundary;
  previous: PermissionsBoundary | null;
}

export interface DeleteBoundaryParams extends PermissionSetRef {
  previous: PermissionsBoundary | null;
}

export interface TagParams extends PermissionSetRef {
  tags: Record<string, string>;
  /** The value each key had before, or null when it was absent. */
  previous: Record<string, string | null>;
}

export interface UntagParams extends PermissionSetRef {
  tagKeys: string[];
  previous: Record<string, string>;
}

/** What varies between the actions of one set; the builder fills in the rest. */
export interface ActionSpec<P extends PermissionSetRef> {
  kind: PermissionSetKind;
  /** `create`, `attach-managed`, …: the id is `ps/<Set>/<verb>[/<detail>]`. */
  verb: string;
  detail?: string;
  preview: string;
  params: P;
  dependsOn?: string[];
  fingerprint?: string | null;
}

/** The stable id of an action on a set. */
export function permissionSetActionId(setName: string, verb: string, detail?: string): string {
  return detail === undefined ? `ps/${setName}/${verb}` : `ps/${setName}/${verb}/${detail}`;
}

/** Builds a planned action on one permission set. */
export function buildPermissionSetAction<P extends PermissionSetRef>(spec: ActionSpec<P>): PlannedAction<P> {
  return {
    id: permissionSetActionId(spec.params.permissionSetName, spec.verb, spec.detail),
    kind: spec.kind,
    service: 'sso-admin',
    target: `permission set ${spec.params.permissionSetName}`,
    // From the kind and parameters, as the engine derives it: a planner cannot say otherwise.
    risk: permissionSetRisk(spec.kind, spec.params),
    preview: spec.preview,
    params: spec.params,
    dependsOn: spec.dependsOn ?? [],
    fingerprint: spec.fingerprint ?? null,
  };
}

/** `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` → `job-function/ViewOnlyAccess`. */
export function managedPolicyLabel(arn: string): string {
  const at = arn.indexOf(':policy/');
  return at === -1 ? arn : arn.slice(at + ':policy/'.length);
}

/** How two customer-managed references are told apart: IAM names a policy by its path and name. */
export function customerManagedKey(ref: { name: string; path: string }): string {
  return `${ref.path}${ref.name}`;
}

/** `{ path: '/team/', name: 'x' }` → `team/x`: readable, and unique per path and name. */
export function customerManagedLabel(policy: { name: string; path: string }): string {
  return `${policy.path.replace(/^\//, '')}${policy.name}`;
}

/** A boundary in one line, for previews. */
export function describeBoundary(boundary: PermissionsBoundary): string {
  return 'managedPolicyArn' in boundary
    ? `AWS-managed ${managedPolicyLabel(boundary.managedPolicyArn)}`
    : `customer-managed ${customerManagedLabel(boundary.customerManagedPolicy)}`;
}

/**
 * The risk of an action on a set. A new or longer session, an attachment, a policy that grants more,
 * a boundary removed or loosened: broadening. Provisioning pushes whatever the set now says to its
 * accounts, so it counts as broadening whatever its changes are. Tags grant nothing (narrowing, so
 * that they do not raise a plan's risk).
 */
export function permissionSetRisk(kind: PermissionSetKind, params: PermissionSetRef): Risk {
  switch (kind) {
    case PS_KIND.create:
    case PS_KIND.attachManaged:
    case PS_KIND.attachCustomerManaged:
    case PS_KIND.deleteBoundary:
    case PS_KIND.provision:
      return 'broadening';
    case PS_KIND.update: {
      const p = params as UpdateParams;
      return updateRisk(p.sessionDuration, p.previous.sessionDuration);
    }
    case PS_KIND.putInline: {
      const p = params as PutInlineParams;
      return isPolicyBroadening(p.policy, p.previous) ? 'broadening' : 'narrowing';
    }
    case PS_KIND.deleteInline:
      return isPolicyBroadening(null, (params as DeleteInlineParams).previous) ? 'broadening' : 'narrowing';
    case PS_KIND.putBoundary:
      return (params as PutBoundaryParams).previous === null ? 'narrowing' : 'broadening';
    default:
      return 'narrowing';
  }
}

/**
 * A longer session keeps credentials valid for longer, so it counts as broadening; a shorter one,
 * or a description alone, changes no grant.
 */
export function updateRisk(nextDuration: string, previousDuration: string): Risk {
  const next = sessionDurationSeconds(nextDuration) ?? Number.POSITIVE_INFINITY;
  const previous = sessionDurationSeconds(previousDuration) ?? 0;
  return next > previous ? 'broadening' : 'narrowing';
}

/** One line for an update: what changes. */
export function describeUpdate(next: { description: string | null; sessionDuration: string }, previous: { description: string | null; sessionDuration: string }): string {
  const parts: string[] = [];
  if (sessionDurationSeconds(next.sessionDuration) !== sessionDurationSeconds(previous.sessionDuration)) {
    parts.push(`session duration ${previous.sessionDuration} → ${next.sessionDuration}`);
  }
  if (next.description !== previous.description) parts.push('description');
  return `update ${parts.length > 0 ? parts.join(' and ') : 'settings'}`;
}

/**
 * Attach ↔ detach, put ↔ delete, update back, tag ↔ untag. The inverse carries no fingerprint: it is
 * planned later, against the state of that time. Creating a set and provisioning it have none.
 */
export function invertPermissionSetAction(action: PlannedAction): PlannedAction | null {
  const ref = (p: PermissionSetRef): PermissionSetRef => ({ instanceArn: p.instanceArn, permissionSetName: p.permissionSetName });
  switch (action.kind) {
    case PS_KIND.attachManaged:
    case PS_KIND.detachManaged: {
      const p = action.params as ManagedPolicyParams;
      const attach = action.kind === PS_KIND.detachManaged;
      return buildPermissionSetAction({
        kind: attach ? PS_KIND.attachManaged : PS_KIND.detachManaged,
        verb: attach ? 'attach-managed' : 'detach-managed',
        detail: managedPolicyLabel(p.managedPolicyArn),
        preview: `${attach ? 'attach' : 'detach'} AWS-managed policy ${managedPolicyLabel(p.managedPolicyArn)}`,
        params: { ...ref(p), managedPolicyArn: p.managedPolicyArn },
      });
    }
    case PS_KIND.attachCustomerManaged:
    case PS_KIND.detachCustomerManaged: {
      const p = action.params as CustomerManagedParams;
      const attach = action.kind === PS_KIND.detachCustomerManaged;
      return buildPermissionSetAction({
        kind: attach ? PS_KIND.attachCustomerManaged : PS_KIND.detachCustomerManaged,
        verb: attach ? 'attach-customer-managed' : 'detach-customer-managed',
        detail: customerManagedLabel(p.policy),
        preview: `${attach ? 'attach' : 'detach'} customer-managed policy ${customerManagedLabel(p.policy)}`,
        params: { ...ref(p), policy: p.policy },
      });
    }
    case PS_KIND.putInline:
    case PS_KIND.deleteInline: {
      const p = action.params as PutInlineParams | DeleteInlineParams;
      const current = 'policy' in p ? p.policy : null;
      if (p.previous === null) return buildPermissionSetAction({ kind: PS_KIND.deleteInline, verb: 'delete-inline', preview: 'delete the inline policy', params: { ...ref(p), previous: current } });
      return buildPermissionSetAction({ kind: PS_KIND.putInline, verb: 'put-inline', preview: 'put back the previous inline policy', params: { ...ref(p), policy: p.previous, previous: current } });
    }
    case PS_KIND.putBoundary:
    case PS_KIND.deleteBoundary: {
      const p = action.params as PutBoundaryParams | DeleteBoundaryParams;
      const current = 'boundary' in p ? p.boundary : null;
      if (p.previous === null) return buildPermissionSetAction({ kind: PS_KIND.deleteBoundary, verb: 'delete-boundary', preview: 'delete the permissions boundary', params: { ...ref(p), previous: current } });
      return buildPermissionSetAction({ kind: PS_KIND.putBoundary, verb: 'put-boundary', preview: `put back permissions boundary ${describeBoundary(p.previous)}`, params: { ...ref(p), boundary: p.previous, previous: current } });
    }
    case PS_KIND.update: {
      const p = action.params as UpdateParams;
      return buildPermissionSetAction({
        kind: PS_KIND.update,
        verb: 'update',
        preview: describeUpdate(p.previous, p),
        params: { ...ref(p), description: p.previous.description, sessionDuration: p.previous.sessionDuration, previous: { description: p.description, sessionDuration: p.sessionDuration } },
      });
    }
    case PS_KIND.tag: {
      const p = action.params as TagParams;
      // Only a tag that was absent before can be undone by removing it; one that was overwritten needs its old value back.
      if (Object.values(p.previous).some((v) => v !== null)) return null;
      const keys = Object.keys(p.tags).sort();
      return buildPermissionSetAction({ kind: PS_KIND.untag, verb: 'untag', preview: `remove tags ${keys.join(', ')}`, params: { ...ref(p), tagKeys: keys, previous: p.tags } });
    }
    case PS_KIND.untag: {
      const p = action.params as UntagParams;
      const previous = Object.fromEntries(Object.keys(p.previous).map((k) => [k, null]));
      return buildPermissionSetAction({ kind: PS_KIND.tag, verb: 'tag', preview: `put back tags ${Object.keys(p.previous).sort().join(', ')}`, params: { ...ref(p), tags: p.previous, previous } });
    }
    default:
      return null;
  }
}
