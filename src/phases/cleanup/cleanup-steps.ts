/**
 * The steps that take an IAM user apart, in the order DeleteUser needs:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html#id_users_deleting_cli
 * Each step says whether it is already done (re-reading IAM) and does its one call. NoSuchEntity
 * counts as done: what is gone needs no deleting. EntityTemporarilyUnmodifiable and
 * ConcurrentModification are retried with backoff (IAM is eventually consistent; another change to
 * the user is in flight); every other error ends the step.
 */
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachUserPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  paginateListVirtualMFADevices,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import pRetry from 'p-retry';
import { listAccessKeys } from '../disable/read-iam-users.js';
import { isNoSuchEntity, listServiceSpecificCredentials, type UserAttachments } from './read-user-attachments.js';

export const CLEANUP_STEP = {
  loginProfile: 'iam.DeleteLoginProfile',
  accessKey: 'iam.DeleteAccessKey',
  signingCertificate: 'iam.DeleteSigningCertificate',
  sshPublicKey: 'iam.DeleteSSHPublicKey',
  serviceCredential: 'iam.DeleteServiceSpecificCredential',
  deactivateMfa: 'iam.DeactivateMFADevice',
  deleteVirtualMfa: 'iam.DeleteVirtualMFADevice',
  inlinePolicy: 'iam.DeleteUserPolicy',
  managedPolicy: 'iam.DetachUserPolicy',
  group: 'iam.RemoveUserFromGroup',
  boundary: 'iam.DeleteUserPermissionsBoundary',
  user: 'iam.DeleteUser',
} as const;

export type CleanupStepKind = (typeof CLEANUP_STEP)[keyof typeof CLEANUP_STEP];

/** What a step acts on: the user, and the one thing of theirs (key ID, policy name, group…) or nothing. */
export interface StepParams {
  userName: string;
  userId: string;
  /** The key ID, certificate ID, SSH key ID, credential ID, MFA serial, policy name or ARN, or group name. */
  item?: string;
}

type Step = { isDone(iam: IAMClient, p: StepParams, signal?: AbortSignal): Promise<boolean>; call(iam: IAMClient, p: StepParams, signal?: AbortSignal): Promise<{ $metadata: { requestId?: string } }> };

const RETRYABLE = new Set(['EntityTemporarilyUnmodifiableException', 'ConcurrentModificationException']);

const item = (p: StepParams): string => p.item ?? '';
const opts = (signal?: AbortSignal) => ({ abortSignal: signal });

