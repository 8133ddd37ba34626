import type { TextFormat } from '../../io/io-host.js';
import type { GeneratePoliciesResult } from './generate-policies.js';
import type { GenerationDecision } from './policy-generation-phase.js';
import type { FindingSeverity } from './types.js';

/** The policy phase at a glance: one row per permission set, then what needs the operator. */
export function renderPoliciesSummary(result: GeneratePoliciesResult, f: TextFormat): string {
  if (result.sets.length === 0) {
    return 'No permission set in mapping.yaml has a source IAM group or user: nothing to generate.';
  }
  const out: string[] = [
    f.table(
      ['permission set', 'from', 'basis', 'managed', 'customer-managed', 'inline chars', 'validation', 'ready'],
      result.sets.map((s) => [
        s.name,
        `${s.source.kind} ${s.source.name}`,
        s.basis,
        s.managedPolicies.length,
        s.customerManagedPolicies.length,
        s.inlinePolicyFile ? `${s.inlinePolicyChars}` : '-',
        describeValidation(s.validation.counts, s.validation.byAccessAnalyzer),
        s.ready ? f.green('yes') : f.red('no'),
      ]),
    ),
  ];
  const attention = result.sets.flatMap((s) => [
    ...s.notes.filter((n) => n.severity !== 'info').map((n) => `${s.name}: ${n.severity === 'error' ? f.red(n.message) : f.yellow(n.message)}`),
    ...SEVERITIES.flatMap((severity) =>
      s.validation.findings
        .filter((x) => x.severity === severity && severity !== 'SUGGESTION')
        .map((x) => `${s.name}: ${paint(severity, f)(`${severity} ${x.code}${x.location ? ` at ${x.location}` : ''}: ${x.message}`)}`),
    ),
    ...(s.file === 'kept-operator-edit' ? [`${s.name}: ${s.inlinePolicyFile} was edited by hand and kept (--regenerate replaces it)`] : []),
    ...(s.comparison && s.comparison.grantedButUnused.length > 0 ? [`${s.name}: ${s.comparison.grantedButUnused.length} granted action(s) never used in the window`] : []),
  ]);
  if (result.splits.length > 0) {
    out.push('', f.bold(`Split so that no one gains access (mapping.yaml ${result.dryRun ? 'would be updated' : 'updated'})`), ...result.splits.map((s) => `  - ${s.to} from ${s.from} for ${s.members.join(', ')}: ${s.because}`));
  }
  if (attention.length > 0) out.push('', f.bold('Needs your attention'), ...attention.map((line) => `  - ${line}`));
  if (result.validationSkip) out.push('', f.yellow(`Validation ran locally only: ${result.validationSkip.message}`));
  if (result.activity?.plannedJobs) {
    out.push('', ...renderPlannedJobs(result.activity.plannedJobs, f));
  } else if (result.activity) {
    out.push('', `Activity analysed for ${result.activity.analysedUsers.length} user(s)${result.activity.remainingUsers.length ? `; still queued: ${result.activity.remainingUsers.join(', ')}` : ''}.`);
  }
  const notReady = result.sets.filter((s) => !s.ready).length;
  out.push(
    '',
    ...(result.dryRun ? renderPlannedWrites(result, f) : [`Policies in ${result.files.length ? 'policies/' : '(no file written)'} · mapping.yaml updated · report in reports/policies.md`]),
    notReady ? f.yellow(`${notReady} permission set(s) not ready: fix them and re-run.`) : f.green('Every permission set is ready.'),
  );
  return out.join('\n');
}

/** A dry-run's Access Analyzer jobs: which a real run would start, and over which window. */
function renderPlannedJobs(jobs: GenerationDecision[], f: TextFormat): string[] {
  if (jobs.length === 0) return ['Dry run: no policy generation job to start.'];
  return [
    f.bold('Policy generation jobs a real run would work through (none started)'),
    f.table(
      ['IAM user', 'permission sets', 'step', 'CloudTrail window'],
      jobs.map((j) => [j.userName, j.permissionSets.join(', '), j.step, j.window ? `${j.window.startTime.slice(0, 16)}Z to ${j.window.endTime.slice(0, 16)}Z` : '-']),
    ),
  ];
}

/** A dry-run's files: what a real run would create or change, nothing written. */
function renderPlannedWrites(result: GeneratePoliciesResult, f: TextFormat): string[] {
  const changed = result.changes.filter((c) => c.change !== 'unchanged');
  const lines = [f.bold(`Dry run: nothing written. A real run would write ${changed.length} file(s)${changed.length ? ':' : '.'}`)];
  lines.push(...changed.map((c) => `  ${c.change === 'create' ? '+' : '~'} ${c.path}`));
  if (result.mappingChanges.length > 0) {
    lines.push('mapping.yaml permission sets:', ...result.mappingChanges.map((m) => `  ${m.change === 'added' ? '+' : '~'} ${m.permissionSet}: ${m.fields.join(', ')}`));
  }
  return lines;
}

/** Validation findings are listed most severe first; suggestions stay in the report. */
const SEVERITIES: FindingSeverity[] = ['ERROR', 'SECURITY_WARNING', 'WARNING', 'SUGGESTION'];

function paint(severity: FindingSeverity, f: TextFormat): (text: string) => string {
  return severity === 'ERROR' ? f.red : f.yellow;
}

function describeValidation(counts: Record<string, number>, byAccessAnalyzer: boolean): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity.toLowerCase().replace('_', ' ')}`);
  return `${parts.join(', ') || 'clean'}${byAccessAnalyzer ? '' : ' (local)'}`;
}
