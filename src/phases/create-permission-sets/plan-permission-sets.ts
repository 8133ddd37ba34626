import type { PlannedAction } from '../../plan/plan-types.js';
import { sessionDurationSeconds } from '../../workspace/mapping-schema.js';
import { arePoliciesEqual, canonicalizePolicyValue, hashCanonical, isPolicyBroadening } from './compare-policies.js';
import {
  PS_KIND,
  buildPermissionSetAction,
  customerManagedKey,
  customerManagedLabel,
  describeBoundary,
  describeUpdate,
  managedPolicyLabel,
  type PermissionSetRef,
} from './permission-set-actions.js';
import type { CurrentPermissionSet, DesiredPermissionSet } from './types.js';

/** The fingerprint of a set that does not exist yet. */
export const ABSENT_FINGERPRINT = 'absent';

/** Tags in this namespace are the tool's own; any other tag on a set belongs to someone else and is left alone. */
export const TOOL_TAG_PREFIX = 'iam2idc:';

/**
 * A stable hash of everything the plan compared about a set, plus its ARN (a set deleted and
 * re-created under the same name is another set) and where it is provisioned (a plan made before the
 * set was provisioned would otherwise change it without provisioning it). Whether its accounts are
 * up to date is left out: that is what provisioning changes, not what the set is.
 */
export function fingerprintPermissionSet(current: CurrentPermissionSet | undefined | null): string {
  if (!current) return ABSENT_FINGERPRINT;
  return hashCanonical({
    arn: current.arn,
    name: current.name,
    description: current.description,
    sessionSeconds: sessionDurationSeconds(current.sessionDuration),
    managedPolicies: current.managedPolicies,
    customerManagedPolicies: current.customerManagedPolicies.map(customerManagedKey),
    inlinePolicy: current.inlinePolicy === null ? null : canonicalizePolicyValue(current.inlinePolicy),
    permissionsBoundary: current.permissionsBoundary,
    tags: current.tags,
    provisionedAccounts: current.provisionedAccounts,
    unreadable: current.unreadable ?? [],
  });
}

/**
 * The actions that make Identity Center match the desired permission sets, and nothing else. Pure.
 * A new set is created, then given its policies. An existing set gets only its differences, which
 * are independent of one another (a failed attachment does not hold back the inline policy); when
 * it is provisioned somewhere, one provisioning follows them all. Sets that are not desired are
 * never looked at, and an unchanged set yields no action, so a re-run after success plans nothing.
 */
export function planPermissionSets(desired: DesiredPermissionSet[], current: Map<string, CurrentPermissionSet>, instanceArn: string): PlannedAction[] {
  const actions: PlannedAction[] = [];
  for (const set of desired) {
    const existing = current.get(set.name);
    actions.push(...(existing ? planChanges(set, existing, instanceArn) : planCreation(set, instanceArn)));
  }
  return actions;
}

function planCreation(set: DesiredPermissionSet, instanceArn: string): PlannedAction[] {
  const ref: PermissionSetRef = { instanceArn, permissionSetName: set.name };
  const fingerprint = ABSENT_FINGERPRINT;
  const create = buildPermissionSetAction({
    kind: PS_KIND.create,
    verb: 'create',
    preview: `create permission set ${set.name} (session ${set.sessionDuration})`,
    params: { ...ref, description: set.description, sessionDuration: set.sessionDuration, tags: set.tags },
    fingerprint,
  });
  const empty: CurrentPermissionSet = {
    ...set,
    arn: '',
    managedPolicies: [],
    customerManagedPolicies: [],
    inlinePolicy: null,
    permissionsBoundary: null,
    tags: set.tags,
    provisionedAccounts: [],
  };
  const follow = planPolicyChanges(set, empty, ref, fingerprint).map((action) => ({ ...action, dependsOn: [create.id] }));
  return [create, ...follow];
}

function planChanges(set: DesiredPermissionSet, current: CurrentPermissionSet, instanceArn: string): PlannedAction[] {
  const ref: PermissionSetRef = { instanceArn, permissionSetName: set.name };
  const fingerprint = fingerprintPermissionSet(current);
  const changes: PlannedAction[] = [];

  // Identity Center cannot remove a description (it must be 1–700 characters): none desired means "leave it".
  const description = set.description ?? current.description;
  const durationChanged = sessionDurationSeconds(set.sessionDuration) !== sessionDurationSeconds(current.sessionDuration);
  if (durationChanged || description !== current.description) {
    const next = { description, sessionDuration: set.sessionDuration };
    const previous = { description: current.description, sessionDuration: current.sessionDuration };
    changes.push(
      buildPermissionSetAction({
        kind: PS_KIND.update,
        verb: 'update',
        preview: describeUpdate(next, previous),
        params: { ...ref, ...next, previous },
        fingerprint,
      }),
    );
  }
  changes.push(...planPolicyChanges(set, current, ref, fingerprint));
  const tagActions = planTagChanges(set, current, ref, fingerprint);

  // Tags do not reach the accounts' roles; everything else needs provisioning to take effect there.
  const outdated = current.outdatedAccounts ?? [];
  const needsProvisioning = current.provisionedAccounts.length > 0 && (changes.length > 0 || outdated.length > 0);
  if (!needsProvisioning) return [...changes, ...tagActions];
  const count = current.provisionedAccounts.length;
  const provision = buildPermissionSetAction({
    kind: PS_KIND.provision,
    verb: 'provision',
    preview: `provision to the ${count} account${count === 1 ? '' : 's'} it is provisioned to${changes.length === 0 ? ' (not up to date there)' : ''}`,
    params: ref,
    dependsOn: changes.map((a) => a.id),
    fingerprint,
  });
  return [...changes, ...tagActions, provision];
}

