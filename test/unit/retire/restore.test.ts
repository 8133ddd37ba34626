import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { savePlan } from '../../../src/plan/plan-file.js';
import type { Plan, PlannedAction } from '../../../src/plan/plan-types.js';
import { restoreKinds } from '../../../src/phases/cleanup/restore-handlers.js';
import { exitCodeOf, type ExecutionSummary } from '../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { listUserBackups, UserBackupSchema, type UserBackup } from '../../../src/workspace/user-backups.js';
import { expectMatchedPairs, NOW, recordsOf, usePlanTestContext } from '../plan/support/plan-harness.js';
import { mockAws } from '../support/aws-mocks.js';
import { ALICE_ID, BOB_ID, cleanupOptions, disableRecord, restoreOptions, retiredUsers, runHeldCleanup, runHeldRestore, savedPlanOf, writeDisabled } from './support/cleanup-run.js';
import { trustOf } from './support/held-run.js';
import {
  AWS_DENY_ALL,
  bareUser,
  BOUNDARY,
  certBodyOf,
  DENY_ALL_DOC,
  DENY_ALL_NAME,
  fakeIam,
  fullUser,
  hardwareMfaOf,
  LEGACY_DOC,
  READ_ONLY,
  sshBodyOf,
  virtualMfaOf,
  type LoggedCall,
} from '../support/fake-iam.js';
import { daysAgo } from '../support/time.js';
import { ACCOUNT_ID } from '../support/builders.js';

const { mocks, clients } = mockAws();
const context = usePlanTestContext();

const RESTORED_FROM = 'iam2idc:restored-from';
const at = daysAgo(1, NOW);

/** alice's backup as cleanup wrote it: everything, including the deny-all disable put and AWSDenyAll. */
function aliceBackup(overrides: Partial<UserBackup> = {}): UserBackup {
  return UserBackupSchema.parse({
    schemaVersion: 2,
    // Planners take backups already checked against the journal; the digest is not theirs to check.
    digest: 'sha256:checked-by-the-command',
    accountId: ACCOUNT_ID,
    takenAt: at,
    updatedAt: at,
    user: {
      userName: 'alice',
      userId: ALICE_ID,
      arn: `arn:aws:iam::${ACCOUNT_ID}:user/people/alice`,
      path: '/people/',
      createDate: '2020-01-01T00:00:00.000Z',
      tags: [
        { key: 'team', value: 'data' },
        { key: 'cost-center', value: '42' },
      ],
      permissionsBoundary: BOUNDARY,
    },
    inlinePolicies: [
      { name: DENY_ALL_NAME, document: DENY_ALL_DOC },
      { name: 'legacy-s3', document: LEGACY_DOC },
    ],
    attachedPolicies: [
      { name: 'ReadOnlyAccess', arn: READ_ONLY },
      { name: 'AWSDenyAll', arn: AWS_DENY_ALL },
    ],
    groups: ['developers', 'on-call'],
    sshPublicKeys: [
      { sshPublicKeyId: 'APKAALICE00000000001', status: 'Active', body: sshBodyOf('alice', 1), uploadDate: at },
      { sshPublicKeyId: 'APKAALICE00000000002', status: 'Inactive', body: sshBodyOf('alice', 2), uploadDate: at },
    ],
    signingCertificates: [
      { certificateId: 'CERTALICE0000000000000001', status: 'Active', body: certBodyOf('alice', 1), uploadDate: at },
      { certificateId: 'CERTALICE0000000000000002', status: 'Inactive', body: certBodyOf('alice', 2), uploadDate: at },
    ],
    mfaDevices: [
      { serialNumber: virtualMfaOf('alice'), type: 'virtual', enableDate: at },
      { serialNumber: hardwareMfaOf('alice'), type: 'hardware', enableDate: at },
    ],
    accessKeys: [
      { accessKeyId: 'AKIAALICE00000000001', status: 'Inactive', createDate: at },
      { accessKeyId: 'AKIAALICE00000000002', status: 'Inactive', createDate: at },
    ],
    serviceSpecificCredentials: [{ id: 'ACCAALICE00000000001', serviceName: 'codecommit.amazonaws.com', serviceUserName: `alice-at-${ACCOUNT_ID}`, status: 'Active' }],
    loginProfile: { existed: true, passwordResetRequired: false },
    ...overrides,
  });
}

/** disable attached AWSDenyAll to alice (her inline budget was full): restore must leave it out. */
async function disabledWithAwsDenyAll(): Promise<void> {
  await writeDisabled(context, disableRecord('alice', ALICE_ID, 10, { deny: 'managed' }));
}

