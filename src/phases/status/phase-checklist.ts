/**
 * Where the migration stands, phase by phase, from the workspace, the journal's runs and the per-user
 * progress, and which step comes next. Used by `status` and by the guided session, so both say the same.
 */
import type { UnfinishedRun } from '../../plan/unfinished-runs.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { DEFAULT_MIN_DISABLED_DAYS } from '../cleanup/plan-cleanup.js';
import { everyoneMigrated, type UserProgress } from './user-progress.js';

export type PhaseId = 'audit' | 'generate-policies' | 'create-permission-sets' | 'assign' | 'watch-denied' | 'disable' | 'cleanup';

export interface PhaseStatus {
  id: PhaseId;
  /**
   * `done` for every user it concerns, `partial`, `pending` (not started), `unfinished` (its last run
   * stopped or failed before the end of its plan), or `blocked` (mapping.yaml is not valid).
   */
  state: 'done' | 'partial' | 'pending' | 'unfinished' | 'blocked';
  /** One line: what is done, with the numbers (e.g. `12 of 14 users with verified access`). */
  detail: string;
}

export interface NextStep {
  /** The phase to run, when the next step is one. */
  phase: PhaseId | null;
  /** The command to run (a phase's, or `enable` / `restore` to finish their run); null when none is. */
  command: string | null;
  /** Why this step now, in one or two sentences. */
  why: string;
  /** Every person is migrated: exactly when `status --check migrated` passes. */
  finished: boolean;
}

export interface PhaseChecklist {
  phases: PhaseStatus[];
  next: NextStep;
}

const DAY_MS = 86_400_000;

export interface PhaseChecklistInput {
  state: WorkspaceState | null;
  mapping: Mapping | null;
  /** Why mapping.yaml cannot be used, when it is there but not valid. */
  mappingProblem?: string | null;
  users: UserProgress[];
  /** Runs that did not finish their plan, from the journal. */
  unfinished?: readonly UnfinishedRun[];
  now: Date;
}

/** The phase that owns each command's runs: enable undoes disable, restore undoes cleanup. */
const PHASE_OF_COMMAND: Record<string, PhaseId> = { 'generate-policies': 'generate-policies', 'create-permission-sets': 'create-permission-sets', assign: 'assign', 'watch-denied': 'watch-denied', disable: 'disable', enable: 'disable', cleanup: 'cleanup', restore: 'cleanup' };

/** Phases that act on what mapping.yaml says: none can run while it is invalid. */
const NEEDS_MAPPING: ReadonlySet<PhaseId> = new Set(['generate-policies', 'create-permission-sets', 'assign', 'disable', 'cleanup']);

export function buildPhaseChecklist(input: PhaseChecklistInput): PhaseChecklist {
  const { state, mapping, users } = input;
  const phases = state?.phases;
  const humans = users.filter((u) => u.kind === 'human');
  const sets = Object.keys(mapping?.permissionSets ?? {});
  const readySets = sets.filter((s) => phases?.policies?.sets[s]?.ready === true);
  const createdSets = sets.filter((s) => phases?.permissionSets?.arns[s] !== undefined);
  const verified = humans.filter((u) => u.accessVerified);
  // Protected people (break-glass) keep their IAM user on purpose: they are never left to disable.
  const retiring = humans.filter((u) => !u.protected);
  const disabled = retiring.filter((u) => u.state === 'disabled' || u.state === 'deleted');
  const deleted = retiring.filter((u) => u.state === 'deleted');
  const date = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');

  const list: PhaseStatus[] = [
    phases?.audit
      ? { id: 'audit', state: 'done', detail: `audited on ${date(phases.audit.lastRunAt)}: ${phases.audit.userCount} IAM users, ${humans.length} of them people` }
      : { id: 'audit', state: 'pending', detail: 'not audited yet' },
    { id: 'generate-policies', state: progress(readySets.length, sets.length), detail: sets.length === 0 ? 'no permission set in the mapping' : `${readySets.length} of ${sets.length} permission set policies ready` },
    { id: 'create-permission-sets', state: progress(createdSets.length, sets.length), detail: `${createdSets.length} of ${sets.length} permission sets created in Identity Center` },
    { id: 'assign', state: progress(verified.length, humans.length), detail: `${verified.length} of ${humans.length} people with verified access through Identity Center` },
    phases?.activity
      ? { id: 'watch-denied', state: 'done', detail: `parallel run since ${date(phases.activity.firstRunAt)}, last watched ${date(phases.activity.lastRunAt)}: ${sum(Object.values(phases.activity.deniedByPermissionSet))} denied call(s) in the last window` }
      : { id: 'watch-denied', state: 'pending', detail: 'no denied calls watched yet' },
    { id: 'disable', state: progress(disabled.length, retiring.length), detail: `${disabled.length} of ${retiring.length} people's IAM users disabled (protected ones are kept)` },
    { id: 'cleanup', state: progress(deleted.length, retiring.length), detail: `${deleted.length} of ${retiring.length} people's IAM users deleted` },
  ];
  // Before the audit nothing is known, so nothing later counts as done, even with nothing to do.
  const phasesKnown = phases?.audit ? list : list.map((p) => (p.id === 'audit' ? p : { ...p, state: 'pending' as const, detail: 'after the audit' }));
  const problem = input.mappingProblem ?? null;
  const unfinished = input.unfinished ?? [];
  const shown = phasesKnown.map((p): PhaseStatus => {
    if (problem !== null && NEEDS_MAPPING.has(p.id) && phases?.audit) return { ...p, state: 'blocked', detail: `mapping.yaml is not valid, so this cannot run (${p.detail})` };
    const run = unfinished.find((u) => PHASE_OF_COMMAND[u.command] === p.id);
    return run ? { ...p, state: 'unfinished', detail: `${describeRunShortly(run)} (${p.detail})` } : p;
  });
  const first = (step: Omit<NextStep, 'finished'>): NextStep => ({ ...step, finished: false });
  if (phases?.audit && problem !== null) {
    return { phases: shown, next: first({ phase: null, command: null, why: `mapping.yaml is not valid: ${problem}. Fix it (the guided session can open it), and every step can go on.` }) };
  }
  const run = unfinished[0];
  if (phases?.audit && run) {
    const phase = PHASE_OF_COMMAND[run.command] === run.command ? (run.command as PhaseId) : null;
    const why = run.locked
      ? `iam2idc ${run.command} holds the workspace (started ${run.startedAt}): let it finish, or if it was killed, clear the lock with iam2idc unlock, then run it again.`
      : `The last run of iam2idc ${run.command} ${describeRunShortly(run)}: run it again to finish it. Calls in doubt are checked in AWS first, and nothing done is repeated.`;
    return { phases: shown, next: first({ phase, command: run.command, why }) };
  }
  const next = nextStep(shown, users, input.now, phases);
  return { phases: shown, next: next.phase === null && !everyoneMigrated(users) ? notYetMigrated(users) : next };
}

