import type { Workspace } from '../../workspace/workspace.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import type { WatchReport } from './watch-report.js';

type Activity = NonNullable<WorkspaceState['phases']['activity']>;
type Window = Activity['windows'][number];

/**
 * Records what the watch saw in `workspace.json` (`phases.activity`): the window is merged into the
 * windows read before, and each IAM user's last use only ever moves forward, so that a later, shorter
 * window never hides an earlier use of the old credentials. Returns the activity written.
 */
export async function recordActivity(workspace: Workspace, report: WatchReport, now: Date): Promise<Activity | null> {
  const state = await workspace.updateState({ phase: 'activity', update: (previous) => mergedActivity(previous, report, now) });
  return state?.phases.activity ?? null;
}

/** The activity record with this watch's window and users merged into what was read before. */
function mergedActivity(previous: Activity | undefined, report: WatchReport, now: Date): Activity {
  const users: Activity['users'] = { ...(previous?.users ?? {}) };
  for (const user of report.iamUsers) {
    const before = users[user.userName];
    // A different UserId is a re-created user: the old one's use says nothing about it.
    const same = before !== undefined && (before.userId === null || user.userId === null || before.userId === user.userId);
    const accessKeys = { ...(same ? before.accessKeys : {}) };
    for (const key of user.accessKeys) accessKeys[key.accessKeyId] = later(accessKeys[key.accessKeyId], key.lastSeen);
    const newer = !same || user.lastSeen >= before.lastSeen;
    users[user.userName] = {
      userId: user.userId ?? (same ? before.userId : null),
      lastSeen: newer ? user.lastSeen : before.lastSeen,
      lastAction: newer ? user.lastEvent.action : before.lastAction,
      eventCount: user.eventCount,
      accessKeys,
      consoleLastSeen: laterOrNull(same ? before.consoleLastSeen : null, user.consoleLastSeen),
    };
  }
  const activity: Activity = {
    firstRunAt: previous?.firstRunAt ?? now.toISOString(),
    lastRunAt: now.toISOString(),
    logGroup: report.logGroup.name,
    windows: mergeWindows([...(previous?.logGroup === report.logGroup.name ? previous.windows : []), ...(report.window.since < report.window.until ? [report.window] : [])]),
    users,
    deniedByPermissionSet: Object.fromEntries(report.permissionSets.map((s) => [s.permissionSet, s.total])),
  };
  return activity;
}

/** Sorts windows and joins those that overlap or touch. */
export function mergeWindows(windows: Window[]): Window[] {
  const sorted = [...windows].sort((a, b) => a.since.localeCompare(b.since));
  const merged: Window[] = [];
  for (const window of sorted) {
    const last = merged[merged.length - 1];
    if (last && window.since <= last.until) last.until = later(last.until, window.until);
    else merged.push({ ...window });
  }
  return merged;
}

function later(a: string | undefined, b: string): string {
  return a === undefined || b > a ? b : a;
}

function laterOrNull(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}
