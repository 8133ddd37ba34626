import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf } from '../../../src/plan/execute-plan.js';
import { readJournal } from '../../../src/plan/journal.js';
import type { PlanPreviewData } from '../../../src/plan/plan-preview.js';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { LOCK_FILE } from '../../../src/workspace/lock.js';
import { deleteAction, planOf, putAction } from './support/fake-account.js';
import { expectMatchedPairs, isIntent, isOutcome, recordsOf, rejectionOf, runPlan, statusesOf, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();

/** A small dependency graph across two services: a → b → d, c alone, e on sso-admin after a. */
function graph(): PlannedAction[] {
  return [
    putAction('a'),
    putAction('b', { dependsOn: ['a'] }),
    putAction('c', { risk: 'narrowing' }),
    putAction('d', { dependsOn: ['b', 'c'] }),
    putAction('e', { service: 'sso-admin', dependsOn: ['a'] }),
  ];
}

describe('executePlan with --dry-run', () => {
  it('Given a plan, When it is dry-run, Then no mutating call is made, nothing is written, and every action is planned', async () => {
    context.account.state.set('c', 'old');
    const io = new TestIoHost();
    const summary = await runPlan(context, planOf(graph()), { io, dryRun: true });

    expect(context.account.calls).toEqual([]);
    expect(await readJournal(context.workspace)).toEqual([]);
    expect(await context.workspace.readText(LOCK_FILE)).toBeNull();
    expect(summary.dryRun).toBe(true);
    expect(summary.runId).toBeNull();
    expect(Object.values(statusesOf(summary))).toEqual(['planned', 'planned', 'planned', 'planned', 'planned']);
    expect(exitCodeOf(summary)).toBe(0);
    expect(io.shown).toHaveLength(1);
  });

  it('Given a destructive plan and no answers at all, When it is dry-run, Then nothing is asked and it still succeeds', async () => {
    const io = new TestIoHost();
    const summary = await runPlan(context, planOf([deleteAction('x')]), { io, dryRun: true });
    expect(summary.counts.planned).toBe(1);
    expect(context.account.calls).toEqual([]);
  });

  it('Given a dry-run, When the same plan is applied, Then the calls made are exactly the actions listed, each after its dependencies', async () => {
    const plan = planOf(graph());
    const dryIo = new TestIoHost();
    const dry = await runPlan(context, plan, { io: dryIo, dryRun: true });
    const listed = (dryIo.shown[0] as PlanPreviewData).actions.map((a) => a.id);

    const applied = await runPlan(context, plan);

    expect(dry.actions.map((a) => a.id)).toEqual(listed);
    expect([...context.account.callKeys()].sort()).toEqual([...listed].sort());
    const order = context.account.callKeys();
    for (const action of plan.actions) {
      for (const dependency of action.dependsOn) expect(order.indexOf(dependency), `${dependency} before ${action.id}`).toBeLessThan(order.indexOf(action.id));
    }
    expect(applied.counts.done).toBe(listed.length);
    expect(exitCodeOf(applied)).toBe(0);
    const records = await recordsOf(context, applied.runId);
    expectMatchedPairs(records);
    expect(records.filter(isIntent).map((r) => r.actionId).sort()).toEqual([...listed].sort());
  });

  it('Given a plan with a kind no handler knows, When it is dry-run or applied, Then it fails before any call or write', async () => {
    const plan = planOf([putAction('a'), { ...putAction('b'), kind: 'fake.Unknown' }]);
    expect(await rejectionOf(runPlan(context, plan, { dryRun: true }))).toMatchObject({ code: 'PLAN_UNKNOWN_ACTION' });
    const error = await rejectionOf(runPlan(context, plan));
    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'PLAN_UNKNOWN_ACTION' });
    expect(context.account.calls).toEqual([]);
    expect(await readJournal(context.workspace)).toEqual([]);
  });
});

describe('executePlan on an account that already matches', () => {
  it('Given every action already done, When the plan is applied, Then each is skipped as already done and no mutating call is made', async () => {
    for (const action of graph()) context.account.state.set(action.id, `v-${action.id}`);
    const summary = await runPlan(context, planOf(graph()));

    expect(context.account.calls).toEqual([]);
    expect(Object.values(statusesOf(summary))).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(summary.actions.every((a) => a.reason === 'already done')).toBe(true);
    expect(exitCodeOf(summary)).toBe(0);
    const records = await recordsOf(context, summary.runId);
    expect(records.filter(isIntent)).toEqual([]);
    expect(records.filter(isOutcome).map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('Given a completed run, When the same plan is run again, Then the second run makes zero mutating calls', async () => {
    const plan = planOf([...graph(), deleteAction('gone')]);
    context.account.state.set('gone', 'x');
    const first = await runPlan(context, plan);
    expect(first.counts.done).toBe(6);
    const callsAfterFirst = context.account.calls.length;

    const second = await runPlan(context, plan);

    expect(context.account.calls).toHaveLength(callsAfterFirst);
    expect(second.counts).toMatchObject({ skipped: 6, done: 0, failed: 0 });
    expect((await readJournal(context.workspace)).filter((r) => r.runId === second.runId && isIntent(r))).toEqual([]);
  });

  it('Given an empty plan, When it is applied, Then nothing is asked, locked or journaled', async () => {
    const io = new TestIoHost();
    const summary = await runPlan(context, planOf([]), { io });
    expect(summary.actions).toEqual([]);
    expect(exitCodeOf(summary)).toBe(0);
    expect(await readJournal(context.workspace)).toEqual([]);
  });
});
