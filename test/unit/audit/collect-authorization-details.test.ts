import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { collectAuthorizationDetails } from '../../../src/model/collect-authorization-details.js';
import { ACCOUNT_ID, policyArn, userArn } from '../../fixtures/inventory.js';
import { mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const allowS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const encoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

describe('collectAuthorizationDetails', () => {
  it('Given a truncated first page with fewer items than MaxItems, When collecting, Then it follows the marker and joins both pages', async () => {
    mocks.iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce({
        IsTruncated: true,
        Marker: 'page-2',
        UserDetailList: [
          {
            UserName: 'alice',
            UserId: 'AIDAFIXTURE00000001',
            Arn: userArn('alice'),
            Path: '/',
            CreateDate: new Date('2024-01-01T00:00:00Z'),
            GroupList: ['Developers'],
            UserPolicyList: [{ PolicyName: 's3-read', PolicyDocument: encoded(allowS3) }],
            Tags: [{ Key: 'email', Value: 'alice@corp.example' }],
          },
        ],
      })
      .resolvesOnce({
        IsTruncated: false,
        UserDetailList: [
          { UserName: 'bob', UserId: 'AIDAFIXTURE00000002', Arn: userArn('bob'), CreateDate: new Date('2024-01-02T00:00:00Z'), GroupList: ['Developers'] },
        ],
        GroupDetailList: [{ GroupName: 'Developers', GroupId: 'AGPAFIXTURE00000001', Arn: `arn:aws:iam::${ACCOUNT_ID}:group/Developers` }],
        Policies: [
          {
            PolicyName: 'team-s3',
            Arn: policyArn('team-s3'),
            Path: '/',
            DefaultVersionId: 'v2',
            AttachmentCount: 1,
            PolicyVersionList: [
              { VersionId: 'v1', IsDefaultVersion: false, Document: encoded({ Statement: [] }) },
              { VersionId: 'v2', IsDefaultVersion: true, Document: encoded(allowS3) },
            ],
          },
        ],
      });

    const details = await collectAuthorizationDetails(clients.iam);

    expect(mocks.iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 2);
    expect(mocks.iam).toHaveReceivedNthCommandWith(GetAccountAuthorizationDetailsCommand, 2, { Marker: 'page-2' });
    expect(details.pages).toBe(2);
    expect(details.users.map((u) => u.userName)).toEqual(['alice', 'bob']);
    expect(details.users[0]?.inlinePolicies[0]?.document).toEqual(allowS3);
    expect(details.users[0]?.tags).toEqual([{ key: 'email', value: 'alice@corp.example' }]);
    expect(details.groups[0]?.members).toEqual(['alice', 'bob']);
    expect(details.managedPolicies[0]).toMatchObject({ defaultVersionId: 'v2', document: allowS3 });
  });

  it('Given the first request, When collecting, Then it asks for users, groups, roles and customer policies only, in pages of 1000', async () => {
    mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false });

    await collectAuthorizationDetails(clients.iam);

    expect(mocks.iam).toHaveReceivedCommandWith(GetAccountAuthorizationDetailsCommand, {
      Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy'],
      MaxItems: 1000,
    });
  });

  it('Given documents that are already decoded, When collecting, Then they are parsed as they are', async () => {
    mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      RoleDetailList: [
        {
          RoleName: 'admin',
          Arn: `arn:aws:iam::${ACCOUNT_ID}:role/admin`,
          AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT_ID }, Action: 'sts:AssumeRole' }] }),
        },
      ],
    });

    const details = await collectAuthorizationDetails(clients.iam);

    expect(details.roles[0]?.trustPolicy).toMatchObject({ Statement: [{ Principal: { AWS: ACCOUNT_ID } }] });
  });
});
