import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import { arePoliciesEqual, isPolicyBroadening, renderInlinePolicyText } from '../../../src/phases/create-permission-sets/compare-policies.js';
import { countPolicyChars } from '../../../src/model/policy-size.js';
import { allowStatement, policy } from './fixtures.js';

const deny = (action: string): PolicyDocument['Statement'] => ({ Effect: 'Deny', Action: action, Resource: '*' });

describe('arePoliciesEqual', () => {
  it('Given the same grants in another order, with single values as lists and a duplicate, When compared, Then they are equal', () => {
    const a = policy(allowStatement(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::b/*'), { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } });
    const b: PolicyDocument = {
      Statement: [
        { Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1'] } }, Action: ['ec2:Describe*'], Effect: 'Allow' },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::b/*'] },
      ],
      Version: '2012-10-17',
    };

    expect(arePoliciesEqual(a, b)).toBe(true);
  });

  it('Given a different resource or condition, When compared, Then they differ', () => {
    const a = policy(allowStatement('s3:GetObject', 'arn:aws:s3:::b/*'));

    expect(arePoliciesEqual(a, policy(allowStatement('s3:GetObject', 'arn:aws:s3:::c/*')))).toBe(false);
    expect(arePoliciesEqual(a, null)).toBe(false);
    expect(arePoliciesEqual(null, null)).toBe(true);
  });
});

describe('isPolicyBroadening', () => {
  const before = policy(allowStatement(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::b/*'), deny('iam:*'));

  it('Given a policy that only loses actions, When compared, Then it is not broadening', () => {
    expect(isPolicyBroadening(policy(allowStatement('s3:GetObject', 'arn:aws:s3:::b/*'), deny('iam:*')), before)).toBe(false);
  });

  it('Given a new action, a wider resource, a removed Deny, or a first policy, When compared, Then each is broadening', () => {
    expect(isPolicyBroadening(policy(allowStatement(['s3:GetObject', 's3:DeleteObject'], 'arn:aws:s3:::b/*'), deny('iam:*')), before)).toBe(true);
    expect(isPolicyBroadening(policy(allowStatement('s3:GetObject', '*'), deny('iam:*')), before)).toBe(true);
    expect(isPolicyBroadening(policy(allowStatement('s3:GetObject', 'arn:aws:s3:::b/*')), before)).toBe(true);
    expect(isPolicyBroadening(before, null)).toBe(true);
  });

  it('Given a policy of Deny statements only, When it is new, Then it is not broadening; removing it is', () => {
    const denyOnly = policy(deny('iam:*'));

    expect(isPolicyBroadening(denyOnly, null)).toBe(false);
    expect(isPolicyBroadening(null, denyOnly)).toBe(true);
  });
});

describe('renderInlinePolicyText', () => {
  it('Given a policy with characters above U+00FF, When rendered, Then it is minified JSON of the same policy with those characters escaped', () => {
    const doc = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'Ärger→ops' } } });

    const text = renderInlinePolicyText(doc);

    expect(JSON.parse(text)).toEqual(doc);
    expect([...text].every((char) => (char.codePointAt(0) ?? 0) <= 0xff)).toBe(true);
    expect(countPolicyChars(text)).toBe(countPolicyChars(doc));
  });
});
