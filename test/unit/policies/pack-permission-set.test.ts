import { describe, expect, it } from 'vitest';
import { matchesActionPattern, statementsOf, toArray } from '../../../src/model/policy-statements.js';
import type { PolicyStatement } from '../../../src/model/inventory.js';
import { mergeStatements } from '../../../src/phases/generate-policies/merge-statements.js';
import { OVERFLOW_POLICY_PATH, overflowPolicyFile, packPermissionSet } from '../../../src/phases/generate-policies/pack-permission-set.js';
import { countJsonValueChars, countPolicyChars, IAM_MANAGED_POLICY_CHARS } from '../../../src/model/policy-size.js';
import type { CustomerManagedSource, PackedPermissionSet, SourcePolicies } from '../../../src/phases/generate-policies/types.js';
import { allow, policyArn, policyDocument } from '../../fixtures/inventory.js';
import { seededRandom } from '../support/seeded-random.js';

const SET = 'Dev';
const INLINE_LIMIT = 10_240;
/** The most one statement may cost to fit alone in an overflow policy (6,144 minus the document frame). */
const OVERFLOW_STATEMENT_LIMIT = IAM_MANAGED_POLICY_CHARS - 39;
const AVAILABLE = { customerManagedAvailable: true };
const NOT_AVAILABLE = { customerManagedAvailable: false };

function sources(overrides: Partial<SourcePolicies> = {}): SourcePolicies {
  return { permissionSet: SET, source: { kind: 'group', name: 'developers' }, awsManagedPolicyArns: [], customerManaged: [], inline: [], ...overrides };
}

function withInline(...statements: PolicyStatement[]): SourcePolicies {
  return sources({ inline: [{ origin: 'group developers inline test', document: policyDocument(...statements) }] });
}

function customerManaged(name: string, ...statements: PolicyStatement[]): CustomerManagedSource {
  return { name, path: '/team/', arn: policyArn(name, '/team/'), document: policyDocument(...statements) };
}

