/**
 * A plan is checked whole before anything of it runs. What each action means (its lane, its risk,
 * the IAM user it changes) comes from its kind and parameters, never from what the plan says of
 * itself; a plan that says otherwise was edited, and is refused as a whole, so that no part of an
 * edited plan is ever applied.
 */
import { Fault, SafetyRefusal, UserError } from '../errors.js';
import { formatZodIssues } from '../workspace/format-zod-issues.js';
import type { ActionKind, ActionMeaning, ActionPrincipal, PlannedAction } from './plan-types.js';

/** Where a plan came from: a saved file is refused as edited; a fresh plan that disagrees is a bug. */
export type PlanSource = { saved: true; file: string } | { saved: false };

export interface VerifyPlanOptions {
  source: PlanSource;
  /** Whether a backup of this user is on disk and verified, for deletions whose plan takes none first. */
  hasVerifiedBackup?: (principal: ActionPrincipal) => boolean;
}

/** What the kind says an action with these parameters is. */
export function meaningOf(kind: ActionKind, params: unknown): ActionMeaning {
  const risk = kind.riskOf ? kind.riskOf(params) : kind.risk;
  const service = kind.serviceOf ? kind.serviceOf(params) : kind.service;
  if (service === undefined || risk === undefined) {
    throw new Fault('ACTION_KIND_INCOMPLETE', `The action kind ${kind.kind} does not say its service and risk.`, 'This is a bug in iam2idc: please report it.');
  }
  return { service, risk, principal: kind.principalOf?.(params) ?? null };
}

/**
 * Checks every action of a plan against its kind: a known kind, parameters of the kind's shape, the
 * service, risk and principal the kind derives, and the backup every deletion of a user needs. Returns
 * the actions with their parameters as parsed; throws on the first difference, naming it.
 */
export function verifyPlan(actions: readonly PlannedAction[], kinds: ReadonlyMap<string, ActionKind>, options: VerifyPlanOptions): PlannedAction[] {
  const verified = actions.map((action) => verifyAction(action, kinds, options.source));
  const missing = findMissingBackup(verified, kinds, options.hasVerifiedBackup ?? (() => false));
  if (missing !== null) {
    throw refusal(options.source, 'PLAN_BACKUP_MISSING', `${missing.id} deletes part of IAM user ${missing.principal?.userName ?? '?'}, but the plan backs that user up nowhere before it, and no verified backup is on disk`);
  }
  return verified;
}

function verifyAction(action: PlannedAction, kinds: ReadonlyMap<string, ActionKind>, source: PlanSource): PlannedAction {
  const kind = kinds.get(action.kind);
  if (kind === undefined) {
    if (source.saved) throw new UserError('PLAN_UNKNOWN_ACTION', `${source.file}: action ${action.id} is of kind ${action.kind}, which this command does not apply.`, 'Give a plan this command saved with --save-plan, made by the same version of iam2idc.');
    throw new Fault('PLAN_UNKNOWN_ACTION', `The plan has an action this command cannot apply: ${action.kind}.`, 'This is a bug in iam2idc: please report it.');
  }
  let params = action.params;
  if (kind.params) {
    const parsed = kind.params.safeParse(action.params);
    if (!parsed.success) {
      const what = `action ${action.id} (${action.kind}) has parameters of the wrong shape: ${formatZodIssues(parsed.error)}`;
      if (source.saved) throw new UserError('PLAN_FILE_INVALID', `${source.file}: ${what}.`, 'Make the plan again with --dry-run --save-plan <file>.');
      throw new Fault('PLAN_INVALID_ACTION', `The plan's ${what}.`, 'This is a bug in iam2idc: please report it.');
    }
    params = parsed.data;
  }
  const meaning = meaningOf(kind, params);
  const difference = differenceOf(action, meaning);
  if (difference !== null) throw refusal(source, 'PLAN_EDITED', `action ${action.id}: ${difference}`);
  return { ...action, params, service: meaning.service, risk: meaning.risk, ...(meaning.principal ? { principal: meaning.principal } : {}) };
}

/** The first way the plan's own statement differs from what its kind means, or null. */
function differenceOf(action: PlannedAction, meaning: ActionMeaning): string | null {
  if (action.service !== meaning.service) return `the plan says service ${action.service}, but ${action.kind} runs in ${meaning.service}`;
  if (action.risk !== meaning.risk) return `the plan says risk ${action.risk}, but ${action.kind} with these parameters is ${meaning.risk}`;
  const stated = action.principal ?? null;
  if (!samePrincipal(stated, meaning.principal)) {
    const describe = (p: ActionPrincipal | null) => (p === null ? 'no IAM user' : `IAM user ${p.userName} (${p.userId ?? 'no UserId'})`);
    return `the plan names ${describe(stated)}, but the action changes ${describe(meaning.principal)}`;
  }
  return null;
}

function samePrincipal(a: ActionPrincipal | null, b: ActionPrincipal | null): boolean {
  if (a === null || b === null) return a === b;
  return a.userName === b.userName && (a.userId ?? null) === (b.userId ?? null);
}

/**
 * The first action that deletes part of a user without a backup of that same user (name and UserId)
 * among the actions it depends on, directly or not, and without a verified backup on disk.
 */
function findMissingBackup(actions: readonly PlannedAction[], kinds: ReadonlyMap<string, ActionKind>, hasVerifiedBackup: (principal: ActionPrincipal) => boolean): PlannedAction | null {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const backs = (action: PlannedAction, principal: ActionPrincipal) => kinds.get(action.kind)?.backup === 'takes' && action.principal !== undefined && samePrincipal(action.principal, principal);
  for (const action of actions) {
    if (kinds.get(action.kind)?.backup !== 'needs') continue;
    const principal = action.principal;
    if (principal === undefined) return action;
    if (dependsOnAny(action, byId, (a) => backs(a, principal)) || hasVerifiedBackup(principal)) continue;
    return action;
  }
  return null;
}

function dependsOnAny(action: PlannedAction, byId: ReadonlyMap<string, PlannedAction>, test: (a: PlannedAction) => boolean): boolean {
  const seen = new Set<string>();
  const stack = [...action.dependsOn];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const dependency = byId.get(id);
    if (dependency === undefined) continue;
    if (test(dependency)) return true;
    stack.push(...dependency.dependsOn);
  }
  return false;
}

function refusal(source: PlanSource, code: string, what: string): Error {
  if (source.saved) return new SafetyRefusal(code, `${source.file} was edited after it was saved: ${what}. Nothing was changed.`, 'Make the plan again with --dry-run --save-plan <file>, review it, and apply that file.');
  return new Fault(code, `The plan is not what its actions mean: ${what}.`, 'This is a bug in iam2idc: please report it.');
}
