import {
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  type AccountAssignment,
  type CreateAccountAssignmentCommandInput,
  type ListAccountAssignmentsCommandInput,
} from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { withPlanRun } from '../../../src/plan/plan-run.js';
import { executePlan, exitCodeOf, type ExecutionSummary } from '../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { PLAN_VERSION, type Plan } from '../../../src/plan/plan-types.js';
import { createAssignmentContext, createAssignmentRegistry } from '../../../src/phases/assign/assignment-handlers.js';
import { ASSIGNMENT_KIND, assignmentActionId, planAssignments, type AssignmentKey, type CurrentAssignment, type PrincipalType } from '../../../src/phases/assign/plan-assignments.js';
import type { PollingOptions } from '../../../src/phases/create-permission-sets/types.js';
import { mockIdentityStore } from '../identities/fixtures.js';
import { expectMatchedPairs, isIntent, isOutcome, NOW, PROCESS, recordsOf, statusesOf, usePlanTestContext, YES_FOR_ACCOUNT } from '../plan/support/plan-harness.js';
import { mockAws } from '../support/aws-mocks.js';
import { ACCOUNT_ID } from '../support/builders.js';

const { mocks, clients } = mockAws();
const identityStore = mockIdentityStore();
const context = usePlanTestContext();

const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const SET_ARNS: Record<string, string> = {
  Admin: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-0000000000000001',
  ReadOnly: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-0000000000000002',
};
const FAST_POLLING: PollingOptions = { minDelaySeconds: 0.001, maxDelaySeconds: 0.002, maxWaitSeconds: 2 };
const TARGET_ACCOUNTS = ['222222222222', '333333333333', '444444444444'];
const PRINCIPALS: { principalType: PrincipalType; principalName: string }[] = [
  { principalType: 'USER', principalName: 'alice' },
  { principalType: 'GROUP', principalName: 'Developers' },
];
const INTERRUPT_AFTER = 5;

const principalIdOf = (type: PrincipalType, name: string) => `id-${type}-${name}`;

/** 3 accounts × 2 permission sets × 2 principals: twelve assignments. */
const DESIRED: AssignmentKey[] = TARGET_ACCOUNTS.flatMap((accountId) =>
  Object.keys(SET_ARNS).flatMap((permissionSetName) => PRINCIPALS.map((p) => ({ ...p, permissionSetName, accountId }))),
);

/**
 * A stand-in for Identity Center's assignments: CreateAccountAssignment adds to it (IN_PROGRESS, then
 * SUCCEEDED when described) and ListAccountAssignments reads it. `onCreate` runs inside each create.
 */
function fakeIdentityCenter(onCreate: (count: number) => void = () => undefined) {
  const assignments: (AccountAssignment & { AccountId: string; PermissionSetArn: string })[] = [];
  const creates: { key: string; stopRequestedBefore: boolean }[] = [];
  let interrupts: InterruptController | null = null;
  const keyOf = (a: { AccountId?: string; TargetId?: string; PermissionSetArn?: string; PrincipalType?: string; PrincipalId?: string }) =>
    [a.AccountId ?? a.TargetId, a.PermissionSetArn, a.PrincipalType, a.PrincipalId].join(' ');
  mocks.ssoAdmin.on(CreateAccountAssignmentCommand).callsFake((input: CreateAccountAssignmentCommandInput) => {
    const key = keyOf(input);
    creates.push({ key, stopRequestedBefore: interrupts?.stopRequested ?? false });
    if (assignments.some((a) => keyOf(a) === key)) throw new Error(`created twice: ${key}`);
    assignments.push({ AccountId: input.TargetId ?? '', PermissionSetArn: input.PermissionSetArn ?? '', PrincipalType: input.PrincipalType, PrincipalId: input.PrincipalId });
    onCreate(creates.length);
    return { AccountAssignmentCreationStatus: { Status: 'IN_PROGRESS', RequestId: `req-${creates.length}` }, $metadata: { requestId: `aws-${creates.length}` } };
  });
  mocks.ssoAdmin.on(DescribeAccountAssignmentCreationStatusCommand).callsFake((input: { AccountAssignmentCreationRequestId: string }) => ({
    AccountAssignmentCreationStatus: { Status: 'SUCCEEDED', RequestId: input.AccountAssignmentCreationRequestId },
  }));
  mocks.ssoAdmin.on(ListAccountAssignmentsCommand).callsFake((input: ListAccountAssignmentsCommandInput) => ({
    AccountAssignments: assignments.filter((a) => a.AccountId === input.AccountId && a.PermissionSetArn === input.PermissionSetArn),
  }));
  return {
    assignments,
    creates,
    watch(controller: InterruptController) {
      interrupts = controller;
    },
    /** What Identity Center has now, named the way `readAssignmentState` would name it. */
    current(): CurrentAssignment[] {
      const names = new Map(PRINCIPALS.map((p) => [principalIdOf(p.principalType, p.principalName), p.principalName]));
      const sets = new Map(Object.entries(SET_ARNS).map(([name, arn]) => [arn, name]));
      return assignments.map((a) => ({
        accountId: a.AccountId,
        permissionSetName: sets.get(a.PermissionSetArn) ?? '',
        principalType: a.PrincipalType as PrincipalType,
        principalId: a.PrincipalId ?? '',
        principalName: names.get(a.PrincipalId ?? '') ?? null,
      }));
    },
  };
}