const awsManaged = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:iam::aws:policy/Policy${String(i).padStart(2, '0')}`);
const codes = (packed: PackedPermissionSet) => packed.notes.map((note) => note.code);
const allStatements = (packed: PackedPermissionSet) => [packed.inlinePolicy, ...packed.overflowPolicies.map((p) => p.document)].flatMap(statementsOf);

/** A statement of exactly `size` characters with one action on one resource (so it cannot be split). */
function statementOfSize(size: number, resource: string, prefix = 's3:Get'): PolicyStatement {
  const base = countJsonValueChars(allow([prefix], [resource]));
  return allow([`${prefix}${'x'.repeat(size - base)}`], [resource]);
}

/** A NotAction statement (never split) of exactly `size` characters. */
function notActionOfSize(size: number): PolicyStatement {
  const base = countJsonValueChars({ Effect: 'Allow', NotAction: 'iam:', Resource: '*' });
  return { Effect: 'Allow', NotAction: `iam:${'n'.repeat(size - base)}`, Resource: '*' };
}

describe('packPermissionSet: attachments', () => {
  it('Given duplicated AWS-managed ARNs, When packed, Then each is attached once in source order', () => {
    const packed = packPermissionSet(sources({ awsManagedPolicyArns: ['arn:aws:iam::aws:policy/B', 'arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B'] }), AVAILABLE);
    expect(packed.managedPolicies).toEqual(['arn:aws:iam::aws:policy/B', 'arn:aws:iam::aws:policy/A']);
    expect(packed.inlinePolicy).toBeNull();
    expect(packed.notes).toEqual([]);
  });

  it('Given customer-managed policies present in every target, When packed, Then they become references by name and path', () => {
    const packed = packPermissionSet(sources({ customerManaged: [customerManaged('team-s3', allow('s3:GetObject'))] }), AVAILABLE);
    expect(packed.customerManagedPolicies).toEqual([{ name: 'team-s3', path: '/team/' }]);
    expect(packed.inlinePolicy).toBeNull();
    expect(codes(packed)).toEqual([]);
  });

  it('Given customer-managed policies not known in every target, When packed, Then their statements are inlined with a note each', () => {
    const packed = packPermissionSet(
      sources({ customerManaged: [customerManaged('team-s3', allow('s3:GetObject')), customerManaged('team-ec2', allow('ec2:StartInstances'))] }),
      NOT_AVAILABLE,
    );
    expect(packed.customerManagedPolicies).toEqual([]);
    expect(packed.inlinePolicy).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:StartInstances', 's3:GetObject'], Resource: ['*'] }] });
    expect(packed.notes.map((n) => [n.code, n.severity])).toEqual([
      ['CUSTOMER_MANAGED_INLINED', 'info'],
      ['CUSTOMER_MANAGED_INLINED', 'info'],
    ]);
  });

  it.each([
    [10, []],
    [11, ['ROLE_POLICY_QUOTA']],
    [20, ['ROLE_POLICY_QUOTA']],
    [21, ['TOO_MANY_ATTACHMENTS']],
  ])('Given %i AWS-managed policies, When packed, Then the notes are %j', (count, expected) => {
    const packed = packPermissionSet(sources({ awsManagedPolicyArns: awsManaged(count) }), AVAILABLE);
    expect(packed.managedPolicies).toHaveLength(count);
    expect(codes(packed)).toEqual(expected);
  });

  it('Given the attachment notes, When packed, Then the quota is a warning and the hard limit an error', () => {
    expect(packPermissionSet(sources({ awsManagedPolicyArns: awsManaged(11) }), AVAILABLE).notes[0]?.severity).toBe('warning');
    expect(packPermissionSet(sources({ awsManagedPolicyArns: awsManaged(21) }), AVAILABLE).notes[0]?.severity).toBe('error');
  });

  it('Given AWS-managed and customer-managed references, When counted, Then both count toward the limits', () => {
    const cm = Array.from({ length: 3 }, (_, i) => customerManaged(`team-${i}`, allow('s3:GetObject')));
    expect(codes(packPermissionSet(sources({ awsManagedPolicyArns: awsManaged(8), customerManaged: cm }), AVAILABLE))).toEqual(['ROLE_POLICY_QUOTA']);
    // Inlined instead of referenced, they take no attachment.
    expect(codes(packPermissionSet(sources({ awsManagedPolicyArns: awsManaged(8), customerManaged: cm }), NOT_AVAILABLE))).not.toContain('ROLE_POLICY_QUOTA');
  });
});

describe('packPermissionSet: the inline policy', () => {
  it('Given several inline documents, When packed, Then they become one document with merged statements and unique Sids', () => {
    const packed = packPermissionSet(
      sources({
        inline: [
          { origin: 'a', document: policyDocument({ Sid: 'VisualEditor0', ...allow('s3:GetObject', 'arn:aws:s3:::b/*') }) },
          { origin: 'b', document: policyDocument({ Sid: 'VisualEditor0', ...allow('ec2:DescribeInstances') }, allow('s3:PutObject', 'arn:aws:s3:::b/*')) },
        ],
      }),
      AVAILABLE,
    );
    expect(packed.inlinePolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'VisualEditor0', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::b/*'] },
        { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] },
      ],
    });
  });

  it('Given no policy at all, or only empty documents, When packed, Then there is no inline policy and a warning', () => {
    for (const input of [sources(), withInline()]) {
      const packed = packPermissionSet(input, AVAILABLE);
      expect(packed.inlinePolicy).toBeNull();
      expect(packed.notes.map((n) => [n.code, n.severity])).toEqual([['NO_PERMISSIONS', 'warning']]);
    }
  });

  it('Given an inline policy of exactly 10,240 characters, When packed, Then it all stays inline', () => {
    const statements = boundaryStatements(INLINE_LIMIT);
    const packed = packPermissionSet(withInline(...statements), AVAILABLE);
    expect(countPolicyChars(packed.inlinePolicy ?? { Statement: [] })).toBe(INLINE_LIMIT);
    expect(packed.overflowPolicies).toEqual([]);
    expect(packed.customerManagedPolicies).toEqual([]);
    expect(codes(packed)).toEqual([]);
  });

  it('Given an inline policy of 10,241 characters, When packed, Then one statement moves to an overflow policy the operator must create', () => {
    const statements = boundaryStatements(INLINE_LIMIT + 1);
    const packed = packPermissionSet(withInline(...statements), AVAILABLE);
    expect(countPolicyChars(packed.inlinePolicy ?? { Statement: [] })).toBeLessThanOrEqual(INLINE_LIMIT);
    expect(packed.overflowPolicies.map((p) => [p.name, p.path])).toEqual([['iam2idc-Dev-1', OVERFLOW_POLICY_PATH]]);
    expect(packed.customerManagedPolicies).toEqual([{ name: 'iam2idc-Dev-1', path: '/iam2idc/' }]);
    expect(packed.notes.map((n) => [n.code, n.severity])).toEqual([['OVERFLOW_POLICY', 'warning']]);
    expect(packed.notes[0]?.message).toContain(`file://${overflowPolicyFile('iam2idc-Dev-1')}`);
    expect(allStatements(packed)).toHaveLength(2);
    expect(allStatements(packed)).toEqual(expect.arrayContaining(mergeStatements(statements)));
  });

  it('Given a statement of exactly the managed-policy limit, When it must move, Then its overflow policy is exactly 6,144 characters', () => {
    const packed = packPermissionSet(withInline(notActionOfSize(8_000), statementOfSize(OVERFLOW_STATEMENT_LIMIT, 'arn:aws:s3:::a')), AVAILABLE);
    expect(packed.overflowPolicies).toHaveLength(1);
    expect(countPolicyChars(packed.overflowPolicies[0]!.document)).toBe(IAM_MANAGED_POLICY_CHARS);
    expect(codes(packed)).toEqual(['OVERFLOW_POLICY']);
  });

  it('Given unsplittable statements one character over that limit that do not fit inline, When packed, Then they stay inline with an error', () => {
    const tooLarge = statementOfSize(OVERFLOW_STATEMENT_LIMIT + 1, 'arn:aws:s3:::a');
    const packed = packPermissionSet(withInline(notActionOfSize(8_000), tooLarge), AVAILABLE);
    expect(packed.overflowPolicies).toEqual([]);
    expect(statementsOf(packed.inlinePolicy)).toHaveLength(2);
    expect(packed.notes.map((n) => [n.code, n.severity])).toEqual([
      ['STATEMENT_TOO_LARGE', 'error'],
      ['STATEMENT_TOO_LARGE', 'error'],
    ]);
  });

  it('Given an unsplittable statement over the managed-policy limit that fits inline, When packed, Then it stays inline and the rest overflows', () => {
    const notAction = notActionOfSize(7_000);
    const small = Array.from({ length: 5 }, (_, i) => statementOfSize(1_000, `arn:aws:s3:::bucket-${i}`));
    const packed = packPermissionSet(withInline(notAction, ...small), AVAILABLE);
    expect(statementsOf(packed.inlinePolicy)).toContainEqual(notAction);
    expect(codes(packed)).toEqual(['OVERFLOW_POLICY']);
    expect(allStatements(packed)).toHaveLength(6);
  });

  it('Given one statement with more actions than any policy may hold, When packed, Then it is split by actions and every action is kept', () => {
    const actions = Array.from({ length: 1_500 }, (_, i) => `service${i % 7}:DoSomethingNumber${i}`);
    const packed = packPermissionSet(withInline({ Sid: 'Everything', ...allow(actions) }), AVAILABLE);
    expectWithinLimits(packed);
    expect(codes(packed).filter((code) => code !== 'OVERFLOW_POLICY')).toEqual([]);
    const packedActions = allStatements(packed).flatMap((s) => toArray(s.Action));
    expect(new Set(packedActions)).toEqual(new Set(actions));
    expect(packedActions).toHaveLength(actions.length);
    expect(allStatements(packed).filter((s) => s.Sid === 'Everything')).toHaveLength(1);
  });

  it('Given one action on more resources than any policy may hold, When packed, Then it is split by resources', () => {
    const resources = Array.from({ length: 600 }, (_, i) => `arn:aws:s3:::bucket-number-${i}/*`);
    const packed = packPermissionSet(withInline(allow('s3:GetObject', resources)), AVAILABLE);
    expectWithinLimits(packed);
    expect(new Set(allStatements(packed).flatMap((s) => toArray(s.Resource)))).toEqual(new Set(resources));
  });

  it('Given a customer-managed reference already named like an overflow policy, When packed, Then the overflow takes the next free name', () => {
    const packed = packPermissionSet(
      sources({ ...withInline(...boundaryStatements(INLINE_LIMIT + 1)), customerManaged: [customerManaged('IAM2IDC-Dev-1', allow('s3:GetObject'))] }),
      AVAILABLE,
    );
    expect(packed.customerManagedPolicies.map((p) => p.name)).toEqual(['IAM2IDC-Dev-1', 'iam2idc-Dev-2']);
  });
});

