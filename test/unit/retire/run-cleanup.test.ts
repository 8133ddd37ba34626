import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { exitCodeOf, type ExecutionSummary } from '../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { JOURNAL_FILE, readJournal } from '../../../src/plan/journal.js';
import { cleanupKinds } from '../../../src/phases/cleanup/cleanup-handlers.js';
import { readUserBackup } from '../../../src/workspace/user-backups.js';
import { expectMatchedPairs, isIntent, isOutcome, NOW, PROCESS, recordsOf, usePlanTestContext, YES_FOR_ACCOUNT } from '../plan/support/plan-harness.js';
import { mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';
import { ALICE_ID, BOB_ID, CALLER_ID, CAROL_ID, cleanupOptions, disableRecord, retiredUsers, runHeldCleanup, savedPlanOf, writeDisabled } from './support/cleanup-run.js';
import { holding, trustOf } from './support/held-run.js';
import { runPhase } from '../../../src/plan/run-phase.js';
import { enablePhase } from '../../../src/phases/disable/enable-phase.js';
import { bareUser, describeCalls, fakeIam, fullUser, hardwareMfaOf, MUTATING, READ_ONLY, secretsOf, virtualMfaOf, type FakeIam, type FakeUser } from '../support/fake-iam.js';
import { ACCOUNT_ID } from '../support/builders.js';

const { mocks, clients } = mockAws();
const context = usePlanTestContext();

/** Every read readUserAttachments makes of a user with everything. */
const BACKUP_READS = [
  'GetUserCommand',
  'ListUserPoliciesCommand',
  'GetUserPolicyCommand',
  'ListAttachedUserPoliciesCommand',
  'ListGroupsForUserCommand',
  'ListSSHPublicKeysCommand',
  'GetSSHPublicKeyCommand',
  'ListSigningCertificatesCommand',
  'ListMFADevicesCommand',
  'ListServiceSpecificCredentialsCommand',
  'ListAccessKeysCommand',
  'GetLoginProfileCommand',
];

/** The deletions of a full user, in IAM's order, as describeCalls writes them. Taken before the run changes the user. */
function expectedDeletes(u: FakeUser): string[] {
  return [
    'DeleteLoginProfileCommand',
    ...u.accessKeys.map((k) => `DeleteAccessKeyCommand ${k.id}`),
    ...u.certificates.map((c) => `DeleteSigningCertificateCommand ${c.id}`),
    ...u.sshKeys.map((k) => `DeleteSSHPublicKeyCommand ${k.id}`),
    ...u.serviceCredentials.map((c) => `DeleteServiceSpecificCredentialCommand ${c.id}`),
    `DeactivateMFADeviceCommand ${virtualMfaOf(u.userName)}`,
    `DeleteVirtualMFADeviceCommand ${virtualMfaOf(u.userName)}`,
    `DeactivateMFADeviceCommand ${hardwareMfaOf(u.userName)}`,
    ...Object.keys(u.inline).map((name) => `DeleteUserPolicyCommand ${name}`),
    `DetachUserPolicyCommand ${READ_ONLY}`,
    'RemoveUserFromGroupCommand developers',
    'DeleteUserPermissionsBoundaryCommand',
    'DeleteUserCommand',
  ];
}

/** alice and bob (everything attached, disabled 10 days ago) and ops, the caller, with a key. */
async function twoDisabledUsers(): Promise<{ fake: FakeIam; expected: Record<string, string[]>; secrets: string[] }> {
  const alice = fullUser('alice', ALICE_ID);
  const bob = fullUser('bob', BOB_ID);
  const ops = bareUser('ops', CALLER_ID, { accessKeys: [{ id: 'AKIAOPS0000000000001', status: 'Active', secret: 'opsSecretKeyValue0000000000000000000000' }] });
  const expected = { alice: expectedDeletes(alice), bob: expectedDeletes(bob) };
  const secrets = [...secretsOf(alice), ...secretsOf(bob)];
  const fake = fakeIam(mocks.iam, [alice, bob, ops]);
  await writeDisabled(context, disableRecord('alice', ALICE_ID, 10, { keys: alice.accessKeys.map((k) => k.id) }), disableRecord('bob', BOB_ID, 10, { keys: bob.accessKeys.map((k) => k.id) }));
  return { fake, expected, secrets };
}

const statusesOf = (execution: ExecutionSummary, user?: string) =>
  Object.fromEntries(execution.actions.filter((a) => user === undefined || a.id.startsWith(`cleanup/${user}/`)).map((a) => [a.id, a.status]));
const actionsOf = (execution: ExecutionSummary, user: string) => execution.actions.filter((a) => a.id.startsWith(`cleanup/${user}/`));

describe('runCleanup on two disabled users with everything attached', () => {
  it('Given alice and bob disabled 10 days ago, When cleanup runs with --yes and the account confirmed, Then each is backed up, taken apart in IAM\'s order and deleted, and nobody else is touched', async () => {
    const { fake, expected } = await twoDisabledUsers();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    expect(exitCodeOf(result.execution)).toBe(0);
    expect(describeCalls(fake.mutatingFor('alice'))).toEqual(expected.alice);
    expect(describeCalls(fake.mutatingFor('bob'))).toEqual(expected.bob);
    expect(fake.mutating()).toHaveLength(expected.alice.length + expected.bob.length);
    expect(fake.mutatingFor('ops')).toEqual([]);
    expect(fake.has('alice') || fake.has('bob')).toBe(false);
    expect(fake.has('ops')).toBe(true);
    expect(result.deleted).toEqual(['alice', 'bob']);
    expect(result.decisions.map((d) => [d.userName, d.status])).toEqual([
      ['alice', 'planned'],
      ['bob', 'planned'],
    ]);
    expect(result.execution.counts).toMatchObject({ done: result.execution.actions.length, failed: 0, refused: 0 });
  });

  it('Given the same users, When cleanup runs, Then right before each user\'s first deletion the user is read in full for the backup, and the backup is on disk when that deletion is sent', async () => {
    const { fake } = await twoDisabledUsers();
    const onDiskAtFirstDelete = new Map<string, unknown>();
    for (const command of MUTATING) {
      fake.hooks.set(command, async (input) => {
        const name = String(input.UserName);
        const id = name === 'alice' ? ALICE_ID : BOB_ID;
        if (!onDiskAtFirstDelete.has(name)) onDiskAtFirstDelete.set(name, await readUserBackup(context.workspace, name, id, await trustOf(context.workspace)));
      });
    }

    await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    for (const [name, id] of [
      ['alice', ALICE_ID],
      ['bob', BOB_ID],
    ] as const) {
      // The backup taken before the first call is the whole user, not what remained later.
      expect(onDiskAtFirstDelete.get(name), name).toMatchObject({ user: { userName: name, userId: id }, loginProfile: { existed: true } });
      const backup = onDiskAtFirstDelete.get(name) as NonNullable<Awaited<ReturnType<typeof readUserBackup>>>;
      expect(backup.accessKeys).toHaveLength(2);
      expect(backup.mfaDevices.map((d) => d.type)).toEqual(['virtual', 'hardware']);
      expect(backup.inlinePolicies).toHaveLength(2);
      const calls = fake.calls.filter((c) => c.user === name).map((c) => c.command);
      const firstDelete = calls.findIndex((c) => MUTATING.has(c));
      const backupRead = calls.lastIndexOf('GetUserCommand', firstDelete);
      expect(firstDelete).toBeGreaterThan(0);
      expect(new Set(calls.slice(backupRead, firstDelete))).toEqual(new Set(BACKUP_READS));
      expect(calls[firstDelete]).toBe('DeleteLoginProfileCommand');
      expect(calls.at(-1)).toBe('DeleteUserCommand');
    }
  });

  it('Given a virtual and a hardware MFA device, When cleanup runs, Then both are deactivated, the virtual one is then deleted, and the hardware one is never deleted', async () => {
    const { fake } = await twoDisabledUsers();

    await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    const mfaCalls = describeCalls(fake.mutatingFor('alice').filter((c) => c.command.includes('MFA')));
    expect(mfaCalls).toEqual([`DeactivateMFADeviceCommand ${virtualMfaOf('alice')}`, `DeleteVirtualMFADeviceCommand ${virtualMfaOf('alice')}`, `DeactivateMFADeviceCommand ${hardwareMfaOf('alice')}`]);
    expect(fake.mutating().some((c) => c.command === 'DeleteVirtualMFADeviceCommand' && String(c.input.SerialNumber).startsWith('GAHT'))).toBe(false);
    expect(fake.virtualMfa.size).toBe(0);
  });

  it('Given a completed cleanup, When the journal is read, Then every deletion has its intent before its outcome, all done, and the journal shows who was deleted, each with a backup', async () => {
    await twoDisabledUsers();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    const records = await recordsOf(context, result.execution.runId);
    expectMatchedPairs(records);
    const intents = records.filter(isIntent);
    expect(intents.map((r) => r.actionId).sort()).toEqual(result.execution.actions.map((a) => a.id).sort());
    expect(records.filter(isOutcome).every((o) => o.status === 'done')).toBe(true);
    // Who was deleted is the journal's to say: both users, now.
    expect((await retiredUsers(context)).map((u) => [u.userName, u.state, u.deletedAt])).toEqual([
      ['alice', 'deleted', NOW.toISOString()],
      ['bob', 'deleted', NOW.toISOString()],
    ]);
    expect(result.decisions.map((d) => d.backup)).toEqual([`backups/alice-${ALICE_ID}.json`, `backups/bob-${BOB_ID}.json`]);
  });

  it('Given IAM answers with secrets (a key\'s SecretAccessKey, the Password, a ServicePassword), When cleanup runs, Then no secret is in the backups, the journal or the result', async () => {
    const { secrets } = await twoDisabledUsers();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    const backups = await readdir(context.workspace.resolve('backups'));
    expect(backups.filter((n) => !n.startsWith('disable-')).sort()).toEqual([`alice-${ALICE_ID}.json`, `bob-${BOB_ID}.json`]);
    const texts = {
      ...Object.fromEntries(await Promise.all(backups.map(async (n) => [n, (await context.workspace.readText(`backups/${n}`)) ?? ''] as const))),
      journal: (await context.workspace.readText(JOURNAL_FILE)) ?? '',
      result: JSON.stringify(result),
    };
    for (const [where, text] of Object.entries(texts)) {
      expect(text.length, where).toBeGreaterThan(0);
      for (const secret of secrets) expect(text, where).not.toContain(secret);
      for (const field of ['SecretAccessKey', 'Password', 'ServicePassword']) expect(text, where).not.toContain(field);
    }
  });

  it('Given a dry run, When cleanup runs, Then the plan is shown, nothing is deleted and no backup or journal is written', async () => {
    const { fake } = await twoDisabledUsers();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { dryRun: true, io: new TestIoHost() }));

    expect(fake.mutating()).toEqual([]);
    expect(result.execution.dryRun).toBe(true);
    expect(result.deleted).toEqual([]);
    // The backup, 15 steps and DeleteUser.
    expect(result.execution.actions.filter((a) => a.id.startsWith('cleanup/alice/'))).toHaveLength(17);
    expect(await readdir(context.workspace.resolve('backups')).catch(() => [])).toEqual([]);
    // Only the setup's disable runs: no intent, outcome or backup seal of this run.
    expect((await readJournal(context.workspace)).filter((r) => r.runId.startsWith('disable-run-'))).toEqual(await readJournal(context.workspace));
  });
});

