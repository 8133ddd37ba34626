import type { VerifyOutcome } from './run-verify.js';
import type { PersonVerification, VerifyFinding } from './verify-people.js';

/** `reports/verify.md`: per person, what their permission sets gain and lose against their IAM user. */
export function renderVerifyMarkdown(outcome: VerifyOutcome, generatedAt: string): string {
  const { counts } = outcome;
  const lines = [
    '# Permissions verified',
    '',
    `- Generated: ${generatedAt}`,
    `- People: ${outcome.people.length} (${counts.same} same, ${counts.escalation} with an escalation, ${counts.loss} with a loss, ${counts.unverified} unverified)`,
    '- Each IAM user is evaluated once over all of its policies and its groups\' (a Deny anywhere wins, the boundary caps all);',
    '  each permission set alone, as the role it becomes. What verify cannot see: service control policies, resource',
    '  policies, session policies, and conditions it cannot decide (counted as undecided). What an IAM user could do to',
    '  itself (its keys, password, MFA) is moot once it is gone, and counted apart.',
    '',
    '| person | IAM user | permission sets | verdict | gained | lost | moot | requests | undecided |',
    '|---|---|---|---|---|---|---|---|---|',
    ...outcome.people.map(
      (p) =>
        `| ${p.userName} | ${p.iamUser} | ${p.permissionSets.join(', ') || '(none)'} | ${p.verdict === 'escalation' ? '**escalation**' : p.verdict} | ${p.gained.length} | ${p.lost.length} | ${p.moot} | ${p.compared} | ${p.undecided} |`,
    ),
    '',
  ];
  if (outcome.unreadPolicies.length > 0) {
    lines.push('AWS-managed policies that could not be read:', ...outcome.unreadPolicies.map((p) => `- \`${p.arn}\`: ${p.reason}`), '');
  }
  for (const person of outcome.people.filter((p) => p.verdict !== 'same' || p.gained.length > 0)) lines.push(...renderPerson(person));
  return lines.join('\n');
}

function renderPerson(person: PersonVerification): string[] {
  const lines = [`## ${person.userName} (IAM user ${person.iamUser}): ${person.verdict}`, ''];
  if (person.unknownPolicies.length > 0) lines.push('Could not be judged, because these are unknown:', ...person.unknownPolicies.map((u) => `- ${u}`), '');
  if (person.gained.length > 0) {
    lines.push('Gained (a permission set allows what the IAM user could not do):', '');
    for (const finding of person.gained) lines.push(...renderFinding(finding, 'gained'));
    lines.push('', 'Fix the permission set (regenerate its policy, add the Deny or the boundary), or accept the gain under `acknowledgedEscalations` of this user in mapping.yaml with a reason.', '');
  }
  if (person.lost.length > 0) {
    lines.push('Lost (the IAM user could, no permission set can):', '');
    for (const finding of person.lost) lines.push(...renderFinding(finding, 'lost'));
    lines.push('');
  }
  return lines;
}

function renderFinding(finding: VerifyFinding, direction: 'gained' | 'lost'): string[] {
  const on = [...finding.resources.map((r) => `\`${r}\``), ...(finding.moreResources > 0 ? [`${finding.moreResources} more`] : [])].join(', ');
  const certainty = finding.certain ? '' : ' (under a condition)';
  const head =
    direction === 'gained'
      ? `- \`${finding.action}\` on ${on}${certainty}: allowed by ${finding.afterStatements.join('; ') || finding.permissionSets.join(', ')}; in IAM ${finding.iamDecision}${finding.iamStatements.length ? ` by ${finding.iamStatements.join('; ')}` : ''}`
      : `- \`${finding.action}\` on ${on}${certainty}: allowed in IAM by ${finding.iamStatements.join('; ') || 'its policies'}${finding.afterStatements.length ? `; held back by ${finding.afterStatements.join('; ')}` : ''}`;
  return finding.acknowledged === null ? [head] : [`${head}; acknowledged: ${finding.acknowledged}`];
}
