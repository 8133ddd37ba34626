import { describe, expect, it } from 'vitest';
import { TestIoHost, type ScriptedAnswer } from '../support/test-io-host.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import type { Phase, PlanQuestion } from '../../../src/plan/phase.js';
import { withPlanRun } from '../../../src/plan/plan-run.js';
import { runPhase } from '../../../src/plan/run-phase.js';
import { fakeRegistry, putAction, type FakeAccount } from './support/fake-account.js';
import { NOW, PROCESS, usePlanTestContext, YES_FOR_ACCOUNT } from './support/plan-harness.js';
import { ACCOUNT_ID } from '../support/builders.js';

const context = usePlanTestContext();

interface Decision {
  target: string;
  status: 'planned' | 'declined';
  note?: string;
}

const dropQuestion = (target: string): PlanQuestion => ({
  code: 'CONFIRM_TARGET',
  message: `${target} needs a second yes. Go ahead?`,
  onNo: { drop: { subject: target, actions: [target], note: 'not confirmed', code: 'TARGET_DECLINED' } },
});

const refuseQuestion: PlanQuestion = {
  code: 'CONFIRM_EVERYTHING',
  message: 'Go ahead at all?',
  onNo: { refuse: { code: 'NOT_CONFIRMED', message: 'Not confirmed: nothing was changed.', resolution: 'Answer yes.' } },
};

/** A phase over the fake account: one put per target, the question for each target given. */
function phaseOf(targets: string[], options: { questions?: PlanQuestion[]; questionsFirst?: PlanQuestion[]; reads?: string[] } = {}): Phase<string[], Decision, { decisions: Decision[]; applied: string[] }, FakeAccount> {
  return {
    command: 'fake-command',
    accountId: ACCOUNT_ID,
    questionsFirst: options.questionsFirst,
    read: async () => {
      options.reads?.push('read');
      return targets;
    },
    plan: (read) => ({ actions: read.map((t) => putAction(t)), decisions: read.map((target) => ({ target, status: 'planned' })), questions: options.questions ?? [] }),
    declined: (decision, subject, note) => (decision.target === subject ? { ...decision, status: 'declined', note } : decision),
    registry: () => fakeRegistry(context.account),
    project: async ({ plan, execution }) => ({ decisions: plan.decisions, applied: execution.actions.filter((a) => a.status === 'done').map((a) => a.id) }),
  };
}

function run(phase: ReturnType<typeof phaseOf>, options: { answers?: ScriptedAnswer[]; dryRun?: boolean; io?: TestIoHost } = {}) {
  const io = options.io ?? new TestIoHost({ answers: options.answers, settings: options.answers ? { confirmAccount: ACCOUNT_ID } : YES_FOR_ACCOUNT });
  const interrupts = new InterruptController();
  const dryRun = options.dryRun ?? false;
  return withPlanRun({ workspace: context.workspace, command: phase.command, now: () => NOW, process: PROCESS, interrupts, dryRun }, (held) =>
    runPhase(phase, { workspace: context.workspace, io, now: () => NOW, interrupts, process: PROCESS, dryRun, run: held, renderDecisions: (d) => `${d.length} decision(s)` }),
  );
}

describe('runPhase', () => {
  it('Given a phase with no question, When it runs, Then its plan is applied and its projection sees what was done', async () => {
    const result = await run(phaseOf(['a', 'b']));
    expect(result.applied.sort()).toEqual(['a', 'b']);
    expect(context.account.calls.map((c) => c.key).sort()).toEqual(['a', 'b']);
  });

  it('Given a question answered no, When the phase runs, Then the actions it names are left out, its decision is marked, and the rest is applied', async () => {
    const io = new TestIoHost({ answers: [{ code: 'CONFIRM_TARGET', answer: false }, { code: 'CONFIRM_PLAN', answer: true }], settings: { confirmAccount: ACCOUNT_ID } });

    const result = await run(phaseOf(['a', 'b'], { questions: [dropQuestion('b')] }), { io });

    expect(result.applied).toEqual(['a']);
    expect(result.decisions).toEqual([
      { target: 'a', status: 'planned' },
      { target: 'b', status: 'declined', note: 'not confirmed' },
    ]);
    expect(context.account.calls.map((c) => c.key)).toEqual(['a']);
    expect(io.codes('info')).toContain('TARGET_DECLINED');
  });

  it('Given a question answered yes (--yes), When the phase runs, Then everything is applied', async () => {
    const result = await run(phaseOf(['a', 'b'], { questions: [dropQuestion('b')] }));
    expect(result.applied.sort()).toEqual(['a', 'b']);
    expect(result.decisions.every((d) => d.status === 'planned')).toBe(true);
  });

  it('Given a dry-run, When the phase runs, Then no question is asked and nothing is applied', async () => {
    // No answer is scripted: a question would be refused.
    const io = new TestIoHost({ settings: {} });

    const result = await run(phaseOf(['a'], { questions: [dropQuestion('a'), refuseQuestion] }), { dryRun: true, io });

    expect(result.applied).toEqual([]);
    expect(context.account.calls).toEqual([]);
    expect(result.decisions).toEqual([{ target: 'a', status: 'planned' }]);
  });

  it('Given a question whose no refuses the run, When it is answered no, Then the run is a safety refusal and nothing is applied', async () => {
    const attempt = run(phaseOf(['a'], { questions: [refuseQuestion] }), { answers: [{ code: 'CONFIRM_EVERYTHING', answer: false }] });
    await expect(attempt).rejects.toMatchObject({ name: 'SafetyRefusal', code: 'NOT_CONFIRMED' });
    expect(context.account.calls).toEqual([]);
  });

  it('Given a question asked before the read, When it is answered no, Then nothing is read or applied', async () => {
    const reads: string[] = [];
    const attempt = run(phaseOf(['a'], { questionsFirst: [refuseQuestion], reads }), { answers: [{ code: 'CONFIRM_EVERYTHING', answer: false }] });
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_CONFIRMED' });
    expect(reads).toEqual([]);
    expect(context.account.calls).toEqual([]);
  });

  it('Given decisions and a renderer, When the phase runs, Then the decisions are shown before anything is asked', async () => {
    const io = new TestIoHost({ answers: [{ code: 'CONFIRM_TARGET', answer: true }, { code: 'CONFIRM_PLAN', answer: true }], settings: { confirmAccount: ACCOUNT_ID } });
    await run(phaseOf(['a'], { questions: [dropQuestion('a')] }), { io });
    expect(io.shown[0]).toEqual([{ target: 'a', status: 'planned' }]);
  });
});
