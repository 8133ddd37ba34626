import {
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
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { listServiceSpecificCredentials, readUserAttachments } from '../../../src/phases/cleanup/read-user-attachments.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';

const { mocks, clients } = mockAws();

const ACCOUNT = '111111111111';
const ok = () => ({ $metadata: { requestId: 'req-read' } });
const D1 = new Date('2021-03-04T05:06:07.000Z');
const D2 = new Date('2022-08-09T10:11:12.000Z');
const VIRTUAL_MFA = `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`;
const SECURITY_KEY = `arn:aws:iam::${ACCOUNT}:u2f/user/alice/yubikey-ABCDEFGHIJKL`;
const HARDWARE_MFA = 'GAHT12345678';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/people-boundary`;

/**
 * Answers `command` with `pages`, following IsTruncated / Marker as IAM does. Returns the Marker of
 * each request, copied when it was sent (the paginators reuse one input object for all pages).
 */
function paged(command: unknown, key: string, pages: unknown[][], extra: (input: Record<string, unknown>) => void = () => undefined): { markers: unknown[]; userNames: unknown[] } {
  const seen = { markers: [] as unknown[], userNames: [] as unknown[] };
  mocks.iam.on(command as never).callsFake((input: Record<string, unknown>) => {
    seen.markers.push(input.Marker);
    seen.userNames.push(input.UserName);
    extra(input);
    const index = input.Marker === undefined ? 0 : Number(String(input.Marker).replace('page-', ''));
    if (!Number.isInteger(index) || index >= pages.length) throw new Error(`unexpected Marker ${String(input.Marker)}`);
    const last = index === pages.length - 1;
    return { [key]: pages[index], IsTruncated: !last, ...(last ? {} : { Marker: `page-${index + 1}` }), ...ok() };
  });
  return seen;
}

const LEGACY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::home', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*'] } } }] };
const NOTES = { Version: '2012-10-17', Statement: [{ Sid: 'Notes & more', Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] };

function mockEverythingOnTwoPages() {
  mocks.iam.on(GetUserCommand).resolves({
    User: {
      UserName: 'alice',
      UserId: 'AIDAALICE000000000001',
      Arn: `arn:aws:iam::${ACCOUNT}:user/people/alice`,
      Path: '/people/',
      CreateDate: D1,
      Tags: [{ Key: 'team', Value: 'data' }],
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY },
    },
    ...ok(),
  });
  const documents: Record<string, unknown> = { 'legacy-s3': LEGACY, notes: NOTES };
  const seen = {
    inline: paged(ListUserPoliciesCommand, 'PolicyNames', [['legacy-s3'], ['notes']]),
    attached: paged(ListAttachedUserPoliciesCommand, 'AttachedPolicies', [
      [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      [{ PolicyName: 'billing', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/billing` }],
    ]),
    groups: paged(ListGroupsForUserCommand, 'Groups', [
      [{ GroupName: 'developers', GroupId: 'AGPA1', Arn: 'arn:g1', Path: '/', CreateDate: D1 }],
      [{ GroupName: 'on-call', GroupId: 'AGPA2', Arn: 'arn:g2', Path: '/', CreateDate: D1 }],
    ]),
    ssh: paged(ListSSHPublicKeysCommand, 'SSHPublicKeys', [
      [{ UserName: 'alice', SSHPublicKeyId: 'APKAALICE00000000001', Status: 'Active', UploadDate: D1 }],
      [{ UserName: 'alice', SSHPublicKeyId: 'APKAALICE00000000002', Status: 'Inactive', UploadDate: D2 }],
    ]),
    certificates: paged(ListSigningCertificatesCommand, 'Certificates', [
      [{ UserName: 'alice', CertificateId: 'CERT1', CertificateBody: '-----BEGIN CERTIFICATE-----\nONE\n-----END CERTIFICATE-----', Status: 'Active', UploadDate: D1 }],
      [{ UserName: 'alice', CertificateId: 'CERT2', CertificateBody: '-----BEGIN CERTIFICATE-----\nTWO\n-----END CERTIFICATE-----', Status: 'Inactive' }],
    ]),
    mfa: paged(ListMFADevicesCommand, 'MFADevices', [
      [{ UserName: 'alice', SerialNumber: VIRTUAL_MFA, EnableDate: D1 }],
      [
        { UserName: 'alice', SerialNumber: HARDWARE_MFA, EnableDate: D2 },
        { UserName: 'alice', SerialNumber: SECURITY_KEY, EnableDate: D2 },
      ],
    ]),
    service: paged(ListServiceSpecificCredentialsCommand, 'ServiceSpecificCredentials', [
      [{ UserName: 'alice', ServiceSpecificCredentialId: 'ACCA1', ServiceName: 'codecommit.amazonaws.com', ServiceUserName: 'alice-at-1', Status: 'Active', CreateDate: D1 }],
      [{ UserName: 'alice', ServiceSpecificCredentialId: 'ACCA2', ServiceName: 'cassandra.amazonaws.com', ServiceUserName: 'alice+1-at-1', Status: 'Inactive', CreateDate: D2 }],
    ]),
    keys: paged(ListAccessKeysCommand, 'AccessKeyMetadata', [
      [{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Active', CreateDate: D1 }],
      [{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000002', Status: 'Inactive', CreateDate: D2 }],
    ]),
  };
  mocks.iam.on(GetUserPolicyCommand).callsFake((input: { UserName: string; PolicyName: string }) => ({
    UserName: input.UserName,
    PolicyName: input.PolicyName,
    PolicyDocument: encodeURIComponent(JSON.stringify(documents[input.PolicyName])),
    ...ok(),
  }));
  mocks.iam.on(GetSSHPublicKeyCommand).callsFake((input: { SSHPublicKeyId: string; Encoding: string }) => ({
    SSHPublicKey: {
      UserName: 'alice',
      SSHPublicKeyId: input.SSHPublicKeyId,
      Fingerprint: 'fp',
      // Anything but Encoding SSH answers PEM, which UploadSSHPublicKey would not take back as it was.
      SSHPublicKeyBody: input.Encoding === 'SSH' ? `ssh-ed25519 AAAAC3Nz${input.SSHPublicKeyId} alice@laptop` : `-----BEGIN PUBLIC KEY-----${input.SSHPublicKeyId}`,
      Status: 'Active',
      UploadDate: D1,
    },
    ...ok(),
  }));
  mocks.iam.on(GetLoginProfileCommand).resolves({ LoginProfile: { UserName: 'alice', CreateDate: D1, PasswordResetRequired: true }, ...ok() });
  return seen;
}

describe('readUserAttachments', () => {
  it('Given every list of the user spread over two pages, When the user is read, Then each list is followed to its last page and everything is there', async () => {
    const seen = mockEverythingOnTwoPages();

    const user = await readUserAttachments(clients.iam, 'alice');

    expect(user).toEqual({
      user: {
        userName: 'alice',
        userId: 'AIDAALICE000000000001',
        arn: `arn:aws:iam::${ACCOUNT}:user/people/alice`,
        path: '/people/',
        createDate: D1.toISOString(),
        tags: [{ key: 'team', value: 'data' }],
        permissionsBoundary: BOUNDARY,
      },
      inlinePolicies: [
        { name: 'legacy-s3', document: LEGACY },
        { name: 'notes', document: NOTES },
      ],
      attachedPolicies: [
        { name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        { name: 'billing', arn: `arn:aws:iam::${ACCOUNT}:policy/billing` },
      ],
      groups: ['developers', 'on-call'],
      sshPublicKeys: [
        { sshPublicKeyId: 'APKAALICE00000000001', status: 'Active', body: 'ssh-ed25519 AAAAC3NzAPKAALICE00000000001 alice@laptop', uploadDate: D1.toISOString() },
        { sshPublicKeyId: 'APKAALICE00000000002', status: 'Inactive', body: 'ssh-ed25519 AAAAC3NzAPKAALICE00000000002 alice@laptop', uploadDate: D2.toISOString() },
      ],
      signingCertificates: [
        { certificateId: 'CERT1', status: 'Active', body: '-----BEGIN CERTIFICATE-----\nONE\n-----END CERTIFICATE-----', uploadDate: D1.toISOString() },
        { certificateId: 'CERT2', status: 'Inactive', body: '-----BEGIN CERTIFICATE-----\nTWO\n-----END CERTIFICATE-----', uploadDate: null },
      ],
      mfaDevices: [
        { serialNumber: VIRTUAL_MFA, type: 'virtual', enableDate: D1.toISOString() },
        { serialNumber: HARDWARE_MFA, type: 'hardware', enableDate: D2.toISOString() },
        { serialNumber: SECURITY_KEY, type: 'security-key', enableDate: D2.toISOString() },
      ],
      accessKeys: [
        { accessKeyId: 'AKIAALICE00000000001', status: 'Active', createDate: D1.toISOString() },
        { accessKeyId: 'AKIAALICE00000000002', status: 'Inactive', createDate: D2.toISOString() },
      ],
      serviceSpecificCredentials: [
        { id: 'ACCA1', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'alice-at-1', status: 'Active' },
        { id: 'ACCA2', serviceName: 'cassandra.amazonaws.com', serviceUserName: 'alice+1-at-1', status: 'Inactive' },
      ],
      loginProfile: { existed: true, passwordResetRequired: true },
    });
    for (const [list, { markers, userNames }] of Object.entries(seen)) {
      expect(markers, list).toEqual([undefined, 'page-1']);
      expect(userNames, list).toEqual(['alice', 'alice']);
    }
  });

  it('Given inline policies, When the user is read, Then each document is fetched by name and URL-decoded into JSON', async () => {
    mockEverythingOnTwoPages();

    const user = await readUserAttachments(clients.iam, 'alice');

    expect(mocks.iam.commandCalls(GetUserPolicyCommand).map((c) => c.args[0].input).sort((a, b) => String(a.PolicyName).localeCompare(String(b.PolicyName)))).toEqual([
      { UserName: 'alice', PolicyName: 'legacy-s3' },
      { UserName: 'alice', PolicyName: 'notes' },
    ]);
    // The `${aws:username}` and `&` came back URL-encoded; the backup keeps the document itself.
    expect(user?.inlinePolicies.find((p) => p.name === 'legacy-s3')?.document).toEqual(LEGACY);
    expect(user?.inlinePolicies.find((p) => p.name === 'notes')?.document).toEqual(NOTES);
  });

  it('Given SSH public keys, When the user is read, Then each body comes from GetSSHPublicKey with Encoding SSH', async () => {
    mockEverythingOnTwoPages();

    await readUserAttachments(clients.iam, 'alice');

    expect(mocks.iam.commandCalls(GetSSHPublicKeyCommand).map((c) => c.args[0].input).sort((a, b) => String(a.SSHPublicKeyId).localeCompare(String(b.SSHPublicKeyId)))).toEqual([
      { UserName: 'alice', SSHPublicKeyId: 'APKAALICE00000000001', Encoding: 'SSH' },
      { UserName: 'alice', SSHPublicKeyId: 'APKAALICE00000000002', Encoding: 'SSH' },
    ]);
  });

  it('Given no login profile (NoSuchEntity), When the user is read, Then the password is recorded as not existing', async () => {
    mockEverythingOnTwoPages();
    mocks.iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));

    const user = await readUserAttachments(clients.iam, 'alice');

    expect(user?.loginProfile).toEqual({ existed: false, passwordResetRequired: false });
  });

  it('Given GetLoginProfile is denied, When the user is read, Then the error propagates (a password not known to be gone is not gone)', async () => {
    mockEverythingOnTwoPages();
    mocks.iam.on(GetLoginProfileCommand).rejects(awsError('AccessDenied'));

    expect(await caught(readUserAttachments(clients.iam, 'alice'))).toMatchObject({ name: 'AccessDenied' });
  });

  it('Given no user of this name (GetUser NoSuchEntity), When the user is read, Then it is null and nothing else is asked', async () => {
    mocks.iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException'));

    expect(await readUserAttachments(clients.iam, 'ghost')).toBeNull();
    expect(mocks.iam.calls()).toHaveLength(1);
    expect(mocks.iam.commandCalls(GetUserCommand)[0]?.args[0].input).toEqual({ UserName: 'ghost' });
  });

  it('Given GetUser is denied, When the user is read, Then the error propagates', async () => {
    mocks.iam.on(GetUserCommand).rejects(awsError('AccessDenied'));

    expect(await caught(readUserAttachments(clients.iam, 'alice'))).toMatchObject({ name: 'AccessDenied' });
  });

  it('Given a user with nothing attached and no tags or boundary, When it is read, Then every list is empty, the path defaults to / and the boundary is null', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: { UserName: 'bare', UserId: 'AIDABARE000000000001', Arn: `arn:aws:iam::${ACCOUNT}:user/bare`, Path: undefined as unknown as string, CreateDate: D1 }, ...ok() });
    for (const [command, key] of [
      [ListUserPoliciesCommand, 'PolicyNames'],
      [ListAttachedUserPoliciesCommand, 'AttachedPolicies'],
      [ListGroupsForUserCommand, 'Groups'],
      [ListSSHPublicKeysCommand, 'SSHPublicKeys'],
      [ListSigningCertificatesCommand, 'Certificates'],
      [ListMFADevicesCommand, 'MFADevices'],
      [ListServiceSpecificCredentialsCommand, 'ServiceSpecificCredentials'],
      [ListAccessKeysCommand, 'AccessKeyMetadata'],
    ] as const) {
      paged(command, key, [[]]);
    }
    mocks.iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));

    const user = await readUserAttachments(clients.iam, 'bare');

    expect(user).toMatchObject({
      user: { userName: 'bare', path: '/', tags: [], permissionsBoundary: null },
      inlinePolicies: [],
      attachedPolicies: [],
      groups: [],
      sshPublicKeys: [],
      signingCertificates: [],
      mfaDevices: [],
      accessKeys: [],
      serviceSpecificCredentials: [],
      loginProfile: { existed: false, passwordResetRequired: false },
    });
    expect(mocks.iam.commandCalls(GetUserPolicyCommand)).toHaveLength(0);
    expect(mocks.iam.commandCalls(GetSSHPublicKeyCommand)).toHaveLength(0);
  });
});