describe('runCleanup when one user fails', () => {
  it('Given DeleteSigningCertificate is denied for bob, When cleanup runs, Then bob stops there (no DeleteUser), his remaining steps are skipped, alice is fully deleted, and the run exits 1', async () => {
    const { fake, expected } = await twoDisabledUsers();
    fake.fail('DeleteSigningCertificateCommand', 'bob', 'AccessDenied');

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    const certIndex = expected.bob.findIndex((c) => c.startsWith('DeleteSigningCertificateCommand'));
    expect(describeCalls(fake.mutatingFor('bob'))).toEqual(expected.bob.slice(0, certIndex + 1));
    expect(fake.mutatingFor('bob').some((c) => c.command === 'DeleteUserCommand')).toBe(false);
    expect(describeCalls(fake.mutatingFor('alice'))).toEqual(expected.alice);
    expect(exitCodeOf(result.execution)).toBe(1);
    expect(result.deleted).toEqual(['alice']);
    const bob = actionsOf(result.execution, 'bob');
    const failed = bob.findIndex((a) => a.kind === 'iam.DeleteSigningCertificate');
    expect(bob.slice(0, failed).map((a) => a.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(bob[failed]?.status).toBe('failed');
    expect(bob[failed]?.reason).toContain('AccessDenied');
    const after = bob.slice(failed + 1);
    expect(after.map((a) => a.kind)).toEqual([
      'iam.DeleteSSHPublicKey',
      'iam.DeleteServiceSpecificCredential',
      'iam.DeleteServiceSpecificCredential',
      'iam.DeactivateMFADevice',
      'iam.DeleteVirtualMFADevice',
      'iam.DeactivateMFADevice',
      'iam.DeleteUserPolicy',
      'iam.DeleteUserPolicy',
      'iam.DetachUserPolicy',
      'iam.RemoveUserFromGroup',
      'iam.DeleteUserPermissionsBoundary',
      'iam.DeleteUser',
    ]);
    expect(after.every((a) => a.status === 'skipped')).toBe(true);
    expect(fake.has('bob')).toBe(true);
    expect((await retiredUsers(context)).filter((u) => u.state === 'deleted').map((u) => u.userName)).toEqual(['alice']);
  });

  it('Given a directory where bob\'s backup must go, When cleanup runs, Then it is refused before any deletion, for everyone', async () => {
    const { fake } = await twoDisabledUsers();
    await mkdir(context.workspace.resolve(`backups/bob-${BOB_ID}.json`), { recursive: true });

    await expect(runHeldCleanup(context, await cleanupOptions(context, clients.iam))).rejects.toThrow();

    expect(fake.mutating()).toEqual([]);
  });
});

describe('runCleanup interrupted by Ctrl-C, then run again', () => {
  it('Given Ctrl-C right after the virtual MFA device was deactivated, When cleanup runs again, Then the device, which no user lists any more, is deleted from what the backup names', async () => {
    const alice = fullUser('alice', ALICE_ID);
    const fake = fakeIam(mocks.iam, [alice]);
    await writeDisabled(context, disableRecord('alice', ALICE_ID, 10));
    const interrupts = new InterruptController();
    fake.hooks.set('DeactivateMFADeviceCommand', (input) => {
      if (input.SerialNumber === virtualMfaOf('alice')) interrupts.interrupt();
    });

    const first = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { interrupts }));
    fake.hooks.clear();
    expect(first.execution.interrupted).toBe(true);
    expect(fake.virtualMfa.has(virtualMfaOf('alice'))).toBe(true);

    const second = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    expect(second.execution.actions.find((a) => a.id.includes('DeleteVirtualMFADevice'))).toMatchObject({ status: 'done' });
    expect(fake.virtualMfa.has(virtualMfaOf('alice'))).toBe(false);
    expect(second.deleted).toEqual(['alice']);
  });

  it('Given Ctrl-C during the first DeleteAccessKey, When the run ends, Then it stopped after that call, exits 130 with matched journal pairs, and a second run finishes the rest without repeating a deletion', async () => {
    const alice = fullUser('alice', ALICE_ID);
    const expected = expectedDeletes(alice);
    const fake = fakeIam(mocks.iam, [alice]);
    await writeDisabled(context, disableRecord('alice', ALICE_ID, 10));
    const interrupts = new InterruptController();
    let pressed = false;
    fake.hooks.set('DeleteAccessKeyCommand', () => {
      if (pressed) return;
      pressed = true;
      expect(interrupts.interrupt()).toBe('soft');
    });

    const first = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { interrupts }));

    const firstCalls = describeCalls(fake.mutating());
    expect(firstCalls).toEqual(expected.slice(0, 2));
    expect(first.execution.interrupted).toBe(true);
    expect(exitCodeOf(first.execution)).toBe(130);
    const statuses = Object.values(statusesOf(first.execution));
    expect(statuses.slice(0, 3)).toEqual(['done', 'done', 'done']);
    expect(statuses.slice(3).every((s) => s === 'not-run')).toBe(true);
    expect(first.deleted).toEqual([]);
    const records = await recordsOf(context, first.execution.runId);
    expectMatchedPairs(records);
    expect(records.filter(isIntent).map((r) => r.actionId)).toEqual(first.execution.actions.filter((a) => a.status === 'done').map((a) => a.id));
    expect(records.filter(isOutcome).map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(records.at(-1)).toMatchObject({ type: 'run', event: 'interrupted' });
    fake.hooks.clear();
    fake.calls.length = 0;

    const second = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    const secondCalls = describeCalls(fake.mutating());
    expect(secondCalls).toEqual(expected.slice(2));
    expect(secondCalls.filter((c) => firstCalls.includes(c))).toEqual([]);
    expect(exitCodeOf(second.execution)).toBe(0);
    expect(second.deleted).toEqual(['alice']);
    expect(fake.has('alice')).toBe(false);
    expectMatchedPairs(await recordsOf(context, second.execution.runId));
    // The backup of the first run survived the second: what was deleted then is still in it.
    const backup = await readUserBackup(context.workspace, 'alice', ALICE_ID, await trustOf(context.workspace));
    expect(backup?.loginProfile.existed).toBe(true);
    expect(backup?.accessKeys).toHaveLength(2);
    expect(backup?.takenAt).toBe(NOW.toISOString());
  });
});

