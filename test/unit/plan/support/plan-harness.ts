import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { TestIoHost, type ScriptedAnswer } from '../../support/test-io-host.js';
import type { HostSettings } from '../../../../src/io/hosts/base-io-host.js';
import { executePlan, type ExecutionSummary } from '../../../../src/plan/execute-plan.js';
import { InterruptController } from '../../../../src/plan/interrupt-controller.js';
import type { PrincipalFacts } from '../../../../src/plan/lockout-guard.js';
import { readJournal, type IntentRecord, type JournalRecord, type OutcomeRecord } from '../../../../src/plan/journal.js';
import { withPlanRun } from '../../../../src/plan/plan-run.js';
import type { Plan } from '../../../../src/plan/plan-types.js';
import { Workspace } from '../../../../src/workspace/workspace.js';
import { FakeAccount, fakeRegistry } from './fake-account.js';
import { ACCOUNT_ID } from '../../support/builders.js';

export const NOW = new Date('2024-06-01T12:00:00.000Z');
export const PROCESS = { pid: 4242, hostname: 'test-host', isProcessAlive: () => true };

/** Settings of a run that answers every confirmation by flags: `--yes --confirm-account <id>`. */
export const YES_FOR_ACCOUNT: Partial<HostSettings> = { yes: true, confirmAccount: ACCOUNT_ID };

export interface PlanTestContext {
  root: string;
  workspace: Workspace;
  account: FakeAccount;
}

/** A fresh fake account and a temp workspace bound to it for each test, removed afterwards. */
export function usePlanTestContext(): PlanTestContext {
  const context = {} as PlanTestContext;
  beforeEach(async () => {
    context.root = await mkdtemp(path.join(tmpdir(), 'iam2idc-plan-'));
    context.workspace = Workspace.at(path.join(context.root, 'ws'));
    await context.workspace.bindToAccount({ accountId: ACCOUNT_ID, partition: 'aws', arn: `arn:aws:iam::${ACCOUNT_ID}:user/ops` }, NOW);
    context.account = new FakeAccount();
  });
  afterEach(async () => {
    await rm(context.root, { recursive: true, force: true });
  });
  return context;
}

export interface RunOptions {
  io?: TestIoHost;
  answers?: ScriptedAnswer[];
  settings?: Partial<HostSettings>;
  interrupts?: InterruptController;
  dryRun?: boolean;
  checkFingerprints?: boolean;
  concurrency?: Record<string, number>;
  guard?: PrincipalFacts;
}

/** Runs a plan through the one executor against the context's fake account (`--yes --confirm-account` unless told otherwise). */
export function runPlan(context: PlanTestContext, plan: Plan, options: RunOptions = {}): Promise<ExecutionSummary> {
  const io = options.io ?? new TestIoHost({ answers: options.answers, settings: options.settings ?? (options.answers ? {} : YES_FOR_ACCOUNT) });
  const dryRun = options.dryRun ?? false;
  const interrupts = options.interrupts ?? new InterruptController();
  return withPlanRun({ workspace: context.workspace, command: plan.command, now: () => NOW, process: PROCESS, interrupts, dryRun }, (run) =>
    executePlan({
      plan,
      registry: fakeRegistry(context.account),
      io,
      workspace: context.workspace,
      run,
      interrupts,
      now: () => NOW,
      dryRun,
      checkFingerprints: options.checkFingerprints ?? false,
      concurrency: options.concurrency,
      guard: options.guard,
    }),
  );
}

/** The rejection of a run that must refuse. */
export async function rejectionOf(attempt: Promise<unknown>): Promise<{ name: string; code: string; exitCode: number }> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).not.toBeNull();
  return error as { name: string; code: string; exitCode: number };
}

export function statusesOf(summary: ExecutionSummary): Record<string, string> {
  return Object.fromEntries(summary.actions.map((a) => [a.id, a.status]));
}

export function resultOf(summary: ExecutionSummary, id: string) {
  const result = summary.actions.find((a) => a.id === id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
}

export const isIntent = (r: JournalRecord): r is IntentRecord => r.type === 'intent';
export const isOutcome = (r: JournalRecord): r is OutcomeRecord => r.type === 'outcome';

/** The journal records of one run. */
export async function recordsOf(context: PlanTestContext, runId: string | null): Promise<JournalRecord[]> {
  return (await readJournal(context.workspace)).filter((r) => r.runId === runId);
}

/**
 * Asserts that in the run's records every intent is followed by exactly one outcome for the same
 * action, and that every outcome of a call made in that run follows its intent.
 */
export function expectMatchedPairs(records: readonly JournalRecord[]): void {
  const intents = records.filter(isIntent);
  for (const intent of intents) {
    const index = records.indexOf(intent);
    const outcomes = records.filter((r, i) => isOutcome(r) && r.actionId === intent.actionId && i > index);
    expect(outcomes, `outcomes of ${intent.actionId}`).toHaveLength(1);
  }
  for (const outcome of records.filter(isOutcome).filter((o) => o.status === 'done' || o.status === 'failed' || o.status === 'unknown')) {
    const intentIndex = records.findIndex((r) => isIntent(r) && r.actionId === outcome.actionId);
    expect(intentIndex, `intent of ${outcome.actionId}`).toBeGreaterThanOrEqual(0);
    expect(intentIndex).toBeLessThan(records.indexOf(outcome));
  }
}
