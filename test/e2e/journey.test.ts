import { ListAccessKeysCommand, ListUserPoliciesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { ListUsersCommand as ListIdcUsersCommand } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, ListPermissionSetsCommand } from '@aws-sdk/client-sso-admin';
import { describe, expect, inject, it } from 'vitest';
import type { EmulatorClients } from './support/aws-clients.js';
import { runCli, type RunCliOptions } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { seedSandboxAccount } from './support/seed-account.js';
import { iamUserCall, idcSession, putTrailEvents, seedTrailLogGroup } from './support/seed-trail.js';
import { readWorkspaceJson } from './support/workspace-files.js';

interface StatusJson {
  allMigrated: boolean;
  checklist: { phases: { id: string; state: string }[]; next: { phase: string | null; finished: boolean } };
  users: { userName: string; kind: string; state: string; migrated: boolean; protected: boolean }[];
}

const endpoint = inject('motoEndpoint');

/**
 * The whole journey on one seeded account, with flags only, as a pipeline would run it, checking the
 * emulator's state after every phase and `status` at the end.
 */
describe.skipIf(endpoint === null)('the whole migration, phase by phase', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  const cli = async (args: string[], expected = 0, options: Partial<RunCliOptions> = {}) => {
    const run = await runCli([...args, '-w', workspace, '-o', 'json'], { endpoint: motoEndpoint, timeoutMs: 180_000, ...options });
    expect(run.code, `${args.join(' ')}:\n${run.stderr}`).toBe(expected);
    return run;
  };
  const iamAccess = async () => {
    const users = (await clients.iam.send(new ListUsersCommand({}))).Users ?? [];
    const access = new Map<string, { inline: string[]; keys: string[] }>();
    for (const { UserName } of users) {
      const inline = (await clients.iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? [];
      const keys = ((await clients.iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => `${k.AccessKeyId}:${k.Status}`);
      access.set(UserName!, { inline: [...inline].sort(), keys: keys.sort() });
    }
    return access;
  };

  it('audit → generate-policies → create-permission-sets → assign → watch-denied → disable → enable → disable → cleanup → restore', { timeout: 600_000 }, async () => {
    const seeded = await seedSandboxAccount(clients);
    const accountId = seeded.accountId;
    const people = seeded.users.filter((u) => u.expectedKind === 'human' && !seeded.protectedUsers.includes(u.name)).map((u) => u.name).sort();

    await cli(['audit']);
    const mapping = await readWorkspaceJson<{ phases: { audit: { userCount: number } } }>(workspace, 'workspace.json');
    expect(mapping.phases.audit.userCount).toBe(seeded.users.length);

    await cli(['generate-policies']);
    await cli(['create-permission-sets', '--yes']);
    const instance = (await clients.ssoAdmin.send(new ListInstancesCommand({}))).Instances![0]!;
    expect((await clients.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: instance.InstanceArn }))).PermissionSets?.length).toBeGreaterThan(3);

    await cli(['assign', '--yes', '--email-template', '{user}@corp.example']);
    const idcUsers = ((await clients.identityStore.send(new ListIdcUsersCommand({ IdentityStoreId: instance.IdentityStoreId }))).Users ?? []).map((u) => u.UserName);
    for (const person of people) expect(idcUsers).toContain(person);

    // The parallel run: people work through Identity Center; CloudTrail saw a denial and an old key.
    await seedTrailLogGroup(clients, accountId);
    const ci = seeded.users.find((u) => u.name === 'ci-deploy')!;
    await putTrailEvents(clients, accountId, [
      { id: 'j-1', minutesAgo: 90, identity: idcSession(accountId, 'Developers', 'bob.builder'), eventSource: 'ecr.amazonaws.com', eventName: 'DescribeRepositories', errorCode: 'AccessDeniedException', errorMessage: 'because no identity-based policy allows the ecr:DescribeRepositories action' },
      { id: 'j-2', minutesAgo: 80, identity: iamUserCall(accountId, { name: 'ci-deploy', userId: ci.userId }, ci.accessKeys[0]!.id), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' },
    ]);
    const watch = (await cli(['watch-denied'])).json<{ report: { totals: { denied: number }; iamUsers: { userName: string }[] } }>();
    expect(watch.report.totals.denied).toBe(1);
    expect(watch.report.iamUsers.map((u) => u.userName)).toEqual(['ci-deploy']);

    const beforeDisable = await iamAccess();
    const disabled = (await cli(['disable', '--yes', '--confirm-account', accountId])).json<{ disabled: string[] }>().disabled.sort();
    expect(disabled).toEqual(people);
    const afterDisable = await iamAccess();
    for (const person of people) {
      expect(afterDisable.get(person)?.inline, person).toContain('iam2idc-deny-all');
      expect(afterDisable.get(person)?.keys.every((k) => k.endsWith(':Inactive')), person).toBe(true);
    }
    for (const kept of [...seeded.protectedUsers, ...seeded.machineUsers]) expect(afterDisable.get(kept)).toEqual(beforeDisable.get(kept));

    await cli(['enable', '--yes']);
    expect(await iamAccess()).toEqual(beforeDisable);

    expect((await cli(['disable', '--yes', '--confirm-account', accountId])).json<{ disabled: string[] }>().disabled.sort()).toEqual(people);
    expect(await iamAccess()).toEqual(afterDisable);

    const deleted = (await cli(['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', accountId])).json<{ deleted: string[] }>().deleted.sort();
    expect(deleted).toEqual(people);
    const remaining = ((await clients.iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName);
    for (const person of people) expect(remaining).not.toContain(person);
    for (const kept of [...seeded.protectedUsers, ...seeded.machineUsers]) expect(remaining).toContain(kept);

    const done = (await cli(['status', '--check', 'migrated'])).json<StatusJson>();
    expect(done.allMigrated).toBe(true);
    expect(done.checklist.phases.every((p) => p.state === 'done')).toBe(true);
    expect(done.checklist.next.phase).toBeNull();
    expect(done.checklist.next.finished).toBe(true);
    expect(done.users.filter((u) => u.kind === 'human' && !u.protected).every((u) => u.state === 'deleted' && u.migrated)).toBe(true);

    // enable cannot switch a deleted user back on: it says so and points to restore, changing nothing.
    const refused = await cli(['enable', '--users', 'leo.ssh', '--yes'], 2);
    expect(refused.stderr).toContain('restore');
    const enableAll = (await cli(['enable', '--yes'])).json<{ decisions: { userName: string; status: string }[]; execution: { actions: unknown[] } }>();
    expect(enableAll.execution.actions).toEqual([]);
    expect(enableAll.decisions.every((d) => d.status === 'deleted')).toBe(true);

    await cli(['restore', '--user', 'leo.ssh', '--yes']);
    expect(((await clients.iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName)).toContain('leo.ssh');
    const after = (await cli(['status', '--check', 'migrated'], 1)).json<StatusJson>();
    expect(after.users.find((u) => u.userName === 'leo.ssh')?.state).toBe('restored');
    // The headline agrees with the check: not finished once someone is restored.
    expect(after.checklist.next.finished).toBe(false);
  });
});