describe('listServiceSpecificCredentials', () => {
  it('Given credentials over two pages (IsTruncated / Marker), When they are listed, Then the second page is asked with the first page\'s Marker for the same user, and both pages are returned', async () => {
    const seen = paged(ListServiceSpecificCredentialsCommand, 'ServiceSpecificCredentials', [
      [
        { UserName: 'alice', ServiceSpecificCredentialId: 'ACCA1', ServiceName: 'codecommit.amazonaws.com', ServiceUserName: 'alice-at-1', Status: 'Active', CreateDate: D1 },
        { UserName: 'alice', ServiceSpecificCredentialId: 'ACCA2', ServiceName: 'bedrock.amazonaws.com', ServiceUserName: 'alice-at-2', Status: 'Active', CreateDate: D1 },
      ],
      [{ UserName: 'alice', ServiceSpecificCredentialId: 'ACCA3', ServiceName: 'cassandra.amazonaws.com', ServiceUserName: 'alice-at-3', Status: 'Inactive', CreateDate: D2 }],
    ]);

    const credentials = await listServiceSpecificCredentials(clients.iam, 'alice');

    expect(credentials).toEqual([
      { id: 'ACCA1', serviceName: 'codecommit.amazonaws.com', serviceUserName: 'alice-at-1', status: 'Active' },
      { id: 'ACCA2', serviceName: 'bedrock.amazonaws.com', serviceUserName: 'alice-at-2', status: 'Active' },
      { id: 'ACCA3', serviceName: 'cassandra.amazonaws.com', serviceUserName: 'alice-at-3', status: 'Inactive' },
    ]);
    expect(seen.markers).toEqual([undefined, 'page-1']);
    expect(seen.userNames).toEqual(['alice', 'alice']);
    // Every service at once: no ServiceName filter narrows the listing.
    expect(mocks.iam.commandCalls(ListServiceSpecificCredentialsCommand).every((c) => c.args[0].input.ServiceName === undefined)).toBe(true);
  });

  it('Given three pages, When they are listed, Then the listing goes on until IAM stops returning a Marker', async () => {
    const seen = paged(ListServiceSpecificCredentialsCommand, 'ServiceSpecificCredentials', [
      [{ ServiceSpecificCredentialId: 'ACCA1', ServiceName: 's1', ServiceUserName: 'u1', Status: 'Active' }],
      [{ ServiceSpecificCredentialId: 'ACCA2', ServiceName: 's2', ServiceUserName: 'u2', Status: 'Active' }],
      [{ ServiceSpecificCredentialId: 'ACCA3', ServiceName: 's3', ServiceUserName: 'u3', Status: 'Active' }],
    ]);

    const credentials = await listServiceSpecificCredentials(clients.iam, 'alice');

    expect(credentials.map((c) => c.id)).toEqual(['ACCA1', 'ACCA2', 'ACCA3']);
    expect(seen.markers).toEqual([undefined, 'page-1', 'page-2']);
  });

  it('Given the user is gone, When the credentials are listed, Then NoSuchEntity propagates for the caller to judge', async () => {
    mocks.iam.on(ListServiceSpecificCredentialsCommand).rejects(awsError('NoSuchEntityException'));

    expect(await caught(listServiceSpecificCredentials(clients.iam, 'alice'))).toMatchObject({ name: 'NoSuchEntityException' });
  });
});
