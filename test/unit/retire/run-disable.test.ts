import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf, type ExecutionSummary } from '../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { JOURNAL_FILE } from '../../../src/plan/journal.js';
import type { PlanPreviewData } from '../../../src/plan/plan-preview.js';
import { savePlan } from '../../../src/plan/plan-file.js';
import { PLAN_VERSION } from '../../../src/plan/plan-types.js';
import { retireKinds, RETIRE_KIND, userFingerprint } from '../../../src/phases/disable/retire-handlers.js';
import { disablePhase, type DisableInputs } from '../../../src/phases/disable/disable-phase.js';
import type { PlanRunOptions } from '../../../src/plan/run-command-plan.js';
import { runPhase } from '../../../src/plan/run-phase.js';
import { enablePhase } from '../../../src/phases/disable/enable-phase.js';
import { retiredUsersOf, type RetiredUser } from '../../../src/phases/disable/retired-users.js';
import { readJournalFold } from '../../../src/plan/journal-index.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { NOW, PROCESS, usePlanTestContext, YES_FOR_ACCOUNT } from '../plan/support/plan-harness.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { savedPlanOf } from './support/cleanup-run.js';
import { holding } from './support/held-run.js';
import { ACCOUNT_ID } from '../support/builders.js';
import { bareUser, fakeIam as installFakeIam, MUTATING, type FakeIam, type FakeUser, type Input } from '../support/fake-iam.js';

const { mocks, clients } = mockAws();
const context = usePlanTestContext();

const CUTOVER = new Date('2024-05-01T00:00:00.000Z');
const BEFORE_CUTOVER = new Date('2024-04-15T09:30:00.000Z');
const DENY_ALL = 'iam2idc-deny-all';
const AWS_DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
const CALLER_ID = 'AIDAOPS00000000000001';

// ---------------------------------------------------------------------------------------------
// The account: IAM users with their keys, in the fake IAM.
// ---------------------------------------------------------------------------------------------

/** A user with these keys, each (and the password) last used before the cutover. */
function user(userName: string, userId: string, keys: [string, 'Active' | 'Inactive'][], extra: Partial<FakeUser> = {}): FakeUser {
  return bareUser(userName, userId, { accessKeys: keys.map(([id, status]) => ({ id, status, lastUsed: BEFORE_CUTOVER })), passwordLastUsed: BEFORE_CUTOVER, ...extra });
}

/** alice and bob (humans, two keys each), ops (the caller), ci-bot (machine), break-glass (protected by tag). */
function defaultUsers(): FakeUser[] {
  return [
    user('alice', 'AIDAALICE000000000001', [
      ['AKIAALICE00000000001', 'Active'],
      ['AKIAALICE00000000002', 'Active'],
    ]),
    user('bob', 'AIDABOB00000000000001', [
      ['AKIABOB0000000000001', 'Active'],
      ['AKIABOB0000000000002', 'Active'],
    ]),
    user('ops', CALLER_ID, [['AKIAOPS0000000000001', 'Active']]),
    user('ci-bot', 'AIDACIBOT00000000001', [['AKIACIBOT00000000001', 'Active']]),
    user('break-glass', 'AIDABREAK00000000001', [['AKIABREAK00000000001', 'Active']], { tags: [{ Key: 'iam2idc:protect', Value: 'true' }] }),
  ];
}

const fakeIam = (users: FakeUser[]): FakeIam => installFakeIam(mocks.iam, users);

/** The mutating IAM calls made so far, in the order they were sent, failed ones included. */
function mutatingCalls(): { command: string; input: Input }[] {
  return mocks.iam
    .calls()
    .map((c) => ({ command: (c.args[0] as object).constructor.name, input: (c.args[0] as unknown as { input: Input }).input }))
    .filter((c) => MUTATING.has(c.command));
}

// ---------------------------------------------------------------------------------------------
// The workspace: mapping.yaml and workspace.json as assign left them.
// ---------------------------------------------------------------------------------------------

const BASE_MAPPING = `
version: 1
account: '${ACCOUNT_ID}'
protect:
  users: []
  tags: []
users:
  alice: { kind: human, userName: alice }
  bob: { kind: human, userName: bob }
  ops: { kind: human, userName: ops }
  ci-bot: { kind: machine }
  break-glass: { kind: human, userName: break-glass }
permissionSets: {}
groups: {}
assignments: []
`;

/** alice holds an Identity Center administrator assignment (AdministratorAccess), verified by assign. */
const MAPPING_WITH_IDC_ADMIN = BASE_MAPPING.replace(
  'permissionSets: {}',
  `permissionSets:\n  Admin:\n    managedPolicies: ['${ADMINISTRATOR_ACCESS}']`,
).replace('assignments: []', `assignments:\n  - { user: alice, permissionSet: Admin, targets: ['${ACCOUNT_ID}'] }`);

