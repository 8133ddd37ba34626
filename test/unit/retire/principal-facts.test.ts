import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import { buildPrincipalFacts, isIdentityCenterAdminVerified } from '../../../src/phases/disable/principal-facts.js';
import type { IamUserState, IamUsersSnapshot } from '../../../src/phases/disable/read-iam-users.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { ACCOUNT_ID, iamUserState, userIdOf, usersSnapshot } from '../support/builders.js';

const OTHER_ACCOUNT = '222222222222';
const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READ_ONLY_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const CALLER_ID = 'AIDA00000000000000001';

const mappingOf = (body: string): Mapping => parseMapping(`version: 1\naccount: '${ACCOUNT_ID}'\n${body}`, 'mapping.yaml').mapping;

const snapshot = (...list: IamUserState[]): IamUsersSnapshot => usersSnapshot(list);

describe('buildPrincipalFacts', () => {
  const mapping = mappingOf(`
protect:
  users: [Break-Glass]
  tags: ['team=security']
users:
  Alice: { kind: human, userName: alice }
  ci-deployer: { kind: machine }
  legacy: { kind: skip }
  Break-Glass: { kind: human, userName: break-glass }
permissionSets: {}
groups: {}
assignments: []
`);
  const users = snapshot(
    iamUserState('alice', 2, { isAdmin: true }),
    iamUserState('CI-Deployer', 3, { tags: [{ key: 'owner', value: 'ci' }] }),
    iamUserState('legacy', 4),
    iamUserState('break-glass', 5, { isAdmin: true }),
    iamUserState('stranger', 6),
  );

  it('Given the mapping and a snapshot, When the facts are built, Then kinds come from the mapping without regard to case and unmapped users are unknown', () => {
    const facts = buildPrincipalFacts({ snapshot: users, mapping, callerUserId: CALLER_ID, explicitlyNamed: [], identityCenterAdminVerified: false });
    expect(Object.fromEntries([...facts.users].map(([name, u]) => [name, u.kind]))).toEqual({
      alice: 'human',
      'CI-Deployer': 'machine',
      legacy: 'skip',
      'break-glass': 'human',
      stranger: 'unknown',
    });
  });

  it('Given a snapshot, When the facts are built, Then every IAM user is there by its IAM name with its UserId, tags and admin flag', () => {
    const facts = buildPrincipalFacts({ snapshot: users, mapping, callerUserId: CALLER_ID, explicitlyNamed: [], identityCenterAdminVerified: false });
    expect(facts.users.get('alice')).toEqual({ userId: userIdOf(2), tags: [], kind: 'human', isAdmin: true });
    expect(facts.users.get('CI-Deployer')).toEqual({ userId: userIdOf(3), tags: [{ key: 'owner', value: 'ci' }], kind: 'machine', isAdmin: false });
    expect([...facts.users.keys()].sort()).toEqual(['CI-Deployer', 'alice', 'break-glass', 'legacy', 'stranger']);
  });

  it('Given inputs, When the facts are built, Then caller, protected names, explicit names and the Identity Center flag are passed through', () => {
    const facts = buildPrincipalFacts({ snapshot: users, mapping, callerUserId: CALLER_ID, explicitlyNamed: ['legacy'], identityCenterAdminVerified: true });
    expect(facts.callerUserId).toBe(CALLER_ID);
    expect([...facts.protectedNames]).toEqual(['Break-Glass']);
    expect([...facts.explicitlyNamed]).toEqual(['legacy']);
    expect(facts.identityCenterAdminVerified).toBe(true);
    expect(buildPrincipalFacts({ snapshot: users, mapping, callerUserId: CALLER_ID, explicitlyNamed: [], identityCenterAdminVerified: false }).identityCenterAdminVerified).toBe(false);
  });

  it('Given mapping protect tags, When the facts are built, Then they are parsed and iam2idc:protect=true is added', () => {
    const facts = buildPrincipalFacts({ snapshot: users, mapping, callerUserId: CALLER_ID, explicitlyNamed: [], identityCenterAdminVerified: false });
    expect(facts.protectedTags).toEqual(expect.arrayContaining([{ key: 'team', value: 'security' }, { key: 'iam2idc:protect', value: 'true' }]));
    expect(facts.protectedTags).toHaveLength(2);
  });

  it('Given a mapping with no protect section, When the facts are built, Then iam2idc:protect=true is still a protected tag', () => {
    const bare = mappingOf('protect: null\nusers: {}\npermissionSets: {}\ngroups: {}\nassignments: []\n');
    const facts = buildPrincipalFacts({ snapshot: users, mapping: bare, callerUserId: CALLER_ID, explicitlyNamed: [], identityCenterAdminVerified: false });
    expect(facts.protectedTags).toEqual([{ key: 'iam2idc:protect', value: 'true' }]);
    expect(facts.protectedNames.size).toBe(0);
  });

  it('Given a mapping that already lists iam2idc:protect=true, When the facts are built, Then it appears once', () => {
    const listed = mappingOf("protect: { tags: ['iam2idc:protect=true'] }\nusers: {}\npermissionSets: {}\ngroups: {}\nassignments: []\n");
    const facts = buildPrincipalFacts({ snapshot: users, mapping: listed, callerUserId: CALLER_ID, explicitlyNamed: [], identityCenterAdminVerified: false });
    expect(facts.protectedTags).toEqual([{ key: 'iam2idc:protect', value: 'true' }]);
  });
});

