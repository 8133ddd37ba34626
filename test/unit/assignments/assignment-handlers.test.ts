import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  type StatusValues,
} from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { createAssignmentContext, createAssignmentRegistry, type AssignmentContext } from '../../../src/phases/assign/assignment-handlers.js';
import { ASSIGNMENT_KIND, type AssignmentParams } from '../../../src/phases/assign/plan-assignments.js';
import type { PollingOptions } from '../../../src/phases/create-permission-sets/types.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const SET_ARN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-0000000000000001';
const FAST_POLLING: PollingOptions = { minDelaySeconds: 0.001, maxDelaySeconds: 0.002, maxWaitSeconds: 2 };
const signal = new AbortController().signal;

const params = (n = 0): AssignmentParams => ({
  instanceArn: INSTANCE_ARN,
  principalType: 'USER',
  principalName: `user${n}`,
  permissionSetName: 'Developers',
  accountId: String(100000000000 + n),
});

function setUp(polling: PollingOptions = FAST_POLLING) {
  const context: AssignmentContext = createAssignmentContext({
    ssoAdmin: clients.ssoAdmin,
    instanceArn: INSTANCE_ARN,
    resolvePermissionSetArn: async (name) => (name === 'Developers' ? SET_ARN : null),
    resolvePrincipalId: async (_type, name) => `id-${name}`,
    polling,
  });
  const registry = createAssignmentRegistry(context);
  const handler = (kind: string) => {
    const found = registry.get(kind);
    if (!found) throw new Error(`no handler for ${kind}`);
    return found;
  };
  return { context, create: handler(ASSIGNMENT_KIND.create), remove: handler(ASSIGNMENT_KIND.delete) };
}

const creation = (Status: StatusValues, RequestId = 'req-1', extra: Record<string, string> = {}) => ({ AccountAssignmentCreationStatus: { Status, RequestId, ...extra } });

describe('creating an account assignment', () => {
  it('Given a creation that stays IN_PROGRESS for a while, When applied, Then its status is polled until SUCCEEDED', async () => {
    mocks.ssoAdmin.on(CreateAccountAssignmentCommand).resolves({ ...creation('IN_PROGRESS'), $metadata: { requestId: 'aws-req' } });
    mocks.ssoAdmin.on(DescribeAccountAssignmentCreationStatusCommand).resolvesOnce(creation('IN_PROGRESS')).resolves(creation('SUCCEEDED'));
    const { create, context } = setUp();

    const outcome = await create.apply(params(), context, signal);

    expect(outcome.requestId).toBe('aws-req');
    expect(mocks.ssoAdmin.commandCalls(CreateAccountAssignmentCommand)[0]?.args[0].input).toEqual({
      InstanceArn: INSTANCE_ARN,
      TargetId: '100000000000',
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: SET_ARN,
      PrincipalType: 'USER',
      PrincipalId: 'id-user0',
    });
    expect(mocks.ssoAdmin.commandCalls(DescribeAccountAssignmentCreationStatusCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceArn: INSTANCE_ARN, AccountAssignmentCreationRequestId: 'req-1' },
      { InstanceArn: INSTANCE_ARN, AccountAssignmentCreationRequestId: 'req-1' },
    ]);
  });

  it('Given a creation that goes from IN_PROGRESS to FAILED, When applied, Then it fails with ASSIGNMENT_FAILED carrying the reason', async () => {
    const reason = 'Received a 404 status error: Policy deploy does not exist in account 100000000000';
    mocks.ssoAdmin.on(CreateAccountAssignmentCommand).resolves(creation('IN_PROGRESS'));
    mocks.ssoAdmin.on(DescribeAccountAssignmentCreationStatusCommand).resolvesOnce(creation('IN_PROGRESS')).resolves(creation('FAILED', 'req-1', { FailureReason: reason }));
    const { create, context } = setUp();

    const error = await create.apply(params(), context, signal).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'ASSIGNMENT_FAILED' });
    expect((error as Fault).message).toContain(reason);
  });

  it('Given a ConflictException first, When applied, Then the call is retried with backoff and succeeds', async () => {
    mocks.ssoAdmin.on(CreateAccountAssignmentCommand).rejectsOnce(awsError('ConflictException')).rejectsOnce(awsError('ConflictException')).resolves(creation('SUCCEEDED'));
    const { create, context } = setUp();

    await create.apply(params(), context, signal);

    expect(mocks.ssoAdmin.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(3);
    expect(mocks.ssoAdmin.commandCalls(DescribeAccountAssignmentCreationStatusCommand)).toHaveLength(0);
  });

  it('Given a ConflictException that never clears, When applied, Then it stops with ASSIGNMENT_BUSY', async () => {
    mocks.ssoAdmin.on(CreateAccountAssignmentCommand).rejects(awsError('ConflictException'));
    const { create, context } = setUp({ ...FAST_POLLING, maxWaitSeconds: 0.05 });

    await expect(create.apply(params(), context, signal)).rejects.toMatchObject({ code: 'ASSIGNMENT_BUSY' });
  });

  it('Given 25 creations started at once, When applied, Then never more than 10 are in flight and all succeed', async () => {
    let inFlight = 0;
    let peak = 0;
    const polls = new Map<string, number>();
    mocks.ssoAdmin.on(CreateAccountAssignmentCommand).callsFake((input: { TargetId: string }) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      return creation('IN_PROGRESS', `req-${input.TargetId}`);
    });
    mocks.ssoAdmin.on(DescribeAccountAssignmentCreationStatusCommand).callsFake((input: { AccountAssignmentCreationRequestId: string }) => {
      const id = input.AccountAssignmentCreationRequestId;
      const count = (polls.get(id) ?? 0) + 1;
      polls.set(id, count);
      if (count < 3) return creation('IN_PROGRESS', id);
      inFlight -= 1;
      return creation('SUCCEEDED', id);
    });
    const { create, context } = setUp();

    await Promise.all(Array.from({ length: 25 }, (_, n) => create.apply(params(n), context, signal)));

    expect(mocks.ssoAdmin.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(25);
    expect(peak).toBe(10);
    expect(inFlight).toBe(0);
  });

  it('Given a permission set that does not exist, When applied, Then it fails with PERMISSION_SET_NOT_FOUND naming the command to run first', async () => {
    const { create, context } = setUp();

    const error = await create.apply({ ...params(), permissionSetName: 'Missing' }, context, signal).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'PERMISSION_SET_NOT_FOUND' });
    expect((error as Fault).resolution).toContain('create-permission-sets');
    expect(mocks.ssoAdmin.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(0);
  });
});

