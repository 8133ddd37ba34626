/**
 * Where the migration stands, phase by phase, from the workspace alone (plus the per-user progress),
 * and which step comes next. Used by `status` and by the guided session.
 */
import type { Mapping } from '../../workspace/mapping-schema.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { DEFAULT_MIN_DISABLED_DAYS } from '../retire/plan-cleanup.js';
import type { UserProgress } from './user-progress.js';

export type PhaseId = 'audit' | 'generate-policies' | 'create-permission-sets' | 'assign' | 'watch-denied' | 'disable' | 'cleanup';

export interface PhaseStatus {
  id: PhaseId;
  /** `done` for every user it concerns, `partial`, or `pending` (not started). */
  state: 'done' | 'partial' | 'pending';
  /** One line: what is done, with the numbers (e.g. `12 of 14 users with verified access`). */
  detail: string;
}

export interface NextStep {
  phase: PhaseId | null;
  /** Why this step now, in one or two sentences. */
  why: string;
}

export interface PhaseChecklist {
  phases: PhaseStatus[];
  next: NextStep;
}

const DAY_MS = 86_400_000;

export function buildPhaseChecklist(input: { state: WorkspaceState | null; mapping: Mapping | null; users: UserProgress[]; now: Date }): PhaseChecklist {
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
  return { phases: phasesKnown, next: nextStep(phasesKnown, users, input.now, phases) };
}

function nextStep(list: PhaseStatus[], users: UserProgress[], now: Date, phases: WorkspaceState['phases'] | undefined): NextStep {
  const byId = new Map(list.map((p) => [p.id, p]));
  const pending = (id: PhaseId) => byId.get(id)?.state !== 'done';
  if (pending('audit')) return { phase: 'audit', why: 'Everything starts from the inventory: who the IAM users are, what they can do, and a draft plan (mapping.yaml).' };
  if (pending('generate-policies')) return { phase: 'generate-policies', why: 'Each permission set needs its policy, built from what the IAM groups and users grant, and validated.' };
  if (pending('create-permission-sets')) return { phase: 'create-permission-sets', why: 'The permission sets must exist in Identity Center before anyone can be given access.' };
  if (pending('assign')) return { phase: 'assign', why: 'People need their Identity Center user, groups and account assignments before their IAM users can go.' };
  if (pending('watch-denied')) return { phase: 'watch-denied', why: 'Run both paths in parallel for a while, and watch what the new permission sets deny and who still uses the old keys.' };
  const ready = users.filter((u) => u.kind === 'human' && !u.protected && u.state === 'active' && u.accessVerified);
  if (ready.length > 0) {
    const since = phases?.activity?.firstRunAt ? Math.floor((now.getTime() - Date.parse(phases.activity.firstRunAt)) / DAY_MS) : 0;
    return { phase: 'disable', why: `${ready.length} people have verified Identity Center access and the parallel run is ${since} day(s) old: switch their IAM users off (reversible with enable).` };
  }
  const due = users.filter((u) => u.state === 'disabled' && u.disabledAt !== null && now.getTime() - Date.parse(u.disabledAt) >= DEFAULT_MIN_DISABLED_DAYS * DAY_MS);
  if (due.length > 0) return { phase: 'cleanup', why: `${due.length} IAM user(s) have been disabled for ${DEFAULT_MIN_DISABLED_DAYS} days or more: delete them, each backed up first.` };
  if (users.some((u) => u.state === 'disabled')) return { phase: 'watch-denied', why: `The disabled users are not ${DEFAULT_MIN_DISABLED_DAYS} days old yet: keep watching for denied calls until cleanup is due.` };
  return { phase: null, why: 'Every person moved to Identity Center: nothing is left to do.' };
}

function progress(done: number, total: number): PhaseStatus['state'] {
  // Nothing to do for a phase (no people, no sets) is as good as done.
  if (done >= total) return 'done';
  return done > 0 ? 'partial' : 'pending';
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
