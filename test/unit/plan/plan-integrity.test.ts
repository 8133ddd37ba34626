import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetyRefusal, UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { executePlan, exitCodeOf } from '../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { readJournal } from '../../../src/plan/journal.js';
import { loadPlan, savePlan } from '../../../src/plan/plan-file.js';
import { withPlanRun } from '../../../src/plan/plan-run.js';
import { readLock } from '../../../src/workspace/lock.js';
import { ActionRegistry, type Plan, type PlannedAction } from '../../../src/plan/plan-types.js';
import { TestIoHost } from '../support/test-io-host.js';
import type { FakeAccount} from './support/fake-account.js';
import { DELETE, fakeRegistry, planOf, putAction, deleteAction, type FakeParams } from './support/fake-account.js';
import { isIntent, isOutcome, NOW, PROCESS, rejectionOf, runPlan, statusesOf, usePlanTestContext, YES_FOR_ACCOUNT } from './support/plan-harness.js';
import { ACCOUNT_ID } from '../support/builders.js';

const context = usePlanTestContext();
const ALICE = { userName: 'alice', userId: 'AIDAEXAMPLE0000000001' };
const BACKUP = 'fake.Backup';

/** The fake kinds, plus a backup kind: deletions of a user (`fake.Delete` with a principal) need it first. */
function registryWithBackups(account: FakeAccount): ActionRegistry<FakeAccount> {
  const base = fakeRegistry(account);
  const registry = new ActionRegistry(account);
  for (const kind of base.kinds().keys()) {
    const handler = base.get(kind);
    if (handler) registry.register(kind === DELETE ? { ...handler, backup: 'needs' as const } : handler);
  }
  return registry.register<FakeParams>({
    kind: BACKUP,
    serviceOf: (p) => p.service,
    risk: 'read',
    principalOf: (p) => p.principal ?? null,
    backup: 'takes',
    isDone: async () => false,
    apply: async () => ({ requestId: null }),
  });
}

const backupOf = (id: string): PlannedAction<FakeParams> => ({ ...putAction(id, { risk: 'read', principal: ALICE }), kind: BACKUP, params: { key: id, service: 'iam', risk: 'read', principal: ALICE } });

/** A cleanup-like plan: back alice up, then take her apart. */
function cleanupPlan(): Plan {
  return planOf([
    backupOf('backup'),
    deleteAction('password', { risk: 'irreversible', principal: ALICE, dependsOn: ['backup'] }),
    deleteAction('user', { risk: 'irreversible', principal: ALICE, dependsOn: ['password'] }),
  ]);
}

async function saveAndEdit(plan: Plan, edit: (saved: Record<string, unknown> & { actions: Record<string, unknown>[] }) => void): Promise<string> {
  const file = path.join(context.root, 'plan.json');
  await savePlan(file, plan);
  const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> & { actions: Record<string, unknown>[] };
  edit(saved);
  await writeFile(file, JSON.stringify(saved));
  return file;
}

const load = (file: string) => loadPlan(file, { command: 'fake-command', accountId: ACCOUNT_ID, kinds: registryWithBackups(context.account).kinds() });

