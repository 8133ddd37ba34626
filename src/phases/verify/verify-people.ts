/**
 * verify: for each person of the mapping, whether the permission sets they receive grant what their
 * IAM user could do, no more and no less, judged by the effective-access model over a broad sample
 * of requests. Pure apart from reading the IAM action database; the policy documents are given.
 */
import type { RequestContext } from '../../model/evaluate-condition.js';
import { iamUserPolicies, permissionSetPolicies, type PermissionSetContent, type PolicyLibrary } from '../../model/principal-policies.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { matchesActionPattern, matchesResourcePattern } from '../../model/policy-statements.js';
import type { PolicyDocument, UserRecord } from '../../model/inventory.js';
import { compareAccess, describeStatement, type AccessDifference, type ComparedSet } from './compare-access.js';
import { permissionSetsOfPeople } from '../../workspace/people-permission-sets.js';
import { sampleRequests } from './sample-requests.js';

export type PersonVerdict = 'same' | 'escalation' | 'loss' | 'unverified';

/** One action that differs, with the resources it differs on and the statements responsible. */
export interface VerifyFinding {
  action: string;
  /** The probed resources it differs on (a few, then a count in `moreResources`). */
  resources: string[];
  moreResources: number;
  /** gained: the sets that allow it; lost: empty. */
  permissionSets: string[];
  /** False when it turns on a condition (see compare-access.ts). */
  certain: boolean;
  /** What IAM decided, and the statements behind it (the Deny, the Allow). */
  iamDecision: string;
  iamStatements: string[];
  /** gained: the set's statements that allow it; lost: the set's statements that deny or condition it. */
  afterStatements: string[];
  /** The reason given in mapping.yaml when the gain is acknowledged; null otherwise. */
  acknowledged: string | null;
}

export interface PersonVerification {
  iamUser: string;
  userName: string;
  verdict: PersonVerdict;
  permissionSets: string[];
  gained: VerifyFinding[];
  lost: VerifyFinding[];
  /**
   * What the IAM user could do to itself (its keys, password, MFA) that no set allows: moot once the
   * person has no IAM user, so not a loss. Counted, not listed.
   */
  moot: number;
  /** Requests compared, and of those, how many turned on conditions both sides left undecided. */
  compared: number;
  undecided: number;
  /** Policies that could not be read, so the verdict cannot stand on them. */
  unknownPolicies: string[];
}

export interface VerifyReport {
  people: PersonVerification[];
  counts: Record<PersonVerdict, number>;
}

export interface VerifyInput {
  users: readonly UserRecord[];
  mapping: Pick<Mapping, 'users' | 'groups' | 'assignments'>;
  /** The permission sets as the mapping and the policy files describe them; null for one that could not be read. */
  permissionSets: ReadonlyMap<string, PermissionSetContent | null>;
  library: PolicyLibrary;
  region: string;
  /** Only these IAM users (names compare ignoring case). */
  only?: readonly string[];
}

const RESOURCES_SHOWN = 3;

export async function verifyPeople(input: VerifyInput): Promise<VerifyReport> {
  const people: PersonVerification[] = [];
  const wanted = input.only ? new Set(input.only.map((n) => n.toLowerCase())) : null;
  const usersByName = new Map(input.users.map((u) => [u.userName.toLowerCase(), u]));
  for (const person of permissionSetsOfPeople(input.mapping, input.library.accountId)) {
    if (wanted && !wanted.has(person.iamUser.toLowerCase())) continue;
    const user = usersByName.get(person.iamUser.toLowerCase());
    if (user === undefined) continue;
    people.push(await verifyPerson(user, person.userName, person.permissionSets, input));
  }
  const counts: Record<PersonVerdict, number> = { same: 0, escalation: 0, loss: 0, unverified: 0 };
  for (const p of people) counts[p.verdict] += 1;
  return { people, counts };
}

