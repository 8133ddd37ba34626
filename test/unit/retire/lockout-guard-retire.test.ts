import { describe, expect, it } from 'vitest';
import { findLockoutRefusals, type PrincipalFacts } from '../../../src/plan/lockout-guard.js';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { planDisable, type DisablePlanInput } from '../../../src/phases/disable/plan-disable.js';
import { buildPrincipalFacts, isIdentityCenterAdminVerified } from '../../../src/phases/disable/principal-facts.js';
import type { AccessKeyState, IamUserState, IamUsersSnapshot } from '../../../src/phases/disable/read-iam-users.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { accessKeyState, ACCOUNT_ID, iamUserState, userIdOf, usersSnapshot } from '../support/builders.js';

const CUTOVER = new Date('2026-03-01T00:00:00.000Z');
const BEFORE = '2026-02-01T09:00:00.000Z';
const CALLER_ID = userIdOf(1);

const mapping: Mapping = parseMapping(
  `
version: 1
account: '${ACCOUNT_ID}'
protect:
  users: [Break-Glass]
  tags: []
users:
  Ops.Admin: { kind: human, userName: ops.admin }
  alice: { kind: human, userName: alice }
  bob: { kind: human, userName: bob }
  Break-Glass: { kind: human, userName: break-glass }
  sec: { kind: human, userName: sec }
  ci: { kind: machine }
permissionSets:
  Admin: { managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] }
  Developers: { managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'] }
groups: {}
assignments:
  - { user: alice, permissionSet: Admin, targets: ['${ACCOUNT_ID}'] }
  - { user: bob, permissionSet: Developers, targets: ['${ACCOUNT_ID}'] }
`,
  'mapping.yaml',
).mapping;

const key = (n: number): AccessKeyState => accessKeyState(n, { lastUsed: BEFORE, lastUsedService: 'sts' });

/** A user with one Active access key, used before the cutover. */
const iamUser = (userName: string, n: number, overrides: Partial<IamUserState> = {}): IamUserState =>
  iamUserState(userName, n, { credentials: { passwordLastUsed: null, accessKeys: [key(n * 10)] }, ...overrides });

/** The IAM administrators are alice and bob; the caller is Ops.Admin under a path. */
const snapshot: IamUsersSnapshot = usersSnapshot([
  iamUser('Ops.Admin', 1, { path: '/admins/' }),
  iamUser('alice', 2, { isAdmin: true }),
  iamUser('bob', 3, { isAdmin: true }),
  iamUser('break-glass', 4),
  iamUser('sec', 5, { tags: [{ key: 'iam2idc:protect', value: 'true' }] }),
  iamUser('ci', 6),
]);

const verified = (names: string[]): Pick<WorkspaceState, 'phases'> => ({
  phases: { assignments: { lastRunAt: CUTOVER.toISOString(), access: Object.fromEntries(names.map((n) => [n, { verified: true, missing: [] }])) } },
});
const allVerified = verified(['Ops.Admin', 'alice', 'bob', 'Break-Glass', 'sec']);

function disablePlan(names: string[], explicit = true): PlannedAction[] {
  const input: DisablePlanInput = {
    snapshot,
    mapping,
    state: allVerified,
    callerUserId: CALLER_ID,
    partition: 'aws',
    targets: { names, explicit },
    forced: new Set(),
    cutover: CUTOVER,
    mode: 'all',
    permissions: new Map(names.map((n) => [n.toLowerCase(), { verdict: 'same' as const, escalations: [], unknown: [] }])),
  };
  return planDisable(input).actions;
}

function facts(explicitlyNamed: string[], identityCenterAdminVerified = false): PrincipalFacts {
  return buildPrincipalFacts({ snapshot, mapping, callerUserId: CALLER_ID, explicitlyNamed, identityCenterAdminVerified });
}

/** [user, code] once per refused action. */
const refusals = (actions: PlannedAction[], f: PrincipalFacts) => findLockoutRefusals(actions, f).map((r) => [r.userName, r.code]);
const refusedCodes = (actions: PlannedAction[], f: PrincipalFacts) => [...new Set(findLockoutRefusals(actions, f).map((r) => `${r.userName}:${r.code}`))];

