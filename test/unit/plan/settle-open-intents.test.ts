import { describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf } from '../../../src/plan/execute-plan.js';
import { findOpenIntents, Journal, readJournal } from '../../../src/plan/journal.js';
import { DELETE, deleteAction, planOf, PUT, putAction } from './support/fake-account.js';
import { isIntent, isOutcome, NOW, recordsOf, runPlan, statusesOf, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();
const CRASHED_RUN = '20240601T110000.000Z-deadbeef';

/** What a run killed between intent and outcome leaves: an intent on disk, and nothing after it. */
async function crashDuring(actions: { actionId: string; kind: string; params?: unknown }[]): Promise<void> {
  const journal = await Journal.open(context.workspace, CRASHED_RUN, () => NOW);
  await journal.append({ type: 'run', command: 'fake-command', event: 'start' });
  for (const { actionId, kind, params } of actions) {
    await journal.append({ type: 'intent', actionId, kind, target: `thing ${actionId}`, ...(params === undefined ? {} : { params }) });
  }
  await journal.close();
}

describe('Settling the intents a crashed run left open', () => {
  it('Given a crash before the call took effect, When the plan is run again, Then the intent is settled first and the action applied once', async () => {
    await crashDuring([{ actionId: 'b', kind: PUT, params: putAction('b').params }]);
    const io = new TestIoHost({ settings: { yes: true } });

    const summary = await runPlan(context, planOf([putAction('a'), putAction('b', { dependsOn: ['a'] })]), { io });

    const records = await recordsOf(context, summary.runId);
    expect(records[0]).toMatchObject({ type: 'outcome', actionId: 'b', status: 'settled', runId: summary.runId });
    expect(records.findIndex((r) => r.type === 'run' && r.event === 'start')).toBeGreaterThan(0);
    expect(context.account.callKeys()).toEqual(['a', 'b']);
    expect(statusesOf(summary)).toEqual({ a: 'done', b: 'done' });
    expect(io.codes('info')).toContain('JOURNAL_SETTLED');
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('Given a crash after the call took effect, When the plan is run again, Then the intent is settled as done and the call not repeated', async () => {
    context.account.state.set('gone', 'x');
    await crashDuring([{ actionId: 'gone', kind: DELETE, params: deleteAction('gone').params }]);
    context.account.state.delete('gone');

    const summary = await runPlan(context, planOf([deleteAction('gone')]));

    expect(context.account.calls).toEqual([]);
    expect(statusesOf(summary)).toEqual({ gone: 'skipped' });
    const outcomes = (await recordsOf(context, summary.runId)).filter(isOutcome);
    expect(outcomes.map((r) => [r.actionId, r.status])).toEqual([
      ['gone', 'settled'],
      ['gone', 'skipped'],
    ]);
  });

  it('Given several open intents, When the next run starts, Then each is settled by re-reading, before any new intent', async () => {
    context.account.state.set('x', 'v-x');
    await crashDuring([
      { actionId: 'x', kind: PUT, params: putAction('x').params },
      { actionId: 'y', kind: PUT, params: putAction('y').params },
    ]);

    const summary = await runPlan(context, planOf([putAction('x'), putAction('y'), putAction('z')]));

    const records = await recordsOf(context, summary.runId);
    const settled = records.filter((r) => isOutcome(r) && r.status === 'settled').map((r) => (isOutcome(r) ? r.actionId : ''));
    expect(settled).toEqual(['x', 'y']);
    const lastSettled = records.findLastIndex((r) => isOutcome(r) && r.status === 'settled');
    expect(lastSettled).toBeLessThan(records.findIndex(isIntent));
    expect(context.account.callKeys().sort()).toEqual(['y', 'z']);
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
  });

  it('Given an open intent of a kind this command does not know, When the plan runs, Then it warns, leaves it open, and goes on', async () => {
    await crashDuring([{ actionId: 'other', kind: 'other.Kind', params: { key: 'other' } }]);
    const io = new TestIoHost({ settings: { yes: true } });

    const summary = await runPlan(context, planOf([putAction('a')]), { io });

    expect(io.codes('warn')).toContain('JOURNAL_OPEN_INTENT');
    expect(statusesOf(summary)).toEqual({ a: 'done' });
    expect(findOpenIntents(await readJournal(context.workspace)).map((r) => r.actionId)).toEqual(['other']);
  });

  it('Given an open intent without params, When the plan runs, Then it cannot be settled and is reported, not guessed', async () => {
    await crashDuring([{ actionId: 'a', kind: PUT }]);
    const io = new TestIoHost({ settings: { yes: true } });

    const summary = await runPlan(context, planOf([putAction('a')]), { io });

    expect(io.codes('warn')).toContain('JOURNAL_OPEN_INTENT');
    expect(statusesOf(summary)).toEqual({ a: 'done' });
    expect((await recordsOf(context, summary.runId)).some((r) => isOutcome(r) && r.status === 'settled')).toBe(false);
  });

  it('Given an open intent, When the run is then refused at the confirmation, Then the settling stays recorded and no call is made', async () => {
    await crashDuring([{ actionId: 'a', kind: PUT, params: putAction('a').params }]);

    await expect(runPlan(context, planOf([putAction('a')]), { settings: {} })).rejects.toMatchObject({ code: 'NO_INTERACTIVE_INPUT' });

    expect(context.account.calls).toEqual([]);
    expect(findOpenIntents(await readJournal(context.workspace))).toEqual([]);
  });
});
