/**
 * The enable plan (the rollback of disable), from the workspace alone: for each disable record, the
 * deny policy iam2idc added is removed and the keys iam2idc deactivated are reactivated, and nothing
 * else. A change recorded only as an intent (the run stopped during the call) is planned too; its
 * handler checks AWS first, so a change that never happened is skipped, not "undone".
 */
import type { PlannedAction } from '../../plan/plan-types.js';
import type { DisableRecord } from '../../workspace/disable-records.js';
import { RETIRE_KIND, type AccessKeyParams, type InlinePolicyParams, type ManagedPolicyParams } from './retire-handlers.js';

export interface EnableDecision {
  userName: string;
  userId: string;
  status: 'planned' | 'already-enabled';
  disabledSince: string;
  denyPolicy: DisableRecord['denyPolicy'];
  keys: string[];
}

export interface EnablePlan {
  actions: PlannedAction[];
  decisions: EnableDecision[];
}

/** `records` are the ones to enable (all the workspace has, or those named with --users). */
export function planEnable(records: readonly DisableRecord[]): EnablePlan {
  const actions: PlannedAction[] = [];
  const decisions: EnableDecision[] = [];
  for (const record of [...records].sort((a, b) => a.userName.localeCompare(b.userName))) {
    const decision: EnableDecision = {
      userName: record.userName,
      userId: record.userId,
      status: record.enabledAt === null ? 'planned' : 'already-enabled',
      disabledSince: record.startedAt,
      denyPolicy: record.denyPolicy,
      keys: record.keys.map((k) => k.accessKeyId),
    };
    decisions.push(decision);
    if (decision.status === 'planned') actions.push(...actionsOf(record));
  }
  return { actions, decisions };
}

function actionsOf(record: DisableRecord): PlannedAction[] {
  const principal = { userName: record.userName, userId: record.userId };
  const common = { service: 'iam', target: `IAM user ${record.userName}`, risk: 'broadening' as const, dependsOn: [], fingerprint: null, principal };
  const actions: PlannedAction[] = [];
  const deny = record.denyPolicy;
  if (deny?.kind === 'inline') {
    const params: InlinePolicyParams = { ...principal, policyName: deny.policyName };
    actions.push({ ...common, id: `enable/${record.userName}/deny-policy`, kind: RETIRE_KIND.deleteDenyPolicy, preview: `remove the inline deny-all ${deny.policyName}`, params });
  } else if (deny?.kind === 'managed') {
    const params: ManagedPolicyParams = { ...principal, policyArn: deny.policyArn };
    actions.push({ ...common, id: `enable/${record.userName}/deny-policy`, kind: RETIRE_KIND.detachDenyPolicy, preview: `detach ${deny.policyArn}`, params });
  }
  for (const key of record.keys) {
    const params: AccessKeyParams = { ...principal, accessKeyId: key.accessKeyId };
    actions.push({ ...common, id: `enable/${record.userName}/key/${key.accessKeyId}`, kind: RETIRE_KIND.reactivateKey, preview: `reactivate access key ${key.accessKeyId}`, params });
  }
  return actions;
}
