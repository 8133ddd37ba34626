/**
 * The one stateful IAM of the unit tests, for disable, enable, cleanup and restore: users with their
 * keys (and when each was last used) and every kind of attachment DeleteUser needs gone, installed on
 * `mocks.iam`. What the mutating calls change is what the reads answer afterwards;
 * DeleteUser answers DeleteConflict while anything is still attached, and a virtual MFA device cannot
 * be deleted while it is assigned, as in IAM. Every call (reads included) is logged with a copy of its
 * input taken when it was sent: the SDK's paginators reuse one input object for every page.
 *
 * The fake also answers with secrets IAM would never list (a key's secret, the console password, a
 * service password, an MFA seed), in fields the code must not copy, so that tests can check that none
 * of them ends up in a file.
 */
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateUserCommand,
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
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetLoginProfileCommand,
  GetSSHPublicKeyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  ListVirtualMFADevicesCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateAccessKeyCommand,
  UpdateSigningCertificateCommand,
  UpdateSSHPublicKeyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT_ID, awsError } from './builders.js';

export const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const AWS_DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
export const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/people-boundary`;
export const DENY_ALL_NAME = 'iam2idc-deny-all';
export const DENY_ALL_DOC = { Version: '2012-10-17', Statement: [{ Sid: 'Iam2idcDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] };
export const LEGACY_DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }] };

/** The mutating commands of disable, enable, cleanup and restore. */
export const MUTATING = new Set([
  'UpdateAccessKeyCommand',
  'DeleteLoginProfileCommand',
  'DeleteAccessKeyCommand',
  'DeleteSigningCertificateCommand',
  'DeleteSSHPublicKeyCommand',
  'DeleteServiceSpecificCredentialCommand',
  'DeactivateMFADeviceCommand',
  'DeleteVirtualMFADeviceCommand',
  'DeleteUserPolicyCommand',
  'DetachUserPolicyCommand',
  'RemoveUserFromGroupCommand',
  'DeleteUserPermissionsBoundaryCommand',
  'DeleteUserCommand',
  'CreateUserCommand',
  'PutUserPolicyCommand',
  'AttachUserPolicyCommand',
  'AddUserToGroupCommand',
  'UploadSSHPublicKeyCommand',
  'UpdateSSHPublicKeyCommand',
  'UploadSigningCertificateCommand',
  'UpdateSigningCertificateCommand',
]);

type Status = 'Active' | 'Inactive';

export interface FakeUser {
  userName: string;
  userId: string;
  path: string;
  tags: { Key: string; Value: string }[];
  boundary: string | null;
  /** Policy name → document (JSON text, as put). */
  inline: Record<string, string>;
  attached: string[];
  groups: string[];
  sshKeys: { id: string; body: string; status: Status }[];
  certificates: { id: string; body: string; status: Status }[];
  /** Serial numbers of the MFA devices enabled for the user. */
  mfa: string[];
  /** `secret`: what only CreateAccessKey answers with, answered here in listings too; `lastUsed`: what GetAccessKeyLastUsed answers (never when absent or null). */
  accessKeys: { id: string; status: Status; secret?: string; lastUsed?: Date | null }[];
  serviceCredentials: { id: string; serviceName: string; serviceUserName: string; status: Status; password: string }[];
  loginProfile: { passwordResetRequired: boolean; password: string } | null;
  /** What GetUser answers as PasswordLastUsed (absent when null or not set). */
  passwordLastUsed?: Date | null;
}

/** The secrets one user's fake answers carry, none of which may be written anywhere. */
export function secretsOf(user: FakeUser): string[] {
  return [...user.accessKeys.flatMap((k) => (k.secret === undefined ? [] : [k.secret])), ...user.serviceCredentials.map((c) => c.password), ...(user.loginProfile ? [user.loginProfile.password] : []), seedOf(user.userName)];
}

export const seedOf = (userName: string) => `JBSWY3DPEHPK3PXP${userName.toUpperCase()}SEED`;
export const virtualMfaOf = (userName: string) => `arn:aws:iam::${ACCOUNT_ID}:mfa/${userName}-phone`;
export const hardwareMfaOf = (userName: string) => `GAHT${userName.toUpperCase().padEnd(8, '0')}`;
export const sshBodyOf = (userName: string, n: number) => `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC${userName}${n} ${userName}@laptop`;
export const certBodyOf = (userName: string, n: number) => `-----BEGIN CERTIFICATE-----\nMIIC${userName}${n}QQ==\n-----END CERTIFICATE-----\n`;

/** A user with a bit of everything: password, 2 keys, a certificate, an SSH key, 2 service credentials, a virtual and a hardware MFA, 2 inline policies (one the deny-all disable put), a managed policy, a group and a boundary. */
export function fullUser(userName: string, userId: string, overrides: Partial<FakeUser> = {}): FakeUser {
  const tag = userName.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, '0').slice(0, 8);
  return {
    userName,
    userId,
    path: '/people/',
    tags: [
      { Key: 'team', Value: 'data' },
      { Key: 'owner', Value: `${userName}@example.com` },
    ],
    boundary: BOUNDARY,
    inline: { [DENY_ALL_NAME]: JSON.stringify(DENY_ALL_DOC), 'legacy-s3': JSON.stringify(LEGACY_DOC) },
    attached: [READ_ONLY],
    groups: ['developers'],
    sshKeys: [{ id: `APKA${tag}SSH00001`, body: sshBodyOf(userName, 1), status: 'Active' }],
    certificates: [{ id: `CERT${tag}0000000000000001`, body: certBodyOf(userName, 1), status: 'Active' }],
    mfa: [virtualMfaOf(userName), hardwareMfaOf(userName)],
    accessKeys: [
      { id: `AKIA${tag}00000001`, status: 'Inactive', secret: `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${tag}01` },
      { id: `AKIA${tag}00000002`, status: 'Inactive', secret: `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${tag}02` },
    ],
    serviceCredentials: [
      { id: `ACCA${tag}00000001`, serviceName: 'codecommit.amazonaws.com', serviceUserName: `${userName}-at-${ACCOUNT_ID}`, status: 'Active', password: `svcPass1+${userName}Zq9` },
      { id: `ACCA${tag}00000002`, serviceName: 'cassandra.amazonaws.com', serviceUserName: `${userName}+1-at-${ACCOUNT_ID}`, status: 'Inactive', password: `svcPass2+${userName}Zq9` },
    ],
    loginProfile: { passwordResetRequired: false, password: `Pa55w0rd!${userName}X` },
    ...overrides,
  };
}

/** A user with nothing attached. */
export function bareUser(userName: string, userId: string, overrides: Partial<FakeUser> = {}): FakeUser {
  return { userName, userId, path: '/', tags: [], boundary: null, inline: {}, attached: [], groups: [], sshKeys: [], certificates: [], mfa: [], accessKeys: [], serviceCredentials: [], loginProfile: null, ...overrides };
}

export type Input = Record<string, unknown> & { UserName?: string; Marker?: string; MaxItems?: number };
export type Hook = (input: Input) => void | Promise<void>;

export interface LoggedCall {
  command: string;
  input: Input;
  /** The user the call is about: its UserName, or the owner of its MFA serial. */
  user: string | null;
}

const CREATED = new Date('2020-01-01T00:00:00.000Z');
const ok = (n: number) => ({ $metadata: { httpStatusCode: 200, requestId: `req-${n}` } });

export class FakeIam {
  readonly calls: LoggedCall[] = [];
  /** Runs when a mutating call of this command arrives, before it fails or changes anything. */
  readonly hooks = new Map<string, Hook>();
  /** Virtual MFA devices of the account, by serial (assigned to a user or not). */
  readonly virtualMfa = new Set<string>();
  /** Items per page of every list (IsTruncated / Marker), unless the request asks for fewer. */
  pageSize = 100;
  private readonly failures = new Map<string, { error: string; times: number }>();
  private requests = 0;
  private created = 0;
  /** Who had each MFA serial, so that calls by serial can be told apart by user. */
  private readonly mfaOwner = new Map<string, string>();

  constructor(readonly users: FakeUser[]) {
    for (const u of users) this.trackMfa(u);
  }

  /** Answers `command` for `userName` with an error named `error` (the first `times` times; always when absent). */
  fail(command: string, userName: string, error: string, times = Number.POSITIVE_INFINITY): this {
    this.failures.set(`${command}:${userName}`, { error, times });
    return this;
  }

  user(name: string): FakeUser {
    const found = this.users.find((u) => u.userName === name);
    if (!found) throw new Error(`the fake has no user ${name}`);
    return found;
  }

  has(name: string): boolean {
    return this.users.some((u) => u.userName.toLowerCase() === name.toLowerCase());
  }

  /** Adds a user (and registers its virtual MFA devices). */
  add(user: FakeUser): FakeUser {
    this.users.push(user);
    this.trackMfa(user);
    return user;
  }

  mutating(): LoggedCall[] {
    return this.calls.filter((c) => MUTATING.has(c.command));
  }

  /** The mutating calls about one user, as [command, item] pairs. */
  mutatingFor(userName: string): LoggedCall[] {
    return this.mutating().filter((c) => c.user === userName);
  }

  /** What disable may change, per user (inline policy names, attached ARNs, key statuses), for before/after comparisons. */
  access(): Record<string, { inline: string[]; attached: string[]; keys: Record<string, string> }> {
    return Object.fromEntries(
      this.users.map((u) => [u.userName, { inline: Object.keys(u.inline).sort(), attached: [...u.attached].sort(), keys: Object.fromEntries(u.accessKeys.map((k) => [k.id, k.status])) }]),
    );
  }

  install(mock: AwsClientStub<IAMClient>): this {
    // One fake for every command, found by the command's class: sinon would otherwise match each call
    // against one stub per command, which costs more than the fake itself.
    const handlers = new Map<string, (input: Input) => unknown>();
    const on = (command: { name: string }, handler: (input: Input) => unknown) => {
      handlers.set(command.name, handler);
    };
    const find = (name: unknown): FakeUser => {
      // IAM would apply a call without UserName to the caller: the code must always name the user.
      if (typeof name !== 'string' || name === '') throw new Error('an IAM call without UserName');
      const found = this.users.find((u) => u.userName.toLowerCase() === name.toLowerCase());
      if (!found) throw awsError('NoSuchEntityException');
      return found;
    };
    const arn = (u: FakeUser) => `arn:aws:iam::${ACCOUNT_ID}:user${u.path}${u.userName}`;
    const read =
      <T>(command: string, answer: (input: Input) => T) =>
      (input: Input) => {
        this.log(command, input);
        return { ...answer(input), ...ok(++this.requests) };
      };
    const list =
      <T>(command: string, key: string, items: (input: Input) => T[]) =>
      (input: Input) => {
        this.log(command, input);
        return { ...this.page(key, items(input), input), ...ok(++this.requests) };
      };
    const mutate =
      <T extends object>(command: string, change: (input: Input) => T | void) =>
      async (input: Input) => {
        this.log(command, input);
        await this.hooks.get(command)?.(input);
        const user = this.userOf(input);
        const failure = user === null ? undefined : this.failures.get(`${command}:${user}`);
        if (failure && failure.times > 0) {
          failure.times -= 1;
          throw awsError(failure.error);
        }
        return { ...(change(input) ?? {}), ...ok(++this.requests) };
      };
    const removeFrom = <T>(items: T[], match: (item: T) => boolean): void => {
      const index = items.findIndex(match);
      if (index < 0) throw awsError('NoSuchEntityException');
      items.splice(index, 1);
    };

    on(GetAccountAuthorizationDetailsCommand, (input: Input) => {
      this.log('GetAccountAuthorizationDetailsCommand', input);
      const users = this.users.map((u) => ({
        UserName: u.userName,
        UserId: u.userId,
        Arn: arn(u),
        Path: u.path,
        CreateDate: CREATED,
        Tags: u.tags,
        GroupList: u.groups,
        UserPolicyList: Object.entries(u.inline).map(([PolicyName, document]) => ({ PolicyName, PolicyDocument: encodeURIComponent(document) })),
        AttachedManagedPolicies: u.attached.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })),
        ...(u.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: u.boundary } } : {}),
      }));
      const groups = [...new Set(this.users.flatMap((u) => u.groups))].map((g) => ({ GroupName: g, GroupId: `AGPA${g.toUpperCase()}`, Arn: `arn:aws:iam::${ACCOUNT_ID}:group/${g}`, Path: '/', GroupPolicyList: [], AttachedManagedPolicies: [] }));
      return { ...this.page('UserDetailList', users, input), GroupDetailList: groups, RoleDetailList: [], Policies: [], ...ok(++this.requests) };
    });
    on(GetUserCommand,
      read('GetUserCommand', (input) => {
        const u = find(input.UserName);
        return {
          User: {
            UserName: u.userName,
            UserId: u.userId,
            Arn: arn(u),
            Path: u.path,
            CreateDate: CREATED,
            ...(u.tags.length > 0 ? { Tags: u.tags } : {}),
            ...(u.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: u.boundary } } : {}),
            ...(u.passwordLastUsed ? { PasswordLastUsed: u.passwordLastUsed } : {}),
          },
        };
      }),
    );
    on(ListUserPoliciesCommand, list('ListUserPoliciesCommand', 'PolicyNames', (input) => Object.keys(find(input.UserName).inline)));
    on(GetUserPolicyCommand,
      read('GetUserPolicyCommand', (input) => {
        const document = find(input.UserName).inline[String(input.PolicyName)];
        if (document === undefined) throw awsError('NoSuchEntityException');
        return { UserName: input.UserName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
      }),
    );
    on(ListAttachedUserPoliciesCommand,
      list('ListAttachedUserPoliciesCommand', 'AttachedPolicies', (input) => find(input.UserName).attached.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() }))),
    );
    on(ListGroupsForUserCommand,
      list('ListGroupsForUserCommand', 'Groups', (input) =>
        find(input.UserName).groups.map((g) => ({ GroupName: g, GroupId: `AGPA${g.toUpperCase()}`, Arn: `arn:aws:iam::${ACCOUNT_ID}:group/${g}`, Path: '/', CreateDate: CREATED })),
      ),
    );
    on(ListSSHPublicKeysCommand,
      list('ListSSHPublicKeysCommand', 'SSHPublicKeys', (input) => {
        const u = find(input.UserName);
        return u.sshKeys.map((k) => ({ UserName: u.userName, SSHPublicKeyId: k.id, Status: k.status, UploadDate: CREATED }));
      }),
    );
    on(GetSSHPublicKeyCommand,
      read('GetSSHPublicKeyCommand', (input) => {
        const u = find(input.UserName);
        const key = u.sshKeys.find((k) => k.id === input.SSHPublicKeyId);
        if (!key) throw awsError('NoSuchEntityException');
        // Only Encoding SSH gives the body back as it was uploaded.
        const body = input.Encoding === 'SSH' ? key.body : `-----BEGIN PUBLIC KEY-----\n${key.id}\n-----END PUBLIC KEY-----`;
        return { SSHPublicKey: { UserName: u.userName, SSHPublicKeyId: key.id, Fingerprint: `fp:${key.id}`, SSHPublicKeyBody: body, Status: key.status, UploadDate: CREATED } };
      }),
    );
    on(ListSigningCertificatesCommand,
      list('ListSigningCertificatesCommand', 'Certificates', (input) => {
        const u = find(input.UserName);
        return u.certificates.map((c) => ({ UserName: u.userName, CertificateId: c.id, CertificateBody: c.body, Status: c.status, UploadDate: CREATED }));
      }),
    );
    on(ListMFADevicesCommand,
      list('ListMFADevicesCommand', 'MFADevices', (input) => {
        const u = find(input.UserName);
        return u.mfa.map((SerialNumber) => ({ UserName: u.userName, SerialNumber, EnableDate: CREATED }));
      }),
    );
    on(ListVirtualMFADevicesCommand,
      list('ListVirtualMFADevicesCommand', 'VirtualMFADevices', (input) =>
        [...this.virtualMfa]
          .map((SerialNumber) => ({ SerialNumber, owner: this.users.find((u) => u.mfa.includes(SerialNumber)) }))
          .filter((d) => input.AssignmentStatus === 'Any' || input.AssignmentStatus === undefined || (input.AssignmentStatus === 'Assigned') === (d.owner !== undefined))
          .map((d) => ({
            SerialNumber: d.SerialNumber,
            // What CreateVirtualMFADevice answers once; a listing never carries it. The code must not keep it.
            Base32StringSeed: new TextEncoder().encode(seedOf(this.mfaOwner.get(d.SerialNumber) ?? '')),
            ...(d.owner ? { User: { UserName: d.owner.userName, UserId: d.owner.userId, Arn: arn(d.owner), Path: d.owner.path, CreateDate: CREATED }, EnableDate: CREATED } : {}),
          })),
      ),
    );
    on(ListServiceSpecificCredentialsCommand,
      list('ListServiceSpecificCredentialsCommand', 'ServiceSpecificCredentials', (input) => {
        const u = find(input.UserName);
        return u.serviceCredentials.map((c) => ({
          UserName: u.userName,
          ServiceSpecificCredentialId: c.id,
          ServiceName: c.serviceName,
          ServiceUserName: c.serviceUserName,
          Status: c.status,
          CreateDate: CREATED,
          // Only CreateServiceSpecificCredential answers with it; a leak here must not reach a file.
          ServicePassword: c.password,
        }));
      }),
    );
    on(ListAccessKeysCommand,
      list('ListAccessKeysCommand', 'AccessKeyMetadata', (input) => {
        const u = find(input.UserName);
        // SecretAccessKey: only CreateAccessKey answers with it; a leak here must not reach a file.
        return u.accessKeys.map((k) => ({ UserName: u.userName, AccessKeyId: k.id, Status: k.status, CreateDate: CREATED, ...(k.secret === undefined ? {} : { SecretAccessKey: k.secret }) }));
      }),
    );
    on(GetAccessKeyLastUsedCommand,
      read('GetAccessKeyLastUsedCommand', (input) => {
        const key = this.users.flatMap((u) => u.accessKeys).find((k) => k.id === input.AccessKeyId);
        if (!key) throw awsError('NoSuchEntityException');
        const lastUsed = key.lastUsed ?? null;
        return { AccessKeyLastUsed: { LastUsedDate: lastUsed ?? undefined, ServiceName: lastUsed ? 's3' : 'N/A', Region: lastUsed ? 'us-east-1' : 'N/A' } };
      }),
    );
    on(GetLoginProfileCommand,
      read('GetLoginProfileCommand', (input) => {
        const u = find(input.UserName);
        if (!u.loginProfile) throw awsError('NoSuchEntityException');
        return { LoginProfile: { UserName: u.userName, CreateDate: CREATED, PasswordResetRequired: u.loginProfile.passwordResetRequired, Password: u.loginProfile.password } };
      }),
    );

    // Disable and enable: keys set Inactive and Active again (the deny-all is put, attached, deleted and detached below).
    on(UpdateAccessKeyCommand,
      mutate('UpdateAccessKeyCommand', (input) => {
        const key = find(input.UserName).accessKeys.find((k) => k.id === input.AccessKeyId);
        if (!key) throw awsError('NoSuchEntityException');
        key.status = input.Status as Status;
      }),
    );

    // Cleanup.
    on(DeleteLoginProfileCommand,
      mutate('DeleteLoginProfileCommand', (input) => {
        const u = find(input.UserName);
        if (!u.loginProfile) throw awsError('NoSuchEntityException');
        u.loginProfile = null;
      }),
    );
    on(DeleteAccessKeyCommand, mutate('DeleteAccessKeyCommand', (input) => removeFrom(find(input.UserName).accessKeys, (k) => k.id === input.AccessKeyId)));
    on(DeleteSigningCertificateCommand, mutate('DeleteSigningCertificateCommand', (input) => removeFrom(find(input.UserName).certificates, (c) => c.id === input.CertificateId)));
    on(DeleteSSHPublicKeyCommand, mutate('DeleteSSHPublicKeyCommand', (input) => removeFrom(find(input.UserName).sshKeys, (k) => k.id === input.SSHPublicKeyId)));
    on(DeleteServiceSpecificCredentialCommand,
      mutate('DeleteServiceSpecificCredentialCommand', (input) => removeFrom(find(input.UserName).serviceCredentials, (c) => c.id === input.ServiceSpecificCredentialId)),
    );
    on(DeactivateMFADeviceCommand, mutate('DeactivateMFADeviceCommand', (input) => removeFrom(find(input.UserName).mfa, (s) => s === input.SerialNumber)));
    on(DeleteVirtualMFADeviceCommand,
      mutate('DeleteVirtualMFADeviceCommand', (input) => {
        const serial = String(input.SerialNumber);
        if (!this.virtualMfa.has(serial)) throw awsError('NoSuchEntityException');
        if (this.users.some((u) => u.mfa.includes(serial))) throw awsError('DeleteConflictException');
        this.virtualMfa.delete(serial);
      }),
    );
    on(DeleteUserPolicyCommand,
      mutate('DeleteUserPolicyCommand', (input) => {
        const u = find(input.UserName);
        if (u.inline[String(input.PolicyName)] === undefined) throw awsError('NoSuchEntityException');
        delete u.inline[String(input.PolicyName)];
      }),
    );
    on(DetachUserPolicyCommand, mutate('DetachUserPolicyCommand', (input) => removeFrom(find(input.UserName).attached, (a) => a === input.PolicyArn)));
    on(RemoveUserFromGroupCommand, mutate('RemoveUserFromGroupCommand', (input) => removeFrom(find(input.UserName).groups, (g) => g === input.GroupName)));
    on(DeleteUserPermissionsBoundaryCommand,
      mutate('DeleteUserPermissionsBoundaryCommand', (input) => {
        const u = find(input.UserName);
        if (u.boundary === null) throw awsError('NoSuchEntityException');
        u.boundary = null;
      }),
    );
    on(DeleteUserCommand,
      mutate('DeleteUserCommand', (input) => {
        const u = find(input.UserName);
        const attached =
          u.loginProfile !== null ||
          [u.accessKeys, u.certificates, u.sshKeys, u.serviceCredentials, u.mfa, u.attached, u.groups].some((items) => items.length > 0) ||
          Object.keys(u.inline).length > 0;
        if (attached) throw awsError('DeleteConflictException');
        this.users.splice(this.users.indexOf(u), 1);
      }),
    );

    // Restore.
    on(CreateUserCommand,
      mutate('CreateUserCommand', (input) => {
        if (this.has(String(input.UserName))) throw awsError('EntityAlreadyExistsException');
        this.created += 1;
        const u = bareUser(String(input.UserName), `AIDANEWUSER${String(this.created).padStart(9, '0')}`, {
          path: typeof input.Path === 'string' ? input.Path : '/',
          tags: (input.Tags as { Key: string; Value: string }[] | undefined) ?? [],
          boundary: typeof input.PermissionsBoundary === 'string' ? input.PermissionsBoundary : null,
        });
        this.users.push(u);
        return { User: { UserName: u.userName, UserId: u.userId, Arn: arn(u), Path: u.path, CreateDate: CREATED } };
      }),
    );
    on(PutUserPolicyCommand,
      mutate('PutUserPolicyCommand', (input) => {
        find(input.UserName).inline[String(input.PolicyName)] = String(input.PolicyDocument);
      }),
    );
    on(AttachUserPolicyCommand,
      mutate('AttachUserPolicyCommand', (input) => {
        const u = find(input.UserName);
        if (!u.attached.includes(String(input.PolicyArn))) u.attached.push(String(input.PolicyArn));
      }),
    );
    on(AddUserToGroupCommand,
      mutate('AddUserToGroupCommand', (input) => {
        const u = find(input.UserName);
        if (!u.groups.includes(String(input.GroupName))) u.groups.push(String(input.GroupName));
      }),
    );
    on(UploadSSHPublicKeyCommand,
      mutate('UploadSSHPublicKeyCommand', (input) => {
        const u = find(input.UserName);
        const id = `APKANEW${String(++this.created).padStart(13, '0')}`;
        u.sshKeys.push({ id, body: String(input.SSHPublicKeyBody), status: 'Active' });
        return { SSHPublicKey: { UserName: u.userName, SSHPublicKeyId: id, Fingerprint: `fp:${id}`, SSHPublicKeyBody: String(input.SSHPublicKeyBody), Status: 'Active' as const, UploadDate: CREATED } };
      }),
    );
    on(UpdateSSHPublicKeyCommand,
      mutate('UpdateSSHPublicKeyCommand', (input) => {
        const key = find(input.UserName).sshKeys.find((k) => k.id === input.SSHPublicKeyId);
        if (!key) throw awsError('NoSuchEntityException');
        key.status = input.Status as Status;
      }),
    );
    on(UploadSigningCertificateCommand,
      mutate('UploadSigningCertificateCommand', (input) => {
        const u = find(input.UserName);
        const id = `CERTNEW${String(++this.created).padStart(17, '0')}`;
        u.certificates.push({ id, body: String(input.CertificateBody), status: 'Active' });
        return { Certificate: { UserName: u.userName, CertificateId: id, CertificateBody: String(input.CertificateBody), Status: 'Active' as const, UploadDate: CREATED } };
      }),
    );
    on(UpdateSigningCertificateCommand,
      mutate('UpdateSigningCertificateCommand', (input) => {
        const cert = find(input.UserName).certificates.find((c) => c.id === input.CertificateId);
        if (!cert) throw awsError('NoSuchEntityException');
        cert.status = input.Status as Status;
      }),
    );
    mock.send.callsFake(((command: { constructor: { name: string }; input: Input }) => {
      const handler = handlers.get(command.constructor.name);
      // A command the fake does not know answers nothing, as an unconfigured mock does.
      if (!handler) return undefined;
      try {
        return handler(command.input);
      } catch (error) {
        return Promise.reject(error);
      }
    }) as never);
    return this;
  }

  private trackMfa(user: FakeUser): void {
    for (const serial of user.mfa) {
      this.mfaOwner.set(serial, user.userName);
      if (serial.startsWith('arn:')) this.virtualMfa.add(serial);
    }
  }

  private userOf(input: Input): string | null {
    if (typeof input.UserName === 'string') return this.users.find((u) => u.userName.toLowerCase() === input.UserName?.toLowerCase())?.userName ?? input.UserName;
    return typeof input.SerialNumber === 'string' ? (this.mfaOwner.get(input.SerialNumber) ?? null) : null;
  }

  private log(command: string, input: Input): void {
    this.calls.push({ command, input: structuredClone(input), user: this.userOf(input) });
  }

  private page<T>(key: string, items: T[], input: Input): Record<string, unknown> {
    const size = Math.min(this.pageSize, typeof input.MaxItems === 'number' ? input.MaxItems : Number.POSITIVE_INFINITY);
    const start = typeof input.Marker === 'string' ? Number(input.Marker.replace(/^page-/, '')) : 0;
    const slice = items.slice(start, start + size);
    const truncated = start + size < items.length;
    return { [key]: slice, IsTruncated: truncated, ...(truncated ? { Marker: `page-${start + size}` } : {}) };
  }
}

/** Installs a fake IAM with these users on the mock. */
export function fakeIam(mock: AwsClientStub<IAMClient>, users: FakeUser[]): FakeIam {
  return new FakeIam(users).install(mock);
}

/** Mutating calls as `Command item` strings, for order assertions that read like IAM's steps. */
export function describeCalls(calls: readonly LoggedCall[]): string[] {
  return calls.map((c) => {
    const { UserName: _user, ...rest } = c.input;
    const item = Object.values(rest).find((v) => typeof v === 'string');
    return item === undefined ? c.command : `${c.command} ${String(item)}`;
  });
}
