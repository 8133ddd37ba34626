import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreatePolicyCommand, GetUserCommand, ListAccessKeysCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetPermissionsBoundaryForPermissionSetCommand } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { EmulatorClients } from './support/aws-clients.js';
import { emulatorInstanceArn, readEmulatorPermissionSets } from './support/permission-sets.js';
import { runCli, type RunCliOptions } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { allow, createGroup, createUser, doc, type PolicyDoc } from './support/seed-helpers.js';
import { readWorkspaceText } from './support/workspace-files.js';

interface VerifyJson {
  people: { iamUser: string; verdict: string; permissionSets: string[]; gained: { action: string; permissionSets: string[] }[]; lost: { action: string }[] }[];
  counts: Record<string, number>;
}

const endpoint = inject('motoEndpoint');
const RUN_TIMEOUT_MS = 180_000;
const deny = (actions: string[], resources: string[] = ['*']): PolicyDoc['Statement'][number] => ({ Effect: 'Deny', Action: actions, Resource: resources });
const mutatingIam = (stderr: string) => stderr.split('\n').filter((line) => /\[debug\] iam\.(Put|Attach|Detach|Delete|Update|Create)\w* \{/.test(line));

/**
 * An account where IAM's one evaluation over a user and all of its groups matters: people in several
 * groups, a Deny in a user policy and one in a group policy, a permissions boundary and self-service
 * statements. Taken through the default journey, no one may gain access; an escalation brought in
 * by editing a policy file is caught and keeps that person out of disable.
 */
describe.skipIf(endpoint === null)('permission fidelity through the journey', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  const cli = async (args: string[], expected: number, options: Partial<RunCliOptions> = {}) => {
    const run = await runCli([...args, '-w', workspace, '-o', 'json'], { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS, ...options });
    expect(run.code, `${args.join(' ')}:\n${run.stderr}`).toBe(expected);
    return run;
  };

  async function seed(): Promise<string> {
    const { iam } = clients;
    const accountId = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account!;
    const boundary = await iam.send(new CreatePolicyCommand({ PolicyName: 'team-boundary', PolicyDocument: JSON.stringify(doc(allow(['s3:*', 'sqs:SendMessage', 'sqs:ReceiveMessage']))) }));
    await createGroup(iam, { name: 'queues', inline: { 'sqs-all': doc(allow(['sqs:*'])) } });
    await createGroup(iam, { name: 'storage', inline: { 's3-all': doc(allow(['s3:*'])), 'deny-prod-deletes': doc(deny(['s3:DeleteObject', 's3:DeleteBucket'], ['arn:aws:s3:::prod-*', 'arn:aws:s3:::prod-*/*'])) } });
    await createGroup(iam, { name: 'deployers', inline: { deploy: doc(allow(['s3:PutObject', 's3:DeleteObject', 'ec2:RunInstances'])) } });
    const selfService = doc(allow(['iam:ChangePassword', 'iam:CreateAccessKey', 'iam:DeleteAccessKey'], [`arn:aws:iam::${accountId}:user/\${aws:username}`]), allow(['s3:GetObject'], ['arn:aws:s3:::home/${aws:username}/*']));
    const human = { expectedKind: 'human' as const, console: true, keys: 1 };
    await createUser(clients, { name: 'alice.smith', ...human, groups: ['queues', 'storage', 'deployers'], inline: { 'no-queue-deletes': doc(deny(['sqs:DeleteQueue'])), 'self-service': selfService } });
    await createUser(clients, { name: 'bob.jones', ...human, groups: ['queues', 'deployers'] });
    await createUser(clients, { name: 'carol.white', ...human, groups: ['queues', 'storage'], boundary: boundary.Policy!.Arn! });
    await createUser(clients, { name: 'dave.brown', ...human, groups: ['queues'] });
    return accountId;
  }

  it('ends the default journey with no escalation, then catches one brought in by a policy file edit and keeps it out of disable', { timeout: 600_000 }, async () => {
    const accountId = await seed();
    await cli(['audit'], 0);
    const audit = JSON.parse(await readWorkspaceText(workspace, 'audit.json')) as { users: { userName: string; permissionsBoundary: string | null }[] };
    expect(audit.users.find((u) => u.userName === 'carol.white')?.permissionsBoundary).toBe(`arn:aws:iam::${accountId}:policy/team-boundary`);

    await cli(['generate-policies'], 0);
    const report = await readWorkspaceText(workspace, 'reports/policies.md');
    expect(report).toContain('USER_ONLY_DROPPED');
    expect(report).toContain('DENY_CARRIED');
    expect(report).toContain('BOUNDARY_CARRIED');
    await cli(['create-permission-sets', '--yes'], 0);
    const assigned = (await cli(['assign', '--yes', '--email-template', '{user}@corp.example'], 0)).json<{ verify: VerifyJson }>();
    expect(assigned.verify.counts.escalation).toBe(0);

    const verified = (await cli(['verify'], 0)).json<VerifyJson>();
    expect(verified.people.map((p) => [p.iamUser, p.verdict])).toEqual([['alice.smith', 'same'], ['bob.jones', 'same'], ['carol.white', 'same'], ['dave.brown', 'same']]);
    // Each person's sets are their own where their Denies or boundary differ from the others'.
    const setsOf = (user: string) => verified.people.find((p) => p.iamUser === user)?.permissionSets ?? [];
    expect(setsOf('alice.smith').some((name) => setsOf('bob.jones').includes(name) && name.startsWith('queues'))).toBe(false);
    // carol's boundary reached every set she receives, in Identity Center itself.
    const instanceArn = await emulatorInstanceArn(clients.ssoAdmin);
    const inIdentityCenter = await readEmulatorPermissionSets(clients.ssoAdmin, instanceArn);
    for (const name of setsOf('carol.white')) {
      const boundary = await clients.ssoAdmin.send(new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: inIdentityCenter.get(name)!.arn }));
      expect(boundary.PermissionsBoundary?.CustomerManagedPolicyReference?.Name, name).toBe('team-boundary');
    }
    expect(await readWorkspaceText(workspace, 'reports/verify.md')).toContain('alice.smith');

    // Take the Deny out of the policy of alice's queue set: she could now delete queues.
    const alice = verified.people.find((p) => p.iamUser === 'alice.smith')!;
    const mapping = YAML.parse(await readWorkspaceText(workspace, 'mapping.yaml')) as { permissionSets: Record<string, { inlinePolicyFile?: string; source?: { group?: string } }> };
    const queueSet = alice.permissionSets.find((name) => mapping.permissionSets[name]?.source?.group === 'queues')!;
    const file = join(workspace, mapping.permissionSets[queueSet]!.inlinePolicyFile!);
    const policy = JSON.parse(await readFile(file, 'utf8')) as PolicyDoc;
    await writeFile(file, JSON.stringify({ ...policy, Statement: policy.Statement.filter((s) => s.Effect !== 'Deny') }));

    const caught = (await cli(['verify'], 1)).json<VerifyJson>();
    const escalated = caught.people.find((p) => p.iamUser === 'alice.smith')!;
    expect(escalated.verdict).toBe('escalation');
    expect(escalated.gained.map((g) => g.action)).toContain('sqs:DeleteQueue');
    expect(escalated.gained.every((g) => g.permissionSets.includes(queueSet))).toBe(true);

    const before = await iamAccessOf('alice.smith');
    const refused = await cli(['disable', '--users', 'alice.smith', '--yes', '--confirm-account', accountId, '--debug'], 3);
    expect(mutatingIam(refused.stderr)).toEqual([]);
    expect(refused.json<{ decisions: { userName: string; exclusion: { code: string } | null }[] }>().decisions.find((d) => d.userName === 'alice.smith')?.exclusion?.code).toBe('ESCALATION');
    expect(await iamAccessOf('alice.smith')).toEqual(before);
  });

  async function iamAccessOf(userName: string) {
    const inline = (await clients.iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
    const keys = ((await clients.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map((k) => `${k.AccessKeyId}:${k.Status}`);
    const user = (await clients.iam.send(new GetUserCommand({ UserName: userName }))).User;
    return { inline: [...inline].sort(), keys: keys.sort(), userId: user?.UserId };
  }
});