function planOf(current: CurrentAssignment[]): Plan {
  return {
    version: PLAN_VERSION,
    command: 'assign',
    accountId: ACCOUNT_ID,
    createdAt: NOW.toISOString(),
    actions: planAssignments(DESIRED, current, { instanceArn: INSTANCE_ARN, prune: false }),
  };
}

/** One `assign` apply with a fresh assignment context, as each CLI run has. */
function run(plan: Plan, interrupts: InterruptController, io = new TestIoHost({ settings: YES_FOR_ACCOUNT })): Promise<ExecutionSummary> {
  const assignmentContext = createAssignmentContext({
    ssoAdmin: clients.ssoAdmin,
    instanceArn: INSTANCE_ARN,
    resolvePermissionSetArn: async (name) => SET_ARNS[name] ?? null,
    resolvePrincipalId: async (type, name) => principalIdOf(type, name),
    polling: FAST_POLLING,
  });
  return withPlanRun({ workspace: context.workspace, command: plan.command, now: () => NOW, process: PROCESS, interrupts, dryRun: false }, (held) =>
    executePlan({
      plan,
      registry: createAssignmentRegistry(assignmentContext),
      io,
      workspace: context.workspace,
      run: held,
      interrupts,
      now: () => NOW,
      dryRun: false,
      checkFingerprints: false,
    }),
  );
}

const idsWith = (summary: ExecutionSummary, status: string) =>
  summary.actions
    .filter((a) => a.status === status)
    .map((a) => a.id)
    .sort();

/** Runs the full plan and presses Ctrl-C once, inside the fifth CreateAccountAssignment. */
async function interruptedFirstRun() {
  const interrupts = new InterruptController();
  const fake = fakeIdentityCenter((count) => {
    if (count === INTERRUPT_AFTER) expect(interrupts.interrupt()).toBe('soft');
  });
  fake.watch(interrupts);
  const plan = planOf([]);
  const io = new TestIoHost({ settings: YES_FOR_ACCOUNT });
  const summary = await run(plan, interrupts, io);
  return { fake, plan, io, summary };
}