describe('the lockout guard on disable plans', () => {
  it('Given the caller named explicitly under another case (it has a path), When guarded, Then each of its actions is refused CALLER_CREDENTIALS', () => {
    const actions = disablePlan(['ops.admin']);
    expect(actions).toHaveLength(2);
    expect(refusals(actions, facts(['ops.admin']))).toEqual([
      ['Ops.Admin', 'CALLER_CREDENTIALS'],
      ['Ops.Admin', 'CALLER_CREDENTIALS'],
    ]);
  });

  it('Given a tag-protected user named explicitly, When guarded, Then it is refused PROTECTED_USER', () => {
    const actions = disablePlan(['sec']);
    expect(actions).toHaveLength(2);
    expect(refusedCodes(actions, facts(['sec']))).toEqual(['sec:PROTECTED_USER']);
    expect(findLockoutRefusals(actions, facts(['sec']))).toHaveLength(actions.length);
  });

  it('Given a user protected by name (in another case) named explicitly, When guarded, Then it is refused PROTECTED_USER', () => {
    expect(refusedCodes(disablePlan(['break-glass']), facts(['break-glass']))).toEqual(['break-glass:PROTECTED_USER']);
  });

  it('Given a machine user in the plan but not among the names given, When guarded, Then it is refused MACHINE_USER', () => {
    const actions = disablePlan(['ci']);
    expect(actions).toHaveLength(2);
    expect(refusals(actions, facts(['bob']))).toEqual([
      ['ci', 'MACHINE_USER'],
      ['ci', 'MACHINE_USER'],
    ]);
  });

  it('Given the machine user is named explicitly, When guarded, Then it is allowed', () => {
    expect(refusals(disablePlan(['ci']), facts(['ci']))).toEqual([]);
  });

  it('Given the machine user is named explicitly in another case than IAM spells it, When guarded, Then it is allowed as the plan found it', () => {
    // `--users CI` plans user `ci` (names are resolved without case), and the same list is what the guard is given.
    const actions = disablePlan(['CI']);
    expect(actions.map((a) => a.principal?.userName)).toEqual(['ci', 'ci']);
    expect(refusals(actions, facts(['CI']))).toEqual([]);
  });

  it('Given every IAM administrator is targeted explicitly, When no Identity Center admin is verified, Then each of their actions is refused LAST_ADMIN', () => {
    const actions = disablePlan(['alice', 'bob']);
    expect(actions).toHaveLength(4);
    expect(refusals(actions, facts(['alice', 'bob']))).toEqual([
      ['alice', 'LAST_ADMIN'],
      ['alice', 'LAST_ADMIN'],
      ['bob', 'LAST_ADMIN'],
      ['bob', 'LAST_ADMIN'],
    ]);
  });

  it('Given every IAM administrator is in the default targets, When no Identity Center admin is verified, Then they are refused LAST_ADMIN too', () => {
    const actions = disablePlan(['ops.admin', 'alice', 'bob', 'break-glass', 'sec'], false);
    expect(refusedCodes(actions, facts([]))).toEqual(['alice:LAST_ADMIN', 'bob:LAST_ADMIN']);
  });

  it('Given the same plan, When an Identity Center admin is verified, Then nothing is refused', () => {
    expect(refusals(disablePlan(['alice', 'bob']), facts(['alice', 'bob'], true))).toEqual([]);
  });

  it('Given alice is verified and assigned AdministratorAccess in Identity Center, When the flag is computed from the mapping, Then disabling every IAM admin is allowed', () => {
    const flag = isIdentityCenterAdminVerified(mapping, verified(['alice']), () => null, 'aws');
    expect(flag).toBe(true);
    expect(refusals(disablePlan(['alice', 'bob']), facts(['alice', 'bob'], flag))).toEqual([]);
  });

  it('Given only bob (no admin set) is verified, When the flag is computed from the mapping, Then disabling every IAM admin is still refused', () => {
    const flag = isIdentityCenterAdminVerified(mapping, verified(['bob']), () => null, 'aws');
    expect(flag).toBe(false);
    expect(refusedCodes(disablePlan(['alice', 'bob']), facts(['alice', 'bob'], flag))).toEqual(['alice:LAST_ADMIN', 'bob:LAST_ADMIN']);
  });

  it('Given one IAM administrator stays untouched, When the other is disabled, Then nothing is refused', () => {
    expect(refusals(disablePlan(['alice']), facts(['alice']))).toEqual([]);
  });

  it('Given a default plan (not named explicitly) that leaves an admin, When guarded, Then the planner already left out everything the guard refuses', () => {
    const actions = disablePlan(['ops.admin', 'alice', 'break-glass', 'sec'], false);
    expect(new Set(actions.map((a) => a.principal?.userName))).toEqual(new Set(['alice']));
    expect(refusals(actions, facts([]))).toEqual([]);
  });

  it('Given a planned action whose principal user name is empty, When guarded, Then it is refused EMPTY_USER_NAME', () => {
    const [first, ...rest] = disablePlan(['alice']);
    if (!first?.principal) throw new Error('expected a planned action with a principal');
    const broken: PlannedAction = { ...first, principal: { ...first.principal, userName: '' }, params: { ...(first.params as object), userName: '' } };
    expect(findLockoutRefusals([broken, ...rest], facts(['alice'])).map((r) => [r.actionId, r.userName, r.code])).toEqual([[first.id, '', 'EMPTY_USER_NAME']]);
  });

  it('Given a mixed explicit plan, When guarded, Then each user gets its own refusal and the ordinary one none', () => {
    const actions = disablePlan(['ops.admin', 'sec', 'ci', 'alice']);
    expect(refusedCodes(actions, facts(['ops.admin', 'sec', 'alice']))).toEqual(['Ops.Admin:CALLER_CREDENTIALS', 'sec:PROTECTED_USER', 'ci:MACHINE_USER']);
  });
});