const mappingOf = (yaml: string): Mapping => parseMapping(yaml, 'mapping.yaml').mapping;

/** workspace.json with assign's verified access for the humans, also written to disk. */
async function assignedState(): Promise<WorkspaceState> {
  const verified = { verified: true, missing: [] };
  const state = await context.workspace.updateState({
    phase: 'assignments',
    update: () => ({ lastRunAt: CUTOVER.toISOString(), access: { alice: verified, bob: verified, ops: verified, 'break-glass': verified } }),
  });
  if (!state) throw new Error('the workspace is not bound');
  return state;
}

/** What the disable command gives the runner and the phase, but the run it holds. */
type DisableOptions = Omit<DisableInputs & PlanRunOptions, 'run' | 'trust'>;

async function disableOptions(overrides: Partial<DisableOptions> = {}): Promise<DisableOptions> {
  return {
    workspace: context.workspace,
    io: new TestIoHost({ settings: YES_FOR_ACCOUNT }),
    now: () => NOW,
    interrupts: new InterruptController(),
    process: PROCESS,
    dryRun: false,
    iam: clients.iam,
    accountId: ACCOUNT_ID,
    partition: 'aws',
    callerUserId: CALLER_ID,
    mapping: mappingOf(BASE_MAPPING),
    state: await assignedState(),
    users: null,
    forced: [],
    cutover: CUTOVER,
    mode: 'all',
    inlinePolicyOf: () => null,
    checkPermissions: (people) => Promise.resolve(new Map(people.map((p) => [p.toLowerCase(), { verdict: 'same' as const, escalations: [], unknown: [] }]))),
    ...overrides,
  };
}

/** Runs disable holding the workspace, as its command does. */
function disable(options: DisableOptions) {
  return holding(context.workspace, 'disable', options.dryRun, ({ run }) => runPhase(disablePhase(options), { ...options, run }));
}

/** Runs enable holding the workspace, as its command does: every user the journal shows disable changed. */
async function enable(io = new TestIoHost({ settings: YES_FOR_ACCOUNT })) {
  return holding(context.workspace, 'enable', false, async ({ run }) => {
    const users = (await retiredUsers()).filter((u) => u.state !== 'enabled' && u.state !== 'restored');
    const options = { workspace: context.workspace, io, now: () => NOW, interrupts: new InterruptController(), process: PROCESS, dryRun: false, run };
    return runPhase(enablePhase({ iam: clients.iam, accountId: ACCOUNT_ID, io, users }), options);
  });
}

/** Where the journal says each user stands after disable (and enable). */
const retiredUsers = async () => retiredUsersOf(await readJournalFold(context.workspace));
const retired = async (userName: string) => (await retiredUsers()).find((u) => u.userName === userName) ?? null;
const changeIds = (user: RetiredUser | null) => (user?.changes ?? []).map((c) => `${c.actionId}:${c.state}`).sort();

const statusesOf = (execution: ExecutionSummary) => Object.fromEntries(execution.actions.map((a) => [a.id, a.status]));
const callsFor = (userName: string) => mutatingCalls().filter((c) => c.input.UserName === userName);

// ---------------------------------------------------------------------------------------------

