import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import { runCommandPlan, type PlanRunOptions } from '../../plan/run-command-plan.js';
import type { Workspace } from '../../workspace/workspace.js';
import { createPermissionSetContext } from './permission-set-context.js';
import { createPermissionSetRegistry } from './permission-set-handlers.js';
import { planPermissionSets } from './plan-permission-sets.js';
import { readCurrentPermissionSets } from './read-current.js';
import type { DesiredPermissionSet } from './types.js';

export const CREATE_PERMISSION_SETS = 'create-permission-sets';

export interface CreatePermissionSetsOptions extends PlanRunOptions {
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  accountId: string;
  desired: DesiredPermissionSet[];
}

export interface CreatePermissionSetsResult {
  instanceArn: string;
  planFile: string | null;
  execution: ExecutionSummary;
  /** Name → ARN of every permission set of the run, after it. */
  arns: Record<string, string>;
}

/**
 * Creates or updates the mapping's permission sets so that Identity Center matches them: only the
 * differences become actions, and sets that are not in the mapping are never read or touched.
 */
export async function runCreatePermissionSets(options: CreatePermissionSetsOptions): Promise<CreatePermissionSetsResult> {
  const context = createPermissionSetContext(options.ssoAdmin, options.instanceArn);
  const { planFile, execution } = await runCommandPlan({
    ...options,
    command: CREATE_PERMISSION_SETS,
    registry: createPermissionSetRegistry(context),
    planActions: async () =>
      planPermissionSets(
        options.desired,
        await readCurrentPermissionSets(options.ssoAdmin, options.instanceArn, options.desired.map((d) => d.name)),
        options.instanceArn,
      ),
  });
  const arns: Record<string, string> = {};
  if (!execution.dryRun) {
    // One fresh listing after the run, then every name from it.
    let fresh = true;
    for (const set of options.desired) {
      const arn = await context.resolveArn(set.name, { fresh });
      fresh = false;
      if (arn) arns[set.name] = arn;
    }
    await recordArns(options.workspace, options.instanceArn, arns, options.now());
  }
  return { instanceArn: options.instanceArn, planFile, execution, arns };
}

async function recordArns(workspace: Workspace, instanceArn: string, arns: Record<string, string>, now: Date): Promise<void> {
  const state = await workspace.readState();
  if (!state) return;
  const previous = state.phases.permissionSets?.instanceArn === instanceArn ? state.phases.permissionSets.arns : {};
  await workspace.writeState({
    ...state,
    phases: { ...state.phases, permissionSets: { lastRunAt: now.toISOString(), instanceArn, arns: { ...previous, ...arns } } },
  });
}
