import {
  DescribePermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import { readCurrentPermissionSets } from '../../../src/phases/create-permission-sets/read-current.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { ACCOUNT_A, ACCOUNT_B, INSTANCE_ARN, READ_ONLY_ARN, VIEW_ONLY_ARN, allowStatement, policy, psArn, stubPermissionSet, stubPermissionSets } from './fixtures.js';

const { mocks, clients } = mockAws();

const DEV_POLICY = policy(allowStatement('s3:GetObject', 'arn:aws:s3:::app-bucket/*'));

describe('readCurrentPermissionSets', () => {
  it('Given sets over two pages, When the wanted ones are read, Then each is complete and the others are only described', async () => {
    mocks.ssoAdmin
      .on(ListPermissionSetsCommand)
      .resolvesOnce({ PermissionSets: [psArn(1), psArn(2)], NextToken: 'page-2' })
      .resolvesOnce({ PermissionSets: [psArn(3)] });
    stubPermissionSet(mocks.ssoAdmin, {
      arn: psArn(1),
      name: 'Developers',
      description: 'Developers of the app',
      sessionDuration: 'PT4H',
      managed: [VIEW_ONLY_ARN],
      customerManaged: [{ Name: 'deploy', Path: '/app/' }],
      inline: JSON.stringify(DEV_POLICY),
      boundary: { CustomerManagedPolicyReference: { Name: 'boundary', Path: '/' } },
      tags: [{ Key: 'iam2idc:managed', Value: 'true' }, { Key: 'cost-center', Value: '42' }],
    });
    stubPermissionSet(mocks.ssoAdmin, { arn: psArn(2), name: 'SomeoneElses' });
    stubPermissionSet(mocks.ssoAdmin, { arn: psArn(3), name: 'Ops' });

    const current = await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Developers', 'Ops', 'NotThereYet']);

    expect([...current.keys()]).toEqual(['Developers', 'Ops']);
    expect(current.get('Developers')).toEqual({
      arn: psArn(1),
      name: 'Developers',
      description: 'Developers of the app',
      sessionDuration: 'PT4H',
      managedPolicies: [VIEW_ONLY_ARN],
      customerManagedPolicies: [{ name: 'deploy', path: '/app/' }],
      inlinePolicy: DEV_POLICY,
      permissionsBoundary: { customerManagedPolicy: { name: 'boundary', path: '/' } },
      tags: { 'iam2idc:managed': 'true', 'cost-center': '42' },
      provisionedAccounts: [],
      outdatedAccounts: [],
    });
    expect(mocks.ssoAdmin.commandCalls(DescribePermissionSetCommand)).toHaveLength(3);
    const readBeyondName = mocks.ssoAdmin.calls().filter((c) => !(c.args[0] instanceof DescribePermissionSetCommand) && (c.args[0].input as { PermissionSetArn?: string }).PermissionSetArn === psArn(2));
    expect(readBeyondName).toHaveLength(0);
    expect(mocks.ssoAdmin.commandCalls(ListTagsForResourceCommand, { ResourceArn: psArn(2) })).toHaveLength(0);
  });

  it('Given a set without boundary, inline policy or description, When read, Then each is absent rather than an error', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Ops', inline: '' }]);

    const ops = (await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Ops'])).get('Ops');

    expect(ops).toMatchObject({ description: null, inlinePolicy: null, permissionsBoundary: null });
    expect(mocks.ssoAdmin.commandCalls(GetPermissionsBoundaryForPermissionSetCommand)).toHaveLength(1);
  });

  it('Given managed policies over two pages, When read, Then all are listed', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Ops' }]);
    mocks.ssoAdmin
      .on(ListManagedPoliciesInPermissionSetCommand)
      .resolvesOnce({ AttachedManagedPolicies: [{ Arn: VIEW_ONLY_ARN }], NextToken: 'more' })
      .resolvesOnce({ AttachedManagedPolicies: [{ Arn: READ_ONLY_ARN }] });

    const ops = (await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Ops'])).get('Ops');

    expect(ops?.managedPolicies).toEqual([READ_ONLY_ARN, VIEW_ONLY_ARN]);
  });

  it('Given a duration answered in seconds, When read, Then it is the ISO duration', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Ops', sessionDuration: 3600 }]);

    const ops = (await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Ops'])).get('Ops');

    expect(ops?.sessionDuration).toBe('PT1H');
  });

  it('Given an endpoint without the tag and boundary APIs, When read, Then those parts are marked unreadable, not guessed', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Ops' }]);
    const foreign = Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 500 } });
    mocks.ssoAdmin.on(ListTagsForResourceCommand).rejects(foreign);
    mocks.ssoAdmin.on(GetPermissionsBoundaryForPermissionSetCommand).rejects(foreign);

    const ops = (await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Ops'])).get('Ops');

    expect(ops?.unreadable).toEqual(['permissionsBoundary', 'tags']);
  });

  it('Given access denied on one read, When read, Then the error is not mistaken for an absence', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Ops' }]);
    mocks.ssoAdmin.on(GetPermissionsBoundaryForPermissionSetCommand).rejects(awsError('AccessDeniedException'));

    await expect(readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Ops'])).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('Given a provisioned set that one account lacks the latest version of, When read, Then that account is outdated', async () => {
    stubPermissionSets(mocks.ssoAdmin, [
      { arn: psArn(1), name: 'Ops', accounts: [ACCOUNT_B, ACCOUNT_A] },
      { arn: psArn(2), name: 'Developers', accounts: [ACCOUNT_A] },
    ]);
    mocks.ssoAdmin.on(ListPermissionSetsProvisionedToAccountCommand, { AccountId: ACCOUNT_A }).resolves({ PermissionSets: [] });
    mocks.ssoAdmin.on(ListPermissionSetsProvisionedToAccountCommand, { AccountId: ACCOUNT_B }).resolves({ PermissionSets: [psArn(1)] });

    const current = await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Ops', 'Developers']);

    expect(current.get('Ops')).toMatchObject({ provisionedAccounts: [ACCOUNT_A, ACCOUNT_B], outdatedAccounts: [ACCOUNT_B] });
    expect(current.get('Developers')).toMatchObject({ outdatedAccounts: [] });
    // One question per account, whatever the number of sets.
    expect(mocks.ssoAdmin.commandCalls(ListPermissionSetsProvisionedToAccountCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceArn: INSTANCE_ARN, AccountId: ACCOUNT_A, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' },
      { InstanceArn: INSTANCE_ARN, AccountId: ACCOUNT_B, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' },
    ]);
    expect(mocks.ssoAdmin.commandCalls(ListAccountsForProvisionedPermissionSetCommand)).toHaveLength(2);
  });
});
