import { describe, expect, it } from 'vitest';
import {
  analyzeAdminAccess,
  findAdminPaths,
  findAdminRoles,
  type AdminAccessContext,
} from '../../../src/services/audit/admin-access.js';
import type { AdminPath, Group, ManagedPolicy, PolicyStatement, Role, UserRecord } from '../../../src/services/audit/types.js';
import {
  ACCOUNT_ID,
  ACCOUNT_ROOT_ARN,
  ADMINISTRATOR_ACCESS_ARN,
  AWS_DENY_ALL_ARN,
  allow,
  allowAll,
  denyAll,
  makeAdminContext,
  makeGroup,
  makeManagedPolicy,
  makeRole,
  makeUser,
  policyDocument,
  roleArn,
  trustPolicy,
  userArn,
} from '../../fixtures/inventory.js';

const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const adminAttached = { name: 'AdministratorAccess', arn: ADMINISTRATOR_ACCESS_ARN };
const readOnlyAttached = { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
const inline = (name: string, ...statements: PolicyStatement[]) => ({ name, document: policyDocument(...statements) });
const attached = (policy: ManagedPolicy) => ({ name: policy.name, arn: policy.arn });

const fullAccessPolicy = makeManagedPolicy({ name: 'full-access', document: policyDocument(allowAll()) });
const conditionalFullPolicy = makeManagedPolicy({ name: 'full-access-with-mfa', document: policyDocument(allowAll(MFA)) });
const readPolicy = makeManagedPolicy({ name: 's3-read', document: policyDocument(allow('s3:Get*')) });
const assumeAdminPolicy = makeManagedPolicy({
  name: 'assume-admin',
  document: policyDocument(allow('sts:AssumeRole', roleArn('Admin'))),
});

const adminsGroup = makeGroup({ name: 'admins', attachedPolicies: [adminAttached] });
const inlineAdminsGroup = makeGroup({ name: 'ops', inlinePolicies: [inline('everything', allowAll())] });
const managedAdminsGroup = makeGroup({ name: 'platform', attachedPolicies: [attached(fullAccessPolicy)] });
const readersGroup = makeGroup({ name: 'readers', attachedPolicies: [readOnlyAttached, attached(readPolicy)] });
const lockedGroup = makeGroup({ name: 'locked', attachedPolicies: [{ name: 'AWSDenyAll', arn: AWS_DENY_ALL_ARN }] });

const adminRoleTrustingRoot = makeRole({ name: 'Admin', attachedPolicies: [adminAttached], trustPolicy: trustPolicy(ACCOUNT_ROOT_ARN) });

type UserShape = Pick<UserRecord, 'userName' | 'arn' | 'groups' | 'inlinePolicies' | 'attachedPolicies'>;
function user(overrides: Partial<UserRecord> = {}): UserShape {
  const { userName, arn, groups, inlinePolicies, attachedPolicies } = makeUser({ userName: 'jane.doe', ...overrides });
  return { userName, arn, groups, inlinePolicies, attachedPolicies };
}

function contextWith(inventory: { groups?: Group[]; managedPolicies?: ManagedPolicy[]; roles?: Role[] } = {}): AdminAccessContext {
  return makeAdminContext({
    groups: [adminsGroup, inlineAdminsGroup, managedAdminsGroup, readersGroup, lockedGroup, ...(inventory.groups ?? [])],
    managedPolicies: [fullAccessPolicy, conditionalFullPolicy, readPolicy, assumeAdminPolicy, ...(inventory.managedPolicies ?? [])],
    roles: inventory.roles ?? [],
  });
}

describe('findAdminPaths: direct grants', () => {
  const cases: Array<[string, UserShape, AdminPath[]]> = [
    ['a user with no policies', user(), []],
    ['AdministratorAccess attached to the user', user({ attachedPolicies: [adminAttached] }), [{ via: 'managed-policy', source: ADMINISTRATOR_ACCESS_ARN }]],
    ['membership of a group with AdministratorAccess', user({ groups: ['admins'] }), [{ via: 'group-managed-policy', source: 'admins' }]],
    ['a customer-managed Allow *:* on the user', user({ attachedPolicies: [attached(fullAccessPolicy)] }), [{ via: 'managed-policy', source: fullAccessPolicy.arn }]],
    ['an inline Allow *:* on the user', user({ inlinePolicies: [inline('break-glass', allowAll())] }), [{ via: 'inline-policy', source: 'break-glass' }]],
    ['a group inline Allow *:*', user({ groups: ['ops'] }), [{ via: 'group-inline-policy', source: 'ops' }]],
    ['a group customer-managed Allow *:*', user({ groups: ['platform'] }), [{ via: 'group-managed-policy', source: 'platform' }]],
    ['only read-only and narrow policies', user({ groups: ['readers'], attachedPolicies: [attached(readPolicy)] }), []],
    ['membership of a group missing from the inventory', user({ groups: ['ghost'] }), []],
    ['a customer-managed policy missing from the inventory', user({ attachedPolicies: [{ name: 'gone', arn: 'arn:aws:iam::111111111111:policy/gone' }] }), []],
    [
      'an Allow *:* split over Action and Resource lists',
      user({ inlinePolicies: [inline('lists', { Effect: 'Allow', Action: ['s3:*', '*:*'], Resource: ['arn:aws:s3:::b', '*'] })] }),
      [{ via: 'inline-policy', source: 'lists' }],
    ],
    [
      'several routes at once, the same group listed twice',
      user({ attachedPolicies: [adminAttached], groups: ['admins', 'admins', 'ops'] }),
      [
        { via: 'managed-policy', source: ADMINISTRATOR_ACCESS_ARN },
        { via: 'group-managed-policy', source: 'admins' },
        { via: 'group-inline-policy', source: 'ops' },
      ],
    ],
  ];

  it.each(cases)('Given %s, When admin paths are found, Then they are exactly the expected ones', (_name, subject, expected) => {
    expect(findAdminPaths(subject, contextWith())).toEqual(expected);
  });
});

describe('findAdminPaths: conditions, near-admin grants and denies', () => {
  it('Given a conditional Allow *:*, When analysed, Then it is a conditional path and not an admin path', () => {
    const subject = user({ inlinePolicies: [inline('mfa-admin', allowAll(MFA))], attachedPolicies: [attached(conditionalFullPolicy)] });
    const analysis = analyzeAdminAccess(subject, contextWith());
    expect(analysis.paths).toEqual([]);
    expect(analysis.conditionalPaths).toEqual([
      { via: 'inline-policy', source: 'mfa-admin' },
      { via: 'managed-policy', source: conditionalFullPolicy.arn },
    ]);
  });

  it('Given a NotAction iam:* Allow on *, When analysed, Then it is near-admin only', () => {
    const subject = user({ inlinePolicies: [inline('power-user', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] });
    const analysis = analyzeAdminAccess(subject, contextWith());
    expect(analysis.paths).toEqual([]);
    expect(analysis.nearAdminPaths).toEqual([{ via: 'inline-policy', source: 'power-user' }]);
  });

  it('Given one policy with both an unconditional and a conditional Allow *:*, When analysed, Then the path is admin only', () => {
    const subject = user({ inlinePolicies: [inline('mixed', allowAll(MFA), allowAll())] });
    const analysis = analyzeAdminAccess(subject, contextWith());
    expect(analysis.paths).toEqual([{ via: 'inline-policy', source: 'mixed' }]);
    expect(analysis.conditionalPaths).toEqual([]);
  });

  const denied: Array<[string, UserShape, AdminPath[]]> = [
    ['an inline Deny *:* next to AdministratorAccess', user({ attachedPolicies: [adminAttached], inlinePolicies: [inline('deny-all', denyAll())] }), [{ via: 'inline-policy', source: 'deny-all' }]],
    ['AWSDenyAll attached next to an admin group', user({ groups: ['admins'], attachedPolicies: [{ name: 'AWSDenyAll', arn: AWS_DENY_ALL_ARN }] }), [{ via: 'managed-policy', source: AWS_DENY_ALL_ARN }]],
    ['a group carrying AWSDenyAll', user({ groups: ['admins', 'locked'] }), [{ via: 'group-managed-policy', source: 'locked' }]],
  ];

  it.each(denied)('Given %s, When analysed, Then admin is cancelled and the deny is named', (_name, subject, deniedBy) => {
    const analysis = analyzeAdminAccess(subject, contextWith());
    expect(analysis.paths).toEqual([]);
    expect(analysis.deniedBy).toEqual(deniedBy);
  });

  it('Given a Deny *:* behind a Condition, When admin paths are found, Then it does not cancel admin', () => {
    const subject = user({ groups: ['admins'], inlinePolicies: [inline('no-mfa-deny', denyAll({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }))] });
    expect(findAdminPaths(subject, contextWith())).toEqual([{ via: 'group-managed-policy', source: 'admins' }]);
  });

  it('Given a narrower Deny (iam:*), When admin paths are found, Then the user stays admin', () => {
    const subject = user({ groups: ['admins'], inlinePolicies: [inline('no-iam', { Effect: 'Deny', Action: 'iam:*', Resource: '*' })] });
    expect(findAdminPaths(subject, contextWith()).map((path) => path.via)).toEqual(['group-managed-policy']);
  });
});

describe('findAdminPaths: assume-role', () => {
  const assumeAdmin = inline('assume-admin', allow('sts:AssumeRole', roleArn('Admin')));
  const assumeAny = inline('assume-any', allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT_ID}:role/*`));
  const viaRole = (role: Role): AdminPath[] => [{ via: 'assume-role', source: role.arn }];
  const adminRole = (trust: Role['trustPolicy'], overrides: Partial<Role> = {}): Role =>
    makeRole({ name: 'Admin', attachedPolicies: [adminAttached], trustPolicy: trust, ...overrides });

  const cases: Array<[string, UserShape, Role[], AdminPath[]]> = [
    ['an allow on the role, trust in the account root ARN', user({ inlinePolicies: [assumeAdmin] }), [adminRoleTrustingRoot], viaRole(adminRoleTrustingRoot)],
    ['an allow on the role, trust in the bare account ID', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(ACCOUNT_ID))], viaRole(adminRole(null))],
    ['an allow on role/*, trust in the account', user({ inlinePolicies: [assumeAny] }), [adminRoleTrustingRoot], viaRole(adminRoleTrustingRoot)],
    ['an allow through a customer-managed policy', user({ attachedPolicies: [attached(assumeAdminPolicy)] }), [adminRoleTrustingRoot], viaRole(adminRoleTrustingRoot)],
    ['an allow through a group policy', user({ groups: ['assumers'] }), [adminRoleTrustingRoot], viaRole(adminRoleTrustingRoot)],
    ['an allow on the role, trust in the user ARN', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(userArn('jane.doe')))], viaRole(adminRole(null))],
    ['no identity allow, trust naming the user ARN (same account: trust alone grants)', user(), [adminRole(trustPolicy(userArn('jane.doe')))], viaRole(adminRole(null))],
    ['no identity allow, trust in the account root only', user(), [adminRoleTrustingRoot], []],
    ['an allow on the role, trust in another user', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(userArn('bob')))], []],
    ['an allow on the role, trust in another account', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy('arn:aws:iam::222222222222:root'))], []],
    ['an allow on the role, trust in a service only', user({ inlinePolicies: [assumeAdmin] }), [makeRole({ name: 'Admin', attachedPolicies: [adminAttached] })], []],
    ['an allow on the role, the role has no trust policy', user({ inlinePolicies: [assumeAdmin] }), [adminRole(null)], []],
    ['an allow on another role only', user({ inlinePolicies: [inline('other', allow('sts:AssumeRole', roleArn('Other')))] }), [adminRoleTrustingRoot], []],
    ['an allow on a role that is not admin', user({ inlinePolicies: [assumeAdmin] }), [makeRole({ name: 'Admin', attachedPolicies: [readOnlyAttached], trustPolicy: trustPolicy(ACCOUNT_ROOT_ARN) })], []],
    ['an allow on a role with an inline Allow *:*', user({ inlinePolicies: [assumeAdmin] }), [makeRole({ name: 'Admin', inlinePolicies: [inline('all', allowAll())], trustPolicy: trustPolicy(ACCOUNT_ROOT_ARN) })], viaRole(adminRoleTrustingRoot)],
    ['an allow on an admin role that also denies all', user({ inlinePolicies: [assumeAdmin] }), [adminRole(trustPolicy(ACCOUNT_ROOT_ARN), { inlinePolicies: [inline('off', denyAll())] })], []],
    ['an allow on the role, trust in Principal "*"', user({ inlinePolicies: [assumeAdmin] }), [adminRole(policyDocument({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }))], viaRole(adminRole(null))],
    ['a trust for sts:AssumeRoleWithSAML only', user({ inlinePolicies: [assumeAdmin] }), [adminRole(policyDocument({ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT_ARN }, Action: 'sts:AssumeRoleWithSAML' }))], []],
    ['a trust that denies the user explicitly', user({ inlinePolicies: [assumeAdmin] }), [adminRole(policyDocument({ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT_ARN }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: { AWS: userArn('jane.doe') }, Action: 'sts:*' }))], []],
    ['a trust with an MFA condition (trust conditions are gates, not exclusions)', user({ inlinePolicies: [assumeAdmin] }), [adminRole(policyDocument({ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT_ARN }, Action: 'sts:AssumeRole', Condition: MFA }))], viaRole(adminRole(null))],
    ['an identity Deny on the role, trust naming the user', user({ inlinePolicies: [inline('no-assume', { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' })] }), [adminRole(trustPolicy(userArn('jane.doe')))], []],
    ['a ${aws:username} resource that resolves to the role', user({ userName: 'Admin', inlinePolicies: [inline('own-role', allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT_ID}:role/\${aws:username}`))] }), [adminRoleTrustingRoot], viaRole(adminRoleTrustingRoot)],
    ['a NotAction iam:* power user, trust in the account', user({ inlinePolicies: [inline('power-user', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] }), [adminRoleTrustingRoot], viaRole(adminRoleTrustingRoot)],
  ];

  it.each(cases)('Given %s, When admin paths are found, Then the assume-role paths are as expected', (_name, subject, roles, expected) => {
    const assumers = makeGroup({ name: 'assumers', inlinePolicies: [inline('assume', allow('sts:AssumeRole', roleArn('Admin')))] });
    expect(findAdminPaths(subject, contextWith({ groups: [assumers], roles }))).toEqual(expected);
  });

  it('Given a conditional allow of sts:AssumeRole, When analysed, Then the role is a conditional path', () => {
    const subject = user({ inlinePolicies: [inline('assume-mfa', { ...allow('sts:AssumeRole', roleArn('Admin')), Condition: MFA })] });
    const analysis = analyzeAdminAccess(subject, contextWith({ roles: [adminRoleTrustingRoot] }));
    expect(analysis.paths).toEqual([]);
    expect(analysis.conditionalPaths).toEqual(viaRole(adminRoleTrustingRoot));
  });

  it('Given a user who already has Allow *:* and a role trusting the account, When paths are found, Then only the direct path is listed', () => {
    const subject = user({ inlinePolicies: [inline('all', allowAll())] });
    expect(findAdminPaths(subject, contextWith({ roles: [adminRoleTrustingRoot] }))).toEqual([{ via: 'inline-policy', source: 'all' }]);
  });

  it('Given a direct admin who can also assume an admin role explicitly, When paths are found, Then both are listed', () => {
    const subject = user({ groups: ['admins'], inlinePolicies: [assumeAdmin] });
    expect(findAdminPaths(subject, contextWith({ roles: [adminRoleTrustingRoot] })).map((path) => path.via)).toEqual([
      'group-managed-policy',
      'assume-role',
    ]);
  });

  it('Given a deny-all on the user, When analysed, Then assume-role paths are cancelled as well', () => {
    const subject = user({ inlinePolicies: [assumeAdmin, inline('off', denyAll())] });
    expect(findAdminPaths(subject, contextWith({ roles: [adminRoleTrustingRoot] }))).toEqual([]);
  });
});

describe('findAdminRoles and partitions', () => {
  it('Given roles with and without admin access, When admin roles are found, Then only the unconditional ones are', () => {
    const conditional = makeRole({ name: 'MaybeAdmin', inlinePolicies: [inline('mfa', allowAll(MFA))] });
    const customer = makeRole({ name: 'Platform', attachedPolicies: [attached(fullAccessPolicy)] });
    const roles = [adminRoleTrustingRoot, conditional, customer, makeRole({ name: 'Reader', attachedPolicies: [readOnlyAttached] })];
    expect(findAdminRoles(contextWith({ roles })).map((role) => role.name)).toEqual(['Admin', 'Platform']);
  });

  it('Given the GovCloud partition, When AdministratorAccess is attached, Then only the partition ARN counts', () => {
    const context = { ...makeAdminContext(), partition: 'aws-us-gov' };
    const govAdmin = { name: 'AdministratorAccess', arn: 'arn:aws-us-gov:iam::aws:policy/AdministratorAccess' };
    expect(findAdminPaths(user({ attachedPolicies: [govAdmin] }), context)).toEqual([{ via: 'managed-policy', source: govAdmin.arn }]);
    expect(findAdminPaths(user({ attachedPolicies: [adminAttached] }), context)).toEqual([]);
  });

  it('Given the same context reused for many users, When roles change between contexts, Then results follow the new roles', () => {
    const subject = user({ inlinePolicies: [inline('assume-admin', allow('sts:AssumeRole', roleArn('Admin')))] });
    expect(findAdminPaths(subject, contextWith({ roles: [adminRoleTrustingRoot] }))).toHaveLength(1);
    expect(findAdminPaths(subject, contextWith({ roles: [] }))).toEqual([]);
  });
});