describe('packPermissionSet: properties over a large generated input', () => {
  const input = generatedSources(20250601, 400);

  it('Given the same input twice, When packed, Then the output is byte-identical', () => {
    const first = JSON.stringify(packPermissionSet(input, NOT_AVAILABLE));
    expect(JSON.stringify(packPermissionSet(structuredClone(input), NOT_AVAILABLE))).toBe(first);
    expect(JSON.stringify(packPermissionSet(input, NOT_AVAILABLE))).toBe(first);
  });

  it('Given hundreds of statements, When packed, Then every document is within its limit and overflow names and Sids are unique', () => {
    const packed = packPermissionSet(input, NOT_AVAILABLE);
    expect(packed.overflowPolicies.length).toBeGreaterThan(1);
    expectWithinLimits(packed);
  });

  it('Given hundreds of statements, When packed, Then every input statement is still granted and nothing new is', () => {
    const packed = packPermissionSet(input, NOT_AVAILABLE);
    const before = [...input.inline.map((s) => s.document), ...input.customerManaged.map((p) => p.document)].flatMap(statementsOf);
    const after = allStatements(packed);
    const [beforeIndex, afterIndex] = [indexGrants(before), indexGrants(after)];
    for (const statement of before) expect(isStillGranted(statement, afterIndex), JSON.stringify(statement)).toBe(true);
    for (const statement of after) expect(isStillGranted(statement, beforeIndex), JSON.stringify(statement)).toBe(true);
  });
});