describe('runCleanup and how long ago users were disabled', () => {
  async function aliceAndRecentCarol() {
    const fake = fakeIam(mocks.iam, [fullUser('alice', ALICE_ID), fullUser('carol', CAROL_ID)]);
    await writeDisabled(context, disableRecord('alice', ALICE_ID, 10), disableRecord('carol', CAROL_ID, 2));
    return fake;
  }

  it('Given carol disabled only 2 days ago, When cleanup runs with the default 7 days, Then she is excluded (DISABLED_TOO_RECENTLY) and untouched, while alice is deleted', async () => {
    const fake = await aliceAndRecentCarol();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    expect(result.decisions.find((d) => d.userName === 'carol')).toMatchObject({ status: 'excluded', exclusion: { code: 'DISABLED_TOO_RECENTLY' } });
    expect(fake.mutatingFor('carol')).toEqual([]);
    expect(actionsOf(result.execution, 'carol')).toEqual([]);
    expect(result.deleted).toEqual(['alice']);
    expect(exitCodeOf(result.execution)).toBe(0);
  });

  it('Given --min-disabled-days 0 and --yes, When cleanup runs, Then the question is answered by --yes and carol is deleted too', async () => {
    const fake = await aliceAndRecentCarol();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { minDisabledDays: 0 }));

    expect(result.deleted).toEqual(['alice', 'carol']);
    expect(fake.has('carol')).toBe(false);
  });

  it('Given --min-disabled-days 0 and CONFIRM_MIN_DISABLED_DAYS answered yes at the prompt, When cleanup runs, Then carol is deleted', async () => {
    await aliceAndRecentCarol();
    const io = new TestIoHost({ answers: [{ code: 'CONFIRM_MIN_DISABLED_DAYS', answer: true }, { code: 'CONFIRM_DESTRUCTIVE_PLAN', answer: ACCOUNT_ID }] });

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { minDisabledDays: 0, io }));

    expect(result.deleted).toEqual(['alice', 'carol']);
  });

  it('Given --min-disabled-days 0 and CONFIRM_MIN_DISABLED_DAYS answered no, When cleanup runs, Then it is a safety refusal (NOT_CONFIRMED) before any IAM call', async () => {
    await aliceAndRecentCarol();
    const io = new TestIoHost({ answers: [{ code: 'CONFIRM_MIN_DISABLED_DAYS', answer: false }] });

    const error = await caught(runHeldCleanup(context, await cleanupOptions(context, clients.iam, { minDisabledDays: 0, io })));

    expect(error).toMatchObject({ name: 'SafetyRefusal', code: 'NOT_CONFIRMED', exitCode: 3 });
    expect(mocks.iam.calls()).toHaveLength(0);
  });

  it('Given --min-disabled-days 0 without --yes and nobody to answer, When cleanup runs, Then it is a safety refusal before any IAM call', async () => {
    await aliceAndRecentCarol();

    const error = await caught(runHeldCleanup(context, await cleanupOptions(context, clients.iam, { minDisabledDays: 0, io: new TestIoHost() })));

    expect(error).toMatchObject({ name: 'SafetyRefusal', exitCode: 3 });
    expect(mocks.iam.calls()).toHaveLength(0);
  });
});

