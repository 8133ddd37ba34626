import type { AuditSnapshot } from '../../model/inventory.js';
import { buildPolicyLibrary, type PolicyLibrary } from '../../model/principal-policies.js';
import type { Mapping, MappingPermissionSet } from '../../workspace/mapping-schema.js';
import { statementsOf } from '../../model/policy-statements.js';
import { collectSourcePolicies } from './collect-source-policies.js';
import { packPermissionSet } from './pack-permission-set.js';
import { rewriteForRoleSession } from './role-session-rewrite.js';
import { variantsOf } from './split-for-fidelity.js';
import type { PackedPermissionSet, PermissionSetSource, PolicyNote, SourceDocument, SourcePolicies } from './types.js';

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
  /** The Denies of its people's IAM identities it carries, whatever the basis of its Allows; null for none. */
  carriedDenies: SourceDocument | null;
  /** The boundary its people's IAM users have, to set on it; undefined to leave the mapping's as it is. */
  permissionsBoundary: MappingPermissionSet['permissionsBoundary'];
  /** What was carried, rewritten, or could not be (reports/policies.md). */
  fidelityNotes: PolicyNote[];
}

export interface PlanPolicySetsOptions {
  only?: string[];
  /** Sets found unsplittable, with why (see split-for-fidelity.ts). */
  blocked?: readonly { set: string; reason: string }[];
}

/** The policy documents the audit holds, for the effective-access model. */
export function libraryOfSnapshot(snapshot: AuditSnapshot): PolicyLibrary {
  return buildPolicyLibrary({
    groups: snapshot.groups,
    managedPolicies: snapshot.managedPolicies,
    awsManagedDocuments: new Map((snapshot.awsManagedPolicies ?? []).map((p) => [p.arn, p.document])),
    partition: snapshot.caller.partition,
    accountId: snapshot.caller.accountId,
  });
}

/**
 * Collects and packs every permission set of the mapping that comes from an IAM group or user, with
 * the Denies and the boundary of the people who receive it. Sets without a `source` are the
 * operator's own and are left alone. Fails before any AWS call when the mapping names a group or
 * user the audit does not know.
 */
export function planPolicySets(snapshot: AuditSnapshot, mapping: Mapping, options: PlanPolicySetsOptions | string[] = {}): PolicySetDraft[] {
  const { only, blocked = [] } = Array.isArray(options) ? { only: options } : options;
  const wanted = only ? new Set(only) : null;
  const library = libraryOfSnapshot(snapshot);
  const drafts: PolicySetDraft[] = [];
  for (const [name, entry] of Object.entries(mapping.permissionSets)) {
    if (wanted && !wanted.has(name)) continue;
    if (!entry.source) continue;
    const source: PermissionSetSource = entry.source.group ? { kind: 'group', name: entry.source.group } : { kind: 'user', name: entry.source.user ?? '' };
    const collected = collectSourcePolicies(snapshot, name, source);
    const customerManagedAvailable = targetsOf(mapping, name).every((target) => target === snapshot.caller.accountId);
    const fidelity = carryFidelity(snapshot, mapping, name, collected, library, blocked.find((b) => b.set === name)?.reason ?? null);
    const granted = packPermissionSet(withCarried(fidelity.sources, fidelity.carriedDenies), { customerManagedAvailable });
    granted.notes.unshift(...fidelity.notes);
    drafts.push({
      name,
      source,
      sources: fidelity.sources,
      granted,
      users: usersOf(snapshot, mapping, source),
      customerManagedAvailable,
      carriedDenies: fidelity.carriedDenies,
      permissionsBoundary: fidelity.permissionsBoundary,
      fidelityNotes: fidelity.notes,
    });
  }
  return drafts;
}

/** A set's sources with the carried Denies as one more inline document. */
export function withCarried(sources: SourcePolicies, carried: SourceDocument | null): SourcePolicies {
  return carried ? { ...sources, inline: [...sources.inline, carried] } : sources;
}

interface Fidelity {
  sources: SourcePolicies;
  carriedDenies: SourceDocument | null;
  permissionsBoundary: MappingPermissionSet['permissionsBoundary'];
  notes: PolicyNote[];
}

