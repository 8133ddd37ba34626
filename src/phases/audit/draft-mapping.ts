import { Document, isScalar, isSeq, YAMLMap } from 'yaml';
import type { Pair, Scalar, YAMLSeq } from 'yaml';
import {
  DEFAULT_SESSION_DURATION,
  emailSchema,
  isProtectedBy,
  MAPPING_VERSION,
  normalisePermissionSetName,
  PERMISSION_SET_NAME_MAX_LENGTH,
  PROTECT_TAG,
} from '../../workspace/mapping-schema.js';
import type { AuditSnapshot, Group, UserRecord } from '../../model/inventory.js';

/** A value to put in `mapping.yaml` with the comment lines that go above it. */
export interface DraftEntry {
  value: Record<string, unknown>;
  comment: string[];
}

const AWS_MANAGED_POLICY_ARN = /^arn:aws[\w-]*:iam::aws:policy\//;
const EMAIL_TAG_KEYS = new Set(['email', 'e-mail']);
const DEFAULT_PROTECT = { users: [] as string[], tags: [PROTECT_TAG] };

/** The date of an audit as written in comments, e.g. `2024-05-01`. */
export function auditDate(snapshot: AuditSnapshot): string {
  return snapshot.generatedAt.slice(0, 10);
}

/** Why the draft protects this user, or null: the audit ran as it, or it carries the protect tag. */
export function protectionReason(user: UserRecord): string | null {
  if (user.isCaller) return 'the audit ran as this user';
  if (isProtectedBy(DEFAULT_PROTECT, user)) return `tagged ${PROTECT_TAG}`;
  return null;
}

/** `base` if no name in `taken` equals it ignoring case, else `base-2`, `base-3`… cut to 32 characters. */
export function uniquePermissionSetName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = base.slice(0, PERMISSION_SET_NAME_MAX_LENGTH - suffix.length).replace(/[-.]+$/, '') + suffix;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

/** Whether a user gets policies of its own (and so a per-user permission set when it is human). */
export function hasDirectPolicies(user: UserRecord): boolean {
  return user.attachedPolicies.length > 0 || user.inlinePolicies.length > 0;
}

/** The `users` entry drafted for one IAM user: `unknown` users become `skip`, so nothing is done to them. */
export function draftUser(user: UserRecord): DraftEntry {
  const { kind, reasons } = user.classification;
  const why = reasons.map((r) => r.detail || r.code).join(', ') || 'no signal';
  const comment = [`${kind}: ${why}`];
  const protectedBecause = protectionReason(user);
  if (protectedBecause !== null) comment.push(`protected (${protectedBecause}): never disabled or deleted`);
  if (kind === 'human') {
    if (user.groups.length === 0 && !hasDirectPolicies(user)) {
      comment.push('no IAM group or policy: add an assignment if this user needs access');
    }
    const email = emailTag(user);
    return { value: { kind: 'human', userName: user.userName, email }, comment };
  }
  if (kind === 'machine') {
    comment.push('needs an IAM role, not Identity Center; never disabled or deleted by default');
  } else {
    comment.push('could not tell human from machine: drafted as skip, so nothing is done to this user.');
    comment.push('Set kind to human (it gets an Identity Center user) or machine.');
  }
  if (user.groups.length > 0) comment.push(`IAM groups: ${user.groups.join(', ')} (left out of their Identity Center groups)`);
  if (kind === 'unknown' && hasDirectPolicies(user)) {
    comment.push(`has policies of its own: if it becomes human, add a permission set with source: { user: ${user.userName} }`);
  }
  return { value: kind === 'unknown' ? { kind: 'skip', userName: user.userName } : { kind: 'machine' }, comment };
}

/** The permission set drafted for an IAM group: same policies, inline ones left to `generate-policies`. */
export function draftGroupPermissionSet(group: Group, name: string, snapshot: AuditSnapshot): DraftEntry {
  const comment = [`from IAM group ${group.name}`];
  if (group.inlinePolicies.length > 0) {
    comment.push(`inline policies ${group.inlinePolicies.map((p) => p.name).join(', ')} go into the inline policy file`);
  }
  return {
    value: permissionSetValue(`Migrated from IAM group ${group.name}`, name, group.attachedPolicies, snapshot, {
      group: group.name,
    }),
    comment,
  };
}

