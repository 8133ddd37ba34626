import {
  AttachManagedPolicyToPermissionSetCommand,
  CreatePermissionSetCommand,
  DescribePermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  PutInlinePolicyToPermissionSetCommand,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import { describe, expect, it } from 'vitest';
import type { ActionRegistry, PlannedAction } from '../../../src/plan/plan-types.js';
import { PS_KIND } from '../../../src/phases/create-permission-sets/permission-set-actions.js';
import { createPermissionSetContext, type PermissionSetContext } from '../../../src/phases/create-permission-sets/permission-set-context.js';
import { createPermissionSetRegistry } from '../../../src/phases/create-permission-sets/permission-set-handlers.js';
import { planPermissionSets } from '../../../src/phases/create-permission-sets/plan-permission-sets.js';
import { readCurrentPermissionSets } from '../../../src/phases/create-permission-sets/read-current.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import {
  FAST_POLLING,
  INSTANCE_ARN,
  READ_ONLY_ARN,
  VIEW_ONLY_ARN,
  allowStatement,
  desiredSet,
  mutatingCommandNames,
  policy,
  psArn,
  stubPermissionSets,
} from './fixtures.js';

const { mocks, clients } = mockAws();

const DEV_POLICY = policy(allowStatement(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::app-bucket/*'));
const ref = { instanceArn: INSTANCE_ARN, permissionSetName: 'Developers' };
const signal = new AbortController().signal;

function registry(): ActionRegistry<PermissionSetContext> {
  return createPermissionSetRegistry(createPermissionSetContext(clients.ssoAdmin, INSTANCE_ARN, FAST_POLLING));
}

/** What the executor does with each action, in order: skip it when done, apply it otherwise. */
async function applyAll(reg: ActionRegistry<PermissionSetContext>, actions: PlannedAction[]): Promise<string[]> {
  const applied: string[] = [];
  for (const action of actions) {
    const handler = reg.get(action.kind);
    if (!handler) throw new Error(`no handler for ${action.kind}`);
    if (await handler.isDone(action.params, reg.context, signal)) continue;
    await handler.apply(action.params, reg.context, signal);
    applied.push(action.kind);
  }
  return applied;
}

describe('permission set handlers: idempotency', () => {
  it('Given a set that already exists, When its creation is checked, Then it is done and nothing is created', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers' }]);
    const reg = registry();

    const applied = await applyAll(reg, planPermissionSets([desiredSet({ name: 'Developers' })], new Map(), INSTANCE_ARN));

    expect(applied).toEqual([]);
    expect(mutatingCommandNames(mocks.ssoAdmin)).toEqual([]);
  });

  it('Given a managed policy that is already attached, When the attachment is checked, Then it is done and not attached again', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', managed: [READ_ONLY_ARN] }]);
    const handler = registry().get(PS_KIND.attachManaged);

    const done = await handler?.isDone({ ...ref, managedPolicyArn: READ_ONLY_ARN }, registry().context, signal);

    expect(done).toBe(true);
    expect(mutatingCommandNames(mocks.ssoAdmin)).toEqual([]);
  });

  it('Given an inline policy that means the same but is written differently, When the put is checked, Then it is done', async () => {
    const written = JSON.stringify({ Statement: { Effect: 'Allow', Resource: 'arn:aws:s3:::app-bucket/*', Action: ['s3:PutObject', 's3:GetObject'] }, Version: '2012-10-17' });
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', inline: written }]);
    const reg = registry();

    const done = await reg.get(PS_KIND.putInline)?.isDone({ ...ref, policy: DEV_POLICY, previous: null }, reg.context, signal);

    expect(done).toBe(true);
  });

  it('Given a plan applied in full, When the same desired state is planned and applied again, Then the second run makes zero mutating calls', async () => {
    const desired = [desiredSet({ name: 'Developers', managedPolicies: [READ_ONLY_ARN], inlinePolicy: DEV_POLICY })];
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', managed: [READ_ONLY_ARN], inline: JSON.stringify(DEV_POLICY) }]);

    const actions = planPermissionSets(desired, await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Developers']), INSTANCE_ARN);

    expect(actions).toEqual([]);
    expect(mutatingCommandNames(mocks.ssoAdmin)).toEqual([]);
  });
});

describe('permission set handlers: apply', () => {
  it('Given a new set, When its plan is applied, Then exactly the planned calls are made, the later ones on the ARN just created', async () => {
    mocks.ssoAdmin.on(ListPermissionSetsCommand).resolves({ PermissionSets: [] });
    mocks.ssoAdmin.on(CreatePermissionSetCommand).resolves({ PermissionSet: { Name: 'Developers', PermissionSetArn: psArn(7) }, $metadata: { requestId: 'req-create' } });
    mocks.ssoAdmin.on(ListManagedPoliciesInPermissionSetCommand).resolves({ AttachedManagedPolicies: [] });
    mocks.ssoAdmin.on(GetInlinePolicyForPermissionSetCommand).resolves({ InlinePolicy: '' });
    const desired = desiredSet({ name: 'Developers', description: 'Devs', managedPolicies: [READ_ONLY_ARN, VIEW_ONLY_ARN], inlinePolicy: DEV_POLICY, tags: { 'iam2idc:managed': 'true' } });
    const actions = planPermissionSets([desired], new Map(), INSTANCE_ARN);
    const reg = registry();

    // The set does not exist yet, so the checks of the later actions come after its creation.
    const applied: string[] = [];
    for (const action of actions) {
      const handler = reg.get(action.kind);
      if (await handler?.isDone(action.params, reg.context, signal)) continue;
      const outcome = await handler?.apply(action.params, reg.context, signal);
      if (action.kind === PS_KIND.create) expect(outcome).toEqual({ requestId: 'req-create', detail: psArn(7) });
      applied.push(action.kind);
    }

    expect(applied).toEqual(actions.map((a) => a.kind));
    expect(mutatingCommandNames(mocks.ssoAdmin)).toEqual([
      'CreatePermissionSetCommand',
      'AttachManagedPolicyToPermissionSetCommand',
      'AttachManagedPolicyToPermissionSetCommand',
      'PutInlinePolicyToPermissionSetCommand',
    ]);
    expect(mocks.ssoAdmin.commandCalls(CreatePermissionSetCommand)[0]?.args[0].input).toEqual({
      InstanceArn: INSTANCE_ARN,
      Name: 'Developers',
      Description: 'Devs',
      SessionDuration: 'PT8H',
      Tags: [{ Key: 'iam2idc:managed', Value: 'true' }],
    });
    expect(mocks.ssoAdmin.commandCalls(AttachManagedPolicyToPermissionSetCommand).map((c) => c.args[0].input.PermissionSetArn)).toEqual([psArn(7), psArn(7)]);
    expect(mocks.ssoAdmin.commandCalls(PutInlinePolicyToPermissionSetCommand)[0]?.args[0].input.InlinePolicy).toBe(JSON.stringify(DEV_POLICY));
    expect(mocks.ssoAdmin.commandCalls(ListPermissionSetsCommand)).toHaveLength(1);
  });

  it('Given an update, When applied, Then the duration and the description are both sent', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', sessionDuration: 'PT8H' }]);
    mocks.ssoAdmin.on(UpdatePermissionSetCommand).resolves({});
    const reg = registry();

    await reg.get(PS_KIND.update)?.apply({ ...ref, description: 'Devs', sessionDuration: 'PT2H', previous: { description: null, sessionDuration: 'PT8H' } }, reg.context, signal);

    expect(mocks.ssoAdmin.commandCalls(UpdatePermissionSetCommand)[0]?.args[0].input).toEqual({ InstanceArn: INSTANCE_ARN, PermissionSetArn: psArn(1), SessionDuration: 'PT2H', Description: 'Devs' });
  });

  it('Given a policy that is not attached any more, When its detachment is applied, Then ResourceNotFoundException counts as done', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers' }]);
    mocks.ssoAdmin.on(DetachManagedPolicyFromPermissionSetCommand).rejects(awsError('ResourceNotFoundException'));
    const reg = registry();

    await expect(reg.get(PS_KIND.detachManaged)?.apply({ ...ref, managedPolicyArn: READ_ONLY_ARN }, reg.context, signal)).resolves.toEqual({ requestId: null });
  });

  it('Given a set that does not exist, When a change to it is applied, Then it fails with PERMISSION_SET_NOT_FOUND', async () => {
    mocks.ssoAdmin.on(ListPermissionSetsCommand).resolves({ PermissionSets: [] });
    const reg = registry();

    await expect(reg.get(PS_KIND.attachManaged)?.apply({ ...ref, managedPolicyArn: READ_ONLY_ARN }, reg.context, signal)).rejects.toMatchObject({ code: 'PERMISSION_SET_NOT_FOUND' });
  });
});

