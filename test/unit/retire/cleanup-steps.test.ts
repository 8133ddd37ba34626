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
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListVirtualMFADevicesCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { CLEANUP_STEP, isStepDone, runStep, stepsFor, type CleanupStepKind, type StepParams } from '../../../src/phases/cleanup/cleanup-steps.js';
import { mfaType, type UserAttachments } from '../../../src/phases/cleanup/read-user-attachments.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';
import { sdkUser } from '../support/builders.js';

const { mocks, clients } = mockAws();

const FAST = { retries: 3, minTimeout: 1, maxTimeout: 2, factor: 1 };
const ACCOUNT = '111111111111';
const ALICE = { userName: 'alice', userId: 'AIDAALICE000000000001' };
const VIRTUAL_MFA = `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`;
const HARDWARE_MFA = 'GAHT12345678';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
const ok = (requestId = 'req-ok') => ({ $metadata: { requestId } });

/** A user with one or more of every kind of attachment. */
function everything(): UserAttachments {
  return {
    user: { userName: 'alice', userId: ALICE.userId, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, path: '/', createDate: null, tags: [], permissionsBoundary: BOUNDARY },
    inlinePolicies: [{ name: 'legacy-s3', document: {} }],
    attachedPolicies: [{ name: 'ReadOnlyAccess', arn: READ_ONLY }],
    groups: ['developers'],
    sshPublicKeys: [{ sshPublicKeyId: 'APKAALICE00000000001', status: 'Active', body: 'ssh-rsa AAAA alice', uploadDate: null }],
    signingCertificates: [{ certificateId: 'CERTALICE0000000000000001', status: 'Active', body: '-----BEGIN CERTIFICATE-----', uploadDate: null }],
    mfaDevices: [
      { serialNumber: VIRTUAL_MFA, type: 'virtual', enableDate: null },
      { serialNumber: HARDWARE_MFA, type: 'hardware', enableDate: null },
    ],
    accessKeys: [
      { accessKeyId: 'AKIAALICE00000000001', status: 'Inactive', createDate: null },
      { accessKeyId: 'AKIAALICE00000000002', status: 'Inactive', createDate: null },
    ],
    serviceSpecificCredentials: [
      { id: 'ACCAALICE00000000001', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'alice-at-1', status: 'Active' },
      { id: 'ACCAALICE00000000002', serviceName: 'cassandra.amazonaws.com', serviceUserName: 'alice+1-at-1', status: 'Active' },
    ],
    loginProfile: { existed: true, passwordResetRequired: false },
  };
}

function nothing(): UserAttachments {
  const all = everything();
  return {
    ...all,
    user: { ...all.user, permissionsBoundary: null },
    inlinePolicies: [],
    attachedPolicies: [],
    groups: [],
    sshPublicKeys: [],
    signingCertificates: [],
    mfaDevices: [],
    accessKeys: [],
    serviceSpecificCredentials: [],
    loginProfile: { existed: false, passwordResetRequired: false },
  };
}

const commandNames = () => mocks.iam.calls().map((c) => (c.args[0] as object).constructor.name);
const inputOf = (index: number) => (mocks.iam.calls()[index]?.args[0] as unknown as { input: unknown } | undefined)?.input;

