import type { TextFormat } from '../../io/io-host.js';
import type { UnfinishedRun } from '../../plan/unfinished-runs.js';
import { describeRunShortly, type PhaseChecklist } from './phase-checklist.js';
import type { StatusResult } from './read-status.js';

/** The phase checklist, one line a phase, and the next step. */
export function renderChecklist(checklist: PhaseChecklist, f: TextFormat): string {
  const marks = { done: f.green('✔'), partial: f.yellow('◐'), pending: f.dim('○'), unfinished: f.yellow('!'), blocked: f.red('✖') };
  const lines = checklist.phases.map((p) => `  ${marks[p.state]} ${p.id.padEnd(23)} ${p.detail}`);
  const { next } = checklist;
  const headline = next.command ? `Next: ${f.bold(`iam2idc ${next.command}`)}: ${next.why}` : next.finished ? f.green(next.why) : f.yellow(next.why);
  return [...lines, '', headline].join('\n');
}

/** One unfinished run, with what it left and how to finish it. */
export function describeUnfinishedRun(run: UnfinishedRun): string {
  const left = run.leftTargets.length > 0 ? ` Left: ${run.leftTargets.join('; ')}${run.left !== null && run.left > run.leftTargets.length ? ` and ${run.left - run.leftTargets.length} more` : ''}.` : '';
  const finish = run.locked
    ? 'Let it finish; if it was killed, clear the lock with `iam2idc unlock <id>`, then run it again.'
    : `Run iam2idc ${run.command} again to finish it: calls in doubt are checked in AWS first, and nothing done is repeated.`;
  return `The last run of iam2idc ${run.command} (started ${run.startedAt}) ${describeRunShortly(run)}.${left} ${finish}`;
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
    ...result.unfinished.map((run) => f.yellow(`⚠ ${describeUnfinishedRun(run)}`)),
    ...(result.mappingProblem ? [f.red(`✖ mapping.yaml is not valid: ${result.mappingProblem}`)] : []),
    ...result.gaps.map((g) => f.yellow(`⚠ ${g}`)),
  ].join('\n');
}

/** verify's verdict: an escalation stands out, as it holds the person back from disable. */
function permissionsCell(verdict: 'same' | 'escalation' | 'loss' | 'unverified' | null, f: TextFormat): string {
  if (verdict === null) return '-';
  if (verdict === 'escalation') return f.red('escalation');
  return verdict === 'same' ? f.green('same') : f.yellow(verdict);
}
