import type { PlannedAction } from '../../plan/plan-types.js';
import type { Mapping } from '../../workspace/mapping-schema.js';

/**
 * Account assignments as data: what the mapping wants, what Identity Center has, and the actions that
 * close the gap. Principals and permission sets are addressed by name, never by ID or ARN, so that a
 * saved plan also works for users, groups and sets that an earlier step creates.
 */

/** The kind of each action, which names its handler. */
export const ASSIGNMENT_KIND = {
  create: 'idc.CreateAccountAssignment',
  delete: 'idc.DeleteAccountAssignment',
} as const;

export type AssignmentKind = (typeof ASSIGNMENT_KIND)[keyof typeof ASSIGNMENT_KIND];

export type PrincipalType = 'USER' | 'GROUP';

/** One assignment, by name: a principal gets a permission set in an account. */
export interface AssignmentKey {
  principalType: PrincipalType;
  /** The Identity Center user name (USER) or group display name (GROUP). */
  principalName: string;
  permissionSetName: string;
  accountId: string;
}

/** An assignment as Identity Center has it, its principal ID resolved to a name where possible. */
export interface CurrentAssignment extends Omit<AssignmentKey, 'principalName'> {
  principalId: string;
  /** Null when the principal is gone from the identity store (the assignment is orphaned). */
  principalName: string | null;
}

/** The parameters of both kinds of action. */
export interface AssignmentParams extends AssignmentKey {
  instanceArn: string;
}

export interface PlanAssignmentsOptions {
  instanceArn: string;
  /** Delete assignments of the mapped permission sets that the mapping no longer has. */
  prune: boolean;
  /**
   * The permission sets the mapping names: only their assignments are ever deleted. Defaults to the
   * sets of the desired assignments.
   */
  permissionSetNames?: readonly string[];
}

/** Identity Center compares user names and group display names without regard to case. */
export function principalKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** A key that tells two assignments apart the way Identity Center does. */
export function assignmentKey(a: { principalType: PrincipalType; principalName: string; permissionSetName: string; accountId: string }): string {
  return JSON.stringify([a.accountId, a.permissionSetName, a.principalType, principalKey(a.principalName)]);
}

/** The stable id of an action on one assignment: `assign/<account>/<set>/<USER|GROUP>/<name>`. */
export function assignmentActionId(a: AssignmentKey): string {
  return `assign/${a.accountId}/${a.permissionSetName}/${a.principalType}/${a.principalName}`;
}

/** `user jane.doe` / `group Developers`, for previews and targets. */
export function describePrincipal(a: Pick<AssignmentKey, 'principalType' | 'principalName'>): string {
  return `${a.principalType === 'USER' ? 'user' : 'group'} ${a.principalName}`;
}

/**
 * The assignments the mapping asks for, given the accounts each of its entries expands to (same
 * order as `mapping.assignments`). A user assignment names the IAM user; its principal is that user's
 * Identity Center user name. Users that get no Identity Center user (machine, skip) are left out,
 * as `validateMapping` warns. Duplicates collapse into one.
 */
export function listDesiredAssignments(mapping: Pick<Mapping, 'users' | 'assignments'>, accountsByAssignment: readonly (readonly string[])[]): AssignmentKey[] {
  const byKey = new Map<string, AssignmentKey>();
  mapping.assignments.forEach((entry, i) => {
    let principal: Pick<AssignmentKey, 'principalType' | 'principalName'> | null = null;
    if (entry.group !== undefined) principal = { principalType: 'GROUP', principalName: entry.group };
    else if (entry.user !== undefined) {
      const user = mapping.users[entry.user];
      if (user?.kind === 'human' && user.userName !== undefined) principal = { principalType: 'USER', principalName: user.userName };
    }
    if (principal === null) return;
    for (const accountId of accountsByAssignment[i] ?? []) {
      const key: AssignmentKey = { ...principal, permissionSetName: entry.permissionSet, accountId };
      if (!byKey.has(assignmentKey(key))) byKey.set(assignmentKey(key), key);
    }
  });
  return [...byKey.values()];
}

