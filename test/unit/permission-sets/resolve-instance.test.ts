import { ListInstancesCommand, type InstanceStatus } from '@aws-sdk/client-sso-admin';
import { describe, expect, it, vi } from 'vitest';
import { Fault, SafetyRefusal, UserError } from '../../../src/errors.js';
import type { IdentityCenterInstance } from '../../../src/model/inventory.js';
import { resolveIdentityCenterInstance } from '../../../src/phases/create-permission-sets/resolve-instance.js';
import { mockAws } from '../support/aws-mocks.js';
import { INSTANCE_ARN } from './fixtures.js';

const { mocks, clients } = mockAws();

const OTHER_INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-2222222222222222';
const instance = (InstanceArn: string, IdentityStoreId: string, Status: InstanceStatus = 'ACTIVE') => ({ InstanceArn, IdentityStoreId, OwnerAccountId: '111111111111', Status });
const noSelect = () => Promise.reject(new Error('select must not be called'));

describe('resolveIdentityCenterInstance', () => {
  it('Given --instance-arn of a visible instance, When resolved, Then that instance wins over the recorded one', async () => {
    mocks.ssoAdmin.on(ListInstancesCommand).resolves({ Instances: [instance(INSTANCE_ARN, 'd-1111111111'), instance(OTHER_INSTANCE_ARN, 'd-2222222222')] });

    const resolved = await resolveIdentityCenterInstance(clients.ssoAdmin, {
      instanceArn: OTHER_INSTANCE_ARN,
      recorded: { instanceArn: INSTANCE_ARN, identityStoreId: 'd-1111111111', region: 'us-east-1' },
      select: noSelect,
    });

    expect(resolved).toEqual({ instanceArn: OTHER_INSTANCE_ARN, identityStoreId: 'd-2222222222', region: 'us-east-1', source: 'flag' });
  });

  it('Given --instance-arn that ListInstances does not show, When resolved, Then it is a usage error', async () => {
    mocks.ssoAdmin.on(ListInstancesCommand).resolves({ Instances: [instance(INSTANCE_ARN, 'd-1111111111')] });

    const result = resolveIdentityCenterInstance(clients.ssoAdmin, { instanceArn: OTHER_INSTANCE_ARN, recorded: null, select: noSelect });

    await expect(result).rejects.toBeInstanceOf(UserError);
    await expect(result).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND', exitCode: 2 });
  });

  it('Given an instance recorded in the workspace and no flag, When resolved, Then it is used without any AWS call', async () => {
    const recorded = { instanceArn: INSTANCE_ARN, identityStoreId: 'd-1111111111', region: 'eu-west-1' };

    const resolved = await resolveIdentityCenterInstance(clients.ssoAdmin, { recorded, select: noSelect });

    expect(resolved).toEqual({ ...recorded, source: 'workspace' });
    expect(mocks.ssoAdmin.calls()).toHaveLength(0);
  });

  it('Given exactly one instance over two pages of ListInstances, When resolved, Then it is used without asking', async () => {
    mocks.ssoAdmin
      .on(ListInstancesCommand)
      .resolvesOnce({ Instances: [], NextToken: 'page-2' })
      .resolvesOnce({ Instances: [instance(INSTANCE_ARN, 'd-1111111111')] });
    const select = vi.fn(noSelect);

    const resolved = await resolveIdentityCenterInstance(clients.ssoAdmin, { recorded: null, select, region: 'eu-west-1' });

    expect(resolved).toEqual({ instanceArn: INSTANCE_ARN, identityStoreId: 'd-1111111111', region: 'eu-west-1', source: 'only-instance' });
    expect(select).not.toHaveBeenCalled();
    expect(mocks.ssoAdmin.commandCalls(ListInstancesCommand)[1]?.args[0].input).toEqual({ NextToken: 'page-2' });
  });

  it('Given several active instances, When resolved, Then the operator chooses among them', async () => {
    mocks.ssoAdmin.on(ListInstancesCommand).resolves({
      Instances: [instance(INSTANCE_ARN, 'd-1111111111'), instance(OTHER_INSTANCE_ARN, 'd-2222222222'), instance('arn:aws:sso:::instance/ssoins-3333333333333333', 'd-3', 'DELETE_IN_PROGRESS')],
    });
    const select = vi.fn(async (choices: IdentityCenterInstance[]) => choices[1] as IdentityCenterInstance);

    const resolved = await resolveIdentityCenterInstance(clients.ssoAdmin, { recorded: null, select });

    expect(select.mock.calls[0]?.[0].map((c) => c.instanceArn)).toEqual([INSTANCE_ARN, OTHER_INSTANCE_ARN]);
    expect(resolved).toMatchObject({ instanceArn: OTHER_INSTANCE_ARN, source: 'selected' });
  });

  it('Given several instances and nobody to ask, When resolved, Then it refuses with exit 3 and no choice is guessed', async () => {
    mocks.ssoAdmin.on(ListInstancesCommand).resolves({ Instances: [instance(INSTANCE_ARN, 'd-1111111111'), instance(OTHER_INSTANCE_ARN, 'd-2222222222')] });
    const refusingSelect = () => Promise.reject(new SafetyRefusal('NO_INTERACTIVE_INPUT', 'no prompt', 'use flags'));

    const result = resolveIdentityCenterInstance(clients.ssoAdmin, { recorded: null, select: refusingSelect });

    await expect(result).rejects.toBeInstanceOf(SafetyRefusal);
    await expect(result).rejects.toMatchObject({ code: 'INSTANCE_CHOICE_NEEDED', exitCode: 3 });
  });

  it('Given no instance, When resolved, Then it fails with NO_IDENTITY_CENTER', async () => {
    mocks.ssoAdmin.on(ListInstancesCommand).resolves({ Instances: [] });

    const result = resolveIdentityCenterInstance(clients.ssoAdmin, { recorded: null, select: noSelect });

    await expect(result).rejects.toBeInstanceOf(Fault);
    await expect(result).rejects.toMatchObject({ code: 'NO_IDENTITY_CENTER' });
  });
});
