import type { PolicySetResult } from './policy-set-result.js';
import type { FidelitySplit } from './split-for-fidelity.js';

/** `reports/policies.md`: per permission set, what it carries, why, and what to check before going on. */
export function renderPoliciesMarkdown(results: PolicySetResult[], generatedAt: string, activity: string, splits: readonly FidelitySplit[] = []): string {
  const lines = [
    '# Permission set policies',
    '',
    `- Generated: ${generatedAt}`,
    `- Activity: ${activity}`,
    '',
    '| permission set | source | basis | managed | customer-managed | inline chars | validation | ready |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.source.kind} ${r.source.name} | ${r.basis} | ${r.managedPolicies.length} | ${r.customerManagedPolicies.length} | ${r.inlinePolicyChars} | ${describeValidation(r)} | ${r.ready ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  if (splits.length > 0) {
    lines.push(
      '## Sets split so that no one gains access',
      '',
      'In IAM a Deny in any policy of a user or its groups, and the permissions boundary, apply to everything the user does. A permission set is evaluated alone, so people who differ in those cannot share one set. mapping.yaml now gives these people their own copy, directly assigned, and takes them out of the Identity Center group that gave them the original:',
      '',
      ...splits.map((s) => `- \`${s.to}\` (from \`${s.from}\`) for ${s.members.join(', ')}: ${s.because}`),
      '',
    );
  }
  for (const result of results) {
    lines.push(`## ${result.name}`, '');
    lines.push(`From ${result.source.kind} \`${result.source.name}\`, on the **${result.basis}** basis.`, '');
    if (result.managedPolicies.length) lines.push('AWS-managed policies:', ...result.managedPolicies.map((arn) => `- \`${arn}\``), '');
    if (result.customerManagedPolicies.length) {
      lines.push('Customer-managed policies (must exist by name and path in every target account):', ...result.customerManagedPolicies.map((p) => `- \`${p.path}${p.name}\``), '');
    }
    if (result.inlinePolicyFile) lines.push(`Inline policy: \`${result.inlinePolicyFile}\` (${result.inlinePolicyChars} of 10,240 characters).`, '');
    if (result.file === 'kept-operator-edit') lines.push('The policy file was edited by hand and was kept as it is (re-run with `--regenerate` to replace it).', '');
    if (result.notes.length) lines.push('Notes:', ...result.notes.map((n) => `- ${n.severity}: ${n.message} (\`${n.code}\`)`), '');
    if (result.validation.findings.length) {
      lines.push(`Validation (${result.validation.byAccessAnalyzer ? 'IAM Access Analyzer' : 'local checks only'}):`);
      lines.push(...result.validation.findings.map((f) => `- ${f.severity} ${f.code}${f.location ? ` at ${f.location}` : ''}: ${f.message}`), '');
    }
    if (result.comparison) {
      const c = result.comparison;
      lines.push(
        `Activity of ${c.usersAnalysed.length} user(s): ${c.granted} actions granted, ${c.used} used, ${c.proposed} proposed.`,
        ...(c.usersMissing.length ? [`No activity analysed for: ${c.usersMissing.join(', ')}.`] : []),
        ...(c.invisibleKept.length ? [`Kept although CloudTrail cannot show them: ${c.invisibleKept.map((a) => `\`${a}\``).join(', ')}.`] : []),
        ...(c.usedButNotGranted.length ? [`Used but not granted by this source (granted elsewhere): ${c.usedButNotGranted.map((a) => `\`${a}\``).join(', ')}.`] : []),
        '',
      );
      if (c.grantedButUnused.length) {
        lines.push('<details><summary>Granted but never used in the window</summary>', '', ...c.grantedButUnused.map((a) => `- \`${a}\``), '', '</details>', '');
      }
    }
  }
  return lines.join('\n');
}

function describeValidation(result: PolicySetResult): string {
  const { counts, byAccessAnalyzer } = result.validation;
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity.toLowerCase().replace('_', ' ')}`);
  return `${byAccessAnalyzer ? 'Access Analyzer' : 'local'}: ${parts.join(', ') || 'clean'}`;
}
