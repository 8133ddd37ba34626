/**
 * `enable`, the rollback of disable, as a phase: the inverse, through the handlers' `inverse`, of each
 * change disable made that is still in effect, as the journal records them. Nothing else is touched,
 * whatever the mapping says now, and a change whose answer was lost is planned too: its undo checks
 * AWS first, so a change that never happened is skipped, not "undone". A user cleanup deleted cannot
 * be switched back on: restore re-creates it.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { say, type IoHost } from '../../io/io-host.js';
import type { ExecutionSummary } from '../../plan/execute-plan.js';
import type { UndoableChange } from '../../plan/journal-fold.js';
import type { Phase } from '../../plan/phase.js';
import type { ActionRegistry, PlannedAction } from '../../plan/plan-types.js';
import { createRetireRegistry, type RetireContext } from './retire-handlers.js';
import type { RetiredUser } from './retired-users.js';
import { usersFullyApplied } from './users-fully-applied.js';

export const ENABLE = 'enable';

export interface EnableDecision {
  userName: string;
  userId: string;
  /** `planned`: its changes are undone; `deleted`: cleanup deleted it (restore re-creates it); `nothing-to-undo`: disable changed nothing on it. */
  status: 'planned' | 'deleted' | 'nothing-to-undo';
  disabledSince: string | null;
  /** What is switched back on, one line per change. */
  undo: string[];
}

export interface EnableInputs {
  iam: IAMClient;
  accountId: string;
  io: IoHost;
  /** The users to enable, as the journal shows them (every one disable changed, or those named). */
  users: RetiredUser[];
}

export interface EnableResult {
  decisions: EnableDecision[];
  planFile: string | null;
  execution: ExecutionSummary;
  /** Users whose every change is undone. */
  enabled: string[];
}

export function enablePhase(inputs: EnableInputs): Phase<null, EnableDecision, EnableResult, RetireContext> {
  const registry = createRetireRegistry({ iam: inputs.iam });
  return {
    command: ENABLE,
    accountId: inputs.accountId,
    read: async () => null,
    plan: () => planEnable(inputs.users, registry),
    registry: () => registry,
    async project({ plan, planFile, execution }) {
      const deleted = plan.decisions.filter((d) => d.status === 'deleted').map((d) => d.userName);
      if (deleted.length > 0) {
        say.warn(inputs.io, 'ENABLE_USER_DELETED', `cleanup deleted ${deleted.join(', ')}: there is nothing left to switch back on. Re-create them with \`iam2idc restore --user <name>\`.`);
      }
      const planned = new Set(plan.decisions.filter((d) => d.status === 'planned').map((d) => d.userName));
      const enabled = execution.dryRun ? [] : usersFullyApplied(execution).filter((u) => planned.has(u));
      return { decisions: plan.decisions, planFile, execution, enabled };
    },
  };
}

/** Per user, the undo of each of its changes in effect; a deleted user gets a decision and no action. */
export function planEnable(users: readonly RetiredUser[], registry: ActionRegistry<RetireContext>): { actions: PlannedAction[]; decisions: EnableDecision[]; questions: [] } {
  const actions: PlannedAction[] = [];
  const decisions: EnableDecision[] = [];
  for (const user of [...users].sort((a, b) => a.userName.localeCompare(b.userName))) {
    const base = { userName: user.userName, userId: user.userId, disabledSince: user.disabledAt ?? user.changes[0]?.at ?? null };
    if (user.state === 'deleted') {
      decisions.push({ ...base, status: 'deleted', undo: [] });
      continue;
    }
    const undo = user.changes.map((change) => undoOf(change, user, registry)).filter((a): a is PlannedAction => a !== null);
    actions.push(...undo);
    decisions.push({ ...base, status: undo.length > 0 ? 'planned' : 'nothing-to-undo', undo: undo.map((a) => a.preview) });
  }
  return { actions, decisions, questions: [] };
}

/**
 * The action that undoes a recorded change, from its kind's own `inverse`. The parameters come back
 * from the journal, so they are parsed with the kind's schema first; what does not parse is not undone.
 */
function undoOf(change: UndoableChange, user: RetiredUser, registry: ActionRegistry<RetireContext>): PlannedAction | null {
  const handler = registry.get(change.kind);
  const parsed = handler?.params?.safeParse(change.params);
  if (!handler?.inverse || !parsed?.success) return null;
  const done: PlannedAction = {
    id: change.actionId,
    kind: change.kind,
    service: 'iam',
    target: change.target,
    risk: 'narrowing',
    preview: '',
    params: parsed.data,
    dependsOn: [],
    fingerprint: null,
    principal: { userName: user.userName, userId: user.userId },
  };
  return handler.inverse(done);
}
