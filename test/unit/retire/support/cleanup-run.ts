/**
 * What cleanup and restore runs share in tests: the mapping, disable runs written to the journal as
 * disable would have left them, and the options of a run with `--yes --confirm-account`.
 */
import { TestIoHost } from '../../support/test-io-host.js';
import { InterruptController } from '../../../../src/plan/interrupt-controller.js';
import { Journal } from '../../../../src/plan/journal.js';
import { readJournalFold } from '../../../../src/plan/journal-index.js';
import { loadPlan } from '../../../../src/plan/plan-file.js';
import type { ActionKind } from '../../../../src/plan/plan-types.js';
import type { PlanRunOptions, SavedPlan } from '../../../../src/plan/run-command-plan.js';
import { runPhase } from '../../../../src/plan/run-phase.js';
import { cleanupPhase, type CleanupInputs } from '../../../../src/phases/cleanup/cleanup-phase.js';
import { restorePhase, type RestoreInputs } from '../../../../src/phases/cleanup/restore-phase.js';
import { RETIRE_KIND } from '../../../../src/phases/disable/retire-handlers.js';
import { retiredUsersOf, type RetiredUser } from '../../../../src/phases/disable/retired-users.js';
import { parseMapping } from '../../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../../src/workspace/mapping-schema.js';
import type { UserBackup } from '../../../../src/workspace/user-backups.js';
import { NOW, PROCESS, YES_FOR_ACCOUNT, type PlanTestContext } from '../../plan/support/plan-harness.js';
import { AWS_DENY_ALL, DENY_ALL_NAME } from '../../support/fake-iam.js';
import { holding } from './held-run.js';
import { daysAgo } from '../../support/time.js';
import { ACCOUNT_ID } from '../../support/builders.js';

export const CALLER_ID = 'AIDAOPS00000000000001';
export const ALICE_ID = 'AIDAALICE000000000001';
export const BOB_ID = 'AIDABOB00000000000001';
export const CAROL_ID = 'AIDACAROL00000000001';

export const MAPPING: Mapping = parseMapping(
  `
version: 1
account: '${ACCOUNT_ID}'
protect:
  users: []
  tags: []
users:
  alice: { kind: human, userName: alice }
  bob: { kind: human, userName: bob }
  carol: { kind: human, userName: carol }
  ops: { kind: human, userName: ops }
permissionSets: {}
groups: {}
assignments: []
`,
  'mapping.yaml',
).mapping;

/** A disable of one user, as the journal records it: the deny-all (inline, or AWSDenyAll attached) and the keys deactivated. */
export interface DisabledUser {
  userName: string;
  userId: string;
  days: number;
  deny: 'inline' | 'managed';
  keys: string[];
}

/** A completed disable of the user `days` ago, with the inline deny-all (or AWSDenyAll attached). */
export function disableRecord(userName: string, userId: string, days: number, options: { deny?: 'inline' | 'managed'; keys?: string[] } = {}): DisabledUser {
  return { userName, userId, days, deny: options.deny ?? 'inline', keys: options.keys ?? [] };
}

/** Writes each disable to the journal as a disable run would have: its plan, then every change with its intent and outcome. */
export async function writeDisabled(context: PlanTestContext, ...users: DisabledUser[]): Promise<void> {
  for (const [index, user] of users.entries()) {
    const at = new Date(daysAgo(user.days, NOW));
    const principal = { userName: user.userName, userId: user.userId };
    const target = `IAM user ${user.userName}`;
    const changes = [
      user.deny === 'managed'
        ? { id: `disable/${user.userName}/deny-policy`, kind: RETIRE_KIND.attachDenyPolicy, params: { ...principal, policyArn: AWS_DENY_ALL } }
        : { id: `disable/${user.userName}/deny-policy`, kind: RETIRE_KIND.putDenyPolicy, params: { ...principal, policyName: DENY_ALL_NAME } },
      ...user.keys.map((accessKeyId) => ({ id: `disable/${user.userName}/key/${accessKeyId}`, kind: RETIRE_KIND.deactivateKey, params: { ...principal, accessKeyId } })),
    ];
    const journal = await Journal.open(context.workspace, `disable-run-${index}-${user.userName}`, () => at);
    try {
      await journal.append({ type: 'run', command: 'disable', event: 'start' });
      await journal.append({ type: 'plan', command: 'disable', actions: changes.map((c) => ({ id: c.id, kind: c.kind, target, principal })) });
      for (const change of changes) {
        await journal.append({ type: 'intent', actionId: change.id, kind: change.kind, target, params: change.params, undoable: true });
        await journal.append({ type: 'outcome', actionId: change.id, kind: change.kind, target, status: 'done', requestId: `req-${change.id}` });
      }
      await journal.append({ type: 'run', command: 'disable', event: 'end' });
    } finally {
      await journal.close();
    }
  }
}

/** Who the journal now shows as disabled, deleted or restored. */
export async function retiredUsers(context: PlanTestContext): Promise<RetiredUser[]> {
  return retiredUsersOf(await readJournalFold(context.workspace));
}

/** The options of a cleanup run, without the held workspace (see `holding`). */
export type CleanupRunOptions = Omit<CleanupInputs & PlanRunOptions, 'run' | 'trust'>;

export async function cleanupOptions(context: PlanTestContext, iam: CleanupInputs['iam'], overrides: Partial<CleanupRunOptions> = {}): Promise<CleanupRunOptions> {
  const state = await context.workspace.readState();
  if (!state) throw new Error('the workspace is not bound');
  return {
    workspace: context.workspace,
    io: new TestIoHost({ settings: YES_FOR_ACCOUNT }),
    now: () => NOW,
    interrupts: new InterruptController(),
    process: PROCESS,
    dryRun: false,
    iam,
    accountId: ACCOUNT_ID,
    partition: 'aws',
    callerUserId: CALLER_ID,
    mapping: MAPPING,
    state,
    retired: await retiredUsers(context),
    users: null,
    minDisabledDays: 7,
    inlinePolicyOf: () => null,
    ...overrides,
  };
}

export type RestoreRunOptions = Omit<RestoreInputs & PlanRunOptions, 'run'>;

export async function restoreOptions(context: PlanTestContext, iam: RestoreInputs['iam'], backups: UserBackup[], overrides: Partial<RestoreRunOptions> = {}): Promise<RestoreRunOptions> {
  return {
    workspace: context.workspace,
    io: new TestIoHost({ settings: YES_FOR_ACCOUNT }),
    now: () => NOW,
    interrupts: new InterruptController(),
    process: PROCESS,
    dryRun: false,
    iam,
    accountId: ACCOUNT_ID,
    backups,
    retired: await retiredUsers(context),
    ...overrides,
  };
}

/** Runs cleanup holding the workspace, as its command does. */
export function runHeldCleanup(context: PlanTestContext, options: CleanupRunOptions) {
  return holding(context.workspace, 'cleanup', options.dryRun, ({ run, trust }) => runPhase(cleanupPhase({ ...options, run, trust }), { ...options, run }));
}

/** Runs restore holding the workspace, as its command does. */
export function runHeldRestore(context: PlanTestContext, options: RestoreRunOptions) {
  return holding(context.workspace, 'restore', options.dryRun, ({ run }) => runPhase(restorePhase(options), { ...options, run }));
}

/** A plan saved with `--save-plan`, read back as `--plan` reads it. */
export async function savedPlanOf(file: string, command: string, kinds: ReadonlyMap<string, ActionKind>): Promise<SavedPlan> {
  return { file, plan: await loadPlan(file, { command, kinds }) };
}