/**
 * The actions that make Identity Center hold the desired assignments. Pure. Only missing ones are
 * created. With `prune`, assignments of the mapped permission sets that the mapping no longer has are
 * deleted (narrowing); assignments of other permission sets are never touched, nor orphaned ones
 * whose principal is gone (they cannot be addressed by name). An unchanged account plans nothing.
 */
export function planAssignments(desired: readonly AssignmentKey[], current: readonly CurrentAssignment[], options: PlanAssignmentsOptions): PlannedAction<AssignmentParams>[] {
  const have = new Map<string, CurrentAssignment>();
  for (const a of current) if (a.principalName !== null) have.set(assignmentKey({ ...a, principalName: a.principalName }), a);
  const want = new Set(desired.map(assignmentKey));

  const actions: PlannedAction<AssignmentParams>[] = [];
  for (const a of sortAssignments(desired)) {
    if (have.has(assignmentKey(a))) continue;
    actions.push(buildAssignmentAction(ASSIGNMENT_KIND.create, { ...a, instanceArn: options.instanceArn }, null));
  }
  if (!options.prune) return actions;

  const mappedSets = new Set(options.permissionSetNames ?? desired.map((a) => a.permissionSetName));
  const removed = [...have.values()].filter((a) => mappedSets.has(a.permissionSetName) && !want.has(assignmentKey({ ...a, principalName: a.principalName ?? '' })));
  for (const a of sortAssignments(removed.map((c) => ({ ...c, principalName: c.principalName ?? '' })))) {
    const principalId = have.get(assignmentKey(a))?.principalId ?? null;
    actions.push(buildAssignmentAction(ASSIGNMENT_KIND.delete, { ...a, instanceArn: options.instanceArn }, principalId === null ? null : principalFingerprint(principalId)));
  }
  return actions;
}

/**
 * A deletion carries the ID of the principal it was planned against: applying a saved plan after the
 * user was deleted and re-created under the same name would otherwise remove the new person's access.
 */
export function principalFingerprint(principalId: string | null): string {
  return principalId === null ? 'principal:absent' : `principal:${principalId}`;
}

/** Builds a create or delete action for one assignment. */
export function buildAssignmentAction(kind: AssignmentKind, params: AssignmentParams, fingerprint: string | null): PlannedAction<AssignmentParams> {
  const create = kind === ASSIGNMENT_KIND.create;
  const key: AssignmentKey = { principalType: params.principalType, principalName: params.principalName, permissionSetName: params.permissionSetName, accountId: params.accountId };
  return {
    id: assignmentActionId(key),
    kind,
    service: 'sso-admin',
    target: `${describePrincipal(params)} in account ${params.accountId}`,
    risk: create ? 'broadening' : 'narrowing',
    preview: `${create ? 'assign' : 'unassign'} permission set ${params.permissionSetName} ${create ? 'to' : 'from'} ${describePrincipal(params)} in ${params.accountId}`,
    params: { instanceArn: params.instanceArn, ...key },
    dependsOn: [],
    fingerprint,
  };
}

/** Create ↔ delete. The inverse carries no fingerprint: it is planned against the state of its time. */
export function invertAssignmentAction(action: PlannedAction): PlannedAction | null {
  if (action.kind !== ASSIGNMENT_KIND.create && action.kind !== ASSIGNMENT_KIND.delete) return null;
  const kind = action.kind === ASSIGNMENT_KIND.create ? ASSIGNMENT_KIND.delete : ASSIGNMENT_KIND.create;
  return buildAssignmentAction(kind, action.params as AssignmentParams, null);
}

/** Account, then set, then principal: the preview reads account by account, every run alike. */
function sortAssignments<T extends AssignmentKey>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => assignmentKey(a).localeCompare(assignmentKey(b)));
}