describe('runDisable on two humans with their keys', () => {
  it('Given alice and bob pass the gate, When disable runs, Then per user the deny policy is put first and then each key is set Inactive, and nobody else is touched', async () => {
    const fake = fakeIam(defaultUsers());

    const result = await disable(await disableOptions());

    expect(exitCodeOf(result.execution)).toBe(0);
    for (const [name, keys] of [
      ['alice', ['AKIAALICE00000000001', 'AKIAALICE00000000002']],
      ['bob', ['AKIABOB0000000000001', 'AKIABOB0000000000002']],
    ] as const) {
      const calls = callsFor(name);
      expect(calls.map((c) => c.command)).toEqual(['PutUserPolicyCommand', 'UpdateAccessKeyCommand', 'UpdateAccessKeyCommand']);
      expect(calls[0]?.input).toMatchObject({ UserName: name, PolicyName: DENY_ALL });
      expect(JSON.parse(String(calls[0]?.input.PolicyDocument))).toMatchObject({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
      expect(calls.slice(1).map((c) => c.input.AccessKeyId).sort()).toEqual([...keys]);
      expect(calls.slice(1).every((c) => c.input.Status === 'Inactive')).toBe(true);
    }
    // The caller, the machine user and the protected user were left alone.
    expect(mutatingCalls()).toHaveLength(6);
    expect(new Set(mutatingCalls().map((c) => c.input.UserName))).toEqual(new Set(['alice', 'bob']));
    expect(result.decisions.find((d) => d.userName === 'ops')).toMatchObject({ status: 'excluded', exclusion: { code: 'CALLER' } });
    expect(result.decisions.find((d) => d.userName === 'break-glass')).toMatchObject({ status: 'excluded', exclusion: { code: 'PROTECTED' } });
    expect(fake.access().ops?.keys).toEqual({ AKIAOPS0000000000001: 'Active' });
    expect(result.disabled).toEqual(['alice', 'bob']);
  });

  it('Given a completed disable, When the journal is read, Then it shows each user disabled, with exactly the changes made, and nothing else records them', async () => {
    fakeIam(defaultUsers());
    const options = await disableOptions();
    const stateBefore = await context.workspace.readText('workspace.json');

    await disable(options);

    const alice = await retired('alice');
    expect(alice).toMatchObject({ userName: 'alice', userId: 'AIDAALICE000000000001', state: 'disabled', disabledAt: NOW.toISOString() });
    expect(changeIds(alice)).toEqual(['disable/alice/deny-policy:done', 'disable/alice/key/AKIAALICE00000000001:done', 'disable/alice/key/AKIAALICE00000000002:done']);
    expect(alice?.changes.find((c) => c.actionId === 'disable/alice/deny-policy')?.params).toMatchObject({ policyName: DENY_ALL });
    expect((await retiredUsers()).map((r) => [r.userName, r.state])).toEqual([
      ['alice', 'disabled'],
      ['bob', 'disabled'],
    ]);
    expect(await context.workspace.readText('workspace.json')).toBe(stateBefore);
  });

  it('Given a completed disable, When disable runs again, Then it has nothing to do and makes no mutating call', async () => {
    fakeIam(defaultUsers());
    await disable(await disableOptions());
    mocks.iam.resetHistory();

    const again = await disable(await disableOptions());

    expect(mutatingCalls()).toEqual([]);
    expect(again.execution.actions).toEqual([]);
    expect(again.decisions.filter((d) => d.userName === 'alice' || d.userName === 'bob').map((d) => d.status)).toEqual(['nothing-to-do', 'nothing-to-do']);
  });

  it('Given a user whose key is already Inactive, When disable runs, Then that key is neither deactivated nor recorded', async () => {
    const users = defaultUsers();
    const alice = users[0] as FakeUser;
    alice.accessKeys[1] = { id: 'AKIAALICE00000000002', status: 'Inactive', lastUsed: null };
    fakeIam(users);

    await disable(await disableOptions({ users: ['alice'] }));

    expect(callsFor('alice').map((c) => c.input.AccessKeyId ?? c.command)).toEqual(['PutUserPolicyCommand', 'AKIAALICE00000000001']);
    expect((await retired('alice'))?.changes.filter((c) => c.kind === RETIRE_KIND.deactivateKey).map((c) => c.actionId)).toEqual(['disable/alice/key/AKIAALICE00000000001']);
  });
});

describe('runDisable when IAM refuses one user', () => {
  it('Given PutUserPolicy is denied for bob, When disable runs, Then bob keeps his keys, alice is fully disabled and the run exits 1', async () => {
    const fake = fakeIam(defaultUsers());
    fake.fail('PutUserPolicyCommand', 'bob', 'AccessDenied');

    const result = await disable(await disableOptions());

    expect(callsFor('bob').map((c) => c.command)).toEqual(['PutUserPolicyCommand']);
    expect(mutatingCalls().filter((c) => c.command === 'UpdateAccessKeyCommand' && c.input.UserName === 'bob')).toEqual([]);
    expect(callsFor('alice').map((c) => c.command)).toEqual(['PutUserPolicyCommand', 'UpdateAccessKeyCommand', 'UpdateAccessKeyCommand']);
    expect(fake.access().bob).toEqual({ inline: [], attached: [], keys: { AKIABOB0000000000001: 'Active', AKIABOB0000000000002: 'Active' } });
    expect(fake.access().alice?.keys).toEqual({ AKIAALICE00000000001: 'Inactive', AKIAALICE00000000002: 'Inactive' });
    expect(statusesOf(result.execution)).toMatchObject({
      'disable/bob/deny-policy': 'failed',
      'disable/bob/key/AKIABOB0000000000001': 'skipped',
      'disable/bob/key/AKIABOB0000000000002': 'skipped',
    });
    expect(exitCodeOf(result.execution)).toBe(1);
    expect(result.disabled).toEqual(['alice']);
    const bob = await retired('bob');
    expect(bob?.changes).toEqual([]);
    expect(bob?.state).not.toBe('disabled');
  });

  it('Given the inline policy budget turns out full (LimitExceededException), When disable runs and then enable, Then AWSDenyAll is attached instead, and enable detaches it', async () => {
    const fake = fakeIam(defaultUsers());
    fake.fail('PutUserPolicyCommand', 'alice', 'LimitExceededException');
    const before = fake.access();

    const disabled = await disable(await disableOptions({ users: ['alice'] }));

    expect(exitCodeOf(disabled.execution)).toBe(0);
    expect(callsFor('alice').map((c) => c.command)).toEqual(['PutUserPolicyCommand', 'AttachUserPolicyCommand', 'UpdateAccessKeyCommand', 'UpdateAccessKeyCommand']);
    expect((await retired('alice'))?.changes.find((c) => c.actionId === 'disable/alice/deny-policy')).toMatchObject({ state: 'done', params: { fallbackPolicyArn: AWS_DENY_ALL } });
    mocks.iam.resetHistory();

    const enabled = await enable();

    expect(exitCodeOf(enabled.execution)).toBe(0);
    const calls = callsFor('alice');
    expect(calls.filter((c) => c.command !== 'UpdateAccessKeyCommand')).toEqual([{ command: 'DetachUserPolicyCommand', input: { UserName: 'alice', PolicyArn: AWS_DENY_ALL } }]);
    expect(mutatingCalls().filter((c) => c.command === 'DeleteUserPolicyCommand')).toEqual([]);
    expect(fake.access()).toEqual(before);
  });

  it('Given a user whose inline policies leave no room, When disable is planned and run, Then AWSDenyAll is attached rather than an inline policy put', async () => {
    const users = defaultUsers();
    const alice = users[0] as FakeUser;
    const resources = Array.from({ length: 60 }, (_, i) => `arn:aws:s3:::a-rather-long-bucket-name-${i}/*`);
    alice.inline.legacy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] });
    fakeIam(users);

    const result = await disable(await disableOptions({ users: ['alice'] }));

    expect(result.decisions.find((d) => d.userName === 'alice')?.denyPolicy).toMatchObject({ kind: 'managed' });
    expect(callsFor('alice').map((c) => c.command)).toEqual(['AttachUserPolicyCommand', 'UpdateAccessKeyCommand', 'UpdateAccessKeyCommand']);
    expect(callsFor('alice')[0]?.input).toEqual({ UserName: 'alice', PolicyArn: AWS_DENY_ALL });
  });
});