describe('stepsFor', () => {
  it('Given a user with every kind of attachment, When the steps are listed, Then they follow IAM order: password, keys, certificates, SSH keys, service credentials, MFA, inline, managed, groups, boundary', () => {
    expect(stepsFor(everything())).toEqual([
      { kind: CLEANUP_STEP.loginProfile },
      { kind: CLEANUP_STEP.accessKey, item: 'AKIAALICE00000000001' },
      { kind: CLEANUP_STEP.accessKey, item: 'AKIAALICE00000000002' },
      { kind: CLEANUP_STEP.signingCertificate, item: 'CERTALICE0000000000000001' },
      { kind: CLEANUP_STEP.sshPublicKey, item: 'APKAALICE00000000001' },
      { kind: CLEANUP_STEP.serviceCredential, item: 'ACCAALICE00000000001' },
      { kind: CLEANUP_STEP.serviceCredential, item: 'ACCAALICE00000000002' },
      { kind: CLEANUP_STEP.deactivateMfa, item: VIRTUAL_MFA },
      { kind: CLEANUP_STEP.deleteVirtualMfa, item: VIRTUAL_MFA },
      { kind: CLEANUP_STEP.deactivateMfa, item: HARDWARE_MFA },
      { kind: CLEANUP_STEP.inlinePolicy, item: 'legacy-s3' },
      { kind: CLEANUP_STEP.managedPolicy, item: READ_ONLY },
      { kind: CLEANUP_STEP.group, item: 'developers' },
      { kind: CLEANUP_STEP.boundary },
    ]);
  });

  it('Given the hardware MFA listed first and a security key, When the steps are listed, Then every device is deactivated and only the virtual one is deleted, right after its deactivation', () => {
    const user = { ...nothing(), mfaDevices: [
      { serialNumber: HARDWARE_MFA, type: 'hardware' as const, enableDate: null },
      { serialNumber: `arn:aws:iam::${ACCOUNT}:u2f/user/alice/yubikey-ABC`, type: 'security-key' as const, enableDate: null },
      { serialNumber: VIRTUAL_MFA, type: 'virtual' as const, enableDate: null },
    ] };

    expect(stepsFor(user)).toEqual([
      { kind: CLEANUP_STEP.deactivateMfa, item: HARDWARE_MFA },
      { kind: CLEANUP_STEP.deactivateMfa, item: `arn:aws:iam::${ACCOUNT}:u2f/user/alice/yubikey-ABC` },
      { kind: CLEANUP_STEP.deactivateMfa, item: VIRTUAL_MFA },
      { kind: CLEANUP_STEP.deleteVirtualMfa, item: VIRTUAL_MFA },
    ]);
  });

  it('Given a user with nothing attached (no password, no boundary), When the steps are listed, Then there are none (DeleteUser is added by the plan)', () => {
    expect(stepsFor(nothing())).toEqual([]);
  });
});

describe('mfaType', () => {
  it.each([
    [`arn:aws:iam::${ACCOUNT}:mfa/x`, 'virtual'],
    [`arn:aws:iam::${ACCOUNT}:mfa/path/alice-phone`, 'virtual'],
    ['arn:aws-us-gov:iam::123456789012:mfa/bob', 'virtual'],
    [`arn:aws:iam::${ACCOUNT}:u2f/user/alice/yubikey-ABCDEFGHIJ`, 'security-key'],
    ['GAHT12345678', 'hardware'],
    ['', 'hardware'],
  ])('Given the serial %s, When its type is asked, Then it is %s', (serial, type) => {
    expect(mfaType(serial)).toBe(type);
  });
});

