import { ADMIN_ROW_HEADINGS, countAudit, describeAdminRows, describeDeniedAdmins, describeUserRow, USER_ROW_HEADINGS } from './summarise-users.js';
import type { AuditSnapshot } from '../../model/inventory.js';

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
      ['users', 'human', 'machine', 'unknown', 'administrators', 'near-administrators', 'conditional administrators', 'console users', 'console without MFA', 'active keys'],
      [[counts.users, counts.human, counts.machine, counts.unknown, counts.admins, counts.nearAdmins, counts.conditionalAdmins, counts.consoleUsers, counts.consoleWithoutMfa, counts.activeKeys]],
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
    ...adminSection(snapshot),
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

function adminSection(snapshot: AuditSnapshot): string[] {
  const rows = describeAdminRows(snapshot);
  const denied = describeDeniedAdmins(snapshot);
  const unread = snapshot.users.filter((u) => (u.adminAccess?.unreadPolicies.length ?? 0) > 0);
  const lines = [
    '## Administrator access',
    '',
    '- **ADMIN**: allowed every action on every resource by its own policies, with no condition.',
    '- **near-admin**: can make itself administrator in one step (a policy on itself or its group, a policy version, an admin group, an admin role it can assume, re-trust or pass to compute, another administrator\'s credentials).',
    '- **conditional admin**: either of those, only under a condition the audit cannot know (MFA, region, source IP, tags).',
    '- Not seen: service control policies, resource policies other than role trust policies, role permissions boundaries, and chains of more than one step.',
    '',
    rows.length === 0 ? 'Nobody has administrator access or a step to it.' : table(ADMIN_ROW_HEADINGS, rows),
    '',
  ];
  if (denied.length > 0) lines.push('Administrator access cancelled by an explicit Deny:', '', table(['user', 'denied by'], denied), '');
  if (unread.length > 0) {
    lines.push('Policies whose documents could not be read (what they grant is not counted):', '', ...unread.map((u) => `- **${u.userName}**: ${u.adminAccess?.unreadPolicies.join(', ')}`), '');
  }
  return lines;
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
