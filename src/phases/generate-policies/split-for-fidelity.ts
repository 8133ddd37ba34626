/**
 * When people who receive one permission set differ in what it must carry for them (a Deny of
 * theirs that meets one of its Allows, or a permissions boundary), one set cannot be right for all:
 * the draft splits it. The people most alike keep the set; each other group of alike people gets a
 * copy of it (`Developers-alice`) assigned to them directly, and leaves the Identity Center group that
 * gave them the original. A split that would change other sets' access (the group also carries other
 * sets) is not made: the reason is reported, and the set carries every member's Denies instead, so
 * that no one gains access.
 */
import type { Document } from 'yaml';
import { isSeq, isScalar } from 'yaml';
import type { PolicyLibrary } from '../../model/principal-policies.js';
import type { Mapping, MappingAssignment } from '../../workspace/mapping-schema.js';
import { uniquePermissionSetName } from '../audit/draft-mapping.js';
import type { AuditSnapshot, UserRecord } from '../../model/inventory.js';
import { permissionSetsOfPeople } from '../../workspace/people-permission-sets.js';
import { allowedActionPatterns, fidelitySignature, memberIdentity, ownDenyKeys, relevantDenies, type CarriedDeny } from './carry-identity.js';
import { collectSourcePolicies } from './collect-source-policies.js';
import type { PermissionSetSource } from './types.js';

export interface FidelitySplit {
  from: string;
  to: string;
  members: string[];
  /** What these people carry that the others do not. */
  because: string;
}

export interface SplitOutcome {
  mapping: Mapping;
  splits: FidelitySplit[];
  /** Sets whose members differ but that could not be split, with why. */
  blocked: { set: string; reason: string }[];
}

interface Member {
  user: UserRecord;
  denies: CarriedDeny[];
  boundary: string | null;
  signature: string;
}

export function splitForFidelity(snapshot: AuditSnapshot, input: Mapping, document: Document, library: PolicyLibrary, only?: readonly string[]): SplitOutcome {
  const mapping = structuredClone(input);
  const splits: FidelitySplit[] = [];
  const blocked: SplitOutcome['blocked'] = [];
  for (const name of Object.keys(input.permissionSets)) {
    if (only && !only.includes(name)) continue;
    const variants = variantsOf(snapshot, mapping, name, library);
    if (variants.length <= 1) continue;
    const [, ...others] = variants;
    const obstacle = others.flatMap((group) => group.flatMap((m) => obstacles(mapping, name, m.user.userName)));
    if (obstacle.length > 0) {
      blocked.push({ set: name, reason: `its people differ in the Denies or boundary it must carry, and it cannot be split: ${[...new Set(obstacle)].join('; ')}` });
      continue;
    }
    for (const group of others) splits.push(split(mapping, document, name, group));
  }
  return { mapping, splits, blocked };
}

/** The members of a set, grouped by what it must carry for them; the largest group (fewest extras on a tie) first. */
export function variantsOf(snapshot: AuditSnapshot, mapping: Mapping, name: string, library: PolicyLibrary): Member[][] {
  const entry = mapping.permissionSets[name];
  if (!entry?.source) return [];
  const source: PermissionSetSource = entry.source.group ? { kind: 'group', name: entry.source.group } : { kind: 'user', name: entry.source.user ?? '' };
  const sources = collectSourcePolicies(snapshot, name, source);
  const allowed = allowedActionPatterns(sources, library);
  const own = ownDenyKeys(sources, library);
  const users = new Map(snapshot.users.map((u) => [u.userName.toLowerCase(), u]));
  const members: Member[] = [];
  for (const person of permissionSetsOfPeople(mapping, library.accountId)) {
    if (!person.permissionSets.includes(name)) continue;
    const user = users.get(person.iamUser.toLowerCase());
    if (!user) continue;
    const identity = memberIdentity(user, library);
    const denies = relevantDenies(identity, allowed, own);
    members.push({ user, denies, boundary: identity.boundary, signature: fidelitySignature(denies, identity.boundary) });
  }
  const bySignature = new Map<string, Member[]>();
  for (const m of members) bySignature.set(m.signature, [...(bySignature.get(m.signature) ?? []), m]);
  const extras = (group: Member[]) => (group[0]?.denies.length ?? 0) + (group[0]?.boundary ? 1 : 0);
  return [...bySignature.values()].sort((a, b) => b.length - a.length || extras(a) - extras(b) || (a[0]?.user.userName ?? '').localeCompare(b[0]?.user.userName ?? ''));
}

