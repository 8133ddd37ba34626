/**
 * `disable` from start to end: a fresh look at the users, the plan with its gate, the per-user
 * preview, a second question for every user forced past the gate, then the engine (which enforces
 * the lockout guard), and the disable records brought up to date.
 */
import { say } from '../../io/io-host.js';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import { runCommandPlan, type PlanRunOptions } from '../../plan/run-command-plan.js';
import type { FileTrust } from '../../workspace/file-seals.js';
import { DisableRecorder } from './disable-recorder.js';
import type { PermissionCheck } from '../verify/permission-checks.js';
import { kindOf, planDisable, type DisableMode, type UserDecision } from './plan-disable.js';
import { buildPrincipalFacts, isIdentityCenterAdminVerified, type RetireAccount } from './principal-facts.js';
import { readIamUsers } from './read-iam-users.js';
import { recordRetireOutcome, usersFullyApplied } from './record-retire-outcome.js';
import { createRetireRegistry } from './retire-handlers.js';

export const DISABLE = 'disable';

export interface RunDisableOptions extends PlanRunOptions, RetireAccount {
  /** --users; otherwise every human user of the mapping. */
  users: string[] | null;
  forced: string[];
  cutover: Date;
  mode: DisableMode;
  /** Shows the per-user table before the plan (the command renders it). */
  showDecisions: (decisions: UserDecision[], cutover: Date) => void;
  /** What the disable records already on disk are checked against. */
  trust: FileTrust;
  /** verify's verdict for these IAM users, computed for this run (keyed by lower-case name). */
  checkPermissions: (iamUsers: readonly string[]) => Promise<ReadonlyMap<string, PermissionCheck>>;
}

export interface DisableResult {
  cutover: string;
  decisions: UserDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  /** Users whose every planned change is applied. */
  disabled: string[];
}

export async function runDisable(options: RunDisableOptions): Promise<DisableResult> {
  const { io } = options;
  const names = options.users ?? Object.entries(options.mapping.users).filter(([, u]) => u.kind === 'human').map(([name]) => name);
  const progress = io.startProgress('READ_USERS', `Reading ${names.length} IAM user(s), their keys and their last use`);
  let snapshot;
  try {
    snapshot = await readIamUsers(options.iam, { targets: names, accountId: options.accountId, partition: options.partition, abortSignal: options.interrupts.abortSignal });
    progress.succeed(`Read ${names.length} IAM user(s) and their access keys`);
  } catch (error) {
    progress.fail();
    throw error;
  }
  const forced = new Set(options.forced);
  const people = names.filter((name) => kindOf(options.mapping, name) === 'human');
  const permissions = await options.checkPermissions(people);
  const plan = planDisable({
    snapshot,
    mapping: options.mapping,
    state: options.state,
    callerUserId: options.callerUserId,
    partition: options.partition,
    targets: { names, explicit: options.users !== null },
    forced,
    cutover: options.cutover,
    mode: options.mode,
    permissions,
  });
  options.showDecisions(plan.decisions, options.cutover);
  const declined = await askAboutForcedUsers(options, plan.decisions);
  const actions = plan.actions.filter((a) => !declined.has(a.principal?.userName ?? ''));
  const decisions = plan.decisions.map((d) => (declined.has(d.userName) ? { ...d, status: 'excluded' as const, exclusion: { code: 'GATE' as const, message: 'forced past the gate, then not confirmed' } } : d));

  const recorder = new DisableRecorder({ workspace: options.workspace, now: options.now, accountId: options.accountId, trust: options.trust, sealer: options.run });
  const guard = buildPrincipalFacts({
    snapshot,
    mapping: options.mapping,
    callerUserId: options.callerUserId,
    explicitlyNamed: options.users ?? [],
    identityCenterAdminVerified: isIdentityCenterAdminVerified(options.mapping, options.state, options.inlinePolicyOf, options.partition),
  });
  const { planFile, execution } = await runCommandPlan({
    ...options,
    command: DISABLE,
    accountId: options.accountId,
    registry: createRetireRegistry({ iam: options.iam, recorder }),
    planActions: async () => actions,
    guard,
  });
  await recorder.flush();
  const disabled = execution.dryRun ? [] : usersFullyApplied(execution);
  for (const user of disabled) await recorder.complete(user);
  const userIds = new Map(decisions.map((d) => [d.userName, d.userId ?? '']));
  if (disabled.length > 0) await recordRetireOutcome(options.workspace, { users: disabled.map((userName) => ({ userName, userId: userIds.get(userName) ?? '' })), kind: 'disabled', now: options.now() });
  return { cutover: options.cutover.toISOString(), decisions, planFile, execution, disabled };
}

/** Each user forced past a failed gate is asked about once more (--yes answers it). */
async function askAboutForcedUsers(options: RunDisableOptions, decisions: UserDecision[]): Promise<Set<string>> {
  const declined = new Set<string>();
  if (options.dryRun) return declined;
  for (const decision of decisions.filter((d) => d.status === 'forced')) {
    const failed = decision.gate.checks.filter((c) => !c.passed).map((c) => c.message);
    const yes = await options.io.confirm({ code: 'CONFIRM_FORCED_USER', message: `${decision.userName} fails the evidence gate: ${failed.join('; ')}. Disable it anyway?`, defaultValue: false });
    if (!yes) {
      declined.add(decision.userName);
      say.info(options.io, 'FORCED_USER_DECLINED', `${decision.userName} is left out.`);
    }
  }
  return declined;
}
