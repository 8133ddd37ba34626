import { describe, expect, it } from 'vitest';
import { createTextFormat } from '../../../src/io/text-format.js';
import { renderAuditSummary } from '../../../src/phases/audit/audit-summary.js';
import { analyzeAdminAccess } from '../../../src/model/admin/admin-access.js';
import { renderAuditMarkdown } from '../../../src/phases/audit/render-audit-markdown.js';
import { countAudit, describeAdminRows, describeUserRow } from '../../../src/phases/audit/summarise-users.js';
import type { AuditSnapshot, UserRecord } from '../../../src/model/inventory.js';
import type { AuditOutputs } from '../../../src/phases/audit/write-audit-outputs.js';
import {
  ACCOUNT_ID,
  ACCOUNT_ROOT_ARN,
  ADMINISTRATOR_ACCESS_ARN,
  AWS_DENY_ALL_ARN,
  FIXTURE_NOW,
  allowAll,
  makeAdminContext,
  makeAwsManagedPolicy,
  makeGroup,
  makeRole,
  makeUser,
  policyDocument,
  trustPolicy,
  userArn,
} from '../../fixtures/inventory.js';

const POWER_USER_ACCESS = makeAwsManagedPolicy('PowerUserAccess', policyDocument({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }));
const admin = { name: 'AdministratorAccess', arn: ADMINISTRATOR_ACCESS_ARN };
const groups = [makeGroup({ name: 'Admins', attachedPolicies: [admin] }), makeGroup({ name: 'Developers', attachedPolicies: [{ name: 'PowerUserAccess', arn: POWER_USER_ACCESS.arn }] })];
const roles = [makeRole({ name: 'OrganizationAdmin', attachedPolicies: [admin], trustPolicy: trustPolicy(ACCOUNT_ROOT_ARN) })];
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

/** Users as the audit records them: each with the level the analysis gives it. */
function analysed(users: UserRecord[]): UserRecord[] {
  const context = makeAdminContext({ groups, awsManagedPolicies: [POWER_USER_ACCESS], roles, users });
  return users.map((user) => {
    const adminAccess = analyzeAdminAccess(user, context);
    return { ...user, adminAccess, adminPaths: adminAccess.paths, isAdmin: adminAccess.level === 'admin' };
  });
}

function snapshotOf(users: UserRecord[]): AuditSnapshot {
  return {
    schemaVersion: 1,
    generatedAt: FIXTURE_NOW.toISOString(),
    toolVersion: 'test',
    caller: { accountId: ACCOUNT_ID, arn: userArn('auditor'), userId: 'AIDAFIXTURE00000099', partition: 'aws' },
    accountAlias: null,
    region: 'us-east-1',
    identityCenter: null,
    credentialReport: null,
    root: null,
    users,
    groups,
    roles,
    managedPolicies: [],
    awsManagedPolicies: [POWER_USER_ACCESS],
    findings: [],
    gaps: [],
  };
}

const outputs: AuditOutputs = { files: [], mapping: { path: 'mapping.yaml', created: true, updated: true, added: [], removed: [] } };

const users = analysed([
  makeUser({ userName: 'alice.admin', groups: ['Admins'] }),
  makeUser({ userName: 'bob.builder', groups: ['Developers'] }),
  makeUser({ userName: 'carol.mfa', inlinePolicies: [{ name: 'mfa-admin', document: policyDocument(allowAll(MFA)) }] }),
  makeUser({ userName: 'dave.off', groups: ['Admins'], attachedPolicies: [{ name: 'AWSDenyAll', arn: AWS_DENY_ALL_ARN }] }),
  makeUser({ userName: 'erin.none' }),
]);

describe('audit reports: administrator access', () => {
  it('Given an administrator, a near-administrator and a conditional one, When counted, Then each level is counted apart', () => {
    expect(countAudit(snapshotOf(users))).toMatchObject({ admins: 1, nearAdmins: 1, conditionalAdmins: 1 });
  });

  it('Given those users, When the admin rows are listed, Then administrators come first and each says through what', () => {
    expect(describeAdminRows(snapshotOf(users))).toEqual([
      ['alice.admin', 'ADMIN', `group Admins managed-policy ${ADMINISTRATOR_ACCESS_ARN}`],
      ['bob.builder', 'near-admin', `assuming role ${roles[0]!.arn} (sts:AssumeRole; through group Developers managed-policy ${POWER_USER_ACCESS.arn}, trust-policy ${roles[0]!.arn})`],
      ['carol.mfa', 'conditional admin', 'inline policy mfa-admin, depending on aws:MultiFactorAuthPresent'],
    ]);
  });

  it('Given each user, When its row is described, Then the admin column shows its level', () => {
    expect(users.map((u) => describeUserRow(u, FIXTURE_NOW).at(-1))).toEqual(['ADMIN', 'near-admin', 'conditional admin', '', '']);
  });

  it('Given those users, When the markdown report is rendered, Then it counts, lists and explains the levels, and names the Deny', () => {
    const markdown = renderAuditMarkdown(snapshotOf(users));
    expect(markdown).toContain('| administrators | near-administrators | conditional administrators |');
    expect(markdown).toContain('## Administrator access');
    expect(markdown).toContain(`| bob.builder | near-admin | assuming role ${roles[0]!.arn}`);
    expect(markdown).toContain(`| dave.off | managed policy ${AWS_DENY_ALL_ARN} |`);
    expect(markdown).toMatch(/Not seen: service control policies/);
  });

  it('Given those users, When the terminal summary is rendered, Then it counts the three levels and lists who', () => {
    const text = renderAuditSummary(snapshotOf(users), outputs, createTextFormat(false));
    expect(text).toContain('Administrators: 1 · near-administrators (one step from it): 1 · conditional administrators (MFA, region, ...): 1');
    expect(text).toContain('bob.builder');
    expect(text).toMatch(/assuming role .*OrganizationAdmin/);
  });

  it('Given an audit written before levels were recorded, When counted, Then its administrators still count', () => {
    const older = makeUser({ userName: 'old.admin', adminPaths: [{ via: 'managed-policy', source: ADMINISTRATOR_ACCESS_ARN }] });
    expect(countAudit(snapshotOf([older]))).toMatchObject({ admins: 1, nearAdmins: 0, conditionalAdmins: 0 });
    expect(describeAdminRows(snapshotOf([older]))).toEqual([['old.admin', 'ADMIN', `managed policy ${ADMINISTRATOR_ACCESS_ARN}`]]);
  });
});
