import { describe, expect, it } from 'vitest';
import { verifyPlan } from '../../../src/plan/verify-plan.js';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { invertPermissionSetAction } from '../../../src/phases/create-permission-sets/permission-set-actions.js';
import { permissionSetKinds } from '../../../src/phases/create-permission-sets/permission-set-handlers.js';
import { planPermissionSets } from '../../../src/phases/create-permission-sets/plan-permission-sets.js';
import { assignKinds } from '../../../src/phases/assign/assign-phase.js';
import { ASSIGNMENT_KIND, buildAssignmentAction } from '../../../src/phases/assign/plan-assignments.js';
import { allowStatement, currentOf, desiredSet, INSTANCE_ARN, policy, READ_ONLY_ARN, S3_READ_ONLY_ARN, VIEW_ONLY_ARN } from './fixtures.js';

const SAVED = { saved: true, file: 'plan.json' } as const;

/** Every kind of change to a set at once: a new set, and an existing one changed in every part. */
function everyChange(): PlannedAction[] {
  const fresh = desiredSet({ name: 'Fresh', managedPolicies: [READ_ONLY_ARN], inlinePolicy: policy(allowStatement('s3:GetObject')), permissionsBoundary: { managedPolicyArn: VIEW_ONLY_ARN } });
  const changed = desiredSet({ name: 'Changed', sessionDuration: 'PT8H', managedPolicies: [S3_READ_ONLY_ARN], inlinePolicy: policy(allowStatement('s3:*')), tags: { team: 'data' } });
  const current = currentOf(desiredSet({ name: 'Changed', managedPolicies: [READ_ONLY_ARN], customerManagedPolicies: [{ name: 'old', path: '/' }], inlinePolicy: policy(allowStatement('s3:GetObject')), permissionsBoundary: { managedPolicyArn: VIEW_ONLY_ARN }, tags: { stale: 'x', 'iam2idc:source': 'group/x' } }), 1, { provisionedAccounts: ['111111111111'] });
  return planPermissionSets([fresh, changed], new Map([['Changed', current]]), INSTANCE_ARN);
}

describe('The kinds of action on permission sets and assignments say what the planners plan', () => {
  it('Given every kind of change a planner makes, and their inverses, When checked against the kinds, Then each is what its kind derives', () => {
    const actions = everyChange();
    expect(new Set(actions.map((a) => a.kind)).size).toBeGreaterThanOrEqual(10);
    const inverses = actions.map(invertPermissionSetAction).filter((a): a is PlannedAction => a !== null);
    expect(verifyPlan([...actions, ...inverses], permissionSetKinds(), { source: SAVED })).toEqual([...actions, ...inverses]);
  });

  it('Given an inline policy that grants more labelled as granting less, When checked, Then it is refused as edited', () => {
    const broadening = everyChange().find((a) => a.kind === 'sso.PutInlinePolicy' && a.risk === 'broadening') as PlannedAction;
    expect(() => verifyPlan([{ ...broadening, risk: 'narrowing' }], permissionSetKinds(), { source: SAVED })).toThrow(expect.objectContaining({ code: 'PLAN_EDITED', exitCode: 3 }));
  });

  it.each([
    ['an extra key', (p: Record<string, unknown>) => ({ ...p, extra: true })],
    ['a wrong type', (p: Record<string, unknown>) => ({ ...p, permissionSetName: 42 })],
    ['a missing field', ({ instanceArn: _arn, ...p }: Record<string, unknown>) => p],
  ])('Given parameters with %s, When checked, Then the plan file is invalid', (_what, tamper) => {
    const action = everyChange()[0] as PlannedAction;
    expect(() => verifyPlan([{ ...action, params: tamper(action.params as Record<string, unknown>) }], permissionSetKinds(), { source: SAVED })).toThrow(expect.objectContaining({ code: 'PLAN_FILE_INVALID', exitCode: 2 }));
  });

  it('Given assignments created and deleted, When checked against assign\'s kinds, Then they agree, and a deletion relabelled broadening is refused', () => {
    const params = { instanceArn: INSTANCE_ARN, principalType: 'GROUP' as const, principalName: 'Developers', permissionSetName: 'Developers', accountId: '111111111111' };
    const create = buildAssignmentAction(ASSIGNMENT_KIND.create, params, null);
    const remove = buildAssignmentAction(ASSIGNMENT_KIND.delete, params, null);
    expect(verifyPlan([create, remove], assignKinds(), { source: SAVED })).toHaveLength(2);
    expect(() => verifyPlan([{ ...remove, risk: 'broadening' }], assignKinds(), { source: SAVED })).toThrow(expect.objectContaining({ code: 'PLAN_EDITED' }));
  });
});
