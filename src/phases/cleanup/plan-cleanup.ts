/**
 * The cleanup plan: which users are deleted, and for each a backup, then every step DeleteUser needs,
 * in IAM's order, each depending on the one before. Pure: targets, exclusions and what cannot come
 * back are decided here and shown before anything is asked.
 */
import type { PlannedAction } from '../../plan/plan-types.js';
import type { RetiredUser } from '../disable/retired-users.js';
import { userBackupPath, type UserBackup } from '../../workspace/user-backups.js';
import { BACKUP_KIND, cleanupFingerprint, credentialIds, STEP_RISK, type BackupParams } from './cleanup-handlers.js';
import { CLEANUP_STEP, stepsFor, type StepParams } from './cleanup-steps.js';
import type { UserAttachments } from './read-user-attachments.js';

export const DEFAULT_MIN_DISABLED_DAYS = 7;
const DAY_MS = 86_400_000;

export interface CleanupDecision {
  userName: string;
  userId: string | null;
  /** planned: deleted by the plan; excluded: left alone, with why; gone: already deleted, nothing to do. */
  status: 'planned' | 'excluded' | 'gone';
  exclusion: { code: 'NOT_DISABLED' | 'DISABLE_INCOMPLETE' | 'DISABLED_TOO_RECENTLY' | 'RECREATED' | 'NOT_FOUND' | 'LOCKOUT_GUARD'; message: string } | null;
  /** When disable finished for this user, or null when iam2idc did not disable them. */
  disabledSince: string | null;
  /** What the plan deletes, one line per kind. */
  deletes: string[];
  /** What no restore can bring back. */
  unrecoverable: string[];
  backup: string | null;
}

export interface CleanupPlanInput {
  /** Every user disable had work for, as the journal shows them. */
  retired: readonly RetiredUser[];
  /** The users as they are now, by name; null: no such user. */
  users: ReadonlyMap<string, UserAttachments | null>;
  /**
   * Verified backups already on disk, by UserId (an interrupted cleanup wrote them): what they name
   * and the user no longer shows is deleted too (a virtual MFA device deactivated, not yet deleted,
   * is listed by no user any more).
   */
  backups?: ReadonlyMap<string, UserBackup>;
  /** --users; otherwise the users iam2idc disabled. */
  explicit: readonly string[] | null;
  minDisabledDays: number;
  now: Date;
}

export interface CleanupPlan {
  actions: PlannedAction[];
  decisions: CleanupDecision[];
}

/** The users cleanup looks at: those named, or every user iam2idc disabled and did not enable again. */
export function cleanupCandidates(retired: readonly RetiredUser[], explicit: readonly string[] | null): string[] {
  if (explicit !== null) return [...explicit];
  return retired.filter((r) => r.state === 'disabled' || r.state === 'partly-disabled').map((r) => r.userName);
}

export function planCleanup(input: CleanupPlanInput): CleanupPlan {
  const records = new Map(candidatesByName(input.retired));
  const actions: PlannedAction[] = [];
  const decisions: CleanupDecision[] = [];
  const seen = new Set<string>();
  // IAM user names are unique regardless of case.
  const users = new Map([...input.users].map(([n, u]) => [n.toLowerCase(), u]));
  for (const name of cleanupCandidates(input.retired, input.explicit)) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const user = users.get(name.toLowerCase()) ?? null;
    const record = records.get(name.toLowerCase()) ?? null;
    const decision = decide(name, user, record, input);
    decisions.push(decision);
    if (decision.status === 'planned' && user !== null) actions.push(...actionsOf(user, input.backups?.get(user.user.userId) ?? null));
  }
  return { actions, decisions: decisions.sort((a, b) => a.userName.localeCompare(b.userName)) };
}

