import type { TextFormat } from '../../io/io-host.js';
import { ADMIN_ROW_HEADINGS, countAudit, describeAdminRows, describeUserRow, USER_ROW_HEADINGS } from './summarise-users.js';
import type { AuditSnapshot, Finding } from '../../model/inventory.js';
import type { AuditOutputs } from './write-audit-outputs.js';

/** Beyond this, the terminal shows the first rows and points to the markdown report for the rest. */
const MAX_ROWS = 40;

const SEVERITY_ORDER: Finding['severity'][] = ['critical', 'high', 'medium', 'low', 'info'];

/** The audit as a person at a terminal reads it: who you are, the headline numbers, findings, users, next step. */
export function renderAuditSummary(snapshot: AuditSnapshot, outputs: AuditOutputs, f: TextFormat): string {
  const now = new Date(snapshot.generatedAt);
  const counts = countAudit(snapshot);
  const out: string[] = [];
  out.push(
    f.bold(`Account ${snapshot.caller.accountId}${snapshot.accountAlias ? ` (${snapshot.accountAlias})` : ''}`) +
      f.dim(`  as ${snapshot.caller.arn}`),
    `Identity Center: ${describeIdentityCenter(snapshot, f)}`,
    '',
    `${counts.users} IAM users: ${counts.human} human, ${counts.machine} machine, ${counts.unknown} to decide · ${counts.activeKeys} active access keys`,
    `Administrators: ${counts.admins} · near-administrators (one step from it): ${counts.nearAdmins} · ` +
      `conditional administrators (MFA, region, ...): ${counts.conditionalAdmins}`,
    '',
  );
  out.push(f.bold('Findings'), ...renderFindings(snapshot.findings, f));
  out.push(...renderAdmins(snapshot, f));
  out.push('', f.bold('Users'));
  out.push(f.table(USER_ROW_HEADINGS, snapshot.users.slice(0, MAX_ROWS).map((u) => describeUserRow(u, now))));
  if (snapshot.users.length > MAX_ROWS) out.push(f.dim(`… and ${snapshot.users.length - MAX_ROWS} more in reports/audit.md`));
  if (snapshot.gaps.length > 0) {
    out.push('', f.yellow('Not everything could be read:'));
    for (const gap of snapshot.gaps) out.push(`  - ${gap.source}: ${gap.impact}`);
  }
  out.push('', ...describeMapping(outputs, f), '', f.bold('Next: ') + 'review mapping.yaml and reports/audit.md; the next phase (generate-policies) starts from them.');
  return out.join('\n');
}

/** Who has administrator access, or a step to it, and through what. */
function renderAdmins(snapshot: AuditSnapshot, f: TextFormat): string[] {
  const rows = describeAdminRows(snapshot);
  if (rows.length === 0) return [];
  const lines = ['', f.bold('Administrator access'), f.table(ADMIN_ROW_HEADINGS, rows.slice(0, MAX_ROWS))];
  if (rows.length > MAX_ROWS) lines.push(f.dim(`… and ${rows.length - MAX_ROWS} more in reports/audit.md`));
  return lines;
}

/** Critical to medium findings one per row; low and info ones counted by rule, since they are many and minor. */
function renderFindings(findings: Finding[], f: TextFormat): string[] {
  if (findings.length === 0) return [f.green('No findings.')];
  const sorted = [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  const major = sorted.filter((x) => x.severity !== 'low' && x.severity !== 'info');
  const minorByRule = new Map<string, number>();
  for (const x of sorted) if (!major.includes(x)) minorByRule.set(x.rule, (minorByRule.get(x.rule) ?? 0) + 1);
  const lines: string[] = [];
  if (major.length > 0) {
    lines.push(f.table(['severity', 'subject', 'finding'], major.slice(0, MAX_ROWS).map((x) => [colourSeverity(x.severity, f), x.subject ?? '-', x.message])));
    if (major.length > MAX_ROWS) lines.push(f.dim(`… and ${major.length - MAX_ROWS} more in reports/audit.md`));
  }
  for (const [rule, count] of minorByRule) lines.push(f.dim(`${count} minor finding(s) ${rule}: see reports/audit.md`));
  return lines;
}

function describeIdentityCenter(snapshot: AuditSnapshot, f: TextFormat): string {
  if (!snapshot.identityCenter) return f.yellow('unknown (sso:ListInstances could not be read)');
  const [instance] = snapshot.identityCenter.instances;
  if (instance) return `${instance.instanceArn} (${instance.region}, identity store ${instance.identityStoreId})`;
  return f.yellow(
    `no instance in ${snapshot.identityCenter.region}. If it lives in another region, re-run with --region; otherwise enable it in the ` +
      'IAM Identity Center console of the management account: only an organization instance can assign AWS accounts.',
  );
}

function describeMapping(outputs: AuditOutputs, f: TextFormat): string[] {
  const { mapping } = outputs;
  if (mapping.created) return [`Draft mapping written to ${mapping.path}: edit it before the next phase.`];
  if (!mapping.updated && mapping.added.length === 0 && mapping.removed.length === 0) return [`Mapping ${mapping.path} unchanged.`];
  const lines = [`Mapping ${mapping.path} kept with your edits.`];
  if (mapping.added.length) lines.push(f.yellow(`  New IAM users added to it: ${mapping.added.join(', ')}`));
  if (mapping.removed.length) lines.push(f.yellow(`  IAM users no longer in the account (flagged, not removed): ${mapping.removed.join(', ')}`));
  return lines;
}

function colourSeverity(severity: Finding['severity'], f: TextFormat): string {
  if (severity === 'critical' || severity === 'high') return f.red(severity);
  if (severity === 'medium') return f.yellow(severity);
  return severity;
}
