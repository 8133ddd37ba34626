import type { TextFormat } from '../../io/io-host.js';
import type { CleanupDecision } from './plan-cleanup.js';
import type { RestoreDecision } from './plan-restore.js';
import type { CleanupResult } from './cleanup-phase.js';
import type { RestoreResult } from './restore-phase.js';
import { renderExecutionSummary } from '../../plan/render-execution-summary.js';

/** Before the cleanup plan: per user, what is deleted and, apart, what no restore brings back. */
export function renderCleanupDecisions(decisions: CleanupDecision[], f: TextFormat): string {
  if (decisions.length === 0) return f.yellow('No user to delete: iam2idc has disabled nobody in this workspace (name others with --users).');
  const rows = decisions.map((d) => [
    d.userName,
    d.status === 'planned' ? f.red('delete') : d.status === 'gone' ? f.dim('already deleted') : f.yellow(`left out: ${d.exclusion?.message ?? ''}`),
    d.disabledSince ?? '-',
    d.deletes.join('\n') || '-',
    d.unrecoverable.map((u) => f.red(u)).join('\n') || '-',
  ]);
  return [
    f.bold('Cleanup: the users are backed up, then deleted.'),
    f.table(['IAM user', 'decision', 'disabled since', 'deleted', 'cannot be restored'], rows),
    f.dim('restore --user <name> re-creates a user from backups/<user>-<userId>.json, without what the last column lists.'),
  ].join('\n');
}

export function renderCleanupSummary(result: CleanupResult, f: TextFormat): string {
  const lines = [renderExecutionSummary(result.execution, f)];
  if (result.planFile) lines.push(`Plan saved to ${result.planFile}: apply it with \`iam2idc cleanup --plan ${result.planFile}\`.`);
  if (result.deleted.length > 0) {
    const backups = result.decisions.filter((d) => result.deleted.includes(d.userName) && d.backup !== null).map((d) => d.backup);
    lines.push(f.bold(`${result.deleted.length} user(s) deleted: ${result.deleted.join(', ')}. Each was backed up first: ${backups.join(', ')}.`));
  }
  const stopped = result.decisions.filter((d) => d.status === 'planned' && !result.deleted.includes(d.userName));
  if (!result.execution.dryRun && stopped.length > 0) lines.push(f.yellow(`Not finished: ${stopped.map((d) => d.userName).join(', ')}; run cleanup again to finish (what is done is not repeated).`));
  return lines.join('\n');
}

export function renderRestoreDecisions(decisions: RestoreDecision[], f: TextFormat): string {
  if (decisions.length === 0) return f.yellow('No backup to restore.');
  const rows = decisions.map((d) => [
    d.userName,
    d.status === 'excluded' ? f.yellow(`left out: ${d.exclusion ?? ''}`) : d.status === 'resumed' ? 'restore (resume)' : 'restore',
    d.restores.join('\n'),
    d.cannotRestore.map((c) => f.red(c.what)).join('\n'),
  ]);
  return [
    f.bold('Restore from backups:'),
    f.table(['IAM user', 'decision', 'recreated', 'cannot be restored'], rows),
    f.dim('The deny policy iam2idc added at disable is not put back: a restored user is as it was before disable, and has no credentials until you create them.'),
  ].join('\n');
}

export function renderRestoreSummary(result: RestoreResult, f: TextFormat): string {
  const lines = [renderExecutionSummary(result.execution, f)];
  if (result.planFile) lines.push(`Plan saved to ${result.planFile}: apply it with \`iam2idc restore --plan ${result.planFile}\`.`);
  for (const name of result.restored) {
    const decision = result.decisions.find((d) => d.userName === name);
    lines.push(f.bold(`${name} re-created (a new user: its UserId is not ${decision?.formerUserId ?? 'the old one'}). What you must do yourself:`));
    for (const item of decision?.cannotRestore ?? []) lines.push(`  - ${item.what}: ${item.instead}`);
  }
  return lines.join('\n');
}
