/**
 * The actions of restore: re-create a deleted IAM user from its backup. The new user carries the tag
 * `iam2idc:restored-from=<old UserId>`, so that a restore interrupted after CreateUser recognises
 * its own user on the next run, and never mistakes someone else's user of the same name for it.
 */
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateUserCommand,
  GetSSHPublicKeyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  PutUserPolicyCommand,
  UpdateSigningCertificateCommand,
  UpdateSSHPublicKeyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { Fault } from '../../errors.js';
import { IAM_USER_NAME, iamUserId, iamUserName } from '../../model/iam-identifiers.js';
import { ActionRegistry, kindMap, type ActionHandler, type ActionKind } from '../../plan/plan-types.js';
import { isNoSuchEntity } from './read-user-attachments.js';

export const RESTORED_FROM_TAG = 'iam2idc:restored-from';

export const RESTORE_KIND = {
  createUser: 'iam.CreateUser',
  putPolicy: 'iam.PutUserPolicy',
  attachPolicy: 'iam.AttachUserPolicy',
  addToGroup: 'iam.AddUserToGroup',
  uploadSshKey: 'iam.UploadSSHPublicKey',
  uploadCertificate: 'iam.UploadSigningCertificate',
} as const;

export interface RestoreContext {
  iam: IAMClient;
}

const createUserParams = z.strictObject({
  userName: iamUserName,
  /** The UserId of the deleted user, written into the restored-from tag. */
  restoredFrom: iamUserId,
  path: z.string().startsWith('/').endsWith('/'),
  tags: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  permissionsBoundary: z.string().startsWith('arn:').nullable(),
});
const putPolicyParams = z.strictObject({ userName: iamUserName, policyName: z.string().min(1).max(128), document: z.unknown() });
const attachPolicyParams = z.strictObject({ userName: iamUserName, policyArn: z.string().startsWith('arn:') });
const groupParams = z.strictObject({ userName: iamUserName, groupName: z.string().min(1).max(128) });
const uploadParams = z.strictObject({ userName: iamUserName, body: z.string().min(1), status: z.string().min(1) });

export type CreateUserParams = z.infer<typeof createUserParams>;
export type PutPolicyParams = z.infer<typeof putPolicyParams>;
export type AttachPolicyParams = z.infer<typeof attachPolicyParams>;
export type GroupParams = z.infer<typeof groupParams>;
export type UploadParams = z.infer<typeof uploadParams>;

/** Every restore action grants again, on the user its parameters name (whose new UserId is not known before). */
const onUser = { service: 'iam', risk: 'broadening', principalOf: (p: { userName: string }) => ({ userName: p.userName, userId: null }) } as const;

export function createRestoreRegistry(context: RestoreContext): ActionRegistry<RestoreContext> {
  return new ActionRegistry(context).registerAll(restoreHandlers());
}

/** What the actions of restore mean, for checking a saved plan before any AWS call. */
export function restoreKinds(): ReadonlyMap<string, ActionKind> {
  return kindMap(restoreHandlers());
}

function restoreHandlers(): ActionHandler<unknown, RestoreContext>[] {
  return [createUser, putPolicy, attachPolicy, addToGroup, uploadSshKey, uploadCertificate] as ActionHandler<unknown, RestoreContext>[];
}

/** The UserId of the user of this name and its restored-from tag, or null when there is none. */
export async function currentUser(iam: IAMClient, userName: string, signal?: AbortSignal): Promise<{ userId: string; restoredFrom: string | null } | null> {
  try {
    const { User } = await iam.send(new GetUserCommand({ UserName: checked(userName) }), { abortSignal: signal });
    return { userId: User?.UserId ?? '', restoredFrom: User?.Tags?.find((t) => t.Key === RESTORED_FROM_TAG)?.Value ?? null };
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw error;
  }
}

const createUser: ActionHandler<CreateUserParams, RestoreContext> = {
  kind: RESTORE_KIND.createUser,
  ...onUser,
  params: createUserParams,
  async isDone(p, c, signal) {
    const user = await currentUser(c.iam, p.userName, signal);
    if (user === null) return false;
    if (user.restoredFrom === p.restoredFrom) return true;
    throw new Fault('USER_EXISTS', `A user named ${p.userName} exists and was not restored by iam2idc.`, 'Restore would mix the backup into another user: rename or delete that user first.');
  },
  async apply(p, c, signal) {
    const tags = [...p.tags.filter((t) => t.key !== RESTORED_FROM_TAG), { key: RESTORED_FROM_TAG, value: p.restoredFrom }];
    const output = await c.iam.send(
      new CreateUserCommand({
        UserName: checked(p.userName),
        Path: p.path,
        Tags: tags.map((t) => ({ Key: t.key, Value: t.value })),
        ...(p.permissionsBoundary ? { PermissionsBoundary: p.permissionsBoundary } : {}),
      }),
      { abortSignal: signal },
    );
    return { requestId: output.$metadata.requestId ?? null, detail: `new UserId ${output.User?.UserId ?? '?'}` };
  },
};

const putPolicy: ActionHandler<PutPolicyParams, RestoreContext> = {
  kind: RESTORE_KIND.putPolicy,
  ...onUser,
  params: putPolicyParams,
  async isDone(p, c, signal) {
    try {
      await c.iam.send(new GetUserPolicyCommand({ UserName: checked(p.userName), PolicyName: p.policyName }), { abortSignal: signal });
      return true;
    } catch (error) {
      if (isNoSuchEntity(error)) return false;
      throw error;
    }
  },
  async apply(p, c, signal) {
    const output = await c.iam.send(new PutUserPolicyCommand({ UserName: checked(p.userName), PolicyName: p.policyName, PolicyDocument: JSON.stringify(p.document) }), { abortSignal: signal });
    return { requestId: output.$metadata.requestId ?? null };
  },
};