describe('runDisable when IAM applied a change but its answer was lost', () => {
  /** What the SDK throws after its retries: the last attempt's throttling, with the attempts counted. */
  const throttledAfterRetries = () => awsError('Throttling', { message: 'Rate exceeded', metadata: { httpStatusCode: 400, attempts: 8 } });

  it('Given alice\'s deny-all reached IAM, its answer was lost and the retries were throttled, When disable runs, Then it is recorded done after reading IAM, and enable removes it', async () => {
    const fake = fakeIam(defaultUsers());
    fake.hooks.set('PutUserPolicyCommand', (input) => {
      if (input.UserName !== 'alice') return;
      const alice = fake.users.find((u) => u.userName === 'alice') as FakeUser;
      alice.inline[input.PolicyName as string] = input.PolicyDocument as string;
      throw throttledAfterRetries();
    });

    const disabled = await disable(await disableOptions());
    fake.hooks.clear();

    expect(statusesOf(disabled.execution)['disable/alice/deny-policy']).toBe('done');
    expect(changeIds(await retired('alice'))).toContain('disable/alice/deny-policy:done');
    expect(disabled.disabled).toEqual(['alice', 'bob']);

    const enabled = await enable();
    expect(enabled.enabled).toEqual(['alice', 'bob']);
    expect(fake.access().alice?.inline).not.toContain(DENY_ALL);
  });

  it('Given the answer was lost and IAM shows the change was not made, When disable runs, Then the intent is withdrawn and the user is not counted as disabled', async () => {
    const fake = fakeIam(defaultUsers());
    fake.hooks.set('PutUserPolicyCommand', (input) => {
      if (input.UserName === 'alice') throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET', $metadata: { attempts: 8 } });
    });

    const disabled = await disable(await disableOptions({ users: ['alice'] }));

    expect(statusesOf(disabled.execution)['disable/alice/deny-policy']).toBe('failed');
    expect(changeIds(await retired('alice'))).toEqual([]);
    expect(disabled.disabled).toEqual([]);
  });
});

