import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListGroupMembershipsCommand, ListGroupsCommand, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { ListAccountAssignmentsCommand, ListInstancesCommand } from '@aws-sdk/client-sso-admin';
import { describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { EmulatorClients } from './support/aws-clients.js';
import { startCountingServer } from './support/e2e-helpers.js';
import { runCli } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { seedSandboxAccount } from './support/seed-account.js';

interface AssignJson {
  execution: { actions: { id: string; status: string }[]; counts: Record<string, number> };
  newUsers: string[];
  access: Record<string, { verified: boolean; missing: string[] }>;
  onboardingReport: string | null;
}

interface MappingYaml {
  users: Record<string, { kind: string; userName?: string }>;
  groups: Record<string, { members: string[] }>;
  assignments: { group?: string; user?: string; permissionSet: string; targets: string[] }[];
}

const endpoint = inject('motoEndpoint');
const TEMPLATE = '{user}@corp.example';

/** The mutating calls a run made, from its --debug request log (one line per SDK call). */
const mutatingRequests = (stderr: string) =>
  stderr.split('\n').filter((line) => /\[debug\] (sso-admin|identitystore)\.(Create|Delete|Put|Attach|Detach|Update|Provision|Tag|Untag)\w* \{/.test(line));

describe.skipIf(endpoint === null)('assign against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  const cli = (args: string[], endpointOverride?: string) => runCli([...args, '-w', workspace], { endpoint: endpointOverride ?? motoEndpoint, timeoutMs: 120_000 });

  async function prepare(): Promise<void> {
    await seedSandboxAccount(clients);
    for (const step of [['audit', '-o', 'json'], ['generate-policies', '-o', 'json'], ['create-permission-sets', '--yes', '-o', 'json']]) {
      const run = await cli(step);
      expect(run.code, `${step[0]}: ${run.stderr}`).toBe(0);
    }
  }

  it('creates the users, groups, memberships and assignments of the mapping, then makes no mutating call on a re-run', async () => {
    await prepare();
    const mapping = YAML.parse(await readFile(join(workspace, 'mapping.yaml'), 'utf8')) as MappingYaml;
    const humans = Object.entries(mapping.users).filter(([, u]) => u.kind === 'human').map(([, u]) => u.userName ?? '');

    const run = await cli(['assign', '--yes', '--email-template', TEMPLATE, '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<AssignJson>();
    expect(result.execution.counts.failed).toBe(0);
    expect([...result.newUsers].sort()).toEqual([...humans].sort());
    expect(result.onboardingReport).not.toBeNull();

    const instance = (await clients.ssoAdmin.send(new ListInstancesCommand({}))).Instances![0]!;
    const storeId = instance.IdentityStoreId!;
    const users = (await clients.identityStore.send(new ListUsersCommand({ IdentityStoreId: storeId }))).Users ?? [];
    expect(users.map((u) => u.UserName).sort()).toEqual([...humans].sort());
    expect(users.every((u) => u.Emails?.[0]?.Value)).toBe(true);
    const groups = (await clients.identityStore.send(new ListGroupsCommand({ IdentityStoreId: storeId }))).Groups ?? [];
    expect(groups.map((g) => g.DisplayName).sort()).toEqual(Object.keys(mapping.groups).sort());
    const userNameById = new Map(users.map((u) => [u.UserId, u.UserName]));
    for (const group of groups) {
      const memberships = (await clients.identityStore.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId: group.GroupId }))).GroupMemberships ?? [];
      const members = memberships.map((m) => userNameById.get(m.MemberId?.UserId)).sort();
      expect(members, `members of ${group.DisplayName}`).toEqual([...(mapping.groups[group.DisplayName!]?.members ?? [])].map((iam) => mapping.users[iam]?.userName ?? iam).sort());
    }
    const state = JSON.parse(await readFile(join(workspace, 'workspace.json'), 'utf8')) as { phases: { permissionSets: { arns: Record<string, string> } } };
    for (const entry of mapping.assignments) {
      const listed = await clients.ssoAdmin.send(
        new ListAccountAssignmentsCommand({ InstanceArn: instance.InstanceArn, AccountId: entry.targets[0], PermissionSetArn: state.phases.permissionSets.arns[entry.permissionSet] }),
      );
      expect(listed.AccountAssignments?.length, `assignment of ${entry.permissionSet}`).toBeGreaterThan(0);
    }
    // Every human user of the draft mapping is in a group or has a set of their own: all verified.
    expect(Object.entries(result.access).filter(([, a]) => !a.verified)).toEqual([]);
    expect(Object.keys(result.access).sort()).toEqual(Object.entries(mapping.users).filter(([, u]) => u.kind === 'human').map(([name]) => name).sort());

    const again = await cli(['assign', '--yes', '--email-template', TEMPLATE, '-o', 'json', '--debug']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<AssignJson>().execution.actions).toEqual([]);
    expect(mutatingRequests(again.stderr)).toEqual([]);
  });

  it('refuses before any AWS call when the permission sets are not created yet', async () => {
    await seedSandboxAccount(clients);
    for (const step of [['audit', '-o', 'json'], ['generate-policies', '-o', 'json']]) expect((await cli(step)).code).toBe(0);
    const counting = await startCountingServer();
    try {
      const run = await cli(['assign', '--yes', '-o', 'json'], counting.endpoint);
      expect(run.code).toBe(2);
      expect(counting.requests()).toBe(0);
    } finally {
      await counting.close();
    }
  });

  it('writes the groups and assignments as Terraform or CloudFormation with no AWS call', async () => {
    await seedSandboxAccount(clients);
    for (const step of [['audit', '-o', 'json'], ['generate-policies', '-o', 'json']]) expect((await cli(step)).code).toBe(0);
    const counting = await startCountingServer();
    try {
      for (const format of ['terraform', 'cloudformation']) {
        const run = await cli(['assign', '--emit', format, '-o', 'json'], counting.endpoint);
        expect(run.code, run.stderr).toBe(0);
        const { files } = run.json<{ files: string[] }>();
        expect(files).toHaveLength(1);
        expect((await readFile(files[0]!, 'utf8')).length).toBeGreaterThan(0);
      }
      expect(counting.requests()).toBe(0);
    } finally {
      await counting.close();
    }
  });

  it('shows with --dry-run exactly what --yes then applies, and changes nothing itself', async () => {
    await prepare();
    const dry = await cli(['assign', '--dry-run', '--email-template', TEMPLATE, '-o', 'json', '--debug']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(mutatingRequests(dry.stderr)).toEqual([]);
    const planned = dry.json<AssignJson>().execution.actions.map((a) => a.id);
    expect(planned.length).toBeGreaterThan(0);

    const applied = await cli(['assign', '--yes', '--email-template', TEMPLATE, '-o', 'json', '--debug']);
    expect(applied.code, applied.stderr).toBe(0);
    // One mutating call per planned action: the log this test reads is the one that proved dry-run made none.
    expect(mutatingRequests(applied.stderr)).toHaveLength(planned.length);
    const done = applied.json<AssignJson>().execution.actions.filter((a) => a.status === 'done').map((a) => a.id);
    expect(done.sort()).toEqual([...planned].sort());
  });
});