/** Why this person cannot be given a copy of the set without changing anything else. */
function obstacles(mapping: Mapping, set: string, iamUser: string): string[] {
  const lower = iamUser.toLowerCase();
  const found: string[] = [];
  for (const a of mapping.assignments.filter((x) => x.permissionSet === set && x.group !== undefined)) {
    const group = mapping.groups[a.group ?? ''];
    if (!group?.members.some((m) => m.toLowerCase() === lower)) continue;
    const alsoCarries = mapping.assignments.filter((x) => x.group === a.group && x.permissionSet !== set).map((x) => x.permissionSet);
    if (alsoCarries.length > 0) found.push(`group ${a.group ?? ''} also carries ${[...new Set(alsoCarries)].join(', ')}`);
  }
  return found;
}

function split(mapping: Mapping, document: Document, from: string, members: Member[]): FidelitySplit {
  const names = members.map((m) => m.user.userName).sort();
  const base = names.length === 1 ? `${from}-${names[0] ?? ''}` : `${from}-2`;
  const to = uniquePermissionSetName(base.replace(/[^\w+=,.@-]/g, '-').slice(0, 32), Object.keys(mapping.permissionSets));
  const because = describeExtras(members[0]);
  const { inlinePolicyFile: _file, ...entry } = mapping.permissionSets[from] ?? { managedPolicies: [], customerManagedPolicies: [], sessionDuration: 'PT8H' };
  const description = `${from}, for ${names.join(', ')}: ${because}`.slice(0, 700);
  mapping.permissionSets[to] = { ...entry, description };
  document.setIn(['permissionSets', to], document.createNode({ ...entry, description }));

  for (const name of names) {
    const lower = name.toLowerCase();
    const targets = new Set<string>();
    mapping.assignments.forEach((a, index) => {
      if (a.permissionSet !== from) return;
      if (a.user !== undefined && a.user.toLowerCase() === lower) {
        a.permissionSet = to;
        document.setIn(['assignments', index, 'permissionSet'], to);
      } else if (a.group !== undefined && mapping.groups[a.group]?.members.some((m) => m.toLowerCase() === lower)) {
        for (const t of a.targets) targets.add(t);
        leaveGroup(mapping, document, a.group, lower);
      }
    });
    if (targets.size > 0) {
      const assignment: MappingAssignment = { user: name, permissionSet: to, targets: [...targets] };
      mapping.assignments.push(assignment);
      document.addIn(['assignments'], document.createNode(assignment));
    }
  }
  return { from, to, members: names, because };
}

function leaveGroup(mapping: Mapping, document: Document, group: string, lowerUser: string): void {
  const entry = mapping.groups[group];
  if (!entry) return;
  entry.members = entry.members.filter((m) => m.toLowerCase() !== lowerUser);
  const seq = document.getIn(['groups', group, 'members']);
  if (!isSeq(seq)) return;
  const index = seq.items.findIndex((item) => String(isScalar(item) ? item.value : item).toLowerCase() === lowerUser);
  if (index >= 0) seq.items.splice(index, 1);
}

function describeExtras(member: Member | undefined): string {
  if (!member) return '';
  const parts = [...new Set(member.denies.map((d) => d.origin))].map((origin) => `the Deny of ${origin}`);
  if (member.boundary) parts.push(`the permissions boundary ${member.boundary}`);
  return parts.length > 0 ? `carries ${parts.join(', ')}` : 'carries none of the other members\' Denies or boundary';
}
