import { describe, expect, it } from 'vitest';
import { Fault, SafetyRefusal } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf, type ExecutionSummary } from '../../../src/plan/execute-plan.js';
import { readJournal } from '../../../src/plan/journal.js';
import type { PrincipalFacts } from '../../../src/plan/lockout-guard.js';
import type { PlanPreviewData } from '../../../src/plan/plan-preview.js';
import type { Plan, PlannedAction, Risk } from '../../../src/plan/plan-types.js';
import { readLock } from '../../../src/workspace/lock.js';
import { planOf, putAction } from '../plan/support/fake-account.js';
import { rejectionOf, runPlan, statusesOf, usePlanTestContext, YES_FOR_ACCOUNT, type RunOptions } from '../plan/support/plan-harness.js';
import { ACCOUNT_ID } from '../support/builders.js';

const context = usePlanTestContext();

const ALICE = { userName: 'alice', userId: 'AIDAALICE000000000001' };
const BOB = { userName: 'bob', userId: 'AIDABOB00000000000001' };
const CALLER = { userName: 'ops', userId: 'AIDAOPS00000000000001' };

/** Facts that let every human through: no protection, nobody an administrator, the caller is ops. */
function permissiveGuard(): PrincipalFacts {
  const human = (userId: string) => ({ userId, tags: [], kind: 'human' as const, isAdmin: false });
  return {
    callerUserId: CALLER.userId,
    protectedNames: new Set(),
    protectedTags: [],
    users: new Map([
      [ALICE.userName, human(ALICE.userId)],
      [BOB.userName, human(BOB.userId)],
      [CALLER.userName, human(CALLER.userId)],
    ]),
    explicitlyNamed: new Set(),
    identityCenterAdminVerified: true,
  };
}

/** A fake action on an IAM user: params name `userName` (default: the principal's), as retire actions do. */
function userAction(id: string, options: { risk?: Risk; principal?: PlannedAction['principal'] | null; userName?: string; dependsOn?: string[]; service?: string } = {}): PlannedAction {
  const principal = options.principal === null ? undefined : (options.principal ?? ALICE);
  const action = putAction(id, { risk: options.risk ?? 'narrowing', principal, dependsOn: options.dependsOn, service: options.service });
  const userName = options.userName ?? principal?.userName;
  return userName === undefined ? action : { ...action, params: { ...action.params, userName } };
}

/** A permission-set style action: narrowing, but on no IAM principal. */
const permissionSetAction = (id: string) => putAction(id, { risk: 'narrowing', service: 'sso-admin' });

const run = (plan: Plan, options: RunOptions = {}): Promise<ExecutionSummary> => runPlan(context, plan, options);

async function expectNothingHappened(): Promise<void> {
  expect(context.account.calls).toEqual([]);
  expect(await readJournal(context.workspace)).toEqual([]);
  expect(await readLock(context.workspace)).toBeNull();
}

describe('executePlan requires the lockout guard for plans that take access away from a principal', () => {
  it.each([
    ['narrowing', false],
    ['narrowing', true],
    ['destructive', false],
    ['irreversible', true],
  ] as const)('Given a %s action with a principal and no guard (dry-run %s), When the plan runs, Then it throws PLAN_NEEDS_LOCKOUT_GUARD before any call, lock or journal', async (risk, dryRun) => {
    const io = new TestIoHost({ settings: YES_FOR_ACCOUNT });
    const error = await rejectionOf(run(planOf([putAction('other'), userAction('alice-deny', { risk })]), { dryRun, io }));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'PLAN_NEEDS_LOCKOUT_GUARD' });
    expect(io.shown).toEqual([]);
    await expectNothingHappened();
  });

  it('Given only broadening actions with a principal (as enable plans) and no guard, When the plan runs, Then it applies', async () => {
    const summary = await run(planOf([userAction('alice-key', { risk: 'broadening' })]));
    expect(statusesOf(summary)).toEqual({ 'alice-key': 'done' });
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('Given a narrowing action without a principal and no guard, When the plan runs, Then it applies', async () => {
    const summary = await run(planOf([permissionSetAction('ps-detach')]));
    expect(statusesOf(summary)).toEqual({ 'ps-detach': 'done' });
  });

  it('Given the guard, When a narrowing action on the caller is planned alongside one on alice, Then only the caller\'s is refused and the run exits 3', async () => {
    const summary = await run(planOf([userAction('ops-deny', { principal: CALLER }), userAction('alice-deny')]), { guard: permissiveGuard() });

    expect(statusesOf(summary)).toEqual({ 'ops-deny': 'refused', 'alice-deny': 'done' });
    expect(context.account.callKeys()).toEqual(['alice-deny']);
    expect(exitCodeOf(summary)).toBe(ExitCode.SafetyRefusal);
  });
});

describe('executePlan judges the principal the parameters name, not the one an action states', () => {
  it.each([
    ['another principal', BOB],
    ['no principal', undefined],
  ] as const)('Given an action on alice that states %s, When it runs with a permissive guard, Then the whole plan is refused before any call', async (_what, stated) => {
    const forged = { ...userAction('forged'), principal: stated };
    const plan = planOf([forged, userAction('honest', { principal: BOB })]);

    expect(await rejectionOf(run(plan, { guard: permissiveGuard() }))).toMatchObject({ code: 'PLAN_EDITED' });
    expect(context.account.calls).toEqual([]);
  });

  it('Given an action stating the principal its parameters name, When it runs with the guard, Then it applies', async () => {
    const summary = await run(planOf([userAction('alice-deny')]), { guard: permissiveGuard() });
    expect(statusesOf(summary)).toEqual({ 'alice-deny': 'done' });
  });

  it('Given the guard refusing one action on the caller, When the plan also reads the caller (a backup), Then that read is refused too', async () => {
    const plan = planOf([userAction('ops-backup', { principal: CALLER, risk: 'read' }), userAction('ops-deny', { principal: CALLER, dependsOn: [] }), userAction('alice-deny')]);
    const summary = await run(plan, { guard: permissiveGuard() });
    expect(statusesOf(summary)).toEqual({ 'ops-backup': 'refused', 'ops-deny': 'refused', 'alice-deny': 'done' });
  });
});

