import { describe, expect, it } from 'vitest';
import { DEFAULT_CONCURRENCY } from '../../../src/plan/apply-actions.js';
import { exitCodeOf } from '../../../src/plan/execute-plan.js';
import { findOpenIntents, readJournal } from '../../../src/plan/journal.js';
import { planOf, putAction } from './support/fake-account.js';
import { expectMatchedPairs, isOutcome, recordsOf, resultOf, runPlan, statusesOf, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();

describe('One action failing', () => {
  it('Given AccessDenied on one step, When the plan runs, Then its dependents are skipped naming it, the others are done, and the exit is 1', async () => {
    context.account.behave('b', { failWith: 'AccessDenied' });
    const plan = planOf([putAction('a'), putAction('b'), putAction('c', { dependsOn: ['b'] }), putAction('d', { dependsOn: ['a'] }), putAction('e')]);

    const summary = await runPlan(context, plan);

    expect(statusesOf(summary)).toEqual({ a: 'done', b: 'failed', c: 'skipped', d: 'done', e: 'done' });
    expect(resultOf(summary, 'b').reason).toContain('AccessDenied');
    expect(resultOf(summary, 'c').reason).toContain('b');
    expect(context.account.callKeys()).not.toContain('c');
    expect(exitCodeOf(summary)).toBe(1);
    const records = await recordsOf(context, summary.runId);
    expectMatchedPairs(records);
    expect(records.filter(isOutcome).find((r) => r.actionId === 'b')).toMatchObject({ status: 'failed', error: { name: 'AccessDenied' }, requestId: 'req-AccessDenied' });
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
  });

  it('Given a failure at the head of a chain, When the plan runs, Then nothing further down the chain is called', async () => {
    context.account.behave('a', { failWith: 'AccessDenied' });
    const plan = planOf([putAction('a'), putAction('b', { dependsOn: ['a'] }), putAction('c', { dependsOn: ['b'] }), putAction('d', { dependsOn: ['c'] })]);

    const summary = await runPlan(context, plan);

    expect(context.account.callKeys()).toEqual(['a']);
    expect(statusesOf(summary)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', d: 'skipped' });
    expect(resultOf(summary, 'c').reason).toContain('b');
    expect(exitCodeOf(summary)).toBe(1);
  });

  it('Given an action that depends on one done and one failed, When the plan runs, Then it is skipped naming the failed one', async () => {
    context.account.behave('bad', { failWith: 'AccessDenied' });
    const summary = await runPlan(context, planOf([putAction('good'), putAction('bad'), putAction('both', { dependsOn: ['good', 'bad'] })]));
    expect(resultOf(summary, 'both')).toMatchObject({ status: 'skipped' });
    expect(resultOf(summary, 'both').reason).toContain('bad');
    expect(context.account.callKeys()).not.toContain('both');
  });

  it('Given the already-done check itself fails, When the plan runs, Then the action fails without a mutating call and its dependents are skipped', async () => {
    context.account.behave('a', {
      isDoneGate: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      },
    });
    const summary = await runPlan(context, planOf([putAction('a'), putAction('b', { dependsOn: ['a'] }), putAction('c')]));
    expect(statusesOf(summary)).toEqual({ a: 'failed', b: 'skipped', c: 'done' });
    expect(context.account.callKeys()).toEqual(['c']);
    expect(exitCodeOf(summary)).toBe(1);
  });

  it('Given a failed run, When the cause is fixed and the plan re-run, Then only the failed action and its dependents are called', async () => {
    context.account.behave('b', { failWith: 'AccessDenied' });
    const plan = planOf([putAction('a'), putAction('b'), putAction('c', { dependsOn: ['b'] })]);
    await runPlan(context, plan);
    context.account.behave('b', {});
    const before = context.account.calls.length;

    const second = await runPlan(context, plan);

    expect(context.account.callKeys().slice(before)).toEqual(['b', 'c']);
    expect(exitCodeOf(second)).toBe(0);
  });
});

describe('Throttling and concurrency', () => {
  it('Given one action that keeps being throttled, When the plan runs, Then it fails alone and every other action is done', async () => {
    context.account.behave('t', { failWith: 'Throttling' });
    const others = Array.from({ length: 8 }, (_, i) => putAction(`ok-${i}`));
    const summary = await runPlan(context, planOf([putAction('t'), ...others, putAction('after-t', { dependsOn: ['t'] })]));

    expect(resultOf(summary, 't').status).toBe('failed');
    expect(resultOf(summary, 't').reason).toContain('Throttling');
    expect(resultOf(summary, 'after-t').status).toBe('skipped');
    expect(summary.counts.done).toBe(8);
    expect(exitCodeOf(summary)).toBe(1);
  });

  it('Given a call throttled once, When the plan runs, Then the executor does not retry it itself (the SDK does) and a re-run completes it', async () => {
    context.account.behave('t', { failWith: 'Throttling', failTimes: 1 });
    const first = await runPlan(context, planOf([putAction('t')]));
    expect(context.account.callKeys()).toEqual(['t']);
    expect(exitCodeOf(first)).toBe(1);

    const second = await runPlan(context, planOf([putAction('t')]));
    expect(context.account.callKeys()).toEqual(['t', 't']);
    expect(statusesOf(second)).toEqual({ t: 'done' });
  });

  it('Given many slow calls on two services, When the plan runs, Then in-flight calls per service never pass the default limit, and reach it', async () => {
    const iam = Array.from({ length: 12 }, (_, i) => putAction(`iam-${i}`));
    const sso = Array.from({ length: 12 }, (_, i) => putAction(`sso-${i}`, { service: 'sso-admin' }));
    for (const action of [...iam, ...sso]) context.account.behave(action.id, { delayMs: 15 });

    const summary = await runPlan(context, planOf([...iam, ...sso]));

    expect(summary.counts.done).toBe(24);
    expect(context.account.maxInFlight.get('iam')).toBe(DEFAULT_CONCURRENCY.iam);
    expect(context.account.maxInFlight.get('sso-admin')).toBe(DEFAULT_CONCURRENCY['sso-admin']);
    expect(DEFAULT_CONCURRENCY.iam).toBe(4);
  });

  it('Given a concurrency option, When the plan runs, Then it bounds that service', async () => {
    const actions = Array.from({ length: 6 }, (_, i) => putAction(`iam-${i}`));
    for (const action of actions) context.account.behave(action.id, { delayMs: 10 });
    await runPlan(context, planOf(actions), { concurrency: { iam: 2 } });
    expect(context.account.maxInFlight.get('iam')).toBe(2);
  });

  it('Given a throttling storm on slow calls, When the plan runs, Then failures do not lift the bound and the rest is done', async () => {
    const actions = Array.from({ length: 16 }, (_, i) => putAction(`iam-${i}`));
    actions.forEach((action, i) => context.account.behave(action.id, { delayMs: 5, ...(i % 3 === 0 ? { failWith: 'Throttling' } : {}) }));

    const summary = await runPlan(context, planOf(actions));

    expect(context.account.maxInFlight.get('iam')).toBeLessThanOrEqual(4);
    expect(summary.counts).toMatchObject({ failed: 6, done: 10 });
  });
});
