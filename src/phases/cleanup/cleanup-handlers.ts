/**
 * The actions of cleanup: one backup, then one action per deletion step, chained so that a user's
 * steps run in IAM's order and a failed one stops that user there. The backup re-reads the user right
 * before the first deletion, refuses a user who is not the one planned, and merges what it finds into
 * the backup already on disk, so that a resumed run never loses what an earlier one saved.
 */
import { createHash } from 'node:crypto';
import type { IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { Fault } from '../../errors.js';
import { IAM_USER_NAME, iamUserId, iamUserName } from '../../model/iam-identifiers.js';
import { ActionRegistry, kindMap, TARGET_GONE, type ActionHandler, type ActionKind, type ApplyOutcome, type Risk } from '../../plan/plan-types.js';
import type { FileSealer, FileTrust } from '../../workspace/file-seals.js';
import { readUserBackup, USER_BACKUP_VERSION, writeUserBackup, type UserBackupContent } from '../../workspace/user-backups.js';
import type { Workspace } from '../../workspace/workspace.js';
import { CLEANUP_STEP, isStepDone, runStep, stepsFor, type CleanupStepKind, type RetrySettings, type StepParams } from './cleanup-steps.js';
import { readUserAttachments, type UserAttachments } from './read-user-attachments.js';

export const BACKUP_KIND = 'workspace.BackupIamUser';

export interface CleanupContext {
  iam: IAMClient;
  workspace: Workspace;
  accountId: string;
  now: () => Date;
  /** What a backup already on disk is checked against before it is merged into. */
  trust: FileTrust;
  /** The run holding the workspace, which records each backup's digest; null on a dry-run, which writes none. */
  sealer: FileSealer | null;
  /** Tests shorten the waits. */
  retry?: RetrySettings;
}

const backupParams = z.strictObject({
  userName: iamUserName,
  userId: iamUserId,
  /** The credentials the user had when planned: a user with any other is refused. */
  credentials: z.array(z.string().min(1)),
});
const stepParams = z.strictObject({ userName: iamUserName, userId: iamUserId, item: z.string().min(1).max(2048).optional() });

export type BackupParams = z.infer<typeof backupParams>;

/** Every cleanup action changes the IAM user its parameters name. */
const principalOf = (p: { userName: string; userId: string }) => ({ userName: p.userName, userId: p.userId });

/** What cannot come back, by step: the preview lists it apart, and restore says it again. */
export const STEP_RISK: Record<CleanupStepKind, Risk> = {
  [CLEANUP_STEP.loginProfile]: 'irreversible',
  [CLEANUP_STEP.accessKey]: 'irreversible',
  [CLEANUP_STEP.signingCertificate]: 'destructive',
  [CLEANUP_STEP.sshPublicKey]: 'destructive',
  [CLEANUP_STEP.serviceCredential]: 'irreversible',
  [CLEANUP_STEP.deactivateMfa]: 'irreversible',
  [CLEANUP_STEP.deleteVirtualMfa]: 'irreversible',
  [CLEANUP_STEP.inlinePolicy]: 'destructive',
  [CLEANUP_STEP.managedPolicy]: 'destructive',
  [CLEANUP_STEP.group]: 'destructive',
  [CLEANUP_STEP.boundary]: 'destructive',
  [CLEANUP_STEP.user]: 'irreversible',
};

/** The credentials of a user, as IDs: a new key, certificate, SSH key, MFA device or password is a change. */
export function credentialIds(user: UserAttachments): string[] {
  return [
    ...user.accessKeys.map((k) => `key:${k.accessKeyId}`),
    ...user.signingCertificates.map((c) => `certificate:${c.certificateId}`),
    ...user.sshPublicKeys.map((k) => `ssh:${k.sshPublicKeyId}`),
    ...user.serviceSpecificCredentials.map((c) => `service-credential:${c.id}`),
    ...user.mfaDevices.map((d) => `mfa:${d.serialNumber}`),
    ...(user.loginProfile.existed ? ['login-profile'] : []),
  ].sort();
}

export function cleanupFingerprint(userId: string, credentials: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify([userId, [...credentials].sort()])).digest('hex').slice(0, 16);
}

