import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../../src/model/inventory.js';
import {
  buildProposedPolicy,
  buildUsedPolicy,
  comparePolicySources,
  expandAllowedActions,
  keepKnownActions,
} from '../../../src/phases/generate-policies/compare-policy-sources.js';
import { expandActionPattern } from '../../../src/model/iam-actions/action-catalog.js';
import { allow, policyDocument, roleArn } from '../../fixtures/inventory.js';

const BUCKET_OBJECTS = 'arn:aws:s3:::app-bucket/*';
const APP_ROLE = roleArn('app-role');
/** The object-level reads `s3:Get*` grants that CloudTrail does not log by default (data events). */
const INVISIBLE_S3_GETS = ['s3:GetObjectAcl', 's3:GetObjectAttributes', 's3:GetObjectTagging', 's3:GetObjectVersion'];

const GRANTED = [policyDocument(allow('s3:Get*', BUCKET_OBJECTS), allow('iam:PassRole', APP_ROLE))];
const USED = [policyDocument(allow(['s3:GetObject', 'ec2:DescribeInstances'], '*'))];

const deny = (action: string): PolicyStatement => ({ Effect: 'Deny', Action: action, Resource: '*' });

describe('comparePolicySources', () => {
  it('Given s3:Get* and iam:PassRole granted and s3:GetObject used, When compared, Then wildcards are expanded against the action database', async () => {
    const everyS3Get = await expandActionPattern('s3:Get*');

    const comparison = await comparePolicySources(GRANTED, USED);

    expect(everyS3Get.length).toBeGreaterThan(20);
    expect(comparison.grantedActions).toEqual([...everyS3Get, 'iam:PassRole'].sort((a, b) => a.localeCompare(b)));
    expect(comparison.usedActions).toEqual(['ec2:DescribeInstances', 's3:GetObject']);
  });

  it('Given the same inputs, When compared, Then grantedButUnused is every granted action but s3:GetObject', async () => {
    const everyS3Get = await expandActionPattern('s3:Get*');

    const comparison = await comparePolicySources(GRANTED, USED);

    expect(comparison.grantedButUnused).toEqual([...everyS3Get.filter((a) => a !== 's3:GetObject'), 'iam:PassRole'].sort((a, b) => a.localeCompare(b)));
    expect(comparison.grantedButUnused).toContain('s3:GetBucketPolicy');
    expect(comparison.grantedButUnused).not.toContain('s3:GetObject');
  });

  it('Given an action used but granted by none of the documents, When compared, Then it is listed as usedButNotGranted and stays in proposed', async () => {
    const comparison = await comparePolicySources(GRANTED, USED);

    expect(comparison.usedButNotGranted).toEqual(['ec2:DescribeInstances']);
    expect(comparison.proposedActions).toContain('ec2:DescribeInstances');
  });

  it('Given granted actions CloudTrail cannot see, When compared, Then proposed is used plus those actions, and nothing else granted', async () => {
    const comparison = await comparePolicySources(GRANTED, USED);

    expect(comparison.invisibleKept).toEqual(['iam:PassRole', ...INVISIBLE_S3_GETS]);
    expect(comparison.proposedActions).toEqual(['ec2:DescribeInstances', 'iam:PassRole', 's3:GetObject', ...INVISIBLE_S3_GETS]);
    expect(comparison.proposedActions).not.toContain('s3:GetBucketPolicy');
  });

  it('Given an invisible action that was also used, When compared, Then it is not counted as kept', async () => {
    const comparison = await comparePolicySources(GRANTED, [policyDocument(allow(['iam:PassRole', 's3:GetObject']))]);

    expect(comparison.invisibleKept).toEqual(INVISIBLE_S3_GETS);
  });

  it('Given actions spelled in another case, When compared, Then they match as IAM matches them', async () => {
    const comparison = await comparePolicySources([policyDocument(allow('S3:getobject'))], [policyDocument(allow('s3:GETOBJECT'))]);

    expect(comparison.grantedActions).toEqual(['s3:GetObject']);
    expect(comparison.usedButNotGranted).toEqual([]);
    expect(comparison.grantedButUnused).toEqual([]);
  });
});

