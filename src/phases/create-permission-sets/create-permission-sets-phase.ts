/**
 * `create-permission-sets` as a phase: Identity Center's permission sets made to match the mapping's.
 * Only the differences become actions, and sets that are not in the mapping are never read or touched.
 */
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { Phase } from '../../plan/phase.js';
import type { Workspace } from '../../workspace/workspace.js';
import { createPermissionSetContext, type PermissionSetContext } from './permission-set-context.js';
import { createPermissionSetRegistry } from './permission-set-handlers.js';
import { planPermissionSets } from './plan-permission-sets.js';
import { readCurrentPermissionSets } from './read-current.js';
import type { CurrentPermissionSet, DesiredPermissionSet } from './types.js';

export const CREATE_PERMISSION_SETS = 'create-permission-sets';

export interface CreatePermissionSetsInputs {
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  accountId: string;
  workspace: Workspace;
  now: () => Date;
  desired: DesiredPermissionSet[];
}

export interface CreatePermissionSetsResult {
  instanceArn: string;
  planFile: string | null;
  execution: ExecutionSummary;
  /** Name → ARN of every permission set of the run, after it. */
  arns: Record<string, string>;
}

export function createPermissionSetsPhase(inputs: CreatePermissionSetsInputs): Phase<Map<string, CurrentPermissionSet>, never, CreatePermissionSetsResult, PermissionSetContext> {
  const context = createPermissionSetContext(inputs.ssoAdmin, inputs.instanceArn);
  return {
    command: CREATE_PERMISSION_SETS,
    accountId: inputs.accountId,
    read: (signal) => readCurrentPermissionSets(inputs.ssoAdmin, inputs.instanceArn, inputs.desired.map((d) => d.name), { signal }),
    plan: (current) => ({ actions: planPermissionSets(inputs.desired, current, inputs.instanceArn), decisions: [], questions: [] }),
    registry: () => createPermissionSetRegistry(context),
    async project({ planFile, execution }) {
      const arns: Record<string, string> = {};
      if (!execution.dryRun) {
        // One fresh listing after the run, then every name from it.
        let fresh = true;
        for (const set of inputs.desired) {
          const arn = await context.resolveArn(set.name, { fresh });
          fresh = false;
          if (arn) arns[set.name] = arn;
        }
        await recordArns(inputs.workspace, inputs.instanceArn, arns, inputs.now());
      }
      return { instanceArn: inputs.instanceArn, planFile, execution, arns };
    },
  };
}

async function recordArns(workspace: Workspace, instanceArn: string, arns: Record<string, string>, now: Date): Promise<void> {
  await workspace.updateState({
    phase: 'permissionSets',
    update: (previous) => ({ lastRunAt: now.toISOString(), instanceArn, arns: { ...(previous?.instanceArn === instanceArn ? previous.arns : {}), ...arns } }),
  });
}
