import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SafetyRefusal } from '../../../src/errors.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { JOURNAL_FILE } from '../../../src/plan/journal.js';
import { readLock } from '../../../src/workspace/lock.js';
import { planOf, putAction } from './support/fake-account.js';
import { rejectionOf, runPlan, statusesOf, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();

describe('One run at a time per workspace', () => {
  it('Given a run in progress, When a second run starts on the same workspace, Then it is refused with no call, and the first completes', async () => {
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    context.account.behave('slow', { during: () => held });
    const first = runPlan(context, planOf([putAction('slow')]));
    await context.account.started('slow');
    expect(await readLock(context.workspace)).toMatchObject({ command: 'fake-command' });

    const error = await rejectionOf(runPlan(context, planOf([putAction('other')])));

    expect(error).toBeInstanceOf(SafetyRefusal);
    expect(error).toMatchObject({ code: 'WORKSPACE_LOCKED', exitCode: 3 });
    expect(context.account.callKeys()).toEqual(['slow']);
    expect(context.account.reads.map((r) => r.key)).not.toContain('other');
    finish();
    expect(statusesOf(await first)).toEqual({ slow: 'done' });
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given a run in progress, When a dry-run is made on the same workspace, Then it is shown without waiting for the lock', async () => {
    let finish!: () => void;
    context.account.behave('slow', {
      during: () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    });
    const first = runPlan(context, planOf([putAction('slow')]));
    await context.account.started('slow');
    const dry = await runPlan(context, planOf([putAction('other')]), { dryRun: true });
    expect(statusesOf(dry)).toEqual({ other: 'planned' });
    finish();
    await first;
  });

  it('Given a successful run, When it ends, Then the lock is released and the next run can start', async () => {
    await runPlan(context, planOf([putAction('a')]));
    expect(await readLock(context.workspace)).toBeNull();
    expect(statusesOf(await runPlan(context, planOf([putAction('b')])))).toEqual({ b: 'done' });
  });

  it('Given a run whose actions fail, When it ends, Then the lock is released', async () => {
    context.account.behave('a', { failWith: 'AccessDenied' });
    await runPlan(context, planOf([putAction('a')]));
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given a run that is refused at the confirmation, When it ends, Then the lock is released', async () => {
    await rejectionOf(runPlan(context, planOf([putAction('a')]), { settings: {} }));
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given a run that is interrupted, When it ends, Then the lock is released', async () => {
    const interrupts = new InterruptController();
    context.account.behave('a', { during: () => void interrupts.interrupt() });
    const summary = await runPlan(context, planOf([putAction('a'), putAction('b', { dependsOn: ['a'] })]), { interrupts });
    expect(summary.interrupted).toBe(true);
    expect(await readLock(context.workspace)).toBeNull();
  });

  it('Given the journal cannot be opened, When the run fails, Then no call is made and the lock is still released', async () => {
    await mkdir(context.workspace.resolve(JOURNAL_FILE));
    const error = await rejectionOf(runPlan(context, planOf([putAction('a')])));
    expect(error).toBeInstanceOf(Error);
    expect(context.account.calls).toEqual([]);
    expect(await readLock(context.workspace)).toBeNull();
  });
});
