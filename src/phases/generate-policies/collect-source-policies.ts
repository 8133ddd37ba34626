/**
 * What IAM grants a permission set's source, read from the audit snapshot (no AWS call).
 *
 * A group-sourced set gets the group's own policies. A user-sourced set (the per-user sets the
 * draft mapping makes for policies attached directly to a user) gets only the user's own policies:
 * the groups the user belongs to have sets of their own, and copying their policies here would
 * grant them twice.
 */
import { UserError } from '../../errors.js';
import type { AttachedPolicyRef, AuditSnapshot, InlinePolicy, ManagedPolicy } from '../../model/inventory.js';
import { isAwsManagedPolicyArn } from '../../model/iam-identifiers.js';
import type { CustomerManagedSource, PermissionSetSource, SourceDocument, SourcePolicies } from './types.js';

/**
 * Collects the attached and inline policies of a permission set's source group or user.
 * AWS-managed ARNs are listed as they are; customer-managed ones are resolved to their name, path
 * and document through the snapshot. Both lists are de-duplicated and keep the snapshot's order.
 *
 * @throws UserError `POLICY_SOURCE_NOT_FOUND` when the group or user is not in the snapshot, and
 *   `POLICY_NOT_IN_AUDIT` when a customer-managed policy attached to it is not (created after the audit).
 */
export function collectSourcePolicies(snapshot: AuditSnapshot, permissionSet: string, source: PermissionSetSource): SourcePolicies {
  const principal = findPrincipal(snapshot, permissionSet, source);
  const label = `${source.kind} ${principal.name}`;
  const managedByArn = new Map(snapshot.managedPolicies.map((policy) => [policy.arn, policy]));
  const awsManagedPolicyArns: string[] = [];
  const customerManaged: CustomerManagedSource[] = [];
  for (const attached of uniqueByArn(principal.attachedPolicies)) {
    if (isAwsManagedPolicyArn(attached.arn)) {
      awsManagedPolicyArns.push(attached.arn);
      continue;
    }
    const policy = managedByArn.get(attached.arn);
    if (!policy) throw policyNotInAudit(permissionSet, label, attached);
    customerManaged.push(toCustomerManagedSource(policy));
  }
  const inline: SourceDocument[] = principal.inlinePolicies.map((policy: InlinePolicy) => ({
    origin: `${label} inline ${policy.name}`,
    document: structuredClone(policy.document),
  }));
  return { permissionSet, source: { ...source }, awsManagedPolicyArns, customerManaged, inline };
}

interface Principal {
  name: string;
  attachedPolicies: AttachedPolicyRef[];
  inlinePolicies: InlinePolicy[];
}

function findPrincipal(snapshot: AuditSnapshot, permissionSet: string, source: PermissionSetSource): Principal {
  const candidates: Principal[] =
    source.kind === 'group'
      ? snapshot.groups.map((group) => ({ name: group.name, attachedPolicies: group.attachedPolicies, inlinePolicies: group.inlinePolicies }))
      : snapshot.users.map((user) => ({ name: user.userName, attachedPolicies: user.attachedPolicies, inlinePolicies: user.inlinePolicies }));
  const exact = candidates.find((candidate) => candidate.name === source.name);
  if (exact) return exact;
  // IAM user and group names are unique ignoring case, so a match that differs only in case is the same principal.
  const wanted = source.name.toLowerCase();
  const sameIgnoringCase = candidates.find((candidate) => candidate.name.toLowerCase() === wanted);
  if (sameIgnoringCase) return sameIgnoringCase;
  throw new UserError(
    'POLICY_SOURCE_NOT_FOUND',
    `mapping.yaml: permissionSets.${permissionSet}.source: ${source.kind} "${source.name}" is not in the audit (audit.json, taken ${snapshot.generatedAt}).`,
    `If the ${source.kind} was created after the audit, run \`iam2idc audit\` again; otherwise fix permissionSets.${permissionSet}.source.${source.kind} in mapping.yaml to name an existing IAM ${source.kind}.`,
  );
}

function policyNotInAudit(permissionSet: string, label: string, attached: AttachedPolicyRef): UserError {
  return new UserError(
    'POLICY_NOT_IN_AUDIT',
    `Permission set ${permissionSet}: the customer-managed policy ${attached.arn}, attached to ${label}, is not in the audit (audit.json), so its document is unknown.`,
    'The policy was probably created or attached after the audit: run `iam2idc audit` again, then re-run this command.',
  );
}

function uniqueByArn(policies: AttachedPolicyRef[]): AttachedPolicyRef[] {
  const seen = new Set<string>();
  return policies.filter((policy) => {
    if (seen.has(policy.arn)) return false;
    seen.add(policy.arn);
    return true;
  });
}

function toCustomerManagedSource(policy: ManagedPolicy): CustomerManagedSource {
  return { name: policy.name, path: policy.path, arn: policy.arn, document: structuredClone(policy.document) };
}
