import { describe, expect, it } from 'vitest';
import { SafetyRefusal } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { enforceLockoutGuard, findLockoutRefusals, type PrincipalFacts } from '../../../src/plan/lockout-guard.js';
import type { PlannedAction, Risk } from '../../../src/plan/plan-types.js';
import { deleteAction } from './support/fake-account.js';

type UserFacts = PrincipalFacts['users'] extends ReadonlyMap<string, infer U> ? U : never;

const CALLER_ID = 'AIDAEXAMPLE0000000001';
const id = (n: number) => `AIDAEXAMPLE${String(n).padStart(10, '0')}`;

function user(n: number, overrides: Partial<UserFacts> = {}): UserFacts {
  return { userId: id(n), tags: [], kind: 'human', isAdmin: false, ...overrides };
}

function facts(overrides: Partial<PrincipalFacts> = {}): PrincipalFacts {
  return {
    callerUserId: CALLER_ID,
    protectedNames: new Set(['break-glass']),
    protectedTags: [{ key: 'iam2idc:protect', value: 'true' }],
    users: new Map([
      ['ops', user(1, { isAdmin: true })],
      ['alice', user(2)],
      ['bob', user(3, { isAdmin: true })],
      ['break-glass', user(4, { isAdmin: true })],
      ['tagged', user(5, { tags: [{ key: 'IAM2IDC:Protect', value: 'TRUE' }] })],
      ['ci-deployer', user(6, { kind: 'machine' })],
    ]),
    explicitlyNamed: new Set(),
    identityCenterAdminVerified: false,
    ...overrides,
  };
}

/** An action that removes something from `userName` (its UserId as planned, when given). */
function touching(userName: string, options: { risk?: Risk; userId?: string | null; id?: string } = {}): PlannedAction {
  return deleteAction(options.id ?? `remove/${userName}`, { risk: options.risk ?? 'destructive', principal: { userName, userId: options.userId === undefined ? null : options.userId } });
}

const codes = (actions: PlannedAction[], f: PrincipalFacts = facts()) => findLockoutRefusals(actions, f).map((r) => [r.actionId, r.code]);

