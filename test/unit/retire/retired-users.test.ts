import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/plan/journal.js';
import { emptyFold, foldRecords } from '../../../src/plan/journal-fold.js';
import { retiredUserNamed, retiredUsersOf } from '../../../src/phases/disable/retired-users.js';
import { cleanupRun, deactivate, denyInline, disableRun, enableRun, keyIdOf, restoreRun, runRecords, settled, undo, userIdOf } from './support/journal-records.js';

const alice = { userName: 'alice', userId: userIdOf(1) };
const bob = { userName: 'bob', userId: userIdOf(2) };
const T1 = '2026-03-01T08:00:00.000Z';
const T2 = '2026-03-02T08:00:00.000Z';
const T3 = '2026-03-03T08:00:00.000Z';
const T4 = '2026-03-04T08:00:00.000Z';

const retired = (...runs: JournalRecord[][]) => retiredUsersOf(foldRecords(emptyFold(), runs.flat()));
const standing = (...runs: JournalRecord[][]) => retired(...runs).map((u) => [u.userName, u.state]);

describe('retiredUsersOf', () => {
  it('Given an empty journal, When folded, Then no one is retired', () => {
    expect(retired()).toEqual([]);
  });

  it('Given a disable run that finished with a user, When folded, Then the user is disabled since then, with each change in effect', () => {
    const [user] = retired(disableRun(alice, 'd1', T1, [denyInline(alice), deactivate(alice, keyIdOf(1))]));
    expect(user).toMatchObject({ ...alice, state: 'disabled', disabledAt: T1, deletedAt: null, restoredAt: null });
    expect(user?.changes.map((c) => [c.kind, c.state])).toEqual([
      [denyInline(alice).kind, 'done'],
      [deactivate(alice, keyIdOf(1)).kind, 'done'],
    ]);
  });

  it('Given a disable run killed with one call in flight and one not reached, When folded, Then the user is partly disabled and the call in flight counts as a change that may have happened', () => {
    const changes = [denyInline(alice), { ...deactivate(alice, keyIdOf(1)), outcome: 'none' as const }, { ...deactivate(alice, keyIdOf(2)), reached: false }];
    const [user] = retired(disableRun(alice, 'd1', T1, changes, 'none'));
    expect(user).toMatchObject({ state: 'partly-disabled', disabledAt: null });
    expect(user?.changes.map((c) => [c.actionId, c.state])).toEqual([
      [denyInline(alice).id, 'done'],
      [deactivate(alice, keyIdOf(1)).id, 'in-doubt'],
    ]);
  });

  it('Given a change AWS refused, When folded, Then it is not a change in effect', () => {
    const [user] = retired(disableRun(alice, 'd1', T1, [denyInline(alice), { ...deactivate(alice, keyIdOf(1)), outcome: 'failed' }]));
    expect(user?.state).toBe('partly-disabled');
    expect(user?.changes.map((c) => c.actionId)).toEqual([denyInline(alice).id]);
  });

  it('Given a call in doubt that a later run found had happened, When folded, Then the change is confirmed and the disable counts as finished', () => {
    const key = { ...deactivate(alice, keyIdOf(1)), outcome: 'none' as const };
    const [user] = retired(disableRun(alice, 'd1', T1, [denyInline(alice), key], 'none'), [settled('d2', T2, key, true)]);
    expect(user).toMatchObject({ state: 'disabled', disabledAt: T2 });
    expect(user?.changes.map((c) => c.state)).toEqual(['done', 'done']);
  });

  it('Given a call in doubt that a later run found had not happened, When folded, Then there is nothing of it to undo', () => {
    const key = { ...deactivate(alice, keyIdOf(1)), outcome: 'none' as const };
    const [user] = retired(disableRun(alice, 'd1', T1, [denyInline(alice), key], 'none'), [settled('d2', T2, key, false)]);
    expect(user?.changes.map((c) => c.actionId)).toEqual([denyInline(alice).id]);
  });

  it('Given enable undid every change, When folded, Then the user is enabled with nothing in effect', () => {
    const changes = [denyInline(alice), deactivate(alice, keyIdOf(1))];
    const [user] = retired(disableRun(alice, 'd1', T1, changes), enableRun(alice, 'e1', T2, changes));
    expect(user).toMatchObject({ state: 'enabled', changes: [] });
  });

  it('Given enable stopped after undoing one change of two, When folded, Then the user is still disabled, with only the other change in effect', () => {
    const changes = [denyInline(alice), deactivate(alice, keyIdOf(1))];
    const enable = runRecords({ command: 'enable', runId: 'e1', at: T2, principal: alice, changes: [undo(changes[0]!), { ...undo(changes[1]!), reached: false }], end: 'interrupted' });
    const [user] = retired(disableRun(alice, 'd1', T1, changes), enable);
    expect(user?.state).toBe('disabled');
    expect(user?.changes.map((c) => c.actionId)).toEqual([deactivate(alice, keyIdOf(1)).id]);
  });

  it('Given an enable that finished its plan while a change is still in effect, When folded, Then the user is partly disabled', () => {
    const changes = [denyInline(alice), deactivate(alice, keyIdOf(1))];
    const [user] = retired(disableRun(alice, 'd1', T1, changes), enableRun(alice, 'e1', T2, changes.slice(0, 1)));
    expect(user?.state).toBe('partly-disabled');
  });

  it('Given a user disabled, enabled and disabled again, When folded, Then only the second disable is in effect', () => {
    const first = [denyInline(alice), deactivate(alice, keyIdOf(1))];
    const second = [{ ...denyInline(alice), id: 'disable/alice/deny#2' }];
    const [user] = retired(disableRun(alice, 'd1', T1, first), enableRun(alice, 'e1', T2, first), disableRun(alice, 'd2', T3, second));
    expect(user).toMatchObject({ state: 'disabled', disabledAt: T3 });
    expect(user?.changes.map((c) => c.actionId)).toEqual(['disable/alice/deny#2']);
  });

  it('Given cleanup deleted a disabled user, When folded, Then the user is deleted since then', () => {
    const [user] = retired(disableRun(alice, 'd1', T1, [denyInline(alice)]), cleanupRun(alice, 'c1', T2));
    expect(user).toMatchObject({ state: 'deleted', disabledAt: T1, deletedAt: T2 });
  });

  it('Given a cleanup that stopped before it deleted the user, When folded, Then the user is still disabled', () => {
    expect(standing(disableRun(alice, 'd1', T1, [denyInline(alice)]), cleanupRun(alice, 'c1', T2, 'none').slice(0, 3))).toEqual([['alice', 'disabled']]);
  });

  it('Given restore re-created a deleted user (by name, in any case), When folded, Then the user is restored since then', () => {
    const [user] = retired(disableRun(alice, 'd1', T1, [denyInline(alice)]), cleanupRun(alice, 'c1', T2), restoreRun('ALICE', 'r1', T3));
    expect(user).toMatchObject({ state: 'restored', deletedAt: T2, restoredAt: T3 });
  });

  it('Given a restore older than the deletion, When folded, Then the user is deleted, not restored', () => {
    expect(standing(restoreRun('alice', 'r0', T1), disableRun(alice, 'd1', T2, [denyInline(alice)]), cleanupRun(alice, 'c1', T3))).toEqual([['alice', 'deleted']]);
  });

  it('Given changes of another command of an undoable kind, When folded, Then they are not disable changes', () => {
    const other = runRecords({ command: 'apply-suggestions', runId: 'x1', at: T1, principal: alice, changes: [denyInline(alice)] });
    expect(retired(other)).toEqual([]);
  });

  it('Given users disabled in any order, When folded, Then they are listed by name', () => {
    expect(standing(disableRun(bob, 'd1', T1, [denyInline(bob)]), disableRun(alice, 'd2', T2, [denyInline(alice)])).map(([name]) => name)).toEqual(['alice', 'bob']);
  });
});

describe('retiredUserNamed', () => {
  it('Given a user deleted and re-created under the same name, then disabled again, When looked up by name, Then the newer user is found', () => {
    const again = { userName: 'alice', userId: userIdOf(9) };
    const users = retired(disableRun(alice, 'd1', T1, [denyInline(alice)]), cleanupRun(alice, 'c1', T2), disableRun(again, 'd2', T4, [denyInline(again)]));
    expect(users).toHaveLength(2);
    expect(retiredUserNamed(users, 'Alice')).toMatchObject({ userId: userIdOf(9), state: 'disabled' });
  });

  it('Given no user of that name, When looked up, Then nothing is found', () => {
    expect(retiredUserNamed(retired(disableRun(alice, 'd1', T1, [denyInline(alice)])), 'bob')).toBeNull();
  });
});
