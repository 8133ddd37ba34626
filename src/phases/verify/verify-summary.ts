import type { TextFormat } from '../../io/io-host.js';
import type { VerifyOutcome } from './run-verify.js';
import type { PersonVerification, VerifyFinding } from './verify-people.js';

const FINDINGS_SHOWN = 5;

/** verify's verdicts: a row per person, then the first few gains and losses of each person who has any. */
export function renderVerifySummary(result: VerifyOutcome & { reportFile: string }, f: TextFormat): string {
  const { counts } = result;
  const lines = [
    f.bold(`Permissions of ${result.people.length} person(s): ${counts.same} same, ${counts.escalation} escalation(s), ${counts.loss} loss(es), ${counts.unverified} unverified`),
    '',
  ];
  if (result.people.length > 0) {
    lines.push(f.table(['Person', 'IAM user', 'Permission sets', 'Verdict', 'Gained', 'Lost'], result.people.map((p) => [p.userName, p.iamUser, p.permissionSets.join(', ') || '-', verdictCell(p, f), String(p.gained.length), String(p.lost.length)])));
  }
  for (const person of result.people) {
    const open = person.gained.filter((g) => g.acknowledged === null);
    if (open.length === 0 && person.lost.length === 0 && person.unknownPolicies.length === 0) continue;
    lines.push('', f.bold(`${person.userName} (${person.iamUser})`));
    for (const unknown of person.unknownPolicies) lines.push(`  ${f.yellow('unknown')} ${unknown}`);
    lines.push(...open.slice(0, FINDINGS_SHOWN).map((g) => `  ${f.red('gains')} ${describe(g)} via ${g.permissionSets.join(', ')}`));
    if (open.length > FINDINGS_SHOWN) lines.push(f.dim(`  … and ${open.length - FINDINGS_SHOWN} more gain(s)`));
    lines.push(...person.lost.slice(0, FINDINGS_SHOWN).map((l) => `  ${f.yellow('loses')} ${describe(l)}`));
    if (person.lost.length > FINDINGS_SHOWN) lines.push(f.dim(`  … and ${person.lost.length - FINDINGS_SHOWN} more loss(es)`));
  }
  for (const unread of result.unreadPolicies) lines.push('', f.yellow(`Could not read ${unread.arn}: ${unread.reason}`));
  lines.push('', f.dim(`Details: ${result.reportFile}`));
  return lines.join('\n');
}

function verdictCell(person: PersonVerification, f: TextFormat): string {
  if (person.verdict === 'escalation') return f.red('escalation');
  if (person.verdict === 'loss' || person.verdict === 'unverified') return f.yellow(person.verdict);
  return f.green(person.verdict);
}

function describe(finding: VerifyFinding): string {
  const more = finding.moreResources > 0 ? ` (+${finding.moreResources})` : '';
  return `${finding.action} on ${finding.resources.join(', ')}${more}${finding.certain ? '' : ' under a condition'}`;
}
