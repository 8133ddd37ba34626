/**
 * What cleanup and restore runs share in tests: the mapping, disable records written to the workspace
 * as disable would have left them, and the options of a run with `--yes --confirm-account`.
 */
import { TestIoHost } from '../../../../src/io/hosts/test-io-host.js';
import { InterruptController } from '../../../../src/plan/interrupt-controller.js';
import { loadPlan } from '../../../../src/plan/plan-file.js';
import type { ActionKind } from '../../../../src/plan/plan-types.js';
import type { PlanRunOptions, SavedPlan } from '../../../../src/plan/run-command-plan.js';
import { runPhase } from '../../../../src/plan/run-phase.js';
import { cleanupPhase, type CleanupInputs } from '../../../../src/services/retire/cleanup-phase.js';
import { restorePhase, type RestoreInputs } from '../../../../src/services/retire/restore-phase.js';
import { DisableRecordSchema, listDisableRecords, writeDisableRecord, type DisableRecordContent } from '../../../../src/workspace/disable-records.js';
import { parseMapping } from '../../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../../src/workspace/mapping-schema.js';
import type { UserBackup } from '../../../../src/workspace/user-backups.js';
import { NOW, PROCESS, YES_FOR_ACCOUNT, type PlanTestContext } from '../../plan/support/plan-harness.js';
import { ACCOUNT_ID, AWS_DENY_ALL, DENY_ALL_NAME } from './fake-iam-users.js';
import { holding, sealing, trustOf } from './held-run.js';

export const CALLER_ID = 'AIDAOPS00000000000001';
export const ALICE_ID = 'AIDAALICE000000000001';
export const BOB_ID = 'AIDABOB00000000000001';
export const CAROL_ID = 'AIDACAROL00000000001';
const DAY_MS = 86_400_000;

export const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();

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

/** A completed disable of the user `days` ago, with the inline deny-all (or AWSDenyAll attached). */
export function disableRecord(userName: string, userId: string, days: number, options: { deny?: 'inline' | 'managed'; keys?: string[] } = {}): DisableRecordContent {
  const at = daysAgo(days);
  return DisableRecordSchema.omit({ digest: true }).parse({
    schemaVersion: 2,
    accountId: ACCOUNT_ID,
    userName,
    userId,
    startedAt: daysAgo(days + 0.01),
    completedAt: at,
    enabledAt: null,
    denyPolicy: options.deny === 'managed' ? { kind: 'managed', policyArn: AWS_DENY_ALL, state: 'done', at } : { kind: 'inline', policyName: DENY_ALL_NAME, state: 'done', at },
    keys: (options.keys ?? []).map((accessKeyId) => ({ accessKeyId, previousStatus: 'Active', state: 'done', at })),
    history: [],
  });
}

/** Writes the records as disable would have: sealed, their digests in the journal. */
export async function writeDisabled(context: PlanTestContext, ...records: DisableRecordContent[]): Promise<void> {
  await sealing(context.workspace, async (run) => {
    for (const record of records) await writeDisableRecord(context.workspace, record, run);
  });
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
    records: await listDisableRecords(context.workspace, await trustOf(context.workspace)),
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
    records: await listDisableRecords(context.workspace, await trustOf(context.workspace)),
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
