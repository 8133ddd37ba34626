import { describe, expect, it } from 'vitest';
import { SafetyRefusal } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf } from '../../../src/plan/execute-plan.js';
import { readJournal } from '../../../src/plan/journal.js';
import { readLock } from '../../../src/workspace/lock.js';
import { deleteAction, planOf, putAction } from './support/fake-account.js';
import { isIntent, rejectionOf, runPlan, usePlanTestContext } from './support/plan-harness.js';
import { ACCOUNT_ID } from '../support/builders.js';

const context = usePlanTestContext();

const additivePlan = () => planOf([putAction('a'), putAction('b', { risk: 'narrowing', dependsOn: ['a'] })]);
const destructivePlan = () => planOf([putAction('a'), deleteAction('old', { dependsOn: ['a'] })]);

/** Expects a refusal (exit 3) with this code, and no mutating call, intent or lock left behind. */
async function expectRefused(attempt: Promise<unknown>, code: string): Promise<void> {
  const error = await rejectionOf(attempt);
  expect(error).toBeInstanceOf(SafetyRefusal);
  expect(error).toMatchObject({ code, exitCode: ExitCode.SafetyRefusal });
  expect(context.account.calls).toEqual([]);
  expect((await readJournal(context.workspace)).filter(isIntent)).toEqual([]);
  expect(await readLock(context.workspace)).toBeNull();
}

describe('Confirming a plan when nobody can answer', () => {
  it('Given a yes/no plan and no scripted answer (no TTY), When it is applied, Then it is refused for want of input, promptly', async () => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, additivePlan(), { settings: {} }), 'NO_INTERACTIVE_INPUT');
  });

  it('Given a destructive plan and no scripted answer, When it is applied, Then it is refused for want of input', async () => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, destructivePlan(), { settings: {} }), 'NO_INTERACTIVE_INPUT');
  });

  it('Given a scripted answer for another question only, When the plan asks its own, Then it is refused', async () => {
    await expectRefused(runPlan(context, additivePlan(), { answers: [{ code: 'SOMETHING_ELSE', answer: true }] }), 'NO_INTERACTIVE_INPUT');
  });
});

describe('Confirming a yes/no plan', () => {
  it('Given the operator answers no, When the plan is applied, Then it is not confirmed and nothing changes', async () => {
    await expectRefused(runPlan(context, additivePlan(), { answers: [{ code: 'CONFIRM_PLAN', answer: false }] }), 'NOT_CONFIRMED');
  });

  it('Given the operator answers yes, When the plan is applied, Then every action is done', async () => {
    const summary = await runPlan(context, additivePlan(), { answers: [{ code: 'CONFIRM_PLAN', answer: true }] });
    expect(summary.counts.done).toBe(2);
    expect(context.account.callKeys()).toEqual(['a', 'b']);
  });

  it('Given --yes, When a plan without removals is applied, Then it applies without --confirm-account', async () => {
    const summary = await runPlan(context, additivePlan(), { settings: { yes: true } });
    expect(summary.counts.done).toBe(2);
    expect(exitCodeOf(summary)).toBe(0);
  });
});

describe('Confirming a destructive plan', () => {
  it.each([
    ['another account', '222222222222'],
    ['one digit off', '111111111112'],
    ['one digit missing', '11111111111'],
    ['spaces inside', '1111 1111 1111'],
    ['nothing', ''],
    ['yes', 'yes'],
  ])('Given %s typed, When the plan is applied, Then it is not confirmed and nothing changes', async (_label, typed) => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, destructivePlan(), { answers: [{ code: 'CONFIRM_DESTRUCTIVE_PLAN', answer: typed }] }), 'NOT_CONFIRMED');
    expect(context.account.state.get('old')).toBe('x');
  });

  it('Given a yes/no answer where the account ID must be typed, When the plan is applied, Then it is not taken as consent', async () => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, destructivePlan(), { answers: [{ code: 'CONFIRM_PLAN', answer: true }] }), 'NO_INTERACTIVE_INPUT');
  });

  it('Given the account ID typed with surrounding spaces, When the plan is applied, Then it is confirmed', async () => {
    context.account.state.set('old', 'x');
    const summary = await runPlan(context, destructivePlan(), { answers: [{ code: 'CONFIRM_DESTRUCTIVE_PLAN', answer: `  ${ACCOUNT_ID} ` }] });
    expect(summary.counts.done).toBe(2);
    expect(context.account.state.has('old')).toBe(false);
  });

  it('Given --yes alone, When a destructive plan is applied, Then it is refused', async () => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, destructivePlan(), { settings: { yes: true } }), 'CONFIRM_ACCOUNT_MISMATCH');
  });

  it('Given --yes with --confirm-account of another account, When a destructive plan is applied, Then it is refused', async () => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, destructivePlan(), { settings: { yes: true, confirmAccount: '111111111112' } }), 'CONFIRM_ACCOUNT_MISMATCH');
  });

  it('Given --yes --confirm-account with the right account, When a destructive plan is applied, Then it applies', async () => {
    context.account.state.set('old', 'x');
    const summary = await runPlan(context, destructivePlan(), { settings: { yes: true, confirmAccount: ACCOUNT_ID } });
    expect(summary.counts.done).toBe(2);
    expect(context.account.calls).toEqual([
      { op: 'put', key: 'a' },
      { op: 'delete', key: 'old' },
    ]);
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('Given an irreversible action alone, When it is applied with --yes only, Then the typed confirmation is still required', async () => {
    context.account.state.set('old', 'x');
    await expectRefused(runPlan(context, planOf([deleteAction('old', { risk: 'irreversible' })]), { settings: { yes: true } }), 'CONFIRM_ACCOUNT_MISMATCH');
  });

  it('Given a refusal, When the question was asked, Then it was asked once, with the account as the expected answer', async () => {
    const io = new TestIoHost({ answers: [{ code: 'CONFIRM_DESTRUCTIVE_PLAN', answer: 'nope' }] });
    const asked: string[] = [];
    const original = io.confirmTyped.bind(io);
    io.confirmTyped = (request) => {
      asked.push(request.expected);
      return original(request);
    };
    await expectRefused(runPlan(context, destructivePlan(), { io }), 'NOT_CONFIRMED');
    expect(asked).toEqual([ACCOUNT_ID]);
  });
});