/** By lower-case name, the user disable acted on last under that name. */
function candidatesByName(retired: readonly RetiredUser[]): Map<string, RetiredUser> {
  const byName = new Map<string, RetiredUser>();
  for (const user of retired) {
    const key = user.userName.toLowerCase();
    const seen = byName.get(key);
    // One still disabled wins over an older one enabled, deleted or restored since.
    if (!seen || isDisabled(user) || !isDisabled(seen)) byName.set(key, user);
  }
  return byName;
}

const isDisabled = (user: RetiredUser): boolean => user.state === 'disabled' || user.state === 'partly-disabled';

function decide(name: string, user: UserAttachments | null, record: RetiredUser | null, input: CleanupPlanInput): CleanupDecision {
  const explicit = input.explicit !== null;
  const base: CleanupDecision = {
    userName: user?.user.userName ?? record?.userName ?? name,
    userId: user?.user.userId ?? record?.userId ?? null,
    status: 'planned',
    exclusion: null,
    disabledSince: record?.disabledAt ?? null,
    deletes: user ? describeDeletes(user) : [],
    unrecoverable: user ? describeUnrecoverable(user) : [],
    backup: user ? userBackupPath(user.user.userName, user.user.userId) : null,
  };
  const exclude = (code: NonNullable<CleanupDecision['exclusion']>['code'], message: string): CleanupDecision => ({ ...base, status: 'excluded', exclusion: { code, message }, deletes: [], unrecoverable: [] });
  if (user === null) return record && isDisabled(record) ? { ...base, status: 'gone', deletes: [], unrecoverable: [] } : exclude('NOT_FOUND', 'no IAM user has this name');
  // Named explicitly, a user is deleted whatever iam2idc did to it (a re-created one, one enabled
  // again, one never disabled), as long as the engine's lockout guard lets it go.
  const sameUser = record !== null && record.userId === user.user.userId;
  if (explicit && (!sameUser || !isDisabled(record))) return base;
  if (record === null || !isDisabled(record)) return exclude('NOT_DISABLED', 'not disabled by iam2idc');
  if (!sameUser) return exclude('RECREATED', `the user iam2idc disabled (${record.userId}) is gone; this is a new user of the same name: name it with --users to delete it`);
  if (record.disabledAt === null) return exclude('DISABLE_INCOMPLETE', 'disable did not finish for this user: run disable again first');
  const days = (input.now.getTime() - Date.parse(record.disabledAt)) / DAY_MS;
  if (days < input.minDisabledDays) {
    return exclude('DISABLED_TOO_RECENTLY', `disabled ${Math.floor(days)} day(s) ago, less than the ${input.minDisabledDays} of --min-disabled-days`);
  }
  return base;
}

function actionsOf(user: UserAttachments, backup: UserBackup | null): PlannedAction[] {
  const { userName, userId } = user.user;
  const principal = { userName, userId };
  const backupId = `cleanup/${userName}/backup`;
  const credentials = credentialIds(user);
  const backupParams: BackupParams = { userName, userId, credentials };
  const actions: PlannedAction[] = [
    {
      id: backupId,
      kind: BACKUP_KIND,
      service: 'workspace',
      target: `IAM user ${userName}`,
      risk: 'read',
      preview: `back up everything recreatable to ${userBackupPath(userName, userId)}`,
      params: backupParams,
      dependsOn: [],
      // The one pinned fingerprint of the user: a stale backup refuses every step after it.
      fingerprint: cleanupFingerprint(userId, credentials),
      principal,
    },
  ];
  const steps = [...stepsFor(user), ...orphanedVirtualMfa(user, backup), { kind: CLEANUP_STEP.user, item: undefined }];
  steps.forEach((step, index) => {
    const params: StepParams = step.item === undefined ? { userName, userId } : { userName, userId, item: step.item };
    const previous = actions[actions.length - 1]?.id ?? backupId;
    actions.push({
      id: `cleanup/${userName}/${String(index + 1).padStart(2, '0')}-${step.kind.replace(/^iam\./, '')}${step.item ? `/${step.item}` : ''}`,
      kind: step.kind,
      service: 'iam',
      target: `IAM user ${userName}`,
      risk: STEP_RISK[step.kind],
      preview: previewOf(step.kind, step.item),
      params,
      // One step after the other: IAM's order, and a failure stops the user where it happened.
      dependsOn: [previous],
      fingerprint: null,
      principal,
    });
  });
  return actions;
}