const inputs = (calls: LoggedCall[], command: string) => calls.filter((c) => c.command === command).map((c) => c.input);
const statusesOf = (execution: ExecutionSummary) => Object.fromEntries(execution.actions.map((a) => [a.id, a.status]));

describe('runRestore from a backup', () => {
  it('Given alice\'s backup and no user alice, When restore runs, Then CreateUser comes first with her path, tags (plus restored-from) and boundary, then her inline policy, managed policy, groups, SSH keys and certificates', async () => {
    const fake = fakeIam(mocks.iam, []);
    await disabledWithAwsDenyAll();

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(exitCodeOf(result.execution)).toBe(0);
    const calls = fake.mutating();
    expect(calls[0]).toMatchObject({
      command: 'CreateUserCommand',
      input: {
        UserName: 'alice',
        Path: '/people/',
        Tags: [
          { Key: 'team', Value: 'data' },
          { Key: 'cost-center', Value: '42' },
          { Key: RESTORED_FROM, Value: ALICE_ID },
        ],
        PermissionsBoundary: BOUNDARY,
      },
    });
    expect(calls.filter((c) => c.command === 'CreateUserCommand')).toHaveLength(1);
    expect(calls.slice(1).map((c) => c.command).sort()).toEqual(
      [
        'PutUserPolicyCommand',
        'AttachUserPolicyCommand',
        'AddUserToGroupCommand',
        'AddUserToGroupCommand',
        'UploadSSHPublicKeyCommand',
        'UploadSSHPublicKeyCommand',
        'UpdateSSHPublicKeyCommand',
        'UploadSigningCertificateCommand',
        'UploadSigningCertificateCommand',
        'UpdateSigningCertificateCommand',
      ].sort(),
    );
    const [put] = inputs(calls, 'PutUserPolicyCommand');
    expect(put).toMatchObject({ UserName: 'alice', PolicyName: 'legacy-s3' });
    expect(JSON.parse(String(put?.PolicyDocument))).toEqual(LEGACY_DOC);
    expect(inputs(calls, 'AttachUserPolicyCommand')).toEqual([{ UserName: 'alice', PolicyArn: READ_ONLY }]);
    expect(inputs(calls, 'AddUserToGroupCommand').map((i) => i.GroupName).sort()).toEqual(['developers', 'on-call']);
    expect(inputs(calls, 'UploadSSHPublicKeyCommand').map((i) => i.SSHPublicKeyBody).sort()).toEqual([sshBodyOf('alice', 1), sshBodyOf('alice', 2)].sort());
    expect(inputs(calls, 'UploadSigningCertificateCommand').map((i) => i.CertificateBody).sort()).toEqual([certBodyOf('alice', 1), certBodyOf('alice', 2)].sort());
    expect(calls.every((c) => c.input.UserName === 'alice')).toBe(true);
    expect(result.restored).toEqual(['alice']);
  });

  it('Given an Inactive SSH key and an Inactive certificate in the backup, When restore runs, Then each is uploaded and then set Inactive (the upload\'s new ID), the Active ones are left Active', async () => {
    const fake = fakeIam(mocks.iam, []);

    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    const calls = fake.mutating();
    const alice = fake.user('alice');
    const inactiveKey = alice.sshKeys.find((k) => k.body === sshBodyOf('alice', 2));
    expect(inputs(calls, 'UpdateSSHPublicKeyCommand')).toEqual([{ UserName: 'alice', SSHPublicKeyId: inactiveKey?.id, Status: 'Inactive' }]);
    const upload = calls.findIndex((c) => c.command === 'UploadSSHPublicKeyCommand' && c.input.SSHPublicKeyBody === sshBodyOf('alice', 2));
    expect(calls.findIndex((c) => c.command === 'UpdateSSHPublicKeyCommand')).toBeGreaterThan(upload);
    const inactiveCert = alice.certificates.find((c) => c.body === certBodyOf('alice', 2));
    expect(inputs(calls, 'UpdateSigningCertificateCommand')).toEqual([{ UserName: 'alice', CertificateId: inactiveCert?.id, Status: 'Inactive' }]);
    expect(alice.sshKeys.map((k) => [k.body, k.status]).sort()).toEqual(
      [
        [sshBodyOf('alice', 1), 'Active'],
        [sshBodyOf('alice', 2), 'Inactive'],
      ].sort(),
    );
    expect(alice.certificates.map((c) => [c.body, c.status]).sort()).toEqual(
      [
        [certBodyOf('alice', 1), 'Active'],
        [certBodyOf('alice', 2), 'Inactive'],
      ].sort(),
    );
  });

  it('Given the restore finished, When IAM is read, Then alice is back as she was before disable: no deny-all, no credentials, a new UserId tagged with the old one', async () => {
    const fake = fakeIam(mocks.iam, []);
    await disabledWithAwsDenyAll();

    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    const alice = fake.user('alice');
    expect(alice.userId).not.toBe(ALICE_ID);
    expect(alice.tags).toContainEqual({ Key: RESTORED_FROM, Value: ALICE_ID });
    expect(alice).toMatchObject({ path: '/people/', boundary: BOUNDARY, attached: [READ_ONLY], accessKeys: [], mfa: [], serviceCredentials: [], loginProfile: null });
    expect(Object.keys(alice.inline)).toEqual(['legacy-s3']);
    expect([...alice.groups].sort()).toEqual(['developers', 'on-call']);
    const commands = new Set(fake.mutating().map((c) => c.command));
    for (const never of ['CreateAccessKeyCommand', 'CreateLoginProfileCommand', 'EnableMFADeviceCommand', 'CreateServiceSpecificCredentialCommand']) expect(commands.has(never)).toBe(false);
  });

  it('Given the inline deny-all and AWSDenyAll in the backup and a disable record saying iam2idc attached AWSDenyAll, When restore runs, Then neither is restored', async () => {
    const fake = fakeIam(mocks.iam, []);
    await disabledWithAwsDenyAll();

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(inputs(fake.mutating(), 'PutUserPolicyCommand').map((i) => i.PolicyName)).toEqual(['legacy-s3']);
    expect(inputs(fake.mutating(), 'AttachUserPolicyCommand').map((i) => i.PolicyArn)).toEqual([READ_ONLY]);
    expect(result.execution.actions.some((a) => a.id.includes(DENY_ALL_NAME) || a.id.includes(AWS_DENY_ALL))).toBe(false);
  });

  it('Given the inline deny-all in the backup and a disable record of the inline deny-all only, When restore runs, Then the deny-all is left out but AWSDenyAll, which the user had of her own, is attached', async () => {
    const fake = fakeIam(mocks.iam, []);
    await writeDisabled(context, disableRecord('alice', ALICE_ID, 10, { deny: 'inline' }));

    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(inputs(fake.mutating(), 'PutUserPolicyCommand').map((i) => i.PolicyName)).toEqual(['legacy-s3']);
    expect(inputs(fake.mutating(), 'AttachUserPolicyCommand').map((i) => i.PolicyArn).sort()).toEqual([AWS_DENY_ALL, READ_ONLY].sort());
  });

  it('Given no disable record at all, When restore runs, Then the inline iam2idc-deny-all is still never restored', async () => {
    const fake = fakeIam(mocks.iam, []);

    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { retired: [] }));

    expect(inputs(fake.mutating(), 'PutUserPolicyCommand').map((i) => i.PolicyName)).toEqual(['legacy-s3']);
  });
});

