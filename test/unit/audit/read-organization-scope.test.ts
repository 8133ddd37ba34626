import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  type Account,
} from '@aws-sdk/client-organizations';
import { beforeEach, describe, expect, it } from 'vitest';
import { readOrganizationScope } from '../../../src/phases/audit/read-organization-scope.js';
import { mockSdkClient } from '../support/aws-mocks.js';
import { awsError } from '../support/builders.js';

const mock = mockSdkClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });

const MANAGEMENT = '111111111111';
const account = (id: string, name: string, state: Account['State'] = 'ACTIVE'): Account => ({ Id: id, Name: name, Email: `${name}@corp.example`, State: state });
const PROD = account('222222222222', 'prod');
const STAGE = account('333333333333', 'stage');
const DEV = account('444444444444', 'dev');
const OLD = account('555555555555', 'old', 'SUSPENDED');

beforeEach(() => {
  mock.reset();
  mock.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abc123', MasterAccountId: MANAGEMENT } });
  // Two pages, as ListAccounts answers for larger organizations.
  mock.on(ListAccountsCommand, {}).resolves({ Accounts: [account(MANAGEMENT, 'management'), PROD], NextToken: 'page-2' });
  mock.on(ListAccountsCommand, { NextToken: 'page-2' }).resolves({ Accounts: [STAGE, DEV, OLD] });
  // r-root > ou-workloads > ou-nonprod; prod sits in workloads, stage and dev in nonprod.
  mock.on(ListAccountsForParentCommand).resolves({ Accounts: [] });
  mock.on(ListAccountsForParentCommand, { ParentId: 'r-root' }).resolves({ Accounts: [account(MANAGEMENT, 'management'), OLD] });
  mock.on(ListAccountsForParentCommand, { ParentId: 'ou-workloads' }).resolves({ Accounts: [PROD] });
  mock.on(ListAccountsForParentCommand, { ParentId: 'ou-nonprod' }).resolves({ Accounts: [STAGE, DEV] });
  mock.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
  mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-root' }).resolves({ OrganizationalUnits: [{ Id: 'ou-workloads' }] });
  mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-workloads' }).resolves({ OrganizationalUnits: [{ Id: 'ou-nonprod' }] });
});

const ids = (accounts: { accountId: string }[]) => accounts.map((a) => a.accountId);

describe('readOrganizationScope', () => {
  it('Given an organization over two pages, When read whole, Then every ACTIVE account is in scope and a suspended one is left out with why', async () => {
    const scope = await readOrganizationScope(client);
    expect(scope).toMatchObject({ organizationId: 'o-abc123', managementAccountId: MANAGEMENT });
    expect(ids(scope.accounts)).toEqual([MANAGEMENT, PROD.Id, STAGE.Id, DEV.Id]);
    expect(scope.excluded).toEqual([{ accountId: OLD.Id, name: 'old', email: 'old@corp.example', reason: 'the account is suspended' }]);
  });

  it('Given --ou of an OU with a child OU, When read, Then the accounts at every depth under it are in scope, and no other', async () => {
    const scope = await readOrganizationScope(client, { organizationalUnits: ['ou-workloads'] });
    expect(ids(scope.accounts)).toEqual([PROD.Id, STAGE.Id, DEV.Id]);
    expect(mock).toHaveReceivedCommandTimes(ListAccountsCommand, 0);
  });

  it('Given --accounts, When read, Then only those accounts are in scope', async () => {
    const scope = await readOrganizationScope(client, { accounts: [DEV.Id ?? '', PROD.Id ?? ''] });
    expect(ids(scope.accounts)).toEqual([PROD.Id, DEV.Id]);
  });

  it('Given --accounts and --ou, When read, Then the accounts named under those OUs are in scope', async () => {
    const scope = await readOrganizationScope(client, { accounts: [DEV.Id ?? '', MANAGEMENT], organizationalUnits: ['ou-nonprod'] });
    expect(ids(scope.accounts)).toEqual([DEV.Id]);
  });

  it('Given --accounts with an ID outside the organization, When read, Then it is an input error (exit 2) naming it', async () => {
    await expect(readOrganizationScope(client, { accounts: ['999999999999'] })).rejects.toMatchObject({ code: 'ACCOUNT_NOT_IN_ORGANIZATION', exitCode: 2, message: expect.stringContaining('999999999999') });
  });

  it('Given an --ou the organization does not have, When read, Then it is an input error', async () => {
    mock.on(ListAccountsForParentCommand, { ParentId: 'ou-nope' }).rejects(awsError('ParentNotFoundException'));
    await expect(readOrganizationScope(client, { organizationalUnits: ['ou-nope'] })).rejects.toMatchObject({ code: 'OU_NOT_FOUND', exitCode: 2 });
  });

  it('Given an account in no organization, When read, Then it says to run without --org', async () => {
    mock.on(DescribeOrganizationCommand).rejects(awsError('AWSOrganizationsNotInUseException'));
    await expect(readOrganizationScope(client)).rejects.toMatchObject({ code: 'ORG_NOT_IN_USE' });
  });

  it('Given member-account credentials that may not list accounts, When read, Then it names the credentials to use instead', async () => {
    mock.on(ListAccountsCommand).rejects(awsError('AccessDeniedException'));
    await expect(readOrganizationScope(client)).rejects.toMatchObject({ code: 'ORG_NOT_HUB', resolution: expect.stringContaining('management account') });
  });
});
