import { denialGuidance } from './classify-denial.js';
import type { DeniedActionGroup, IamUserActivity, WatchReport } from './watch-report.js';

/** The watch as a document for the change ticket: denied calls per permission set, then IAM users still in use. */
export function renderDeniedMarkdown(report: WatchReport, suggestionFiles: Record<string, string>): string {
  const lines: string[] = [
    `# Denied calls and IAM user activity — account ${report.accountId}`,
    '',
    `Window: ${report.window.since} → ${report.window.until}${report.follow ? ' (followed)' : ''}. Log group \`${report.logGroup.name}\` (${report.logGroup.region}), read with ${report.engine === 'insights' ? 'Logs Insights' : 'FilterLogEvents'}: ${report.stats.received} event(s) received, ${report.stats.matched} watched, ${report.stats.duplicates} duplicate(s) dropped.`,
    '',
    `**${report.totals.denied} denied call(s)**, ${report.totals.fixable} of them fixable by a permission set; **${report.iamUsers.length} IAM user(s) still in use**.`,
    '',
    '## Denied calls by permission set',
    '',
  ];
  if (report.permissionSets.length === 0) lines.push('No Identity Center session was denied in the window.', '');
  for (const set of report.permissionSets) {
    lines.push(`### ${set.permissionSet}${set.inMapping ? '' : ' (not in mapping.yaml)'}`, '', `${set.total} denied call(s).${suggestionFiles[set.permissionSet] ? ` Suggested patch: \`${suggestionFiles[set.permissionSet]}\`.` : ''}`, '');
    lines.push(...actionTable(set.actions), '');
  }
  if (report.otherPrincipals.length > 0) {
    lines.push('## Denied calls of other principals', '', 'Not Identity Center sessions: IAM users (a deny-all from `disable` shows here), roles, the root user, services.', '');
    for (const principal of report.otherPrincipals) {
      lines.push(`### ${principal.principal}`, '', ...actionTable(principal.actions), '');
    }
  }
  lines.push(...whatToDo(report));
  lines.push('## IAM users still in use', '');
  if (report.iamUsers.length === 0) lines.push('No IAM user of this account made a call in the window.', '');
  else lines.push(...userTable(report.iamUsers), '', 'These users are not ready to be disabled: their old credentials are still in use.', '');
  return `${lines.join('\n')}\n`;
}

function actionTable(actions: DeniedActionGroup[]): string[] {
  const rows = actions.map((a) =>
    [
      `\`${a.action}\`${a.actionKnown ? '' : ' (not in the action database)'}`,
      String(a.count),
      a.users.join(', '),
      a.firstSeen,
      a.lastSeen,
      `${a.deniedBy}${a.explicit ? ' (explicit deny)' : ''}`,
      a.exampleResources.map((r) => `\`${r}\``).join('<br>') || '—',
    ].map(cell),
  );
  return ['| action | calls | users | first seen | last seen | denied by | example resources |', '|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function userTable(users: IamUserActivity[]): string[] {
  const rows = users.map((u) =>
    [
      u.userName,
      u.kind ?? 'not in mapping',
      `${u.lastSeen} (${u.lastEvent.action}${u.lastEvent.denied ? ', denied' : ''})`,
      `${u.eventCount}${u.deniedCount > 0 ? ` (${u.deniedCount} denied)` : ''}`,
      u.accessKeys.map((k) => `${k.accessKeyId} ${k.lastSeen}`).join('<br>') || '—',
      u.consoleLastSeen ?? '—',
      u.sourceIps.map((v) => `${v.value} (${v.count})`).join(', '),
      u.userAgents.map((v) => `${v.value} (${v.count})`).join('<br>'),
    ].map(cell),
  );
  return [
    '| IAM user | kind | last event | calls | access keys (last seen) | console | source IPs | user agents |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function whatToDo(report: WatchReport): string[] {
  const causes = new Map<string, string>();
  for (const group of [...report.permissionSets, ...report.otherPrincipals].flatMap((s) => s.actions)) {
    const key = `${group.deniedBy}/${String(group.explicit)}`;
    if (!causes.has(key)) causes.set(key, `- **${group.deniedBy}${group.explicit ? ', explicit deny' : ''}**: ${denialGuidance(group)}`);
  }
  return causes.size === 0 ? [] : ['## What each kind of denial means', '', ...causes.values(), ''];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