export function createCleanupRegistry(context: CleanupContext): ActionRegistry<CleanupContext> {
  return new ActionRegistry(context).registerAll(cleanupHandlers());
}

/** What the actions of cleanup mean, for checking a saved plan before any AWS call. */
export function cleanupKinds(): ReadonlyMap<string, ActionKind> {
  return kindMap(cleanupHandlers());
}

function cleanupHandlers(): ActionHandler<unknown, CleanupContext>[] {
  const steps = Object.values(CLEANUP_STEP).map((kind) => (kind === CLEANUP_STEP.user ? deleteUserHandler : stepHandler(kind)));
  return [backupHandler, ...steps] as ActionHandler<unknown, CleanupContext>[];
}

const backupHandler: ActionHandler<BackupParams, CleanupContext> = {
  kind: BACKUP_KIND,
  // Its own lane: a backup (IAM reads and a local file) never waits behind another user's deletions.
  service: 'workspace',
  params: backupParams,
  principalOf,
  backup: 'takes',
  risk: 'read',
  // Always taken (merged): it is the last look at the user before the first deletion.
  isDone: async () => false,
  async apply(p, c, signal) {
    const current = await readUserAttachments(c.iam, userName(p), signal);
    if (current === null) return { requestId: null, detail: 'the user no longer exists: nothing to back up or delete' };
    if (current.user.userId !== p.userId) {
      throw new Fault('USER_RECREATED', `${p.userName} is another user now (UserId ${current.user.userId}, planned as ${p.userId}).`, 'Plan the cleanup again: the user planned is gone, and the new one was never disabled.');
    }
    const added = credentialIds(current).filter((id) => !p.credentials.includes(id));
    if (added.length > 0) {
      throw new Fault('USER_CHANGED', `${p.userName} has credentials the plan did not see: ${added.join(', ')}.`, 'Someone is still using this user: find out why, then plan the cleanup again.');
    }
    const path = await saveBackup(c, current);
    return { requestId: null, detail: `backup in ${path}` };
  },
  async fingerprint(p, c, signal) {
    const current = await readUserAttachments(c.iam, userName(p), signal);
    if (current === null) return TARGET_GONE;
    // Credentials the run itself deleted are fine; any new one, or another user, is a change.
    const unchanged = current.user.userId === p.userId && credentialIds(current).every((id) => p.credentials.includes(id));
    return unchanged ? cleanupFingerprint(p.userId, p.credentials) : cleanupFingerprint(current.user.userId, credentialIds(current));
  },
};

function stepHandler(kind: Exclude<CleanupStepKind, typeof CLEANUP_STEP.user>): ActionHandler<StepParams, CleanupContext> {
  return {
    kind,
    service: 'iam',
    params: stepParams,
    principalOf,
    backup: 'needs',
    risk: STEP_RISK[kind],
    isDone: async (p, c, signal) => isStepDone(c.iam, kind, checked(p), signal),
    apply: async (p, c, signal) => outcomeOf(await runStep(c.iam, kind, checked(p), signal, c.retry)),
  };
}

/**
 * DeleteUser, and the one second chance IAM's DeleteConflict calls for: something was attached after
 * the plan (or IAM's eventual consistency showed it late). The user is read again, what was found is
 * added to the backup first, the remaining steps run in order, and DeleteUser is tried once more; a
 * second conflict reports what remains.
 */