describe('A saved plan is what its kinds say, or nothing of it runs', () => {
  it('Given a saved plan, When it is loaded unchanged, Then it is the plan that was saved', async () => {
    const file = await saveAndEdit(cleanupPlan(), () => {});
    expect((await load(file)).actions).toEqual(cleanupPlan().actions);
  });

  it('Given deletions relabelled as another service with no principal, When the plan is loaded, Then the whole plan is refused naming the action', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      for (const action of saved.actions.slice(1)) {
        action.service = 'workspace';
        delete action.principal;
      }
    });
    const error = await rejectionOf(load(file));
    expect(error).toBeInstanceOf(SafetyRefusal);
    expect(error).toMatchObject({ code: 'PLAN_EDITED', exitCode: ExitCode.SafetyRefusal });
    expect((error as unknown as Error).message).toContain('password');
  });

  it('Given a principal renamed in the file only, When the plan is loaded, Then it is refused: the parameters name the user', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      (saved.actions[1] as { principal: { userName: string } }).principal.userName = 'someone-else';
    });
    expect(await rejectionOf(load(file))).toMatchObject({ code: 'PLAN_EDITED' });
  });

  it('Given one risk lowered, When the plan is loaded, Then the whole plan is refused before any change', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      (saved.actions[2] as { risk: string }).risk = 'broadening';
    });
    expect(await rejectionOf(load(file))).toMatchObject({ code: 'PLAN_EDITED', exitCode: ExitCode.SafetyRefusal });
    expect(context.account.calls).toEqual([]);
  });

  it('Given the backup removed with the dependency on it, When the plan is loaded, Then it is refused: no user is deleted without a backup', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      saved.actions.splice(0, 1);
      (saved.actions[0] as { dependsOn: string[] }).dependsOn = [];
    });
    expect(await rejectionOf(load(file))).toMatchObject({ code: 'PLAN_BACKUP_MISSING', exitCode: ExitCode.SafetyRefusal });
  });

  it('Given the backup removed but a verified backup of that very user on disk, When the plan is loaded, Then it is accepted', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      saved.actions.splice(0, 1);
      (saved.actions[0] as { dependsOn: string[] }).dependsOn = [];
    });
    const edited = await rejectionOf(loadPlan(file, { command: 'fake-command', kinds: registryWithBackups(context.account).kinds(), hasVerifiedBackup: (p) => p.userId === ALICE.userId }));
    // Only the digest still tells the edit: the backup rule itself is met.
    expect(edited).toMatchObject({ code: 'PLAN_EDITED' });
  });

  it('Given a dependency on the backup cut, When the plan is loaded, Then it is refused', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      (saved.actions[1] as { dependsOn: string[] }).dependsOn = [];
    });
    expect(await rejectionOf(load(file))).toMatchObject({ code: 'PLAN_BACKUP_MISSING' });
  });

  it('Given a backup of another user kept in front of the deletions, When the plan is loaded, Then it is refused', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      const backup = saved.actions[0] as { params: { principal: { userName: string; userId: string } }; principal: { userName: string; userId: string } };
      backup.params.principal = { userName: 'bob', userId: 'AIDAEXAMPLE0000000002' };
      backup.principal = { userName: 'bob', userId: 'AIDAEXAMPLE0000000002' };
    });
    expect(await rejectionOf(load(file))).toMatchObject({ code: 'PLAN_BACKUP_MISSING' });
  });

  it('Given a preview line changed, When the plan is loaded, Then the digest refuses it', async () => {
    const file = await saveAndEdit(cleanupPlan(), (saved) => {
      (saved.actions[1] as { preview: string }).preview = 'nothing to see';
    });
    expect(await rejectionOf(load(file))).toMatchObject({ code: 'PLAN_EDITED', exitCode: ExitCode.SafetyRefusal });
  });

  it('Given an action of a kind the command does not apply, When the plan is loaded, Then it is a usage error naming the file', async () => {
    const file = await saveAndEdit(planOf([putAction('a')]), (saved) => {
      (saved.actions[0] as { kind: string }).kind = 'fake.Unknown';
    });
    const error = await rejectionOf(load(file));
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'PLAN_UNKNOWN_ACTION', exitCode: ExitCode.UsageError });
    expect((error as unknown as Error).message).toContain(file);
  });
});

describe('The engine decides from the kinds, not from what an action says', () => {
  it('Given a fresh plan whose action states another risk than its kind, When it is executed, Then it fails before any call', async () => {
    const plan = planOf([putAction('a'), { ...deleteAction('b', { principal: ALICE }), risk: 'broadening' as const }]);
    expect(await rejectionOf(runPlan(context, plan))).toMatchObject({ code: 'PLAN_EDITED' });
    expect(context.account.calls).toEqual([]);
  });
});

