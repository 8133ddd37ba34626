/**
 * The evidence gate of disable: a user is only switched off when the way they are meant to work now
 * is proven to exist (Identity Center access verified by assign, for people), and the old way has
 * not been used since the cut-over (access keys, console password, and CloudTrail as watch-denied saw it).
 */
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import type { IamUserState } from './read-iam-users.js';
import type { PermissionCheck } from '../verify/permission-checks.js';

export interface GateCheck {
  code: 'IDENTITY_CENTER_ACCESS' | 'PERMISSIONS_KEPT' | 'KEYS_UNUSED' | 'CONSOLE_UNUSED' | 'CLOUDTRAIL_UNUSED';
  passed: boolean;
  message: string;
}

export interface GateInput {
  user: Pick<IamUserState, 'userName' | 'userId' | 'credentials'>;
  /** The user's kind in mapping.yaml; Identity Center access is only required of people. */
  kind: 'human' | 'machine' | 'skip' | 'unknown';
  state: Pick<WorkspaceState, 'phases'>;
  cutover: Date;
  /**
   * What verify found for this person, computed for this run; null when they could not be compared
   * (not in the audit). Only people are compared.
   */
  permissions?: PermissionCheck | null;
}

export function evaluateGate(input: GateInput): { passed: boolean; checks: GateCheck[] } {
  const { user, cutover } = input;
  const after = (iso: string | null | undefined): boolean => iso !== null && iso !== undefined && Date.parse(iso) > cutover.getTime();
  const since = cutover.toISOString();
  const checks: GateCheck[] = [];
  if (input.kind === 'human') {
    const access = byName(input.state.phases.assignments?.access, user.userName);
    checks.push(
      access?.verified === true
        ? { code: 'IDENTITY_CENTER_ACCESS', passed: true, message: 'Identity Center access verified' }
        : {
            code: 'IDENTITY_CENTER_ACCESS',
            passed: false,
            message: access ? `Identity Center access not verified (missing ${access.missing.join(', ') || 'an assignment'}): run assign` : 'no Identity Center access recorded: run assign',
          },
    );
  }
  if (input.kind === 'human' && input.permissions !== undefined) checks.push(permissionsCheck(input.permissions));
  const usedKeys = (user.credentials?.accessKeys ?? []).filter((k) => after(k.lastUsed));
  checks.push(
    usedKeys.length === 0
      ? { code: 'KEYS_UNUSED', passed: true, message: `no access key used since ${since}` }
      : { code: 'KEYS_UNUSED', passed: false, message: usedKeys.map((k) => `key ${k.accessKeyId} used ${k.lastUsed}${k.lastUsedService ? ` (${k.lastUsedService})` : ''}`).join(', ') + ` after the cut-over ${since}` },
  );
  const password = user.credentials?.passwordLastUsed ?? null;
  checks.push(
    after(password)
      ? { code: 'CONSOLE_UNUSED', passed: false, message: `console password used ${password} after the cut-over ${since}` }
      : { code: 'CONSOLE_UNUSED', passed: true, message: `console not used since ${since}` },
  );
  const activity = byName(input.state.phases.activity?.users, user.userName);
  // Activity of a user with another UserId is an earlier user of the same name: it says nothing here.
  const seen = activity && (activity.userId === null || activity.userId === user.userId) ? activity : undefined;
  checks.push(
    seen && after(seen.lastSeen)
      ? { code: 'CLOUDTRAIL_UNUSED', passed: false, message: `seen in CloudTrail ${seen.lastSeen} (${seen.lastAction}) after the cut-over ${since}` }
      : { code: 'CLOUDTRAIL_UNUSED', passed: true, message: input.state.phases.activity ? `not seen in CloudTrail since ${since}` : 'no CloudTrail evidence recorded (watch-denied adds it)' },
  );
  return { passed: checks.every((c) => c.passed), checks };
}

/**
 * Access may not grow in the move: a person whose permission sets allow what their IAM user could not
 * keeps the IAM user until the sets are fixed or the gain is acknowledged in mapping.yaml.
 */
function permissionsCheck(permissions: PermissionCheck | null): GateCheck {
  if (permissions === null) return { code: 'PERMISSIONS_KEPT', passed: false, message: 'permissions not compared (the user is not in the audit): run audit, then verify' };
  if (permissions.verdict === 'escalation') {
    const shown = permissions.escalations.slice(0, 3).join(', ') + (permissions.escalations.length > 3 ? ` and ${permissions.escalations.length - 3} more` : '');
    return { code: 'PERMISSIONS_KEPT', passed: false, message: `escalation: the permission sets allow ${shown}, which the IAM user could not do (see iam2idc verify)` };
  }
  if (permissions.verdict === 'unverified') return { code: 'PERMISSIONS_KEPT', passed: false, message: `permissions could not be compared: ${permissions.unknown.join(', ')} unknown` };
  return { code: 'PERMISSIONS_KEPT', passed: true, message: permissions.verdict === 'loss' ? 'no escalation (some access is lost: see iam2idc verify)' : 'permission sets grant what the IAM user had' };
}

/** A record's entry for an IAM user, whatever the case it was written in (IAM user names ignore case). */
function byName<T>(record: Record<string, T> | undefined, userName: string): T | undefined {
  if (record === undefined) return undefined;
  if (record[userName] !== undefined) return record[userName];
  const lower = userName.toLowerCase();
  return Object.entries(record).find(([name]) => name.toLowerCase() === lower)?.[1];
}