/** The permission set drafted for the policies attached directly to one IAM user. */
export function draftUserPermissionSet(user: UserRecord, name: string, snapshot: AuditSnapshot): DraftEntry {
  return {
    value: permissionSetValue(`Policies of IAM user ${user.userName}`, name, user.attachedPolicies, snapshot, {
      user: user.userName,
    }),
    comment: [`from the policies attached directly to IAM user ${user.userName}`],
  };
}

/** The base name of a per-user permission set, before it is made unique. */
export function userPermissionSetBase(userName: string): string {
  return normalisePermissionSetName(`user-${userName}`);
}

/** Adds `key: value` at the end of `map`, with comment lines above it and a blank line before it. */
export function addEntry(doc: Document, map: YAMLMap, key: string, entry: DraftEntry): Pair {
  const pair = doc.createPair(key, entry.value);
  const keyNode = pair.key as Scalar;
  if (entry.comment.length > 0) keyNode.commentBefore = entry.comment.map((l) => ` ${l}`).join('\n');
  // A blank line between entries, but not between a section's key and its first entry.
  keyNode.spaceBefore = map.items.length > 0;
  styleEntry(pair.value);
  map.items.push(pair);
  return pair;
}

/** Adds an assignment of `permissionSet` to a group or user on the audited account. */
export function addAssignment(
  doc: Document,
  assignments: { items: unknown[] },
  principal: { group: string } | { user: string },
  permissionSet: string,
  targets: string[],
): void {
  const node = doc.createNode({ ...principal, permissionSet, targets });
  styleEntry(node);
  assignments.items.push(node);
}

/**
 * The default mapping for an audited account, with comments that say what each entry is and what
 * to edit. Defaults: each IAM group becomes a permission set and an Identity Center group of the same
 * normalised name with its human members; users with policies of their own get a per-user permission
 * set; every human user becomes an Identity Center user of the same name; the caller and users tagged
 * for protection are protected. Everything is assigned on the audited account.
 */
export function draftMapping(snapshot: AuditSnapshot): Document {
  const account = snapshot.caller.accountId;
  const users = [...snapshot.users].sort((a, b) => compare(a.userName, b.userName));
  const groups = [...snapshot.groups].sort((a, b) => compare(a.name, b.name));
  const humans = new Set(users.filter((u) => u.classification.kind === 'human').map((u) => u.userName));

  const doc = new Document({
    version: MAPPING_VERSION,
    account,
    protect: {
      users: users.filter((u) => protectionReason(u) !== null).map((u) => u.userName),
      tags: [PROTECT_TAG],
    },
    users: {},
    permissionSets: {},
    groups: {},
    assignments: [],
  });
  doc.commentBefore = headerComment(snapshot);
  for (const pair of (doc.contents as YAMLMap).items) {
    if (isScalar(pair.key) && ['protect', 'users', 'permissionSets', 'groups', 'assignments'].includes(String(pair.key.value))) {
      pair.key.spaceBefore = true;
    }
  }
  const usersMap = doc.get('users') as YAMLMap;
  const permissionSets = doc.get('permissionSets') as YAMLMap;
  const idcGroups = doc.get('groups') as YAMLMap;
  const assignments = doc.get('assignments') as YAMLSeq;
  const taken: string[] = [];

  for (const user of users) addEntry(doc, usersMap, user.userName, draftUser(user));

  for (const group of groups) {
    const name = uniquePermissionSetName(normalisePermissionSetName(group.name), taken);
    taken.push(name);
    addEntry(doc, permissionSets, name, draftGroupPermissionSet(group, name, snapshot));
    addEntry(doc, idcGroups, name, draftIdcGroup(group, (member) => humans.has(member)));
    addAssignment(doc, assignments, { group: name }, name, [account]);
  }

  for (const user of users) {
    if (!humans.has(user.userName) || !hasDirectPolicies(user)) continue;
    const name = uniquePermissionSetName(userPermissionSetBase(user.userName), taken);
    taken.push(name);
    addEntry(doc, permissionSets, name, draftUserPermissionSet(user, name, snapshot));
    addAssignment(doc, assignments, { user: user.userName }, name, [account]);
  }
  return doc;
}