describe('expandAllowedActions', () => {
  it('Given Deny and NotAction statements, When granted actions are expanded, Then only Allow statements with Action count', async () => {
    const documents = [
      policyDocument(
        allow('iam:PassRole', APP_ROLE),
        deny('iam:*'),
        { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' },
      ),
    ];

    expect([...(await expandAllowedActions(documents))]).toEqual(['iam:PassRole']);
  });

  it('Given a single statement instead of a list, When expanded, Then it is read as a list of one', async () => {
    expect([...(await expandAllowedActions([{ Version: '2012-10-17', Statement: allow('s3:GetObject') }]))]).toEqual(['s3:GetObject']);
  });

  it('Given an action the database does not know, When expanded, Then it is left out', async () => {
    expect([...(await expandAllowedActions([policyDocument(allow(['s3:NoSuchAction', 's3:GetObject']))]))]).toEqual(['s3:GetObject']);
  });
});

describe('buildProposedPolicy', () => {
  it('Given invisible actions kept, When the proposed policy is built, Then each is allowed only on the resources it was granted on', async () => {
    const comparison = await comparePolicySources(GRANTED, USED);

    const proposed = buildProposedPolicy(USED, GRANTED, comparison.invisibleKept);

    expect(proposed).toEqual({
      Version: '2012-10-17',
      Statement: [
        allow(['s3:GetObject', 'ec2:DescribeInstances'], '*'),
        { Effect: 'Allow', Action: ['iam:PassRole'], Resource: APP_ROLE },
        { Effect: 'Allow', Action: INVISIBLE_S3_GETS, Resource: BUCKET_OBJECTS },
      ],
    });
  });

  it('Given an invisible action granted on two resources, When built, Then its statement lists both, sorted', () => {
    const granted = [policyDocument(allow('iam:PassRole', roleArn('b-role')), allow('iam:PassRole', roleArn('a-role')))];

    const proposed = buildProposedPolicy([], granted, ['iam:PassRole']);

    expect(proposed.Statement).toEqual([{ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [roleArn('a-role'), roleArn('b-role')] }]);
  });

  it('Given an invisible action granted only under a condition, When built, Then the condition is carried over, never dropped', () => {
    const toEc2 = { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } };
    const granted = [policyDocument({ ...allow('iam:PassRole', roleArn('ec2-role')), Condition: toEc2 }, allow('iam:PassRole', APP_ROLE))];

    const proposed = buildProposedPolicy([], granted, ['iam:PassRole']);

    expect(proposed.Statement).toEqual([
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: roleArn('ec2-role'), Condition: toEc2 },
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: APP_ROLE },
    ]);
  });

  it('Given Deny statements in the generated policy, When built, Then only the Allow statements are carried over', () => {
    const used = [policyDocument(allow('s3:GetObject'), deny('s3:DeleteObject'))];

    expect(buildProposedPolicy(used, [], []).Statement).toEqual([allow('s3:GetObject')]);
    expect(buildUsedPolicy(used).Statement).toEqual([allow('s3:GetObject')]);
  });
});

describe('buildUsedPolicy', () => {
  it('Given the generated policies of two users, When built, Then their Allow statements are concatenated, nothing granted added', () => {
    const alice = policyDocument(allow('s3:GetObject', BUCKET_OBJECTS));
    const bob = policyDocument(allow('ec2:DescribeInstances'));

    expect(buildUsedPolicy([alice, bob])).toEqual(policyDocument(allow('s3:GetObject', BUCKET_OBJECTS), allow('ec2:DescribeInstances')));
  });
});

describe('keepKnownActions', () => {
  it('Given unknown actions, When filtered, Then they are dropped and reported, and known ones take their documented spelling', async () => {
    const document = policyDocument(allow(['S3:GETOBJECT', 's3:NotARealAction', 'nosuchservice:Get'], BUCKET_OBJECTS));

    const { document: kept, dropped } = await keepKnownActions(document);

    expect(kept).toEqual(policyDocument(allow(['s3:GetObject'], BUCKET_OBJECTS)));
    expect(dropped).toEqual(['s3:NotARealAction', 'nosuchservice:Get']);
  });

  it('Given patterns, When filtered, Then a pattern that matches some action is kept as written and one that matches none is dropped', async () => {
    const { document, dropped } = await keepKnownActions(policyDocument(allow(['s3:Get*', 's3:Zzz*'])));

    expect(document.Statement).toEqual([allow(['s3:Get*'])]);
    expect(dropped).toEqual(['s3:Zzz*']);
  });

  it('Given a statement left without actions, When filtered, Then it is removed, and a NotAction statement is kept as it is', async () => {
    const notAction: PolicyStatement = { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' };

    const { document } = await keepKnownActions(policyDocument(allow('s3:NotARealAction'), notAction));

    expect(document.Statement).toEqual([notAction]);
  });
});
