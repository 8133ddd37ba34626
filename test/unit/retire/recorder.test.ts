import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DisableRecorder, type DisableChange, type RecordedUser } from '../../../src/services/retire/disable-recorder.js';
import { disableRecordPath, listDisableRecords, readDisableRecord } from '../../../src/workspace/disable-records.js';
import { FileTrust } from '../../../src/workspace/file-seals.js';
import { caught } from '../support/caught.js';
import { usePlanTestContext } from '../plan/support/plan-harness.js';
import { ACCOUNT_ID } from './support/fake-iam-users.js';
import { journalSealer, trustOf } from './support/held-run.js';

const context = usePlanTestContext();

const ALICE: RecordedUser = { userName: 'alice', userId: 'AIDAALICE0000000001' };
const INLINE: DisableChange = { type: 'deny-policy', policy: { kind: 'inline', policyName: 'iam2idc-deny-all' } };
const MANAGED: DisableChange = { type: 'deny-policy', policy: { kind: 'managed', policyArn: 'arn:aws:iam::aws:policy/AWSDenyAll' } };
const key = (accessKeyId: string): DisableChange => ({ type: 'access-key', accessKeyId });

/** A clock the test moves by hand, so that each record's times tell which call wrote them. */
function clock(start = '2024-06-01T12:00:00.000Z') {
  let current = new Date(start);
  return {
    now: () => current,
    set: (iso: string) => {
      current = new Date(iso);
    },
  };
}

function recorder(time = clock()) {
  const trust = new FileTrust(ACCOUNT_ID, []);
  return new DisableRecorder({ workspace: context.workspace, now: time.now, accountId: ACCOUNT_ID, trust, sealer: journalSealer(context.workspace, (path, sha256) => trust.remember(path, sha256)) });
}

/** The record on disk, checked against the journal as enable checks it. */
const record = async (userName = ALICE.userName) => readDisableRecord(context.workspace, userName, await trustOf(context.workspace));

describe('DisableRecorder: one change from intent to done', () => {
  it('Given no record, When the deny policy is intended, Then backups/disable-alice.json holds a new episode with the intent', async () => {
    await recorder().intend(ALICE, INLINE);

    expect(await context.workspace.readText(disableRecordPath('alice'))).not.toBeNull();
    expect(await record()).toEqual({
      schemaVersion: 2,
      accountId: ACCOUNT_ID,
      digest: expect.stringMatching(/^sha256:/),
      userName: 'alice',
      userId: ALICE.userId,
      startedAt: '2024-06-01T12:00:00.000Z',
      completedAt: null,
      enabledAt: null,
      denyPolicy: { kind: 'inline', policyName: 'iam2idc-deny-all', state: 'intent', at: '2024-06-01T12:00:00.000Z' },
      keys: [],
      history: [],
    });
  });

  it('Given an intent, When it is confirmed, Then it is done, stamped with the time of the confirmation', async () => {
    const time = clock();
    const r = recorder(time);
    await r.intend(ALICE, INLINE);
    await r.intend(ALICE, key('AKIA1'));
    time.set('2024-06-01T12:00:05.000Z');

    await r.confirm(ALICE, INLINE);
    await r.confirm(ALICE, key('AKIA1'));

    const after = await record();
    expect(after?.denyPolicy).toEqual({ kind: 'inline', policyName: 'iam2idc-deny-all', state: 'done', at: '2024-06-01T12:00:05.000Z' });
    expect(after?.keys).toEqual([{ accessKeyId: 'AKIA1', previousStatus: 'Active', state: 'done', at: '2024-06-01T12:00:05.000Z' }]);
    expect(after?.startedAt).toBe('2024-06-01T12:00:00.000Z');
  });

  it('Given an intent, When it is withdrawn (AWS refused the call), Then the change is gone from the record', async () => {
    const r = recorder();
    await r.intend(ALICE, INLINE);
    await r.intend(ALICE, key('AKIA1'));
    await r.intend(ALICE, key('AKIA2'));

    await r.withdraw(ALICE, INLINE);
    await r.withdraw(ALICE, key('AKIA1'));

    const after = await record();
    expect(after?.denyPolicy).toBeNull();
    expect(after?.keys.map((k) => k.accessKeyId)).toEqual(['AKIA2']);
  });

  it('Given a change already done, When it is withdrawn, Then it stays done: only an intent can be withdrawn', async () => {
    const r = recorder();
    await r.intend(ALICE, INLINE);
    await r.confirm(ALICE, INLINE);
    await r.intend(ALICE, key('AKIA1'));
    await r.confirm(ALICE, key('AKIA1'));

    await r.withdraw(ALICE, INLINE);
    await r.withdraw(ALICE, key('AKIA1'));

    const after = await record();
    expect(after?.denyPolicy).toMatchObject({ kind: 'inline', state: 'done' });
    expect(after?.keys).toMatchObject([{ accessKeyId: 'AKIA1', state: 'done' }]);
  });

  it('Given an inline intent, When the managed policy is withdrawn, Then the inline intent is kept (another policy)', async () => {
    const r = recorder();
    await r.intend(ALICE, INLINE);
    await r.withdraw(ALICE, MANAGED);
    expect((await record())?.denyPolicy).toMatchObject({ kind: 'inline', state: 'intent' });
  });

  it('Given the inline intent withdrawn, When the managed fallback is intended and confirmed, Then the record holds the managed policy done', async () => {
    const r = recorder();
    await r.intend(ALICE, INLINE);
    await r.withdraw(ALICE, INLINE);
    await r.intend(ALICE, MANAGED);
    await r.confirm(ALICE, MANAGED);
    expect((await record())?.denyPolicy).toMatchObject({ kind: 'managed', policyArn: 'arn:aws:iam::aws:policy/AWSDenyAll', state: 'done' });
  });

  it('Given a key intended twice, When the record is read, Then the key is listed once', async () => {
    const r = recorder();
    await r.intend(ALICE, key('AKIA1'));
    await r.confirm(ALICE, key('AKIA1'));
    await r.intend(ALICE, key('AKIA1'));
    expect((await record())?.keys).toMatchObject([{ accessKeyId: 'AKIA1', state: 'done' }]);
  });

  it('Given no record, When a change is confirmed or withdrawn, or the user completed or reversed, Then no file is written', async () => {
    const r = recorder();
    await r.confirm(ALICE, INLINE);
    await r.withdraw(ALICE, key('AKIA1'));
    await r.complete('alice');
    await r.reversed('alice');
    expect(await record()).toBeNull();
    expect(await listDisableRecords(context.workspace, await trustOf(context.workspace))).toEqual([]);
  });
});

