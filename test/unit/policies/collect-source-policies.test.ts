import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { collectSourcePolicies } from '../../../src/phases/generate-policies/collect-source-policies.js';
import { isAwsManagedPolicyArn } from '../../../src/model/iam-identifiers.js';
import { allow, makeGroup, makeManagedPolicy, makeUser, policyArn, policyDocument } from '../../fixtures/inventory.js';
import { DEPLOY_POLICY, makeSnapshot, READ_ONLY_ARN, S3_READ_ONLY_ARN, typicalSnapshot } from '../../fixtures/snapshot.js';

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('collectSourcePolicies: a group source', () => {
  it('Given a group with AWS-managed, customer-managed and inline policies, When collected, Then each lands in its list with its provenance', () => {
    const sources = collectSourcePolicies(typicalSnapshot(), 'developers', { kind: 'group', name: 'developers' });
    expect(sources).toEqual({
      permissionSet: 'developers',
      source: { kind: 'group', name: 'developers' },
      awsManagedPolicyArns: [READ_ONLY_ARN],
      customerManaged: [{ name: DEPLOY_POLICY.name, path: '/app/', arn: DEPLOY_POLICY.arn, document: DEPLOY_POLICY.document }],
      inline: [{ origin: 'group developers inline extra', document: { Version: '2012-10-17', Statement: [] } }],
    });
  });

  it('Given a policy attached twice, When collected, Then it is listed once', () => {
    const snapshot = makeSnapshot({
      groups: [
        makeGroup({
          name: 'ops',
          attachedPolicies: [
            { name: 'ReadOnlyAccess', arn: READ_ONLY_ARN },
            { name: 'ReadOnlyAccess', arn: READ_ONLY_ARN },
            { name: DEPLOY_POLICY.name, arn: DEPLOY_POLICY.arn },
            { name: DEPLOY_POLICY.name, arn: DEPLOY_POLICY.arn },
          ],
        }),
      ],
      managedPolicies: [DEPLOY_POLICY],
    });
    const sources = collectSourcePolicies(snapshot, 'Ops', { kind: 'group', name: 'ops' });
    expect(sources.awsManagedPolicyArns).toEqual([READ_ONLY_ARN]);
    expect(sources.customerManaged.map((p) => p.arn)).toEqual([DEPLOY_POLICY.arn]);
  });

  it('Given a mapping that spells the group in another case, When collected, Then the IAM group is found (IAM names ignore case)', () => {
    const sources = collectSourcePolicies(typicalSnapshot(), 'Developers', { kind: 'group', name: 'Developers' });
    expect(sources.awsManagedPolicyArns).toEqual([READ_ONLY_ARN]);
    expect(sources.inline.map((i) => i.origin)).toEqual(['group developers inline extra']);
  });

  it('Given the collected documents, When they are modified, Then the snapshot is not', () => {
    const snapshot = typicalSnapshot();
    const sources = collectSourcePolicies(snapshot, 'developers', { kind: 'group', name: 'developers' });
    const [managed] = sources.customerManaged;
    const [inline] = sources.inline;
    if (!managed || !inline) throw new Error('the fixture has a customer-managed and an inline policy');
    managed.document.Statement = [allow('*')];
    inline.document.Statement = [allow('*')];
    expect(snapshot.managedPolicies[0]?.document.Statement).toEqual([]);
    expect(snapshot.groups[0]?.inlinePolicies[0]?.document.Statement).toEqual([]);
  });
});

describe('collectSourcePolicies: a user source', () => {
  it('Given a user in groups with a policy of their own, When collected, Then only the user’s own policies come back', () => {
    const sources = collectSourcePolicies(typicalSnapshot(), 'bob', { kind: 'user', name: 'bob' });
    expect(sources).toEqual({
      permissionSet: 'bob',
      source: { kind: 'user', name: 'bob' },
      awsManagedPolicyArns: [S3_READ_ONLY_ARN],
      customerManaged: [],
      inline: [],
    });
  });

  it('Given a user with an inline policy and a customer-managed one, When collected, Then both are there with their origin', () => {
    const custom = makeManagedPolicy({ name: 'team-s3', document: policyDocument(allow('s3:GetObject')) });
    const snapshot = makeSnapshot({
      users: [
        makeUser({
          userName: 'carol',
          attachedPolicies: [{ name: custom.name, arn: custom.arn }],
          inlinePolicies: [{ name: 'own', document: policyDocument(allow('ec2:DescribeInstances')) }],
        }),
      ],
      managedPolicies: [custom],
    });
    const sources = collectSourcePolicies(snapshot, 'carol', { kind: 'user', name: 'carol' });
    expect(sources.customerManaged).toEqual([{ name: 'team-s3', path: '/', arn: custom.arn, document: custom.document }]);
    expect(sources.inline).toEqual([{ origin: 'user carol inline own', document: policyDocument(allow('ec2:DescribeInstances')) }]);
  });
});

