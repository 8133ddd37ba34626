/**
 * What a permission set must carry from the IAM identities of the people who receive it, so that
 * none of them can do more than their IAM user could. In IAM a Deny anywhere (the user's own policies
 * or any group's) beats every Allow, and the permissions boundary caps all; a permission set is a role
 * evaluated alone, so each set a person receives needs every Deny of theirs that could meet one of
 * the set's Allows, and their boundary.
 */
import { iamUserPolicies, type PolicyLibrary } from '../../model/principal-policies.js';
import { actionPatternsOverlap } from '../../model/pattern-overlap.js';
import safeStringify from 'safe-stable-stringify';
import { statementsOf, toArray } from '../../model/policy-statements.js';
import type { PolicyDocument, PolicyStatement, UserRecord } from '../../model/inventory.js';
import type { SourcePolicies } from './types.js';

export interface CarriedDeny {
  /** Where the person's IAM identity has it: `group ops inline deny-prod`. */
  origin: string;
  statement: PolicyStatement;
  /** The statement as stable JSON, to tell one Deny from another across people. */
  key: string;
}

export interface MemberIdentity {
  iamUser: string;
  denies: CarriedDeny[];
  /** The ARN of the user's permissions boundary, or null. */
  boundary: string | null;
}

/** Every Deny of the user's IAM identity, and its boundary. */
export function memberIdentity(user: UserRecord, library: PolicyLibrary): MemberIdentity {
  const { policies } = iamUserPolicies(user, library);
  const denies = policies.identity.flatMap((policy) =>
    statementsOf(policy.document)
      .filter((s) => s.Effect === 'Deny')
      .map((statement) => ({ origin: policy.source, statement, key: statementKey(statement) })),
  );
  return { iamUser: user.userName, denies: uniqueByKey(denies), boundary: user.permissionsBoundary };
}

export function statementKey(statement: PolicyStatement): string {
  const { Sid: _sid, ...meaning } = statement;
  return safeStringify(meaning) ?? '';
}

/** The action patterns the set's Allows can reach; `everything` for a NotAction Allow or a document not known. */
export function allowedActionPatterns(sources: SourcePolicies, library: PolicyLibrary): string[] | 'everything' {
  const documents: (PolicyDocument | undefined)[] = [
    ...sources.inline.map((s) => s.document),
    ...sources.customerManaged.map((p) => p.document),
    ...sources.awsManagedPolicyArns.map((arn) => library.documents.get(arn)),
  ];
  if (documents.some((d) => d === undefined)) return 'everything';
  const allows = documents.flatMap((d) => statementsOf(d)).filter((s) => s.Effect === 'Allow');
  if (allows.some((s) => s.NotAction !== undefined)) return 'everything';
  return [...new Set(allows.flatMap((s) => toArray(s.Action)).filter((a): a is string => typeof a === 'string'))];
}

/** The person's Denies that can change what this set allows, less those the set has of its own. */
export function relevantDenies(member: MemberIdentity, allowed: string[] | 'everything', own: ReadonlySet<string>): CarriedDeny[] {
  return member.denies.filter((deny) => {
    if (own.has(deny.key)) return false;
    if (allowed === 'everything' || deny.statement.NotAction !== undefined) return true;
    return toArray(deny.statement.Action).some((d) => typeof d === 'string' && allowed.some((a) => actionPatternsOverlap(d, a)));
  });
}

/** The keys of the Deny statements a set already has from its own source. */
export function ownDenyKeys(sources: SourcePolicies, library: PolicyLibrary): Set<string> {
  const documents = [...sources.inline.map((s) => s.document), ...sources.customerManaged.map((p) => p.document), ...sources.awsManagedPolicyArns.map((arn) => library.documents.get(arn))];
  return new Set(documents.flatMap((d) => statementsOf(d)).filter((s) => s.Effect === 'Deny').map(statementKey));
}

/** What must be the same for two people to share a set: the Denies it must carry for them, and the boundary. */
export function fidelitySignature(denies: readonly CarriedDeny[], boundary: string | null): string {
  return safeStringify([[...new Set(denies.map((d) => d.key))].sort(), boundary]) ?? '';
}

function uniqueByKey(denies: CarriedDeny[]): CarriedDeny[] {
  const seen = new Set<string>();
  return denies.filter((d) => (seen.has(d.key) ? false : (seen.add(d.key), true)));
}
