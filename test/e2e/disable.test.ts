import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, inject, it } from 'vitest';
import { readJournalFold } from '../../src/plan/journal-index.js';
import { retiredUsersOf } from '../../src/phases/disable/retired-users.js';
import { Workspace } from '../../src/workspace/workspace.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { startCountingServer } from './support/e2e-helpers.js';
import { runCli, type RunCliOptions } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { seedSandboxAccount, type SeededSandbox } from './support/seed-account.js';

interface DecisionJson {
  userName: string;
  status: string;
  exclusion: { code: string } | null;
  denyPolicy: { kind: string } | null;
}

interface DisableJson {
  decisions: DecisionJson[];
  disabled: string[];
  execution: { dryRun: boolean; counts: Record<string, number>; actions: { id: string; status: string; reason: string | null }[] };
}

interface EnableJson {
  enabled: string[];
  execution: { counts: Record<string, number> };
}

/** What disable may change on a user, read with the plain SDK. */
interface UserAccess {
  inline: string[];
  attached: string[];
  keys: Record<string, string>;
}

const endpoint = inject('motoEndpoint');
const RUN_TIMEOUT_MS = 120_000;
const DENY_ALL = 'iam2idc-deny-all';
const AWS_DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const mutatingIam = (stderr: string) => stderr.split('\n').filter((line) => /\[debug\] iam\.(Put|Attach|Detach|Delete|Update)\w* \{/.test(line));

describe.skipIf(endpoint === null)('disable and enable against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  const cli = (args: string[], options: Partial<RunCliOptions> = {}) => runCli([...args, '-w', workspace], { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS, ...options });

  /** A seeded account through audit, generate-policies, create-permission-sets and assign. */
  async function journeyToDisable(): Promise<{ seeded: SeededSandbox; accountId: string }> {
    const seeded = await seedSandboxAccount(clients);
    for (const step of [['audit'], ['generate-policies'], ['create-permission-sets', '--yes'], ['assign', '--yes', '--email-template', '{user}@corp.example']]) {
      const run = await cli([...step, '-o', 'json']);
      expect(run.code, `${step[0]}: ${run.stderr}`).toBe(0);
    }
    return { seeded, accountId: seeded.accountId };
  }

  async function accessOfEveryone(): Promise<Map<string, UserAccess>> {
    const users = (await clients.iam.send(new ListUsersCommand({}))).Users ?? [];
    const access = new Map<string, UserAccess>();
    for (const { UserName } of users) {
      const inline = (await clients.iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? [];
      const attached = ((await clients.iam.send(new ListAttachedUserPoliciesCommand({ UserName }))).AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '');
      const keys = Object.fromEntries(((await clients.iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
      access.set(UserName!, { inline: [...inline].sort(), attached: attached.sort(), keys });
    }
    return access;
  }

  it('switches off the users that pass the gate, never the caller, protected or machine users, and enable puts everything back', async () => {
    const { seeded, accountId } = await journeyToDisable();
    const bob = seeded.users.find((u) => u.name === 'bob.builder')!;
    const asBob = { accessKey: bob.accessKeys[0]! };
    const before = await accessOfEveryone();

    const dry = await cli(['disable', '--dry-run', '-o', 'json'], asBob);
    expect(dry.code, dry.stderr).toBe(0);
    expect(await accessOfEveryone()).toEqual(before);

    const run = await cli(['disable', '--yes', '--confirm-account', accountId, '-o', 'json'], asBob);
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<DisableJson>();
    const decisions = new Map(result.decisions.map((d) => [d.userName, d]));
    expect(decisions.get('bob.builder')?.exclusion?.code).toBe('CALLER');
    expect(decisions.get('break-glass-admin')?.exclusion?.code).toBe('PROTECTED');
    // Only people are considered by default: machine and unclassified users are not even candidates.
    for (const machine of seeded.machineUsers) expect(decisions.has(machine)).toBe(false);
    expect(result.execution.counts.failed).toBe(0);
    // The plan dry-run showed is exactly what ran.
    expect(dry.json<DisableJson>().execution.actions.map((a) => a.id).sort()).toEqual(result.execution.actions.map((a) => a.id).sort());

    const after = await accessOfEveryone();
    const disabled = new Set(result.disabled);
    expect(disabled.size).toBeGreaterThan(5);
    for (const [name, access] of after) {
      if (disabled.has(name)) {
        expect(access.inline, name).toContain(DENY_ALL);
        expect(Object.values(access.keys).every((status) => status === 'Inactive'), name).toBe(true);
      } else {
        expect(access, `${name} must be untouched`).toEqual(before.get(name));
      }
    }
    for (const untouched of ['bob.builder', 'break-glass-admin', ...seeded.machineUsers]) expect(disabled.has(untouched)).toBe(false);
    // The journal is the record of what changed: no file beside it.
    expect(await readdir(join(workspace, 'backups')).catch(() => [])).toEqual([]);
    const retired = retiredUsersOf(await readJournalFold(Workspace.at(workspace)));
    expect(retired.filter((u) => u.state === 'disabled').map((u) => u.userName).sort()).toEqual([...disabled].sort());

    // A second run finds nothing left to do.
    const again = await cli(['disable', '--yes', '--confirm-account', accountId, '-o', 'json', '--debug'], asBob);
    expect(again.code, again.stderr).toBe(0);
    expect(mutatingIam(again.stderr)).toEqual([]);

    const enable = await cli(['enable', '--yes', '-o', 'json'], asBob);
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.json<EnableJson>().enabled.sort()).toEqual([...disabled].sort());
    expect(await accessOfEveryone()).toEqual(before);
  });

  it('refuses the caller, protected users and an unconfirmed run, and rejects bad names before any call', async () => {
    const { seeded, accountId } = await journeyToDisable();
    const bob = seeded.users.find((u) => u.name === 'bob.builder')!;
    const before = await accessOfEveryone();

    const protectedRun = await cli(['disable', '--users', 'break-glass-admin', '--yes', '--confirm-account', accountId, '-o', 'json']);
    expect(protectedRun.code, protectedRun.stderr).toBe(3);
    expect(protectedRun.json<DisableJson>().execution.actions.every((a) => a.status === 'refused')).toBe(true);

    // The caller, named under another spelling: matched by UserId, refused by the engine.
    const callerRun = await cli(['disable', '--users', 'BOB.BUILDER', '--yes', '--confirm-account', accountId, '-o', 'json'], { accessKey: bob.accessKeys[0]! });
    expect(callerRun.code, callerRun.stderr).toBe(3);

    const noAccount = await cli(['disable', '--yes']);
    expect(noAccount.code, noAccount.stderr).toBe(3);
    const wrongAccount = await cli(['disable', '--yes', '--confirm-account', '999999999999']);
    expect(wrongAccount.code, wrongAccount.stderr).toBe(3);
    const noTerminal = await cli(['disable'], { stdin: 'keep-open' });
    expect(noTerminal.code, noTerminal.stderr).toBe(3);
    expect(noTerminal.timedOut).toBe(false);
    expect(await accessOfEveryone()).toEqual(before);

    const counting = await startCountingServer();
    try {
      for (const args of [['--users', ''], ['--users', 'alice,,bob'], ['--users', 'not a user'], ['--keys-only', '--deny-only'], ['--users', 'alice', '--force-user', 'bob'], ['--cutover', 'soon']]) {
        const bad = await cli(['disable', ...args], { endpoint: counting.endpoint });
        expect(bad.code, `${args.join(' ')}: ${bad.stderr}`).toBe(2);
      }
      const enableUnknown = await cli(['enable', '--users', 'alice.admin'], { endpoint: counting.endpoint });
      expect(enableUnknown.code, enableUnknown.stderr).toBe(2);
      expect(counting.requests()).toBe(0);
    } finally {
      await counting.close();
    }
  });

  it('falls back to AWSDenyAll when the inline budget is full, and a machine user named explicitly loses its keys only', async () => {
    const { accountId } = await journeyToDisable();
    // oscar.analyst's inline policies nearly fill IAM's 2,048-character budget.
    const filler = { Version: '2012-10-17', Statement: [{ Sid: 'Filler', Effect: 'Allow', Action: ['s3:GetObject'], Resource: Array.from({ length: 58 }, (_, i) => `arn:aws:s3:::acme-reports-${String(i).padStart(2, '0')}/*`) }] };
    await clients.iam.send(new PutUserPolicyCommand({ UserName: 'oscar.analyst', PolicyName: 'reports', PolicyDocument: JSON.stringify(filler) }));
    const before = await accessOfEveryone();

    const run = await cli(['disable', '--users', 'oscar.analyst', '--yes', '--confirm-account', accountId, '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<DisableJson>().decisions[0]?.denyPolicy?.kind).toBe('managed');
    expect((await accessOfEveryone()).get('oscar.analyst')?.attached).toContain(AWS_DENY_ALL);

    const machine = await cli(['disable', '--users', 'ci-deploy', '--keys-only', '--yes', '--confirm-account', accountId, '-o', 'json']);
    expect(machine.code, machine.stderr).toBe(0);
    const ci = (await accessOfEveryone()).get('ci-deploy')!;
    expect(Object.values(ci.keys).every((s) => s === 'Inactive')).toBe(true);
    expect(ci.inline).toEqual(before.get('ci-deploy')!.inline);

    const enable = await cli(['enable', '--users', 'oscar.analyst,ci-deploy', '--yes', '-o', 'json']);
    expect(enable.code, enable.stderr).toBe(0);
    expect(await accessOfEveryone()).toEqual(before);
  });
});
