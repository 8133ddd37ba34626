import { ListAccountAssignmentsCommand } from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import { nameAssignments, readAccountAssignments } from '../../../src/phases/assign/read-assignments.js';
import { mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const sets = new Map([
  ['Developers', 'arn:ps-dev'],
  ['ReadOnly', 'arn:ps-ro'],
]);

describe('reading account assignments', () => {
  it('Given two accounts and two sets with a paginated listing, When read, Then every account × set pair is listed and pages are followed', async () => {
    mocks.ssoAdmin.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [] });
    mocks.ssoAdmin
      .on(ListAccountAssignmentsCommand, { AccountId: '111111111111', PermissionSetArn: 'arn:ps-dev' })
      .resolvesOnce({ AccountAssignments: [{ PrincipalType: 'USER', PrincipalId: 'u-1' }], NextToken: 'next' })
      .resolves({ AccountAssignments: [{ PrincipalType: 'GROUP', PrincipalId: 'g-1' }] });

    const listed = await readAccountAssignments(clients.ssoAdmin, INSTANCE_ARN, ['222222222222', '111111111111'], sets);

    expect(listed).toEqual([
      { accountId: '111111111111', permissionSetName: 'Developers', principalType: 'USER', principalId: 'u-1' },
      { accountId: '111111111111', permissionSetName: 'Developers', principalType: 'GROUP', principalId: 'g-1' },
    ]);
    expect(mocks.ssoAdmin.commandCalls(ListAccountAssignmentsCommand)).toHaveLength(5);
  });

  it('Given the same principal in several assignments, When named, Then it is looked up once and a gone principal stays unnamed', async () => {
    const lookups: string[] = [];
    const listed = [
      { accountId: '111111111111', permissionSetName: 'Developers', principalType: 'USER' as const, principalId: 'u-1' },
      { accountId: '222222222222', permissionSetName: 'Developers', principalType: 'USER' as const, principalId: 'u-1' },
      { accountId: '222222222222', permissionSetName: 'Developers', principalType: 'USER' as const, principalId: 'u-gone' },
    ];

    const named = await nameAssignments(listed, async (_type, id) => {
      lookups.push(id);
      return id === 'u-1' ? 'jane.doe' : null;
    });

    expect(named.map((a) => a.principalName)).toEqual(['jane.doe', 'jane.doe', null]);
    expect(lookups).toEqual(['u-1', 'u-gone']);
  });
});
