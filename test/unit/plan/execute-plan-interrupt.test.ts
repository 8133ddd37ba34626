import { describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf } from '../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { findOpenIntents, readJournal } from '../../../src/plan/journal.js';
import { readLock } from '../../../src/workspace/lock.js';
import { planOf, putAction } from './support/fake-account.js';
import { expectMatchedPairs, isIntent, isOutcome, recordsOf, resultOf, runPlan, statusesOf, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();
const ONE_AT_A_TIME = { iam: 1 };

const chainOfFour = () => planOf([putAction('a'), putAction('b'), putAction('c', { dependsOn: ['b'] }), putAction('d')]);

describe('A first Ctrl-C while a plan is applied', () => {
  it('Given the interrupt comes during a call, When the run ends, Then that call finishes and is journaled, and no new action starts', async () => {
    const interrupts = new InterruptController();
    context.account.behave('b', { during: () => void interrupts.interrupt() });
    const io = new TestIoHost({ settings: { yes: true } });

    const summary = await runPlan(context, chainOfFour(), { io, interrupts, concurrency: ONE_AT_A_TIME });

    expect(context.account.callKeys()).toEqual(['a', 'b']);
    expect(statusesOf(summary)).toEqual({ a: 'done', b: 'done', c: 'not-run', d: 'not-run' });
    expect(summary.interrupted).toBe(true);
    expect(exitCodeOf(summary)).toBe(130);
    expect(io.codes('warn')).toContain('INTERRUPT_REQUESTED');
    const records = await recordsOf(context, summary.runId);
    expectMatchedPairs(records);
    expect(records.filter(isIntent).map((r) => r.actionId)).toEqual(['a', 'b']);
    expect(records.filter(isOutcome).map((r) => [r.actionId, r.status])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
    ]);
    expect(records.at(-1)).toMatchObject({ type: 'run', event: 'interrupted' });
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given an interrupted run, When the same plan is run again, Then it completes the rest without repeating the done calls', async () => {
    const interrupts = new InterruptController();
    context.account.behave('b', { during: () => void interrupts.interrupt() });
    await runPlan(context, chainOfFour(), { interrupts, concurrency: ONE_AT_A_TIME });
    context.account.behave('b', {});
    const before = context.account.calls.length;

    const second = await runPlan(context, chainOfFour(), { concurrency: ONE_AT_A_TIME });

    expect(context.account.callKeys().slice(before).sort()).toEqual(['c', 'd']);
    expect(statusesOf(second)).toEqual({ a: 'skipped', b: 'skipped', c: 'done', d: 'done' });
    expect(second.interrupted).toBe(false);
    expect(exitCodeOf(second)).toBe(0);
    expectMatchedPairs(await recordsOf(context, second.runId));
  });

  it('Given the interrupt comes while another action is checking whether it is done, When that check answers, Then its mutating call is not sent', async () => {
    const interrupts = new InterruptController();
    let release!: () => void;
    const interrupted = new Promise<void>((resolve) => {
      release = resolve;
    });
    let checking!: () => void;
    const bIsChecking = new Promise<void>((resolve) => {
      checking = resolve;
    });
    context.account.behave('a', {
      during: async () => {
        await bIsChecking;
        interrupts.interrupt();
        release();
      },
    });
    context.account.behave('b', {
      isDoneGate: async () => {
        checking();
        await interrupted;
      },
    });

    const summary = await runPlan(context, planOf([putAction('a'), putAction('b')]), { interrupts, concurrency: { iam: 2 } });

    expect(context.account.callKeys()).toEqual(['a']);
    expect(statusesOf(summary)).toEqual({ a: 'done', b: 'not-run' });
    expect(exitCodeOf(summary)).toBe(130);
    expectMatchedPairs(await recordsOf(context, summary.runId));
  });
});

