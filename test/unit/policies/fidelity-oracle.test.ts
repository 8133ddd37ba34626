/**
 * The permission sets generate-policies drafts, judged by an IAM simulator it did not write
 * (@cloud-copilot/iam-simulate, a devDependency only). For random accounts of people in several
 * groups, with Denies in user and group policies and permissions boundaries: after the move, each
 * person can do, through any one of their sets, exactly what their IAM user could: nothing IAM
 * denied or did not allow, and nothing less than IAM allowed.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import type { Group, ManagedPolicy, PolicyDocument, PolicyStatement, UserRecord } from '../../../src/model/inventory.js';
import { libraryOfSnapshot, planPolicySets } from '../../../src/phases/generate-policies/plan-policy-sets.js';
import { splitForFidelity } from '../../../src/phases/generate-policies/split-for-fidelity.js';
import { permissionSetsOfPeople } from '../../../src/workspace/people-permission-sets.js';
import { parseMapping, renderMappingDocument } from '../../../src/workspace/mapping-file.js';
import { ACCOUNT_ID, makeGroup, makeUser, policyArn } from '../../fixtures/inventory.js';
import { classified, makeSnapshot } from '../../fixtures/snapshot.js';
import { seededRandom } from '../support/seeded-random.js';

const ACCOUNTS = 40;
const REQUESTS = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::prod-data/report.csv' },
  { action: 's3:DeleteObject', resource: 'arn:aws:s3:::dev-data/tmp.txt' },
  { action: 'sqs:DeleteQueue', resource: `arn:aws:sqs:us-east-1:${ACCOUNT_ID}:jobs` },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCOUNT_ID}:jobs` },
  { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT_ID}:user/bob` },
];
const ACTION_PATTERNS = ['s3:*', 's3:Get*', 's3:*Object', 's3:DeleteObject', 'sqs:*', 'sqs:DeleteQueue', 'iam:Create*', '*'];
const RESOURCE_PATTERNS = ['*', 'arn:aws:s3:::prod-data/*', 'arn:aws:s3:::*-data/tmp*', `arn:aws:sqs:*:${ACCOUNT_ID}:*`];
const REGIONS = ['us-east-1', 'eu-west-1'];
const PEOPLE = ['alice', 'bob', 'carol', 'dave'];
const GROUPS = ['queues', 'storage', 'ops'];

function account(next: () => number) {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T,>(items: readonly T[]): T[] => [...new Set([pick(items), ...(next() < 0.3 ? [pick(items)] : [])])];
  const statement = (denyChance: number): PolicyStatement => ({
    Effect: next() < denyChance ? 'Deny' : 'Allow',
    Action: some(ACTION_PATTERNS),
    Resource: some(RESOURCE_PATTERNS),
    ...(next() < 0.2 ? { Condition: { StringEquals: { 'aws:RequestedRegion': pick(REGIONS) } } } : {}),
  });
  const document = (count: number, denyChance: number): PolicyDocument => ({ Version: '2012-10-17', Statement: Array.from({ length: count }, () => statement(denyChance)) });
  const boundaries: ManagedPolicy[] = ['bound-a', 'bound-b'].map((name) => ({ name, arn: policyArn(name), path: '/', attachmentCount: 1, defaultVersionId: 'v1', document: document(1 + Math.floor(next() * 2), 0.1) }));
  const groups: Group[] = GROUPS.map((name) => makeGroup({ name, inlinePolicies: [{ name: `${name}-policy`, document: document(1 + Math.floor(next() * 2), 0.3) }] }));
  const users: UserRecord[] = PEOPLE.map((userName) => {
    const memberOf = GROUPS.filter(() => next() < 0.6);
    const own = next() < 0.5 ? [{ name: `${userName}-own`, document: document(1, 0.6) }] : [];
    const boundary = next() < 0.3 ? (pick(boundaries).arn) : null;
    return makeUser({ userName, groups: memberOf, inlinePolicies: own, permissionsBoundary: boundary, classification: classified('human', 'console password') });
  });
  for (const group of groups) group.members = users.filter((u) => u.groups.includes(group.name)).map((u) => u.userName);
  return makeSnapshot({ users, groups, managedPolicies: boundaries });
}

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

async function simulate(identity: PolicyDocument[], boundary: PolicyDocument | null, request: (typeof REQUESTS)[number], region: string, principal: string, user: string | null): Promise<Decision> {
  const result = await runSimulation(
    {
      identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }] } : {}),
      request: { action: request.action, principal, resource: { resource: request.resource, accountId: ACCOUNT_ID }, contextVariables: { 'aws:RequestedRegion': region, ...(user ? { 'aws:username': user } : {}) } },
    },
    {},
  );
  const overall = (result as { overallResult?: Decision }).overallResult;
  if (overall === undefined) throw new Error(`the simulator refused: ${JSON.stringify(result).slice(0, 400)}`);
  return overall;
}

/** The random accounts, drawn in order from one seed: each is the same whichever tests run. */
const next = seededRandom(7_12_2026);
const accounts = Array.from({ length: ACCOUNTS }, (_, n) => [n, account(next)] as const);

describe('generated permission sets against an independent IAM simulator', () => {
  // One test per account: each simulates a few hundred requests, and reports its own mismatches.
  it.each(accounts)('grant each person exactly what their IAM user could, in random account %i', async (n, snapshot) => {
    const problems: string[] = [];
    const library = libraryOfSnapshot(snapshot);
    const loaded = parseMapping(renderMappingDocument(draftMapping(snapshot)), 'mapping.yaml');
    const { mapping, blocked } = splitForFidelity(snapshot, loaded.mapping, loaded.document, library);
    expect(blocked).toEqual([]);
    const sets = new Map(planPolicySets(snapshot, mapping).map((d) => [d.name, d]));
    const boundaryOf = (arn: string | null) => (arn === null ? null : (library.documents.get(arn) ?? null));
    for (const person of permissionSetsOfPeople(mapping, ACCOUNT_ID)) {
      const user = snapshot.users.find((u) => u.userName === person.iamUser) as UserRecord;
      const iamDocuments = [...user.inlinePolicies.map((p) => p.document), ...user.groups.flatMap((g) => snapshot.groups.find((x) => x.name === g)?.inlinePolicies.map((p) => p.document) ?? [])];
      for (const request of REQUESTS) {
        for (const region of REGIONS) {
          const before = await simulate(iamDocuments, boundaryOf(user.permissionsBoundary), request, region, user.arn, user.userName);
          let allowedAfter = false;
          for (const name of person.permissionSets) {
            const draft = sets.get(name);
            if (!draft) continue;
            const documents = [...(draft.granted.inlinePolicy ? [draft.granted.inlinePolicy] : []), ...draft.granted.customerManagedPolicies.map((ref) => library.documents.get(policyArn(ref.name, ref.path)) as PolicyDocument)];
            const declared = draft.permissionsBoundary;
            const boundary = declared && 'customerManagedPolicy' in declared ? boundaryOf(policyArn(declared.customerManagedPolicy.name, declared.customerManagedPolicy.path)) : null;
            const session = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/AWSReservedSSO_${name}_0123456789abcdef/${person.userName}`;
            if ((await simulate(documents, boundary, request, region, session, null)) === 'Allowed') allowedAfter = true;
          }
          if ((before === 'Allowed') !== allowedAfter) {
            problems.push(`account ${n}, ${person.iamUser}, ${request.action} in ${region}: IAM ${before}, permission sets ${allowedAfter ? 'allow' : 'do not allow'} (${person.permissionSets.join(', ')})`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
