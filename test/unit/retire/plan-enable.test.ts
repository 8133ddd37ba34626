import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { planEnable } from '../../../src/services/retire/plan-enable.js';
import { DENY_ALL_POLICY_NAME, RETIRE_KIND } from '../../../src/services/retire/retire-handlers.js';
import { DisableRecordSchema, type DisableEpisode, type DisableRecord, type RecordedKey } from '../../../src/workspace/disable-records.js';

const DENY_ALL_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';
const STARTED = '2026-03-10T08:00:00.000Z';
const AT = '2026-03-10T08:00:01.000Z';

const id = (n: number) => `AIDA${String(n).padStart(17, '0')}`;
const keyId = (n: number) => `AKIA${String(n).padStart(16, '0')}`;

const inline = (state: 'intent' | 'done' = 'done') => ({ kind: 'inline' as const, policyName: DENY_ALL_POLICY_NAME, state, at: AT });
const managed = (state: 'intent' | 'done' = 'done') => ({ kind: 'managed' as const, policyArn: DENY_ALL_ARN, state, at: AT });
const recordedKey = (n: number, state: 'intent' | 'done' = 'done'): RecordedKey => ({ accessKeyId: keyId(n), previousStatus: 'Active', state, at: AT });

/** A disable record, checked against the schema so that only records disable could write are used. */
function record(userName: string, n: number, overrides: Partial<DisableRecord> = {}): DisableRecord {
  return DisableRecordSchema.parse({
    schemaVersion: 2,
    accountId: '111111111111',
    // Planners take records already checked against the journal; the digest is not theirs to check.
    digest: 'sha256:checked-by-the-command',
    userName,
    userId: id(n),
    startedAt: STARTED,
    completedAt: AT,
    enabledAt: null,
    denyPolicy: null,
    keys: [],
    history: [],
    ...overrides,
  });
}

const params = (action: PlannedAction | undefined) => action?.params as Record<string, unknown>;
const summary = (actions: PlannedAction[]) => actions.map((a) => [a.kind, params(a)]);

