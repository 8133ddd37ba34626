import { describe, expect, it } from 'vitest';
import { evaluateAccess, type AccessDecision, type AccessRequest, type NamedPolicy, type PrincipalPolicies } from '../../../src/model/effective-access.js';
import type { PolicyDocument, PolicyStatement } from '../../../src/model/inventory.js';

const ACCOUNT = '111111111111';
const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const named = (source: string, ...statements: PolicyStatement[]): NamedPolicy => ({ source, document: doc(...statements) });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Deny', Action, Resource, ...extra });
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
const PROD_BUCKET = 'arn:aws:s3:::prod-data/report.csv';
const USER = { 'aws:username': 'alice', 'aws:userid': 'AIDAALICE' };

interface Case {
  name: string;
  policies: PrincipalPolicies;
  request: AccessRequest;
  decision: AccessDecision;
}

/** Each case is IAM's documented evaluation logic for identity policies and boundaries in one account. */
const CASES: Case[] = [
  { name: 'nothing allows it: an implicit deny', policies: { identity: [], boundary: null }, request: { action: 's3:GetObject', resource: PROD_BUCKET }, decision: 'not-allowed' },
  { name: 'an Allow in one group', policies: { identity: [named('group Readers', allow('s3:Get*'))], boundary: null }, request: { action: 's3:GetObject', resource: PROD_BUCKET }, decision: 'allowed' },
  {
    name: "a user's Deny beats another group's Allow of sqs:*",
    policies: { identity: [named('user alice', deny('sqs:DeleteQueue')), named('group Queues', allow('sqs:*'))], boundary: null },
    request: { action: 'sqs:DeleteQueue', resource: QUEUE },
    decision: 'denied',
  },
  { name: 'actions match without case', policies: { identity: [named('p', allow('SQS:deletequeue'))], boundary: null }, request: { action: 'sqs:DeleteQueue', resource: QUEUE }, decision: 'allowed' },
  {
    name: 'NotAction with NotResource allows what neither names',
    policies: { identity: [named('p', { Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' })], boundary: null },
    request: { action: 's3:GetObject', resource: PROD_BUCKET },
    decision: 'allowed',
  },
  {
    name: 'NotAction does not allow what it names',
    policies: { identity: [named('p', { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' })], boundary: null },
    request: { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/x` },
    decision: 'not-allowed',
  },
  {
    name: 'a boundary caps an Allow: outside the boundary is not allowed',
    policies: { identity: [named('p', allow('*'))], boundary: named('boundary', allow(['s3:*', 'sqs:*'])) },
    request: { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/x` },
    decision: 'not-allowed',
  },
  {
    name: 'inside the boundary and allowed',
    policies: { identity: [named('p', allow('*'))], boundary: named('boundary', allow(['s3:*', 'sqs:*'])) },
    request: { action: 's3:GetObject', resource: PROD_BUCKET },
    decision: 'allowed',
  },
  {
    name: 'a boundary alone grants nothing',
    policies: { identity: [], boundary: named('boundary', allow('*')) },
    request: { action: 's3:GetObject', resource: PROD_BUCKET },
    decision: 'not-allowed',
  },
  {
    name: 'a Deny in the boundary denies',
    policies: { identity: [named('p', allow('*'))], boundary: named('boundary', allow('*'), deny('s3:DeleteObject')) },
    request: { action: 's3:DeleteObject', resource: PROD_BUCKET },
    decision: 'denied',
  },
  {
    name: '${aws:username} in a resource matches the user it names',
    policies: { identity: [named('p', allow('iam:ChangePassword', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`))], boundary: null },
    request: { action: 'iam:ChangePassword', resource: `arn:aws:iam::${ACCOUNT}:user/alice`, context: USER },
    decision: 'allowed',
  },
  {
    name: '${aws:username} never matches in a role session, where the key is absent',
    policies: { identity: [named('p', allow('iam:ChangePassword', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`))], boundary: null },
    request: { action: 'iam:ChangePassword', resource: `arn:aws:iam::${ACCOUNT}:user/alice`, context: { 'aws:username': null } },
    decision: 'not-allowed',
  },
  {
    name: 'a variable nobody gave is undecided, not allowed',
    policies: { identity: [named('p', allow('iam:ChangePassword', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`))], boundary: null },
    request: { action: 'iam:ChangePassword', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
    decision: 'conditional',
  },
  {
    name: 'a region condition that holds',
    policies: { identity: [named('p', allow('ec2:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))], boundary: null },
    request: { action: 'ec2:RunInstances', resource: '*', context: { 'aws:requestedregion': 'eu-west-1' } },
    decision: 'allowed',
  },
  {
    name: 'a region condition that does not hold',
    policies: { identity: [named('p', allow('ec2:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))], boundary: null },
    request: { action: 'ec2:RunInstances', resource: '*', context: { 'aws:requestedregion': 'us-east-1' } },
    decision: 'not-allowed',
  },
  {
    name: 'a condition on a key nobody gave is conditional',
    policies: { identity: [named('p', allow('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }))], boundary: null },
    request: { action: 'iam:CreateUser', resource: '*' },
    decision: 'conditional',
  },
  {
    name: 'a Deny that may apply makes an Allow conditional',
    policies: { identity: [named('p', allow('s3:*')), named('q', deny('s3:*', '*', { Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))], boundary: null },
    request: { action: 's3:GetObject', resource: PROD_BUCKET },
    decision: 'conditional',
  },
  {
    name: 'a negated operator holds when the key is known to be absent',
    policies: { identity: [named('p', deny('s3:*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'data' } } })), named('q', allow('s3:*'))], boundary: null },
    request: { action: 's3:GetObject', resource: PROD_BUCKET, context: { 'aws:principaltag/team': null } },
    decision: 'denied',
  },
  {
    name: 'IfExists holds when the key is absent',
    policies: { identity: [named('p', allow('s3:*', '*', { Condition: { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'data' } } }))], boundary: null },
    request: { action: 's3:GetObject', resource: PROD_BUCKET, context: { 'aws:principaltag/team': null } },
    decision: 'allowed',
  },
  {
    name: 'an operator this model does not know is conditional',
    policies: { identity: [named('p', allow('s3:*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }))], boundary: null },
    request: { action: 's3:GetObject', resource: PROD_BUCKET, context: { 'aws:sourceip': '10.1.2.3' } },
    decision: 'conditional',
  },
];

describe('evaluateAccess follows IAM evaluation logic', () => {
  it.each(CASES)('$name', ({ policies, request, decision }) => {
    expect(evaluateAccess(policies, request).decision).toBe(decision);
  });

  it('names the statements that decide: the Deny that wins', () => {
    const verdict = evaluateAccess({ identity: [named('user alice', { ...deny('sqs:DeleteQueue'), Sid: 'NoDeletes' }), named('group Queues', allow('sqs:*'))], boundary: null }, { action: 'sqs:DeleteQueue', resource: QUEUE });
    expect(verdict.because).toEqual([{ source: 'user alice', sid: 'NoDeletes', index: 0 }]);
  });
});
