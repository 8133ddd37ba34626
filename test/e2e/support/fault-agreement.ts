/**
 * Whether AWS and the journal agree about one user after a run, phase by phase. A run may stop
 * half-way (exit 1) and be run again; what it must never do is leave a change in AWS that the
 * journal does not know of (enable could not undo it), or record as done what AWS does not have.
 */
import { expect } from 'vitest';
import type { RetiredUser } from '../../../src/phases/disable/retired-users.js';
import type { UserBackup } from '../../../src/workspace/user-backups.js';
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

const DENY_KINDS = new Set(['iam.PutDenyAllUserPolicy', 'iam.AttachDenyAllUserPolicy']);
const KEY_KIND = 'iam.DeactivateAccessKey';
const keyOf = (change: RetiredUser['changes'][number]) => (change.params as { accessKeyId: string }).accessKeyId;

/** After a disable run; `done` when it exited 0, so everything planned for the user must be applied and in the journal. */
export function expectDisableAgrees(user: string, before: UserAccess, now: UserAccess, retired: RetiredUser | null, done: boolean): void {
  const changes = retired?.changes ?? [];
  const deny = changes.filter((c) => DENY_KINDS.has(c.kind));
  const denyInAws = now.inline.includes(DENY_ALL);
  if (denyInAws) expect(deny, `${user}: AWS has the ${DENY_ALL} iam2idc added, so the journal must hold that change (or enable can never remove it)`).toHaveLength(1);
  if (deny[0]?.state === 'done') expect(denyInAws, `${user}: the journal says the deny-all was added, AWS does not have it`).toBe(true);
  const off = keysSwitchedOff(before, now);
  const keys = changes.filter((c) => c.kind === KEY_KIND);
  const recorded = keys.map(keyOf).sort();
  for (const key of off) expect(recorded, `${user}: key ${key} is Inactive in AWS, so the journal must name it for enable`).toContain(key);
  for (const key of recorded) expect(before.keys[key], `${user}: the journal names key ${key}, which was not Active before disable`).toBe('Active');
  for (const key of keys) if (key.state === 'done') expect(now.keys[keyOf(key)], `${user}: the journal says ${keyOf(key)} was deactivated`).toBe('Inactive');
  if (!done) return;
  expect(denyInAws, `${user}: disable finished, so the deny-all is in AWS`).toBe(true);
  expect(off, `${user}: disable finished, so every key that was Active is Inactive`).toEqual(activeKeys(before));
  expect(deny.map((c) => c.state), `${user}: disable finished, so the journal says the deny-all was done`).toEqual(['done']);
  expect(keys.map((k) => `${keyOf(k)}:${k.state}`).sort(), `${user}: the journal names exactly the keys disable deactivated, each done`).toEqual(off.map((k) => `${k}:done`));
  expect(retired?.state, `${user}: the journal says disable finished with the user`).toBe('disabled');
}

/** After an enable run: AWS never has more switched back on than the journal names, and all of it once enabled. */
export function expectEnableAgrees(user: string, beforeDisable: UserAccess, now: UserAccess, retired: RetiredUser | null, done: boolean): void {
  for (const [key, status] of Object.entries(now.keys)) {
    if (status === 'Active') expect(beforeDisable.keys[key], `${user}: key ${key} is Active, but it was not before disable`).toBe('Active');
  }
  if (retired?.state === 'enabled') expect(now, `${user}: the journal says enable undid disable, so the user is as before it`).toEqual(beforeDisable);
  if (!done) return;
  expect(retired?.state, `${user}: enable finished, so the journal says so`).toBe('enabled');
  expect(retired?.changes, `${user}: enable finished, so no change of disable is left in effect`).toEqual([]);
  expect(now, `${user}: enable finished: the deny-all is gone and exactly the keys disable deactivated are Active again`).toEqual(beforeDisable);
}

/**
 * After a cleanup run: once anything of the user is gone, a backup names everything it had; once the
 * run finished, the user and its virtual MFA devices are gone and the journal says it was deleted.
 */
export function expectCleanupAgrees(user: string, before: UserAccess, now: UserAccess | null, backup: UserBackup | null, retired: RetiredUser | null, virtualMfa: readonly string[], done: boolean): void {
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
  expect(retired, `${user}: the journal says cleanup deleted it`).toMatchObject({ userId: before.userId, state: 'deleted' });
}

/**
 * After a restore run: a user of this name exists only as restore's own (tagged with the UserId it
 * replaces), there is one, and once the run finished it has everything the backup gives back.
 */
export function expectRestoreAgrees(user: string, backup: UserBackup, now: UserAccess | null, namesakes: number, retired: RetiredUser | null, done: boolean): void {
  expect(namesakes, `${user}: one user of this name at most`).toBeLessThanOrEqual(1);
  if (now !== null) expect(now.tags[RESTORED_FROM], `${user}: the user that exists is the one restore made from the backup`).toBe(backup.user.userId);
  if (!done) return;
  expect(now, `${user}: restore finished, so the user exists`).not.toBeNull();
  expect(now?.inline, `${user}: its inline policies are back, without iam2idc's deny-all`).toEqual(backup.inlinePolicies.map((p) => p.name).filter((n) => n !== DENY_ALL).sort());
  expect(now?.groups, `${user}: its groups are back`).toEqual([...backup.groups].sort());
  expect(now?.attached, `${user}: its managed policies are back`).toEqual(backup.attachedPolicies.map((p) => p.arn).sort());
  expect(now?.keys, `${user}: restore makes no access key (secrets never come back)`).toEqual({});
  expect(retired?.state, `${user}: the journal says restore re-created it`).toBe('restored');
}
