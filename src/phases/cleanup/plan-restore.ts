/**
 * The restore plan: a deleted user re-created from its backup, with everything IAM lets us recreate.
 * What it cannot recreate (secrets and the identity itself) is listed, with what to do instead.
 */
import type { PlannedAction } from '../../plan/plan-types.js';
import type { UserBackup } from '../../workspace/user-backups.js';
import { DENY_ALL_POLICY_NAME } from '../disable/retire-handlers.js';
import { RESTORE_KIND, type AttachPolicyParams, type CreateUserParams, type GroupParams, type PutPolicyParams, type UploadParams } from './restore-handlers.js';

export interface RestoreDecision {
  userName: string;
  /** The UserId of the deleted user (the new one gets another). */
  formerUserId: string;
  status: 'planned' | 'resumed' | 'excluded';
  exclusion: string | null;
  backupTakenAt: string;
  restores: string[];
  /** What cannot come back, each with what the operator does instead. */
  cannotRestore: { what: string; instead: string }[];
}

/** The user of the backup's name as it is now: absent, restored by iam2idc (from which UserId), or someone else. */
export type CurrentUser = { userId: string; restoredFrom: string | null } | null;

/**
 * The deny policies iam2idc itself added to each user (by former UserId): a restore re-creates the
 * user as it was before disable, not iam2idc's switch. The user has no credentials afterwards anyway.
 */
export type AddedDenyPolicies = ReadonlyMap<string, { inline: string | null; managed: string | null }>;

export function planRestore(backups: readonly UserBackup[], current: ReadonlyMap<string, CurrentUser>, addedDeny: AddedDenyPolicies = new Map()): { actions: PlannedAction[]; decisions: RestoreDecision[] } {
  const actions: PlannedAction[] = [];
  const decisions: RestoreDecision[] = [];
  for (const backup of [...backups].sort((a, b) => a.user.userName.localeCompare(b.user.userName))) {
    const now = current.get(backup.user.userName) ?? null;
    const decision: RestoreDecision = {
      userName: backup.user.userName,
      formerUserId: backup.user.userId,
      status: now === null ? 'planned' : 'resumed',
      exclusion: null,
      backupTakenAt: backup.takenAt,
      restores: describeRestores(backup),
      cannotRestore: cannotRestore(backup),
    };
    if (now !== null && now.restoredFrom !== backup.user.userId) {
      decisions.push({ ...decision, status: 'excluded', exclusion: now.userId === backup.user.userId ? 'the user was never deleted' : 'another user of this name exists (not restored by iam2idc)' });
      continue;
    }
    const restorable = withoutIam2idcDeny(backup, addedDeny.get(backup.user.userId));
    decisions.push({ ...decision, restores: describeRestores(restorable) });
    actions.push(...actionsOf(restorable));
  }
  return { actions, decisions };
}

/**
 * Every action the backups allow, whatever exists now: a saved restore plan may hold these and
 * nothing else, so an edited plan can never grant more than the backups recorded at cleanup.
 */
export function restorableActions(backups: readonly UserBackup[], addedDeny: AddedDenyPolicies = new Map()): PlannedAction[] {
  return backups.flatMap((backup) => actionsOf(withoutIam2idcDeny(backup, addedDeny.get(backup.user.userId))));
}

function withoutIam2idcDeny(backup: UserBackup, added: { inline: string | null; managed: string | null } | undefined): UserBackup {
  return {
    ...backup,
    inlinePolicies: backup.inlinePolicies.filter((p) => p.name !== DENY_ALL_POLICY_NAME && p.name !== added?.inline),
    attachedPolicies: backup.attachedPolicies.filter((p) => p.arn !== added?.managed),
  };
}

