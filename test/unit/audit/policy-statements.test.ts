import { describe, expect, it } from 'vitest';
import {
  isAllowAllStatement,
  isDenyAllStatement,
  matchesActionPattern,
  matchesResourcePattern,
  statementAppliesToAction,
  statementAppliesToResource,
  statementsOf,
  toArray,
} from '../../../src/model/policy-statements.js';
import type { PolicyDocument, PolicyStatement } from '../../../src/model/inventory.js';
import { allowAll, denyAll } from '../../fixtures/inventory.js';

describe('toArray / statementsOf', () => {
  it('Given a single value, a list or nothing, When normalised, Then a list comes back', () => {
    expect(toArray('s3:GetObject')).toEqual(['s3:GetObject']);
    expect(toArray(['a', 'b'])).toEqual(['a', 'b']);
    expect(toArray(undefined)).toEqual([]);
    expect(toArray(null)).toEqual([]);
  });

  it('Given a document with a single Statement object, When listed, Then it is one statement', () => {
    const document: PolicyDocument = { Version: '2012-10-17', Statement: allowAll() };
    expect(statementsOf(document)).toEqual([allowAll()]);
  });

  it('Given no document or a malformed entry, When listed, Then nothing breaks', () => {
    expect(statementsOf(null)).toEqual([]);
    expect(statementsOf(undefined)).toEqual([]);
    const malformed = { Statement: [null, 'x', allowAll()] } as unknown as PolicyDocument;
    expect(statementsOf(malformed)).toEqual([allowAll()]);
  });
});

describe('matchesActionPattern', () => {
  it.each([
    ['*', 's3:GetObject', true],
    ['*:*', 'iam:CreateUser', true],
    ['s3:*', 's3:GetObject', true],
    ['s3:*', 'S3:getobject', true],
    ['S3:GET*', 's3:GetObject', true],
    ['iam:Get*', 'iam:GetUser', true],
    ['iam:Get*', 'iam:ListUsers', false],
    ['iam:Get*', 'iamx:GetUser', false],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:Get?bject', 's3:GetObjject', false],
    ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', false],
    ['sts:AssumeRole*', 'sts:AssumeRoleWithSAML', true],
    ['ec2:Describe.*', 'ec2:DescribeX', false],
  ])('Given pattern %s, When matched against %s, Then %s', (pattern, action, expected) => {
    expect(matchesActionPattern(pattern, action)).toBe(expected);
  });
});

describe('matchesResourcePattern', () => {
  const role = 'arn:aws:iam::111111111111:role/Admin';
  it.each([
    ['*', role, true],
    [role, role, true],
    ['arn:aws:iam::111111111111:role/*', role, true],
    ['arn:aws:iam::*:role/Adm?n', role, true],
    ['arn:aws:iam::111111111111:role/admin', role, false],
    ['arn:aws:iam::222222222222:role/*', role, false],
    ['arn:aws:iam::111111111111:role/Admin+', 'arn:aws:iam::111111111111:role/Admin+', true],
    ['arn:aws:iam::111111111111:role/Admin+', 'arn:aws:iam::111111111111:role/Adminn', false],
  ])('Given pattern %s, When matched against %s, Then %s (case-sensitive)', (pattern, resource, expected) => {
    expect(matchesResourcePattern(pattern, resource)).toBe(expected);
  });

  it('Given a ${aws:username} variable, When the user name is known, Then it is substituted literally', () => {
    const pattern = 'arn:aws:iam::111111111111:role/${aws:username}-admin';
    expect(matchesResourcePattern(pattern, 'arn:aws:iam::111111111111:role/jane-admin', { 'aws:username': 'jane' })).toBe(true);
    expect(matchesResourcePattern(pattern, 'arn:aws:iam::111111111111:role/bob-admin', { 'aws:username': 'jane' })).toBe(false);
    expect(matchesResourcePattern(pattern, 'arn:aws:iam::111111111111:role/x-admin', { 'aws:username': '*' })).toBe(false);
  });

  it('Given an unresolved variable, When matched, Then it never matches unless it has a default', () => {
    expect(matchesResourcePattern('arn:aws:s3:::${aws:username}', 'arn:aws:s3:::anything')).toBe(false);
    expect(matchesResourcePattern("arn:aws:s3:::${aws:username, 'shared'}", 'arn:aws:s3:::shared')).toBe(true);
  });

  it('Given the escape variables ${*} ${?} ${$}, When matched, Then they stand for the literal characters', () => {
    expect(matchesResourcePattern('arn:aws:s3:::a${*}b', 'arn:aws:s3:::a*b')).toBe(true);
    expect(matchesResourcePattern('arn:aws:s3:::a${*}b', 'arn:aws:s3:::axxb')).toBe(false);
    expect(matchesResourcePattern('arn:aws:s3:::a${?}${$}', 'arn:aws:s3:::a?$')).toBe(true);
  });
});

describe('statementAppliesToAction / statementAppliesToResource', () => {
  it('Given NotAction, When asked about an excluded and an included action, Then only the included one applies', () => {
    const statement: PolicyStatement = { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' };
    expect(statementAppliesToAction(statement, 'iam:CreateUser')).toBe(false);
    expect(statementAppliesToAction(statement, 'sts:AssumeRole')).toBe(true);
  });

  it('Given NotResource, When asked about an excluded resource, Then it does not apply', () => {
    const statement: PolicyStatement = { Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::secret/*' };
    expect(statementAppliesToResource(statement, 'arn:aws:s3:::secret/key')).toBe(false);
    expect(statementAppliesToResource(statement, 'arn:aws:s3:::public/key')).toBe(true);
  });

  it('Given a statement with neither Action nor NotAction, When asked, Then it applies to nothing', () => {
    expect(statementAppliesToAction({ Effect: 'Allow', Resource: '*' }, 's3:GetObject')).toBe(false);
    expect(statementAppliesToResource({ Effect: 'Allow', Action: '*' }, 'arn:aws:s3:::b')).toBe(false);
  });
});

describe('isAllowAllStatement / isDenyAllStatement', () => {
  it('Given allow-all and deny-all statements, When tested with the predicates, Then only the unconditional ones count', () => {
    expect(isAllowAllStatement(allowAll())).toBe(true);
    expect(isAllowAllStatement(allowAll({ Bool: { 'aws:SecureTransport': 'true' } }))).toBe(false);
    expect(isAllowAllStatement({ ...allowAll(), Condition: {} })).toBe(true);
    expect(isAllowAllStatement({ Effect: 'Allow', Action: ['s3:*', '*:*'], Resource: ['arn:aws:s3:::b', '*'] })).toBe(true);
    expect(isAllowAllStatement({ Effect: 'Allow', Action: '*', Resource: 'arn:*' })).toBe(false);
    expect(isAllowAllStatement({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })).toBe(false);
    expect(isDenyAllStatement(denyAll())).toBe(true);
    expect(isDenyAllStatement({ Effect: 'Deny', Action: '*:*', Resource: ['*'] })).toBe(true);
    expect(isDenyAllStatement(denyAll({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } }))).toBe(false);
    expect(isDenyAllStatement({ Effect: 'Deny', NotAction: 'iam:ChangePassword', Resource: '*' })).toBe(false);
  });
});
