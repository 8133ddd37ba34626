import type { TextFormat } from '../io/io-host.js';
import type { PlannedAction, Risk } from './plan-types.js';

const RISK_ORDER: Risk[] = ['irreversible', 'destructive', 'narrowing', 'broadening', 'read'];

export interface PlanPreviewData {
  command: string;
  accountId: string;
  counts: { byRisk: Partial<Record<Risk, number>>; byKind: Record<string, number> };
  actions: { id: string; kind: string; target: string; risk: Risk; preview: string; refused: string | null }[];
}

/** The numbers and rows of a preview, shared by the terminal table and `-o json`. */
export function describePlan(command: string, accountId: string, actions: PlannedAction[], refused: Map<string, string> = new Map()): PlanPreviewData {
  const byRisk: Partial<Record<Risk, number>> = {};
  const byKind: Record<string, number> = {};
  for (const action of actions) {
    byRisk[action.risk] = (byRisk[action.risk] ?? 0) + 1;
    byKind[action.kind] = (byKind[action.kind] ?? 0) + 1;
  }
  return {
    command,
    accountId,
    counts: { byRisk, byKind },
    actions: actions.map((a) => ({ id: a.id, kind: a.kind, target: a.target, risk: a.risk, preview: a.preview, refused: refused.get(a.id) ?? null })),
  };
}

/** The preview as a person reads it: what changes, how risky, and new permissions marked. */
export function renderPlanPreview(data: PlanPreviewData, f: TextFormat): string {
  if (data.actions.length === 0) return f.green(`Nothing to change in account ${data.accountId}: it already matches.`);
  const risks = RISK_ORDER.filter((r) => data.counts.byRisk[r]).map((r) => `${data.counts.byRisk[r]} ${r}`);
  const lines = [
    f.bold(`Plan for ${data.command} in account ${data.accountId}: ${data.actions.length} change(s) (${risks.join(', ')})`),
    f.table(
      ['', 'risk', 'target', 'change'],
      data.actions.map((a) => [marker(a.risk, f), a.refused ? f.red(`refused: ${a.refused}`) : a.risk, a.target, a.preview]),
    ),
  ];
  if (data.counts.byRisk.broadening) lines.push(f.yellow('+ marks a change that grants new permissions.'));
  if (data.counts.byRisk.destructive || data.counts.byRisk.irreversible) lines.push(f.red('! marks a change that removes something; !! cannot be undone.'));
  return lines.join('\n');
}

function marker(risk: Risk, f: TextFormat): string {
  switch (risk) {
    case 'broadening':
      return f.yellow('+');
    case 'narrowing':
      return '-';
    case 'destructive':
      return f.red('!');
    case 'irreversible':
      return f.red('!!');
    case 'read':
      return '';
  }
}