describe('runDisable and the lockout guard', () => {
  it('Given the caller named with --users under another case, When disable runs, Then its actions are refused, no mutating call is made and the run exits 3', async () => {
    fakeIam(defaultUsers());

    const result = await disable(await disableOptions({ users: ['OPS'] }));

    expect(result.decisions.find((d) => d.userName === 'ops')).toMatchObject({ status: 'guarded' });
    expect(result.execution.actions.length).toBeGreaterThan(0);
    expect(result.execution.actions.every((a) => a.status === 'refused')).toBe(true);
    expect(result.execution.actions.find((a) => a.id === 'disable/ops/deny-policy')?.reason).toContain('CALLER_CREDENTIALS');
    expect(mutatingCalls()).toEqual([]);
    expect(exitCodeOf(result.execution)).toBe(3);
    expect(result.disabled).toEqual([]);
    expect(await retiredUsers()).toEqual([]);
  });

  it('Given a user protected by tag named with --users, When disable runs, Then it is refused and untouched (exit 3)', async () => {
    fakeIam(defaultUsers());

    const result = await disable(await disableOptions({ users: ['break-glass'] }));

    expect(result.execution.actions.every((a) => a.status === 'refused' && a.reason?.includes('PROTECTED_USER'))).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(exitCodeOf(result.execution)).toBe(3);
  });

  it('Given alice and bob are the only administrators and no Identity Center administrator is verified, When both are disabled, Then every action is refused as LAST_ADMIN and nothing changes', async () => {
    const users = defaultUsers();
    for (const u of users.slice(0, 2)) u.attached.push(ADMINISTRATOR_ACCESS);
    const fake = fakeIam(users);
    const before = fake.access();

    const result = await disable(await disableOptions());

    expect(result.execution.actions.length).toBe(6);
    expect(result.execution.actions.every((a) => a.status === 'refused' && a.reason?.includes('LAST_ADMIN'))).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(exitCodeOf(result.execution)).toBe(3);
    expect(fake.access()).toEqual(before);
  });

  it('Given alice and bob are administrators only with MFA, When both are disabled, Then the guard still counts them and refuses as LAST_ADMIN', async () => {
    const users = defaultUsers();
    const mfaAdmin = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] });
    for (const u of users.slice(0, 2)) u.inline['admin-with-mfa'] = mfaAdmin;
    fakeIam(users);

    const result = await disable(await disableOptions());

    expect(result.execution.actions.every((a) => a.status === 'refused' && a.reason?.includes('LAST_ADMIN'))).toBe(true);
    expect(mutatingCalls()).toEqual([]);
  });

  it('Given the same two administrators and an Identity Center administrator assignment verified for alice, When both are disabled, Then the guard lets them go', async () => {
    const users = defaultUsers();
    for (const u of users.slice(0, 2)) u.attached.push(ADMINISTRATOR_ACCESS);
    fakeIam(users);

    const result = await disable(await disableOptions({ mapping: mappingOf(MAPPING_WITH_IDC_ADMIN) }));

    expect(result.execution.counts.refused).toBe(0);
    expect(result.disabled).toEqual(['alice', 'bob']);
    expect(exitCodeOf(result.execution)).toBe(0);
  });

  it('Given the two administrators and the Identity Center administrator assignment only in another account, When both are disabled, Then it does not count and every action is refused as LAST_ADMIN', async () => {
    const users = defaultUsers();
    for (const u of users.slice(0, 2)) u.attached.push(ADMINISTRATOR_ACCESS);
    fakeIam(users);

    const result = await disable(await disableOptions({ mapping: mappingOf(MAPPING_WITH_IDC_ADMIN.replace(`targets: ['${ACCOUNT_ID}']`, "targets: ['222222222222']")) }));

    expect(result.execution.actions.every((a) => a.status === 'refused' && a.reason?.includes('LAST_ADMIN'))).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(exitCodeOf(result.execution)).toBe(3);
  });

  it('Given two administrators and only one of them targeted, When it is disabled, Then the other remains and the guard lets it go', async () => {
    const users = defaultUsers();
    for (const u of users.slice(0, 2)) u.attached.push(ADMINISTRATOR_ACCESS);
    fakeIam(users);

    const result = await disable(await disableOptions({ users: ['alice'] }));

    expect(result.execution.counts.refused).toBe(0);
    expect(result.disabled).toEqual(['alice']);
  });

  it('Given a machine user named with --users exactly, When disable runs, Then it is disabled', async () => {
    fakeIam(defaultUsers());

    const result = await disable(await disableOptions({ users: ['ci-bot'] }));

    expect(result.disabled).toEqual(['ci-bot']);
    expect(callsFor('ci-bot').map((c) => c.command)).toEqual(['PutUserPolicyCommand', 'UpdateAccessKeyCommand']);
  });

  it('Given a machine user named with --users under another case (IAM names ignore case), When disable runs, Then it is disabled like when named exactly', async () => {
    fakeIam(defaultUsers());

    const result = await disable(await disableOptions({ users: ['CI-BOT'] }));

    expect(result.execution.counts.refused).toBe(0);
    expect(result.disabled).toEqual(['ci-bot']);
    expect(exitCodeOf(result.execution)).toBe(0);
  });

  const callerKeyPlan = (risk: 'broadening' | 'narrowing') => {
    const principal = { userName: 'ops', userId: CALLER_ID };
    return savePlan(path.join(context.root, `caller-key-${risk}.json`), {
      version: PLAN_VERSION,
      command: 'disable',
      accountId: ACCOUNT_ID,
      createdAt: NOW.toISOString(),
      actions: [
        {
          id: 'disable/ops/key/AKIAOPS0000000000001',
          kind: RETIRE_KIND.deactivateKey,
          service: 'iam',
          target: 'IAM user ops',
          risk,
          preview: 'deactivate access key AKIAOPS0000000000001',
          params: { ...principal, accessKeyId: 'AKIAOPS0000000000001' },
          dependsOn: [],
          fingerprint: userFingerprint(CALLER_ID, ['AKIAOPS0000000000001']),
          principal,
        },
      ],
    });
  };

  it('Given a saved disable plan whose deactivation of the caller\'s key is relabelled broadening, When it is read with --plan, Then the whole plan is refused as edited', async () => {
    fakeIam(defaultUsers());
    const planFile = await callerKeyPlan('broadening');

    await expect(savedPlanOf(planFile, 'disable', retireKinds())).rejects.toMatchObject({ code: 'PLAN_EDITED', exitCode: 3 });
    expect(mutatingCalls()).toEqual([]);
  });

  it('Given a saved disable plan that deactivates the caller\'s key, When it is applied with --plan, Then the guard refuses it and the key is never touched', async () => {
    fakeIam(defaultUsers());
    const savedPlan = await savedPlanOf(await callerKeyPlan('narrowing'), 'disable', retireKinds());

    const result = await disable(await disableOptions({ users: ['ops'], savedPlan }));

    expect(mutatingCalls()).toEqual([]);
    expect(statusesOf(result.execution)).toEqual({ 'disable/ops/key/AKIAOPS0000000000001': 'refused' });
    expect(exitCodeOf(result.execution)).toBe(3);
  });
});