describe('DisableRecorder: complete and reversed', () => {
  it('Given an episode, When it is completed twice, Then completedAt is the time of the first', async () => {
    const time = clock();
    const r = recorder(time);
    await r.intend(ALICE, INLINE);
    time.set('2024-06-01T12:01:00.000Z');
    await r.complete('alice');
    time.set('2024-06-01T12:02:00.000Z');
    await r.complete('alice');

    expect(await record()).toMatchObject({ completedAt: '2024-06-01T12:01:00.000Z', enabledAt: null });
  });

  it('Given an episode, When it is reversed twice, Then enabledAt is the time of the first and the changes stay recorded', async () => {
    const time = clock();
    const r = recorder(time);
    await r.intend(ALICE, INLINE);
    await r.confirm(ALICE, INLINE);
    time.set('2024-06-02T08:00:00.000Z');
    await r.reversed('alice');
    time.set('2024-06-03T08:00:00.000Z');
    await r.reversed('alice');

    const after = await record();
    expect(after).toMatchObject({ enabledAt: '2024-06-02T08:00:00.000Z', history: [] });
    expect(after?.denyPolicy).toMatchObject({ state: 'done' });
  });
});

describe('DisableRecorder: concurrent writes of one user', () => {
  it('Given two keys of one user, When both are intended at once, Then both end up in the file', async () => {
    const r = recorder();
    await Promise.all([r.intend(ALICE, key('AKIA1')), r.intend(ALICE, key('AKIA2'))]);

    expect((await record())?.keys.map((k) => k.accessKeyId).sort()).toEqual(['AKIA1', 'AKIA2']);
  });

  it('Given many changes of one user at once, intents then confirmations, When they settle, Then none is lost', async () => {
    const r = recorder();
    const ids = Array.from({ length: 12 }, (_, i) => `AKIA${String(i).padStart(2, '0')}`);
    await Promise.all([r.intend(ALICE, INLINE), ...ids.map((id) => r.intend(ALICE, key(id)))]);
    await Promise.all([r.confirm(ALICE, INLINE), ...ids.map((id) => r.confirm(ALICE, key(id)))]);

    const after = await record();
    expect(after?.denyPolicy).toMatchObject({ state: 'done' });
    expect(after?.keys.map((k) => k.accessKeyId).sort()).toEqual(ids);
    expect(after?.keys.every((k) => k.state === 'done')).toBe(true);
  });

  it('Given writes not awaited, When flush is awaited, Then every one of them is on disk', async () => {
    const r = recorder();
    void r.intend(ALICE, key('AKIA1'));
    void r.intend(ALICE, key('AKIA2'));
    void r.intend({ userName: 'bob', userId: 'AIDABOB0000000000001' }, INLINE);

    await r.flush();

    expect((await record())?.keys).toHaveLength(2);
    expect((await record('bob'))?.denyPolicy).toMatchObject({ state: 'intent' });
  });

  it('Given a write that fails (the record on disk is invalid), When later writes of the user come, Then only the failed one fails', async () => {
    const r = recorder();
    await context.workspace.writeText(disableRecordPath('alice'), '{ not json');

    const failing = r.intend(ALICE, key('AKIA1'));
    expect(await caught(failing)).toMatchObject({ code: 'DISABLE_RECORD_INVALID' });
    await rm(context.workspace.resolve(disableRecordPath('alice')));

    await r.intend(ALICE, key('AKIA2'));
    expect((await record())?.keys.map((k) => k.accessKeyId)).toEqual(['AKIA2']);
  });
});

