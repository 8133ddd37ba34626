import { countAudit, describeUserRow, USER_ROW_HEADINGS } from './summarise-users.js';
import type { AuditSnapshot } from './types.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

/** `reports/audit.md`: the audit as a document an operator can attach to a change ticket. */
export function renderAuditMarkdown(snapshot: AuditSnapshot): string {
  const now = new Date(snapshot.generatedAt);
  const counts = countAudit(snapshot);
  const lines: string[] = [
    `# IAM audit of account ${snapshot.caller.accountId}${snapshot.accountAlias ? ` (${snapshot.accountAlias})` : ''}`,
    '',
    `- Generated: ${snapshot.generatedAt} by ${snapshot.caller.arn}`,
    `- Credential report: ${snapshot.credentialReport ? `${snapshot.credentialReport.generatedAt}${snapshot.credentialReport.reused ? ' (reused, under 4 hours old)' : ''}` : 'not available'}`,
    `- Identity Center: ${describeIdentityCenter(snapshot)}`,
    '',
    '## Summary',
    '',
    table(
      ['users', 'human', 'machine', 'unknown', 'administrators', 'console users', 'console without MFA', 'active keys'],
      [[counts.users, counts.human, counts.machine, counts.unknown, counts.admins, counts.consoleUsers, counts.consoleWithoutMfa, counts.activeKeys]],
    ),
    '',
  ];
  if (snapshot.gaps.length > 0) {
    lines.push('## What could not be read', '', ...snapshot.gaps.map((g) => `- **${g.source}** (${g.errorName}): ${g.impact}`), '');
  }
  lines.push('## Findings', '');
  const findings = [...snapshot.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  lines.push(
    findings.length === 0
      ? 'No findings.'
      : table(['severity', 'subject', 'finding', 'what to do'], findings.map((f) => [f.severity, f.subject ?? '-', f.message, f.recommendation])),
    '',
    '## Users',
    '',
    table(USER_ROW_HEADINGS, snapshot.users.map((u) => describeUserRow(u, now))),
    '',
    '## Classification reasons',
    '',
    ...snapshot.users.map(
      (u) => `- **${u.userName}**: ${u.classification.kind} — ${u.classification.reasons.map((r) => r.detail).join('; ') || 'no signal'}`,
    ),
    '',
    '## Groups',
    '',
    table(
      ['group', 'members', 'managed policies', 'inline policies'],
      snapshot.groups.map((g) => [g.name, g.members.join(', ') || '-', g.attachedPolicies.map((p) => p.name).join(', ') || '-', g.inlinePolicies.map((p) => p.name).join(', ') || '-']),
    ),
    '',
  );
  return lines.join('\n');
}

function describeIdentityCenter(snapshot: AuditSnapshot): string {
  if (!snapshot.identityCenter) return 'unknown (see below)';
  const [instance] = snapshot.identityCenter.instances;
  if (!instance) return `no instance found in ${snapshot.identityCenter.region}`;
  return `${instance.instanceArn} (identity store ${instance.identityStoreId}, ${instance.region})`;
}

function table(head: string[], rows: (string | number)[][]): string {
  const escape = (cell: string | number) => String(cell).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${head.map(escape).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n');
}