/** Two statements whose merged document is exactly `total` characters, each small enough to move on its own. */
function boundaryStatements(total: number): PolicyStatement[] {
  const measure = (pad: number) => [statementOfSize(4_500, 'arn:aws:s3:::a'), statementOfSize(pad, 'arn:aws:s3:::b', 's3:Put')];
  const frame = countPolicyChars(policyDocument(...mergeStatements(measure(1_000)))) - 1_000;
  const statements = measure(total - frame);
  expect(countPolicyChars(policyDocument(...mergeStatements(statements)))).toBe(total);
  for (const statement of statements) expect(countJsonValueChars(statement)).toBeLessThanOrEqual(OVERFLOW_STATEMENT_LIMIT);
  return statements;
}

function expectWithinLimits(packed: PackedPermissionSet): void {
  expect(countPolicyChars(packed.inlinePolicy ?? { Statement: [] })).toBeLessThanOrEqual(INLINE_LIMIT);
  for (const overflow of packed.overflowPolicies) expect(countPolicyChars(overflow.document)).toBeLessThanOrEqual(IAM_MANAGED_POLICY_CHARS);
  expect(new Set(packed.overflowPolicies.map((p) => p.name)).size).toBe(packed.overflowPolicies.length);
  for (const document of [packed.inlinePolicy, ...packed.overflowPolicies.map((p) => p.document)]) {
    const sids = statementsOf(document).flatMap((s) => (s.Sid === undefined ? [] : [s.Sid.toLowerCase()]));
    expect(new Set(sids).size).toBe(sids.length);
  }
}

/**
 * Whether `statement` is granted (or denied) by `among` exactly as it was: each of its actions on
 * each of its resources under the same effect and condition, or, for a statement this packer keeps
 * as it is (NotAction), an identical statement. Sids are ignored: they carry no meaning.
 */
function isStillGranted(statement: PolicyStatement, among: GrantIndex): boolean {
  const { Sid: _sid, ...bare } = statement;
  if (statement.Action === undefined) return among.bare.has(JSON.stringify(bare));
  const sameScope = among.byScope.get(scopeOf(statement)) ?? [];
  const covers = (candidate: IndexedGrant, action: string, resource: string | null) =>
    (candidate.literalActions.has(action.toLowerCase()) || candidate.patterns.some((pattern) => matchesActionPattern(pattern, action))) &&
    (resource === null || candidate.resources.has(resource));
  return toArray(statement.Action).every((action) => {
    const resources = statement.Resource === undefined ? [null] : toArray(statement.Resource);
    return resources.every((resource) => sameScope.some((candidate) => covers(candidate, action, resource)));
  });
}

