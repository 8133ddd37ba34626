import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UploadSSHPublicKeyCommand,
  UploadSigningCertificateCommand,
} from '@aws-sdk/client-iam';
import type { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AccessKey, EmulatorClients } from './aws-clients.js';
import { EMULATOR_REGION } from './aws-clients.js';

export interface PolicyDoc {
  Version: '2012-10-17';
  Statement: Array<{ Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[] }>;
}

/** An Allow statement; `Resource` defaults to everything. */
export function allow(actions: string[], resources: string[] = ['*']): PolicyDoc['Statement'][number] {
  return { Effect: 'Allow', Action: actions.length === 1 ? actions[0]! : actions, Resource: resources.length === 1 ? resources[0]! : resources };
}

/** A policy document from statements. */
export function doc(...statements: PolicyDoc['Statement']): PolicyDoc {
  return { Version: '2012-10-17', Statement: statements };
}

export interface SeedGroupSpec {
  name: string;
  path?: string;
  managed?: string[];
  inline?: Record<string, PolicyDoc>;
}

export interface SeedUserSpec {
  name: string;
  path?: string;
  /** What a careful operator would call this user; null when it is honestly ambiguous. */
  expectedKind: 'human' | 'machine' | null;
  console?: boolean;
  mfa?: boolean;
  keys?: number;
  /** How many of the keys (the last ones) are made Inactive. */
  inactiveKeys?: number;
  /** How many of the active keys sign one request, so IAM records a last use. */
  usedKeys?: number;
  groups?: string[];
  managed?: string[];
  inline?: Record<string, PolicyDoc>;
  boundary?: string;
  tags?: Record<string, string>;
  sshKey?: boolean;
  signingCertificate?: boolean;
  admin?: boolean;
  nonAdmin?: boolean;
  protected?: boolean;
}

export interface SeededAccessKey extends AccessKey {
  active: boolean;
  used: boolean;
}

export interface SeededUser {
  name: string;
  userId: string;
  arn: string;
  path: string;
  expectedKind: 'human' | 'machine' | null;
  groups: string[];
  managedPolicyArns: string[];
  inlinePolicyNames: string[];
  console: boolean;
  mfaSerial: string | null;
  accessKeys: SeededAccessKey[];
  boundaryArn: string | null;
  tags: Record<string, string>;
  sshPublicKeyIds: string[];
  signingCertificateIds: string[];
  admin: boolean;
  protected: boolean;
}

/** Creates a group with its managed and inline policies. */
export async function createGroup(iam: IAMClient, spec: SeedGroupSpec): Promise<void> {
  await iam.send(new CreateGroupCommand({ GroupName: spec.name, Path: spec.path }));
  for (const arn of spec.managed ?? []) {
    await iam.send(new AttachGroupPolicyCommand({ GroupName: spec.name, PolicyArn: arn }));
  }
  for (const [name, document] of Object.entries(spec.inline ?? {})) {
    await iam.send(new PutGroupPolicyCommand({ GroupName: spec.name, PolicyName: name, PolicyDocument: JSON.stringify(document) }));
  }
}

/** Creates one user with everything its spec asks for, through the same calls an operator would make. */
export async function createUser(clients: EmulatorClients, spec: SeedUserSpec): Promise<SeededUser> {
  const { iam } = clients;
  const tags = spec.tags ?? {};
  const created = await iam.send(
    new CreateUserCommand({
      UserName: spec.name,
      Path: spec.path,
      PermissionsBoundary: spec.boundary,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  for (const group of spec.groups ?? []) {
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: spec.name }));
  }
  for (const arn of spec.managed ?? []) {
    await iam.send(new AttachUserPolicyCommand({ UserName: spec.name, PolicyArn: arn }));
  }
  for (const [name, document] of Object.entries(spec.inline ?? {})) {
    await iam.send(new PutUserPolicyCommand({ UserName: spec.name, PolicyName: name, PolicyDocument: JSON.stringify(document) }));
  }
  if (spec.console) {
    await iam.send(new CreateLoginProfileCommand({ UserName: spec.name, Password: randomPassword() }));
  }
  const mfaSerial = spec.mfa ? await enableVirtualMfa(iam, spec.name) : null;
  const accessKeys = await createAccessKeys(clients, spec);

  const sshPublicKeyIds: string[] = [];
  if (spec.sshKey) {
    const uploaded = await iam.send(new UploadSSHPublicKeyCommand({ UserName: spec.name, SSHPublicKeyBody: sshPublicKey() }));
    sshPublicKeyIds.push(uploaded.SSHPublicKey!.SSHPublicKeyId!);
  }
  const signingCertificateIds: string[] = [];
  if (spec.signingCertificate) {
    const uploaded = await iam.send(new UploadSigningCertificateCommand({ UserName: spec.name, CertificateBody: SIGNING_CERTIFICATE }));
    signingCertificateIds.push(uploaded.Certificate!.CertificateId!);
  }

  return {
    name: spec.name,
    userId: created.User!.UserId!,
    arn: created.User!.Arn!,
    path: spec.path ?? '/',
    expectedKind: spec.expectedKind,
    groups: spec.groups ?? [],
    managedPolicyArns: spec.managed ?? [],
    inlinePolicyNames: Object.keys(spec.inline ?? {}),
    console: spec.console ?? false,
    mfaSerial,
    accessKeys,
    boundaryArn: spec.boundary ?? null,
    tags,
    sshPublicKeyIds,
    signingCertificateIds,
    admin: spec.admin ?? false,
    protected: spec.protected ?? false,
  };
}

