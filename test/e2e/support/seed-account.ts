import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
  CreateAccountAliasCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import pMap from 'p-map';
import type { EmulatorClients } from './aws-clients.js';
import type { SeedGroupSpec, SeedUserSpec, SeededUser } from './seed-helpers.js';
import { allow, createGroup, createUser, doc } from './seed-helpers.js';

export { seedScaledAccount } from './seed-scaled.js';
export type { ScaledSeedOptions, ScaledSeedResult } from './seed-scaled.js';
export type { SeededUser } from './seed-helpers.js';

const AWS = 'arn:aws:iam::aws:policy';

/** Customer-managed policies, some under a path, as an operator's account tends to have. */
const CUSTOMER_POLICIES = [
  { name: 'DeveloperExtras', path: '/team/', document: doc(allow(['logs:*', 'cloudwatch:*', 'xray:*'])) },
  {
    name: 'DataLakeAccess',
    path: '/data/',
    document: doc(allow(['s3:GetObject', 's3:PutObject', 's3:ListBucket'], ['arn:aws:s3:::acme-data-lake', 'arn:aws:s3:::acme-data-lake/*']), allow(['glue:*', 'athena:*'])),
  },
  { name: 'BillingReadOnly', path: '/', document: doc(allow(['aws-portal:View*', 'ce:Get*', 'budgets:View*'])) },
  {
    name: 'DeveloperBoundary',
    path: '/boundaries/',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'organizations:*'], Resource: '*' },
      ],
    },
  },
  {
    name: 'DeployPolicy',
    path: '/ci/',
    document: doc(allow(['cloudformation:*', 's3:*', 'ecr:*', 'lambda:*']), allow(['iam:PassRole'], ['arn:aws:iam::*:role/deploy-*'])),
  },
] as const;

function customerArn(accountId: string, name: (typeof CUSTOMER_POLICIES)[number]['name']): string {
  const policy = CUSTOMER_POLICIES.find((p) => p.name === name)!;
  return `arn:aws:iam::${accountId}:policy${policy.path}${policy.name}`;
}

function sandboxGroups(accountId: string): SeedGroupSpec[] {
  return [
    { name: 'Admins', managed: [`${AWS}/AdministratorAccess`] },
    {
      name: 'Developers',
      managed: [`${AWS}/PowerUserAccess`, customerArn(accountId, 'DeveloperExtras')],
      inline: {
        'deny-prod-deletes': {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: ['rds:DeleteDBInstance', 's3:DeleteBucket'], Resource: '*' }],
        },
      },
    },
    { name: 'ReadOnly', managed: [`${AWS}/ReadOnlyAccess`, `${AWS}/job-function/ViewOnlyAccess`] },
    {
      name: 'DataEngineers',
      managed: [customerArn(accountId, 'DataLakeAccess')],
      inline: { 'athena-workgroup': doc(allow(['athena:StartQueryExecution'], ['arn:aws:athena:*:*:workgroup/analytics'])) },
      path: '/data/',
    },
  ];
}

const human = (email: string): Record<string, string> => ({ email });