/** A statement with an Action, read once: its literal actions (IAM matches them ignoring case), its wildcard patterns, its resources. */
interface IndexedGrant {
  literalActions: Set<string>;
  patterns: string[];
  resources: Set<string>;
}

/** Statements read once for `isStillGranted`: those with an Action by scope, and every one as it reads without its Sid. */
interface GrantIndex {
  byScope: Map<string, IndexedGrant[]>;
  bare: Set<string>;
}

/** What a statement must share with another to grant the same: its effect, its condition, and its NotResource (or having none). */
function scopeOf(statement: PolicyStatement): string {
  const notResource = statement.NotResource === undefined ? null : canonical([...toArray(statement.NotResource)].sort());
  return JSON.stringify([statement.Effect, canonical(statement.Condition ?? {}), notResource]);
}

const isPattern = (action: string) => action.includes('*') || action.includes('?');

function indexGrants(statements: PolicyStatement[]): GrantIndex {
  const byScope = new Map<string, IndexedGrant[]>();
  const bare = new Set<string>();
  for (const statement of statements) {
    const { Sid: _sid, ...rest } = statement;
    bare.add(JSON.stringify(rest));
    if (statement.Action === undefined) continue;
    const actions = toArray(statement.Action);
    const grant: IndexedGrant = {
      literalActions: new Set(actions.filter((a) => !isPattern(a)).map((a) => a.toLowerCase())),
      patterns: actions.filter(isPattern),
      resources: new Set(toArray(statement.Resource)),
    };
    const scope = scopeOf(statement);
    byScope.set(scope, [...(byScope.get(scope) ?? []), grant]);
  }
  return { byScope, bare };
}

function canonical(value: unknown): string {
  const sortKeys = (inner: unknown): unknown =>
    Array.isArray(inner)
      ? inner.map(sortKeys)
      : inner !== null && typeof inner === 'object'
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]))
        : inner;
  return JSON.stringify(sortKeys(value));
}

/** Inline and customer-managed documents with merges, wildcards, Denies, conditions and NotAction statements mixed in. */
function generatedSources(seed: number, count: number): SourcePolicies {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const services = ['s3', 'ec2', 'iam', 'dynamodb', 'lambda', 'sqs', 'sns', 'kms', 'logs', 'cloudwatch'] as const;
  const verbs = ['Get', 'List', 'Describe', 'Put', 'Create', 'Delete', 'Update', 'Tag'] as const;
  const resources = ['*', 'arn:aws:s3:::data/*', 'arn:aws:s3:::data', 'arn:aws:dynamodb:*:*:table/orders', 'arn:aws:sqs:*:*:queue-*'] as const;
  const conditions = [{ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } }] as const;
  const statements: PolicyStatement[] = [];
  for (let i = 0; i < count; i += 1) {
    const roll = next();
    if (roll < 0.05) {
      statements.push({ Effect: pick(['Allow', 'Deny'] as const), NotAction: [`${pick(services)}:*`, `${pick(services)}:${pick(verbs)}*`], Resource: '*' });
      continue;
    }
    const actions = Array.from({ length: 1 + Math.floor(next() * 30) }, () => {
      const service = pick(services);
      const shape = next();
      if (shape < 0.03) return `${service}:*`;
      if (shape < 0.08) return `${service}:${pick(verbs)}*`;
      return `${service}:${pick(verbs)}Resource${Math.floor(next() * 400)}`;
    });
    const statement: PolicyStatement = {
      ...(next() < 0.3 ? { Sid: `Stmt${Math.floor(next() * 20)}` } : {}),
      Effect: next() < 0.85 ? 'Allow' : 'Deny',
      Action: actions.length === 1 ? actions[0]! : actions,
      ...(next() < 0.05 ? { NotResource: pick(resources.slice(1)) } : { Resource: Array.from({ length: 1 + Math.floor(next() * 2) }, () => pick(resources)) }),
      ...(next() < 0.3 ? { Condition: structuredClone(pick(conditions)) as Record<string, unknown> } : {}),
    };
    statements.push(statement);
  }
  const third = Math.floor(count / 3);
  return sources({
    inline: [
      { origin: 'group developers inline one', document: policyDocument(...statements.slice(0, third)) },
      { origin: 'group developers inline two', document: policyDocument(...statements.slice(third, 2 * third)) },
    ],
    customerManaged: [customerManaged('generated', ...statements.slice(2 * third))],
  });
}