describe('A second Ctrl-C while a call hangs', () => {
  async function interruptTwiceDuring(key: string, hang: 'before-change' | 'after-change') {
    const interrupts = new InterruptController();
    context.account.behave(key, { hang });
    const run = runPlan(context, planOf([putAction('a'), putAction(key, { dependsOn: ['a'] }), putAction('z', { dependsOn: [key] })]), {
      interrupts,
      concurrency: ONE_AT_A_TIME,
    });
    await context.account.started(key);
    expect(interrupts.interrupt()).toBe('soft');
    expect(interrupts.interrupt()).toBe('hard');
    const summary = await run;
    context.account.behave(key, {});
    return summary;
  }

  it('Given a hanging call, When Ctrl-C is pressed twice, Then the call is aborted, recorded unknown, and the run exits 130', async () => {
    const summary = await interruptTwiceDuring('h', 'before-change');

    expect(statusesOf(summary)).toEqual({ a: 'done', h: 'unknown', z: 'not-run' });
    expect(summary.interrupted).toBe(true);
    expect(exitCodeOf(summary)).toBe(130);
    const records = await recordsOf(context, summary.runId);
    expectMatchedPairs(records);
    expect(records.filter(isOutcome).find((r) => r.actionId === 'h')).toMatchObject({ status: 'unknown' });
    expect(findOpenIntents(await readJournal(context.workspace)).map((r) => r.actionId)).toEqual(['h']);
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given an aborted call that never reached the account, When the plan is run again, Then the open intent is settled as not done and the call is made again', async () => {
    await interruptTwiceDuring('h', 'before-change');
    const before = context.account.calls.length;

    const second = await runPlan(context, planOf([putAction('a'), putAction('h', { dependsOn: ['a'] }), putAction('z', { dependsOn: ['h'] })]));

    const records = await recordsOf(context, second.runId);
    const settled = records.findIndex((r) => isOutcome(r) && r.status === 'settled' && r.actionId === 'h');
    expect(settled).toBeGreaterThanOrEqual(0);
    expect(settled).toBeLessThan(records.findIndex(isIntent));
    expect(context.account.callKeys().slice(before)).toEqual(['h', 'z']);
    expect(statusesOf(second)).toEqual({ a: 'skipped', h: 'done', z: 'done' });
    expect(exitCodeOf(second)).toBe(0);
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
  });

  it('Given an aborted call whose change did reach the account, When the plan is run again, Then it is settled as done and not repeated', async () => {
    await interruptTwiceDuring('h', 'after-change');
    const before = context.account.calls.length;

    const second = await runPlan(context, planOf([putAction('a'), putAction('h', { dependsOn: ['a'] }), putAction('z', { dependsOn: ['h'] })]));

    expect(context.account.callKeys().slice(before)).toEqual(['z']);
    expect(resultOf(second, 'h')).toMatchObject({ status: 'skipped', reason: 'already done' });
    expect((await recordsOf(context, second.runId)).find((r) => isOutcome(r) && r.actionId === 'h')).toMatchObject({ status: 'settled' });
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
  });
});

describe('The interrupt controller', () => {
  it('Given nothing is being applied, When Ctrl-C is pressed, Then it reports unarmed and stops nothing', () => {
    const interrupts = new InterruptController();
    expect(interrupts.interrupt()).toBe('unarmed');
    expect(interrupts.stopRequested).toBe(false);
    expect(interrupts.abortSignal.aborted).toBe(false);
  });

  it('Given an armed stretch, When Ctrl-C is pressed twice, Then the first asks to stop once and the second aborts', () => {
    const interrupts = new InterruptController();
    const disarm = interrupts.arm();
    let told = 0;
    const stopListening = interrupts.onStopRequested(() => (told += 1));
    expect(interrupts.interrupt()).toBe('soft');
    expect(interrupts.stopRequested).toBe(true);
    expect(interrupts.abortSignal.aborted).toBe(false);
    expect(interrupts.interrupt()).toBe('hard');
    expect(interrupts.abortSignal.aborted).toBe(true);
    expect(told).toBe(1);
    stopListening();
    disarm();
    disarm();
    expect(interrupts.interrupt()).toBe('unarmed');
  });
});