async function enableVirtualMfa(iam: IAMClient, userName: string): Promise<string> {
  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-mfa` }));
  const serial = device.VirtualMFADevice!.SerialNumber!;
  // moto accepts any two codes; real IAM wants two consecutive TOTP codes.
  await iam.send(
    new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }),
  );
  return serial;
}

async function createAccessKeys(clients: EmulatorClients, spec: SeedUserSpec): Promise<SeededAccessKey[]> {
  const count = spec.keys ?? 0;
  const inactive = spec.inactiveKeys ?? 0;
  const keys: SeededAccessKey[] = [];
  for (let i = 0; i < count; i += 1) {
    const { AccessKey: key } = await clients.iam.send(new CreateAccessKeyCommand({ UserName: spec.name }));
    const active = i < count - inactive;
    if (!active) {
      await clients.iam.send(new UpdateAccessKeyCommand({ UserName: spec.name, AccessKeyId: key!.AccessKeyId, Status: 'Inactive' }));
    }
    keys.push({ id: key!.AccessKeyId!, secret: key!.SecretAccessKey!, active, used: false });
  }
  // moto records a key's last use when a request is signed with it, as IAM does.
  for (const key of keys.filter((k) => k.active).slice(0, spec.usedKeys ?? 0)) {
    await useAccessKey(clients.endpoint, key);
    key.used = true;
  }
  return keys;
}

/** Signs one harmless request with the key, so that IAM has a last-used date for it. */
export async function useAccessKey(endpoint: string, key: AccessKey): Promise<void> {
  const sts = new STSClient({
    endpoint,
    region: EMULATOR_REGION,
    credentials: { accessKeyId: key.id, secretAccessKey: key.secret, sessionToken: key.sessionToken },
  });
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

function randomPassword(): string {
  // Meets the strictest common password policy: upper, lower, digit, symbol, length.
  return `Seed-${randomBytes(12).toString('base64url')}-9a!`;
}

let cachedSshKey: string | undefined;

/** An OpenSSH `ssh-rsa` public key (the only type IAM accepts) built from a fresh RSA key. */
export function sshPublicKey(): string {
  if (cachedSshKey) return cachedSshKey;
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const field = (data: Buffer): Buffer => Buffer.concat([uint32(data.length), data]);
  // SSH mpints are two's complement: a leading 0x00 keeps a high-bit value positive.
  const mpint = (b64url: string): Buffer => {
    const raw = Buffer.from(b64url, 'base64url');
    return field(raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
  cachedSshKey = `ssh-rsa ${blob.toString('base64')} iam2idc-e2e`;
  return cachedSshKey;
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/**
 * A self-signed X.509 certificate (RSA 2048, valid until 2126) made once with openssl. node:crypto
 * can parse certificates but not create them, and moto rejects anything that does not parse.
 * Only the certificate is kept; its private key was discarded.
 */
export const SIGNING_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDazCCAlOgAwIBAgIUMwahjZYgo9wDVzCKJ6WSBBKtzzwwDQYJKoZIhvcNAQEL
BQAwRDEkMCIGA1UEAwwbbGVvLnNzaCBzaWduaW5nIGNlcnRpZmljYXRlMRwwGgYD
VQQKDBNpYW0yaWRjIGUyZSBmaXh0dXJlMCAXDTI2MTEyMjAzMTUzOVoYDzIxMjYx
MDI5MDMxNTM5WjBEMSQwIgYDVQQDDBtsZW8uc3NoIHNpZ25pbmcgY2VydGlmaWNh
dGUxHDAaBgNVBAoME2lhbTJpZGMgZTJlIGZpeHR1cmUwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQD0acd2wcSKaJwQ8MC62Au/KH8c7u8PSyGKf0izsacM
riJq0I+Qboobp1BbzbyeXyBddobpgEcecpA5MPZ5CWNDbvTqChNnPJO37GFUj7Bz
rgqL20W7/h45cHF8wpqZYh5szVgqMY3I9IJIdM/l8bX1KlaBQETx/zasFJYbygNd
QLvomfhcHhQ0Zd5MKTXvra/5o50LZhf2DtKuiCqw4oymcOqhdvwhGRzWKSWJdaoJ
zbVyrg0ljMdGH7yD13tjSx/0PCOGl7YRNRfFS/9rHiGykHF9QS1GvoZMT2Da1b+d
GMaSt2Y5gOKeBW5Ys/7+aED6xOCnQIoi/UF/5D7kiBxLAgMBAAGjUzBRMB0GA1Ud
DgQWBBR6DkonE/A2jv92pMxf/v2adR1VXzAfBgNVHSMEGDAWgBR6DkonE/A2jv92
pMxf/v2adR1VXzAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQAQ
FOvE35qO6d3ZZXDO5haGNQBeyopO6Hx/Agqmv2Wpo8vfIST5lUHSpgKJQw3kUc5y
IkiN2D6Iu46C64mf+t+9hZg1JZXt9DortHlmFRO1fRV1H7ts67UK4BgJ025pnCTl
gZ4vx10VaW4N/qIZn2jU3feNYVg+tYI71IN6QR4djDbvYkrMG5qyykhfSJJBQJxb
lnsjxkMfDiJu7ZDrM91cxjm3+K438R0LZVux/boQwR9Zy7j4fKY6sL9X/uQKpJfg
o6RzdnloxG0M0fqIhEudTYHtMbVj9WL05XjaLDy1H4cIZC+Hw8hd0HQdwXGuDtmo
P5PWW3Ch9mm+EAbRMlpy
-----END CERTIFICATE-----
`;
