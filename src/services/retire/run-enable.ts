/**
 * `enable`, the rollback of disable: the plan comes from the disable records of the workspace only,
 * so it works after an interrupted disable and whatever the mapping says now. It broadens access
 * again, so it is previewed and confirmed like every plan.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import { runCommandPlan, type PlanRunOptions } from '../../plan/run-command-plan.js';
import type { DisableRecord } from '../../workspace/disable-records.js';
import type { FileTrust } from '../../workspace/file-seals.js';
import { DisableRecorder } from './disable-recorder.js';
import { planEnable, type EnableDecision } from './plan-enable.js';
import { recordRetireOutcome, usersFullyApplied } from './record-retire-outcome.js';
import { createRetireRegistry } from './retire-handlers.js';

export const ENABLE = 'enable';

export interface RunEnableOptions extends PlanRunOptions {
  iam: IAMClient;
  accountId: string;
  /** The records to reverse, verified against `trust`. */
  records: DisableRecord[];
  trust: FileTrust;
  showDecisions: (decisions: EnableDecision[]) => void;
}

export interface EnableResult {
  decisions: EnableDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  /** Users whose every recorded change is reversed. */
  enabled: string[];
}

export async function runEnable(options: RunEnableOptions): Promise<EnableResult> {
  const plan = planEnable(options.records);
  options.showDecisions(plan.decisions);
  const recorder = new DisableRecorder({ workspace: options.workspace, now: options.now, accountId: options.accountId, trust: options.trust, sealer: options.run });
  const { planFile, execution } = await runCommandPlan({
    ...options,
    command: ENABLE,
    accountId: options.accountId,
    registry: createRetireRegistry({ iam: options.iam, recorder }),
    planActions: async () => plan.actions,
  });
  const planned = plan.decisions.filter((d) => d.status === 'planned');
  const applied = new Set(execution.dryRun ? [] : usersFullyApplied(execution));
  // A record with nothing to reverse (the disable run stopped before its first change) is enabled as it is.
  const enabled = execution.dryRun ? [] : planned.filter((d) => applied.has(d.userName) || (d.denyPolicy === null && d.keys.length === 0)).map((d) => d.userName);
  for (const user of enabled) await recorder.reversed(user);
  if (enabled.length > 0) {
    const ids = new Map(planned.map((d) => [d.userName, d.userId]));
    await recordRetireOutcome(options.workspace, { users: enabled.map((userName) => ({ userName, userId: ids.get(userName) ?? '' })), kind: 'enabled', now: options.now() });
  }
  return { decisions: plan.decisions, planFile, execution, enabled };
}
