import { describe, expect, it } from 'vitest';
import {
  countJsonValueChars,
  countPolicyChars,
  EMPTY_POLICY_DOCUMENT_CHARS,
  IAM_MANAGED_POLICY_CHARS,
} from '../../../src/model/policy-size.js';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import { allow, policyDocument } from '../../fixtures/inventory.js';

const DOCUMENT: PolicyDocument = policyDocument(
  allow(['s3:GetObject', 's3:ListBucket'], ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*']),
  { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
);

describe('countPolicyChars', () => {
  it('Given a document, When counted, Then it is the length of its minified JSON', () => {
    expect(countPolicyChars(DOCUMENT)).toBe(JSON.stringify(DOCUMENT).length);
  });

  it('Given the same policy minified and pretty-printed, When counted as text, Then white space between tokens does not count', () => {
    const minified = JSON.stringify(DOCUMENT);
    const pretty = JSON.stringify(DOCUMENT, null, 2);
    const tabbed = `\r\n${JSON.stringify(DOCUMENT, null, '\t')}\r\n`;
    expect(countPolicyChars(minified)).toBe(minified.length);
    expect(countPolicyChars(pretty)).toBe(minified.length);
    expect(countPolicyChars(tabbed)).toBe(minified.length);
    expect(countPolicyChars(pretty)).toBe(countPolicyChars(DOCUMENT));
  });

  it('Given white space inside a string value, When counted, Then it counts (the pessimistic reading of the AWS rule)', () => {
    const withSpaces = policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my bucket  /*' });
    const withoutSpaces = policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::mybucket/*' });
    expect(countPolicyChars(withSpaces) - countPolicyChars(withoutSpaces)).toBe(3);
    expect(countPolicyChars(JSON.stringify(withSpaces, null, 2))).toBe(countPolicyChars(withSpaces));
  });

  it('Given escaped characters in a string, When counted, Then each counts at its escaped length', () => {
    const quoted = policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'a"b\\c' });
    const plain = policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'abc' });
    // `"` and `\` are sent as `\"` and `\\`: two characters each.
    expect(countPolicyChars(quoted) - countPolicyChars(plain)).toBe(4);
    expect(countPolicyChars('{"a":"x\\" y"}')).toBe('{"a":"x\\" y"}'.length);
  });

  it('Given characters beyond Latin-1, When counted, Then each UTF-16 unit counts as a six-character escape', () => {
    const base = countPolicyChars(policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'a' }));
    const latin1 = countPolicyChars(policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'é' }));
    const bmp = countPolicyChars(policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: '✓' }));
    const astral = countPolicyChars(policyDocument({ Effect: 'Allow', Action: 's3:GetObject', Resource: '😀' }));
    expect(latin1).toBe(base);
    expect(bmp).toBe(base + 5);
    expect(astral).toBe(base + 11);
  });
});

describe('countJsonValueChars / document constants', () => {
  it('Given an empty document, When measured, Then it costs the 39 characters of its frame', () => {
    expect(EMPTY_POLICY_DOCUMENT_CHARS).toBe('{"Version":"2012-10-17","Statement":[]}'.length);
    expect(EMPTY_POLICY_DOCUMENT_CHARS).toBe(39);
    expect(IAM_MANAGED_POLICY_CHARS).toBe(6144);
  });

  it('Given statements, When the document is measured, Then its size is the frame plus the statements plus one comma between each', () => {
    const statements = [allow('s3:GetObject'), allow(['ec2:Describe*', 'ec2:StartInstances'], 'arn:aws:ec2:*:*:instance/*'), allow('✓:x')];
    const sum = statements.reduce((total, statement) => total + countJsonValueChars(statement), 0);
    expect(countPolicyChars(policyDocument(...statements))).toBe(EMPTY_POLICY_DOCUMENT_CHARS + sum + statements.length - 1);
  });

  it('Given an action string, When measured, Then its quotes count', () => {
    expect(countJsonValueChars('s3:GetObject')).toBe('"s3:GetObject"'.length);
    expect(countJsonValueChars(undefined)).toBe(0);
  });
});
