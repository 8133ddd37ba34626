import { describe, expect, it } from 'vitest';
import { analyzeAdminAccess, findAdminPaths, findAdminRoles } from '../../../src/model/admin/admin-access.js';
import type { AdminAccess, Group, ManagedPolicy, PolicyStatement, Role, UserRecord } from '../../../src/model/inventory.js';
import {
  ACCOUNT_ID,
  ACCOUNT_ROOT_ARN,
  ADMINISTRATOR_ACCESS_ARN,
  AWS_DENY_ALL_ARN,
  allow,
  allowAll,
  denyAll,
  groupArn,
  makeAdminContext,
  makeAwsManagedPolicy,
  makeGroup,
  makeManagedPolicy,
  makeRole,
  makeUser,
  policyDocument,
  roleArn,
  serviceTrustPolicy,
  trustPolicy,
  userArn,
} from '../../fixtures/inventory.js';

/** PowerUserAccess as AWS publishes it (the statements that matter here). */
const POWER_USER_ACCESS = makeAwsManagedPolicy(
  'PowerUserAccess',
  policyDocument(
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization', 'account:ListRegions', 'account:GetAccountInformation'],
      Resource: '*',
    },
  ),
);
/** AdministratorAccess as AWS publishes it. */
const ADMINISTRATOR_ACCESS = makeAwsManagedPolicy('AdministratorAccess', policyDocument({ Effect: 'Allow', Action: '*', Resource: '*' }));

const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const EU_ONLY = { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } };
const attachedAws = (policy: ManagedPolicy) => ({ name: policy.name, arn: policy.arn });
const adminAttached = attachedAws(ADMINISTRATOR_ACCESS);
const powerUserAttached = attachedAws(POWER_USER_ACCESS);
const denyAllAttached = { name: 'AWSDenyAll', arn: AWS_DENY_ALL_ARN };
const inline = (name: string, ...statements: PolicyStatement[]) => ({ name, document: policyDocument(...statements) });
const attached = (policy: ManagedPolicy) => ({ name: policy.name, arn: policy.arn });

const s3OnlyBoundary = makeManagedPolicy({ name: 's3-only', path: '/boundaries/', document: policyDocument(allow('s3:*')) });
const deployerPolicy = makeManagedPolicy({ name: 'deployer', document: policyDocument(allow(['s3:*', 'iam:CreatePolicyVersion'], ['*'])) });

