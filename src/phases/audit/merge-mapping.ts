import { isMap, isScalar, isSeq, YAMLMap, YAMLSeq } from 'yaml';
import type { Document } from 'yaml';
import { UserError } from '../../errors.js';
import { normalisePermissionSetName } from '../../workspace/mapping-schema.js';
import {
  addAssignment,
  addEntry,
  auditDate,
  draftGroupPermissionSet,
  draftIdcGroup,
  draftMapping,
  draftUser,
  draftUserPermissionSet,
  hasDirectPolicies,
  protectionReason,
  uniquePermissionSetName,
  userPermissionSetBase,
} from './draft-mapping.js';
import type { AuditSnapshot } from '../../model/inventory.js';

export interface MergeMappingResult {
  document: Document;
  /** IAM users that got a new entry. */
  added: string[];
  /** Mapping users that the audit did not find and that were flagged for the first time. */
  removed: string[];
  /** IAM groups that got a new permission set and Identity Center group. */
  addedGroups: string[];
  /** Whether the document differs from the one given (also true when only a flag was lifted). */
  changed: boolean;
}

const GONE_MARKER = 'not found in the audit of';

/**
 * Brings an existing mapping up to date with a new audit without undoing any operator edit. It
 * only adds entries for IAM users that appeared (drafted as `draftMapping` would, with their group
 * memberships and per-user permission set), adds a permission set, group and assignment for an IAM
 * group that no permission set names as its source, and flags users the audit no longer finds with
 * a comment; it never deletes or changes an existing value. Users listed in `previousUserNames` (the
 * previous audit) but absent from the mapping were removed by the operator and are not re-added.
 * Merging the same audit again changes nothing. The given document is not modified.
 */
export function mergeMapping(
  existing: Document,
  snapshot: AuditSnapshot,
  previousUserNames?: string[],
): MergeMappingResult {
  const contents = existing.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    // An empty file holds no edit to keep: start again from the draft.
    const document = draftMapping(snapshot);
    return {
      document,
      added: snapshot.users.map((u) => u.userName),
      removed: [],
      addedGroups: snapshot.groups.map((g) => g.name),
      changed: true,
    };
  }
  if (!isMap(contents)) {
    throw new UserError(
      'MAPPING_INVALID',
      'mapping.yaml must be a mapping of key: value at the top level.',
      'Fix mapping.yaml (or delete it to get a new draft), then run the audit again.',
    );
  }
  const doc = existing.clone();
  const before = doc.toString();
  const account = snapshot.caller.accountId;
  const date = auditDate(snapshot);
  const drafted = doc.get('account');
  if (drafted !== undefined && String(drafted).padStart(12, '0') !== account) {
    throw new UserError(
      'MAPPING_ACCOUNT_MISMATCH',
      `mapping.yaml was drafted for account ${String(drafted)}, but this audit is of account ${account}.`,
      'Use a separate workspace (--workspace) for each account.',
    );
  }
  const users = section(doc, 'users', () => new YAMLMap());
  const permissionSets = section(doc, 'permissionSets', () => new YAMLMap());
  const groups = section(doc, 'groups', () => new YAMLMap());
  const assignments = section(doc, 'assignments', () => new YAMLSeq());
  const data = doc.toJS() as MappingData;

  const inMapping = new Set(Object.keys(data.users ?? {}).map(lower));
  const dropped = new Set((previousUserNames ?? []).map(lower));
  const audited = new Set(snapshot.users.map((u) => lower(u.userName)));
  const kinds = new Map(Object.entries(data.users ?? {}).map(([name, u]) => [name, u?.kind]));
  const psNames = Object.keys(data.permissionSets ?? {});
  const takenNames = () => [...psNames, ...Object.keys(data.groups ?? {})];
  const result = { added: [] as string[], removed: [] as string[], addedGroups: [] as string[] };

  const newUsers = [...snapshot.users]
    .filter((u) => !inMapping.has(lower(u.userName)) && !dropped.has(lower(u.userName)))
    .sort((a, b) => (a.userName < b.userName ? -1 : 1));
  for (const user of newUsers) {
    const entry = draftUser(user);
    entry.comment.unshift(`new since the last audit (found on ${date})`);
    addEntry(doc, users, user.userName, entry);
    kinds.set(user.userName, entry.value.kind as string);
    if (protectionReason(user) !== null) addProtectedUser(doc, user.userName);
    result.added.push(user.userName);
  }
  const isHuman = (name: string) => kinds.get(name) === 'human';

  // IAM groups that no permission set comes from yet: drafted as on the first audit.
  for (const group of [...snapshot.groups].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (psNames.some((ps) => data.permissionSets?.[ps]?.source?.group === group.name)) continue;
    const name = uniquePermissionSetName(normalisePermissionSetName(group.name), takenNames());
    psNames.push(name);
    const psEntry = draftGroupPermissionSet(group, name, snapshot);
    const groupEntry = draftIdcGroup(group, isHuman);
    psEntry.comment.unshift(`new since the last audit (found on ${date})`);
    groupEntry.comment.unshift(`new since the last audit (found on ${date})`);
    addEntry(doc, permissionSets, name, psEntry);
    addEntry(doc, groups, name, groupEntry);
    addAssignment(doc, assignments, { group: name }, name, [account]);
    (data.groups ??= {})[name] = { members: groupEntry.value.members as string[] };
    result.addedGroups.push(group.name);
  }

  // New human users join the Identity Center groups that stand for their IAM groups.
  for (const user of newUsers.filter((u) => isHuman(u.userName))) {
    for (const iamGroup of user.groups) {
      for (const idcGroup of idcGroupsFor(iamGroup, data)) addMember(doc, idcGroup, user.userName);
    }
    if (hasDirectPolicies(user) && !psNames.some((ps) => data.permissionSets?.[ps]?.source?.user === user.userName)) {
      const name = uniquePermissionSetName(userPermissionSetBase(user.userName), takenNames());
      psNames.push(name);
      addEntry(doc, permissionSets, name, draftUserPermissionSet(user, name, snapshot));
      addAssignment(doc, assignments, { user: user.userName }, name, [account]);
    }
  }

  users.items.forEach((pair, index) => {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (name === undefined) return;
    const comment = entryComment(users, index);
    const lines = comment === undefined ? [] : comment.split('\n');
    const flagged = lines.some((l) => l.trimStart().startsWith(GONE_MARKER));
    if (!audited.has(lower(name)) && !flagged) {
      lines.push(` ${GONE_MARKER} ${date}: nothing is done to a user that no longer exists`);
      setEntryComment(users, index, lines.join('\n'));
      result.removed.push(name);
    } else if (audited.has(lower(name)) && flagged) {
      // The user is back (or was re-created): lift the flag, keep the operator's entry.
      setEntryComment(users, index, lines.filter((l) => !l.trimStart().startsWith(GONE_MARKER)).join('\n'));
    }
  });

  return { document: doc, ...result, changed: doc.toString() !== before };
}

