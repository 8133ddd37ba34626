import { DescribePermissionSetProvisioningStatusCommand, ProvisionPermissionSetCommand, type StatusValues } from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { PS_KIND } from '../../../src/phases/create-permission-sets/permission-set-actions.js';
import { createPermissionSetContext } from '../../../src/phases/create-permission-sets/permission-set-context.js';
import { createPermissionSetRegistry } from '../../../src/phases/create-permission-sets/permission-set-handlers.js';
import type { PollingOptions } from '../../../src/phases/create-permission-sets/types.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { ACCOUNT_A, ACCOUNT_B, FAST_POLLING, INSTANCE_ARN, psArn, stubPermissionSets } from './fixtures.js';

const { mocks, clients } = mockAws();

const params = { instanceArn: INSTANCE_ARN, permissionSetName: 'Developers' };
const signal = new AbortController().signal;

function provisionHandler(polling: PollingOptions = FAST_POLLING) {
  const registry = createPermissionSetRegistry(createPermissionSetContext(clients.ssoAdmin, INSTANCE_ARN, polling));
  const handler = registry.get(PS_KIND.provision);
  if (!handler) throw new Error('no provision handler');
  return { handler, context: registry.context };
}

const status = (Status: StatusValues, extra: Record<string, string> = {}) => ({ PermissionSetProvisioningStatus: { Status, RequestId: 'prov-1', PermissionSetArn: psArn(1), ...extra } });

describe('provisioning a permission set', () => {
  it('Given a provisioning that stays IN_PROGRESS for a while, When applied, Then the status is polled until SUCCEEDED', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', accounts: [ACCOUNT_A, ACCOUNT_B] }]);
    mocks.ssoAdmin.on(ProvisionPermissionSetCommand).resolves({ ...status('IN_PROGRESS'), $metadata: { requestId: 'req-prov' } });
    mocks.ssoAdmin.on(DescribePermissionSetProvisioningStatusCommand).resolvesOnce(status('IN_PROGRESS')).resolvesOnce(status('IN_PROGRESS')).resolves(status('SUCCEEDED'));
    const { handler, context } = provisionHandler();

    const outcome = await handler.apply(params, context, signal);

    expect(outcome.requestId).toBe('req-prov');
    expect(mocks.ssoAdmin.commandCalls(ProvisionPermissionSetCommand)[0]?.args[0].input).toEqual({ InstanceArn: INSTANCE_ARN, PermissionSetArn: psArn(1), TargetType: 'ALL_PROVISIONED_ACCOUNTS' });
    expect(mocks.ssoAdmin.commandCalls(DescribePermissionSetProvisioningStatusCommand).map((c) => c.args[0].input)).toEqual(
      Array.from({ length: 3 }, () => ({ InstanceArn: INSTANCE_ARN, ProvisionPermissionSetRequestId: 'prov-1' })),
    );
  });

  it('Given a provisioning that goes from IN_PROGRESS to FAILED, When applied, Then it fails with PROVISIONING_FAILED carrying the reason', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', accounts: [ACCOUNT_B] }]);
    mocks.ssoAdmin.on(ProvisionPermissionSetCommand).resolves(status('IN_PROGRESS'));
    const reason = 'Received a 404 status error: Policy deploy does not exist in account 222222222222';
    mocks.ssoAdmin.on(DescribePermissionSetProvisioningStatusCommand).resolvesOnce(status('IN_PROGRESS')).resolves(status('FAILED', { FailureReason: reason, AccountId: ACCOUNT_B }));
    const { handler, context } = provisionHandler();

    const error = await handler.apply(params, context, signal).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'PROVISIONING_FAILED' });
    expect((error as Fault).message).toContain(reason);
  });

  it('Given an endpoint that answers SUCCEEDED at once, When applied, Then no status is polled', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', accounts: [ACCOUNT_A] }]);
    mocks.ssoAdmin.on(ProvisionPermissionSetCommand).resolves(status('SUCCEEDED'));
    const { handler, context } = provisionHandler();

    await handler.apply(params, context, signal);

    expect(mocks.ssoAdmin.commandCalls(DescribePermissionSetProvisioningStatusCommand)).toHaveLength(0);
  });

  it('Given another provisioning of the set still running, When applied, Then the ConflictException is retried', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', accounts: [ACCOUNT_A] }]);
    mocks.ssoAdmin.on(ProvisionPermissionSetCommand).rejectsOnce(awsError('ConflictException')).resolves(status('SUCCEEDED'));
    const { handler, context } = provisionHandler();

    await handler.apply(params, context, signal);

    expect(mocks.ssoAdmin.commandCalls(ProvisionPermissionSetCommand)).toHaveLength(2);
  });

  it('Given a provisioning that never ends, When applied, Then it stops with PROVISIONING_TIMEOUT', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', accounts: [ACCOUNT_A] }]);
    mocks.ssoAdmin.on(ProvisionPermissionSetCommand).resolves(status('IN_PROGRESS'));
    mocks.ssoAdmin.on(DescribePermissionSetProvisioningStatusCommand).resolves(status('IN_PROGRESS'));
    const { handler, context } = provisionHandler({ ...FAST_POLLING, maxWaitSeconds: 0.05 });

    await expect(handler.apply(params, context, signal)).rejects.toMatchObject({ code: 'PROVISIONING_TIMEOUT' });
  });

  it('Given an interrupt while waiting, When applied, Then it stops waiting with an interruption', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', accounts: [ACCOUNT_A] }]);
    mocks.ssoAdmin.on(ProvisionPermissionSetCommand).resolves(status('IN_PROGRESS'));
    mocks.ssoAdmin.on(DescribePermissionSetProvisioningStatusCommand).resolves(status('IN_PROGRESS'));
    const { handler, context } = provisionHandler({ minDelaySeconds: 0.01, maxDelaySeconds: 0.02, maxWaitSeconds: 30 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);

    await expect(handler.apply(params, context, controller.signal)).rejects.toMatchObject({ code: 'PERMISSION_SET_ABORTED', exitCode: 130 });
  });

  it('Given a set provisioned nowhere, When checked, Then there is nothing to provision; provisioned somewhere, it is not done', async () => {
    stubPermissionSets(mocks.ssoAdmin, [
      { arn: psArn(1), name: 'Developers', accounts: [] },
      { arn: psArn(2), name: 'Ops', accounts: [ACCOUNT_A] },
    ]);
    const { handler, context } = provisionHandler();

    expect(await handler.isDone(params, context, signal)).toBe(true);
    expect(await handler.isDone({ ...params, permissionSetName: 'Ops' }, context, signal)).toBe(false);
  });
});