describe('The lockout guard', () => {
  it('Given an ordinary human user, When a plan removes things from it, Then nothing is refused', () => {
    expect(codes([touching('alice'), touching('alice', { id: 'narrow/alice', risk: 'narrowing' })])).toEqual([]);
    expect(() => enforceLockoutGuard([touching('alice')], facts())).not.toThrow();
  });

  it('Given the caller under another name, When the plan touches it, Then it is refused by UserId', () => {
    const renamed = facts({ users: new Map([...facts().users, ['ops-renamed', user(1)]]) });
    expect(codes([touching('ops-renamed')], renamed)).toEqual([['remove/ops-renamed', 'CALLER_CREDENTIALS']]);
  });

  it('Given the plan pinned the caller UserId under a name now held by another user, When checked, Then it is refused', () => {
    expect(codes([touching('alice', { userId: CALLER_ID })])).toEqual([['remove/alice', 'CALLER_CREDENTIALS']]);
  });

  it('Given a protected user by name, When the plan touches it, Then it is refused whatever the case of the name', () => {
    expect(codes([touching('break-glass')])).toEqual([['remove/break-glass', 'PROTECTED_USER']]);
    const typedInCaps = facts({ protectedNames: new Set(['Break-Glass']) });
    expect(codes([touching('break-glass')], typedInCaps)).toEqual([['remove/break-glass', 'PROTECTED_USER']]);
  });

  it('Given a user with a protect tag in another case, When the plan touches it, Then it is refused', () => {
    expect(codes([touching('tagged')])).toEqual([['remove/tagged', 'PROTECTED_USER']]);
  });

  it('Given a tag with the protect key but another value, When the plan touches it, Then it is not protected', () => {
    const f = facts({ users: new Map([...facts().users, ['tagged', user(5, { tags: [{ key: 'iam2idc:protect', value: 'false' }] })]]) });
    expect(codes([touching('tagged')], f)).toEqual([]);
  });

  it('Given a machine user, When the plan touches it, Then it is refused unless named explicitly', () => {
    expect(codes([touching('ci-deployer')])).toEqual([['remove/ci-deployer', 'MACHINE_USER']]);
    expect(codes([touching('ci-deployer')], facts({ explicitlyNamed: new Set(['ci-deployer']) }))).toEqual([]);
  });

  it.each(['skip', 'unknown'] as const)('Given a user whose kind is %s, When the plan touches it, Then it is refused unless named explicitly', (kind) => {
    const f = (named: string[]) => facts({ users: new Map([...facts().users, ['legacy', user(7, { kind })]]), explicitlyNamed: new Set(named) });
    expect(codes([touching('legacy')], f([]))).toEqual([['remove/legacy', 'NOT_A_HUMAN_USER']]);
    expect(codes([touching('legacy')], f(['legacy']))).toEqual([]);
  });

  it('Given a protected machine user named explicitly, When the plan touches it, Then protection still wins', () => {
    const f = facts({ users: new Map([...facts().users, ['ci-deployer', user(6, { kind: 'machine', tags: [{ key: 'iam2idc:protect', value: 'true' }] })]]), explicitlyNamed: new Set(['ci-deployer']) });
    expect(codes([touching('ci-deployer')], f)).toEqual([['remove/ci-deployer', 'PROTECTED_USER']]);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['with a space', 'al ice'],
    ['with a slash (a path)', 'team/alice'],
    ['too long', 'a'.repeat(65)],
  ])('Given a user name that is %s, When checked, Then it is refused before any call', (_label, name) => {
    expect(codes([touching(name)])).toEqual([[`remove/${name}`, 'EMPTY_USER_NAME']]);
  });

  it('Given a user the audit does not know, When the plan touches it, Then it is refused', () => {
    expect(codes([touching('stranger')])).toEqual([['remove/stranger', 'UNKNOWN_USER']]);
  });

  it('Given a plan touching every administrator, When no Identity Center admin is verified, Then each is refused as the last admin', () => {
    const users = new Map([['alice', user(2)], ['bob', user(3, { isAdmin: true })], ['carol', user(7, { isAdmin: true })]]);
    const plan = [touching('alice'), touching('bob'), touching('carol'), touching('carol', { id: 'narrow/carol', risk: 'narrowing' })];
    expect(codes(plan, facts({ users }))).toEqual([
      ['remove/bob', 'LAST_ADMIN'],
      ['remove/carol', 'LAST_ADMIN'],
      ['narrow/carol', 'LAST_ADMIN'],
    ]);
  });

  it('Given the same plan, When an Identity Center admin assignment is verified, Then the admins may be touched', () => {
    const users = new Map([['bob', user(3, { isAdmin: true })], ['carol', user(7, { isAdmin: true })]]);
    expect(codes([touching('bob'), touching('carol')], facts({ users, identityCenterAdminVerified: true }))).toEqual([]);
  });

  it('Given another administrator stays untouched, When the plan touches one admin, Then it is not the last admin', () => {
    expect(codes([touching('bob')])).toEqual([]);
  });

  it('Given the only other admin is protected, When the plan touches the last unprotected admin, Then only the protected one is refused', () => {
    const users = new Map([['bob', user(3, { isAdmin: true })], ['break-glass', user(4, { isAdmin: true })]]);
    expect(codes([touching('bob'), touching('break-glass')], facts({ users }))).toEqual([['remove/break-glass', 'PROTECTED_USER']]);
  });

  it.each<Risk>(['broadening', 'read'])('Given %s actions, When they concern the caller or a protected user, Then the guard ignores them', (risk) => {
    expect(codes([touching('ops', { risk }), touching('break-glass', { risk, id: 'b' }), touching('', { risk, id: 'c' })])).toEqual([]);
  });

  it('Given actions without a principal, When checked, Then they are not the guard’s concern', () => {
    expect(codes([deleteAction('thing')])).toEqual([]);
  });

  it('Given any refusal, When the guard is enforced, Then it throws one safety refusal (exit 3), whatever flags were given', () => {
    let thrown: unknown;
    try {
      enforceLockoutGuard([touching('alice'), touching('ops'), touching('break-glass')], facts());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SafetyRefusal);
    expect(thrown).toMatchObject({ code: 'LOCKOUT_GUARD', exitCode: ExitCode.SafetyRefusal });
  });
});