interface MappingData {
  users?: Record<string, { kind?: string } | null>;
  permissionSets?: Record<string, { source?: { group?: string; user?: string } } | null>;
  groups?: Record<string, { members?: string[] } | null>;
  assignments?: { group?: string; permissionSet?: string }[] | null;
}

function lower(name: string): string {
  return name.toLowerCase();
}

/** The section's node, created when it is missing or empty; anything else is an operator error. */
function section<T extends YAMLMap | YAMLSeq>(doc: Document, key: string, create: () => T): T {
  const node = doc.get(key, true);
  const expected = create();
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
    doc.set(key, expected);
    return expected;
  }
  if (isMap(expected) ? isMap(node) : isSeq(node)) return node as T;
  throw new UserError(
    'MAPPING_INVALID',
    `mapping.yaml: ${key} must be ${isMap(expected) ? 'a mapping of key: value' : 'a list'}.`,
    `Fix the ${key} section of mapping.yaml, then run the audit again.`,
  );
}

/** The Identity Center groups given the permission sets drafted from this IAM group. */
function idcGroupsFor(iamGroup: string, data: MappingData): string[] {
  const fromGroup = Object.entries(data.permissionSets ?? {})
    .filter(([, ps]) => ps?.source?.group === iamGroup)
    .map(([name]) => name);
  const viaAssignments = (data.assignments ?? [])
    .filter((a) => a.group !== undefined && a.permissionSet !== undefined && fromGroup.includes(a.permissionSet))
    .map((a) => a.group as string);
  const sameName = fromGroup.filter((name) => data.groups?.[name] !== undefined);
  return [...new Set([...viaAssignments, ...sameName])].filter((g) => data.groups?.[g] !== undefined);
}

function addMember(doc: Document, group: string, member: string): void {
  const members = doc.getIn(['groups', group, 'members'], true);
  if (isSeq(members)) {
    if (!members.items.some((m) => isScalar(m) && m.value === member)) members.add(doc.createNode(member));
  } else if (isMap(doc.getIn(['groups', group], true))) {
    doc.setIn(['groups', group, 'members'], doc.createNode([member]));
  }
}

function addProtectedUser(doc: Document, userName: string): void {
  const list = doc.getIn(['protect', 'users'], true);
  if (isSeq(list)) {
    if (!list.items.some((m) => isScalar(m) && m.value === userName)) list.add(doc.createNode(userName));
  } else if (isMap(doc.get('protect', true))) {
    doc.setIn(['protect', 'users'], doc.createNode([userName]));
  } else {
    doc.set('protect', doc.createNode({ users: [userName], tags: [] }));
  }
}

/**
 * The comment above a map entry. When a file is parsed, the comment above the first entry of a nested
 * map belongs to the map, not to the entry's key; both render at the same place, so treat them as one.
 */
function entryComment(map: YAMLMap, index: number): string | undefined {
  const key = map.items[index]?.key;
  const own = isScalar(key) ? key.commentBefore : undefined;
  if (index !== 0 || !map.commentBefore) return own ?? undefined;
  return own ? `${map.commentBefore}\n${own}` : map.commentBefore;
}

function setEntryComment(map: YAMLMap, index: number, comment: string): void {
  const key = map.items[index]?.key;
  if (!isScalar(key)) return;
  if (index === 0) map.commentBefore = undefined;
  key.commentBefore = comment === '' ? undefined : comment;
}