/** Attachments, the inline policy and the boundary: the parts that decide what the set grants. */
function planPolicyChanges(set: DesiredPermissionSet, current: CurrentPermissionSet, ref: PermissionSetRef, fingerprint: string): PlannedAction[] {
  const actions: PlannedAction[] = [];
  const have = new Set(current.managedPolicies);
  const want = new Set(set.managedPolicies);
  for (const arn of [...want].filter((a) => !have.has(a)).sort()) {
    const label = managedPolicyLabel(arn);
    actions.push(buildPermissionSetAction({ kind: PS_KIND.attachManaged, verb: 'attach-managed', detail: label, preview: `attach AWS-managed policy ${label}`, params: { ...ref, managedPolicyArn: arn }, fingerprint }));
  }
  for (const arn of [...have].filter((a) => !want.has(a)).sort()) {
    const label = managedPolicyLabel(arn);
    actions.push(buildPermissionSetAction({ kind: PS_KIND.detachManaged, verb: 'detach-managed', detail: label, preview: `detach AWS-managed policy ${label}`, params: { ...ref, managedPolicyArn: arn }, fingerprint }));
  }

  const haveRefs = new Map(current.customerManagedPolicies.map((p) => [customerManagedKey(p), p]));
  const wantRefs = new Map(set.customerManagedPolicies.map((p) => [customerManagedKey(p), p]));
  for (const [key, policy] of [...wantRefs].filter(([k]) => !haveRefs.has(k)).sort(([a], [b]) => a.localeCompare(b))) {
    const label = customerManagedLabel(policy);
    actions.push(buildPermissionSetAction({ kind: PS_KIND.attachCustomerManaged, verb: 'attach-customer-managed', detail: label, preview: `attach customer-managed policy ${key}`, params: { ...ref, policy: { name: policy.name, path: policy.path } }, fingerprint }));
  }
  for (const [key, policy] of [...haveRefs].filter(([k]) => !wantRefs.has(k)).sort(([a], [b]) => a.localeCompare(b))) {
    const label = customerManagedLabel(policy);
    actions.push(buildPermissionSetAction({ kind: PS_KIND.detachCustomerManaged, verb: 'detach-customer-managed', detail: label, preview: `detach customer-managed policy ${key}`, params: { ...ref, policy: { name: policy.name, path: policy.path } }, fingerprint }));
  }

  if (set.inlinePolicy === null && current.inlinePolicy !== null) {
    actions.push(buildPermissionSetAction({ kind: PS_KIND.deleteInline, verb: 'delete-inline', preview: 'delete the inline policy', params: { ...ref, previous: current.inlinePolicy }, fingerprint }));
  } else if (set.inlinePolicy !== null && !arePoliciesEqual(set.inlinePolicy, current.inlinePolicy)) {
    const broadening = isPolicyBroadening(set.inlinePolicy, current.inlinePolicy);
    const verb = current.inlinePolicy === null ? 'put' : 'replace';
    actions.push(buildPermissionSetAction({ kind: PS_KIND.putInline, verb: 'put-inline', preview: `${verb} the inline policy${broadening ? ' (grants more)' : ' (grants less)'}`, params: { ...ref, policy: set.inlinePolicy, previous: current.inlinePolicy }, fingerprint }));
  }

  // A boundary the mapping does not mention is not the tool's to change (it may be an organisation guardrail).
  const boundary = set.permissionsBoundary;
  if (current.unreadable?.includes('permissionsBoundary') || boundary === undefined) return actions;
  const previous = current.permissionsBoundary ?? null;
  if (boundary === null && previous !== null) {
    actions.push(buildPermissionSetAction({ kind: PS_KIND.deleteBoundary, verb: 'delete-boundary', preview: `delete permissions boundary ${describeBoundary(previous)}`, params: { ...ref, previous }, fingerprint }));
  } else if (boundary !== null && hashCanonical(boundary) !== hashCanonical(previous)) {
    // A first boundary can only limit the set; a different one may allow what the old one did not.
    actions.push(buildPermissionSetAction({ kind: PS_KIND.putBoundary, verb: 'put-boundary', preview: `set permissions boundary ${describeBoundary(boundary)}`, params: { ...ref, boundary, previous }, fingerprint }));
  }
  return actions;
}

/** Sets the tool's tags that differ and removes the tool's tags no longer wanted; other tags are not ours. */
function planTagChanges(set: DesiredPermissionSet, current: CurrentPermissionSet, ref: PermissionSetRef, fingerprint: string): PlannedAction[] {
  if (current.unreadable?.includes('tags')) return [];
  const actions: PlannedAction[] = [];
  const changed = Object.entries(set.tags).filter(([key, value]) => current.tags[key] !== value).sort(([a], [b]) => a.localeCompare(b));
  if (changed.length > 0) {
    const tags = Object.fromEntries(changed);
    const previous = Object.fromEntries(changed.map(([key]) => [key, current.tags[key] ?? null]));
    actions.push(buildPermissionSetAction({ kind: PS_KIND.tag, verb: 'tag', preview: `set tags ${changed.map(([k, v]) => `${k}=${v}`).join(', ')}`, params: { ...ref, tags, previous }, fingerprint }));
  }
  const stale = Object.keys(current.tags).filter((key) => key.startsWith(TOOL_TAG_PREFIX) && !(key in set.tags)).sort();
  if (stale.length > 0) {
    const previous = Object.fromEntries(stale.map((key) => [key, current.tags[key] ?? '']));
    actions.push(buildPermissionSetAction({ kind: PS_KIND.untag, verb: 'untag', preview: `remove tags ${stale.join(', ')}`, params: { ...ref, tagKeys: stale, previous }, fingerprint }));
  }
  return actions;
}
