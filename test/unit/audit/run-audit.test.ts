import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAccountAliasesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { ListInstancesCommand } from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { TestIoHost } from '../support/test-io-host.js';
import { runAudit } from '../../../src/phases/audit/run-audit.js';
import { ACCOUNT_ID, ACCOUNT_ROOT_ARN, FIXTURE_NOW, roleArn, userArn } from '../../fixtures/inventory.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const caller = { accountId: ACCOUNT_ID, arn: userArn('auditor'), userId: 'AIDAFIXTURE00000099', partition: 'aws' };

function userDetail(index: number) {
  const name = `user${String(index).padStart(4, '0')}`;
  return { UserName: name, UserId: `AIDAFIXTURE${String(index).padStart(8, '0')}`, Arn: userArn(name), Path: '/', CreateDate: new Date('2024-01-01T00:00:00Z') };
}

function reportFor(userCount: number): string {
  const rows = [
    `<root_account>,arn:aws:iam::${ACCOUNT_ID}:root,2020-01-01T00:00:00+00:00,not_supported,2025-05-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  ];
  for (let i = 1; i <= userCount; i += 1) {
    const d = userDetail(i);
    rows.push(
      `${d.UserName},${d.Arn},2024-01-01T00:00:00+00:00,true,2025-05-30T00:00:00+00:00,2024-01-01T00:00:00+00:00,N/A,false,` +
        'true,2024-01-01T00:00:00+00:00,2025-05-31T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    );
  }
  return [HEADER, ...rows].join('\n');
}

function givenAccountWithUsers(userCount: number): void {
  mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false, UserDetailList: Array.from({ length: userCount }, (_, i) => userDetail(i + 1)) });
  mocks.iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode(reportFor(userCount)), GeneratedTime: new Date(FIXTURE_NOW.getTime() - 60_000), ReportFormat: 'text/csv' });
  mocks.iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: ['fixture-sandbox'] });
  mocks.iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 } });
  mocks.iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [] });
  mocks.ssoAdmin.on(ListInstancesCommand).resolves({ Instances: [{ InstanceArn: 'arn:aws:sso:::instance/ssoins-fixture', IdentityStoreId: 'd-fixture', OwnerAccountId: ACCOUNT_ID }] });
}

function audit(io = new TestIoHost()) {
  return runAudit({ iam: clients.iam, ssoAdmin: clients.ssoAdmin, region: 'us-east-1', caller, io, now: () => FIXTURE_NOW, toolVersion: 'test' });
}

function totalCalls(): number {
  return mocks.iam.calls().length + mocks.ssoAdmin.calls().length;
}

describe('runAudit', () => {
  it('Given 3 users and 300 users, When auditing, Then the number of AWS calls is the same: nothing is read per user', async () => {
    givenAccountWithUsers(3);
    await audit();
    const small = totalCalls();
    mocks.iam.reset();
    mocks.ssoAdmin.reset();
    givenAccountWithUsers(300);

    const snapshot = await audit();

    expect(snapshot.users).toHaveLength(300);
    expect(totalCalls()).toBe(small);
    expect(small).toBeLessThanOrEqual(8);
  });

  it('Given a complete account, When auditing, Then credentials, alias, root and Identity Center are joined in', async () => {
    givenAccountWithUsers(2);

    const snapshot = await audit();

    expect(snapshot.accountAlias).toBe('fixture-sandbox');
    expect(snapshot.identityCenter?.instances[0]?.identityStoreId).toBe('d-fixture');
    expect(snapshot.root).toMatchObject({ mfaActive: true, accessKeysPresent: false });
    expect(snapshot.credentialReport?.reused).toBe(true);
    expect(snapshot.users[0]).toMatchObject({ console: { enabled: true }, mfa: { active: false } });
    expect(snapshot.users[0]?.accessKeys?.[0]).toMatchObject({ active: true, lastUsedService: 's3' });
    expect(snapshot.gaps).toEqual([]);
    expect(snapshot.findings.map((f) => f.rule)).toContain('console-without-mfa');
  });

  it('Given the caller may not generate a credential report, When auditing, Then it completes and names the missing actions', async () => {
    givenAccountWithUsers(2);
    mocks.iam.on(GetCredentialReportCommand).rejects(awsError('AccessDenied'));
    mocks.iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied'));
    const io = new TestIoHost();

    const snapshot = await audit(io);

    expect(snapshot.users).toHaveLength(2);
    expect(snapshot.users[0]).toMatchObject({ console: null, accessKeys: null });
    expect(snapshot.credentialReport).toBeNull();
    expect(snapshot.gaps).toEqual([expect.objectContaining({ source: 'credential-report', errorName: 'AccessDenied' })]);
    expect(snapshot.gaps[0]?.missingAction).toContain('iam:GetCredentialReport');
    expect(io.codes('warn')).toContain('AUDIT_GAP_CREDENTIAL_REPORT');
  });

  it('Given Identity Center and the alias are denied, When auditing, Then both are gaps and the rest is complete', async () => {
    givenAccountWithUsers(1);
    mocks.ssoAdmin.on(ListInstancesCommand).rejects(awsError('AccessDeniedException'));
    mocks.iam.on(ListAccountAliasesCommand).rejects(awsError('AccessDenied'));

    const snapshot = await audit();

    expect(snapshot.identityCenter).toBeNull();
    expect(snapshot.accountAlias).toBeNull();
    expect(snapshot.gaps.map((g) => g.source).sort()).toEqual(['account-alias', 'identity-center']);
    expect(snapshot.credentialReport).not.toBeNull();
  });

  it('Given the inventory itself is denied, When auditing, Then it stops with a fault that names the permission', async () => {
    givenAccountWithUsers(1);
    mocks.iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied'));

    await expect(audit()).rejects.toMatchObject({ constructor: Fault, code: 'AUDIT_INVENTORY_DENIED' });
  });

  it('Given the session token expires midway, When auditing, Then the credential error propagates instead of becoming a gap', async () => {
    givenAccountWithUsers(1);
    mocks.iam.on(GetCredentialReportCommand).rejects(awsError('ExpiredToken'));

    await expect(audit()).rejects.toMatchObject({ name: 'ExpiredToken' });
  });

  describe('AWS-managed policy documents', () => {
    const AWS = 'arn:aws:iam::aws:policy';
    const POWER_USER = `${AWS}/PowerUserAccess`;
    const READ_ONLY = `${AWS}/ReadOnlyAccess`;
    const VIEW_ONLY = `${AWS}/job-function/ViewOnlyAccess`;
    const ADMIN = `${AWS}/AdministratorAccess`;
    const powerUserDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }] };
    const encoded = (document: unknown) => encodeURIComponent(JSON.stringify(document));
    const attachment = (arn: string) => ({ PolicyName: arn.split('/').pop(), PolicyArn: arn });

    /** Five users, a group and a role using four AWS-managed policies, some of them more than once. */
    function givenAccountUsingAwsManagedPolicies(): void {
      givenAccountWithUsers(5);
      const users = Array.from({ length: 5 }, (_, i) => userDetail(i + 1));
      mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
        IsTruncated: false,
        UserDetailList: [
          { ...users[0], AttachedManagedPolicies: [attachment(POWER_USER)] },
          { ...users[1], GroupList: ['Readers'] },
          { ...users[2], GroupList: ['Readers'], PermissionsBoundary: { PermissionsBoundaryArn: VIEW_ONLY, PermissionsBoundaryType: 'PermissionsBoundaryPolicy' } },
          { ...users[3], AttachedManagedPolicies: [attachment(ADMIN)] },
          { ...users[4], AttachedManagedPolicies: [attachment(POWER_USER)] },
        ],
        GroupDetailList: [{ GroupName: 'Readers', GroupId: 'AGPAFIXTURE00000001', Arn: `arn:aws:iam::${ACCOUNT_ID}:group/Readers`, Path: '/', AttachedManagedPolicies: [attachment(READ_ONLY)] }],
        RoleDetailList: [
          {
            RoleName: 'OrganizationAdmin',
            Arn: roleArn('OrganizationAdmin'),
            Path: '/',
            AssumeRolePolicyDocument: encoded({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT_ARN }, Action: 'sts:AssumeRole' }] }),
            AttachedManagedPolicies: [attachment(ADMIN)],
          },
        ],
      });
      for (const arn of [POWER_USER, READ_ONLY, VIEW_ONLY, ADMIN]) {
        mocks.iam.on(GetPolicyCommand, { PolicyArn: arn }).resolves({ Policy: { Arn: arn, DefaultVersionId: 'v7' } });
        const document = arn === POWER_USER ? powerUserDocument : arn === ADMIN ? { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } : { Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 'iam:Get*'], Resource: '*' }] };
        mocks.iam.on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: 'v7' }).resolves({ PolicyVersion: { Document: encoded(document), VersionId: 'v7', IsDefaultVersion: true } });
      }
    }

    it('Given users, a group, a role and a boundary using AWS-managed policies, When auditing, Then each distinct policy is read once and kept in the snapshot', async () => {
      givenAccountUsingAwsManagedPolicies();

      const snapshot = await audit();

      const read = mocks.iam.commandCalls(GetPolicyCommand).map((call) => call.args[0].input.PolicyArn).sort();
      expect(read).toEqual([ADMIN, POWER_USER, READ_ONLY, VIEW_ONLY].sort());
      expect(mocks.iam.commandCalls(GetPolicyVersionCommand).map((call) => call.args[0].input)).toContainEqual({ PolicyArn: POWER_USER, VersionId: 'v7' });
      expect(mocks.iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(4);
      expect(snapshot.awsManagedPolicies?.find((p) => p.arn === VIEW_ONLY)).toMatchObject({ name: 'ViewOnlyAccess', path: '/job-function/', document: { Statement: [expect.objectContaining({ Effect: 'Allow' })] } });
      expect(snapshot.gaps).toEqual([]);
    });

    it('Given a PowerUserAccess user and an admin role trusting the account, When auditing, Then the user is a near-administrator and the admin user an administrator', async () => {
      givenAccountUsingAwsManagedPolicies();

      const snapshot = await audit();

      const byName = new Map(snapshot.users.map((u) => [u.userName, u]));
      expect(byName.get('user0001')?.adminAccess).toMatchObject({
        level: 'near-admin',
        nearAdminPaths: [{ via: 'assume-role', source: roleArn('OrganizationAdmin'), through: [`managed-policy ${POWER_USER}`, `trust-policy ${roleArn('OrganizationAdmin')}`] }],
      });
      expect(byName.get('user0001')).toMatchObject({ isAdmin: false, adminPaths: [] });
      expect(byName.get('user0004')).toMatchObject({ isAdmin: true, adminPaths: [{ via: 'managed-policy', source: ADMIN }], adminAccess: { level: 'admin' } });
      expect(byName.get('user0002')?.adminAccess?.level).toBe('none');
    });

    it('Given 200 users on the same two policies, When auditing, Then each policy is read once: reads are per policy, never per user', async () => {
      givenAccountUsingAwsManagedPolicies();
      const users = Array.from({ length: 200 }, (_, i) => ({ ...userDetail(i + 1), AttachedManagedPolicies: [attachment(POWER_USER), attachment(ADMIN)] }));
      mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false, UserDetailList: users });

      const snapshot = await audit();

      expect(snapshot.users).toHaveLength(200);
      expect(mocks.iam.commandCalls(GetPolicyCommand).map((call) => call.args[0].input.PolicyArn).sort()).toEqual([ADMIN, POWER_USER]);
      expect(mocks.iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(2);
    });

    it('Given the caller may not read AWS-managed policies, When auditing, Then it completes with a gap that says what is unknown, and AdministratorAccess is still understood', async () => {
      givenAccountUsingAwsManagedPolicies();
      mocks.iam.on(GetPolicyCommand).rejects(awsError('AccessDenied'));
      const io = new TestIoHost();

      const snapshot = await audit(io);

      expect(snapshot.gaps).toEqual([expect.objectContaining({ source: 'aws-managed-policies', missingAction: 'iam:GetPolicy and iam:GetPolicyVersion', errorName: 'AccessDenied' })]);
      expect(snapshot.gaps[0]?.impact).toContain('administrator access through any other is not seen');
      expect(snapshot.gaps[0]?.impact).toContain('Grant iam:GetPolicy and iam:GetPolicyVersion');
      expect(io.codes('warn')).toContain('AUDIT_GAP_AWS_MANAGED_POLICIES');
      expect(snapshot.awsManagedPolicies).toEqual([]);
      const byName = new Map(snapshot.users.map((u) => [u.userName, u]));
      expect(byName.get('user0004')?.adminAccess?.level).toBe('admin');
      expect(byName.get('user0001')?.adminAccess).toMatchObject({ level: 'none', unreadPolicies: [`managed-policy ${POWER_USER}`] });
    });

    it('Given the session expires while AWS-managed policies are read, When auditing, Then the credential error propagates', async () => {
      givenAccountUsingAwsManagedPolicies();
      mocks.iam.on(GetPolicyVersionCommand).rejects(awsError('ExpiredToken'));

      await expect(audit()).rejects.toMatchObject({ name: 'ExpiredToken' });
    });
  });
});