describe('collectSourcePolicies: what is AWS-managed', () => {
  it('Given ARNs in several partitions, When classified, Then only the `aws` account’s policies are AWS-managed', () => {
    expect(isAwsManagedPolicyArn('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe(true);
    expect(isAwsManagedPolicyArn('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess')).toBe(true);
    expect(isAwsManagedPolicyArn('arn:aws-cn:iam::aws:policy/ReadOnlyAccess')).toBe(true);
    expect(isAwsManagedPolicyArn('arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess')).toBe(true);
    expect(isAwsManagedPolicyArn(policyArn('aws'))).toBe(false);
    expect(isAwsManagedPolicyArn(policyArn('ReadOnlyAccess', '/aws/'))).toBe(false);
  });

  it('Given a customer-managed policy whose path looks AWS-like, When collected, Then it is resolved as customer-managed', () => {
    const lookalike = makeManagedPolicy({ name: 'ReadOnlyAccess', path: '/aws/' });
    const snapshot = makeSnapshot({
      groups: [makeGroup({ name: 'g', attachedPolicies: [{ name: lookalike.name, arn: lookalike.arn }] })],
      managedPolicies: [lookalike],
    });
    const sources = collectSourcePolicies(snapshot, 'G', { kind: 'group', name: 'g' });
    expect(sources.awsManagedPolicyArns).toEqual([]);
    expect(sources.customerManaged.map((p) => ({ name: p.name, path: p.path }))).toEqual([{ name: 'ReadOnlyAccess', path: '/aws/' }]);
  });
});

describe('collectSourcePolicies: bad input', () => {
  it('Given a mapping naming a group the audit does not know, When collected, Then a usage error names the field and the group', () => {
    const error = catchError(() => collectSourcePolicies(typicalSnapshot(), 'Platform', { kind: 'group', name: 'platform' }));
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'POLICY_SOURCE_NOT_FOUND', exitCode: ExitCode.UsageError });
    expect((error as UserError).message).toContain('permissionSets.Platform.source');
    expect((error as UserError).message).toContain('platform');
    expect((error as UserError).resolution).toContain('iam2idc audit');
  });

  it('Given a mapping naming a user the audit does not know, When collected, Then the same usage error is raised', () => {
    const error = catchError(() => collectSourcePolicies(typicalSnapshot(), 'dave', { kind: 'user', name: 'dave' }));
    expect(error).toMatchObject({ code: 'POLICY_SOURCE_NOT_FOUND', exitCode: ExitCode.UsageError });
    expect((error as UserError).message).toContain('permissionSets.dave.source');
  });

  it('Given a group name used as a user source, When collected, Then it is not found (users and groups are separate)', () => {
    expect(() => collectSourcePolicies(typicalSnapshot(), 'x', { kind: 'user', name: 'developers' })).toThrow(UserError);
  });

  it('Given a customer-managed policy attached after the audit, When collected, Then a usage error says to re-run the audit', () => {
    const late = policyArn('created-later');
    const snapshot = makeSnapshot({ groups: [makeGroup({ name: 'g', attachedPolicies: [{ name: 'created-later', arn: late }] })] });
    const error = catchError(() => collectSourcePolicies(snapshot, 'G', { kind: 'group', name: 'g' }));
    expect(error).toMatchObject({ code: 'POLICY_NOT_IN_AUDIT', exitCode: ExitCode.UsageError });
    expect((error as UserError).message).toContain(late);
    expect((error as UserError).resolution).toContain('iam2idc audit');
  });
});