describe('permission set handlers: ConflictException', () => {
  it('Given another change to the set still settling, When a policy is attached, Then the ConflictException is retried until it goes through', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers' }]);
    mocks.ssoAdmin
      .on(AttachManagedPolicyToPermissionSetCommand)
      .rejectsOnce(awsError('ConflictException'))
      .rejectsOnce(awsError('ConflictException'))
      .resolves({ $metadata: { requestId: 'req-attach' } });
    const reg = registry();

    const outcome = await reg.get(PS_KIND.attachManaged)?.apply({ ...ref, managedPolicyArn: READ_ONLY_ARN }, reg.context, signal);

    expect(outcome).toEqual({ requestId: 'req-attach' });
    expect(mocks.ssoAdmin.commandCalls(AttachManagedPolicyToPermissionSetCommand)).toHaveLength(3);
  });

  it('Given a ConflictException because the policy is attached already, When attached, Then it is done without retrying', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', managed: [READ_ONLY_ARN] }]);
    mocks.ssoAdmin.on(AttachManagedPolicyToPermissionSetCommand).rejects(awsError('ConflictException'));
    const reg = registry();

    const outcome = await reg.get(PS_KIND.attachManaged)?.apply({ ...ref, managedPolicyArn: READ_ONLY_ARN }, reg.context, signal);

    expect(outcome).toMatchObject({ requestId: null });
    expect(mocks.ssoAdmin.commandCalls(AttachManagedPolicyToPermissionSetCommand)).toHaveLength(1);
  });

  it('Given a ConflictException on create because a run that stopped created the set, When created, Then it is found and not created twice', async () => {
    mocks.ssoAdmin.on(ListPermissionSetsCommand).resolvesOnce({ PermissionSets: [] }).resolves({ PermissionSets: [psArn(1)] });
    mocks.ssoAdmin.on(DescribePermissionSetCommand).resolves({ PermissionSet: { Name: 'Developers', PermissionSetArn: psArn(1) } });
    mocks.ssoAdmin.on(CreatePermissionSetCommand).rejects(awsError('ConflictException'));
    const reg = registry();
    const params = { ...ref, description: null, sessionDuration: 'PT8H', tags: {} };

    expect(await reg.get(PS_KIND.create)?.isDone(params, reg.context, signal)).toBe(false);
    await reg.get(PS_KIND.create)?.apply(params, reg.context, signal);

    expect(mocks.ssoAdmin.commandCalls(CreatePermissionSetCommand)).toHaveLength(1);
    expect(await reg.context.resolveArn('Developers')).toBe(psArn(1));
  });

  it('Given a set that stays busy, When changed, Then it fails with PERMISSION_SET_BUSY after the wait', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers' }]);
    mocks.ssoAdmin.on(PutInlinePolicyToPermissionSetCommand).rejects(awsError('ConflictException'));
    const reg = createPermissionSetRegistry(createPermissionSetContext(clients.ssoAdmin, INSTANCE_ARN, { ...FAST_POLLING, maxWaitSeconds: 0.05 }));

    await expect(reg.get(PS_KIND.putInline)?.apply({ ...ref, policy: DEV_POLICY, previous: null }, reg.context, signal)).rejects.toMatchObject({ code: 'PERMISSION_SET_BUSY' });
  });
});

