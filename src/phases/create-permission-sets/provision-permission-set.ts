import {
  DescribePermissionSetProvisioningStatusCommand,
  ProvisionPermissionSetCommand,
  type PermissionSetProvisioningStatus,
} from '@aws-sdk/client-sso-admin';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import { Fault } from '../../errors.js';
import { PS_KIND, type PermissionSetRef } from './permission-set-actions.js';
import {
  DEFAULT_POLLING,
  definePermissionSetHandler,
  interruptedWhile,
  outcomeOf,
  requirePermissionSetArn,
  sendSetChange,
  type PermissionSetContext,
  type PermissionSetHandler,
} from './permission-set-context.js';
import { listProvisionedAccounts } from './permission-set-readers.js';

/**
 * Changes to a provisioned set reach its accounts' roles only when it is provisioned again. The
 * call starts an asynchronous request; its status is polled until it ends.
 */
export function createProvisionHandler(): PermissionSetHandler<PermissionSetRef> {
  return definePermissionSetHandler<PermissionSetRef>(PS_KIND.provision, {
    // Telling whether every account has the latest version takes one call per account. Provisioning
    // again is harmless, so only a set provisioned nowhere (nothing to do) counts as done.
    async isDone(params, context) {
      const arn = await context.resolveArn(params.permissionSetName);
      return arn !== null && (await listProvisionedAccounts(context.ssoAdmin, context.instanceArn, arn)).length === 0;
    },
    async apply(params, context, signal) {
      const arn = await requirePermissionSetArn(context, params.permissionSetName);
      const input = { InstanceArn: context.instanceArn, PermissionSetArn: arn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' as const };
      // A ConflictException here is another provisioning of the set still running: wait for it, then provision ours.
      const out = await sendSetChange(context, params.permissionSetName, signal, () => context.ssoAdmin.send(new ProvisionPermissionSetCommand(input), { abortSignal: signal }));
      const status = out?.PermissionSetProvisioningStatus;
      const final = status?.Status === 'IN_PROGRESS' ? await waitForProvisioning(context, params.permissionSetName, status.RequestId, signal) : status;
      if (final?.Status === 'FAILED') throw provisioningFailed(params.permissionSetName, final);
      return outcomeOf(out, final?.RequestId ? `provisioning request ${final.RequestId}` : undefined);
    },
  });
}

/** Polls `DescribePermissionSetProvisioningStatus` until the request leaves IN_PROGRESS. */
async function waitForProvisioning(context: PermissionSetContext, name: string, requestId: string | undefined, signal: AbortSignal): Promise<PermissionSetProvisioningStatus | undefined> {
  if (requestId === undefined) {
    throw new Fault('PROVISIONING_UNTRACKABLE', `Identity Center started provisioning permission set ${name} without a request ID to follow.`, 'Check the set in the IAM Identity Center console; run the command again to provision it once more.');
  }
  const polling = context.polling ?? DEFAULT_POLLING;
  let last: PermissionSetProvisioningStatus | undefined;
  const result = await createWaiter(
    { client: context.ssoAdmin, minDelay: polling.minDelaySeconds, maxDelay: polling.maxDelaySeconds, maxWaitTime: polling.maxWaitSeconds, abortSignal: signal },
    { InstanceArn: context.instanceArn, ProvisionPermissionSetRequestId: requestId },
    async (client, input) => {
      const out = await client.send(new DescribePermissionSetProvisioningStatusCommand(input), { abortSignal: signal });
      last = out.PermissionSetProvisioningStatus;
      return { state: last?.Status === undefined || last.Status === 'IN_PROGRESS' ? WaiterState.RETRY : WaiterState.SUCCESS };
    },
  );
  if (result.state === WaiterState.SUCCESS) return last;
  if (result.state === WaiterState.ABORTED) throw interruptedWhile(name);
  throw new Fault(
    'PROVISIONING_TIMEOUT',
    `Provisioning permission set ${name} was still in progress after ${polling.maxWaitSeconds} seconds (request ${requestId}).`,
    'Identity Center goes on in the background: check the request in the console, or run the command again later.',
  );
}

function provisioningFailed(name: string, status: PermissionSetProvisioningStatus): Fault {
  const where = status.AccountId ? ` in account ${status.AccountId}` : '';
  return new Fault(
    'PROVISIONING_FAILED',
    `Provisioning permission set ${name} failed${where}: ${status.FailureReason ?? 'no reason given'}.`,
    'Fix the cause (often a customer-managed policy missing in a target account, or the role quota of managed policies), then run create-permission-sets again: it provisions sets whose accounts are not up to date.',
  );
}
