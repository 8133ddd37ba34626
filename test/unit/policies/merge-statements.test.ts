import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../../src/model/inventory.js';
import { compareActions, mergeStatements, normaliseActionStatement } from '../../../src/phases/generate-policies/merge-statements.js';
import { allow } from '../../fixtures/inventory.js';

const BUCKET = 'arn:aws:s3:::bucket';
const OBJECTS = 'arn:aws:s3:::bucket/*';
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

describe('mergeStatements: what merges', () => {
  it('Given two Allows on the same resources, When merged, Then one statement carries the union of the actions, sorted', () => {
    const merged = mergeStatements([allow(['s3:PutObject', 's3:GetObject'], [OBJECTS, BUCKET]), allow('s3:DeleteObject', [BUCKET, OBJECTS])]);
    expect(merged).toEqual([{ Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: [BUCKET, OBJECTS] }]);
  });

  it('Given actions that differ only in case, When merged, Then they count once (the first spelling wins) and sort ignoring case', () => {
    const merged = mergeStatements([allow(['S3:GetObject', 'ec2:DescribeInstances']), allow(['s3:getobject', 'Ec2:DescribeImages'])]);
    expect(merged).toEqual([{ Effect: 'Allow', Action: ['Ec2:DescribeImages', 'ec2:DescribeInstances', 'S3:GetObject'], Resource: ['*'] }]);
  });

  it('Given the same condition written with keys in another order, When merged, Then the statements merge', () => {
    const a: PolicyStatement = { ...allow('s3:GetObject'), Condition: { Bool: { x: 'true' }, StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } };
    const b: PolicyStatement = { ...allow('s3:PutObject'), Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' }, Bool: { x: 'true' } } };
    const merged = mergeStatements([a, b]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.Action).toEqual(['s3:GetObject', 's3:PutObject']);
  });

  it('Given an empty Condition, When merged, Then it is the same as no condition', () => {
    expect(mergeStatements([{ ...allow('s3:GetObject'), Condition: {} }, allow('s3:PutObject')])).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['*'] },
    ]);
  });

  it('Given two Denies on the same resources, When merged, Then they become one Deny', () => {
    const deny = (action: string): PolicyStatement => ({ Effect: 'Deny', Action: action, Resource: '*' });
    expect(mergeStatements([deny('iam:DeleteUser'), deny('iam:CreateUser')])).toEqual([
      { Effect: 'Deny', Action: ['iam:CreateUser', 'iam:DeleteUser'], Resource: ['*'] },
    ]);
  });

  it('Given statements on the same NotResource list, When merged, Then they merge with each other', () => {
    const a: PolicyStatement = { Effect: 'Allow', Action: 's3:GetObject', NotResource: [OBJECTS] };
    const b: PolicyStatement = { Effect: 'Allow', Action: 's3:PutObject', NotResource: OBJECTS };
    expect(mergeStatements([a, b])).toEqual([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], NotResource: [OBJECTS] }]);
  });
});

describe('mergeStatements: what never merges', () => {
  it('Given different conditions, When merged, Then both statements stay', () => {
    const merged = mergeStatements([{ ...allow('s3:GetObject'), Condition: MFA }, allow('s3:PutObject')]);
    expect(merged).toHaveLength(2);
    expect(merged.map((s) => s.Condition)).toEqual([MFA, undefined]);
  });

  it('Given different resources, When merged, Then both statements stay', () => {
    expect(mergeStatements([allow('s3:GetObject', BUCKET), allow('s3:PutObject', OBJECTS)])).toHaveLength(2);
  });

  it('Given the same list as Resource in one and NotResource in the other, When merged, Then both stay', () => {
    expect(mergeStatements([allow('s3:GetObject', BUCKET), { Effect: 'Allow', Action: 's3:PutObject', NotResource: BUCKET }])).toHaveLength(2);
  });

  it('Given an Allow and a Deny of the same shape, When merged, Then the Deny stays a separate Deny', () => {
    const merged = mergeStatements([allow('s3:GetObject'), { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }, allow('s3:PutObject')]);
    expect(merged).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['*'] },
      { Effect: 'Deny', Action: ['s3:DeleteObject'], Resource: ['*'] },
    ]);
  });

  it('Given NotAction statements, When merged, Then they come back exactly as they were and merge with nothing', () => {
    const notAction: PolicyStatement = { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' };
    const other: PolicyStatement = { Effect: 'Allow', NotAction: 'account:*', Resource: '*' };
    const merged = mergeStatements([notAction, allow('s3:GetObject'), other]);
    expect(merged).toEqual([notAction, { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }, other]);
  });

  it('Given statements with a Principal or an unknown element, When merged, Then they are kept as they were', () => {
    const withPrincipal = { ...allow('sts:AssumeRole'), Principal: { AWS: '*' } } as PolicyStatement;
    const unknownKey = { ...allow('s3:GetObject'), Extra: true } as unknown as PolicyStatement;
    expect(mergeStatements([withPrincipal, unknownKey, allow('s3:GetObject')])).toEqual([
      withPrincipal,
      unknownKey,
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] },
    ]);
  });

  it('Given input statements, When merged, Then the input is not modified', () => {
    const input = [allow(['s3:PutObject', 's3:GetObject']), allow('s3:*'), { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } as PolicyStatement];
    const copy = structuredClone(input);
    const merged = mergeStatements(input);
    expect(input).toEqual(copy);
    expect(merged[1]).not.toBe(input[2]);
  });
});