/** Each step, its call, and the input the call must carry. */
const CALLS: [CleanupStepKind, string | undefined, new (...args: never[]) => unknown, Record<string, string>][] = [
  [CLEANUP_STEP.loginProfile, undefined, DeleteLoginProfileCommand, { UserName: 'alice' }],
  [CLEANUP_STEP.accessKey, 'AKIAALICE00000000001', DeleteAccessKeyCommand, { UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001' }],
  [CLEANUP_STEP.signingCertificate, 'CERTALICE0000000000000001', DeleteSigningCertificateCommand, { UserName: 'alice', CertificateId: 'CERTALICE0000000000000001' }],
  [CLEANUP_STEP.sshPublicKey, 'APKAALICE00000000001', DeleteSSHPublicKeyCommand, { UserName: 'alice', SSHPublicKeyId: 'APKAALICE00000000001' }],
  [CLEANUP_STEP.serviceCredential, 'ACCAALICE00000000001', DeleteServiceSpecificCredentialCommand, { UserName: 'alice', ServiceSpecificCredentialId: 'ACCAALICE00000000001' }],
  [CLEANUP_STEP.deactivateMfa, HARDWARE_MFA, DeactivateMFADeviceCommand, { UserName: 'alice', SerialNumber: HARDWARE_MFA }],
  [CLEANUP_STEP.deleteVirtualMfa, VIRTUAL_MFA, DeleteVirtualMFADeviceCommand, { SerialNumber: VIRTUAL_MFA }],
  [CLEANUP_STEP.inlinePolicy, 'legacy-s3', DeleteUserPolicyCommand, { UserName: 'alice', PolicyName: 'legacy-s3' }],
  [CLEANUP_STEP.managedPolicy, READ_ONLY, DetachUserPolicyCommand, { UserName: 'alice', PolicyArn: READ_ONLY }],
  [CLEANUP_STEP.group, 'developers', RemoveUserFromGroupCommand, { UserName: 'alice', GroupName: 'developers' }],
  [CLEANUP_STEP.boundary, undefined, DeleteUserPermissionsBoundaryCommand, { UserName: 'alice' }],
  [CLEANUP_STEP.user, undefined, DeleteUserCommand, { UserName: 'alice' }],
];

const params = (item?: string): StepParams => (item === undefined ? { ...ALICE } : { ...ALICE, item });

describe('runStep', () => {
  it.each(CALLS)('Given the step %s, When it runs, Then it makes exactly one call with the user and its item, and reports the request ID', async (kind, item, command, input) => {
    mocks.iam.on(command as never).resolves(ok('req-step') as never);

    const result = await runStep(clients.iam, kind, params(item), undefined, FAST);

    expect(result).toEqual({ requestId: 'req-step', alreadyGone: false });
    expect(commandNames()).toEqual([(command as { name: string }).name]);
    expect(inputOf(0)).toEqual(input);
  });

  it('Given IAM answers NoSuchEntity, When a step runs, Then it counts as done (already gone), with one call', async () => {
    mocks.iam.on(DeleteAccessKeyCommand).rejects(awsError('NoSuchEntityException'));

    const result = await runStep(clients.iam, CLEANUP_STEP.accessKey, params('AKIAALICE00000000001'), undefined, FAST);

    expect(result).toEqual({ requestId: null, alreadyGone: true });
    expect(commandNames()).toEqual(['DeleteAccessKeyCommand']);
  });

  it.each(['EntityTemporarilyUnmodifiableException', 'ConcurrentModificationException'])(
    'Given IAM answers %s twice and then succeeds, When a step runs, Then it is retried and succeeds on the third call',
    async (error) => {
      mocks.iam.on(DetachUserPolicyCommand).rejectsOnce(awsError(error)).rejectsOnce(awsError(error)).resolves(ok('req-third'));

      const result = await runStep(clients.iam, CLEANUP_STEP.managedPolicy, params(READ_ONLY), undefined, FAST);

      expect(result).toEqual({ requestId: 'req-third', alreadyGone: false });
      expect(commandNames()).toEqual(['DetachUserPolicyCommand', 'DetachUserPolicyCommand', 'DetachUserPolicyCommand']);
      expect(mocks.iam.commandCalls(DetachUserPolicyCommand).every((c) => c.args[0].input.PolicyArn === READ_ONLY && c.args[0].input.UserName === 'alice')).toBe(true);
    },
  );

  it('Given IAM keeps answering EntityTemporarilyUnmodifiable, When a step runs with 3 retries, Then it gives up after 4 calls with that error', async () => {
    mocks.iam.on(DeleteUserCommand).rejects(awsError('EntityTemporarilyUnmodifiableException'));

    const error = await caught(runStep(clients.iam, CLEANUP_STEP.user, params(), undefined, FAST));

    expect(error).toMatchObject({ name: 'EntityTemporarilyUnmodifiableException' });
    expect(mocks.iam.commandCalls(DeleteUserCommand)).toHaveLength(4);
  });

  it('Given a retry that ends in NoSuchEntity (another run deleted it meanwhile), When a step runs, Then it counts as already gone', async () => {
    mocks.iam.on(DeleteSSHPublicKeyCommand).rejectsOnce(awsError('ConcurrentModificationException')).rejects(awsError('NoSuchEntityException'));

    const result = await runStep(clients.iam, CLEANUP_STEP.sshPublicKey, params('APKAALICE00000000001'), undefined, FAST);

    expect(result).toEqual({ requestId: null, alreadyGone: true });
    expect(mocks.iam.commandCalls(DeleteSSHPublicKeyCommand)).toHaveLength(2);
  });

  it.each(['AccessDenied', 'DeleteConflictException', 'LimitExceededException', 'ServiceFailureException'])(
    'Given IAM answers %s, When a step runs, Then it is never retried: exactly one call, and the error propagates',
    async (name) => {
      mocks.iam.on(DeleteSigningCertificateCommand).rejects(awsError(name));

      const error = await caught(runStep(clients.iam, CLEANUP_STEP.signingCertificate, params('CERTALICE0000000000000001'), undefined, FAST));

      expect(error).toMatchObject({ name });
      expect(mocks.iam.commandCalls(DeleteSigningCertificateCommand)).toHaveLength(1);
    },
  );

  it('Given the default retry settings, When AccessDenied is answered, Then there is still exactly one call', async () => {
    mocks.iam.on(DeleteLoginProfileCommand).rejects(awsError('AccessDenied'));

    const error = await caught(runStep(clients.iam, CLEANUP_STEP.loginProfile, params()));

    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(mocks.iam.commandCalls(DeleteLoginProfileCommand)).toHaveLength(1);
  });
});

/** Each step, and how IAM answers when the thing is still there (`present`) or gone (`absent`). */
const READS: { kind: CleanupStepKind; item?: string; present: () => void; absent: () => void }[] = [
  {
    kind: CLEANUP_STEP.loginProfile,
    present: () => mocks.iam.on(GetLoginProfileCommand).resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() }, ...ok() }),
    absent: () => mocks.iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException')),
  },
  {
    kind: CLEANUP_STEP.accessKey,
    item: 'AKIAALICE00000000002',
    present: () => mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000002', Status: 'Inactive' }], IsTruncated: false, ...ok() }),
    absent: () => mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive' }], IsTruncated: false, ...ok() }),
  },
  {
    kind: CLEANUP_STEP.signingCertificate,
    item: 'CERT2',
    present: () => mocks.iam.on(ListSigningCertificatesCommand).resolves({ Certificates: [{ UserName: 'alice', CertificateId: 'CERT2', CertificateBody: 'x', Status: 'Active' }], IsTruncated: false, ...ok() }),
    absent: () => mocks.iam.on(ListSigningCertificatesCommand).resolves({ Certificates: [], IsTruncated: false, ...ok() }),
  },
  {
    kind: CLEANUP_STEP.sshPublicKey,
    item: 'APKA2',
    present: () => mocks.iam.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [{ UserName: 'alice', SSHPublicKeyId: 'APKA2', Status: 'Active', UploadDate: new Date() }], IsTruncated: false, ...ok() }),
    absent: () => mocks.iam.on(ListSSHPublicKeysCommand).resolves({ SSHPublicKeys: [{ UserName: 'alice', SSHPublicKeyId: 'APKA1', Status: 'Active', UploadDate: new Date() }], IsTruncated: false, ...ok() }),
  },
  {
    kind: CLEANUP_STEP.serviceCredential,
    item: 'ACCA2',
    present: () =>
      mocks.iam.on(ListServiceSpecificCredentialsCommand).resolves({ ServiceSpecificCredentials: [{ UserName: 'alice', ServiceSpecificCredentialId: 'ACCA2', ServiceName: 'codecommit.amazonaws.com', ServiceUserName: 'a', Status: 'Active', CreateDate: new Date() }], ...ok() }),
    absent: () => mocks.iam.on(ListServiceSpecificCredentialsCommand).resolves({ ServiceSpecificCredentials: [], ...ok() }),
  },
  {
    kind: CLEANUP_STEP.deactivateMfa,
    item: HARDWARE_MFA,
    present: () => mocks.iam.on(ListMFADevicesCommand).resolves({ MFADevices: [{ UserName: 'alice', SerialNumber: HARDWARE_MFA, EnableDate: new Date() }], IsTruncated: false, ...ok() }),
    absent: () => mocks.iam.on(ListMFADevicesCommand).resolves({ MFADevices: [], IsTruncated: false, ...ok() }),
  },
  {
    kind: CLEANUP_STEP.deleteVirtualMfa,
    item: VIRTUAL_MFA,
    present: () => {
      mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
      mocks.iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [{ SerialNumber: VIRTUAL_MFA }], IsTruncated: false, ...ok() });
    },
    absent: () => {
      mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
      mocks.iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/someone-else` }], IsTruncated: false, ...ok() });
    },
  },
  {
    kind: CLEANUP_STEP.inlinePolicy,
    item: 'legacy-s3',
    present: () => mocks.iam.on(GetUserPolicyCommand).resolves({ UserName: 'alice', PolicyName: 'legacy-s3', PolicyDocument: '%7B%7D', ...ok() }),
    absent: () => mocks.iam.on(GetUserPolicyCommand).rejects(awsError('NoSuchEntityException')),
  },
  {
    kind: CLEANUP_STEP.managedPolicy,
    item: READ_ONLY,
    present: () => mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY }], IsTruncated: false, ...ok() }),
    absent: () => mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false, ...ok() }),
  },
  {
    kind: CLEANUP_STEP.group,
    item: 'developers',
    present: () => mocks.iam.on(ListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'developers', GroupId: 'AGPA1', Arn: 'arn', Path: '/', CreateDate: new Date() }], IsTruncated: false, ...ok() }),
    absent: () => mocks.iam.on(ListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'admins', GroupId: 'AGPA2', Arn: 'arn', Path: '/', CreateDate: new Date() }], IsTruncated: false, ...ok() }),
  },
  {
    kind: CLEANUP_STEP.boundary,
    present: () => mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId, { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY } }), ...ok() }),
    absent: () => mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() }),
  },
  {
    kind: CLEANUP_STEP.user,
    present: () => mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() }),
    absent: () => mocks.iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException')),
  },
];

/** Every read a step's isDone may make. */
const READ_COMMANDS = [
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  GetUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  GetUserCommand,
];

describe('isStepDone', () => {
  it.each(READS.map((r) => [r.kind, r] as const))('Given the item of %s still there, When asked, Then it is not done; once gone, it is', async (_kind, read) => {
    read.present();
    expect(await isStepDone(clients.iam, read.kind, params(read.item))).toBe(false);

    mocks.iam.reset();
    read.absent();
    expect(await isStepDone(clients.iam, read.kind, params(read.item))).toBe(true);
  });

  it.each(Object.values(CLEANUP_STEP))('Given the user no longer exists (every read answers NoSuchEntity), When %s is asked, Then it is done', async (kind) => {
    for (const command of READ_COMMANDS) mocks.iam.on(command as never).rejects(awsError('NoSuchEntityException'));

    expect(await isStepDone(clients.iam, kind, params('ITEM'))).toBe(true);
  });

  it('Given the user is gone, When the access key step is asked, Then the read that told it is the key listing of that user', async () => {
    mocks.iam.on(ListAccessKeysCommand).rejects(awsError('NoSuchEntityException'));

    expect(await isStepDone(clients.iam, CLEANUP_STEP.accessKey, params('AKIAALICE00000000001'))).toBe(true);
    expect(mocks.iam.commandCalls(ListAccessKeysCommand)[0]?.args[0].input).toMatchObject({ UserName: 'alice' });
  });

  it('Given the read is denied, When a step is asked, Then the error propagates (unknown is not done)', async () => {
    mocks.iam.on(ListMFADevicesCommand).rejects(awsError('AccessDenied'));

    const error = await caught(isStepDone(clients.iam, CLEANUP_STEP.deactivateMfa, params(HARDWARE_MFA)));

    expect(error).toMatchObject({ name: 'AccessDenied' });
  });

  it('Given the virtual MFA device on the second page of the account listing, When its deletion is asked, Then the listing is followed and the step is not done', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
    mocks.iam
      .on(ListVirtualMFADevicesCommand)
      .resolvesOnce({ VirtualMFADevices: [{ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/other` }], IsTruncated: true, Marker: 'm2', ...ok() })
      .resolves({ VirtualMFADevices: [{ SerialNumber: VIRTUAL_MFA }], IsTruncated: false, ...ok() });

    expect(await isStepDone(clients.iam, CLEANUP_STEP.deleteVirtualMfa, params(VIRTUAL_MFA))).toBe(false);
    expect(mocks.iam.commandCalls(ListVirtualMFADevicesCommand)).toHaveLength(2);
    expect(mocks.iam.commandCalls(ListVirtualMFADevicesCommand)[0]?.args[0].input).toMatchObject({ AssignmentStatus: 'Any' });
  });

  it('Given the user is gone, When the deletion of its virtual MFA device is asked, Then it is done without listing the account (a gone user is a no-op)', async () => {
    mocks.iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException'));

    expect(await isStepDone(clients.iam, CLEANUP_STEP.deleteVirtualMfa, params(VIRTUAL_MFA))).toBe(true);
    expect(mocks.iam.commandCalls(ListVirtualMFADevicesCommand)).toHaveLength(0);
  });
});
