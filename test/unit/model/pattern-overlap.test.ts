import { describe, expect, it } from 'vitest';
import { actionPatternsOverlap } from '../../../src/model/pattern-overlap.js';
import { matchesActionPattern } from '../../../src/model/policy-statements.js';

describe('actionPatternsOverlap', () => {
  it.each([
    ['sqs:*', 'sqs:DeleteQueue', true],
    ['sqs:Delete*', 'SQS:deletequeue', true],
    ['s3:Get*', 's3:Put*', false],
    ['*', 'iam:PassRole', true],
    ['s3:*Object', 's3:Get*', true],
    ['ec2:?escribe*', 'ec2:Describe', true],
    ['ec2:Describe?', 'ec2:Describe', false],
    ['*:Delete*', 's3:Get*', false],
    ['*:Get*', 's3:*Object', true],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(actionPatternsOverlap(a, b)).toBe(expected);
    expect(actionPatternsOverlap(b, a)).toBe(expected);
  });

  it('agrees with matching on every pair of a small alphabet of strings and patterns', () => {
    const patterns = ['*', 'a*', '*b', 'a?b', '?', 'ab', 'a*b*', '*a*', 'b?', '??'];
    const strings = ['', 'a', 'b', 'ab', 'ba', 'aab', 'abb', 'bab', 'abab', 'bb'];
    for (const p of patterns) {
      for (const q of patterns) {
        const witness = strings.some((s) => matchesActionPattern(p, s) && matchesActionPattern(q, s));
        // A witness from the sample proves overlap; without one, overlap must come from longer strings only.
        if (witness) expect(actionPatternsOverlap(p, q)).toBe(true);
      }
    }
    expect(actionPatternsOverlap('a?b', 'ab')).toBe(false);
    expect(actionPatternsOverlap('??', 'a*b*')).toBe(true);
  });
});
