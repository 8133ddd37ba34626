import type { TextFormat } from '../io/io-host.js';
import type { PhaseChecklist } from '../services/status/phase-checklist.js';
import type { StatusResult } from '../services/status/read-status.js';

const MARK = { done: '✔', partial: '◐', pending: '○' } as const;

/** The phase checklist, one line a phase, and the next step. */
export function renderChecklist(checklist: PhaseChecklist, f: TextFormat): string {
  const lines = checklist.phases.map((p) => {
    const mark = p.state === 'done' ? f.green(MARK.done) : p.state === 'partial' ? f.yellow(MARK.partial) : f.dim(MARK.pending);
    return `  ${mark} ${p.id.padEnd(23)} ${p.detail}`;
  });
  const next = checklist.next.phase ? `Next: ${f.bold(`iam2idc ${checklist.next.phase}`)}: ${checklist.next.why}` : f.green(checklist.next.why);
  return [...lines, '', next].join('\n');
}

export function renderStatus(result: StatusResult, f: TextFormat): string {
  const rows = result.users.map((u) => [
    u.userName,
    u.kind,
    u.identityCenterUser ?? '-',
    u.groups.join(', ') || '-',
    u.permissionSets.join(', ') || '-',
    u.kind !== 'human' ? '-' : u.accessVerified ? f.green('verified') : f.yellow(u.accessMissing.length > 0 ? `missing ${u.accessMissing.length}` : 'not verified'),
    permissionsCell(u.kind === 'human' ? u.permissions : null, f),
    u.lastUsed ? u.lastUsed.slice(0, 10) : '-',
    u.state === 'disabled' ? `disabled ${u.disabledAt?.slice(0, 10) ?? ''}` : u.state === 'deleted' ? f.dim('deleted') : u.protected ? `${u.state} (protected)` : u.state,
  ]);
  const humans = result.users.filter((u) => u.kind === 'human' && !u.protected);
  return [
    f.bold(`Account ${result.accountId}, workspace ${result.workspace}`),
    renderChecklist(result.checklist, f),
    '',
    f.table(['IAM user', 'kind', 'Identity Center user', 'groups', 'permission sets', 'access', 'permissions', 'last used', 'state'], rows),
    `${humans.filter((u) => u.migrated).length} of ${humans.length} people migrated.`,
    ...result.gaps.map((g) => f.yellow(`⚠ ${g}`)),
  ].join('\n');
}

/** verify's verdict: an escalation stands out, as it holds the person back from disable. */
function permissionsCell(verdict: 'same' | 'escalation' | 'loss' | 'unverified' | null, f: TextFormat): string {
  if (verdict === null) return '-';
  if (verdict === 'escalation') return f.red('escalation');
  return verdict === 'same' ? f.green('same') : f.yellow(verdict);
}