describe('runDisable with a saved plan', () => {
  it('Given a plan saved by a dry run, When it is applied with --plan, Then exactly the planned actions are applied', async () => {
    fakeIam(defaultUsers());
    const savePlanTo = path.join(context.root, 'disable-plan.json');
    const dry = await disable(await disableOptions({ dryRun: true, io: new TestIoHost(), savePlanTo }));
    expect(mutatingCalls()).toEqual([]);

    const applied = await disable(await disableOptions({ savedPlan: await savedPlanOf(savePlanTo, 'disable', retireKinds()) }));

    expect(applied.execution.actions.map((a) => a.id)).toEqual(dry.execution.actions.map((a) => a.id));
    expect(applied.execution.counts.done).toBe(6);
    expect(mutatingCalls()).toHaveLength(6);
    expect(applied.disabled).toEqual(['alice', 'bob']);
  });

  it('Given a saved plan and alice re-created under the same name since, When it is applied, Then alice\'s actions are refused as stale and only bob is disabled', async () => {
    const fake = fakeIam(defaultUsers());
    const savePlanTo = path.join(context.root, 'disable-plan.json');
    await disable(await disableOptions({ dryRun: true, io: new TestIoHost(), savePlanTo }));
    (fake.users[0] as FakeUser).userId = 'AIDAALICE000000000099';

    const applied = await disable(await disableOptions({ savedPlan: await savedPlanOf(savePlanTo, 'disable', retireKinds()) }));

    expect(callsFor('alice')).toEqual([]);
    expect(applied.execution.actions.filter((a) => a.id.startsWith('disable/alice/')).every((a) => a.status === 'refused')).toBe(true);
    expect(applied.disabled).toEqual(['bob']);
    expect(exitCodeOf(applied.execution)).toBe(3);
  });
});

describe('runDisable with --dry-run', () => {
  it('Given a dry run, When disable runs, Then the plan is shown, no mutating call is made and no backup, journal or outcome is written', async () => {
    fakeIam(defaultUsers());
    const io = new TestIoHost();
    const options = await disableOptions({ dryRun: true, io });
    const stateBefore = await context.workspace.readText('workspace.json');

    const result = await disable(options);

    expect(mutatingCalls()).toEqual([]);
    expect(await retiredUsers()).toEqual([]);
    expect(await context.workspace.readText(JOURNAL_FILE)).toBeNull();
    expect(await context.workspace.readText('workspace.json')).toBe(stateBefore);
    expect(result.execution.dryRun).toBe(true);
    expect(result.disabled).toEqual([]);
    const preview = io.shown.find((s): s is PlanPreviewData => typeof s === 'object' && s !== null && 'actions' in s && 'command' in s);
    expect(preview?.actions.map((a) => a.id).sort()).toEqual([
      'disable/alice/deny-policy',
      'disable/alice/key/AKIAALICE00000000001',
      'disable/alice/key/AKIAALICE00000000002',
      'disable/bob/deny-policy',
      'disable/bob/key/AKIABOB0000000000001',
      'disable/bob/key/AKIABOB0000000000002',
    ]);
    expect(preview?.actions.every((a) => a.refused === null)).toBe(true);
  });
});

