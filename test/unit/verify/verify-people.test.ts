import { describe, expect, it } from 'vitest';
import { buildPolicyLibrary, type PermissionSetContent } from '../../../src/model/principal-policies.js';
import type { PolicyStatement, UserRecord } from '../../../src/model/inventory.js';
import { verifyPeople } from '../../../src/phases/verify/verify-people.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import { ACCOUNT_ID, allow, makeGroup, makeUser, policyDocument } from '../../fixtures/inventory.js';

const deny = (actions: string | string[], resources: string | string[] = '*'): PolicyStatement => ({ Effect: 'Deny', Action: actions, Resource: resources });

const SQS_ALL = makeGroup({ name: 'queues', inlinePolicies: [{ name: 'sqs', document: policyDocument(allow('sqs:*')) }] });
const READERS = makeGroup({ name: 'readers', inlinePolicies: [{ name: 's3-read', document: policyDocument(allow(['s3:GetObject', 's3:ListBucket'])) }] });

function alice(overrides: Partial<UserRecord> = {}): UserRecord {
  return makeUser({ userName: 'alice', groups: ['queues', 'readers'], inlinePolicies: [{ name: 'no-delete', document: policyDocument(deny('sqs:DeleteQueue')) }], ...overrides });
}

function mapping(acknowledged?: { action: string; resource: string; reason: string }[]): Pick<Mapping, 'users' | 'groups' | 'assignments'> {
  return {
    users: { alice: { kind: 'human', userName: 'alice', ...(acknowledged ? { acknowledgedEscalations: acknowledged } : {}) } },
    groups: { queues: { members: ['alice'] }, readers: { members: ['alice'] } },
    assignments: [
      { group: 'queues', permissionSet: 'queues', targets: [ACCOUNT_ID] },
      { group: 'readers', permissionSet: 'readers', targets: [ACCOUNT_ID] },
      { user: 'alice', permissionSet: 'alice', targets: [ACCOUNT_ID] },
    ],
  };
}

function set(name: string, ...statements: PolicyStatement[]): PermissionSetContent {
  return { name, managedPolicies: [], customerManagedPolicies: [], inlinePolicy: policyDocument(...statements) };
}

async function verify(sets: PermissionSetContent[], user = alice(), acknowledged?: Parameters<typeof mapping>[0]) {
  const library = buildPolicyLibrary({ groups: [SQS_ALL, READERS], managedPolicies: [], awsManagedDocuments: new Map(), partition: 'aws', accountId: ACCOUNT_ID });
  return verifyPeople({ users: [user], mapping: mapping(acknowledged), permissionSets: new Map(sets.map((s) => [s.name, s])), library, region: 'us-east-1' });
}

describe('verifyPeople', () => {
  it('finds the escalation of a one-to-one migration: the user-level Deny only reaches the per-user set', async () => {
    const report = await verify([set('queues', allow('sqs:*')), set('readers', allow(['s3:GetObject', 's3:ListBucket'])), set('alice', deny('sqs:DeleteQueue'))]);
    const [person] = report.people;
    expect(person?.verdict).toBe('escalation');
    const gain = person?.gained.find((g) => g.action === 'sqs:DeleteQueue');
    expect(gain).toMatchObject({ permissionSets: ['queues'], certain: true, iamDecision: 'denied' });
    expect(gain?.iamStatements[0]).toContain('user alice inline no-delete');
    expect(person?.gained.map((g) => g.action)).toEqual(['sqs:DeleteQueue']);
    expect(person?.lost).toEqual([]);
  });

  it('says the same when the Deny travels with every set that could allow the action', async () => {
    const report = await verify([set('queues', allow('sqs:*'), deny('sqs:DeleteQueue')), set('readers', allow(['s3:GetObject', 's3:ListBucket'])), set('alice', deny('sqs:DeleteQueue'))]);
    expect(report.people[0]?.verdict).toBe('same');
    expect(report.counts.same).toBe(1);
  });

  it('reports what a person loses, with the IAM statement that allowed it', async () => {
    const report = await verify([set('queues', allow('sqs:SendMessage')), set('readers', allow(['s3:GetObject', 's3:ListBucket'])), set('alice', deny('sqs:DeleteQueue'))]);
    const person = report.people[0];
    expect(person?.verdict).toBe('loss');
    expect(person?.lost.map((l) => l.action)).toContain('sqs:ReceiveMessage');
    expect(person?.lost[0]?.iamStatements[0]).toContain('group queues inline sqs');
  });

  it('caps the IAM side with the boundary: a set without it gains what the boundary blocked', async () => {
    const bounded = alice({ permissionsBoundary: 'arn:aws:iam::111111111111:policy/only-s3', inlinePolicies: [] });
    const library = buildPolicyLibrary({
      groups: [SQS_ALL, READERS],
      managedPolicies: [{ name: 'only-s3', arn: 'arn:aws:iam::111111111111:policy/only-s3', path: '/', attachmentCount: 1, defaultVersionId: 'v1', document: policyDocument(allow('s3:*')) }],
      awsManagedDocuments: new Map(),
      partition: 'aws',
      accountId: ACCOUNT_ID,
    });
    const sets = [set('queues', allow('sqs:*')), set('readers', allow(['s3:GetObject', 's3:ListBucket'])), set('alice')];
    const input = { users: [bounded], mapping: mapping(), library, region: 'us-east-1' };
    const without = await verifyPeople({ ...input, permissionSets: new Map(sets.map((s) => [s.name, s])) });
    expect(without.people[0]?.verdict).toBe('escalation');
    const withBoundary = sets.map((s) => ({ ...s, permissionsBoundary: { customerManagedPolicy: { name: 'only-s3', path: '/' } } }));
    const fixed = await verifyPeople({ ...input, permissionSets: new Map(withBoundary.map((s) => [s.name, s])) });
    expect(fixed.people[0]?.verdict).toBe('same');
  });

  it('lets an acknowledged gain through, with its reason', async () => {
    const report = await verify([set('queues', allow('sqs:*')), set('readers', allow(['s3:GetObject', 's3:ListBucket'])), set('alice', deny('sqs:DeleteQueue'))], alice(), [
      { action: 'sqs:DeleteQueue', resource: '*', reason: 'alice owns the queues now' },
    ]);
    const person = report.people[0];
    expect(person?.verdict).toBe('same');
    expect(person?.gained[0]?.acknowledged).toBe('alice owns the queues now');
  });

  it('cannot vouch for a person whose permission set could not be read', async () => {
    const report = await verify([set('queues', allow('sqs:*')), set('readers', allow(['s3:GetObject', 's3:ListBucket']))]);
    expect(report.people[0]?.verdict).toBe('unverified');
    expect(report.people[0]?.unknownPolicies).toEqual(['permission set alice']);
  });

  it('does not count what the IAM user could do to itself as lost: it is moot without an IAM user', async () => {
    const selfService = { name: 'own-password', document: policyDocument(allow(['iam:ChangePassword', 'iam:CreateAccessKey'], 'arn:aws:iam::111111111111:user/${aws:username}')) };
    const user = alice({ inlinePolicies: [{ name: 'no-delete', document: policyDocument(deny('sqs:DeleteQueue')) }, selfService] });
    const report = await verify([set('queues', allow('sqs:*'), deny('sqs:DeleteQueue')), set('readers', allow(['s3:GetObject', 's3:ListBucket'])), set('alice', deny('sqs:DeleteQueue'))], user);
    expect(report.people[0]?.verdict).toBe('same');
    expect(report.people[0]?.moot).toBeGreaterThan(0);
  });
});
