import type { TextFormat } from '../../io/io-host.js';
import type { AssignResult } from './assign-phase.js';
import { renderExecutionSummary } from '../../plan/render-execution-summary.js';

/** After assign: the run, who is new (and the onboarding report), who is not resolved, who is verified. */
export function renderAssignSummary(result: AssignResult, f: TextFormat): string {
  const lines = [renderExecutionSummary(result.execution, f)];
  if (result.planFile) lines.push(`Plan saved to ${result.planFile}: apply it with \`iam2idc assign --plan ${result.planFile}\`.`);
  if (result.onboardingReport) lines.push(f.bold(`${result.newUsers.length} new Identity Center user(s): send them what ${result.onboardingReport} says (the API sends no invitation).`));
  for (const unresolved of result.unresolved) lines.push(f.yellow(`${unresolved.user}: ${unresolved.reason}. ${unresolved.whatToDoInIdp}`));
  if (result.groupOnly) lines.push(f.yellow('No user could be resolved in the identity source: assign groups only (groups provisioned by the IdP), then run assign again.'));
  const access = Object.entries(result.access);
  if (access.length > 0) {
    const verified = access.filter(([, a]) => a.verified).length;
    lines.push(`${verified} of ${access.length} human user(s) have verified access through Identity Center.`);
    for (const [user, a] of access.filter(([, a]) => !a.verified)) lines.push(f.dim(`  ${user}: missing ${a.missing.join(', ') || 'an assignment'}`));
  }
  return lines.join('\n');
}
