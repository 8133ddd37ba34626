import { describe, expect, it } from 'vitest';
import { Fault, Interrupted, SafetyRefusal, UserError } from '../../../src/errors.js';
import type { SelectRequest } from '../../../src/io/io-host.js';
import { TestIoHost, type ScriptedAnswer } from '../support/test-io-host.js';
import { runGuidedSession, STEP_INFO, type SessionContext, type SessionEffects } from '../../../src/session/guided-session.js';
import type { UnfinishedRun } from '../../../src/plan/unfinished-runs.js';
import { buildPhaseChecklist, type PhaseId } from '../../../src/phases/status/phase-checklist.js';
import type { StatusResult } from '../../../src/phases/status/read-status.js';
import type { UserProgress } from '../../../src/phases/status/user-progress.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { caught } from '../support/caught.js';

const NOW = new Date('2024-06-20T12:00:00.000Z');
const ALL_PHASES = Object.keys(STEP_INFO) as PhaseId[];

type Choice = { kind: 'phase'; phase: PhaseId } | { kind: 'status' } | { kind: 'report'; file: string } | { kind: 'edit' } | { kind: 'stop' };

/** A TestIoHost that also keeps every question asked, with its choices (TestIoHost records only the answers). */
class RecordingIoHost extends TestIoHost {
  readonly asked: SelectRequest<unknown>[] = [];

  constructor(answers: Choice[]) {
    super({ answers: answers.map((answer): ScriptedAnswer => ({ code: 'SESSION_NEXT', answer })) });
  }

  override select<T>(request: SelectRequest<T>): Promise<T> {
    this.asked.push(request as SelectRequest<unknown>);
    return super.select(request);
  }

  values(question: number): Choice[] {
    const request = this.asked[question];
    if (!request) throw new Error(`question ${question} was not asked`);
    return request.choices.map((c) => c.value as Choice);
  }
}

const CONTEXT: SessionContext = {
  accountId: '111111111111',
  callerArn: 'arn:aws:iam::111111111111:user/ops',
  workspace: '/tmp/iam2idc-ws',
  unfinished: [],
};

function stateWith(phases: WorkspaceState['phases']): WorkspaceState {
  return { schemaVersion: 1, accountId: '111111111111', partition: 'aws', createdAt: '2024-05-01T00:00:00.000Z', createdBy: CONTEXT.callerArn, identityCenter: null, phases };
}

function person(userName: string, overrides: Partial<UserProgress> = {}): UserProgress {
  return {
    userName,
    kind: 'human',
    identityCenterUser: userName,
    groups: [],
    permissionSets: [],
    accessVerified: false,
    accessMissing: [],
    permissions: null,
    lastUsed: null,
    state: 'active',
    disabledAt: null,
    deletedAt: null,
    protected: false,
    migrated: false,
    ...overrides,
  };
}

function statusOf(state: WorkspaceState | null, users: UserProgress[]): StatusResult {
  const checklist = buildPhaseChecklist({ state, mapping: null, users, now: NOW });
  return { accountId: '111111111111', workspace: CONTEXT.workspace, checklist, users, gaps: [], allMigrated: false, unfinished: [], mappingProblem: null };
}

/** Nothing done yet: audit comes next. */
const FRESH = statusOf(null, [person('alice')]);
/** Audited, with no permission set in the mapping and alice without verified access: assign comes next. */
const AUDITED = statusOf(stateWith({ audit: { lastRunAt: '2024-06-01T00:00:00.000Z', userCount: 1 } }), [person('alice')]);
/** alice deleted: nothing left to do. */
const DONE = statusOf(
  stateWith({
    audit: { lastRunAt: '2024-06-01T00:00:00.000Z', userCount: 1 },
    activity: { firstRunAt: '2024-06-02T00:00:00.000Z', lastRunAt: '2024-06-10T00:00:00.000Z', logGroup: 'trail', windows: [], users: {}, deniedByPermissionSet: {} },
  }),
  [person('alice', { accessVerified: true, state: 'deleted', deletedAt: '2024-06-19T00:00:00.000Z', migrated: true })],
);

interface FakeEffects extends SessionEffects {
  phasesRun: PhaseId[];
  reportsRead: string[];
  edits: number;
}

/**
 * Effects whose readStatus returns the given statuses in turn (the last one again when they run
 * out), and whose runPhase answers from `outcomes` per phase: an exit code, or an error to throw.
 */