describe('assign interrupted by one Ctrl-C, then run again', () => {
  it('Given twelve assignments to create, When Ctrl-C comes after the fifth CreateAccountAssignment, Then the run stops as interrupted (130), the calls in flight finish and are journaled, and no new one starts', async () => {
    const { fake, plan, io, summary } = await interruptedFirstRun();

    expect(plan.actions).toHaveLength(12);
    expect(plan.actions.every((a) => a.kind === ASSIGNMENT_KIND.create)).toBe(true);
    expect(summary.interrupted).toBe(true);
    expect(exitCodeOf(summary)).toBe(130);
    expect(io.codes('warn')).toContain('INTERRUPT_REQUESTED');

    // Every call that was sent settled: nothing failed, nothing was left unknown.
    const done = idsWith(summary, 'done');
    expect(summary.counts.failed).toBe(0);
    expect(summary.counts.unknown).toBe(0);
    expect(done.length).toBe(fake.creates.length);
    expect(summary.counts['not-run']).toBe(12 - done.length);
    expect(summary.counts.done + summary.counts['not-run']).toBe(12);
    expect(fake.assignments).toHaveLength(done.length);

    // At least the five sent before the stop; beyond them, only actions already started (the
    // executor runs at most 4 sso-admin actions at once, so at most 3 others were under way).
    expect(fake.creates.filter((c) => !c.stopRequestedBefore)).toHaveLength(INTERRUPT_AFTER);
    expect(fake.creates.length).toBeGreaterThanOrEqual(INTERRUPT_AFTER);
    expect(fake.creates.length).toBeLessThanOrEqual(INTERRUPT_AFTER + 3);
    expect(summary.actions.filter((a) => a.status === 'not-run').every((a) => a.reason === 'interrupted before it started')).toBe(true);

    // Journal: an intent then a `done` outcome for each call made, no intent for what did not run.
    const records = await recordsOf(context, summary.runId);
    expectMatchedPairs(records);
    const intents = records.filter(isIntent).map((r) => r.actionId);
    expect([...intents].sort()).toEqual(done);
    expect(records.filter(isOutcome).every((o) => o.status === 'done')).toBe(true);
    expect(
      records
        .filter(isOutcome)
        .map((o) => o.actionId)
        .sort(),
    ).toEqual(done);
    expect(records.filter((r) => r.type === 'run').map((r) => (r as { event: string }).event)).toEqual(['start', 'interrupted']);

    // The polling of each accepted request was followed to SUCCEEDED.
    expect(mocks.ssoAdmin.commandCalls(DescribeAccountAssignmentCreationStatusCommand).length).toBeGreaterThanOrEqual(done.length);
    expect(identityStore.mock.calls()).toHaveLength(0);
  });

  it('Given the interrupted run, When assign is planned again from what Identity Center has and applied, Then it creates exactly the rest and nothing twice', async () => {
    const first = await interruptedFirstRun();
    const createdFirst = idsWith(first.summary, 'done');

    const second = planOf(first.fake.current());
    expect(second.actions.map((a) => a.id).sort()).toEqual(idsWith(first.summary, 'not-run'));

    const summary = await run(second, new InterruptController());

    expect(summary.interrupted).toBe(false);
    expect(exitCodeOf(summary)).toBe(0);
    expect(summary.counts.done).toBe(12 - createdFirst.length);
    expect(heldIds(first.fake)).toEqual(DESIRED.map(assignmentActionId).sort());
    expect(new Set(first.fake.creates.map((c) => c.key)).size).toBe(first.fake.creates.length);
    expect(first.fake.creates).toHaveLength(12);
    expectMatchedPairs(await recordsOf(context, summary.runId));
  });

  it('Given the interrupted run, When the same twelve-action plan is applied again, Then the ones created are skipped as already done and only the rest are created', async () => {
    const first = await interruptedFirstRun();
    const createdFirst = idsWith(first.summary, 'done');

    const summary = await run(planOf([]), new InterruptController());

    expect(exitCodeOf(summary)).toBe(0);
    expect(idsWith(summary, 'skipped')).toEqual(createdFirst);
    expect(idsWith(summary, 'done')).toEqual(idsWith(first.summary, 'not-run'));
    expect(statusesOf(summary)).toEqual(Object.fromEntries(DESIRED.map((a) => [assignmentActionId(a), createdFirst.includes(assignmentActionId(a)) ? 'skipped' : 'done'])));
    expect(first.fake.creates).toHaveLength(12);
    expect(new Set(first.fake.creates.map((c) => c.key)).size).toBe(12);
    const records = await recordsOf(context, summary.runId);
    expectMatchedPairs(records);
    // Skipped actions are recorded as such, with no intent: no call was made for them.
    expect(
      records
        .filter(isIntent)
        .map((r) => r.actionId)
        .sort(),
    ).toEqual(idsWith(first.summary, 'not-run'));
  });
});

/** The action ids of the assignments Identity Center holds, sorted. */
function heldIds(fake: ReturnType<typeof fakeIdentityCenter>): string[] {
  return fake
    .current()
    .map((a) => assignmentActionId({ ...a, principalName: a.principalName ?? '' }))
    .sort();
}
