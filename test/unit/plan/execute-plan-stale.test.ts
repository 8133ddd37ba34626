import { describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf } from '../../../src/plan/execute-plan.js';
import type { PlanPreviewData } from '../../../src/plan/plan-preview.js';
import { deleteAction, fingerprintOf, planOf, putAction } from './support/fake-account.js';
import { expectMatchedPairs, recordsOf, resultOf, runPlan, statusesOf, usePlanTestContext } from './support/plan-harness.js';

const context = usePlanTestContext();

/** A saved plan whose actions pinned the state each target had when it was made. */
function pinnedPlan() {
  const pin = (key: string) => fingerprintOf(context.account.state.get(key));
  return planOf([
    putAction('a', { fingerprint: pin('a') }),
    putAction('b', { fingerprint: pin('b') }),
    putAction('c', { fingerprint: pin('c'), dependsOn: ['b'] }),
    putAction('d', { fingerprint: pin('d'), dependsOn: ['c'] }),
    deleteAction('e', { fingerprint: pin('e') }),
  ]);
}

describe('Applying a saved plan whose account changed since', () => {
  it('Given a target changed after planning, When fingerprints are checked, Then it and its dependents are refused, the rest applied, and the exit is 3', async () => {
    context.account.state.set('b', 'before').set('e', 'old');
    const plan = pinnedPlan();
    context.account.state.set('b', 'changed in the console');
    const io = new TestIoHost({ settings: { yes: true, confirmAccount: '111111111111' } });

    const summary = await runPlan(context, plan, { io, checkFingerprints: true });

    expect(statusesOf(summary)).toEqual({ a: 'done', b: 'refused', c: 'refused', d: 'refused', e: 'done' });
    expect(resultOf(summary, 'd').reason).toContain('c');
    expect(context.account.callKeys().sort()).toEqual(['a', 'e']);
    expect(context.account.state.get('b')).toBe('changed in the console');
    expect(exitCodeOf(summary)).toBe(3);
    expect((io.shown[0] as PlanPreviewData).actions.filter((a) => a.refused !== null).map((a) => a.id)).toEqual(['b', 'c', 'd']);
    expectMatchedPairs(await recordsOf(context, summary.runId));
  });

  it('Given the same change, When fingerprints are not checked (a fresh plan), Then nothing is refused', async () => {
    context.account.state.set('b', 'before').set('e', 'old');
    const plan = pinnedPlan();
    context.account.state.set('b', 'changed');
    const summary = await runPlan(context, plan, { checkFingerprints: false });
    expect(summary.counts.refused).toBe(0);
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('Given nothing changed, When fingerprints are checked, Then every action applies and each target is read', async () => {
    context.account.state.set('e', 'old');
    const summary = await runPlan(context, pinnedPlan(), { checkFingerprints: true });
    expect(summary.counts.done).toBe(5);
    expect(context.account.reads.filter((r) => r.what === 'fingerprint').map((r) => r.key).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('Given a target deleted after planning, When its delete is applied, Then it is refused as stale rather than deleting anything', async () => {
    context.account.state.set('e', 'old');
    const plan = pinnedPlan();
    context.account.state.delete('e');
    const summary = await runPlan(context, plan, { checkFingerprints: true });
    expect(resultOf(summary, 'e').status).toBe('refused');
    expect(context.account.calls.map((c) => c.op)).not.toContain('delete');
  });

  it('Given the only removal is stale, When the plan is applied with --yes alone, Then the rest needs no typed account and is applied', async () => {
    context.account.state.set('e', 'old');
    const plan = pinnedPlan();
    context.account.state.set('e', 're-created');
    const summary = await runPlan(context, plan, { settings: { yes: true }, checkFingerprints: true });
    expect(resultOf(summary, 'e').status).toBe('refused');
    expect(summary.counts.done).toBe(4);
    expect(context.account.state.get('e')).toBe('re-created');
  });

  it('Given every action is stale, When the plan is applied without any answer, Then nothing is asked or called and the exit is 3', async () => {
    const plan = planOf([putAction('a', { fingerprint: 'not-the-current-state' })]);
    const summary = await runPlan(context, plan, { settings: {}, checkFingerprints: true });
    expect(statusesOf(summary)).toEqual({ a: 'refused' });
    expect(context.account.calls).toEqual([]);
    expect(exitCodeOf(summary)).toBe(3);
  });

  it('Given an action without a pinned fingerprint, When fingerprints are checked, Then it is not read and applies', async () => {
    const summary = await runPlan(context, planOf([putAction('a', { fingerprint: null })]), { checkFingerprints: true });
    expect(context.account.reads.filter((r) => r.what === 'fingerprint')).toEqual([]);
    expect(statusesOf(summary)).toEqual({ a: 'done' });
  });
});