describe('Guard refusals in the dry-run preview', () => {
  it('Given a plan with an action on the caller and a forged one, When it is dry-run, Then the preview marks exactly those refused, and nothing is called or written', async () => {
    const io = new TestIoHost();
    const plan = planOf([userAction('ops-deny', { principal: CALLER }), userAction('ops-key', { principal: CALLER }), userAction('alice-deny'), permissionSetAction('ps-detach')]);

    const summary = await run(plan, { dryRun: true, io, guard: permissiveGuard() });

    expect(io.shown).toHaveLength(1);
    const preview = io.shown[0] as PlanPreviewData;
    expect(Object.fromEntries(preview.actions.map((a) => [a.id, a.refused !== null]))).toEqual({ 'ops-deny': true, 'ops-key': true, 'alice-deny': false, 'ps-detach': false });
    expect(preview.actions.find((a) => a.id === 'ops-deny')?.refused).toContain('CALLER_CREDENTIALS');
    expect(summary.dryRun).toBe(true);
    await expectNothingHappened();
  });

  it('Given the same plan applied, When it runs, Then the preview shown before the question carries the same refusals', async () => {
    const io = new TestIoHost({ settings: YES_FOR_ACCOUNT });
    const plan = planOf([userAction('ops-deny', { principal: CALLER }), userAction('alice-deny')]);

    await run(plan, { io, guard: permissiveGuard() });

    const preview = io.shown[0] as PlanPreviewData;
    expect(preview.actions.map((a) => [a.id, a.refused !== null])).toEqual([
      ['ops-deny', true],
      ['alice-deny', false],
    ]);
  });
});

describe('Confirming a plan that switches a principal off', () => {
  it('Given a narrowing action with a principal and --yes without --confirm-account, When it runs, Then it is refused with CONFIRM_ACCOUNT_MISMATCH and nothing changes', async () => {
    const error = await rejectionOf(run(planOf([userAction('alice-deny')]), { guard: permissiveGuard(), settings: { yes: true } }));

    expect(error).toBeInstanceOf(SafetyRefusal);
    expect(error).toMatchObject({ code: 'CONFIRM_ACCOUNT_MISMATCH', exitCode: ExitCode.SafetyRefusal });
    expect(context.account.calls).toEqual([]);
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given a narrowing action with a principal and a yes/no answer, When it runs, Then the yes is not taken as consent', async () => {
    const error = await rejectionOf(run(planOf([userAction('alice-deny')]), { guard: permissiveGuard(), answers: [{ code: 'CONFIRM_PLAN', answer: true }] }));
    expect(error).toMatchObject({ code: 'NO_INTERACTIVE_INPUT' });
    expect(context.account.calls).toEqual([]);
  });

  it('Given a narrowing action with a principal and the account ID typed, When it runs, Then it applies', async () => {
    const summary = await run(planOf([userAction('alice-deny')]), { guard: permissiveGuard(), answers: [{ code: 'CONFIRM_DESTRUCTIVE_PLAN', answer: ACCOUNT_ID }] });
    expect(statusesOf(summary)).toEqual({ 'alice-deny': 'done' });
  });

  it('Given a narrowing action with a principal and --yes --confirm-account, When it runs, Then it applies', async () => {
    const summary = await run(planOf([userAction('alice-deny')]), { guard: permissiveGuard(), settings: YES_FOR_ACCOUNT });
    expect(statusesOf(summary)).toEqual({ 'alice-deny': 'done' });
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('Given a narrowing action without a principal (a permission set), When it runs with --yes alone, Then it applies on yes/no', async () => {
    const summary = await run(planOf([permissionSetAction('ps-detach')]), { settings: { yes: true } });
    expect(statusesOf(summary)).toEqual({ 'ps-detach': 'done' });
  });

  it('Given a narrowing action without a principal, When it is answered yes/no, Then the yes is enough', async () => {
    const summary = await run(planOf([permissionSetAction('ps-detach')]), { answers: [{ code: 'CONFIRM_PLAN', answer: true }] });
    expect(statusesOf(summary)).toEqual({ 'ps-detach': 'done' });
  });

  it('Given a broadening action with a principal (enable), When it runs with --yes alone, Then it applies on yes/no', async () => {
    const summary = await run(planOf([userAction('alice-key', { risk: 'broadening' })]), { settings: { yes: true } });
    expect(statusesOf(summary)).toEqual({ 'alice-key': 'done' });
  });

  it('Given the only principal action is refused by the guard, When the rest (no principal) runs with --yes alone, Then yes/no is enough for what is left', async () => {
    const summary = await run(planOf([userAction('ops-deny', { principal: CALLER }), permissionSetAction('ps-detach')]), { guard: permissiveGuard(), settings: { yes: true } });

    expect(statusesOf(summary)).toEqual({ 'ops-deny': 'refused', 'ps-detach': 'done' });
    expect(exitCodeOf(summary)).toBe(3);
  });
});