describe('permission set handlers: fingerprints and inverses', () => {
  it('Given a set as the planner read it, When a handler recomputes its fingerprint, Then both agree, and one read serves every action of the set', async () => {
    stubPermissionSets(mocks.ssoAdmin, [{ arn: psArn(1), name: 'Developers', managed: [READ_ONLY_ARN], inline: JSON.stringify(DEV_POLICY) }]);
    const current = await readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, ['Developers']);
    const actions = planPermissionSets([desiredSet({ name: 'Developers', managedPolicies: [VIEW_ONLY_ARN] })], current, INSTANCE_ARN);
    mocks.ssoAdmin.resetHistory();
    const reg = registry();

    const recomputed = await Promise.all(actions.map((a) => reg.get(a.kind)?.fingerprint?.(a.params, reg.context, signal)));

    expect(actions.length).toBeGreaterThan(1);
    expect(recomputed).toEqual(actions.map((a) => a.fingerprint));
    expect(mocks.ssoAdmin.commandCalls(ListManagedPoliciesInPermissionSetCommand)).toHaveLength(1);
  });

  it('Given an attachment, When inverted, Then it is the detachment of the same policy, and back', () => {
    const [attach] = planPermissionSets([desiredSet({ name: 'Developers', managedPolicies: [READ_ONLY_ARN] })], new Map(), INSTANCE_ARN).filter((a) => a.kind === PS_KIND.attachManaged);
    const handler = registry().get(PS_KIND.attachManaged);

    const detach = handler?.inverse?.(attach as PlannedAction);

    expect(detach).toMatchObject({ id: 'ps/Developers/detach-managed/ReadOnlyAccess', kind: PS_KIND.detachManaged, risk: 'narrowing', params: { ...ref, managedPolicyArn: READ_ONLY_ARN } });
    expect(registry().get(PS_KIND.detachManaged)?.inverse?.(detach as PlannedAction)).toMatchObject({ kind: PS_KIND.attachManaged, params: { managedPolicyArn: READ_ONLY_ARN } });
  });

  it('Given an inline policy that replaced another, When inverted, Then the previous policy is put back', () => {
    const previous = policy(allowStatement('s3:GetObject'));
    const put = registry().get(PS_KIND.putInline);

    const inverse = put?.inverse?.({ id: 'ps/Developers/put-inline', kind: PS_KIND.putInline, service: 'sso-admin', target: 'permission set Developers', risk: 'broadening', preview: '', params: { ...ref, policy: DEV_POLICY, previous }, dependsOn: [], fingerprint: null });

    expect(inverse).toMatchObject({ kind: PS_KIND.putInline, params: { policy: previous, previous: DEV_POLICY } });
  });
});
