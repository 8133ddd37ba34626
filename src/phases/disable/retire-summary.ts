import type { TextFormat } from '../../io/io-host.js';
import type { UserDecision } from './plan-disable.js';
import type { DisableResult } from './disable-phase.js';
import type { EnableDecision, EnableResult } from './enable-phase.js';
import { renderExecutionSummary } from '../../plan/render-execution-summary.js';

/** Before the disable plan: per user, the deny policy, the keys with their last use, and the gate. */
export function renderDisableDecisions(decisions: UserDecision[], cutover: Date, f: TextFormat): string {
  if (decisions.length === 0) return f.yellow('No user to disable: the mapping has no human user (name others with --users).');
  const rows = decisions.map((d) => [
    d.userName,
    d.kind,
    status(d, f),
    denyCell(d),
    d.keys.length === 0 ? '-' : d.keys.map((k) => `${k.accessKeyId} ${k.status}${k.deactivate ? ' → Inactive' : ''}, last used ${k.lastUsed ? k.lastUsed.slice(0, 10) : 'never'}`).join('\n'),
    gateCell(d, f),
  ]);
  return [
    f.bold(`Disable, with the cut-over at ${cutover.toISOString()}:`),
    f.table(['IAM user', 'kind', 'decision', 'deny policy', 'access keys', 'evidence gate'], rows),
    f.dim('The console password is left as it is: disable is reversible with `iam2idc enable`; cleanup deletes the login profile.'),
  ].join('\n');
}

export function renderDisableSummary(result: DisableResult, f: TextFormat): string {
  const lines = [renderExecutionSummary(result.execution, f)];
  if (result.planFile) lines.push(`Plan saved to ${result.planFile}: apply it with \`iam2idc disable --plan ${result.planFile}\`.`);
  const excluded = result.decisions.filter((d) => d.status === 'excluded');
  if (excluded.length > 0) lines.push(f.yellow(`${excluded.length} user(s) left out: ${excluded.map((d) => `${d.userName} (${d.exclusion?.code ?? '?'})`).join(', ')}.`));
  if (result.disabled.length > 0) {
    lines.push(f.bold(`${result.disabled.length} user(s) disabled: ${result.disabled.join(', ')}.`), f.dim('What changed is in the journal; `iam2idc enable` reverses exactly that.'));
  }
  return lines.join('\n');
}

/** Before the enable plan: per user, what disable added and enable will take back. */
export function renderEnableDecisions(decisions: EnableDecision[], f: TextFormat): string {
  if (decisions.length === 0) return f.yellow('No user was disabled by iam2idc in this workspace: nothing to enable.');
  const rows = decisions.map((d) => [
    d.userName,
    d.status === 'planned' ? 'enable' : d.status === 'deleted' ? f.red('deleted by cleanup: use restore') : f.dim('nothing to undo'),
    d.disabledSince ?? '-',
    d.undo.length === 0 ? '-' : d.undo.join('\n'),
  ]);
  return [f.bold('Enable (only what iam2idc disabled):'), f.table(['IAM user', 'decision', 'disabled since', 'switched back on'], rows)].join('\n');
}

export function renderEnableSummary(result: EnableResult, f: TextFormat): string {
  const lines = [renderExecutionSummary(result.execution, f)];
  if (result.planFile) lines.push(`Plan saved to ${result.planFile}: apply it with \`iam2idc enable --plan ${result.planFile}\`.`);
  if (result.enabled.length > 0) lines.push(f.bold(`${result.enabled.length} user(s) enabled again: ${result.enabled.join(', ')}.`));
  return lines.join('\n');
}

function status(d: UserDecision, f: TextFormat): string {
  switch (d.status) {
    case 'planned':
      return 'disable';
    case 'forced':
      return f.yellow('disable (forced)');
    case 'guarded':
      return f.red('refused by the lockout guard');
    case 'nothing-to-do':
      return f.dim('already disabled');
    case 'excluded':
      return f.red(d.exclusion?.code === 'GATE' ? 'left out: gate' : `left out: ${d.exclusion?.message ?? ''}`);
  }
}

/** Only what failed is spelled out: a passed gate is one word. */
function gateCell(d: UserDecision, f: TextFormat): string {
  if (d.gate.checks.length === 0) return '-';
  if (d.gate.passed) return f.green('✓ passed');
  return d.gate.checks.filter((c) => !c.passed).map((c) => f.red(`✗ ${c.message}`)).join('\n');
}

function denyCell(d: UserDecision): string {
  switch (d.denyPolicy?.kind) {
    case undefined:
      return '-';
    case 'inline':
      return `${d.denyPolicy.policyName} (inline)`;
    case 'managed':
      return 'AWSDenyAll (inline budget full)';
    case 'present':
      return d.denyPolicy.reason;
  }
}