/** About 25 users of every kind a real account accumulates. `expectedKind: null` = deliberately ambiguous. */
function sandboxUsers(accountId: string): SeedUserSpec[] {
  const mfa = { console: true, mfa: true } as const;
  return [
    { name: 'alice.admin', expectedKind: 'human', ...mfa, groups: ['Admins'], tags: human('alice@example.com'), admin: true },
    { name: 'bob.builder', expectedKind: 'human', ...mfa, groups: ['Developers'], keys: 1, usedKeys: 1, tags: human('bob@example.com') },
    { name: 'carol.dev', expectedKind: 'human', ...mfa, groups: ['Developers', 'DataEngineers'] },
    { name: 'dave.data', expectedKind: 'human', ...mfa, groups: ['DataEngineers'], keys: 2 },
    { name: 'erin.readonly', expectedKind: 'human', ...mfa, groups: ['ReadOnly'], nonAdmin: true },
    { name: 'frank.nomfa', expectedKind: 'human', console: true, groups: ['Developers'] },
    { name: 'grace.ops', expectedKind: 'human', ...mfa, managed: [`${AWS}/AdministratorAccess`], admin: true },
    { name: 'heidi.inline', expectedKind: 'human', ...mfa, inline: { 'full-access': doc(allow(['*'])) }, admin: true },
    { name: 'ivan.billing', expectedKind: 'human', ...mfa, groups: ['ReadOnly'], managed: [customerArn(accountId, 'BillingReadOnly')], nonAdmin: true },
    // Keys only, but a person's name and an email tag: a person who never used the console, or a
    // workload named after its owner. Genuinely ambiguous, so it is left to the operator.
    { name: 'jane.doe', expectedKind: null, keys: 1, tags: human('jane.doe@example.com') },
    { name: 'kim.boundary', expectedKind: 'human', ...mfa, groups: ['Developers'], boundary: customerArn(accountId, 'DeveloperBoundary') },
    { name: 'leo.ssh', expectedKind: 'human', ...mfa, groups: ['Developers'], sshKey: true, signingCertificate: true },
    {
      name: 'mallory.contractor',
      path: '/contractors/',
      expectedKind: 'human',
      ...mfa,
      inline: { 'read-shared-bucket': doc(allow(['s3:GetObject', 's3:ListBucket'], ['arn:aws:s3:::acme-shared', 'arn:aws:s3:::acme-shared/*'])) },
      tags: { email: 'mallory@contractor.example', team: 'external' },
      nonAdmin: true,
    },
    { name: 'nina.keys', expectedKind: 'human', ...mfa, groups: ['DataEngineers'], keys: 1, usedKeys: 1 },
    { name: 'oscar.analyst', expectedKind: 'human', ...mfa, managed: [`${AWS}/job-function/ViewOnlyAccess`], nonAdmin: true },
    { name: 'olivia.intern', expectedKind: 'human', console: true, groups: ['ReadOnly'], nonAdmin: true },
    { name: 'peggy.security', expectedKind: 'human', ...mfa, groups: ['ReadOnly'], managed: [`${AWS}/SecurityAudit`], tags: { Email: 'peggy@example.com' } },
    { name: 'break-glass-admin', expectedKind: 'human', ...mfa, managed: [`${AWS}/AdministratorAccess`], tags: { 'iam2idc:protect': 'true' }, admin: true, protected: true },
    { name: 'ci-deploy', expectedKind: 'machine', keys: 1, usedKeys: 1, managed: [customerArn(accountId, 'DeployPolicy')] },
    {
      name: 'svc-backup',
      expectedKind: 'machine',
      keys: 1,
      usedKeys: 1,
      inline: { 'backup-bucket': doc(allow(['s3:PutObject', 's3:GetObject'], ['arn:aws:s3:::acme-backups/*'])) },
      nonAdmin: true,
    },
    { name: 'terraform-bot', expectedKind: 'machine', keys: 2, inactiveKeys: 1, usedKeys: 1, managed: [`${AWS}/AdministratorAccess`], admin: true },
    { name: 'monitoring-agent', expectedKind: 'machine', keys: 1, usedKeys: 1, groups: ['ReadOnly'], tags: { 'iam2idc:kind': 'machine' }, nonAdmin: true },
    { name: 's3-uploader', path: '/service/', expectedKind: 'machine', keys: 1, usedKeys: 1, inline: { upload: doc(allow(['s3:PutObject'], ['arn:aws:s3:::acme-uploads/*'])) } },
    { name: 'github-actions', expectedKind: 'machine', keys: 1, managed: [customerArn(accountId, 'DeployPolicy')] },
    { name: 'legacy-reporting', expectedKind: null, keys: 1, inactiveKeys: 1, managed: [`${AWS}/AmazonS3ReadOnlyAccess`], nonAdmin: true },
  ];
}