describe('planEnable', () => {
  it('Given an inline deny policy was recorded, When planned, Then it is deleted by its policy name', () => {
    const { actions } = planEnable([record('alice', 2, { denyPolicy: inline() })]);
    expect(summary(actions)).toEqual([[RETIRE_KIND.deleteDenyPolicy, { userName: 'alice', userId: id(2), policyName: DENY_ALL_POLICY_NAME }]]);
  });

  it('Given a managed deny policy was recorded, When planned, Then it is detached by its ARN', () => {
    const { actions } = planEnable([record('alice', 2, { denyPolicy: managed() })]);
    expect(summary(actions)).toEqual([[RETIRE_KIND.detachDenyPolicy, { userName: 'alice', userId: id(2), policyArn: DENY_ALL_ARN }]]);
  });

  it('Given a deny policy recorded only as an intent, When planned, Then it is planned too (the handler checks AWS first)', () => {
    const { actions } = planEnable([record('alice', 2, { denyPolicy: inline('intent'), completedAt: null })]);
    expect(actions.map((a) => a.kind)).toEqual([RETIRE_KIND.deleteDenyPolicy]);
  });

  it('Given recorded keys in state intent and done, When planned, Then the deny policy is removed and each key is reactivated', () => {
    const { actions } = planEnable([record('alice', 2, { denyPolicy: managed(), keys: [recordedKey(20, 'done'), recordedKey(21, 'intent')], completedAt: null })]);
    expect(summary(actions)).toEqual([
      [RETIRE_KIND.detachDenyPolicy, { userName: 'alice', userId: id(2), policyArn: DENY_ALL_ARN }],
      [RETIRE_KIND.reactivateKey, { userName: 'alice', userId: id(2), accessKeyId: keyId(20) }],
      [RETIRE_KIND.reactivateKey, { userName: 'alice', userId: id(2), accessKeyId: keyId(21) }],
    ]);
  });

  it('Given a record with enabledAt set, When planned, Then it is already-enabled and has no action', () => {
    const { actions, decisions } = planEnable([record('alice', 2, { denyPolicy: inline(), keys: [recordedKey(20)], enabledAt: '2026-03-11T08:00:00.000Z' })]);
    expect(decisions.map((d) => [d.userName, d.status])).toEqual([['alice', 'already-enabled']]);
    expect(actions).toEqual([]);
  });

  it('Given one enabled and one disabled record, When planned, Then only the disabled one has actions', () => {
    const { actions, decisions } = planEnable([
      record('alice', 2, { denyPolicy: inline(), enabledAt: '2026-03-11T08:00:00.000Z' }),
      record('bob', 3, { denyPolicy: inline(), keys: [recordedKey(30)] }),
    ]);
    expect(decisions.map((d) => [d.userName, d.status])).toEqual([
      ['alice', 'already-enabled'],
      ['bob', 'planned'],
    ]);
    expect(new Set(actions.map((a) => a.principal?.userName))).toEqual(new Set(['bob']));
  });

  it('Given several records, When planned, Then every action is broadening, on iam, and names the record user and UserId', () => {
    const records = [
      record('alice', 2, { denyPolicy: inline(), keys: [recordedKey(20)] }),
      record('bob', 3, { denyPolicy: managed(), keys: [recordedKey(30), recordedKey(31, 'intent')] }),
    ];
    const { actions } = planEnable(records);
    expect(actions).toHaveLength(5);
    for (const action of actions) {
      const owner = records.find((r) => r.userName === action.principal?.userName);
      expect(action.risk).toBe('broadening');
      expect(action.service).toBe('iam');
      expect(action.principal).toEqual({ userName: owner?.userName, userId: owner?.userId });
      expect([params(action)['userName'], params(action)['userId']]).toEqual([owner?.userName, owner?.userId]);
    }
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });

  it('Given a record of a user re-created since, When planned, Then the actions carry the recorded UserId, not a name alone', () => {
    const { actions } = planEnable([record('alice', 42, { keys: [recordedKey(20)] })]);
    expect(actions.map((a) => a.principal?.userId)).toEqual([id(42)]);
  });

  it('Given a record without a deny policy, When planned, Then no policy action is planned, only the recorded key', () => {
    const { actions } = planEnable([record('alice', 2, { keys: [recordedKey(20)] })]);
    expect(summary(actions)).toEqual([[RETIRE_KIND.reactivateKey, { userName: 'alice', userId: id(2), accessKeyId: keyId(20) }]]);
  });

  it('Given earlier episodes in the history with other keys and policies, When planned, Then nothing but the current record is reversed', () => {
    const earlier: DisableEpisode = {
      userName: 'alice',
      userId: id(2),
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: '2026-01-01T00:00:01.000Z',
      enabledAt: '2026-01-02T00:00:00.000Z',
      denyPolicy: managed(),
      keys: [recordedKey(19), recordedKey(20)],
    };
    const { actions, decisions } = planEnable([record('alice', 2, { keys: [recordedKey(21)], history: [earlier] })]);
    expect(summary(actions)).toEqual([[RETIRE_KIND.reactivateKey, { userName: 'alice', userId: id(2), accessKeyId: keyId(21) }]]);
    expect(decisions[0]?.keys).toEqual([keyId(21)]);
    expect(decisions[0]?.denyPolicy).toBeNull();
  });

  it('Given a record whose run stopped before its first change, When planned, Then it is planned with no action at all', () => {
    const { actions, decisions } = planEnable([record('alice', 2, { completedAt: null })]);
    expect(decisions.map((d) => [d.status, d.denyPolicy, d.keys])).toEqual([['planned', null, []]]);
    expect(actions).toEqual([]);
  });

  it('Given records in any order, When planned, Then the decisions and the actions are sorted by user name', () => {
    const { actions, decisions } = planEnable([record('zoe', 4, { keys: [recordedKey(40)] }), record('alice', 2, { keys: [recordedKey(20)] }), record('mike', 3, { keys: [recordedKey(30)] })]);
    expect(decisions.map((d) => d.userName)).toEqual(['alice', 'mike', 'zoe']);
    expect(actions.map((a) => a.principal?.userName)).toEqual(['alice', 'mike', 'zoe']);
  });

  it('Given a record, When planned, Then the decision reports what will be reversed and since when', () => {
    const { decisions } = planEnable([record('alice', 2, { denyPolicy: inline(), keys: [recordedKey(20), recordedKey(21)] })]);
    expect(decisions).toEqual([{ userName: 'alice', userId: id(2), status: 'planned', disabledSince: STARTED, denyPolicy: inline(), keys: [keyId(20), keyId(21)] }]);
  });

  it('Given the records array, When planned, Then it is not reordered in place', () => {
    const records = [record('zoe', 4), record('alice', 2)];
    planEnable(records);
    expect(records.map((r) => r.userName)).toEqual(['zoe', 'alice']);
  });
});