function actionsOf(backup: UserBackup): PlannedAction[] {
  const { userName } = backup.user;
  const principal = { userName, userId: null };
  const createId = `restore/${userName}/create-user`;
  const common = { service: 'iam', target: `IAM user ${userName}`, risk: 'broadening' as const, fingerprint: null, principal };
  const create: CreateUserParams = { userName, restoredFrom: backup.user.userId, path: backup.user.path, tags: backup.user.tags, permissionsBoundary: backup.user.permissionsBoundary };
  const after = { ...common, dependsOn: [createId] };
  return [
    { ...common, id: createId, kind: RESTORE_KIND.createUser, preview: `create the user (path ${backup.user.path}${backup.user.permissionsBoundary ? ', with its permissions boundary' : ''})`, params: create, dependsOn: [] },
    ...backup.inlinePolicies.map((p): PlannedAction<PutPolicyParams> => ({ ...after, id: `restore/${userName}/inline/${p.name}`, kind: RESTORE_KIND.putPolicy, preview: `put inline policy ${p.name}`, params: { userName, policyName: p.name, document: p.document } })),
    ...backup.attachedPolicies.map((p): PlannedAction<AttachPolicyParams> => ({ ...after, id: `restore/${userName}/managed/${p.arn}`, kind: RESTORE_KIND.attachPolicy, preview: `attach ${p.arn}`, params: { userName, policyArn: p.arn } })),
    ...backup.groups.map((g): PlannedAction<GroupParams> => ({ ...after, id: `restore/${userName}/group/${g}`, kind: RESTORE_KIND.addToGroup, preview: `add to group ${g}`, params: { userName, groupName: g } })),
    ...backup.sshPublicKeys.map((k): PlannedAction<UploadParams> => ({ ...after, id: `restore/${userName}/ssh/${k.sshPublicKeyId}`, kind: RESTORE_KIND.uploadSshKey, preview: `upload SSH public key (was ${k.sshPublicKeyId}, ${k.status})`, params: { userName, body: k.body, status: k.status } })),
    ...backup.signingCertificates.map((c): PlannedAction<UploadParams> => ({ ...after, id: `restore/${userName}/certificate/${c.certificateId}`, kind: RESTORE_KIND.uploadCertificate, preview: `upload signing certificate (was ${c.certificateId}, ${c.status})`, params: { userName, body: c.body, status: c.status } })),
  ];
}

function describeRestores(b: UserBackup): string[] {
  const count = (n: number, what: string) => (n > 0 ? [`${n} ${what}`] : []);
  return [
    `the user (path ${b.user.path}, ${b.user.tags.length} tag(s)${b.user.permissionsBoundary ? ', permissions boundary' : ''})`,
    ...count(b.inlinePolicies.length, 'inline polic(ies)'),
    ...count(b.attachedPolicies.length, 'managed polic(ies)'),
    ...count(b.groups.length, 'group membership(s)'),
    ...count(b.sshPublicKeys.length, 'SSH public key(s)'),
    ...count(b.signingCertificates.length, 'signing certificate(s)'),
  ];
}

function cannotRestore(b: UserBackup): RestoreDecision['cannotRestore'] {
  const user = b.user.userName;
  return [
    ...(b.accessKeys.length > 0
      ? [{ what: `${b.accessKeys.length} access key(s) (${b.accessKeys.map((k) => k.accessKeyId).join(', ')}): secrets are never shown again`, instead: `aws iam create-access-key --user-name ${user}, and hand the new key to its owner` }]
      : []),
    ...(b.loginProfile.existed ? [{ what: 'the console password', instead: `aws iam create-login-profile --user-name ${user} --password '<temporary>' --password-reset-required` }] : []),
    ...(b.mfaDevices.length > 0 ? [{ what: `${b.mfaDevices.length} MFA device(s) (${b.mfaDevices.map((d) => `${d.type} ${d.serialNumber}`).join(', ')}): their seeds are gone`, instead: 'the person enables a new MFA device (IAM console, Security credentials)' }] : []),
    ...(b.serviceSpecificCredentials.length > 0 ? [{ what: `service-specific credentials for ${[...new Set(b.serviceSpecificCredentials.map((c) => c.serviceName))].join(', ')}`, instead: `aws iam create-service-specific-credential --user-name ${user} --service-name <service>` }] : []),
    { what: `the UserId ${b.user.userId}`, instead: `re-save resource policies (bucket, key, role trust…) that name ${b.user.arn}: they now point at the old, deleted user` },
  ];
}
