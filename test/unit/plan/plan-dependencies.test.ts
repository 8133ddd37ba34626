import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { readJournal } from '../../../src/plan/journal.js';
import { findDependencyCycle } from '../../../src/plan/plan-types.js';
import { readLock } from '../../../src/workspace/lock.js';
import { planOf, putAction } from './support/fake-account.js';
import { rejectionOf, runPlan, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();

describe('Finding a dependency cycle', () => {
  it('Given acyclic plans, When checked, Then there is no cycle', () => {
    expect(findDependencyCycle([])).toBeNull();
    expect(findDependencyCycle([putAction('a'), putAction('b', { dependsOn: ['a'] }), putAction('c', { dependsOn: ['a', 'b'] })])).toBeNull();
    expect(findDependencyCycle([putAction('c', { dependsOn: ['b'] }), putAction('b', { dependsOn: ['a'] }), putAction('a')])).toBeNull();
  });

  it('Given a dependency outside the plan, When checked, Then it is not a cycle', () => {
    expect(findDependencyCycle([putAction('a', { dependsOn: ['elsewhere'] })])).toBeNull();
  });

  it('Given cycles, When checked, Then the cycle is returned, closed on its first id', () => {
    expect(findDependencyCycle([putAction('a', { dependsOn: ['a'] })])).toEqual(['a', 'a']);
    expect(findDependencyCycle([putAction('x'), putAction('a', { dependsOn: ['x', 'b'] }), putAction('b', { dependsOn: ['c'] }), putAction('c', { dependsOn: ['a'] })])).toEqual(['a', 'b', 'c', 'a']);
  });

  it('Given a chain of ten thousand actions, When checked, Then it answers without overflowing the stack', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => putAction(`s${i}`, { dependsOn: i === 0 ? [] : [`s${i - 1}`] }));
    expect(findDependencyCycle(chain)).toBeNull();
  });
});

describe('Executing a plan with a dependency cycle', () => {
  it.each([true, false])('Given a cycle (dry-run %s), When the plan is executed, Then it fails before anything is locked, asked, called or written', async (dryRun) => {
    const plan = planOf([putAction('free'), putAction('a', { dependsOn: ['b'] }), putAction('b', { dependsOn: ['a'] })]);

    const error = await rejectionOf(runPlan(context, plan, { dryRun }));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'PLAN_DEPENDENCY_CYCLE' });
    expect(context.account.calls).toEqual([]);
    expect(await readLock(context.workspace)).toBeNull();
    expect(await readJournal(context.workspace)).toEqual([]);
  });
});