describe('runCleanup with a saved plan', () => {
  it('Given a plan saved by a dry run, When it is applied unchanged with --plan, Then exactly its actions are applied', async () => {
    const { fake, expected } = await twoDisabledUsers();
    const savePlanTo = path.join(context.root, 'cleanup-plan.json');
    const dry = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { dryRun: true, io: new TestIoHost(), savePlanTo }));
    expect(fake.mutating()).toEqual([]);

    const applied = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { savedPlan: await savedPlanOf(savePlanTo, 'cleanup', cleanupKinds()) }));

    expect(applied.execution.actions.map((a) => a.id)).toEqual(dry.execution.actions.map((a) => a.id));
    expect(describeCalls(fake.mutatingFor('alice'))).toEqual(expected.alice);
    expect(exitCodeOf(applied.execution)).toBe(0);
  });

  it('Given a saved plan and a new access key for alice since, When it is applied, Then every action of alice is refused (exit 3) and nothing of hers is deleted, while bob is', async () => {
    const { fake, expected } = await twoDisabledUsers();
    const savePlanTo = path.join(context.root, 'cleanup-plan.json');
    await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { dryRun: true, io: new TestIoHost(), savePlanTo }));
    fake.user('alice').accessKeys.push({ id: 'AKIAALICENEW00000001', status: 'Active', secret: 'newSecretValue' });

    const applied = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { savedPlan: await savedPlanOf(savePlanTo, 'cleanup', cleanupKinds()) }));

    expect(fake.mutatingFor('alice')).toEqual([]);
    const alice = actionsOf(applied.execution, 'alice');
    expect(alice.length).toBeGreaterThan(0);
    expect(alice.every((a) => a.status === 'refused')).toBe(true);
    expect(describeCalls(fake.mutatingFor('bob'))).toEqual(expected.bob);
    expect(exitCodeOf(applied.execution)).toBe(3);
    expect(applied.deleted).toEqual(['bob']);
    expect(await readUserBackup(context.workspace, 'alice', ALICE_ID, await trustOf(context.workspace))).toBeNull();
  });

  it('Given a saved plan and alice deleted by someone else since, When it is applied, Then her actions are no-ops, not refused, and the run succeeds', async () => {
    const { fake } = await twoDisabledUsers();
    const savePlanTo = path.join(context.root, 'cleanup-plan.json');
    await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { dryRun: true, io: new TestIoHost(), savePlanTo }));
    fake.users.splice(fake.users.indexOf(fake.user('alice')), 1);

    const applied = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { savedPlan: await savedPlanOf(savePlanTo, 'cleanup', cleanupKinds()) }));

    expect(fake.mutatingFor('alice')).toEqual([]);
    const alice = actionsOf(applied.execution, 'alice');
    expect(alice.filter((a) => a.status === 'refused').map((a) => [a.id, a.reason])).toEqual([]);
    expect(alice.every((a) => a.status === 'done' || a.status === 'skipped')).toBe(true);
    expect(exitCodeOf(applied.execution)).toBe(0);
  });
});

