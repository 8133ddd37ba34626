import {
  DescribeAccountCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { Fault, UserError } from '../../../src/errors.js';
import { expandTargets } from '../../../src/phases/assign/expand-targets.js';
import type { MappingAssignment } from '../../../src/workspace/mapping-schema.js';
import { awsError, mockSdkClient } from '../support/aws-mocks.js';

const organizationsMock = mockSdkClient(OrganizationsClient);
const organizations = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });

const AUDITED = '111111111111';
const ROOT = 'r-ab12';
const OU_TOP = 'ou-ab12-aaaaaaaa';
const OU_NESTED = 'ou-ab12-bbbbbbbb';

const assignment = (...targets: string[]): MappingAssignment => ({ group: 'Devs', permissionSet: 'Developers', targets });

/** root → 111 (audited), OU_TOP → 222 and 333 (suspended), OU_NESTED (under OU_TOP) → 444 and 555 (closed), on two pages. */
function stubOrganization(): void {
  organizationsMock.on(ListAccountsForParentCommand, { ParentId: ROOT }).resolves({ Accounts: [{ Id: AUDITED, State: 'ACTIVE' }] });
  organizationsMock.on(ListAccountsForParentCommand, { ParentId: OU_TOP }).resolves({ Accounts: [{ Id: '222222222222', State: 'ACTIVE' }, { Id: '333333333333', Name: 'old', State: 'SUSPENDED' }] });
  organizationsMock.on(ListAccountsForParentCommand, { ParentId: OU_NESTED }).resolvesOnce({ Accounts: [{ Id: '444444444444', Status: 'ACTIVE' }], NextToken: 'page-2' }).resolves({ Accounts: [{ Id: '555555555555', State: 'CLOSED' }] });
  organizationsMock.on(ListOrganizationalUnitsForParentCommand, { ParentId: ROOT }).resolves({ OrganizationalUnits: [{ Id: OU_TOP }] });
  organizationsMock.on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_TOP }).resolves({ OrganizationalUnits: [{ Id: OU_NESTED }] });
  organizationsMock.on(ListOrganizationalUnitsForParentCommand, { ParentId: OU_NESTED }).resolves({ OrganizationalUnits: [] });
}

describe('expanding assignment targets', () => {
  it('Given an OU with a nested OU and suspended or closed accounts, When expanded, Then every active account below it is targeted and the others are skipped and reported', async () => {
    stubOrganization();

    const result = await expandTargets(organizations, { assignments: [assignment(OU_TOP), assignment(ROOT)] }, { auditedAccount: AUDITED });

    expect(result.accountsByAssignment).toEqual([
      ['222222222222', '444444444444'],
      [AUDITED, '222222222222', '444444444444'],
    ]);
    expect(result.skipped).toEqual([
      { accountId: '333333333333', name: 'old', state: 'SUSPENDED', via: 'assignments[0].targets[0]' },
      { accountId: '555555555555', name: null, state: 'CLOSED', via: 'assignments[0].targets[0]' },
    ]);
    // Each parent is listed once, however many targets reach it.
    expect(organizationsMock.commandCalls(ListOrganizationalUnitsForParentCommand).filter((c) => c.args[0].input.ParentId === OU_TOP)).toHaveLength(1);
  });

  it('Given only the audited account as target, When expanded, Then no call is made', async () => {
    const result = await expandTargets(organizations, { assignments: [assignment(AUDITED), assignment()] }, { auditedAccount: AUDITED });

    expect(result.accountsByAssignment).toEqual([[AUDITED], [AUDITED]]);
    expect(organizationsMock.calls()).toHaveLength(0);
  });

  it('Given an account ID outside the organization, When expanded, Then a UserError names the file and field', async () => {
    organizationsMock.on(DescribeAccountCommand).rejects(awsError('AccountNotFoundException'));

    const error = await expandTargets(organizations, { assignments: [assignment(AUDITED, '999999999999')] }, { auditedAccount: AUDITED }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'TARGET_ACCOUNT_NOT_FOUND' });
    expect((error as UserError).message).toContain('mapping.yaml assignments[0].targets[1]');
  });

  it('Given a suspended account named by ID, When expanded, Then it is skipped and reported', async () => {
    organizationsMock.on(DescribeAccountCommand).resolves({ Account: { Id: '333333333333', State: 'SUSPENDED' } });

    const result = await expandTargets(organizations, { assignments: [assignment('333333333333')] }, { auditedAccount: AUDITED });

    expect(result.accountsByAssignment).toEqual([[]]);
    expect(result.skipped.map((s) => s.accountId)).toEqual(['333333333333']);
  });

  it('Given an unknown OU, When expanded, Then a UserError names the field', async () => {
    organizationsMock.on(ListAccountsForParentCommand).rejects(awsError('ParentNotFoundException'));

    await expect(expandTargets(organizations, { assignments: [assignment(AUDITED), assignment(OU_TOP)] }, { auditedAccount: AUDITED })).rejects.toMatchObject({
      code: 'TARGET_OU_NOT_FOUND',
      message: expect.stringContaining('assignments[1].targets[0]') as unknown,
    });
  });

  it('Given no access to the organization, When the targets are account IDs only, Then they are taken as given', async () => {
    organizationsMock.on(DescribeAccountCommand).rejects(awsError('AWSOrganizationsNotInUseException'));

    const result = await expandTargets(organizations, { assignments: [assignment('222222222222')] }, { auditedAccount: AUDITED });

    expect(result.accountsByAssignment).toEqual([['222222222222']]);
  });

  it('Given no access to the organization, When a target is an OU, Then a Fault says what is missing', async () => {
    organizationsMock.on(ListAccountsForParentCommand).rejects(awsError('AccessDeniedException'));

    const error = await expandTargets(organizations, { assignments: [assignment(OU_TOP)] }, { auditedAccount: AUDITED }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'ORGANIZATIONS_UNAVAILABLE' });
    expect((error as Fault).resolution).toContain('organizations:ListAccountsForParent');
  });
});
