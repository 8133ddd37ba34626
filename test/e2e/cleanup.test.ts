import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GetSSHPublicKeyCommand,
  GetUserCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, inject, it } from 'vitest';
import type { UserBackup } from '../../src/workspace/user-backups.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { runCli, type RunCliOptions } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { seedSandboxAccount, type SeededSandbox } from './support/seed-account.js';
import { readWorkspaceJson, workspaceContents } from './support/workspace-files.js';

interface CleanupJson {
  decisions: { userName: string; status: string; exclusion: { code: string } | null; unrecoverable: string[] }[];
  deleted: string[];
  execution: { counts: Record<string, number> };
}

interface RestoreJson {
  restored: string[];
  decisions: { userName: string; cannotRestore: { what: string; instead: string }[] }[];
}

const endpoint = inject('motoEndpoint');
const RUN_TIMEOUT_MS = 180_000;

describe.skipIf(endpoint === null)('cleanup and restore against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  const cli = (args: string[], options: Partial<RunCliOptions> = {}) => runCli([...args, '-w', workspace], { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS, ...options });
  const userNames = async () => ((await clients.iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName!).sort();

  /** The whole journey with flags only, up to disable, run as bob.builder (so the caller is a seeded user). */
  async function journeyToCleanup(): Promise<{ seeded: SeededSandbox; asBob: Partial<RunCliOptions>; disabled: string[] }> {
    const seeded = await seedSandboxAccount(clients);
    const asBob = { accessKey: seeded.users.find((u) => u.name === 'bob.builder')!.accessKeys[0]! };
    for (const step of [['audit'], ['generate-policies'], ['create-permission-sets', '--yes'], ['assign', '--yes', '--email-template', '{user}@corp.example']]) {
      const run = await cli([...step, '-o', 'json'], asBob);
      expect(run.code, `${step[0]}: ${run.stderr}`).toBe(0);
    }
    const disable = await cli(['disable', '--yes', '--confirm-account', seeded.accountId, '-o', 'json'], asBob);
    expect(disable.code, disable.stderr).toBe(0);
    return { seeded, asBob, disabled: disable.json<{ disabled: string[] }>().disabled };
  }

  it('deletes the disabled users completely, each backed up first, and leaves protected, machine and caller users', async () => {
    const { seeded, asBob, disabled } = await journeyToCleanup();
    expect(disabled.length).toBeGreaterThan(5);

    // Just disabled: the default wait of 7 days keeps everyone.
    const tooSoon = await cli(['cleanup', '--yes', '--confirm-account', seeded.accountId, '-o', 'json'], asBob);
    expect(tooSoon.code, tooSoon.stderr).toBe(0);
    expect(tooSoon.json<CleanupJson>().decisions.every((d) => d.exclusion?.code === 'DISABLED_TOO_RECENTLY')).toBe(true);
    expect(await userNames()).toEqual(seeded.users.map((u) => u.name).sort());

    const refused = await cli(['cleanup', '--min-disabled-days', '0', '--yes'], asBob);
    expect(refused.code, refused.stderr).toBe(3);

    const run = await cli(['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', seeded.accountId, '-o', 'json'], asBob);
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<CleanupJson>();
    expect(result.deleted.sort()).toEqual([...disabled].sort());
    expect(result.decisions.find((d) => d.userName === disabled[0])?.unrecoverable.some((u) => u.includes('UserId'))).toBe(true);

    const remaining = await userNames();
    for (const gone of disabled) expect(remaining).not.toContain(gone);
    for (const kept of ['bob.builder', 'break-glass-admin', ...seeded.machineUsers]) expect(remaining).toContain(kept);

    const backups = (await readdir(join(workspace, 'backups'))).filter((f) => !f.startsWith('disable-'));
    const byUser = new Map(seeded.users.map((u) => [u.name, u]));
    expect(backups.sort()).toEqual(disabled.map((name) => `${name}-${byUser.get(name)!.userId}.json`).sort());

    // Nothing left to do: a second run makes no change.
    const again = await cli(['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', seeded.accountId, '-o', 'json', '--debug'], asBob);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.split('\n').filter((l) => /\[debug\] iam\.(Delete|Detach|Remove|Deactivate)\w* \{/.test(l))).toEqual([]);

    // No secret of any seeded key reaches the workspace, stdout or stderr.
    const everything = [JSON.stringify(await workspaceContents(workspace)), run.stdout, run.stderr].join('\n');
    for (const user of seeded.users) for (const key of user.accessKeys) expect(everything).not.toContain(key.secret);
  });

  it('restores a deleted user from its backup: path, tags, policies, groups, SSH key and certificate', async () => {
    const { seeded, asBob, disabled } = await journeyToCleanup();
    expect(disabled).toContain('leo.ssh');
    const run = await cli(['cleanup', '--users', 'leo.ssh', '--min-disabled-days', '0', '--yes', '--confirm-account', seeded.accountId, '-o', 'json'], asBob);
    expect(run.code, run.stderr).toBe(0);
    const leo = seeded.users.find((u) => u.name === 'leo.ssh')!;
    const backup = await readWorkspaceJson<UserBackup>(workspace, `backups/leo.ssh-${leo.userId}.json`);
    expect(backup.sshPublicKeys).toHaveLength(1);
    expect(backup.signingCertificates).toHaveLength(1);
    expect(backup.inlinePolicies.map((p) => p.name)).toContain('iam2idc-deny-all');

    const restore = await cli(['restore', '--user', 'leo.ssh', '--yes', '-o', 'json'], asBob);
    expect(restore.code, restore.stderr).toBe(0);
    const result = restore.json<RestoreJson>();
    expect(result.restored).toEqual(['leo.ssh']);
    expect(result.decisions[0]?.cannotRestore.some((c) => c.what.includes('UserId'))).toBe(true);

    const { User } = await clients.iam.send(new GetUserCommand({ UserName: 'leo.ssh' }));
    expect(User?.UserId).not.toBe(leo.userId);
    expect(User?.Path).toBe(backup.user.path);
    const tags = Object.fromEntries((User?.Tags ?? []).map((t) => [t.Key, t.Value]));
    for (const tag of backup.user.tags) expect(tags[tag.key]).toBe(tag.value);
    // As it was before disable: the deny-all iam2idc added is not part of the user.
    const inline = (await clients.iam.send(new ListUserPoliciesCommand({ UserName: 'leo.ssh' }))).PolicyNames ?? [];
    expect([...inline].sort()).toEqual(backup.inlinePolicies.map((p) => p.name).filter((n) => n !== 'iam2idc-deny-all').sort());
    const attached = ((await clients.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'leo.ssh' }))).AttachedPolicies ?? []).map((p) => p.PolicyArn);
    expect(attached.sort()).toEqual(backup.attachedPolicies.map((p) => p.arn).sort());
    const groups = ((await clients.iam.send(new ListGroupsForUserCommand({ UserName: 'leo.ssh' }))).Groups ?? []).map((g) => g.GroupName);
    expect(groups.sort()).toEqual([...backup.groups].sort());
    const [sshKey] = (await clients.iam.send(new ListSSHPublicKeysCommand({ UserName: 'leo.ssh' }))).SSHPublicKeys ?? [];
    const body = (await clients.iam.send(new GetSSHPublicKeyCommand({ UserName: 'leo.ssh', SSHPublicKeyId: sshKey!.SSHPublicKeyId, Encoding: 'SSH' }))).SSHPublicKey?.SSHPublicKeyBody;
    expect(body?.trim()).toBe(backup.sshPublicKeys[0]!.body.trim());
    const certificates = (await clients.iam.send(new ListSigningCertificatesCommand({ UserName: 'leo.ssh' }))).Certificates ?? [];
    expect(certificates.map((c) => c.CertificateBody?.trim())).toEqual([backup.signingCertificates[0]!.body.trim()]);

    // Restoring again is a resume of its own user, not a second user: nothing left to do.
    const again = await cli(['restore', '--user', 'leo.ssh', '--yes', '-o', 'json', '--debug'], asBob);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr.split('\n').filter((l) => /\[debug\] iam\.(Create|Put|Attach|Add|Upload)\w* \{/.test(l))).toEqual([]);
  });

  it('refuses hostile workspace files and an edited saved plan, changing nothing', async () => {
    const { seeded, asBob, disabled } = await journeyToCleanup();
    const [, other] = disabled.filter((n) => n !== 'leo.ssh');
    const deleted = await cli(['cleanup', '--users', 'leo.ssh', '--min-disabled-days', '0', '--yes', '--confirm-account', seeded.accountId], asBob);
    expect(deleted.code, deleted.stderr).toBe(0);
    const leo = seeded.users.find((u) => u.name === 'leo.ssh')!;

    // A backup edited to grant administrator access is not restored.
    const backupFile = join(workspace, `backups/leo.ssh-${leo.userId}.json`);
    const backup = JSON.parse(await readFile(backupFile, 'utf8')) as UserBackup;
    await writeFile(backupFile, JSON.stringify({ ...backup, attachedPolicies: [...backup.attachedPolicies, { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] }));
    const restore = await cli(['restore', '--user', 'leo.ssh', '--yes'], asBob);
    expect(restore.code, restore.stderr).toBe(3);
    expect(await userNames()).not.toContain('leo.ssh');

    // A file cannot make enable act: only disable's runs in the journal name what it undoes.
    const machine = seeded.machineUsers[0]!;
    const machineId = seeded.users.find((u) => u.name === machine)!.userId;
    const forged = join(workspace, `backups/disable-${machine}.json`);
    await writeFile(forged, JSON.stringify({ userName: machine, userId: machineId, denyPolicy: { kind: 'inline', policyName: 'iam2idc-deny-all', state: 'done' }, keys: [] }));
    const enable = await cli(['enable', '--users', machine, '--yes'], asBob);
    expect(enable.code, enable.stderr).toBe(2);
    await rm(forged);

    // A saved cleanup plan with the backup taken out deletes nobody.
    const planFile = join(workspace, 'plans', 'cleanup.json');
    await mkdir(join(workspace, 'plans'), { recursive: true });
    const dry = await cli(['cleanup', '--users', other!, '--min-disabled-days', '0', '--dry-run', '--save-plan', planFile], asBob);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(await readFile(planFile, 'utf8')) as { actions: { id: string; dependsOn: string[] }[] };
    const backupId = plan.actions.find((a) => a.id.endsWith('/backup'))!.id;
    plan.actions = plan.actions.filter((a) => a.id !== backupId).map((a) => ({ ...a, dependsOn: a.dependsOn.filter((d) => d !== backupId) }));
    await writeFile(planFile, JSON.stringify(plan));
    const tampered = await cli(['cleanup', '--plan', planFile, '--yes', '--confirm-account', seeded.accountId], asBob);
    expect(tampered.code, tampered.stderr).toBe(3);
    expect(await userNames()).toContain(other);
  });
});
