import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttachUserPolicyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetUserCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { AuditSnapshot } from '../../src/model/inventory.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { startCountingServer, workspaceModes } from './support/e2e-helpers.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { runCli } from './support/run-cli.js';
import type { SeededSandbox } from './support/seed-account.js';
import { seedSandboxAccount } from './support/seed-account.js';

interface AuditResult {
  snapshot: AuditSnapshot;
  workspace: string;
  files: string[];
  mapping: { path: string; created: boolean; added: string[]; removed: string[] };
  stats: { apiCalls: { total: number; byOperation: Record<string, number> }; durationMs: number };
}

interface ErrorResult {
  error: { code: string; message: string; resolution: string };
}

interface MappingYaml {
  account: string;
  protect: { users: string[]; tags: string[] };
  users: Record<string, { kind: string; userName?: string; email?: string }>;
  permissionSets: Record<string, { managedPolicies: string[]; customerManagedPolicies: { name: string; path: string }[]; source?: { group?: string; user?: string } }>;
  groups: Record<string, { members: string[] }>;
}

const endpoint = inject('motoEndpoint');
const AWS_POLICY = 'arn:aws:iam::aws:policy';
const WORKSPACE_FILES = ['workspace.json', 'audit.json', 'mapping.yaml', 'reports/audit.md'];
const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe.skipIf(endpoint === null)('audit against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  const audit = (extra: string[] = [], options: Partial<Parameters<typeof runCli>[1]> = {}) =>
    runCli(['audit', '-w', workspace, '-o', 'json', ...extra], { endpoint: motoEndpoint, ...options });

  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });

  it('inventories every kind of user, and writes a private workspace even under umask 000', async () => {
    const seeded = await seedSandboxAccount(clients);

    const run = await audit([], { umask: 0o000 });
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<AuditResult>();
    const { snapshot } = result;

    expect(snapshot.schemaVersion).toBe(1);
    expect(snapshot.caller.accountId).toBe(seeded.accountId);
    expect(snapshot.caller.partition).toBe('aws');
    expect(snapshot.accountAlias).toBe(seeded.accountAlias);
    // The emulator's root user has neither MFA nor keys: both come from the report and the account summary.
    expect(snapshot.root).toMatchObject({ mfaActive: false, accessKeysPresent: false });
    expect(snapshot.findings.map((f) => f.rule)).toContain('root-without-mfa');
    expect(snapshot.gaps).toEqual([]);
    expect(sorted(snapshot.users.map((u) => u.userName))).toEqual(sorted(seeded.users.map((u) => u.name)));
    expect(result.stats.apiCalls.total).toBeGreaterThan(0);
    expect(result.workspace).toBe(workspace);
    // An audit only reads (a credential report generation aside): no operation may change the account.
    for (const operation of Object.keys(result.stats.apiCalls.byOperation)) {
      expect(operation.split('.').pop(), operation).toMatch(/^(Get|List|Describe|Generate)/);
    }
    for (const file of ['audit.json', 'mapping.yaml', 'audit.md']) {
      expect(result.files.some((f) => f.endsWith(file)), `files lists ${file}`).toBe(true);
    }
    expect(snapshot.identityCenter?.instances.length).toBeGreaterThanOrEqual(1);

    for (const want of seeded.users) {
      const got = snapshot.users.find((u) => u.userName === want.name)!;
      const context = `user ${want.name}`;
      expect(got.userId, context).toBe(want.userId);
      expect(got.arn, context).toBe(want.arn);
      expect(got.path, context).toBe(want.path);
      expect(sorted(got.groups), context).toEqual(sorted(want.groups));
      expect(sorted(got.attachedPolicies.map((p) => p.arn)), context).toEqual(sorted(want.managedPolicyArns));
      expect(sorted(got.inlinePolicies.map((p) => p.name)), context).toEqual(sorted(want.inlinePolicyNames));
      expect(got.console?.enabled, context).toBe(want.console);
      expect(got.mfa?.active, context).toBe(want.mfaSerial !== null);
      if (want.mfaSerial) expect(got.mfa?.virtualDeviceSerials, context).toContain(want.mfaSerial);
      expect(got.accessKeys?.filter((k) => k.active).length, context).toBe(want.accessKeys.filter((k) => k.active).length);
      expect(got.accessKeys?.filter((k) => k.lastUsedDate !== null).length, context).toBe(want.accessKeys.filter((k) => k.used).length);
      expect(got.signingCertificates?.filter((c) => c.active).length, context).toBe(want.signingCertificateIds.length);
      for (const [key, value] of Object.entries(want.tags)) expect(got.tags, context).toContainEqual({ key, value });
      if (want.expectedKind) expect(got.classification.kind, context).toBe(want.expectedKind);
    }
    // A person's name and an email tag must never be read as a workload, even with keys only.
    expect(snapshot.users.find((u) => u.userName === 'jane.doe')?.classification.kind).not.toBe('machine');

    // moto ignores user permissions boundaries: the audit must report what IAM itself reports.
    const kim = seeded.users.find((u) => u.boundaryArn !== null)!;
    const kimInIam = await clients.iam.send(new GetUserCommand({ UserName: kim.name }));
    expect(snapshot.users.find((u) => u.userName === kim.name)?.permissionsBoundary).toBe(
      kimInIam.User?.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    );

    const byName = new Map(snapshot.users.map((u) => [u.userName, u]));
    for (const name of seeded.expectedAdmins) expect(byName.get(name)?.isAdmin, `admin ${name}`).toBe(true);
    for (const name of seeded.expectedNonAdmins) expect(byName.get(name)?.isAdmin, `non-admin ${name}`).toBe(false);
    expect(byName.get('alice.admin')?.adminPaths.map((p) => p.via)).toContain('group-managed-policy');
    expect(byName.get('grace.ops')?.adminPaths.map((p) => p.via)).toContain('managed-policy');
    expect(byName.get('heidi.inline')?.adminPaths.map((p) => p.via)).toContain('inline-policy');

    const noMfa = snapshot.findings.filter((f) => f.rule === 'console-without-mfa').map((f) => f.subject);
    expect(sorted(noMfa.filter((s): s is string => s !== null))).toEqual(sorted(seeded.humansWithoutMfa));

    for (const want of seeded.groups) {
      const got = snapshot.groups.find((g) => g.name === want.name);
      expect(got, `group ${want.name}`).toBeDefined();
      expect(sorted(got!.members)).toEqual(sorted(want.members));
      expect(sorted(got!.attachedPolicies.map((p) => p.arn))).toEqual(sorted(want.managedPolicyArns));
      expect(sorted(got!.inlinePolicies.map((p) => p.name))).toEqual(sorted(want.inlinePolicyNames));
    }
    for (const policy of seeded.customerPolicies) {
      expect(snapshot.managedPolicies.find((p) => p.arn === policy.arn)).toMatchObject({ name: policy.name, path: policy.path });
    }
    const adminRole = snapshot.roles.find((r) => r.name === 'OrganizationAdmin');
    expect(JSON.stringify(adminRole?.trustPolicy)).toContain(`arn:aws:iam::${seeded.accountId}:root`);

    await expectPrivateWorkspace(workspace);
    const auditFile = JSON.parse(await readFile(join(workspace, 'audit.json'), 'utf8')) as AuditSnapshot;
    expect(auditFile.schemaVersion).toBe(1);
    expect(auditFile.users).toHaveLength(seeded.users.length);
    const state = JSON.parse(await readFile(join(workspace, 'workspace.json'), 'utf8')) as { accountId: string };
    expect(state.accountId).toBe(seeded.accountId);

    const mapping = YAML.parse(await readFile(join(workspace, 'mapping.yaml'), 'utf8')) as MappingYaml;
    expectDraftMapping(mapping, seeded);
    await expectNoSecrets(seeded, [run.stdout, run.stderr, ...(await Promise.all(WORKSPACE_FILES.map((f) => readFile(join(workspace, f), 'utf8'))))]);
  });

  it('finds who can become administrator through any policy: PowerUserAccess and an admin role that trusts the account, MFA, regions, a Deny', async () => {
    const seeded = await seedSandboxAccount(clients);
    const { iam } = clients;
    const adminRole = seeded.roles.find((r) => r.name === 'OrganizationAdmin')!;
    await addUser(iam, 'paula.power', { managed: [`${AWS_POLICY}/PowerUserAccess`] });
    await addUser(iam, 'quinn.mfa', { inline: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } });
    await addUser(iam, 'rita.off', { managed: [`${AWS_POLICY}/AdministratorAccess`, `${AWS_POLICY}/AWSDenyAll`] });
    await addUser(iam, 'sam.region', { inline: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } } });

    const run = await audit();
    expect(run.code, run.stderr).toBe(0);
    const snapshot = JSON.parse(await readFile(join(workspace, 'audit.json'), 'utf8')) as AuditSnapshot;
    const byName = new Map(snapshot.users.map((u) => [u.userName, u]));
    const levelOf = (name: string) => byName.get(name)?.adminAccess?.level;

    // moto serves the AWS-managed documents, so PowerUserAccess is judged by what it says.
    expect(snapshot.gaps).toEqual([]);
    expect(JSON.stringify(snapshot.awsManagedPolicies?.find((p) => p.name === 'PowerUserAccess')?.document)).toContain('NotAction');

    expect(byName.get('paula.power')?.adminAccess).toMatchObject({
      level: 'near-admin',
      nearAdminPaths: [{ via: 'assume-role', source: adminRole.arn, actions: ['sts:AssumeRole'], through: [`managed-policy ${AWS_POLICY}/PowerUserAccess`, `trust-policy ${adminRole.arn}`] }],
    });
    expect(byName.get('paula.power')).toMatchObject({ isAdmin: false, adminPaths: [] });
    // Every Developers member has PowerUserAccess through the group; kim's boundary allows sts:AssumeRole.
    for (const name of ['bob.builder', 'carol.dev', 'frank.nomfa', 'kim.boundary', 'leo.ssh']) {
      expect(levelOf(name), name).toBe('near-admin');
      expect(byName.get(name)?.adminAccess?.nearAdminPaths[0]?.through, name).toContain(`group Developers managed-policy ${AWS_POLICY}/PowerUserAccess`);
    }
    expect(byName.get('quinn.mfa')?.adminAccess).toMatchObject({ level: 'conditional-admin', conditionalPaths: [{ via: 'inline-policy', unknownKeys: ['aws:MultiFactorAuthPresent'] }] });
    expect(byName.get('sam.region')?.adminAccess).toMatchObject({ level: 'conditional-admin', conditionalPaths: [{ via: 'assume-role', source: adminRole.arn, unknownKeys: ['aws:RequestedRegion'] }] });
    expect(byName.get('rita.off')?.adminAccess).toMatchObject({ level: 'none', deniedBy: [{ via: 'managed-policy', source: `${AWS_POLICY}/AWSDenyAll` }] });
    for (const name of seeded.expectedAdmins) expect(levelOf(name), `admin ${name}`).toBe('admin');
    for (const name of seeded.expectedNonAdmins) expect(levelOf(name), `non-admin ${name}`).toBe('none');

    const report = await readFile(join(workspace, 'reports/audit.md'), 'utf8');
    expect(report).toContain('## Administrator access');
    expect(report).toContain(`| paula.power | near-admin | assuming role ${adminRole.arn}`);
    expect(run.json<AuditResult>().snapshot.findings).toContainEqual(expect.objectContaining({ rule: 'iam-user-near-administrator', subject: 'paula.power' }));
  });

  it('marks the user it runs as, and protects it in the draft mapping', async () => {
    const seeded = await seedSandboxAccount(clients);
    const bob = seeded.users.find((u) => u.name === 'bob.builder')!;

    const run = await audit([], { accessKey: bob.accessKeys[0]! });
    expect(run.code, run.stderr).toBe(0);
    const { snapshot } = run.json<AuditResult>();
    expect(snapshot.users.filter((u) => u.isCaller).map((u) => u.userName)).toEqual(['bob.builder']);
    expect(snapshot.caller.userId).toBe(bob.userId);
    const mapping = YAML.parse(await readFile(join(workspace, 'mapping.yaml'), 'utf8')) as MappingYaml;
    expect(mapping.protect.users).toContain('bob.builder');
  });

  it('keeps the operator edits of mapping.yaml on a re-run and reports added and removed users', async () => {
    await seedSandboxAccount(clients);
    const first = await audit();
    expect(first.code, first.stderr).toBe(0);
    expect(first.json<AuditResult>().mapping.created).toBe(true);

    const mappingPath = join(workspace, 'mapping.yaml');
    const document = YAML.parseDocument(await readFile(mappingPath, 'utf8'));
    document.setIn(['users', 'bob.builder', 'userName'], 'robert.builder');
    document.commentBefore = ' Reviewed by the platform team: keep this note.';
    await writeFile(mappingPath, document.toString());

    await clients.iam.send(new CreateUserCommand({ UserName: 'zoe.new' }));
    await clients.iam.send(new CreateLoginProfileCommand({ UserName: 'zoe.new', Password: 'Zoe-New-Password-1!' }));
    await clients.iam.send(new RemoveUserFromGroupCommand({ UserName: 'olivia.intern', GroupName: 'ReadOnly' }));
    await clients.iam.send(new DeleteLoginProfileCommand({ UserName: 'olivia.intern' }));
    await clients.iam.send(new DeleteUserCommand({ UserName: 'olivia.intern' }));

    const second = await audit();
    expect(second.code, second.stderr).toBe(0);
    const { mapping } = second.json<AuditResult>();
    expect(mapping.created).toBe(false);
    expect(mapping.added.some((entry) => entry.includes('zoe.new'))).toBe(true);
    expect(mapping.removed.some((entry) => entry.includes('olivia.intern'))).toBe(true);
    expect(mapping.added.some((entry) => entry.includes('bob.builder'))).toBe(false);

    const text = await readFile(mappingPath, 'utf8');
    expect(text).toContain('Reviewed by the platform team: keep this note.');
    const reread = YAML.parse(text) as MappingYaml;
    expect(reread.users['bob.builder']?.userName).toBe('robert.builder');
    expect(reread.users['zoe.new']).toBeDefined();
    await expectPrivateWorkspace(workspace);
  });

  it('refuses a workspace bound to another account and leaves it untouched (exit 3)', async () => {
    await seedSandboxAccount(clients);
    expect((await audit()).code).toBe(0);
    const before = await snapshotFiles(workspace);

    // moto hands out real cross-account credentials: the CLI sees account 222222222222.
    const assumed = await clients.sts.send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole', RoleSessionName: 'e2e' }),
    );
    const other = assumed.Credentials!;
    const run = await audit([], {
      accessKey: { id: other.AccessKeyId!, secret: other.SecretAccessKey!, sessionToken: other.SessionToken! },
    });
    expect(run.code, run.stderr).toBe(3);
    expect(typeof run.json<ErrorResult>().error.code).toBe('string');
    expect(await snapshotFiles(workspace)).toEqual(before);
  });

  it('rejects a bad option with exit 2 before any AWS call', async () => {
    const counter = await startCountingServer();
    try {
      for (const args of [['-o', 'xml'], ['--no-such-option']]) {
        const run = await runCli(['audit', '-w', workspace, ...args], { endpoint: counter.endpoint });
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      }
      expect(counter.requests()).toBe(0);
    } finally {
      await counter.close();
    }
  });

  it('fails with exit 4 when there are no credentials at all', async () => {
    const run = await audit([], { accessKey: null });
    expect(run.code, run.stderr).toBe(4);
    expect(typeof run.json<ErrorResult>().error.resolution).toBe('string');
  });
});