describe('mergeStatements: wildcards', () => {
  it('Given `*` among the actions, When merged, Then it alone remains', () => {
    expect(mergeStatements([allow(['s3:GetObject', 'ec2:*']), allow('*')])[0]?.Action).toEqual(['*']);
  });

  it('Given `service:*`, When merged, Then only that service’s actions are dropped, ignoring case', () => {
    const merged = mergeStatements([allow(['S3:GetObject', 'ec2:StartInstances', 's3:Get*']), allow('s3:*')]);
    expect(merged[0]?.Action).toEqual(['ec2:StartInstances', 's3:*']);
  });

  it('Given a prefix wildcard, When merged, Then the actions it matches are dropped and the others kept', () => {
    const merged = mergeStatements([allow(['s3:GetObject', 's3:getbucketacl', 's3:PutObject', 's3:Get*'])]);
    expect(merged[0]?.Action).toEqual(['s3:Get*', 's3:PutObject']);
  });

  it('Given a `?` pattern and a `*` pattern it does not cover, When merged, Then both stay', () => {
    expect(mergeStatements([allow(['s3:Get?', 's3:Get*'])])[0]?.Action).toEqual(['s3:Get*']);
    expect(mergeStatements([allow(['s3:Get?bject', 's3:Get*bject'])])[0]?.Action).toEqual(['s3:Get*bject']);
    expect(mergeStatements([allow(['s3:Get?', 's3:Put*'])])[0]?.Action).toEqual(['s3:Get?', 's3:Put*']);
    // `s3:G*tObject` includes `s3:GtObject`, which `s3:G?t*` does not: a `?` never stands for a `*`.
    expect(mergeStatements([allow(['s3:G?t*', 's3:G*tObject'])])[0]?.Action).toEqual(['s3:G*tObject', 's3:G?t*']);
  });

  it('Given two spellings of the same wildcard, When merged, Then exactly one stays', () => {
    expect(mergeStatements([allow(['s3:**', 's3:*'])])[0]?.Action).toEqual(['s3:*']);
  });

  it('Given wildcards in statements that do not merge, When merged, Then nothing crosses statements', () => {
    const merged = mergeStatements([allow('s3:*', BUCKET), allow('s3:GetObject', OBJECTS)]);
    expect(merged.map((s) => s.Action)).toEqual([['s3:*'], ['s3:GetObject']]);
  });
});

describe('mergeStatements: order and Sids', () => {
  it('Given interleaved statements, When merged, Then each merged statement sits where its first part was', () => {
    const merged = mergeStatements([allow('s3:GetObject', BUCKET), allow('ec2:StartInstances'), allow('s3:PutObject', BUCKET), allow('ec2:StopInstances')]);
    expect(merged.map((s) => s.Action)).toEqual([
      ['s3:GetObject', 's3:PutObject'],
      ['ec2:StartInstances', 'ec2:StopInstances'],
    ]);
  });

  it('Given merged statements with Sids, When merged, Then the first Sid is kept', () => {
    const merged = mergeStatements([{ Sid: 'Read', ...allow('s3:GetObject') }, { Sid: 'Write', ...allow('s3:PutObject') }]);
    expect(merged).toEqual([{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['*'] }]);
  });

  it('Given statements from several policies that reuse a Sid, When merged, Then the later ones lose it and nothing else changes', () => {
    const notAction: PolicyStatement = { Sid: 'visualeditor0', Effect: 'Deny', NotAction: 'iam:*', Resource: '*' };
    const merged = mergeStatements([{ Sid: 'VisualEditor0', ...allow('s3:GetObject', BUCKET) }, { Sid: 'VisualEditor0', ...allow('ec2:Describe*') }, notAction]);
    expect(merged.map((s) => s.Sid)).toEqual(['VisualEditor0', undefined, undefined]);
    expect(merged[2]).toEqual({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' });
  });

  it('Given the same input twice, When merged, Then the output is byte-identical', () => {
    const input = [allow(['b:X', 'a:Y']), { ...allow('c:Z', 'r'), Condition: { B: { y: '1' }, A: { x: '2' } } }, allow('a:W')];
    expect(JSON.stringify(mergeStatements(structuredClone(input)))).toBe(JSON.stringify(mergeStatements(input)));
  });
});

describe('normaliseActionStatement / compareActions', () => {
  it('Given a single-valued statement, When normalised, Then its elements are lists and its resources sorted', () => {
    expect(normaliseActionStatement(allow('s3:GetObject', [OBJECTS, BUCKET, OBJECTS]))).toEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [BUCKET, OBJECTS],
    });
  });

  it('Given statements it may not merge, When normalised, Then it says so with null', () => {
    expect(normaliseActionStatement({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })).toBeNull();
    expect(normaliseActionStatement({ Effect: 'Allow', Action: [], Resource: '*' })).toBeNull();
    expect(normaliseActionStatement({ Effect: 'Allow', Action: 's3:GetObject' })).toBeNull();
    expect(normaliseActionStatement({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', NotResource: 'x' })).toBeNull();
  });

  it('Given actions in mixed case, When compared, Then case is ignored and ties break on the exact text', () => {
    expect(['s3:b', 'S3:a', 's3:A'].sort(compareActions)).toEqual(['S3:a', 's3:A', 's3:b']);
  });
});