/** The Identity Center group drafted for an IAM group: only the members that become IdC users. */
export function draftIdcGroup(group: Group, isHuman: (userName: string) => boolean): DraftEntry {
  const members = [...group.members].sort(compare);
  const left = members.filter((m) => !isHuman(m));
  const comment = [`from IAM group ${group.name}`];
  if (left.length > 0) comment.push(`left out because they are not human users: ${left.join(', ')}`);
  return { value: { members: members.filter(isHuman) }, comment };
}

function permissionSetValue(
  description: string,
  name: string,
  attached: { name: string; arn: string }[],
  snapshot: AuditSnapshot,
  source: { group: string } | { user: string },
): Record<string, unknown> {
  const managed = attached.filter((p) => AWS_MANAGED_POLICY_ARN.test(p.arn));
  const customer = attached.filter((p) => !AWS_MANAGED_POLICY_ARN.test(p.arn));
  return {
    description,
    sessionDuration: DEFAULT_SESSION_DURATION,
    managedPolicies: managed.map((p) => p.arn).sort(compare),
    customerManagedPolicies: customer.map((p) => ({ name: p.name, path: policyPath(p.arn, snapshot) })),
    inlinePolicyFile: `policies/${name}.json`,
    source,
  };
}

/** The path of a customer-managed policy: from the audit if it has the policy, else from its ARN. */
function policyPath(arn: string, snapshot: AuditSnapshot): string {
  const known = snapshot.managedPolicies.find((p) => p.arn === arn);
  if (known) return known.path;
  const resource = arn.split(':policy', 2)[1] ?? '/';
  return resource.slice(0, resource.lastIndexOf('/') + 1) || '/';
}

function emailTag(user: UserRecord): string | undefined {
  const tag = user.tags.find((t) => EMAIL_TAG_KEYS.has(t.key.toLowerCase()));
  const value = tag?.value.trim();
  // A tag that is not an address would make the whole mapping fail validation: leave it out instead.
  return value !== undefined && emailSchema.safeParse(value).success ? value : undefined;
}

/** Short lists and small mappings read better in flow style: `targets: [ "111111111111" ]`. */
function styleEntry(node: unknown): void {
  if (!(node instanceof YAMLMap)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (key === 'source' && pair.value instanceof YAMLMap) pair.value.flow = true;
    if (key === 'targets' && isSeq(pair.value)) pair.value.flow = true;
    if (key === 'customerManagedPolicies' && isSeq(pair.value)) {
      for (const item of pair.value.items) if (item instanceof YAMLMap) item.flow = true;
    }
    if (key === 'inlinePolicyFile' && isScalar(pair.value)) {
      pair.value.comment = ' written by `iam2idc generate-policies`';
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function headerComment(snapshot: AuditSnapshot): string {
  const alias = snapshot.accountAlias ? ` (${snapshot.accountAlias})` : '';
  return [
    `iam2idc migration plan for account ${snapshot.caller.accountId}${alias}, drafted from the audit of ${auditDate(snapshot)}.`,
    'Edit it, then run the next phase. Re-running `iam2idc audit` keeps your edits and comments: it only',
    'adds users and groups that appeared since, and flags users that are gone (it never deletes entries).',
    '',
    'protect         IAM users that no command may disable or delete, by name or by key=value tag.',
    'users           one entry per IAM user. kind: human (gets an Identity Center user), machine (needs an',
    '                IAM role instead; never disabled or deleted by default) or skip (nothing is done to it).',
    '                userName / email / displayName / givenName / familyName: the Identity Center user.',
    'permissionSets  names: 1-32 letters, digits and + = , . @ _ -. sessionDuration: PT1H to PT12H.',
    '                managedPolicies: AWS-managed policy ARNs. customerManagedPolicies: name and path; they',
    '                must exist in every target account. inlinePolicyFile: written by generate-policies.',
    '                source: the IAM group or user it comes from.',
    'groups          Identity Center groups by display name; members are keys of `users`.',
    'assignments     a group or a user, a permission set, and targets: 12-digit account IDs or OU IDs.',
  ]
    .map((line) => (line === '' ? '' : ` ${line}`))
    .join('\n');
}