function carryFidelity(snapshot: AuditSnapshot, mapping: Mapping, name: string, collected: SourcePolicies, library: PolicyLibrary, blockedReason: string | null): Fidelity {
  const variants = variantsOf(snapshot, mapping, name, library);
  const members = variants.flat();
  const notes: PolicyNote[] = [];
  const soleMember = members.length === 1 ? (members[0]?.user.userName ?? null) : null;
  const sources = rewriteSources(collected, name, soleMember, library, notes);

  // Split or not, every member's Denies travel: a Deny only one of them had costs the others access, never adds any.
  const denies = [...new Map(members.flatMap((m) => m.denies).map((d) => [d.key, d])).values()];
  let carriedDenies: SourceDocument | null = null;
  if (denies.length > 0) {
    const origins = [...new Set(denies.map((d) => d.origin))];
    const rewritten = rewriteForRoleSession(
      denies.map((d) => d.statement),
      name,
      soleMember,
    );
    notes.push(...rewritten.notes);
    carriedDenies = { origin: `Denies carried from ${origins.join(', ')}`, document: { Version: '2012-10-17', Statement: rewritten.statements } };
    notes.push({ code: 'DENY_CARRIED', severity: 'info', message: `${name}: carries ${denies.length} Deny statement(s) of the IAM identities of its people (${origins.join('; ')}), as IAM applied them to every policy.` });
  }
  if (blockedReason !== null) {
    notes.push({ code: 'SPLIT_IMPOSSIBLE', severity: 'warning', message: `${name}: ${blockedReason}. It carries the Denies of all of them, so some may lose access (see reports/verify.md).` });
  }

  const boundaries = [...new Set(members.map((m) => m.boundary))];
  let permissionsBoundary: MappingPermissionSet['permissionsBoundary'];
  const [only] = boundaries;
  if (boundaries.length === 1 && only) {
    permissionsBoundary = boundaryReference(only, snapshot);
    notes.push({
      code: 'BOUNDARY_CARRIED',
      severity: 'info',
      message: `${name}: its people's IAM users have the permissions boundary ${only}, so the set gets it too${'customerManagedPolicy' in (permissionsBoundary ?? {}) ? ' (a customer-managed policy: it must exist by name and path in every target account)' : ''}.`,
    });
  } else if (boundaries.length > 1) {
    notes.push({ code: 'BOUNDARY_DIFFERS', severity: 'error', message: `${name}: its people have different permissions boundaries (${boundaries.map((b) => b ?? 'none').join(', ')}) and one set can have only one; those without the strictest would gain access.` });
  }
  return { sources, carriedDenies, permissionsBoundary, notes };
}

/**
 * The source's statements as a role session reads them (see role-session-rewrite.ts). A
 * customer-managed policy that uses `${aws:username}` is copied inline, where it can be rewritten; an
 * AWS-managed one that only does IAM self-service is left out.
 */
function rewriteSources(collected: SourcePolicies, name: string, soleMember: string | null, library: PolicyLibrary, notes: PolicyNote[]): SourcePolicies {
  const usesUsername = (document: unknown) => /\$\{aws:username\}/i.test(JSON.stringify(document));
  const moved = collected.customerManaged.filter((p) => usesUsername(p.document));
  const inline = [...collected.inline, ...moved.map((p) => ({ origin: `customer-managed ${p.path}${p.name}`, document: p.document }))].map((source) => {
    if (!usesUsername(source.document)) return source;
    const rewritten = rewriteForRoleSession(statementsOf(source.document), name, soleMember);
    notes.push(...rewritten.notes);
    return { ...source, document: { ...source.document, Statement: rewritten.statements } };
  });
  const awsManagedPolicyArns = collected.awsManagedPolicyArns.filter((arn) => {
    const document = library.documents.get(arn);
    if (!document || !usesUsername(document)) return true;
    const rewritten = rewriteForRoleSession(statementsOf(document), name, null);
    if (rewritten.statements.length > 0) return true;
    notes.push({ code: 'USER_ONLY_DROPPED', severity: 'info', message: `${name}: ${arn} only lets a person manage their own IAM user; it is moot through Identity Center and is left out.` });
    return false;
  });
  return { ...collected, inline: inline.filter((s) => statementsOf(s.document).length > 0), customerManaged: collected.customerManaged.filter((p) => !moved.includes(p)), awsManagedPolicyArns };
}

function boundaryReference(arn: string, snapshot: AuditSnapshot): MappingPermissionSet['permissionsBoundary'] {
  if (/^arn:[\w-]+:iam::aws:policy\//.test(arn)) return { managedPolicyArn: arn };
  const policy = snapshot.managedPolicies.find((p) => p.arn === arn);
  const name = policy?.name ?? arn.slice(arn.lastIndexOf('/') + 1);
  const path = policy?.path ?? '/';
  return { customerManagedPolicy: { name, path } };
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
