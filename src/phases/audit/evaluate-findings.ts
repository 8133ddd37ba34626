/**
 * Turns the inventory into findings: stable rule IDs with a severity, a message and what to do.
 *
 * Decisions:
 * - Only active keys are judged; an inactive key is already switched off.
 * - Per active key, at most one usage finding: `access-key-never-used` (no recorded use and older
 *   than 7 days, so keys created for a deployment about to happen are not flagged) or
 *   `access-key-unused-90-days`. `access-key-older-than-90-days` is raised only for a key in use,
 *   since an unused key should be deleted, not rotated.
 * - Missing data (null credential data, null root MFA) raises nothing: the audit reports the gap.
 * - `password-unused-90-days` counts from the last change (or the user's creation) when the
 *   password was never used.
 */
import { adminLevelOf, describeAdminPath, pathsOfLevel } from '../../model/admin/describe-admin-access.js';
import type { AccessKeySummary, Finding, RootAccountSummary, Severity, UserRecord } from '../../model/inventory.js';

export interface EvaluateFindingsInput {
  users: UserRecord[];
  root: RootAccountSummary | null;
  now: Date;
}

export const FINDING_RULES = {
  'root-access-keys': 'critical',
  'root-without-mfa': 'critical',
  'console-without-mfa': 'high',
  'iam-user-administrator': 'high',
  'iam-user-near-administrator': 'high',
  'iam-user-conditional-administrator': 'high',
  'access-key-older-than-90-days': 'medium',
  'access-key-unused-90-days': 'medium',
  'access-key-never-used': 'medium',
  'policy-attached-to-user': 'low',
  'password-unused-90-days': 'low',
} as const satisfies Record<string, Severity>;

export type FindingRule = keyof typeof FINDING_RULES;

/** The subject of findings about the root user, as the credential report names it. */
export const ROOT_SUBJECT = '<root_account>';

const STALE_DAYS = 90;
const NEVER_USED_GRACE_DAYS = 7;
const DAY_MS = 86_400_000;
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/**
 * Evaluates every rule over the users and the root account. Pure: the clock comes from `input.now`.
 * Sorted by severity (critical first), then subject, then rule, so output is stable across runs.
 */
export function evaluateFindings(input: EvaluateFindingsInput): Finding[] {
  const findings = [
    ...(input.root ? rootFindings(input.root) : []),
    ...input.users.flatMap((user) => userFindings(user, input.now)),
  ];
  return findings.sort(compareFindings);
}