describe('isIdentityCenterAdminVerified', () => {
  const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const CONDITIONAL_ALLOW_ALL: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
  };
  const READ_S3: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

  /** jane and joe are people, ci a machine user; the assignments are given per test. */
  const mapping = (assignments: string, groups = 'groups: { Admins: { members: [jane] }, Readers: { members: [jane, joe] } }') =>
    mappingOf(`
protect: null
users:
  jane: { kind: human, userName: jane }
  joe: { kind: human, userName: joe }
  ci: { kind: machine }
permissionSets:
  Admin: { managedPolicies: ['${ADMIN_ARN}'] }
  ReadOnly: { managedPolicies: ['${READ_ONLY_ARN}'] }
  Custom: { inlinePolicyFile: policies/Custom.json }
${groups}
assignments:
${assignments}
`);
  const direct = (user: string, set: string, target = ACCOUNT_ID) => `  - { user: ${user}, permissionSet: ${set}, targets: ['${target}'] }`;
  const viaGroup = (group: string, set: string) => `  - { group: ${group}, permissionSet: ${set}, targets: ['${ACCOUNT_ID}'] }`;

  function state(access: Record<string, boolean>): Pick<WorkspaceState, 'phases'> {
    return {
      phases: {
        assignments: {
          lastRunAt: '2026-03-01T00:00:00.000Z',
          access: Object.fromEntries(Object.entries(access).map(([name, verified]) => [name, { verified, missing: verified ? [] : ['assignment Admin in 111111111111'] }])),
        },
      },
    };
  }
  const noInline = () => null;
  const inlineOf = (documents: Record<string, PolicyDocument>) => (name: string) => documents[name] ?? null;

  it('Given a verified human assigned AdministratorAccess directly, When checked, Then it is true', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('jane', 'Admin')), state({ jane: true }), noInline, 'aws')).toBe(true);
  });

  it('Given a verified human in a group assigned AdministratorAccess, When checked, Then it is true', () => {
    expect(isIdentityCenterAdminVerified(mapping(viaGroup('Admins', 'Admin')), state({ jane: true }), noInline, 'aws')).toBe(true);
  });

  it('Given a group assigned AdministratorAccess whose only verified person is not a member, When checked, Then it is false', () => {
    expect(isIdentityCenterAdminVerified(mapping(viaGroup('Admins', 'Admin')), state({ jane: false, joe: true }), noInline, 'aws')).toBe(false);
  });

  it('Given a verified human assigned a set whose inline policy allows * on * unconditionally, When checked, Then it is true', () => {
    const check = (documents: Record<string, PolicyDocument>) => isIdentityCenterAdminVerified(mapping(direct('joe', 'Custom')), state({ joe: true }), inlineOf(documents), 'aws');
    expect(check({ Custom: ALLOW_ALL })).toBe(true);
    // The document is looked up by the permission set's name.
    expect(check({ Other: ALLOW_ALL })).toBe(false);
  });

  it('Given a verified human with only a ReadOnly set, When checked, Then it is false', () => {
    expect(isIdentityCenterAdminVerified(mapping(`${direct('jane', 'ReadOnly')}\n${viaGroup('Readers', 'ReadOnly')}`), state({ jane: true, joe: true }), noInline, 'aws')).toBe(false);
  });

  it('Given an admin assignment whose person is not verified, When checked, Then it is false', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('jane', 'Admin')), state({ jane: false }), noInline, 'aws')).toBe(false);
  });

  it('Given an admin assignment and no access recorded at all, When checked, Then it is false', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('jane', 'Admin')), { phases: {} }, noInline, 'aws')).toBe(false);
  });

  it('Given a verified human assigned a set whose inline Allow * on * has a condition, When checked, Then it is false', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('joe', 'Custom')), state({ joe: true }), inlineOf({ Custom: CONDITIONAL_ALLOW_ALL }), 'aws')).toBe(false);
  });

  it('Given a verified human assigned a set whose inline policy is narrow, When checked, Then it is false', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('joe', 'Custom')), state({ joe: true }), inlineOf({ Custom: READ_S3 }), 'aws')).toBe(false);
  });

  it('Given a machine user assigned AdministratorAccess and recorded as verified, When checked, Then it is false (only people count)', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('ci', 'Admin')), state({ ci: true }), noInline, 'aws')).toBe(false);
  });

  it('Given AdministratorAccess of another partition, When checked, Then it does not count', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('jane', 'Admin')), state({ jane: true }), noInline, 'aws-us-gov')).toBe(false);
  });

  it('Given the admin set is assigned to the verified person only in another account, When checked, Then it is false (it administers nothing here)', () => {
    expect(isIdentityCenterAdminVerified(mapping(direct('jane', 'Admin', OTHER_ACCOUNT)), state({ jane: true }), noInline, 'aws')).toBe(false);
  });
});