describe('runCleanup re-applying a saved plan', () => {
  it('Given a saved plan applied in full, When the same plan is applied again (a resume), Then every action is a no-op, nothing is refused and the run succeeds', async () => {
    const { fake } = await twoDisabledUsers();
    const savePlanTo = path.join(context.root, 'cleanup-plan.json');
    await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { dryRun: true, io: new TestIoHost(), savePlanTo }));
    await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { savedPlan: await savedPlanOf(savePlanTo, 'cleanup', cleanupKinds()) }));
    fake.calls.length = 0;

    const again = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { savedPlan: await savedPlanOf(savePlanTo, 'cleanup', cleanupKinds()) }));

    expect(fake.mutating()).toEqual([]);
    expect(again.execution.counts.refused).toBe(0);
    expect(exitCodeOf(again.execution)).toBe(0);
  });
});

describe('runCleanup on users already gone, and the lockout guard', () => {
  it('Given carol disabled and already deleted from IAM, When cleanup runs, Then she is reported gone, no action is planned for her, nothing is refused and the run succeeds', async () => {
    const fake = fakeIam(mocks.iam, [fullUser('alice', ALICE_ID)]);
    await writeDisabled(context, disableRecord('alice', ALICE_ID, 10), disableRecord('carol', CAROL_ID, 10));

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    expect(result.decisions.find((d) => d.userName === 'carol')).toMatchObject({ status: 'gone', exclusion: null });
    expect(actionsOf(result.execution, 'carol')).toEqual([]);
    expect(fake.mutatingFor('carol')).toEqual([]);
    expect(result.execution.counts.refused).toBe(0);
    expect(exitCodeOf(result.execution)).toBe(0);
    expect(result.deleted).toEqual(['alice']);
  });

  it('Given the caller named with --users, When cleanup runs, Then every deletion of the caller is refused by the guard (CALLER_CREDENTIALS), nothing is deleted and the run exits 3', async () => {
    const { fake } = await twoDisabledUsers();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { users: ['ops'] }));

    const steps = actionsOf(result.execution, 'ops').filter((a) => a.risk !== 'read');
    expect(steps.map((a) => a.kind)).toEqual(['iam.DeleteAccessKey', 'iam.DeleteUser']);
    expect(steps.every((a) => a.status === 'refused' && a.reason?.includes('CALLER_CREDENTIALS'))).toBe(true);
    expect(fake.mutating()).toEqual([]);
    expect(fake.user('ops').accessKeys).toHaveLength(1);
    expect(exitCodeOf(result.execution)).toBe(3);
    expect(result.deleted).toEqual([]);
    // The table says so too: the caller is left alone, not shown as deleted, and not even backed up.
    expect(result.decisions.find((d) => d.userName === 'ops')).toMatchObject({ status: 'excluded', exclusion: { code: 'LOCKOUT_GUARD' }, deletes: [] });
    expect(actionsOf(result.execution, 'ops').find((a) => a.risk === 'read')?.status).toBe('refused');
    expect(await readUserBackup(context.workspace, 'ops', CALLER_ID, await trustOf(context.workspace))).toBeNull();
  });

  it('Given --users names only alice, When cleanup runs, Then bob (also disabled) is not touched', async () => {
    const { fake, expected } = await twoDisabledUsers();

    const result = await runHeldCleanup(context, await cleanupOptions(context, clients.iam, { users: ['alice'] }));

    expect(describeCalls(fake.mutatingFor('alice'))).toEqual(expected.alice);
    expect(fake.mutatingFor('bob')).toEqual([]);
    expect(result.deleted).toEqual(['alice']);
  });
});