/** Orders findings by severity, then subject (account-wide first), then rule, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareText(a.subject ?? '', b.subject ?? '') ||
    compareText(a.rule, b.rule) ||
    compareText(a.message, b.message)
  );
}

function finding(rule: FindingRule, subject: string | null, message: string, recommendation: string): Finding {
  return { rule, severity: FINDING_RULES[rule], subject, message, recommendation };
}

function rootFindings(root: RootAccountSummary): Finding[] {
  const findings: Finding[] = [];
  const activeKeys = root.accessKeys.filter((key) => key.active).length;
  if (root.accessKeysPresent === true || activeKeys > 0) {
    findings.push(
      finding(
        'root-access-keys',
        ROOT_SUBJECT,
        activeKeys > 0 ? `The root user has ${activeKeys} active access key(s).` : 'The root user has access keys.',
        'Delete the root access keys (sign in as root, Security credentials). Nothing should run as root; give workloads a role.',
      ),
    );
  }
  if (root.mfaActive === false) {
    findings.push(
      finding(
        'root-without-mfa',
        ROOT_SUBJECT,
        'The root user has no MFA device.',
        'Enable MFA on the root user now (a hardware or FIDO key kept in a safe place is best).',
      ),
    );
  }
  return findings;
}

function userFindings(user: UserRecord, now: Date): Finding[] {
  return [
    ...consoleFindings(user, now),
    ...adminFindings(user),
    ...directPolicyFindings(user),
    ...(user.accessKeys ?? []).filter((key) => key.active).flatMap((key) => keyFindings(user, key, now)),
  ];
}

function consoleFindings(user: UserRecord, now: Date): Finding[] {
  const access = user.console;
  if (!access?.enabled) return [];
  const findings: Finding[] = [];
  if (user.mfa !== null && !user.mfa.active) {
    findings.push(
      finding(
        'console-without-mfa',
        user.userName,
        `${user.userName} can sign in to the console with a password and has no MFA device.`,
        'Move this person to IAM Identity Center (MFA enforced there); until then, require an MFA device for the IAM user.',
      ),
    );
  }
  const reference = access.lastUsed ?? access.lastChanged ?? user.createDate;
  const age = daysSince(reference, now);
  if (age !== null && age > STALE_DAYS) {
    findings.push(
      finding(
        'password-unused-90-days',
        user.userName,
        access.lastUsed
          ? `${user.userName}'s console password was last used ${age} days ago.`
          : `${user.userName}'s console password has never been used (set ${age} days ago).`,
        'Remove the console password (delete the login profile); if the person still needs access, give it through IAM Identity Center.',
      ),
    );
  }
  return findings;
}

function adminFindings(user: UserRecord): Finding[] {
  const level = adminLevelOf(user);
  if (level === 'none') return [];
  const paths = pathsOfLevel(user).map(describeAdminPath).join('; ');
  const how = paths ? ` (${paths})` : '';
  const machine = user.classification.kind === 'machine';
  if (level === 'near-admin') {
    return [
      finding(
        'iam-user-near-administrator',
        user.userName,
        `${user.userName} can make itself administrator in one step${how}.`,
        machine
          ? 'Replace this workload user with an IAM role scoped to what it does, without the step to administrator; until then treat its keys as administrator keys.'
          : 'Treat this person as an administrator: move them to IAM Identity Center with a permission set that does not carry the step (or an administrator one, on purpose), then disable the IAM user.',
      ),
    ];
  }
  if (level === 'conditional-admin') {
    return [
      finding(
        'iam-user-conditional-administrator',
        user.userName,
        `${user.userName} is, or can become, administrator under a condition the audit cannot check${how}.`,
        'Treat this user as an administrator whenever the condition holds (MFA, a region, a source IP, a tag): move it to IAM Identity Center with the access it needs, then disable the IAM user.',
      ),
    ];
  }
  const recommendation = machine
    ? 'Replace this workload user with an IAM role scoped to what it does; long-lived admin keys are the highest-value target in the account.'
    : 'Move this person to IAM Identity Center with an administrator permission set, then disable the IAM user; keep a protected break-glass user only if required.';
  return [finding('iam-user-administrator', user.userName, `${user.userName} has administrator access${how}.`, recommendation)];
}

function directPolicyFindings(user: UserRecord): Finding[] {
  const count = user.attachedPolicies.length + user.inlinePolicies.length;
  if (count === 0) return [];
  return [
    finding(
      'policy-attached-to-user',
      user.userName,
      `${user.userName} has ${count} polic${count === 1 ? 'y' : 'ies'} attached directly (${user.attachedPolicies.length} managed, ${user.inlinePolicies.length} inline).`,
      'Grant permissions through groups (or, after the migration, permission sets) rather than directly to a user; the migration turns these into a per-user permission set.',
    ),
  ];
}

function keyFindings(user: UserRecord, key: AccessKeySummary, now: Date): Finding[] {
  const name = `${user.userName}'s access key ${key.slot}`;
  const age = daysSince(key.lastRotated, now);
  const retire =
    user.classification.kind === 'human'
      ? 'Move this person to IAM Identity Center (short-lived CLI credentials via `aws sso login`), then deactivate and delete the key.'
      : 'Deactivate the key, watch for breakage, then delete it.';
  if (key.lastUsedDate === null) {
    if (age === null || age <= NEVER_USED_GRACE_DAYS) return [];
    return [finding('access-key-never-used', user.userName, `${name} has never been used (created ${age} days ago).`, retire)];
  }
  const idle = daysSince(key.lastUsedDate, now);
  if (idle !== null && idle > STALE_DAYS) {
    return [finding('access-key-unused-90-days', user.userName, `${name} was last used ${idle} days ago.`, retire)];
  }
  if (age !== null && age > STALE_DAYS) {
    const rotate =
      user.classification.kind === 'human'
        ? 'Move this person to IAM Identity Center so they no longer need access keys; until then, rotate the key.'
        : 'Rotate the key (create a second key, switch the workload, deactivate and delete the old one), or better, replace it with an IAM role.';
    return [finding('access-key-older-than-90-days', user.userName, `${name} is ${age} days old.`, rotate)];
  }
  return [];
}

function daysSince(iso: string | null, now: Date): number | null {
  if (iso === null) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : Math.floor((now.getTime() - time) / DAY_MS);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