/** What an unfinished run did and left, in a few words: `interrupted: 15 done, 11 left`. */
export function describeRunShortly(run: UnfinishedRun): string {
  const how = { interrupted: 'was interrupted', stopped: 'stopped midway', failed: 'ended with failures', unended: run.locked ? 'is still running, or was killed' : 'never ended (killed?)' }[run.state];
  const left = run.left === null ? '' : `, ${run.left} left`;
  const failed = run.failed > 0 ? `, ${run.failed} failed` : '';
  const inFlight = run.inFlight > 0 ? `, ${run.inFlight} in doubt` : '';
  return `${how}: ${run.done} done${left}${failed}${inFlight}`;
}

/** Nothing is pending, yet someone is not migrated (restored, or access never verified): say who, never "done". */
function notYetMigrated(users: UserProgress[]): NextStep {
  const left = users.filter((u) => u.kind === 'human' && !u.protected && !u.migrated);
  if (left.length === 0) return { phase: null, command: null, why: 'No person in the mapping is left to migrate: mark the people in mapping.yaml (kind: human), or run the audit again.', finished: false };
  const active = left.filter((u) => u.state === 'active');
  const names = left.slice(0, 5).map((u) => u.userName).join(', ') + (left.length > 5 ? ` and ${left.length - 5} more` : '');
  if (active.some((u) => !u.accessVerified)) return { phase: 'assign', command: 'assign', why: `${names} still need verified Identity Center access (a restored user, or a new person): assign, then disable them.`, finished: false };
  return { phase: 'disable', command: 'disable', why: `${names} still have an active IAM user: switch it off when they are ready.`, finished: false };
}

function nextStep(list: PhaseStatus[], users: UserProgress[], now: Date, phases: WorkspaceState['phases'] | undefined): NextStep {
  const byId = new Map(list.map((p) => [p.id, p]));
  const pending = (id: PhaseId) => byId.get(id)?.state !== 'done';
  const step = (phase: PhaseId, why: string): NextStep => ({ phase, command: phase, why, finished: false });
  if (pending('audit')) return step('audit', 'Everything starts from the inventory: who the IAM users are, what they can do, and a draft plan (mapping.yaml).');
  if (pending('generate-policies')) return step('generate-policies', 'Each permission set needs its policy, built from what the IAM groups and users grant, and validated.');
  if (pending('create-permission-sets')) return step('create-permission-sets', 'The permission sets must exist in Identity Center before anyone can be given access.');
  if (pending('assign')) return step('assign', 'People need their Identity Center user, groups and account assignments before their IAM users can go.');
  if (pending('watch-denied')) return step('watch-denied', 'Run both paths in parallel for a while, and watch what the new permission sets deny and who still uses the old keys.');
  const ready = users.filter((u) => u.kind === 'human' && !u.protected && u.state === 'active' && u.accessVerified);
  if (ready.length > 0) {
    const since = phases?.activity?.firstRunAt ? Math.floor((now.getTime() - Date.parse(phases.activity.firstRunAt)) / DAY_MS) : 0;
    return step('disable', `${ready.length} people have verified Identity Center access and the parallel run is ${since} day(s) old: switch their IAM users off (reversible with enable).`);
  }
  const due = users.filter((u) => u.state === 'disabled' && u.disabledAt !== null && now.getTime() - Date.parse(u.disabledAt) >= DEFAULT_MIN_DISABLED_DAYS * DAY_MS);
  if (due.length > 0) return step('cleanup', `${due.length} IAM user(s) have been disabled for ${DEFAULT_MIN_DISABLED_DAYS} days or more: delete them, each backed up first.`);
  if (users.some((u) => u.state === 'disabled')) return step('watch-denied', `The disabled users are not ${DEFAULT_MIN_DISABLED_DAYS} days old yet: keep watching for denied calls until cleanup is due.`);
  return { phase: null, command: null, why: 'Every person moved to Identity Center: nothing is left to do.', finished: true };
}

function progress(done: number, total: number): PhaseStatus['state'] {
  // Nothing to do for a phase (no people, no sets) is as good as done.
  if (done >= total) return 'done';
  return done > 0 ? 'partial' : 'pending';
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