const adminsGroup = makeGroup({ name: 'Admins', attachedPolicies: [adminAttached] });
const developersGroup = makeGroup({ name: 'Developers', attachedPolicies: [powerUserAttached] });
const noAssumeGroup = makeGroup({ name: 'NoAssume', inlinePolicies: [inline('no-assume', { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' })] });
const deployersGroup = makeGroup({ name: 'Deployers', attachedPolicies: [attached(deployerPolicy)] });

const adminRoleTrustingAccount = makeRole({ name: 'OrganizationAdmin', attachedPolicies: [adminAttached], trustPolicy: trustPolicy(ACCOUNT_ROOT_ARN) });
const adminInstanceRole = makeRole({ name: 'admin-instance', attachedPolicies: [adminAttached], trustPolicy: serviceTrustPolicy('ec2.amazonaws.com') });
const adminLambdaRole = makeRole({ name: 'admin-lambda', attachedPolicies: [adminAttached], trustPolicy: serviceTrustPolicy('lambda.amazonaws.com') });
const breakGlass = makeUser({ userName: 'break-glass', attachedPolicies: [adminAttached] });

interface Inventory {
  groups?: Group[];
  managedPolicies?: ManagedPolicy[];
  roles?: Role[];
  users?: UserRecord[];
}

function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return makeUser({ userName: 'jane.doe', ...overrides });
}

function contextWith(inventory: Inventory = {}) {
  return makeAdminContext({
    groups: [adminsGroup, developersGroup, noAssumeGroup, deployersGroup, ...(inventory.groups ?? [])],
    managedPolicies: [s3OnlyBoundary, deployerPolicy, ...(inventory.managedPolicies ?? [])],
    awsManagedPolicies: [POWER_USER_ACCESS, ADMINISTRATOR_ACCESS],
    roles: inventory.roles ?? [],
    users: inventory.users ?? [],
  });
}

/** Each list as `via source`, the level apart: what a reader of the report checks first. */
function summary(access: AdminAccess) {
  const line = (paths: AdminAccess['paths']) => paths.map((p) => `${p.via} ${p.source}`);
  return { level: access.level, paths: line(access.paths), near: line(access.nearAdminPaths), conditional: line(access.conditionalPaths), deniedBy: line(access.deniedBy) };
}

type Expected = Partial<ReturnType<typeof summary>> & { level: AdminAccess['level'] };

function expectAccess(access: AdminAccess, expected: Expected): void {
  expect(summary(access)).toEqual({ paths: [], near: [], conditional: [], deniedBy: [], ...expected });
}

describe('analyzeAdminAccess: levels', () => {
  const cases: Array<[string, UserRecord, Inventory, Expected]> = [
    ['AdministratorAccess attached', user({ attachedPolicies: [adminAttached] }), {}, { level: 'admin', paths: [`managed-policy ${ADMINISTRATOR_ACCESS_ARN}`] }],
    ['membership of a group with AdministratorAccess', user({ groups: ['Admins'] }), {}, { level: 'admin', paths: ['group-managed-policy Admins'] }],
    ['an inline Allow *:*', user({ inlinePolicies: [inline('break-glass', allowAll())] }), {}, { level: 'admin', paths: ['inline-policy break-glass'] }],
    [
      'PowerUserAccess and an admin role that trusts the account root',
      user({ attachedPolicies: [powerUserAttached] }),
      { roles: [adminRoleTrustingAccount] },
      { level: 'near-admin', near: [`assume-role ${adminRoleTrustingAccount.arn}`] },
    ],
    ['PowerUserAccess and no admin role', user({ groups: ['Developers'] }), {}, { level: 'none' }],
    [
      'NotAction iam:* limited to EU regions, and an admin role that trusts the account',
      user({ inlinePolicies: [inline('eu-power-user', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*', Condition: EU_ONLY })] }),
      { roles: [adminRoleTrustingAccount] },
      { level: 'conditional-admin', conditional: [`assume-role ${adminRoleTrustingAccount.arn}`] },
    ],
    ['Allow *:* next to AWSDenyAll', user({ inlinePolicies: [inline('all', allowAll())], attachedPolicies: [denyAllAttached] }), {}, { level: 'none', deniedBy: [`managed-policy ${AWS_DENY_ALL_ARN}`] }],
    ['AdministratorAccess next to an inline deny-all', user({ groups: ['Admins'], inlinePolicies: [inline('switched-off', denyAll())] }), {}, { level: 'none', deniedBy: ['inline-policy switched-off'] }],
    [
      'Allow *:* in a group, capped by a boundary that allows only s3:*',
      user({ groups: ['Admins'], permissionsBoundary: s3OnlyBoundary.arn }),
      {},
      { level: 'none' },
    ],
    [
      'iam:PutUserPolicy on user/${aws:username}',
      user({ inlinePolicies: [inline('self', allow('iam:PutUserPolicy', `arn:aws:iam::${ACCOUNT_ID}:user/\${aws:username}`))] }),
      {},
      { level: 'near-admin', near: [`user-policy ${userArn('jane.doe')}`] },
    ],
    [
      'iam:PutUserPolicy on another user only',
      user({ inlinePolicies: [inline('other', allow('iam:PutUserPolicy', userArn('bob')))] }),
      {},
      { level: 'none' },
    ],
    [
      'iam:PassRole on * and ec2:RunInstances, with an admin role EC2 may assume',
      user({ inlinePolicies: [inline('launch', allow(['iam:PassRole', 'ec2:RunInstances']))] }),
      { roles: [adminInstanceRole] },
      { level: 'near-admin', near: [`pass-role ${adminInstanceRole.arn}`] },
    ],
    [
      'iam:PassRole on * and ec2:RunInstances, but no admin role EC2 may assume',
      user({ inlinePolicies: [inline('launch', allow(['iam:PassRole', 'ec2:RunInstances']))] }),
      { roles: [adminLambdaRole, adminRoleTrustingAccount] },
      { level: 'none' },
    ],
    ['Allow *:* behind MFA', user({ inlinePolicies: [inline('mfa-admin', allowAll(MFA))] }), {}, { level: 'conditional-admin', conditional: ['inline-policy mfa-admin'] }],
    [
      'AdministratorAccess and a Deny of everything without MFA',
      user({ groups: ['Admins'], inlinePolicies: [inline('require-mfa', denyAll({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }))] }),
      {},
      { level: 'conditional-admin', conditional: ['group-managed-policy Admins'] },
    ],
    [
      'PowerUserAccess and an admin role, with sts:AssumeRole denied by another group',
      user({ groups: ['Developers', 'NoAssume'] }),
      { roles: [adminRoleTrustingAccount] },
      { level: 'none', deniedBy: ['group-inline-policy NoAssume'] },
    ],
    [
      'Allow *:* with a Deny of s3:DeleteBucket: not admin, but iam:* lets it lift the Deny',
      user({ inlinePolicies: [inline('all', allowAll()), inline('keep-buckets', { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' })] }),
      {},
      { level: 'near-admin', near: ['iam-full-access *'], deniedBy: ['inline-policy keep-buckets'] },
    ],
    ['iam:* alone', user({ inlinePolicies: [inline('iam', allow('iam:*'))] }), {}, { level: 'near-admin', near: ['iam-full-access *'] }],
    [
      'Allow *:* limited to EU regions, with IAM (global) exempt',
      user({
        inlinePolicies: [
          inline('all', allowAll()),
          inline('eu-only', { Effect: 'Deny', NotAction: ['iam:*', 'sts:*', 'organizations:*', 'account:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }),
        ],
      }),
      {},
      { level: 'near-admin', near: ['iam-full-access *'], conditional: ['inline-policy all'] },
    ],
  ];

  it.each(cases)('Given %s, When analysed, Then the level and paths are as expected', (_name, subject, inventory, expected) => {
    expectAccess(analyzeAdminAccess(subject, contextWith(inventory)), expected);
  });
});

describe('analyzeAdminAccess: routes through IAM', () => {
  const cases: Array<[string, UserRecord, Inventory, Expected]> = [
    [
      'iam:AttachUserPolicy on itself',
      user({ inlinePolicies: [inline('attach', allow('iam:AttachUserPolicy', userArn('jane.doe')))] }),
      {},
      { level: 'near-admin', near: [`user-policy ${userArn('jane.doe')}`] },
    ],
    [
      'iam:AttachUserPolicy on itself, limited to ReadOnlyAccess',
      user({ inlinePolicies: [inline('attach', { ...allow('iam:AttachUserPolicy', userArn('jane.doe')), Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } })] }),
      {},
      { level: 'none' },
    ],
    [
      'iam:AttachUserPolicy on itself, capped by an s3-only boundary it may not remove',
      user({ inlinePolicies: [inline('attach', allow('iam:AttachUserPolicy', userArn('jane.doe')))], permissionsBoundary: s3OnlyBoundary.arn }),
      {},
      { level: 'none' },
    ],
    [
      'iam:AttachUserPolicy and iam:DeleteUserPermissionsBoundary on itself, within its boundary',
      user({ inlinePolicies: [inline('attach', allow(['iam:AttachUserPolicy', 'iam:DeleteUserPermissionsBoundary'], userArn('jane.doe')))], permissionsBoundary: 'boundary-allowing-iam' }),
      { managedPolicies: [makeManagedPolicy({ name: 'boundary-allowing-iam', arn: 'boundary-allowing-iam', document: policyDocument(allow('iam:*')) })] },
      { level: 'near-admin', near: [`user-policy ${userArn('jane.doe')}`] },
    ],
    [
      'iam:AttachGroupPolicy on its own group',
      user({ groups: ['Developers'], inlinePolicies: [inline('attach', allow('iam:AttachGroupPolicy', groupArn('Developers')))] }),
      {},
      { level: 'near-admin', near: ['group-policy Developers'] },
    ],
    [
      'iam:CreatePolicyVersion on a policy its group holds',
      user({ groups: ['Deployers'] }),
      {},
      { level: 'near-admin', near: [`policy-version ${deployerPolicy.arn}`] },
    ],
    [
      'iam:AddUserToGroup on the Admins group',
      user({ inlinePolicies: [inline('join', allow('iam:AddUserToGroup', groupArn('Admins')))] }),
      {},
      { level: 'near-admin', near: ['join-group Admins'] },
    ],
    [
      'iam:AddUserToGroup on a group that is not admin',
      user({ inlinePolicies: [inline('join', allow('iam:AddUserToGroup', groupArn('Developers')))] }),
      {},
      { level: 'none' },
    ],
    [
      'iam:* behind MFA: the narrower IAM routes under the same grant are not listed again',
      user({ inlinePolicies: [inline('iam-mfa', { ...allow('iam:*'), Condition: MFA })], groups: ['Developers'] }),
      { users: [breakGlass] },
      { level: 'conditional-admin', conditional: ['iam-full-access *'] },
    ],
    [
      'iam:* and an admin role trusted by a service: re-trusting it goes without saying',
      user({ inlinePolicies: [inline('iam', allow('iam:*'))] }),
      { roles: [adminInstanceRole] },
      { level: 'near-admin', near: ['iam-full-access *'] },
    ],
    [
      'iam:CreateAccessKey on an administrator user',
      user({ inlinePolicies: [inline('keys', allow('iam:CreateAccessKey', userArn('break-glass')))] }),
      { users: [breakGlass] },
      { level: 'near-admin', near: [`user-credentials ${breakGlass.arn}`] },
    ],
    [
      'iam:CreateAccessKey on its own user only',
      user({ inlinePolicies: [inline('keys', allow('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT_ID}:user/\${aws:username}`))] }),
      { users: [breakGlass] },
      { level: 'none' },
    ],
  ];

  it.each(cases)('Given %s, When analysed, Then the level and paths are as expected', (_name, subject, inventory, expected) => {
    expectAccess(analyzeAdminAccess(subject, contextWith(inventory)), expected);
  });
});

describe('analyzeAdminAccess: routes through roles', () => {
  const assumeAdmin = inline('assume-admin', allow('sts:AssumeRole', roleArn('Admin')));
  const adminRole = (trust: Role['trustPolicy'], overrides: Partial<Role> = {}): Role => makeRole({ name: 'Admin', attachedPolicies: [adminAttached], trustPolicy: trust, ...overrides });
  const viaRole = [`assume-role ${roleArn('Admin')}`];
  const cases: Array<[string, UserRecord, Role[], Expected]> = [
    ['an allow on the role, trust in the account root', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(ACCOUNT_ROOT_ARN))], { level: 'near-admin', near: viaRole }],
    ['an allow on the role, trust in the bare account ID', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(ACCOUNT_ID))], { level: 'near-admin', near: viaRole }],
    ['no identity allow, trust naming the user (trust alone grants)', user(), [adminRole(trustPolicy(userArn('jane.doe')))], { level: 'near-admin', near: viaRole }],
    ['no identity allow, trust in the account only', user(), [adminRole(trustPolicy(ACCOUNT_ROOT_ARN))], { level: 'none' }],
    ['trust in another account', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy('arn:aws:iam::222222222222:root'))], { level: 'none' }],
    ['trust in a service only', user({ inlinePolicies: [assumeAdmin] }), [adminRole(serviceTrustPolicy('ec2.amazonaws.com'))], { level: 'none' }],
    ['a role that is not admin', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(ACCOUNT_ROOT_ARN), { attachedPolicies: [powerUserAttached] })], { level: 'none' }],
    ['an admin role that also denies all', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(ACCOUNT_ROOT_ARN), { attachedPolicies: [adminAttached, denyAllAttached] })], { level: 'none' }],
    [
      'a trust that denies the user explicitly',
      user({ inlinePolicies: [assumeAdmin] }),
      [adminRole(policyDocument({ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT_ARN }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: { AWS: userArn('jane.doe') }, Action: 'sts:*' }))],
      { level: 'none', deniedBy: [`trust-policy ${roleArn('Admin')}`] },
    ],
    [
      'a trust that requires MFA',
      user({ inlinePolicies: [assumeAdmin] }),
      [adminRole(policyDocument({ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT_ARN }, Action: 'sts:AssumeRole', Condition: MFA }))],
      { level: 'conditional-admin', conditional: viaRole },
    ],
    ['an identity Deny of sts:AssumeRole, trust naming the user', user({ inlinePolicies: [inline('no-assume', { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' })] }), [adminRole(trustPolicy(userArn('jane.doe')))], { level: 'none', deniedBy: ['inline-policy no-assume'] }],
    [
      'iam:UpdateAssumeRolePolicy on an admin role trusted by a service only',
      user({ inlinePolicies: [inline('retrust', allow('iam:UpdateAssumeRolePolicy', roleArn('Admin')))] }),
      [adminRole(serviceTrustPolicy('ec2.amazonaws.com'))],
      { level: 'near-admin', near: [`update-trust ${roleArn('Admin')}`] },
    ],
    [
      'Lambda and iam:PassRole limited to Lambda, with an admin role Lambda may assume',
      user({ inlinePolicies: [inline('functions', allow(['lambda:CreateFunction', 'lambda:InvokeFunction']), { ...allow('iam:PassRole'), Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } })] }),
      [adminLambdaRole],
      { level: 'near-admin', near: [`pass-role ${adminLambdaRole.arn}`] },
    ],
    [
      'Lambda and iam:PassRole limited to EC2, with an admin role Lambda may assume',
      user({ inlinePolicies: [inline('functions', allow(['lambda:CreateFunction', 'lambda:InvokeFunction']), { ...allow('iam:PassRole'), Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } })] }),
      [adminLambdaRole],
      { level: 'none' },
    ],
    ['lambda:CreateFunction without lambda:InvokeFunction', user({ inlinePolicies: [inline('functions', allow(['lambda:CreateFunction', 'iam:PassRole']))] }), [adminLambdaRole], { level: 'none' }],
  ];

  it.each(cases)('Given %s, When analysed, Then the level and paths are as expected', (_name, subject, roles, expected) => {
    expectAccess(analyzeAdminAccess(subject, contextWith({ roles })), expected);
  });
});

describe('analyzeAdminAccess: what each path says', () => {
  it('Given PowerUserAccess through a group, When analysed, Then the assume-role path names the action and the policy it goes through', () => {
    const access = analyzeAdminAccess(user({ groups: ['Developers'] }), contextWith({ roles: [adminRoleTrustingAccount] }));
    expect(access.nearAdminPaths).toEqual([
      {
        via: 'assume-role',
        source: adminRoleTrustingAccount.arn,
        actions: ['sts:AssumeRole'],
        through: [`group Developers managed-policy ${POWER_USER_ACCESS.arn}`, `trust-policy ${adminRoleTrustingAccount.arn}`],
      },
    ]);
  });

  it('Given a region-limited NotAction grant and an admin role, When analysed, Then the conditional path names the unknown key', () => {
    const subject = user({ inlinePolicies: [inline('eu-power-user', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*', Condition: EU_ONLY })] });
    const [path] = analyzeAdminAccess(subject, contextWith({ roles: [adminRoleTrustingAccount] })).conditionalPaths;
    expect(path).toMatchObject({ via: 'assume-role', through: ['inline-policy eu-power-user', `trust-policy ${adminRoleTrustingAccount.arn}`], unknownKeys: ['aws:RequestedRegion'] });
  });

  it('Given PassRole and EC2, When analysed, Then the path lists both actions', () => {
    const subject = user({ inlinePolicies: [inline('launch', allow(['iam:PassRole', 'ec2:RunInstances']))] });
    const [path] = analyzeAdminAccess(subject, contextWith({ roles: [adminInstanceRole] })).nearAdminPaths;
    expect(path).toMatchObject({ via: 'pass-role', actions: ['iam:PassRole', 'ec2:RunInstances'], through: ['inline-policy launch'] });
  });

  it('Given administrator access through two groups and its own policy, When analysed, Then each is one path, the group ones naming their policy', () => {
    const ops = makeGroup({ name: 'ops', inlinePolicies: [inline('everything', allowAll())] });
    const access = analyzeAdminAccess(user({ attachedPolicies: [adminAttached], groups: ['Admins', 'Admins', 'ops'] }), contextWith({ groups: [ops] }));
    expect(access.paths).toEqual([
      { via: 'managed-policy', source: ADMINISTRATOR_ACCESS_ARN },
      { via: 'group-managed-policy', source: 'Admins', through: [`group Admins managed-policy ${ADMINISTRATOR_ACCESS_ARN}`] },
      { via: 'group-inline-policy', source: 'ops', through: ['group ops inline-policy everything'] },
    ]);
  });

  it('Given PowerUserAccess for two grants that are admin together, When analysed, Then both policies are paths', () => {
    const iamFull = makeManagedPolicy({ name: 'iam-full', document: policyDocument(allow(['iam:*', 'organizations:*', 'account:*'])) });
    const access = analyzeAdminAccess(user({ attachedPolicies: [powerUserAttached, attached(iamFull)] }), contextWith({ managedPolicies: [iamFull] }));
    expect(summary(access)).toMatchObject({ level: 'admin', paths: [`managed-policy ${POWER_USER_ACCESS.arn}`, `managed-policy ${iamFull.arn}`] });
  });

  it('Given an AWS-managed boundary whose document was not read, When analysed, Then admin becomes conditional and the boundary is named as unread', () => {
    const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const access = analyzeAdminAccess(user({ groups: ['Admins'], permissionsBoundary: boundary }), contextWith());
    expect(access.level).toBe('conditional-admin');
    expect(access.unreadPolicies).toEqual([`permissions-boundary ${boundary}`]);
    expect(access.conditionalPaths[0]?.unknownKeys).toBeUndefined();
  });

  it('Given an AWS-managed policy whose document was not read, When analysed, Then it grants nothing and is named as unread', () => {
    const readOnly = { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
    const access = analyzeAdminAccess(user({ attachedPolicies: [readOnly], groups: ['ghost'] }), contextWith());
    expect(access).toMatchObject({ level: 'none', unreadPolicies: [`managed-policy ${readOnly.arn}`, 'group ghost'] });
  });
});

describe('findAdminPaths, findAdminRoles and partitions', () => {
  it('Given a near-administrator, When admin paths are found, Then there are none: only full administrators have them', () => {
    expect(findAdminPaths(user({ groups: ['Developers'] }), contextWith({ roles: [adminRoleTrustingAccount] }))).toEqual([]);
    expect(findAdminPaths(user({ groups: ['Admins'] }), contextWith())).toEqual([expect.objectContaining({ via: 'group-managed-policy', source: 'Admins' })]);
  });

  it('Given roles with and without admin access, When admin roles are found, Then only the unconditional ones are', () => {
    const conditional = makeRole({ name: 'MaybeAdmin', inlinePolicies: [inline('mfa', allowAll(MFA))] });
    const customer = makeRole({ name: 'Platform', inlinePolicies: [inline('all', allowAll())] });
    const roles = [adminRoleTrustingAccount, conditional, customer, makeRole({ name: 'Power', attachedPolicies: [powerUserAttached] })];
    expect(findAdminRoles(contextWith({ roles })).map((role) => role.name)).toEqual(['OrganizationAdmin', 'Platform']);
  });

  it('Given the GovCloud partition, When AdministratorAccess is attached, Then only the partition ARN counts, known without being read', () => {
    const context = { ...makeAdminContext(), partition: 'aws-us-gov' };
    const govAdmin = { name: 'AdministratorAccess', arn: 'arn:aws-us-gov:iam::aws:policy/AdministratorAccess' };
    expect(findAdminPaths(user({ attachedPolicies: [govAdmin] }), context)).toEqual([{ via: 'managed-policy', source: govAdmin.arn }]);
    expect(findAdminPaths(user({ userName: 'other', attachedPolicies: [adminAttached] }), context)).toEqual([]);
  });

  it('Given AWSDenyAll not read, When attached next to AdministratorAccess, Then its known document still cancels admin', () => {
    const access = analyzeAdminAccess(user({ attachedPolicies: [adminAttached, denyAllAttached] }), makeAdminContext());
    expect(summary(access)).toEqual({ level: 'none', paths: [], near: [], conditional: [], deniedBy: [`managed-policy ${AWS_DENY_ALL_ARN}`] });
  });
});
