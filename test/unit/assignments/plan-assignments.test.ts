import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_KIND, listDesiredAssignments, planAssignments, type CurrentAssignment } from '../../../src/phases/assign/plan-assignments.js';
import { verifyAccess } from '../../../src/phases/assign/verify-access.js';
import { mappingSchema, type Mapping } from '../../../src/workspace/mapping-schema.js';

const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';

function mapping(): Mapping {
  return mappingSchema.parse({
    version: 1,
    account: ACCOUNT_A,
    protect: null,
    users: {
      jane: { kind: 'human', userName: 'jane.doe', email: 'jane@corp.example' },
      bob: { kind: 'human', userName: 'bob' },
      ci: { kind: 'machine' },
    },
    permissionSets: { Developers: {}, ReadOnly: {} },
    groups: { Devs: { members: ['jane', 'bob'] } },
    assignments: [
      { group: 'Devs', permissionSet: 'Developers', targets: [ACCOUNT_A] },
      { user: 'jane', permissionSet: 'ReadOnly', targets: [ACCOUNT_A, ACCOUNT_B] },
      { user: 'ci', permissionSet: 'ReadOnly', targets: [ACCOUNT_A] },
    ],
  });
}
const accounts = [[ACCOUNT_A], [ACCOUNT_A, ACCOUNT_B], [ACCOUNT_A]];

const current = (principalType: 'USER' | 'GROUP', principalName: string | null, permissionSetName: string, accountId: string): CurrentAssignment => ({
  principalType,
  principalName,
  principalId: `id-${principalName ?? 'gone'}`,
  permissionSetName,
  accountId,
});

const existing: CurrentAssignment[] = [
  current('GROUP', 'Devs', 'Developers', ACCOUNT_A),
  current('USER', 'jane.doe', 'ReadOnly', ACCOUNT_A),
  current('USER', 'jane.doe', 'ReadOnly', ACCOUNT_B),
];

describe('planning account assignments', () => {
  it('Given a mapping with a group, a human and a machine user, When listing the desired assignments, Then the user is named by Identity Center user name and the machine user is left out', () => {
    expect(listDesiredAssignments(mapping(), accounts)).toEqual([
      { principalType: 'GROUP', principalName: 'Devs', permissionSetName: 'Developers', accountId: ACCOUNT_A },
      { principalType: 'USER', principalName: 'jane.doe', permissionSetName: 'ReadOnly', accountId: ACCOUNT_A },
      { principalType: 'USER', principalName: 'jane.doe', permissionSetName: 'ReadOnly', accountId: ACCOUNT_B },
    ]);
  });

  it('Given no assignment exists yet, When planned, Then each missing one is created, broadening, addressed by name', () => {
    const actions = planAssignments(listDesiredAssignments(mapping(), accounts), [], { instanceArn: INSTANCE_ARN, prune: false });

    expect(actions.map((a) => a.id)).toEqual([
      `assign/${ACCOUNT_A}/Developers/GROUP/Devs`,
      `assign/${ACCOUNT_A}/ReadOnly/USER/jane.doe`,
      `assign/${ACCOUNT_B}/ReadOnly/USER/jane.doe`,
    ]);
    expect(actions.every((a) => a.kind === ASSIGNMENT_KIND.create && a.risk === 'broadening' && a.service === 'sso-admin')).toBe(true);
    expect(actions[0]?.params).toEqual({ instanceArn: INSTANCE_ARN, principalType: 'GROUP', principalName: 'Devs', permissionSetName: 'Developers', accountId: ACCOUNT_A });
  });

  it('Given every assignment exists (user names in another case), When planned, Then there is no action', () => {
    const upper = existing.map((a) => ({ ...a, principalName: a.principalName?.toUpperCase() ?? null }));
    expect(planAssignments(listDesiredAssignments(mapping(), accounts), upper, { instanceArn: INSTANCE_ARN, prune: true })).toEqual([]);
  });

  it('Given an assignment the mapping no longer has, When planned without --prune, Then nothing is deleted', () => {
    const extra = [...existing, current('USER', 'bob', 'Developers', ACCOUNT_A)];
    expect(planAssignments(listDesiredAssignments(mapping(), accounts), extra, { instanceArn: INSTANCE_ARN, prune: false })).toEqual([]);
  });

  it('Given assignments the mapping no longer has, When planned with --prune, Then only those of mapped permission sets are deleted, narrowing, with the principal ID as fingerprint', () => {
    const extra = [...existing, current('USER', 'bob', 'Developers', ACCOUNT_A), current('USER', 'bob', 'AdminFromConsole', ACCOUNT_A), current('USER', null, 'Developers', ACCOUNT_A)];

    const actions = planAssignments(listDesiredAssignments(mapping(), accounts), extra, { instanceArn: INSTANCE_ARN, prune: true, permissionSetNames: ['Developers', 'ReadOnly'] });

    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ id: `assign/${ACCOUNT_A}/Developers/USER/bob`, kind: ASSIGNMENT_KIND.delete, risk: 'narrowing', fingerprint: 'principal:id-bob' });
  });
});

describe('verifying access per user', () => {
  it('Given the user, the group membership and every assignment exist, When verified, Then the human users are verified and the machine user is not listed', () => {
    const result = verifyAccess(mapping(), accounts, { users: ['JANE.DOE', 'bob'], assignments: existing, groupMembers: new Map([['Devs', ['jane.doe', 'bob']]]) });

    expect(result).toEqual({ bob: { verified: true, missing: [] }, jane: { verified: true, missing: [] } });
  });

  it('Given an assignment that FAILED and a missing user, When verified, Then each is listed as missing', () => {
    const result = verifyAccess(mapping(), accounts, { users: ['jane.doe'], assignments: existing.filter((a) => a.accountId !== ACCOUNT_B), groupMembers: new Map([['Devs', ['jane.doe']]]) });

    expect(result['jane']).toEqual({ verified: false, missing: [`assignment ReadOnly in ${ACCOUNT_B}`] });
    expect(result['bob']).toEqual({ verified: false, missing: ['Identity Center user bob', 'membership of group Devs'] });
  });
});
