import { describe, expect, it } from 'vitest';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { JournalRecord } from '../../../src/plan/journal.js';
import { emptyFold, foldRecords, undoIdOf } from '../../../src/plan/journal-fold.js';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { planEnable } from '../../../src/phases/disable/enable-phase.js';
import { createRetireRegistry, DENY_ALL_POLICY_NAME, RETIRE_KIND } from '../../../src/phases/disable/retire-handlers.js';
import { retiredUsersOf } from '../../../src/phases/disable/retired-users.js';
import { cleanupRun, deactivate, denyInline, denyManaged, disableRun, keyIdOf, userIdOf, type TestUser } from './support/journal-records.js';

const DENY_ALL_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';
const T1 = '2026-03-10T08:00:00.000Z';
const T2 = '2026-03-11T08:00:00.000Z';

// Planning makes no call: the handlers are only asked for their inverse.
const registry = createRetireRegistry({ iam: {} as IAMClient });
const user = (userName: string, n: number): TestUser => ({ userName, userId: userIdOf(n) });
const alice = user('alice', 2);
const bob = user('bob', 3);

const plan = (...runs: JournalRecord[][]) => planEnable(retiredUsersOf(foldRecords(emptyFold(), runs.flat())), registry);
const summary = (actions: PlannedAction[]) => actions.map((a) => [a.kind, a.params]);

describe('planEnable', () => {
  it('Given disable put the inline deny-all, When planned, Then it is deleted by its policy name, as the undo of that change', () => {
    const { actions } = plan(disableRun(alice, 'd1', T1, [denyInline(alice)]));
    expect(summary(actions)).toEqual([[RETIRE_KIND.deleteDenyPolicy, { ...alice, policyName: DENY_ALL_POLICY_NAME }]]);
    expect(actions[0]?.id).toBe(undoIdOf(denyInline(alice).id));
  });

  it('Given disable attached the managed deny-all, When planned, Then it is detached by its ARN', () => {
    const { actions } = plan(disableRun(alice, 'd1', T1, [denyManaged(alice, DENY_ALL_ARN)]));
    expect(summary(actions)).toEqual([[RETIRE_KIND.detachDenyPolicy, { ...alice, policyArn: DENY_ALL_ARN }]]);
  });

  it('Given a change whose answer was lost, When planned, Then its undo is planned too (the handler checks AWS first)', () => {
    const { actions } = plan(disableRun(alice, 'd1', T1, [{ ...denyInline(alice), outcome: 'none' }], 'none'));
    expect(actions.map((a) => a.kind)).toEqual([RETIRE_KIND.deleteDenyPolicy]);
  });

  it('Given the deny-all and two keys, When planned, Then the deny-all is removed and each key reactivated', () => {
    const { actions } = plan(disableRun(alice, 'd1', T1, [denyManaged(alice, DENY_ALL_ARN), deactivate(alice, keyIdOf(20)), deactivate(alice, keyIdOf(21))]));
    expect(summary(actions)).toEqual([
      [RETIRE_KIND.detachDenyPolicy, { ...alice, policyArn: DENY_ALL_ARN }],
      [RETIRE_KIND.reactivateKey, { ...alice, accessKeyId: keyIdOf(20) }],
      [RETIRE_KIND.reactivateKey, { ...alice, accessKeyId: keyIdOf(21) }],
    ]);
  });

  it('Given a change AWS refused, When planned, Then nothing undoes it', () => {
    const { actions } = plan(disableRun(alice, 'd1', T1, [denyInline(alice), { ...deactivate(alice, keyIdOf(20)), outcome: 'failed' }]));
    expect(actions.map((a) => a.kind)).toEqual([RETIRE_KIND.deleteDenyPolicy]);
  });

  it('Given cleanup deleted the user, When planned, Then it is reported as deleted and nothing is planned for it', () => {
    const { actions, decisions } = plan(disableRun(alice, 'd1', T1, [denyInline(alice)]), cleanupRun(alice, 'c1', T2), disableRun(bob, 'd2', T1, [denyInline(bob)]));
    expect(decisions.map((d) => [d.userName, d.status])).toEqual([
      ['alice', 'deleted'],
      ['bob', 'planned'],
    ]);
    expect(new Set(actions.map((a) => a.principal?.userName))).toEqual(new Set(['bob']));
  });

  it('Given a user on whom disable changed nothing, When planned, Then it has nothing to undo', () => {
    const { actions, decisions } = plan(disableRun(alice, 'd1', T1, [{ ...denyInline(alice), outcome: 'failed' }]));
    expect(decisions.map((d) => d.status)).toEqual(['nothing-to-undo']);
    expect(actions).toEqual([]);
  });

  it('Given parameters in the journal that the kind does not accept, When planned, Then that change is not undone', () => {
    // An empty user name would make IAM act on the caller: such a record must never become a call.
    const forged = { ...deactivate(alice, keyIdOf(20)), params: { userName: '', userId: alice.userId, accessKeyId: keyIdOf(20) } };
    const { actions } = plan(disableRun(alice, 'd1', T1, [denyInline(alice), forged]));
    expect(actions.map((a) => a.kind)).toEqual([RETIRE_KIND.deleteDenyPolicy]);
  });

  it('Given several users, When planned, Then every action is broadening, on iam, with unique ids, and names its user and UserId', () => {
    const { actions } = plan(disableRun(alice, 'd1', T1, [denyInline(alice), deactivate(alice, keyIdOf(20))]), disableRun(bob, 'd2', T1, [denyManaged(bob), deactivate(bob, keyIdOf(30))]));
    expect(actions).toHaveLength(4);
    for (const action of actions) {
      const owner = [alice, bob].find((u) => u.userName === action.principal?.userName);
      expect(action).toMatchObject({ risk: 'broadening', service: 'iam', principal: owner });
      expect(action.params).toMatchObject(owner ?? {});
    }
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });

  it('Given users in any order, When planned, Then the decisions and actions are sorted by name, and the input is not reordered', () => {
    const zoe = user('zoe', 4);
    const users = retiredUsersOf(foldRecords(emptyFold(), [...disableRun(zoe, 'd1', T1, [denyInline(zoe)]), ...disableRun(alice, 'd2', T1, [denyInline(alice)])])).reverse();
    const { actions, decisions } = planEnable(users, registry);
    expect(decisions.map((d) => d.userName)).toEqual(['alice', 'zoe']);
    expect(actions.map((a) => a.principal?.userName)).toEqual(['alice', 'zoe']);
    expect(users.map((u) => u.userName)).toEqual(['zoe', 'alice']);
  });

  it('Given a disabled user, When planned, Then the decision says since when, and what is switched back on', () => {
    const { decisions } = plan(disableRun(alice, 'd1', T1, [denyInline(alice), deactivate(alice, keyIdOf(20))]));
    expect(decisions).toEqual([{ ...alice, status: 'planned', disabledSince: T1, undo: [expect.stringContaining(DENY_ALL_POLICY_NAME), expect.stringContaining(keyIdOf(20))] }]);
  });
});