const deleteUserHandler: ActionHandler<StepParams, CleanupContext> = {
  kind: CLEANUP_STEP.user,
  service: 'iam',
  params: stepParams,
  principalOf,
  backup: 'needs',
  risk: STEP_RISK[CLEANUP_STEP.user],
  isDone: async (p, c, signal) => isStepDone(c.iam, CLEANUP_STEP.user, checked(p), signal),
  async apply(p, c, signal) {
    try {
      return outcomeOf(await runStep(c.iam, CLEANUP_STEP.user, checked(p), signal, c.retry));
    } catch (error) {
      if (!isDeleteConflict(error)) throw error;
    }
    const remaining = await readUserAttachments(c.iam, p.userName, signal);
    if (remaining === null) return { requestId: null, detail: 'already gone' };
    if (remaining.user.userId !== p.userId) throw new Fault('USER_RECREATED', `${p.userName} was re-created during the cleanup (UserId ${remaining.user.userId}).`, 'Plan the cleanup again.');
    await saveBackup(c, remaining);
    for (const step of stepsFor(remaining)) await runStep(c.iam, step.kind, { ...p, item: step.item }, signal, c.retry);
    try {
      return { ...outcomeOf(await runStep(c.iam, CLEANUP_STEP.user, p, signal, c.retry)), detail: 'deleted after removing what was attached since the plan' };
    } catch (error) {
      if (!isDeleteConflict(error)) throw error;
      const left = await readUserAttachments(c.iam, p.userName, signal);
      const what = left ? stepsFor(left).map((s) => `${s.kind}${s.item ? ` ${s.item}` : ''}`) : [];
      throw new Fault('DELETE_CONFLICT', `${p.userName} still has attachments IAM will not let go of: ${what.join(', ') || 'none that IAM lists'}.`, 'Remove them by hand (or wait for IAM to settle), then run cleanup again.', { cause: error });
    }
  },
};

/** Adds what the user has now to the backup on disk (never removing what an earlier look saved). */
async function saveBackup(c: CleanupContext, current: UserAttachments): Promise<string> {
  if (c.sealer === null) throw new Fault('BACKUP_UNSEALED', `A backup of ${current.user.userName} was to be written without a run holding the workspace.`, 'This is a bug in iam2idc: please report it.');
  // A backup already there is built on only if this workspace wrote it: an edited one is refused, not merged.
  const existing = await readUserBackup(c.workspace, current.user.userName, current.user.userId, c.trust);
  const now = c.now().toISOString();
  const merged: UserBackupContent = {
    schemaVersion: USER_BACKUP_VERSION,
    accountId: c.accountId,
    takenAt: existing?.takenAt ?? now,
    updatedAt: now,
    user: existing ? { ...current.user, tags: union(existing.user.tags, current.user.tags, (t) => t.key), permissionsBoundary: current.user.permissionsBoundary ?? existing.user.permissionsBoundary } : current.user,
    inlinePolicies: union(existing?.inlinePolicies, current.inlinePolicies, (x) => x.name),
    attachedPolicies: union(existing?.attachedPolicies, current.attachedPolicies, (x) => x.arn),
    groups: union(existing?.groups, current.groups, (x) => x),
    sshPublicKeys: union(existing?.sshPublicKeys, current.sshPublicKeys, (x) => x.sshPublicKeyId),
    signingCertificates: union(existing?.signingCertificates, current.signingCertificates, (x) => x.certificateId),
    mfaDevices: union(existing?.mfaDevices, current.mfaDevices, (x) => x.serialNumber),
    accessKeys: union(existing?.accessKeys, current.accessKeys, (x) => x.accessKeyId),
    serviceSpecificCredentials: union(existing?.serviceSpecificCredentials, current.serviceSpecificCredentials, (x) => x.id),
    loginProfile: existing?.loginProfile.existed ? existing.loginProfile : current.loginProfile,
  };
  return writeUserBackup(c.workspace, merged, c.sealer);
}

/** The earlier entries first (as they were before anything was deleted), then the new ones. */
function union<T>(earlier: readonly T[] | undefined, now: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of [...(earlier ?? []), ...now]) if (!byKey.has(key(item))) byKey.set(key(item), item);
  return [...byKey.values()];
}

function outcomeOf(result: { requestId: string | null; alreadyGone: boolean }): ApplyOutcome {
  return result.alreadyGone ? { requestId: null, detail: 'already gone' } : { requestId: result.requestId };
}

function isDeleteConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'DeleteConflictException';
}

/** The user name, checked before it goes into any request (an empty one would make IAM act on the caller). */
function userName(p: { userName: string }): string {
  if (!IAM_USER_NAME.test(p.userName)) throw new Fault('EMPTY_USER_NAME', `Refusing an IAM call with the user name "${p.userName}".`, 'This is a bug in iam2idc: a plan must name a valid IAM user. Please report it.');
  return p.userName;
}

function checked(p: StepParams): StepParams {
  userName(p);
  return p;
}