describe('runRestore and users that exist', () => {
  it('Given a user alice that iam2idc did not restore (another UserId, no restored-from tag), When restore runs, Then alice is excluded and nothing is created or changed', async () => {
    const fake = fakeIam(mocks.iam, [bareUser('alice', 'AIDAALICE000000000099')]);

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(result.decisions).toMatchObject([{ userName: 'alice', status: 'excluded' }]);
    expect(result.decisions[0]?.exclusion).not.toBeNull();
    expect(result.execution.actions).toEqual([]);
    expect(fake.mutating()).toEqual([]);
    expect(result.restored).toEqual([]);
    expect(exitCodeOf(result.execution)).toBe(0);
  });

  it('Given a user alice restored from another backup (a restored-from tag of another UserId), When restore runs, Then alice is excluded and nothing is created', async () => {
    const fake = fakeIam(mocks.iam, [bareUser('alice', 'AIDAALICE000000000099', { tags: [{ Key: RESTORED_FROM, Value: 'AIDAALICE000000000050' }] })]);

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(result.decisions).toMatchObject([{ userName: 'alice', status: 'excluded' }]);
    expect(fake.mutating()).toEqual([]);
  });

  it('Given alice was never deleted (the same UserId), When restore runs, Then she is excluded and nothing is changed', async () => {
    const fake = fakeIam(mocks.iam, [fullUser('alice', ALICE_ID)]);

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(result.decisions).toMatchObject([{ userName: 'alice', status: 'excluded' }]);
    expect(fake.mutating()).toEqual([]);
  });

  it('Given two backups and one of them taken by someone else\'s user of that name, When restore runs, Then only the free one is restored', async () => {
    const fake = fakeIam(mocks.iam, [bareUser('alice', 'AIDAALICE000000000099')]);
    const bob = aliceBackup({ user: { ...aliceBackup().user, userName: 'bob', userId: BOB_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/people/bob` } });

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup(), bob]));

    expect(result.decisions.map((d) => [d.userName, d.status])).toEqual([
      ['alice', 'excluded'],
      ['bob', 'planned'],
    ]);
    expect(fake.mutating().every((c) => c.input.UserName === 'bob')).toBe(true);
    expect(result.restored).toEqual(['bob']);
  });
});

describe('runRestore interrupted, then run again', () => {
  it('Given Ctrl-C during CreateUser, When restore runs again, Then it resumes on the user it created (tag present) without a second CreateUser', async () => {
    const fake = fakeIam(mocks.iam, []);
    const interrupts = new InterruptController();
    fake.hooks.set('CreateUserCommand', () => {
      expect(interrupts.interrupt()).toBe('soft');
    });

    const first = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { interrupts }));

    expect(fake.mutating().map((c) => c.command)).toEqual(['CreateUserCommand']);
    expect(exitCodeOf(first.execution)).toBe(130);
    expect(first.execution.actions.filter((a) => a.status === 'not-run')).toHaveLength(first.execution.actions.length - 1);
    expect(first.restored).toEqual([]);
    expectMatchedPairs(await recordsOf(context, first.execution.runId));
    const createdId = fake.user('alice').userId;
    fake.hooks.clear();
    fake.calls.length = 0;

    const second = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(second.decisions).toMatchObject([{ userName: 'alice', status: 'resumed' }]);
    expect(fake.mutating().some((c) => c.command === 'CreateUserCommand')).toBe(false);
    expect(statusesOf(second.execution)['restore/alice/create-user']).toBe('skipped');
    expect(fake.user('alice').userId).toBe(createdId);
    expect(Object.keys(fake.user('alice').inline)).toEqual(['legacy-s3']);
    expect(fake.user('alice').sshKeys).toHaveLength(2);
    expect(exitCodeOf(second.execution)).toBe(0);
    expect(second.restored).toEqual(['alice']);
  });

  it('Given a finished restore, When restore runs again, Then everything is found done and nothing is called twice', async () => {
    const fake = fakeIam(mocks.iam, []);
    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));
    fake.calls.length = 0;

    const again = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(fake.mutating()).toEqual([]);
    expect(again.execution.actions.every((a) => a.status === 'skipped')).toBe(true);
    expect(exitCodeOf(again.execution)).toBe(0);
  });

  it('Given an Inactive SSH key uploaded but the UpdateSSHPublicKey after it failed, When restore runs again, Then the key ends Inactive, as in the backup', async () => {
    const fake = fakeIam(mocks.iam, []);
    fake.fail('UpdateSSHPublicKeyCommand', 'alice', 'ThrottlingException', 1);
    const first = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));
    expect(statusesOf(first.execution)['restore/alice/ssh/APKAALICE00000000002']).toBe('failed');

    const second = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(fake.user('alice').sshKeys.find((k) => k.body === sshBodyOf('alice', 2))?.status).toBe('Inactive');
    expect(exitCodeOf(second.execution)).toBe(0);
  });

  it('Given an Inactive certificate uploaded but the UpdateSigningCertificate after it failed, When restore runs again, Then the certificate ends Inactive, as in the backup', async () => {
    const fake = fakeIam(mocks.iam, []);
    fake.fail('UpdateSigningCertificateCommand', 'alice', 'ThrottlingException', 1);
    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()]));

    expect(fake.user('alice').certificates.find((c) => c.body === certBodyOf('alice', 2))?.status).toBe('Inactive');
  });
});

describe('runRestore with a saved plan', () => {
  it('Given a saved restore plan with an inline iam:* added (and its digest made to match), When it is applied, Then it is refused whole: restore never grants more than the backup', async () => {
    const fake = fakeIam(mocks.iam, []);
    await disabledWithAwsDenyAll();
    const file = path.join(context.root, 'restore-plan.json');
    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { dryRun: true, savePlanTo: file }));
    const saved = JSON.parse(await readFile(file, 'utf8')) as Plan;
    const template = saved.actions.find((a) => a.kind === 'iam.PutUserPolicy') as PlannedAction;
    const escalation = { ...template, id: 'restore/alice/inline/everything', preview: 'put inline policy everything', params: { userName: 'alice', policyName: 'everything', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } } };
    await savePlan(file, { ...saved, actions: [...saved.actions, escalation] });

    const savedPlan = await savedPlanOf(file, 'restore', restoreKinds());
    await expect(runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { savedPlan }))).rejects.toMatchObject({ code: 'PLAN_EDITED', exitCode: 3 });
    expect(fake.mutating()).toEqual([]);
  });

  it('Given a saved restore plan left as it was, When it is applied, Then it restores the user', async () => {
    const fake = fakeIam(mocks.iam, []);
    await disabledWithAwsDenyAll();
    const file = path.join(context.root, 'restore-plan.json');
    await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { dryRun: true, savePlanTo: file }));

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { savedPlan: await savedPlanOf(file, 'restore', restoreKinds()) }));

    expect(result.restored).toEqual(['alice']);
    expect(fake.mutating().length).toBeGreaterThan(0);
  });
});

describe('runRestore and what cannot come back', () => {
  it('Given a backup with access keys, a console password, MFA devices and service credentials, When restore is planned, Then cannotRestore lists each of them and the UserId', async () => {
    fakeIam(mocks.iam, []);

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup()], { dryRun: true }));

    const items = result.decisions[0]?.cannotRestore ?? [];
    expect(items).toHaveLength(5);
    const about = (needle: string) => items.filter((i) => i.what.includes(needle));
    expect(about('AKIAALICE00000000001')).toHaveLength(1);
    expect(about('AKIAALICE00000000002')).toEqual(about('AKIAALICE00000000001'));
    expect(about(virtualMfaOf('alice'))).toHaveLength(1);
    expect(about(hardwareMfaOf('alice'))).toEqual(about(virtualMfaOf('alice')));
    expect(about('codecommit.amazonaws.com')).toHaveLength(1);
    expect(about(ALICE_ID)).toHaveLength(1);
    expect(items.every((i) => i.instead.length > 0)).toBe(true);
  });

  it.each<[string, Partial<UserBackup>]>([
    ['no console password', { loginProfile: { existed: false, passwordResetRequired: false } }],
    ['no access key', { accessKeys: [] }],
    ['no MFA device', { mfaDevices: [] }],
    ['no service credential', { serviceSpecificCredentials: [] }],
  ])('Given a backup with %s, When restore is planned, Then cannotRestore has one entry fewer', async (_what, overrides) => {
    fakeIam(mocks.iam, []);

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [aliceBackup(overrides)], { dryRun: true }));

    expect(result.decisions[0]?.cannotRestore).toHaveLength(4);
  });

  it('Given a backup with no secrets at all, When restore is planned, Then only the UserId cannot come back', async () => {
    fakeIam(mocks.iam, []);
    const backup = aliceBackup({ loginProfile: { existed: false, passwordResetRequired: false }, accessKeys: [], mfaDevices: [], serviceSpecificCredentials: [] });

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, [backup], { dryRun: true }));

    expect(result.decisions[0]?.cannotRestore).toHaveLength(1);
    expect(result.decisions[0]?.cannotRestore[0]?.what).toContain(ALICE_ID);
  });
});

describe('cleanup, then restore from the backup it wrote', () => {
  it('Given alice deleted by cleanup, When restore runs over the workspace\'s backups, Then she comes back with what was recreatable and without the deny-all disable added', async () => {
    const fake = fakeIam(mocks.iam, [fullUser('alice', ALICE_ID)]);
    await writeDisabled(context, disableRecord('alice', ALICE_ID, 10));
    const cleanup = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));
    expect(cleanup.deleted).toEqual(['alice']);
    fake.calls.length = 0;

    const result = await runHeldRestore(context, await restoreOptions(context, clients.iam, await listUserBackups(context.workspace, await trustOf(context.workspace))));

    expect(result.restored).toEqual(['alice']);
    const alice = fake.user('alice');
    expect(alice).toMatchObject({ path: '/people/', boundary: BOUNDARY, attached: [READ_ONLY], groups: ['developers'], accessKeys: [], loginProfile: null, mfa: [] });
    expect(alice.tags).toEqual([
      { Key: 'team', Value: 'data' },
      { Key: 'owner', Value: 'alice@example.com' },
      { Key: RESTORED_FROM, Value: ALICE_ID },
    ]);
    expect(Object.keys(alice.inline)).toEqual(['legacy-s3']);
    expect(JSON.parse(alice.inline['legacy-s3'] ?? 'null')).toEqual(LEGACY_DOC);
    expect(alice.sshKeys.map((k) => k.body)).toEqual([sshBodyOf('alice', 1)]);
    expect(alice.certificates.map((c) => c.body)).toEqual([certBodyOf('alice', 1)]);
    // Nothing records it but the journal: the runs say she was deleted, then restored.
    expect((await retiredUsers(context)).find((u) => u.userName === 'alice')).toMatchObject({ state: 'restored', restoredAt: NOW.toISOString() });
  });
});