const STEPS: Record<CleanupStepKind, Step> = {
  [CLEANUP_STEP.loginProfile]: {
    isDone: (iam, p, s) => absent(() => iam.send(new GetLoginProfileCommand({ UserName: p.userName }), opts(s))),
    call: (iam, p, s) => iam.send(new DeleteLoginProfileCommand({ UserName: p.userName }), opts(s)),
  },
  [CLEANUP_STEP.accessKey]: {
    isDone: async (iam, p, s) => !(await listAccessKeys(iam, p.userName, s)).some((k) => k.accessKeyId === item(p)),
    call: (iam, p, s) => iam.send(new DeleteAccessKeyCommand({ UserName: p.userName, AccessKeyId: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.signingCertificate]: {
    isDone: async (iam, p, s) => !(await some(paginateListSigningCertificates({ client: iam }, { UserName: p.userName }, opts(s)), (pg) => (pg.Certificates ?? []).some((c) => c.CertificateId === item(p)))),
    call: (iam, p, s) => iam.send(new DeleteSigningCertificateCommand({ UserName: p.userName, CertificateId: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.sshPublicKey]: {
    isDone: async (iam, p, s) => !(await some(paginateListSSHPublicKeys({ client: iam }, { UserName: p.userName }, opts(s)), (pg) => (pg.SSHPublicKeys ?? []).some((k) => k.SSHPublicKeyId === item(p)))),
    call: (iam, p, s) => iam.send(new DeleteSSHPublicKeyCommand({ UserName: p.userName, SSHPublicKeyId: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.serviceCredential]: {
    isDone: async (iam, p, s) => !(await listServiceSpecificCredentials(iam, p.userName, s)).some((c) => c.id === item(p)),
    call: (iam, p, s) => iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: p.userName, ServiceSpecificCredentialId: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.deactivateMfa]: {
    isDone: async (iam, p, s) => !(await some(paginateListMFADevices({ client: iam }, { UserName: p.userName }, opts(s)), (pg) => (pg.MFADevices ?? []).some((d) => d.SerialNumber === item(p)))),
    call: (iam, p, s) => iam.send(new DeactivateMFADeviceCommand({ UserName: p.userName, SerialNumber: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.deleteVirtualMfa]: {
    // Once deactivated the device belongs to no user: it is found among the unassigned ones, or it is gone.
    // A user who is gone is a no-op, this step included: the GetUser below answers NoSuchEntity, which is done.
    isDone: async (iam, p, s) =>
      (await iam.send(new GetUserCommand({ UserName: p.userName }), opts(s))) !== undefined &&
      !(await some(paginateListVirtualMFADevices({ client: iam }, { AssignmentStatus: 'Any' }, opts(s)), (pg) => (pg.VirtualMFADevices ?? []).some((d) => d.SerialNumber === item(p)))),
    call: (iam, p, s) => iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.inlinePolicy]: {
    isDone: (iam, p, s) => absent(() => iam.send(new GetUserPolicyCommand({ UserName: p.userName, PolicyName: item(p) }), opts(s))),
    call: (iam, p, s) => iam.send(new DeleteUserPolicyCommand({ UserName: p.userName, PolicyName: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.managedPolicy]: {
    isDone: async (iam, p, s) => !(await some(paginateListAttachedUserPolicies({ client: iam }, { UserName: p.userName }, opts(s)), (pg) => (pg.AttachedPolicies ?? []).some((a) => a.PolicyArn === item(p)))),
    call: (iam, p, s) => iam.send(new DetachUserPolicyCommand({ UserName: p.userName, PolicyArn: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.group]: {
    isDone: async (iam, p, s) => !(await some(paginateListGroupsForUser({ client: iam }, { UserName: p.userName }, opts(s)), (pg) => (pg.Groups ?? []).some((g) => g.GroupName === item(p)))),
    call: (iam, p, s) => iam.send(new RemoveUserFromGroupCommand({ UserName: p.userName, GroupName: item(p) }), opts(s)),
  },
  [CLEANUP_STEP.boundary]: {
    isDone: async (iam, p, s) => (await iam.send(new GetUserCommand({ UserName: p.userName }), opts(s))).User?.PermissionsBoundary === undefined,
    call: (iam, p, s) => iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: p.userName }), opts(s)),
  },
  [CLEANUP_STEP.user]: {
    isDone: (iam, p, s) => absent(() => iam.send(new GetUserCommand({ UserName: p.userName }), opts(s))),
    call: (iam, p, s) => iam.send(new DeleteUserCommand({ UserName: p.userName }), opts(s)),
  },
};

/** Whether the step has nothing left to do; a user that no longer exists has nothing left at all. */
export async function isStepDone(iam: IAMClient, kind: CleanupStepKind, p: StepParams, signal?: AbortSignal): Promise<boolean> {
  try {
    return await STEPS[kind].isDone(iam, p, signal);
  } catch (error) {
    if (isNoSuchEntity(error)) return true;
    throw error;
  }
}

/** Does the step, retrying what IAM asks to retry; NoSuchEntity means it was already done. */
export async function runStep(iam: IAMClient, kind: CleanupStepKind, p: StepParams, signal?: AbortSignal, retry = DEFAULT_RETRY): Promise<{ requestId: string | null; alreadyGone: boolean }> {
  try {
    const output = await pRetry(() => STEPS[kind].call(iam, p, signal), {
      ...retry,
      signal,
      shouldRetry: (error) => RETRYABLE.has(error.name),
    });
    return { requestId: output.$metadata.requestId ?? null, alreadyGone: false };
  } catch (error) {
    if (isNoSuchEntity(error)) return { requestId: null, alreadyGone: true };
    throw error;
  }
}

/** How often and how patiently a step is retried when IAM says the user is busy. */
export interface RetrySettings {
  retries: number;
  minTimeout: number;
  maxTimeout: number;
  factor: number;
}

export const DEFAULT_RETRY: RetrySettings = { retries: 5, minTimeout: 500, maxTimeout: 8_000, factor: 2 };

/** The steps that take this user apart, in IAM's order, each with what it acts on. */
export function stepsFor(user: UserAttachments): { kind: CleanupStepKind; item?: string }[] {
  return [
    ...(user.loginProfile.existed ? [{ kind: CLEANUP_STEP.loginProfile }] : []),
    ...user.accessKeys.map((k) => ({ kind: CLEANUP_STEP.accessKey, item: k.accessKeyId })),
    ...user.signingCertificates.map((c) => ({ kind: CLEANUP_STEP.signingCertificate, item: c.certificateId })),
    ...user.sshPublicKeys.map((k) => ({ kind: CLEANUP_STEP.sshPublicKey, item: k.sshPublicKeyId })),
    ...user.serviceSpecificCredentials.map((c) => ({ kind: CLEANUP_STEP.serviceCredential, item: c.id })),
    ...user.mfaDevices.flatMap((d) => [
      { kind: CLEANUP_STEP.deactivateMfa, item: d.serialNumber },
      ...(d.type === 'virtual' ? [{ kind: CLEANUP_STEP.deleteVirtualMfa, item: d.serialNumber }] : []),
    ]),
    ...user.inlinePolicies.map((p) => ({ kind: CLEANUP_STEP.inlinePolicy, item: p.name })),
    ...user.attachedPolicies.map((p) => ({ kind: CLEANUP_STEP.managedPolicy, item: p.arn })),
    ...user.groups.map((g) => ({ kind: CLEANUP_STEP.group, item: g })),
    ...(user.user.permissionsBoundary !== null ? [{ kind: CLEANUP_STEP.boundary }] : []),
  ];
}

async function absent(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (error) {
    if (isNoSuchEntity(error)) return true;
    throw error;
  }
}

async function some<P>(pages: AsyncIterable<P>, test: (page: P) => boolean): Promise<boolean> {
  for await (const page of pages) if (test(page)) return true;
  return false;
}