/**
 * Virtual MFA devices the backup names that the user no longer lists: deactivated by a cleanup that
 * stopped before deleting them. ListMFADevices shows only assigned devices, so without the backup they
 * would be left behind for good (IAM refuses to delete one assigned to anybody).
 */
function orphanedVirtualMfa(user: UserAttachments, backup: UserBackup | null): { kind: typeof CLEANUP_STEP.deleteVirtualMfa; item: string }[] {
  const listed = new Set(user.mfaDevices.map((d) => d.serialNumber));
  return (backup?.mfaDevices ?? []).filter((d) => d.type === 'virtual' && !listed.has(d.serialNumber)).map((d) => ({ kind: CLEANUP_STEP.deleteVirtualMfa, item: d.serialNumber }));
}

function previewOf(kind: string, item: string | undefined): string {
  const what: Record<string, string> = {
    [CLEANUP_STEP.loginProfile]: 'delete the console password (login profile)',
    [CLEANUP_STEP.accessKey]: `delete access key ${item}`,
    [CLEANUP_STEP.signingCertificate]: `delete signing certificate ${item}`,
    [CLEANUP_STEP.sshPublicKey]: `delete SSH public key ${item}`,
    [CLEANUP_STEP.serviceCredential]: `delete service-specific credential ${item}`,
    [CLEANUP_STEP.deactivateMfa]: `deactivate MFA device ${item}`,
    [CLEANUP_STEP.deleteVirtualMfa]: `delete virtual MFA device ${item}`,
    [CLEANUP_STEP.inlinePolicy]: `delete inline policy ${item}`,
    [CLEANUP_STEP.managedPolicy]: `detach ${item}`,
    [CLEANUP_STEP.group]: `remove from group ${item}`,
    [CLEANUP_STEP.boundary]: 'remove the permissions boundary',
    [CLEANUP_STEP.user]: 'delete the user',
  };
  return what[kind] ?? kind;
}

function describeDeletes(user: UserAttachments): string[] {
  const count = (n: number, what: string) => (n > 0 ? [`${n} ${what}`] : []);
  return [
    ...(user.loginProfile.existed ? ['console password'] : []),
    ...count(user.accessKeys.length, 'access key(s)'),
    ...count(user.signingCertificates.length, 'signing certificate(s)'),
    ...count(user.sshPublicKeys.length, 'SSH public key(s)'),
    ...count(user.serviceSpecificCredentials.length, 'service-specific credential(s)'),
    ...count(user.mfaDevices.length, 'MFA device(s)'),
    ...count(user.inlinePolicies.length, 'inline polic(ies)'),
    ...count(user.attachedPolicies.length, 'managed policy attachment(s)'),
    ...count(user.groups.length, 'group membership(s)'),
    ...(user.user.permissionsBoundary ? ['permissions boundary'] : []),
    'the user',
  ];
}

/** What restore cannot bring back: secrets IAM never shows again, and the identity itself. */
function describeUnrecoverable(user: UserAttachments): string[] {
  return [
    ...(user.loginProfile.existed ? ['the console password'] : []),
    ...(user.accessKeys.length > 0 ? [`the secret of ${user.accessKeys.length} access key(s)`] : []),
    ...(user.serviceSpecificCredentials.length > 0 ? ['the service-specific passwords'] : []),
    ...(user.mfaDevices.length > 0 ? [`the MFA seed(s) of ${user.mfaDevices.length} device(s)`] : []),
    `the UserId ${user.user.userId}: policies naming ${user.user.arn} will not match a re-created user`,
  ];
}