describe('whether an assignment is done', () => {
  it('Given the assignment is listed for its principal, When checked, Then create is done and delete is not, from one listing', async () => {
    mocks.ssoAdmin.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [{ AccountId: '100000000000', PermissionSetArn: SET_ARN, PrincipalType: 'USER', PrincipalId: 'id-user0' }] });
    const { create, remove, context } = setUp();

    expect(await create.isDone(params(), context, signal)).toBe(true);
    expect(await remove.isDone(params(), context, signal)).toBe(false);
    expect(await create.isDone({ ...params(), principalName: 'someone-else' }, context, signal)).toBe(false);
    expect(mocks.ssoAdmin.commandCalls(ListAccountAssignmentsCommand)).toHaveLength(1);
  });

  it('Given a deletion that goes IN_PROGRESS to SUCCEEDED, When applied, Then the deletion status is polled and the listing is read again afterwards', async () => {
    mocks.ssoAdmin.on(ListAccountAssignmentsCommand).resolvesOnce({ AccountAssignments: [{ PrincipalType: 'USER', PrincipalId: 'id-user0' }] }).resolves({ AccountAssignments: [] });
    mocks.ssoAdmin.on(DeleteAccountAssignmentCommand).resolves({ AccountAssignmentDeletionStatus: { Status: 'IN_PROGRESS', RequestId: 'del-1' } });
    mocks.ssoAdmin.on(DescribeAccountAssignmentDeletionStatusCommand).resolvesOnce({ AccountAssignmentDeletionStatus: { Status: 'IN_PROGRESS', RequestId: 'del-1' } }).resolves({ AccountAssignmentDeletionStatus: { Status: 'SUCCEEDED', RequestId: 'del-1' } });
    const { remove, context } = setUp();

    expect(await remove.isDone(params(), context, signal)).toBe(false);
    await remove.apply(params(), context, signal);

    expect(mocks.ssoAdmin.commandCalls(DescribeAccountAssignmentDeletionStatusCommand)).toHaveLength(2);
    expect(await remove.isDone(params(), context, signal)).toBe(true);
  });
});