describe('runCleanup run again after it finished', () => {
  it('Given a completed cleanup, When cleanup runs again, Then there is nothing left to do and no IAM call changes anything', async () => {
    const { fake } = await twoDisabledUsers();
    const first = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));
    fake.calls.length = 0;

    const again = await runHeldCleanup(context, await cleanupOptions(context, clients.iam));

    expect(fake.mutating()).toEqual([]);
    expect(again.execution.actions).toEqual([]);
    // Deleted, as the journal shows: no longer a candidate.
    expect(again.decisions).toEqual([]);
    expect(first.execution.actions).toHaveLength(2 * 17);
    expect((await readJournal(context.workspace)).filter((r) => isIntent(r) && !r.runId.startsWith('disable-run-'))).toHaveLength(first.execution.actions.length);
  });
});

describe('enable after cleanup', () => {
  /** enable as its command runs it over every user the journal shows disable changed. */
  const enableAll = async (io: TestIoHost) => {
    const users = (await retiredUsers(context)).filter((u) => u.state !== 'enabled' && u.state !== 'restored');
    return holding(context.workspace, 'enable', false, ({ run }) =>
      runPhase(enablePhase({ iam: clients.iam, accountId: ACCOUNT_ID, io, users }), { workspace: context.workspace, io, now: () => NOW, interrupts: new InterruptController(), process: PROCESS, dryRun: false, run }),
    );
  };

  it('Given cleanup deleted alice and bob, When enable runs, Then it plans nothing for them, says they were deleted and points to restore, and makes no IAM change', async () => {
    const { fake } = await twoDisabledUsers();
    await runHeldCleanup(context, await cleanupOptions(context, clients.iam));
    fake.calls.length = 0;
    const io = new TestIoHost({ settings: YES_FOR_ACCOUNT });

    const result = await enableAll(io);

    expect(result.execution.actions).toEqual([]);
    expect(result.decisions.map((d) => [d.userName, d.status])).toEqual([
      ['alice', 'deleted'],
      ['bob', 'deleted'],
    ]);
    expect(result.enabled).toEqual([]);
    expect(io.codes('warn')).toContain('ENABLE_USER_DELETED');
    expect(fake.mutating()).toEqual([]);
    expect(exitCodeOf(result.execution)).toBe(0);
  });
});
