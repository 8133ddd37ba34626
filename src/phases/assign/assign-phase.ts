import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { Phase } from '../../plan/phase.js';
import { ActionRegistry, kindMap, type ActionKind } from '../../plan/plan-types.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { DesiredIdentities } from './identities/desired-identities.js';
import type { DetectedIdentitySource } from './identities/detect-identity-source.js';
import { createIdentityContext, createIdentityRegistry, identityKinds } from './identities/identity-handlers.js';
import { ONBOARDING_REPORT_PATH, renderOnboardingReport } from './identities/onboarding-report.js';
import { identityActionId, planIdentities, type IdentityPlan } from './identities/plan-identities.js';
import { createPermissionSetContext } from '../create-permission-sets/permission-set-context.js';
import { assignmentKinds, createAssignmentContext, createAssignmentRegistry } from './assignment-handlers.js';
import type { SkippedAccount } from './expand-targets.js';
import { listDesiredAssignments, planAssignments } from './plan-assignments.js';
import { groupMembersByName, readAssignmentState, type AssignmentState } from './read-assignment-state.js';
import { verifyAccess, type AccessVerification } from './verify-access.js';

export const ASSIGN = 'assign';

/** What the actions of assign mean (identity store users, groups and memberships, and assignments), for checking a saved plan. */
export function assignKinds(): ReadonlyMap<string, ActionKind> {
  return kindMap([...identityKinds(), ...assignmentKinds()]);
}

export interface AssignInputs {
  workspace: Workspace;
  now: () => Date;
  aws: { ssoAdmin: SSOAdminClient; identityStore: IdentitystoreClient; organizations: OrganizationsClient };
  instance: { instanceArn: string; identityStoreId: string };
  accountId: string;
  mapping: Mapping;
  desired: DesiredIdentities;
  source: DetectedIdentitySource;
  accountsByAssignment: string[][];
  skippedAccounts: SkippedAccount[];
  /** Permission set name → ARN, as create-permission-sets recorded them. */
  permissionSetArns: ReadonlyMap<string, string>;
  prune: boolean;
}

export interface AssignResult {
  instanceArn: string;
  identityStoreId: string;
  identitySource: DetectedIdentitySource;
  planFile: string | null;
  execution: ExecutionSummary;
  newUsers: string[];
  unresolved: IdentityPlan['unresolvedUsers'];
  groupOnly: boolean;
  skippedAccounts: SkippedAccount[];
  access: Record<string, AccessVerification>;
  onboardingReport: string | null;
}

/**
 * `assign` as a phase: every migrated person given access through Identity Center, with the users,
 * groups and memberships the mapping names, then the account assignments, as one plan.
 */
export function assignPhase(options: AssignInputs): Phase<AssignmentState, never, AssignResult, null> {
  const { instance } = options;
  const accounts = [...new Set(options.accountsByAssignment.flat())];
  const identityContext = createIdentityContext(options.aws.identityStore, instance.identityStoreId);
  const permissionSets = createPermissionSetContext(options.aws.ssoAdmin, instance.instanceArn);
  const assignmentContext = createAssignmentContext({
    ssoAdmin: options.aws.ssoAdmin,
    instanceArn: instance.instanceArn,
    resolvePermissionSetArn: (name) => permissionSets.resolveArn(name),
    resolvePrincipalId: (type, name) => (type === 'USER' ? identityContext.userIdOf(name, new AbortController().signal) : identityContext.groupIdOf(name, new AbortController().signal)),
  });
  const identityPlanOf = (state: AssignmentState) => planIdentities(options.desired, state.identities, { identityStoreId: instance.identityStoreId, source: options.source.source });
  return {
    command: ASSIGN,
    accountId: options.accountId,
    read: () => readAssignmentState({ ...options.aws, ...instance, desired: options.desired, accounts, permissionSetArns: options.permissionSetArns }),
    plan(state) {
      const identityPlan = identityPlanOf(state);
      return { actions: [...identityPlan.actions, ...assignmentActions(options, state.assignments, identityPlan)], decisions: [], questions: [] };
    },
    registry: () => new ActionRegistry<null>(null).include(createIdentityRegistry(identityContext)).include(createAssignmentRegistry(assignmentContext)),
    async project({ read, planFile, execution }) {
      // Pure, so made again from what was read rather than kept from the plan.
      const planned = identityPlanOf(read);
      const access = execution.dryRun ? {} : await recordAccess(options, accounts);
      const created = new Set(execution.actions.filter((a) => a.status === 'done').map((a) => a.id));
      const newUsers = planned.newUsers.filter((u) => created.has(identityActionId.user(u.userName)));
      const onboardingReport =
        newUsers.length > 0
          ? await options.workspace.writeText(
              ONBOARDING_REPORT_PATH,
              renderOnboardingReport(
                newUsers.map((u) => ({ userName: u.userName, displayName: u.displayName, email: u.email })),
                { identityStoreId: instance.identityStoreId, generatedAt: options.now().toISOString() },
              ),
            )
          : null;
      return {
        ...instance,
        identitySource: options.source,
        planFile,
        execution,
        newUsers: newUsers.map((u) => u.userName),
        unresolved: planned.unresolvedUsers,
        groupOnly: planned.groupOnly,
        skippedAccounts: options.skippedAccounts,
        access,
        onboardingReport,
      };
    },
  };
}

/** Assignments wait for the user or group they name when this plan creates it. */
function assignmentActions(options: AssignInputs, current: Parameters<typeof planAssignments>[1], identityPlan: IdentityPlan) {
  const desired = listDesiredAssignments(options.mapping, options.accountsByAssignment);
  const planned = new Set(identityPlan.actions.map((a) => a.id));
  return planAssignments(desired, current, { instanceArn: options.instance.instanceArn, prune: options.prune }).map((action) => {
    const principal = action.params.principalType === 'USER' ? identityActionId.user(action.params.principalName) : identityActionId.group(action.params.principalName);
    return planned.has(principal) ? { ...action, dependsOn: [...action.dependsOn, principal] } : action;
  });
}

/** Re-reads Identity Center after the run and records, per IAM user, whether their access is in place. */
async function recordAccess(options: AssignInputs, accounts: string[]): Promise<Record<string, AccessVerification>> {
  const after = await readAssignmentState({ ...options.aws, ...options.instance, desired: options.desired, accounts, permissionSetArns: options.permissionSetArns });
  const access = verifyAccess(options.mapping, options.accountsByAssignment, {
    users: after.identities.users.keys(),
    assignments: after.assignments,
    groupMembers: groupMembersByName(after.identities),
  });
  await options.workspace.updateState({ phase: 'assignments', update: () => ({ lastRunAt: options.now().toISOString(), access }) });
  return access;
}