async function verifyPerson(user: UserRecord, userName: string, setNames: readonly string[], input: VerifyInput): Promise<PersonVerification> {
  const before = iamUserPolicies(user, input.library);
  const unknown = [...before.unknown];
  const sets: ComparedSet[] = [];
  for (const name of setNames) {
    const content = input.permissionSets.get(name);
    if (!content) {
      unknown.push(`permission set ${name}`);
      continue;
    }
    const after = permissionSetPolicies(content, input.library);
    unknown.push(...after.unknown);
    sets.push({ name, policies: after.policies });
  }
  const variables = { 'aws:username': user.userName, 'aws:userid': user.userId, 'aws:principalarn': user.arn, 'aws:principalaccount': input.library.accountId };
  const documents: PolicyDocument[] = [before.policies, ...sets.map((s) => s.policies)].flatMap((p) => [...p.identity.map((n) => n.document), ...(p.boundary ? [p.boundary.document] : [])]);
  const requests = await sampleRequests({ documents, variables, place: { partition: input.library.partition, region: input.region, accountId: input.library.accountId } });
  const iamContext: RequestContext = { ...variables, 'aws:principaltype': 'User' };
  const sessionContext: RequestContext = { 'aws:username': null, 'aws:principaltype': 'AssumedRole', 'aws:principalaccount': input.library.accountId };
  const comparison = compareAccess(before.policies, sets, requests, { iam: iamContext, session: sessionContext });
  const acknowledgements = acknowledgementsOf(input.mapping, user.userName);
  const gained = groupFindings(comparison.gained, (d) => acknowledgedReason(d, acknowledgements));
  const ownUser = ownIamUserResource(user.arn);
  const isMoot = (d: AccessDifference) => d.action.toLowerCase().startsWith('iam:') && ownUser.test(d.resource);
  const lost = groupFindings(comparison.lost.filter((d) => !isMoot(d)), () => null);
  const moot = comparison.lost.filter(isMoot).length;
  const verdict: PersonVerdict =
    unknown.length > 0 ? 'unverified' : gained.some((g) => g.acknowledged === null) ? 'escalation' : lost.length > 0 ? 'loss' : 'same';
  return { iamUser: user.userName, userName, verdict, permissionSets: [...setNames], gained, lost, moot, compared: comparison.compared, undecided: comparison.undecided, unknownPolicies: [...new Set(unknown)] };
}

/** The IAM user's own ARN and its virtual MFA device's: `arn:aws:iam::1…:user/a/b/alice` → also `…:mfa/alice`. */
function ownIamUserResource(userArn: string): RegExp {
  const match = /^(arn:[^:]+:iam::\d{12}:)user\/(?:.*\/)?([^/]+)$/.exec(userArn);
  if (!match) return /^$/;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(match[1] ?? '')}(?:user|mfa)/(?:.*/)?${escape(match[2] ?? '')}$`);
}

interface Acknowledgement {
  action: string;
  resource: string;
  reason: string;
}

function acknowledgementsOf(mapping: Pick<Mapping, 'users'>, iamUser: string): Acknowledgement[] {
  const entry = Object.entries(mapping.users).find(([name]) => name.toLowerCase() === iamUser.toLowerCase())?.[1];
  return (entry?.acknowledgedEscalations ?? []).map((a) => ({ action: a.action, resource: a.resource, reason: a.reason }));
}

function acknowledgedReason(difference: AccessDifference, acknowledgements: readonly Acknowledgement[]): string | null {
  const match = acknowledgements.find((a) => matchesActionPattern(a.action, difference.action) && (a.resource === '*' || matchesResourcePattern(a.resource, difference.resource)));
  return match?.reason ?? null;
}

/** Differences folded per action (and per set, certainty and acknowledgement), resources listed. */
function groupFindings(differences: readonly AccessDifference[], acknowledged: (d: AccessDifference) => string | null): VerifyFinding[] {
  const groups = new Map<string, { finding: VerifyFinding; resources: string[] }>();
  for (const d of differences) {
    const reason = acknowledged(d);
    const key = JSON.stringify([d.action.toLowerCase(), d.permissionSet, d.certain, reason]);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        resources: [],
        finding: {
          action: d.action,
          resources: [],
          moreResources: 0,
          permissionSets: d.permissionSet === null ? [] : [d.permissionSet],
          certain: d.certain,
          iamDecision: d.iam.decision,
          iamStatements: d.iam.because.map(describeStatement),
          afterStatements: (d.after?.because ?? []).map(describeStatement),
          acknowledged: reason,
        },
      };
      groups.set(key, group);
    }
    group.resources.push(d.resource);
  }
  return [...groups.values()]
    .map(({ finding, resources }) => ({ ...finding, resources: resources.slice(0, RESOURCES_SHOWN), moreResources: Math.max(0, resources.length - RESOURCES_SHOWN) }))
    .sort((a, b) => a.action.localeCompare(b.action) || (a.permissionSets[0] ?? '').localeCompare(b.permissionSets[0] ?? ''));
}
