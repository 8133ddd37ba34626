import type { AuditSnapshot } from '../audit/types.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { collectSourcePolicies } from './collect-source-policies.js';
import { packPermissionSet } from './pack-permission-set.js';
import type { PackedPermissionSet, PermissionSetSource, SourcePolicies } from './types.js';

/** One permission set of the mapping, with what its IAM source grants, packed within the limits. */
export interface PolicySetDraft {
  name: string;
  source: PermissionSetSource;
  sources: SourcePolicies;
  granted: PackedPermissionSet;
  /** IAM users whose activity describes this set: the human members of the source group, or the source user. */
  users: { userName: string; arn: string }[];
  /** True when customer-managed policies may be referenced (every target is the audited account). */
  customerManagedAvailable: boolean;
}

/**
 * Collects and packs every permission set of the mapping that comes from an IAM group or user.
 * Sets without a `source` are the operator's own and are left alone. Fails before any AWS call
 * when the mapping names a group or user the audit does not know.
 */
export function planPolicySets(snapshot: AuditSnapshot, mapping: Mapping, only?: string[]): PolicySetDraft[] {
  const wanted = only ? new Set(only) : null;
  const drafts: PolicySetDraft[] = [];
  for (const [name, entry] of Object.entries(mapping.permissionSets)) {
    if (wanted && !wanted.has(name)) continue;
    if (!entry.source) continue;
    const source: PermissionSetSource = entry.source.group ? { kind: 'group', name: entry.source.group } : { kind: 'user', name: entry.source.user ?? '' };
    const sources = collectSourcePolicies(snapshot, name, source);
    const customerManagedAvailable = targetsOf(mapping, name).every((target) => target === snapshot.caller.accountId);
    drafts.push({
      name,
      source,
      sources,
      granted: packPermissionSet(sources, { customerManagedAvailable }),
      users: usersOf(snapshot, mapping, source),
      customerManagedAvailable,
    });
  }
  return drafts;
}

/** The accounts and OUs a set is assigned to; a set not assigned yet is only known for the audited account. */
function targetsOf(mapping: Mapping, permissionSet: string): string[] {
  return mapping.assignments.filter((a) => a.permissionSet === permissionSet).flatMap((a) => a.targets);
}

function usersOf(snapshot: AuditSnapshot, mapping: Mapping, source: PermissionSetSource): { userName: string; arn: string }[] {
  const isHuman = (userName: string) => mapping.users[userName]?.kind === 'human';
  // Names compare ignoring case, as IAM does and as collectSourcePolicies finds the source.
  const wanted = source.name.toLowerCase();
  const members =
    source.kind === 'group'
      ? snapshot.users.filter((u) => u.groups.some((group) => group.toLowerCase() === wanted))
      : snapshot.users.filter((u) => u.userName.toLowerCase() === wanted);
  return members.filter((u) => isHuman(u.userName)).map((u) => ({ userName: u.userName, arn: u.arn }));
}
