/**
 * Whether AWS and the workspace agree about one user after a run, phase by phase. A run may stop
 * half-way (exit 1) and be run again; what it must never do is leave a change in AWS that the
 * workspace does not know of (enable could not undo it), or record as done what AWS does not have.
 */
import { expect } from 'vitest';
import type { DisableRecord } from '../../../src/workspace/disable-records.js';
import type { UserBackup } from '../../../src/workspace/user-backups.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import type { UserAccess } from './fault-state.js';

export const DENY_ALL = 'iam2idc-deny-all';
const RESTORED_FROM = 'iam2idc:restored-from';

/** The keys disable switched off: Active before it, Inactive now. */
export function keysSwitchedOff(before: UserAccess, now: UserAccess): string[] {
  return Object.keys(before.keys).filter((id) => before.keys[id] === 'Active' && now.keys[id] === 'Inactive').sort();
}

export function activeKeys(access: UserAccess): string[] {
  return Object.keys(access.keys).filter((id) => access.keys[id] === 'Active').sort();
}

/** After a disable run; `done` when it exited 0, so everything planned for the user must be applied and recorded. */
export function expectDisableAgrees(user: string, before: UserAccess, now: UserAccess, record: DisableRecord | null, done: boolean): void {
  const denyInAws = now.inline.includes(DENY_ALL);
  if (denyInAws) expect(record?.denyPolicy, `${user}: AWS has the ${DENY_ALL} iam2idc added, so its disable record must name it (or enable can never remove it)`).toMatchObject({ kind: 'inline', policyName: DENY_ALL });
  if (record?.denyPolicy?.state === 'done') expect(denyInAws, `${user}: the record says the deny-all was added, AWS does not have it`).toBe(true);
  const off = keysSwitchedOff(before, now);
  const recorded = (record?.keys ?? []).map((k) => k.accessKeyId).sort();
  for (const key of off) expect(recorded, `${user}: key ${key} is Inactive in AWS, so the record must name it for enable`).toContain(key);
  for (const key of recorded) expect(before.keys[key], `${user}: the record names key ${key}, which was not Active before disable`).toBe('Active');
  for (const key of record?.keys ?? []) if (key.state === 'done') expect(now.keys[key.accessKeyId], `${user}: the record says ${key.accessKeyId} was deactivated`).toBe('Inactive');
  if (!done) return;
  expect(denyInAws, `${user}: disable finished, so the deny-all is in AWS`).toBe(true);
  expect(off, `${user}: disable finished, so every key that was Active is Inactive`).toEqual(activeKeys(before));
  expect(record?.denyPolicy?.state, `${user}: disable finished, so its record says the deny-all was done`).toBe('done');
  expect(record?.keys.map((k) => `${k.accessKeyId}:${k.state}`).sort(), `${user}: the record names exactly the keys disable deactivated, each done`).toEqual(off.map((k) => `${k}:done`));
  expect(record?.completedAt, `${user}: the record says disable completed`).not.toBeNull();
}

/** After an enable run: AWS never has more switched back on than the record names, and all of it once enabled. */
export function expectEnableAgrees(user: string, beforeDisable: UserAccess, now: UserAccess, record: DisableRecord | null, done: boolean): void {
  for (const [key, status] of Object.entries(now.keys)) {
    if (status === 'Active') expect(beforeDisable.keys[key], `${user}: key ${key} is Active, but it was not before disable`).toBe('Active');
  }
  if (record?.enabledAt) expect(now, `${user}: the record says enable reversed disable, so the user is as before it`).toEqual(beforeDisable);
  if (!done) return;
  expect(record?.enabledAt, `${user}: enable finished, so its record says so`).not.toBeNull();
  expect(now, `${user}: enable finished: the deny-all is gone and exactly the keys disable deactivated are Active again`).toEqual(beforeDisable);
}

/**
 * After a cleanup run: once anything of the user is gone, a backup names everything it had; once the
 * run finished, the user and its virtual MFA devices are gone and workspace.json says it was deleted.
 */
export function expectCleanupAgrees(user: string, before: UserAccess, now: UserAccess | null, backup: UserBackup | null, state: WorkspaceState, virtualMfa: readonly string[], done: boolean): void {
  const touched = now === null || JSON.stringify(now) !== JSON.stringify(before);
  if (touched) {
    expect(backup, `${user}: something of it was deleted, so backups/${user}-${before.userId}.json must exist`).not.toBeNull();
    expect(backup?.accessKeys.map((k) => k.accessKeyId).sort(), `${user}: the backup names every key`).toEqual(Object.keys(before.keys).sort());
    expect(backup?.mfaDevices.map((d) => d.serialNumber).sort(), `${user}: the backup names every MFA device`).toEqual(before.mfa);
    expect(backup?.inlinePolicies.map((p) => p.name).sort(), `${user}: the backup has every inline policy`).toEqual(before.inline);
    expect([...(backup?.groups ?? [])].sort(), `${user}: the backup has every group`).toEqual(before.groups);
  }
  if (!done) return;
  expect(now, `${user}: cleanup finished, so the user is gone`).toBeNull();
  for (const serial of before.mfa) expect(virtualMfa, `${user}: cleanup finished, so its virtual MFA device is deleted, not left unassigned`).not.toContain(serial);
  expect(state.phases.cleanup?.users[user], `${user}: workspace.json records the deletion`).toMatchObject({ userId: before.userId, restoredAt: null });
}

/**
 * After a restore run: a user of this name exists only as restore's own (tagged with the UserId it
 * replaces), there is one, and once the run finished it has everything the backup gives back.
 */
export function expectRestoreAgrees(user: string, backup: UserBackup, now: UserAccess | null, namesakes: number, state: WorkspaceState, done: boolean): void {
  expect(namesakes, `${user}: one user of this name at most`).toBeLessThanOrEqual(1);
  if (now !== null) expect(now.tags[RESTORED_FROM], `${user}: the user that exists is the one restore made from the backup`).toBe(backup.user.userId);
  if (!done) return;
  expect(now, `${user}: restore finished, so the user exists`).not.toBeNull();
  expect(now?.inline, `${user}: its inline policies are back, without iam2idc's deny-all`).toEqual(backup.inlinePolicies.map((p) => p.name).filter((n) => n !== DENY_ALL).sort());
  expect(now?.groups, `${user}: its groups are back`).toEqual([...backup.groups].sort());
  expect(now?.attached, `${user}: its managed policies are back`).toEqual(backup.attachedPolicies.map((p) => p.arn).sort());
  expect(now?.keys, `${user}: restore makes no access key (secrets never come back)`).toEqual({});
  expect(state.phases.cleanup?.users[user]?.restoredAt, `${user}: workspace.json records the restore`).not.toBeNull();
}