/** A user with AWS-managed policies and one inline statement, for shapes the seed helpers do not make (NotAction, Condition). */
async function addUser(iam: IAMClient, name: string, spec: { managed?: string[]; inline?: Record<string, unknown> }): Promise<void> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const arn of spec.managed ?? []) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  if (spec.inline) {
    const document = { Version: '2012-10-17', Statement: [spec.inline] };
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'access', PolicyDocument: JSON.stringify(document) }));
  }
}

function expectDraftMapping(mapping: MappingYaml, seeded: SeededSandbox): void {
  for (const name of seeded.machineUsers) expect(mapping.users[name]?.kind, `mapping of ${name}`).toBe('machine');
  for (const user of seeded.users.filter((u) => u.expectedKind === 'human')) {
    expect(mapping.users[user.name]?.kind, `mapping of ${user.name}`).toBe('human');
  }
  const sources = Object.values(mapping.permissionSets).map((ps) => ps.source?.group);
  for (const group of seeded.groups) expect(sources, `permission set for group ${group.name}`).toContain(group.name);
  const fromReadOnly = Object.values(mapping.permissionSets).find((ps) => ps.source?.group === 'ReadOnly')!;
  expect(sorted(fromReadOnly.managedPolicies)).toEqual(sorted(seeded.groups.find((g) => g.name === 'ReadOnly')!.managedPolicyArns));
  const fromDevelopers = Object.values(mapping.permissionSets).find((ps) => ps.source?.group === 'Developers')!;
  expect(fromDevelopers.customerManagedPolicies).toContainEqual({ name: 'DeveloperExtras', path: '/team/' });
  const protectedByTag = mapping.protect.tags.includes('iam2idc:protect=true');
  for (const name of seeded.protectedUsers) expect(protectedByTag || mapping.protect.users.includes(name)).toBe(true);
}

async function expectPrivateWorkspace(dir: string): Promise<void> {
  const modes = await workspaceModes(dir);
  for (const [path, mode] of Object.entries(modes.directories)) expect(mode, `mode of ${path}/`).toBe(0o700);
  for (const [path, mode] of Object.entries(modes.files)) expect(mode, `mode of ${path}`).toBe(0o600);
  for (const file of WORKSPACE_FILES) expect(Object.keys(modes.files)).toContain(file);
}

async function expectNoSecrets(seeded: SeededSandbox, texts: string[]): Promise<void> {
  const secrets = seeded.users.flatMap((u) => u.accessKeys.map((k) => k.secret));
  for (const text of texts) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
}

/** Contents and modification times of every workspace file, to prove that nothing was rewritten. */
async function snapshotFiles(dir: string): Promise<Record<string, { content: string; mtimeMs: number }>> {
  const { files } = await workspaceModes(dir);
  const entries = await Promise.all(
    Object.keys(files).map(async (file) => {
      const path = join(dir, file);
      return [file, { content: await readFile(path, 'utf8'), mtimeMs: (await stat(path)).mtimeMs }] as const;
    }),
  );
  return Object.fromEntries(entries);
}