describe('DisableRecorder: episodes', () => {
  it('Given an episode that was reversed, When the user is disabled again, Then a new episode starts and the old one moves to history', async () => {
    const time = clock('2024-06-01T12:00:00.000Z');
    const r = recorder(time);
    await r.intend(ALICE, INLINE);
    await r.confirm(ALICE, INLINE);
    await r.intend(ALICE, key('AKIA1'));
    await r.confirm(ALICE, key('AKIA1'));
    await r.complete('alice');
    time.set('2024-06-02T12:00:00.000Z');
    await r.reversed('alice');

    time.set('2024-06-03T12:00:00.000Z');
    await r.intend(ALICE, key('AKIA2'));

    const after = await record();
    expect(after).toMatchObject({
      schemaVersion: 2,
      userId: ALICE.userId,
      startedAt: '2024-06-03T12:00:00.000Z',
      completedAt: null,
      enabledAt: null,
      denyPolicy: null,
      keys: [{ accessKeyId: 'AKIA2', state: 'intent' }],
    });
    expect(after?.history).toEqual([
      {
        userName: 'alice',
        userId: ALICE.userId,
        startedAt: '2024-06-01T12:00:00.000Z',
        completedAt: '2024-06-01T12:00:00.000Z',
        enabledAt: '2024-06-02T12:00:00.000Z',
        denyPolicy: { kind: 'inline', policyName: 'iam2idc-deny-all', state: 'done', at: '2024-06-01T12:00:00.000Z' },
        keys: [{ accessKeyId: 'AKIA1', previousStatus: 'Active', state: 'done', at: '2024-06-01T12:00:00.000Z' }],
      },
    ]);
  });

  it('Given two reversed episodes, When the user is disabled a third time, Then history keeps both, oldest first', async () => {
    const time = clock('2024-06-01T00:00:00.000Z');
    const r = recorder(time);
    for (const day of ['01', '02']) {
      time.set(`2024-06-${day}T00:00:00.000Z`);
      await r.intend(ALICE, INLINE);
      await r.reversed('alice');
    }
    time.set('2024-06-03T00:00:00.000Z');
    await r.intend(ALICE, INLINE);

    const after = await record();
    expect(after?.history.map((e) => e.startedAt)).toEqual(['2024-06-01T00:00:00.000Z', '2024-06-02T00:00:00.000Z']);
    expect(after?.startedAt).toBe('2024-06-03T00:00:00.000Z');
  });

  it('Given an open episode, When the deny policy is intended again with the same UserId, Then it is the same episode', async () => {
    const time = clock();
    const r = recorder(time);
    await r.intend(ALICE, key('AKIA1'));
    time.set('2024-06-01T13:00:00.000Z');
    await r.intend(ALICE, INLINE);

    const after = await record();
    expect(after).toMatchObject({ startedAt: '2024-06-01T12:00:00.000Z', history: [] });
    expect(after?.keys.map((k) => k.accessKeyId)).toEqual(['AKIA1']);
    expect(after?.denyPolicy).toMatchObject({ state: 'intent' });
  });

  it('Given an open episode, When a user of the same name but another UserId (re-created) is disabled, Then a new episode starts and the old one moves to history', async () => {
    const time = clock();
    const r = recorder(time);
    await r.intend(ALICE, INLINE);
    await r.confirm(ALICE, INLINE);
    await r.intend(ALICE, key('AKIA1'));
    time.set('2024-06-05T00:00:00.000Z');

    const recreated: RecordedUser = { userName: 'alice', userId: 'AIDAALICE0000000099' };
    await r.intend(recreated, key('AKIA9'));

    const after = await record();
    expect(after).toMatchObject({ userId: 'AIDAALICE0000000099', startedAt: '2024-06-05T00:00:00.000Z', enabledAt: null, denyPolicy: null });
    expect(after?.keys.map((k) => k.accessKeyId)).toEqual(['AKIA9']);
    expect(after?.history).toHaveLength(1);
    expect(after?.history[0]).toMatchObject({ userId: ALICE.userId, enabledAt: null, denyPolicy: { state: 'done' }, keys: [{ accessKeyId: 'AKIA1', state: 'intent' }] });
  });

  it('Given records of two users, When they are listed, Then each has its own file', async () => {
    const r = recorder();
    await r.intend(ALICE, INLINE);
    await r.intend({ userName: 'bob', userId: 'AIDABOB0000000000001' }, key('AKIAB'));

    const records = await listDisableRecords(context.workspace, await trustOf(context.workspace));
    expect(records.map((x) => x.userName)).toEqual(['alice', 'bob']);
    expect(records[1]?.keys.map((k) => k.accessKeyId)).toEqual(['AKIAB']);
    expect(records[1]?.denyPolicy).toBeNull();
  });
});