function fakeEffects(options: { statuses?: StatusResult[]; outcomes?: Partial<Record<PhaseId, number | Error>>; reports?: string[]; reportText?: string; editProblems?: (string | null)[] } = {}): FakeEffects {
  const statuses = [...(options.statuses ?? [FRESH])];
  const problems = [...(options.editProblems ?? [])];
  const effects: FakeEffects = {
    phasesRun: [],
    reportsRead: [],
    edits: 0,
    async readStatus() {
      const next = statuses.length > 1 ? statuses.shift() : statuses[0];
      if (!next) throw new Error('no status');
      return next;
    },
    async runPhase(phase) {
      effects.phasesRun.push(phase);
      const outcome = options.outcomes?.[phase] ?? 0;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    async listReports() {
      return [...(options.reports ?? [])];
    },
    async readReport(file) {
      effects.reportsRead.push(file);
      return options.reportText ?? `text of ${file}`;
    },
    async editMapping() {
      effects.edits += 1;
      return problems.shift() ?? null;
    },
  };
  return effects;
}

const stop: Choice = { kind: 'stop' };
const phase = (id: PhaseId): Choice => ({ kind: 'phase', phase: id });

describe('runGuidedSession', () => {
  it('Given a fresh workspace, When the session starts, Then it shows the header and the checklist, and asks what next', async () => {
    const io = new RecordingIoHost([stop]);
    await runGuidedSession(io, fakeEffects(), CONTEXT);
    expect(io.shown[0]).toEqual(CONTEXT);
    expect(io.shown[1]).toEqual(FRESH.checklist);
    expect(io.asked).toHaveLength(1);
    expect(io.asked[0]?.code).toBe('SESSION_NEXT');
    // nobody-to-ask must never pick a step by itself
    expect(io.asked[0]?.defaultValue).toBeUndefined();
  });

  it('Given a recommended next step, When the choices are offered, Then it is the first choice, and every phase is offered exactly once with stop last', async () => {
    const io = new RecordingIoHost([stop]);
    await runGuidedSession(io, fakeEffects({ statuses: [AUDITED] }), CONTEXT);
    expect(AUDITED.checklist.next.phase).toBe('assign');
    const values = io.values(0);
    expect(values[0]).toEqual(phase('assign'));
    expect(io.asked[0]?.choices[0]?.description).toBe(AUDITED.checklist.next.why);
    const phases = values.filter((v): v is Extract<Choice, { kind: 'phase' }> => v.kind === 'phase').map((v) => v.phase);
    expect([...phases].sort()).toEqual([...ALL_PHASES].sort());
    expect(values).toContainEqual({ kind: 'status' });
    expect(values).toContainEqual({ kind: 'edit' });
    expect(values.at(-1)).toEqual(stop);
  });

  it('Given a fresh workspace, When the choices are offered, Then the audit is recommended first and no report is offered before any step ran', async () => {
    const io = new RecordingIoHost([stop]);
    await runGuidedSession(io, fakeEffects({ reports: ['reports/audit.md'] }), CONTEXT);
    const values = io.values(0);
    expect(values[0]).toEqual(phase('audit'));
    expect(values.some((v) => v.kind === 'report')).toBe(false);
  });

  it('Given everyone migrated, When the choices are offered, Then no step is recommended but every phase can still be chosen', async () => {
    const io = new RecordingIoHost([stop]);
    await runGuidedSession(io, fakeEffects({ statuses: [DONE] }), CONTEXT);
    expect(DONE.checklist.next.phase).toBeNull();
    const values = io.values(0);
    expect(values[0]?.kind).not.toBe('phase');
    expect(values.filter((v) => v.kind === 'phase')).toHaveLength(ALL_PHASES.length);
  });

  it('Given stop is chosen, When the session runs, Then it ends with exit code 0 and runs no phase', async () => {
    const io = new RecordingIoHost([stop]);
    const effects = fakeEffects();
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.phasesRun).toEqual([]);
    expect(io.codes('info')).toContain('SESSION_STOPPED');
  });

  it('Given the recommended step is chosen, When it runs, Then the phase runs through runPhase, the status is read again, and the session asks again', async () => {
    const io = new RecordingIoHost([phase('audit'), stop]);
    const effects = fakeEffects({ statuses: [FRESH, AUDITED] });
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.phasesRun).toEqual(['audit']);
    expect(io.asked).toHaveLength(2);
    // the second question is built from the status read after the step
    expect(io.values(0)[0]).toEqual(phase('audit'));
    expect(io.values(1)[0]).toEqual(phase('assign'));
    expect(io.shown).toContainEqual(expect.objectContaining({ phase: 'audit', title: STEP_INFO.audit.title }));
    expect(io.shown).toContainEqual(AUDITED.checklist);
    expect(io.codes('info')).toEqual(['STEP_DONE', 'SESSION_STOPPED']);
  });

  it('Given several steps chosen in turn, When the session runs, Then each runs once in the order chosen, including steps that are not recommended', async () => {
    const io = new RecordingIoHost([phase('audit'), phase('disable'), phase('generate-policies'), stop]);
    const effects = fakeEffects();
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.phasesRun).toEqual(['audit', 'disable', 'generate-policies']);
    expect(io.asked).toHaveLength(4);
  });

  it.each([
    ['a UserError', new UserError('MAPPING_NOT_FOUND', 'No mapping file.', 'Run audit.')],
    ['a SafetyRefusal', new SafetyRefusal('WORKSPACE_LOCKED', 'The workspace is locked.', 'Wait.')],
    ['a Fault', new Fault('JOURNAL_WRITE_FAILED', 'Could not write.', 'Free disk space.')],
  ])('Given a phase that throws %s, When it runs, Then the error is reported by its code and the session goes on', async (_what, error) => {
    const io = new RecordingIoHost([phase('assign'), stop]);
    const effects = fakeEffects({ outcomes: { assign: error } });
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.phasesRun).toEqual(['assign']);
    expect(io.codes('warn')).toEqual([error.code]);
    expect(io.codes('info')).not.toContain('STEP_DONE');
    expect(io.asked).toHaveLength(2);
  });

  it('Given a phase interrupted with Ctrl-C, When it runs, Then the session ends by passing the Interrupted error on', async () => {
    const io = new RecordingIoHost([phase('create-permission-sets'), stop]);
    const interrupted = new Interrupted('INTERRUPTED', 'Interrupted.', 'Run it again to resume.');
    const effects = fakeEffects({ outcomes: { 'create-permission-sets': interrupted } });
    expect(await caught(runGuidedSession(io, effects, CONTEXT))).toBe(interrupted);
    expect(io.asked).toHaveLength(1);
    expect(io.codes()).not.toContain('SESSION_STOPPED');
  });

  it('Given a phase that fails with an untyped error (a bug), When it runs, Then the error is passed on rather than swallowed', async () => {
    const io = new RecordingIoHost([phase('assign'), stop]);
    const bug = new TypeError('cannot read properties of undefined');
    const effects = fakeEffects({ outcomes: { assign: bug } });
    expect(await caught(runGuidedSession(io, effects, CONTEXT))).toBe(bug);
    expect(io.asked).toHaveLength(1);
  });

  it('Given a phase that finishes with a non-zero exit code, When it runs, Then STEP_UNFINISHED is warned and the session goes on', async () => {
    const io = new RecordingIoHost([phase('disable'), stop]);
    const effects = fakeEffects({ outcomes: { disable: 4 } });
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(io.codes('warn')).toEqual(['STEP_UNFINISHED']);
    expect(io.codes('info')).not.toContain('STEP_DONE');
    expect(io.asked).toHaveLength(2);
  });

  it('Given an audit just run and its report in the workspace, When the choices are offered, Then opening reports/audit.md is offered right after the recommended step', async () => {
    const io = new RecordingIoHost([phase('audit'), stop]);
    const effects = fakeEffects({ statuses: [FRESH, AUDITED], reports: ['reports/policies.md', 'reports/audit.md', 'reports/onboarding.md'] });
    await runGuidedSession(io, effects, CONTEXT);
    const values = io.values(1);
    expect(values[1]).toEqual({ kind: 'report', file: 'reports/audit.md' });
    expect(values.filter((v) => v.kind === 'report')).toHaveLength(1);
  });

  it('Given a report offered, When it is chosen, Then the text readReport returns is shown, and the session asks again', async () => {
    const io = new RecordingIoHost([phase('audit'), { kind: 'report', file: 'reports/audit.md' }, stop]);
    const effects = fakeEffects({ reports: ['reports/audit.md'], reportText: '# Audit\n3 IAM users' });
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.reportsRead).toEqual(['reports/audit.md']);
    expect(io.shown).toContainEqual({ file: 'reports/audit.md', text: '# Audit\n3 IAM users' });
    expect(io.asked).toHaveLength(3);
  });

  it('Given several denied reports after watch-denied, When the choices are offered, Then the newest (listed last) is offered', async () => {
    const io = new RecordingIoHost([phase('watch-denied'), stop]);
    const effects = fakeEffects({ reports: ['reports/denied-2024-06-01.md', 'reports/audit.md', 'reports/denied-2024-06-08.md'] });
    await runGuidedSession(io, effects, CONTEXT);
    expect(io.values(1).filter((v) => v.kind === 'report')).toEqual([{ kind: 'report', file: 'reports/denied-2024-06-08.md' }]);
  });

  it('Given a step without a report of its own just run, When the choices are offered, Then no report is offered', async () => {
    const io = new RecordingIoHost([phase('disable'), stop]);
    const effects = fakeEffects({ reports: ['reports/audit.md', 'reports/policies.md'] });
    await runGuidedSession(io, effects, CONTEXT);
    expect(io.values(1).some((v) => v.kind === 'report')).toBe(false);
  });

  it('Given the per-user status is chosen, When it runs, Then the whole status result is shown', async () => {
    const io = new RecordingIoHost([{ kind: 'status' }, stop]);
    const effects = fakeEffects({ statuses: [AUDITED] });
    await runGuidedSession(io, effects, CONTEXT);
    expect(io.shown).toContainEqual(AUDITED);
    expect(effects.phasesRun).toEqual([]);
  });

  it('Given an edit that leaves mapping.yaml invalid, When it is chosen, Then editMapping is called and MAPPING_INVALID is warned', async () => {
    const io = new RecordingIoHost([{ kind: 'edit' }, stop]);
    const effects = fakeEffects({ editProblems: ['users.bob.kind: must be one of: human, machine, skip'] });
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.edits).toBe(1);
    expect(io.codes('warn')).toEqual(['MAPPING_INVALID']);
    expect(io.codes('info')).not.toContain('MAPPING_VALID');
  });

  it('Given an edit that leaves mapping.yaml valid, When it is chosen, Then MAPPING_VALID is told and nothing is warned', async () => {
    const io = new RecordingIoHost([{ kind: 'edit' }, stop]);
    const effects = fakeEffects({ editProblems: [null] });
    expect(await runGuidedSession(io, effects, CONTEXT)).toBe(0);
    expect(effects.edits).toBe(1);
    expect(io.codes('info')).toContain('MAPPING_VALID');
    expect(io.codes('warn')).toEqual([]);
  });

  it('Given no unfinished run, When the session starts, Then nothing is warned', async () => {
    const io = new RecordingIoHost([stop]);
    await runGuidedSession(io, fakeEffects(), CONTEXT);
    expect(io.codes('warn')).toEqual([]);
  });

  describe('an unfinished run', () => {
    const unfinished: UnfinishedRun = { command: 'create-permission-sets', runId: 'run-1', startedAt: '2024-06-19T10:00:00.000Z', state: 'interrupted', done: 2, left: 11, failed: 0, inFlight: 1, leftTargets: ['permission set Developers'], locked: false };

    it('Given an unfinished run in the context, When the session starts, Then UNFINISHED_RUN is warned before the first question', async () => {
      const io = new RecordingIoHost([stop]);
      await runGuidedSession(io, fakeEffects(), { ...CONTEXT, unfinished: [unfinished] });
      expect(io.codes('warn')).toEqual(['UNFINISHED_RUN']);
      expect(io.messages[0]?.code).toBe('UNFINISHED_RUN');
      // the header's data carries the run too, for -o json and tests
      expect(io.shown[0]).toMatchObject({ unfinished: [unfinished] });
    });

    it('Given an unfinished run in the context, When UNFINISHED_RUN is warned, Then its data names the command and the counts', async () => {
      const io = new RecordingIoHost([stop]);
      await runGuidedSession(io, fakeEffects(), { ...CONTEXT, unfinished: [{ ...unfinished, state: 'unended', locked: true }] });
      const warning = io.messages.find((m) => m.code === 'UNFINISHED_RUN');
      expect(warning?.data).toMatchObject({ command: 'create-permission-sets', done: 2, left: 11, inFlight: 1, locked: true });
    });
  });

  describe('without a scripted answer', () => {
    it('Given nobody to answer, When the session asks what next, Then it refuses with NO_INTERACTIVE_INPUT instead of waiting', async () => {
      const io = new RecordingIoHost([]);
      const effects = fakeEffects();
      const error = await caught(runGuidedSession(io, effects, CONTEXT));
      expect(error).toBeInstanceOf(SafetyRefusal);
      expect((error as SafetyRefusal).code).toBe('NO_INTERACTIVE_INPUT');
      expect(effects.phasesRun).toEqual([]);
      expect(io.asked).toHaveLength(1);
    });

    it('Given answers that run out after one step, When the session asks again, Then it refuses rather than picking a step by itself', async () => {
      const io = new RecordingIoHost([phase('audit')]);
      const effects = fakeEffects();
      const error = await caught(runGuidedSession(io, effects, CONTEXT));
      expect((error as SafetyRefusal).code).toBe('NO_INTERACTIVE_INPUT');
      expect(effects.phasesRun).toEqual(['audit']);
    });
  });
});