const attachPolicy: ActionHandler<AttachPolicyParams, RestoreContext> = {
  kind: RESTORE_KIND.attachPolicy,
  ...onUser,
  params: attachPolicyParams,
  isDone: async (p, c, signal) => some(paginateListAttachedUserPolicies({ client: c.iam }, { UserName: checked(p.userName) }, { abortSignal: signal }), (pg) => (pg.AttachedPolicies ?? []).some((a) => a.PolicyArn === p.policyArn)),
  async apply(p, c, signal) {
    const output = await c.iam.send(new AttachUserPolicyCommand({ UserName: checked(p.userName), PolicyArn: p.policyArn }), { abortSignal: signal });
    return { requestId: output.$metadata.requestId ?? null };
  },
};

const addToGroup: ActionHandler<GroupParams, RestoreContext> = {
  kind: RESTORE_KIND.addToGroup,
  ...onUser,
  params: groupParams,
  isDone: async (p, c, signal) => some(paginateListGroupsForUser({ client: c.iam }, { UserName: checked(p.userName) }, { abortSignal: signal }), (pg) => (pg.Groups ?? []).some((g) => g.GroupName === p.groupName)),
  async apply(p, c, signal) {
    const output = await c.iam.send(new AddUserToGroupCommand({ UserName: checked(p.userName), GroupName: p.groupName }), { abortSignal: signal });
    return { requestId: output.$metadata.requestId ?? null };
  },
};

const uploadSshKey: ActionHandler<UploadParams, RestoreContext> = {
  kind: RESTORE_KIND.uploadSshKey,
  ...onUser,
  params: uploadParams,
  // Done only with the body and the status of the backup: a key uploaded while its status update failed is not.
  isDone: async (p, c, signal) => (await findSshKey(c.iam, p, signal))?.status === p.status,
  async apply(p, c, signal) {
    const existing = await findSshKey(c.iam, p, signal);
    let id = existing?.id;
    let requestId: string | null = null;
    if (id === undefined) {
      const output = await c.iam.send(new UploadSSHPublicKeyCommand({ UserName: checked(p.userName), SSHPublicKeyBody: p.body }), { abortSignal: signal });
      id = output.SSHPublicKey?.SSHPublicKeyId;
      requestId = output.$metadata.requestId ?? null;
    }
    if (id && p.status === 'Inactive' && existing?.status !== 'Inactive') {
      await c.iam.send(new UpdateSSHPublicKeyCommand({ UserName: checked(p.userName), SSHPublicKeyId: id, Status: 'Inactive' }), { abortSignal: signal });
    }
    return { requestId, detail: id ? `SSH key ID ${id}` : undefined };
  },
};

const uploadCertificate: ActionHandler<UploadParams, RestoreContext> = {
  kind: RESTORE_KIND.uploadCertificate,
  ...onUser,
  params: uploadParams,
  isDone: async (p, c, signal) => (await findCertificate(c.iam, p, signal))?.status === p.status,
  async apply(p, c, signal) {
    const existing = await findCertificate(c.iam, p, signal);
    let id = existing?.id;
    let requestId: string | null = null;
    if (id === undefined) {
      const output = await c.iam.send(new UploadSigningCertificateCommand({ UserName: checked(p.userName), CertificateBody: p.body }), { abortSignal: signal });
      id = output.Certificate?.CertificateId;
      requestId = output.$metadata.requestId ?? null;
    }
    if (id && p.status === 'Inactive' && existing?.status !== 'Inactive') {
      await c.iam.send(new UpdateSigningCertificateCommand({ UserName: checked(p.userName), CertificateId: id, Status: 'Inactive' }), { abortSignal: signal });
    }
    return { requestId, detail: id ? `certificate ID ${id}` : undefined };
  },
};

/** The user's SSH key with this body, if one was uploaded already. */
async function findSshKey(iam: IAMClient, p: UploadParams, signal: AbortSignal): Promise<{ id: string; status: string } | null> {
  for await (const page of paginateListSSHPublicKeys({ client: iam }, { UserName: checked(p.userName) }, { abortSignal: signal })) {
    for (const key of page.SSHPublicKeys ?? []) {
      const { SSHPublicKey } = await iam.send(new GetSSHPublicKeyCommand({ UserName: p.userName, SSHPublicKeyId: key.SSHPublicKeyId, Encoding: 'SSH' }), { abortSignal: signal });
      if (sameBody(SSHPublicKey?.SSHPublicKeyBody, p.body)) return { id: key.SSHPublicKeyId ?? '', status: key.Status ?? 'Active' };
    }
  }
  return null;
}

/** The user's signing certificate with this body, if one was uploaded already. */
async function findCertificate(iam: IAMClient, p: UploadParams, signal: AbortSignal): Promise<{ id: string; status: string } | null> {
  for await (const page of paginateListSigningCertificates({ client: iam }, { UserName: checked(p.userName) }, { abortSignal: signal })) {
    const certificate = (page.Certificates ?? []).find((c) => sameBody(c.CertificateBody, p.body));
    if (certificate) return { id: certificate.CertificateId ?? '', status: certificate.Status ?? 'Active' };
  }
  return null;
}

function sameBody(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}

function checked(userName: string): string {
  if (!IAM_USER_NAME.test(userName)) throw new Fault('EMPTY_USER_NAME', `Refusing an IAM call with the user name "${userName}".`, 'This is a bug in iam2idc: please report it.');
  return userName;
}

async function some<P>(pages: AsyncIterable<P>, test: (page: P) => boolean): Promise<boolean> {
  for await (const page of pages) if (test(page)) return true;
  return false;
}
