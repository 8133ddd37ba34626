/**
 * Everything attached to one IAM user, as DeleteUser requires it gone and a backup must keep it:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html#id_users_deleting_cli
 * All lists are paginated; service-specific credentials are listed for every service at once.
 */
import {
  GetLoginProfileCommand,
  GetSSHPublicKeyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  paginateListUserPolicies,
  type ListServiceSpecificCredentialsCommandInput,
  type ListServiceSpecificCredentialsCommandOutput,
} from '@aws-sdk/client-iam';
import { createPaginator } from '@smithy/core';
import type { Paginator } from '@smithy/types';
import { decodePolicyDocument } from '../../model/decode-policy-document.js';
import type { UserBackup } from '../../workspace/user-backups.js';
import { listAccessKeys } from '../disable/read-iam-users.js';

/** What a user has, in the shape of its backup (without the backup's own bookkeeping). */
export type UserAttachments = Omit<UserBackup, 'schemaVersion' | 'accountId' | 'digest' | 'takenAt' | 'updatedAt'>;

// The SDK ships no paginator for this operation, although it pages with Marker / MaxItems like the others.
const paginateServiceSpecificCredentials: (config: { client: IAMClient }, input: ListServiceSpecificCredentialsCommandInput, ...rest: unknown[]) => Paginator<ListServiceSpecificCredentialsCommandOutput> =
  createPaginator(IAMClient, ListServiceSpecificCredentialsCommand, 'Marker', 'Marker', 'MaxItems');

/** Reads the user; null when no user has this name. */
export async function readUserAttachments(iam: IAMClient, userName: string, abortSignal?: AbortSignal): Promise<UserAttachments | null> {
  const options = { abortSignal };
  let user;
  try {
    user = (await iam.send(new GetUserCommand({ UserName: userName }), options)).User;
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw error;
  }
  if (!user?.UserId || !user.UserName) return null;
  const inlineNames = await collect(paginateListUserPolicies({ client: iam }, { UserName: userName }, options), (p) => p.PolicyNames ?? []);
  const inlinePolicies = await Promise.all(
    inlineNames.map(async (name) => {
      const { PolicyDocument } = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }), options);
      return { name, document: decodePolicyDocument(PolicyDocument ?? '') as unknown };
    }),
  );
  const attachedPolicies = await collect(paginateListAttachedUserPolicies({ client: iam }, { UserName: userName }, options), (p) =>
    (p.AttachedPolicies ?? []).map((a) => ({ name: a.PolicyName ?? '', arn: a.PolicyArn ?? '' })),
  );
  const groups = await collect(paginateListGroupsForUser({ client: iam }, { UserName: userName }, options), (p) => (p.Groups ?? []).map((g) => g.GroupName ?? ''));
  const sshIds = await collect(paginateListSSHPublicKeys({ client: iam }, { UserName: userName }, options), (p) => p.SSHPublicKeys ?? []);
  const sshPublicKeys = await Promise.all(
    sshIds.map(async (k) => {
      const { SSHPublicKey } = await iam.send(new GetSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: 'SSH' }), options);
      return { sshPublicKeyId: k.SSHPublicKeyId ?? '', status: k.Status ?? 'Active', body: SSHPublicKey?.SSHPublicKeyBody ?? '', uploadDate: k.UploadDate?.toISOString() ?? null };
    }),
  );
  const signingCertificates = await collect(paginateListSigningCertificates({ client: iam }, { UserName: userName }, options), (p) =>
    (p.Certificates ?? []).map((c) => ({ certificateId: c.CertificateId ?? '', status: c.Status ?? 'Active', body: c.CertificateBody ?? '', uploadDate: c.UploadDate?.toISOString() ?? null })),
  );
  const mfaDevices = await collect(paginateListMFADevices({ client: iam }, { UserName: userName }, options), (p) =>
    (p.MFADevices ?? []).map((d) => ({ serialNumber: d.SerialNumber ?? '', type: mfaType(d.SerialNumber ?? ''), enableDate: d.EnableDate?.toISOString() ?? null })),
  );
  const serviceSpecificCredentials = await listServiceSpecificCredentials(iam, userName, abortSignal);
  const accessKeys = (await listAccessKeys(iam, userName, abortSignal)).map((k) => ({ accessKeyId: k.accessKeyId, status: k.status, createDate: k.createDate }));
  return {
    user: {
      userName: user.UserName,
      userId: user.UserId,
      arn: user.Arn ?? '',
      path: user.Path ?? '/',
      createDate: user.CreateDate?.toISOString() ?? null,
      tags: (user.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
      permissionsBoundary: user.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    },
    inlinePolicies,
    attachedPolicies,
    groups,
    sshPublicKeys,
    signingCertificates,
    mfaDevices,
    accessKeys,
    serviceSpecificCredentials,
    loginProfile: await readLoginProfile(iam, userName, abortSignal),
  };
}

/** The user's service-specific credentials of every service (CodeCommit, Keyspaces, Bedrock…), paginated. */
export async function listServiceSpecificCredentials(iam: IAMClient, userName: string, abortSignal?: AbortSignal): Promise<UserAttachments['serviceSpecificCredentials']> {
  return collect(paginateServiceSpecificCredentials({ client: iam }, { UserName: userName }, { abortSignal }), (p) =>
    (p.ServiceSpecificCredentials ?? []).map((c) => ({ id: c.ServiceSpecificCredentialId ?? '', serviceName: c.ServiceName ?? '', serviceUserName: c.ServiceUserName ?? '', status: c.Status ?? 'Active' })),
  );
}

/**
 * Virtual MFA serials are ARNs with `:mfa/`, security keys (FIDO) ARNs with `:u2f/`; anything else is
 * a hardware token's serial. Only virtual devices can (and must) be deleted; the others are only deactivated.
 */
export function mfaType(serialNumber: string): 'virtual' | 'hardware' | 'security-key' {
  if (/^arn:[^:]+:iam::\d{12}:mfa\//.test(serialNumber)) return 'virtual';
  if (/^arn:[^:]+:iam::\d{12}:u2f\//.test(serialNumber)) return 'security-key';
  return 'hardware';
}

export function isNoSuchEntity(error: unknown): boolean {
  return error instanceof Error && error.name === 'NoSuchEntityException';
}

async function readLoginProfile(iam: IAMClient, userName: string, abortSignal?: AbortSignal): Promise<UserAttachments['loginProfile']> {
  try {
    const { LoginProfile } = await iam.send(new GetLoginProfileCommand({ UserName: userName }), { abortSignal });
    return { existed: true, passwordResetRequired: LoginProfile?.PasswordResetRequired ?? false };
  } catch (error) {
    if (isNoSuchEntity(error)) return { existed: false, passwordResetRequired: false };
    throw error;
  }
}

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  const result: T[] = [];
  for await (const page of pages) result.push(...items(page));
  return result;
}