export interface SeededSandbox {
  accountId: string;
  accountAlias: string;
  users: SeededUser[];
  groups: Array<{ name: string; path: string; managedPolicyArns: string[]; inlinePolicyNames: string[]; members: string[] }>;
  customerPolicies: Array<{ name: string; path: string; arn: string }>;
  roles: Array<{ name: string; arn: string; admin: boolean }>;
  /** Users with a direct, group or inline path to `*:*`. */
  expectedAdmins: string[];
  /** Users that have no way to administrator access (no PowerUser, which can assume the admin role). */
  expectedNonAdmins: string[];
  humansWithoutMfa: string[];
  machineUsers: string[];
  protectedUsers: string[];
}

/**
 * Seeds the emulator's default account with a realistic mix of about 25 IAM users (humans with
 * console and MFA, humans with keys, machine users, tagged, protected and admin users), 4 groups,
 * customer-managed policies and an admin role, and describes what it made for tests to assert on.
 */
export async function seedSandboxAccount(clients: EmulatorClients): Promise<SeededSandbox> {
  const { iam } = clients;
  const accountId = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account!;

  const customerPolicies = await pMap(CUSTOMER_POLICIES, async (p) => {
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: p.name, Path: p.path, PolicyDocument: JSON.stringify(p.document) }),
    );
    return { name: p.name, path: p.path, arn: created.Policy!.Arn! };
  });

  const groupSpecs = sandboxGroups(accountId);
  await pMap(groupSpecs, (g) => createGroup(iam, g), { concurrency: 4 });

  const specs = sandboxUsers(accountId);
  const users = await pMap(specs, (u) => createUser(clients, u), { concurrency: 8 });

  const roles = await seedRoles(clients, accountId);
  const accountAlias = 'acme-sandbox';
  await iam.send(new CreateAccountAliasCommand({ AccountAlias: accountAlias }));

  return {
    accountId,
    accountAlias,
    users,
    groups: groupSpecs.map((g) => ({
      name: g.name,
      path: g.path ?? '/',
      managedPolicyArns: g.managed ?? [],
      inlinePolicyNames: Object.keys(g.inline ?? {}),
      members: users.filter((u) => u.groups.includes(g.name)).map((u) => u.name),
    })),
    customerPolicies,
    roles,
    expectedAdmins: specs.filter((u) => u.admin).map((u) => u.name),
    expectedNonAdmins: specs.filter((u) => u.nonAdmin).map((u) => u.name),
    humansWithoutMfa: specs.filter((u) => u.console && !u.mfa).map((u) => u.name),
    machineUsers: specs.filter((u) => u.expectedKind === 'machine').map((u) => u.name),
    protectedUsers: specs.filter((u) => u.protected).map((u) => u.name),
  };
}

/** An admin role any principal of the account may assume, and an ordinary service role. */
async function seedRoles(clients: EmulatorClients, accountId: string): Promise<SeededSandbox['roles']> {
  const { iam } = clients;
  const trustRoot = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }],
  };
  const admin = await iam.send(
    new CreateRoleCommand({ RoleName: 'OrganizationAdmin', AssumeRolePolicyDocument: JSON.stringify(trustRoot) }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'OrganizationAdmin', PolicyArn: `${AWS}/AdministratorAccess` }));

  const trustLambda = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const lambda = await iam.send(
    new CreateRoleCommand({ RoleName: 'report-lambda', Path: '/service-role/', AssumeRolePolicyDocument: JSON.stringify(trustLambda) }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'report-lambda',
      PolicyName: 'write-logs',
      PolicyDocument: JSON.stringify(doc(allow(['logs:CreateLogStream', 'logs:PutLogEvents']))),
    }),
  );
  return [
    { name: 'OrganizationAdmin', arn: admin.Role!.Arn!, admin: true },
    { name: 'report-lambda', arn: lambda.Role!.Arn!, admin: false },
  ];
}

