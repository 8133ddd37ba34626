/**
 * `disable` as a phase: a fresh look at the users, the plan with its gate and one decision per user,
 * a question for every user forced past the gate, the lockout guard's facts, and who is now disabled.
 * What it changed is in the journal, which is all enable needs to undo exactly that.
 */
import type { IoHost } from '../../io/io-host.js';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { Phase } from '../../plan/phase.js';
import type { PermissionCheck } from '../verify/permission-checks.js';
import { kindOf, planDisable, type DisableMode, type UserDecision } from './plan-disable.js';
import { buildPrincipalFacts, isIdentityCenterAdminVerified, type RetireAccount } from './principal-facts.js';
import { readIamUsers, type IamUsersSnapshot } from './read-iam-users.js';
import { usersFullyApplied } from './users-fully-applied.js';
import { createRetireRegistry, type RetireContext } from './retire-handlers.js';

export const DISABLE = 'disable';

export interface DisableInputs extends RetireAccount {
  io: IoHost;
  /** --users; otherwise every human user of the mapping. */
  users: string[] | null;
  forced: string[];
  cutover: Date;
  mode: DisableMode;
  /** verify's verdict for these IAM users, computed for this run (keyed by lower-case name). */
  checkPermissions: (iamUsers: readonly string[]) => Promise<ReadonlyMap<string, PermissionCheck>>;
}

export interface DisableRead {
  names: string[];
  snapshot: IamUsersSnapshot;
  permissions: ReadonlyMap<string, PermissionCheck>;
}

export interface DisableResult {
  cutover: string;
  decisions: UserDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  /** Users whose every planned change is applied. */
  disabled: string[];
}

export function disablePhase(inputs: DisableInputs): Phase<DisableRead, UserDecision, DisableResult, RetireContext> {
  return {
    command: DISABLE,
    accountId: inputs.accountId,
    async read(signal) {
      const names = inputs.users ?? Object.entries(inputs.mapping.users).filter(([, u]) => u.kind === 'human').map(([name]) => name);
      const progress = inputs.io.startProgress('READ_USERS', `Reading ${names.length} IAM user(s), their keys and their last use`);
      let snapshot;
      try {
        snapshot = await readIamUsers(inputs.iam, { targets: names, accountId: inputs.accountId, partition: inputs.partition, abortSignal: signal });
        progress.succeed(`Read ${names.length} IAM user(s) and their access keys`);
      } catch (error) {
        progress.fail();
        throw error;
      }
      const people = names.filter((name) => kindOf(inputs.mapping, name) === 'human');
      return { names, snapshot, permissions: await inputs.checkPermissions(people) };
    },
    plan({ names, snapshot, permissions }) {
      const planned = planDisable({
        snapshot,
        mapping: inputs.mapping,
        state: inputs.state,
        callerUserId: inputs.callerUserId,
        partition: inputs.partition,
        targets: { names, explicit: inputs.users !== null },
        forced: new Set(inputs.forced),
        cutover: inputs.cutover,
        mode: inputs.mode,
        permissions,
      });
      // Each user forced past a failed gate is asked about once more (--yes answers it).
      const questions = planned.decisions
        .filter((d) => d.status === 'forced')
        .map((d) => ({
          code: 'CONFIRM_FORCED_USER',
          message: `${d.userName} fails the evidence gate: ${d.gate.checks.filter((c) => !c.passed).map((c) => c.message).join('; ')}. Disable it anyway?`,
          onNo: { drop: { subject: d.userName, actions: planned.actions.filter((a) => a.principal?.userName === d.userName).map((a) => a.id), note: 'forced past the gate, then not confirmed', code: 'FORCED_USER_DECLINED' } },
        }));
      return { actions: planned.actions, decisions: planned.decisions, questions };
    },
    declined: (decision, subject, note) => (decision.userName === subject ? { ...decision, status: 'excluded', exclusion: { code: 'GATE', message: note } } : decision),
    registry: () => createRetireRegistry({ iam: inputs.iam }),
    guard: ({ snapshot }) =>
      buildPrincipalFacts({
        snapshot,
        mapping: inputs.mapping,
        callerUserId: inputs.callerUserId,
        explicitlyNamed: inputs.users ?? [],
        identityCenterAdminVerified: isIdentityCenterAdminVerified(inputs.mapping, inputs.state, inputs.inlinePolicyOf, inputs.partition),
      }),
    // Who is disabled now is the journal's to say (see retired-users.ts): nothing else is recorded.
    async project({ plan, planFile, execution }) {
      const disabled = execution.dryRun ? [] : usersFullyApplied(execution);
      return { cutover: inputs.cutover.toISOString(), decisions: plan.decisions, planFile, execution, disabled };
    },
  };
}