describe('A call with no clear answer is settled by reading AWS', () => {
  it('Given a change that reached AWS but whose answer was lost and whose retries were throttled, When it runs, Then it is recorded done, after a read', async () => {
    context.account.behave('a', { unclear: { name: 'Throttling', status: 400, attempts: 8, applied: true } });
    const summary = await runPlan(context, planOf([putAction('a'), putAction('b', { dependsOn: ['a'] })]));
    expect(statusesOf(summary)).toEqual({ a: 'done', b: 'done' });
    const outcomes = (await readJournal(context.workspace)).filter(isOutcome);
    expect(outcomes.find((o) => o.actionId === 'a')).toMatchObject({ status: 'done' });
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('Given a reset connection on a change that never reached AWS, When it runs, Then it is failed after a read, and its dependents are skipped', async () => {
    context.account.behave('a', { unclear: { name: 'ECONNRESET', attempts: 1, applied: false } });
    const summary = await runPlan(context, planOf([putAction('a'), putAction('b', { dependsOn: ['a'] })]));
    expect(statusesOf(summary)).toEqual({ a: 'failed', b: 'skipped' });
    expect(context.account.reads.filter((r) => r.key === 'a' && r.what === 'isDone')).toHaveLength(2);
  });

  it('Given an answer lost and the read that would settle it failing too, When it runs, Then the outcome stays unknown and the intent open for the next run', async () => {
    context.account.behave('a', { unclear: { name: 'InternalFailure', status: 500, attempts: 3, applied: true }, isDoneFailsWith: 'ServiceUnavailable' });
    const summary = await runPlan(context, planOf([putAction('a'), putAction('b', { dependsOn: ['a'] })]));
    expect(statusesOf(summary)).toEqual({ a: 'unknown', b: 'not-run' });
    const records = await readJournal(context.workspace);
    expect(records.filter(isOutcome).find((o) => o.actionId === 'a')).toMatchObject({ status: 'unknown' });
    expect(records.filter(isIntent).map((i) => i.actionId)).toEqual(['a']);
  });

  it('Given AWS refusing a change on the one attempt, When it runs, Then it is failed at once, without a read', async () => {
    context.account.behave('a', { failWith: 'AccessDenied' });
    const summary = await runPlan(context, planOf([putAction('a')]));
    expect(statusesOf(summary)).toEqual({ a: 'failed' });
    expect(context.account.reads.filter((r) => r.key === 'a' && r.what === 'isDone')).toHaveLength(1);
  });
});

describe('Credentials that expire in the middle of a run', () => {
  it('Given ExpiredToken on one action, When the run goes on, Then nothing else starts, the exit code is 4 and the journal says where it stopped', async () => {
    context.account.behave('b', { failWith: 'ExpiredToken' });
    const actions = ['a', 'b', 'c', 'd', 'e'].map((id) => putAction(id));
    const summary = await runPlan(context, planOf(actions), { concurrency: { iam: 1 } });
    expect(statusesOf(summary)).toMatchObject({ a: 'done', b: 'failed', c: 'not-run', d: 'not-run', e: 'not-run' });
    expect(context.account.callKeys()).toEqual(['a', 'b']);
    expect(exitCodeOf(summary)).toBe(ExitCode.AwsConfig);
    const runs = (await readJournal(context.workspace)).filter((r) => r.type === 'run');
    expect(runs.map((r) => (r as { event: string }).event)).toEqual(['start', 'stopped']);
  });
});

describe('The workspace is held from before the plan is made', () => {
  it('Given a run holding the workspace, When another run tries to hold it, Then it is refused before it plans anything', async () => {
    let planned = false;
    await withPlanRun({ workspace: context.workspace, command: 'enable', now: () => NOW, process: PROCESS, interrupts: new InterruptController(), dryRun: false }, async () => {
      const second = withPlanRun({ workspace: context.workspace, command: 'disable', now: () => NOW, process: PROCESS, interrupts: new InterruptController(), dryRun: false }, async () => {
        planned = true;
      });
      expect(await rejectionOf(second)).toMatchObject({ code: 'WORKSPACE_LOCKED', exitCode: ExitCode.SafetyRefusal });
    });
    expect(planned).toBe(false);
  });

  it('Given a run holding the workspace, When Ctrl-C ends the process before any apply, Then the lock is released first', async () => {
    const interrupts = new InterruptController();
    await withPlanRun({ workspace: context.workspace, command: 'disable', now: () => NOW, process: PROCESS, interrupts, dryRun: false }, async () => {
      expect(await readLock(context.workspace)).not.toBeNull();
      expect(interrupts.interrupt()).toBe('unarmed');
      await interrupts.runExitCleanups();
      expect(await readLock(context.workspace)).toBeNull();
    });
  });

  it('Given no run holding the workspace, When a plan is applied, Then the engine refuses to apply it', async () => {
    const attempt = executePlan({
      plan: planOf([putAction('a')]),
      registry: fakeRegistry(context.account),
      io: new TestIoHost({ settings: YES_FOR_ACCOUNT }),
      workspace: context.workspace,
      run: null,
      interrupts: new InterruptController(),
      now: () => NOW,
      dryRun: false,
      checkFingerprints: false,
    });
    expect(await rejectionOf(attempt)).toMatchObject({ code: 'PLAN_RUN_MISSING' });
    expect(context.account.calls).toEqual([]);
  });
});
