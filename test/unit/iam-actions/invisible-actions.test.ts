import { describe, expect, it } from 'vitest';
import { canonicalAction, expandActionPattern } from '../../../src/model/iam-actions/action-catalog.js';
import {
  INVISIBLE_ACTIONS,
  invisibleActionsGranted,
  invisibleReason,
} from '../../../src/model/iam-actions/invisible-actions.js';

describe('INVISIBLE_ACTIONS', () => {
  it.each(INVISIBLE_ACTIONS.map((entry) => [entry.action]))('Given %s, When checked, Then it is a known action in canonical spelling', async (action) => {
    expect(await canonicalAction(action)).toBe(action);
  });

  it('Given the list, When checked, Then no action appears twice and iam:PassRole is permission-only', () => {
    const actions = INVISIBLE_ACTIONS.map((entry) => entry.action.toLowerCase());
    expect(new Set(actions).size).toBe(actions.length);
    expect(invisibleReason('iam:PassRole')).toBe('permission-only');
  });
});

describe('invisibleActionsGranted', () => {
  it('Given concrete granted actions, When filtered, Then only the invisible ones come back', () => {
    expect(invisibleActionsGranted(['iam:PassRole', 's3:ListAllMyBuckets', 'ec2:RunInstances'])).toEqual(['iam:PassRole']);
  });

  it('Given actions in another case, When filtered, Then the canonical spelling comes back', () => {
    expect(invisibleActionsGranted(['IAM:passrole', 'S3:GETOBJECT'])).toEqual(['iam:PassRole', 's3:GetObject']);
  });

  it('Given patterns, When filtered, Then the invisible actions they cover come back', () => {
    expect(invisibleActionsGranted(['iam:*'])).toEqual(['iam:PassRole']);
    const s3Reads = invisibleActionsGranted(['s3:Get*']);
    expect(s3Reads).toContain('s3:GetObject');
    expect(s3Reads).toContain('s3:GetObjectVersion');
    expect(s3Reads).not.toContain('s3:PutObject');
    expect(invisibleActionsGranted(['*'])).toEqual(INVISIBLE_ACTIONS.map((entry) => entry.action));
  });

  it('Given nothing granted, When filtered, Then nothing comes back', () => {
    expect(invisibleActionsGranted([])).toEqual([]);
  });

  it('Given every action of AWS expanded, When filtered, Then every invisible action comes back quickly', async () => {
    const everything = await expandActionPattern('*');
    const started = performance.now();
    expect(invisibleActionsGranted(everything)).toEqual(INVISIBLE_ACTIONS.map((entry) => entry.action));
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('invisibleReason', () => {
  it.each([
    ['s3:getobject', 'data-event'],
    ['kms:Decrypt', 'often-excluded'],
    ['sts:TagSession', 'permission-only'],
    ['ec2:RunInstances', null],
    ['secretsmanager:GetSecretValue', null],
  ])('Given %s, When asked, Then the reason is %s', (action, expected) => {
    expect(invisibleReason(action)).toBe(expected);
  });
});
