import type { TextFormat } from '../../io/io-host.js';
import { denialGuidance } from './classify-denial.js';
import type { WatchDeniedResult } from './run-watch-denied.js';
import type { DenialLine } from './watch-accumulator.js';
import type { DeniedActionGroup } from './watch-report.js';
import { renderCreatePermissionSets } from '../create-permission-sets/create-permission-sets-summary.js';

const MAX_ROWS = 40;

/** One denial as it arrives in --follow: time, who, what, where, and which policy denied it. */
export function renderDenialLine(line: DenialLine, f: TextFormat): string {
  const who = line.permissionSet ? `${line.permissionSet} ${line.principal}` : line.principal;
  const cause = line.cause.fixableByPermissionSet ? f.yellow(line.cause.deniedBy) : f.dim(`${line.cause.deniedBy}${line.cause.explicit ? ' (explicit)' : ''}`);
  return [shortTime(line.time), f.bold(who), line.action, line.resource ?? '-', line.region ?? '-', cause].join('  ');
}

/** The watch: denied calls by permission set, other principals, IAM users still in use, and what was written. */
export function renderWatchDeniedSummary(result: WatchDeniedResult, f: TextFormat): string {
  const { report } = result;
  const lines: string[] = [
    f.bold(`Denied calls and IAM user activity, ${report.window.since} → ${report.window.until}`),
    f.dim(`${report.logGroup.name} (${report.logGroup.region}) via ${report.engine === 'insights' ? 'Logs Insights' : 'FilterLogEvents'}: ${report.stats.received} event(s) read, ${report.stats.matched} watched, ${report.stats.requests} request(s).`),
    ...(report.cutShort ? [f.yellow(`Stopped while reading: the events read are shown, but the window counts as read up to ${report.window.until} only.`)] : []),
    '',
  ];
  const setRows = report.permissionSets.flatMap((set) => set.actions.map((a) => [set.permissionSet, ...groupCells(a, f)]));
  if (setRows.length === 0) lines.push(f.green('No Identity Center session was denied in the window.'));
  else lines.push(f.bold('Denied by permission set'), table(f, ['Permission set', 'Action', 'Calls', 'Users', 'First seen', 'Last seen', 'Denied by', 'Example resource'], setRows));
  const otherRows = report.otherPrincipals.flatMap((p) => p.actions.map((a) => [p.principal, ...groupCells(a, f)]));
  if (otherRows.length > 0) lines.push('', f.bold('Denied, other principals'), table(f, ['Principal', 'Action', 'Calls', 'Users', 'First seen', 'Last seen', 'Denied by', 'Example resource'], otherRows));
  lines.push(...guidance(report.permissionSets.flatMap((s) => s.actions), f));

  lines.push('');
  if (report.iamUsers.length === 0) {
    lines.push(f.green('No IAM user of this account made a call in the window.'));
  } else {
    lines.push(f.bold(`IAM users still in use (${report.iamUsers.length}): not ready to be disabled`));
    lines.push(
      table(
        f,
        ['IAM user', 'Kind', 'Last event', 'Calls', 'Credentials', 'Source IPs', 'User agents'],
        report.iamUsers.map((u) => [
          u.userName,
          u.kind ?? '-',
          `${shortTime(u.lastSeen)} ${u.lastEvent.action}${u.lastEvent.denied ? ' (denied)' : ''}`,
          u.deniedCount > 0 ? `${u.eventCount} (${u.deniedCount} denied)` : String(u.eventCount),
          [...u.accessKeys.map((k) => k.accessKeyId), ...(u.consoleLastSeen ? ['console'] : [])].join(', ') || '-',
          u.sourceIps.map((v) => v.value).join(', '),
          u.userAgents.map((v) => shorten(v.value, 40)).join(', '),
        ]),
      ),
    );
  }

  lines.push('');
  for (const s of result.suggestions) lines.push(`Suggested for ${f.bold(s.permissionSet)}: ${s.actions.map((a) => a.action).join(', ')} → ${s.file}`);
  if (result.applied) lines.push(...appliedLines(result.applied, f));
  lines.push(f.dim(`Reports: ${result.files.markdown}, ${result.files.json}.${result.activityRecorded > 0 ? ` Last use of ${result.activityRecorded} IAM user(s) recorded for disable.` : ''}`));
  return lines.join('\n');
}

function groupCells(a: DeniedActionGroup, f: TextFormat): string[] {
  return [
    a.action,
    String(a.count),
    shorten(a.users.join(', '), 40),
    shortTime(a.firstSeen),
    shortTime(a.lastSeen),
    a.fixable ? f.yellow(a.deniedBy) : `${a.deniedBy}${a.explicit ? ' (explicit)' : ''}`,
    shorten(a.exampleResources[0] ?? '-', 48),
  ];
}

function guidance(groups: DeniedActionGroup[], f: TextFormat): string[] {
  const seen = new Map<string, string>();
  for (const g of groups) {
    const key = `${g.deniedBy}/${String(g.explicit)}`;
    if (!seen.has(key)) seen.set(key, f.dim(`  ${g.deniedBy}${g.explicit ? ' (explicit)' : ''}: ${denialGuidance(g)}`));
  }
  return seen.size === 0 ? [] : ['', ...seen.values()];
}

function appliedLines(applied: NonNullable<WatchDeniedResult['applied']>, f: TextFormat): string[] {
  const lines: string[] = [];
  for (const m of applied.merged) lines.push(`Merged into ${m.file}: ${m.actionsAdded.join(', ') || 'resources widened'}.`);
  for (const p of applied.problems) lines.push(f.yellow(`Not merged, ${p.permissionSet}: ${p.reason}.`));
  if (applied.run.permissionSets) lines.push(renderCreatePermissionSets(applied.run.permissionSets, f));
  if (applied.merged.length > 0 && applied.run.written.length === 0) lines.push(f.dim('The policy files were not changed (dry-run, or the plan was not applied).'));
  return lines;
}

function table(f: TextFormat, head: string[], rows: string[][]): string {
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length - shown.length;
  return f.table(head, shown) + (more > 0 ? `\n${f.dim(`… and ${more} more row(s): see the report.`)}` : '');
}

/** `2026-12-01T07:22:47.484Z` → `2026-12-01 07:22:47Z`: the tables stay narrow, the reports keep the full time. */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