describe('disable interrupted by one Ctrl-C, then enable', () => {
  /**
   * alice: one Active key and one Inactive from the start; bob: two Active keys. The first
   * UpdateAccessKey (alice's) presses Ctrl-C once, while bob's PutUserPolicy is in flight: both calls
   * finish, bob's keys never start.
   */
  async function interruptedDisable() {
    const users = defaultUsers();
    (users[0] as FakeUser).accessKeys = [
      { id: 'AKIAALICE00000000001', status: 'Active', lastUsed: BEFORE_CUTOVER },
      { id: 'AKIAALICEOLD0000001', status: 'Inactive', lastUsed: null },
    ];
    const fake = fakeIam(users);
    const before = fake.access();
    const interrupts = new InterruptController();
    let bobPutSent!: () => void;
    const bobPutInFlight = new Promise<void>((resolve) => (bobPutSent = resolve));
    let interrupted!: () => void;
    const afterInterrupt = new Promise<void>((resolve) => (interrupted = resolve));
    fake.hooks.set('PutUserPolicyCommand', async (input) => {
      if (input.UserName !== 'bob') return;
      bobPutSent();
      await afterInterrupt;
    });
    let first = true;
    fake.hooks.set('UpdateAccessKeyCommand', async () => {
      if (!first) return;
      first = false;
      await bobPutInFlight;
      expect(interrupts.interrupt()).toBe('soft');
      interrupted();
    });
    const io = new TestIoHost({ settings: YES_FOR_ACCOUNT });

    const result = await disable(await disableOptions({ interrupts, io }));

    fake.hooks.clear();
    return { fake, before, result, io, disableCalls: mutatingCalls() };
  }

  it('Given Ctrl-C during the first UpdateAccessKey, When the run ends, Then the calls in flight finished, nothing new started, and the run exits 130', async () => {
    const { result, io, disableCalls } = await interruptedDisable();

    expect(disableCalls.map((c) => [c.command, c.input.UserName, c.input.AccessKeyId]).sort()).toEqual([
      ['PutUserPolicyCommand', 'alice', undefined],
      ['PutUserPolicyCommand', 'bob', undefined],
      ['UpdateAccessKeyCommand', 'alice', 'AKIAALICE00000000001'],
    ]);
    expect(statusesOf(result.execution)).toEqual({
      'disable/alice/deny-policy': 'done',
      'disable/alice/key/AKIAALICE00000000001': 'done',
      'disable/bob/deny-policy': 'done',
      'disable/bob/key/AKIABOB0000000000001': 'not-run',
      'disable/bob/key/AKIABOB0000000000002': 'not-run',
    });
    expect(result.execution.interrupted).toBe(true);
    expect(exitCodeOf(result.execution)).toBe(130);
    expect(io.codes('warn')).toContain('INTERRUPT_REQUESTED');
    const bob = await retired('bob');
    expect(changeIds(bob)).toEqual(['disable/bob/deny-policy:done']);
    expect(bob).toMatchObject({ state: 'partly-disabled', disabledAt: null });
  });

  it('Given the interrupted disable, When enable runs from the journal, Then it removes exactly the deny policies put and reactivates exactly the keys deactivated, never the key that was Inactive before', async () => {
    const { fake, before, disableCalls } = await interruptedDisable();
    const putFor = disableCalls.filter((c) => c.command === 'PutUserPolicyCommand').map((c) => c.input.UserName);
    const deactivated = disableCalls.filter((c) => c.command === 'UpdateAccessKeyCommand' && c.input.Status === 'Inactive').map((c) => c.input.AccessKeyId);
    mocks.iam.resetHistory();

    const result = await enable();

    const calls = mutatingCalls();
    expect(calls.filter((c) => c.command === 'DeleteUserPolicyCommand').map((c) => c.input).sort((a, b) => String(a.UserName).localeCompare(String(b.UserName)))).toEqual(
      [...putFor].sort().map((UserName) => ({ UserName, PolicyName: DENY_ALL })),
    );
    const reactivated = calls.filter((c) => c.command === 'UpdateAccessKeyCommand');
    expect(reactivated.every((c) => c.input.Status === 'Active')).toBe(true);
    expect(reactivated.map((c) => c.input.AccessKeyId).sort()).toEqual([...deactivated].sort());
    expect(reactivated.map((c) => c.input)).toEqual([{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' }]);
    expect(calls.some((c) => c.input.AccessKeyId === 'AKIAALICEOLD0000001')).toBe(false);
    expect(calls.filter((c) => c.command === 'AttachUserPolicyCommand' || c.command === 'DetachUserPolicyCommand')).toEqual([]);
    expect(calls).toHaveLength(3);
    // AWS is back where it was before disable, the old inactive key still inactive.
    expect(fake.access()).toEqual(before);
    expect(fake.access().alice?.keys.AKIAALICEOLD0000001).toBe('Inactive');
    expect(exitCodeOf(result.execution)).toBe(0);
    expect(result.enabled).toEqual(['alice', 'bob']);
    expect((await retiredUsers()).map((u) => [u.userName, u.state, u.changes.length])).toEqual([
      ['alice', 'enabled', 0],
      ['bob', 'enabled', 0],
    ]);
  });

  it('Given a key call aborted by a second Ctrl-C before it reached IAM (recorded as an intent), When enable runs, Then that key is found Active and skipped, not reactivated', async () => {
    const users = defaultUsers();
    (users[0] as FakeUser).accessKeys = [{ id: 'AKIAALICE00000000001', status: 'Active', lastUsed: BEFORE_CUTOVER }];
    const fake = fakeIam(users);
    const before = fake.access();
    const interrupts = new InterruptController();
    fake.hooks.set('UpdateAccessKeyCommand', () => {
      expect(interrupts.interrupt()).toBe('soft');
      expect(interrupts.interrupt()).toBe('hard');
      // What the SDK throws for an aborted request: no answer, so no $metadata.
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });

    const disabled = await disable(await disableOptions({ users: ['alice'], interrupts }));
    fake.hooks.clear();

    expect(statusesOf(disabled.execution)).toEqual({ 'disable/alice/deny-policy': 'done', 'disable/alice/key/AKIAALICE00000000001': 'unknown' });
    expect(changeIds(await retired('alice'))).toEqual(['disable/alice/deny-policy:done', 'disable/alice/key/AKIAALICE00000000001:in-doubt']);
    mocks.iam.resetHistory();

    const enabled = await enable();

    expect(mutatingCalls()).toEqual([{ command: 'DeleteUserPolicyCommand', input: { UserName: 'alice', PolicyName: DENY_ALL } }]);
    expect(statusesOf(enabled.execution)).toEqual({ 'disable/alice/deny-policy/undo': 'done', 'disable/alice/key/AKIAALICE00000000001/undo': 'skipped' });
    expect(fake.access()).toEqual(before);
    expect(enabled.enabled).toEqual(['alice']);
  });

  it('Given an enabled workspace, When enable runs again, Then it makes no mutating call', async () => {
    await interruptedDisable();
    await enable();
    mocks.iam.resetHistory();

    const again = await enable();

    expect(mutatingCalls()).toEqual([]);
    expect(again.execution.actions).toEqual([]);
    expect(again.decisions).toEqual([]);
  });

  it('Given a full disable, When enable runs, Then every deny policy is removed and every key reactivated, and AWS is as before', async () => {
    const fake = fakeIam(defaultUsers());
    const before = fake.access();
    await disable(await disableOptions());
    mocks.iam.resetHistory();

    const result = await enable();

    expect(mutatingCalls().map((c) => c.command).sort()).toEqual([
      'DeleteUserPolicyCommand',
      'DeleteUserPolicyCommand',
      'UpdateAccessKeyCommand',
      'UpdateAccessKeyCommand',
      'UpdateAccessKeyCommand',
      'UpdateAccessKeyCommand',
    ]);
    expect(fake.access()).toEqual(before);
    expect(result.enabled).toEqual(['alice', 'bob']);
  });

  it('Given a user re-created under the same name after disable, When enable runs, Then nothing is changed on the new user and the run fails (exit 1)', async () => {
    const fake = fakeIam(defaultUsers());
    await disable(await disableOptions({ users: ['alice'] }));
    const alice = fake.users[0] as FakeUser;
    Object.assign(alice, { userId: 'AIDAALICE000000000099', inline: { [DENY_ALL]: '{}' }, accessKeys: alice.accessKeys.map((k) => ({ ...k, status: 'Inactive' })) });
    mocks.iam.resetHistory();

    const result = await enable();

    expect(mutatingCalls()).toEqual([]);
    expect(result.execution.actions.length).toBe(3);
    expect(result.execution.actions.every((a) => a.status === 'failed')).toBe(true);
    expect(exitCodeOf(result.execution)).toBe(1);
    expect(result.enabled).toEqual([]);
  });
});
