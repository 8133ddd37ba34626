import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeWindows, recordActivity } from '../../../src/phases/watch-denied/record-activity.js';
import type { IamUserActivity, PermissionSetDenials, WatchReport } from '../../../src/phases/watch-denied/watch-report.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const ACCOUNT = '111111111111';
const LOG_GROUP = 'aws-cloudtrail-logs-111111111111';
const BOUND_AT = new Date('2026-12-01T00:00:00Z');
const FIRST_RUN = new Date('2026-12-02T08:00:00.000Z');
const SECOND_RUN = new Date('2026-12-03T08:00:00.000Z');

function user(userName: string, overrides: Partial<IamUserActivity> = {}): IamUserActivity {
  const lastSeen = overrides.lastSeen ?? '2026-12-01T12:00:00.000Z';
  return {
    userName,
    userId: 'AIDAEXAMPLEUSER00001',
    kind: 'machine',
    eventCount: 5,
    deniedCount: 0,
    firstSeen: '2026-12-01T09:00:00.000Z',
    lastSeen,
    lastEvent: { time: lastSeen, action: 's3:GetObject', denied: false },
    sourceIps: [{ value: '203.0.113.10', count: 5 }],
    userAgents: [{ value: 'aws-cli/2.15.0', count: 5 }],
    accessKeys: [],
    consoleLastSeen: null,
    ...overrides,
  };
}

function report(
  window: WatchReport['window'],
  iamUsers: IamUserActivity[],
  options: { logGroup?: string; permissionSets?: PermissionSetDenials[] } = {},
): WatchReport {
  return {
    generatedAt: window.until,
    accountId: ACCOUNT,
    logGroup: { name: options.logGroup ?? LOG_GROUP, region: 'eu-west-1', reason: 'the trail delivers to it' },
    engine: 'filter',
    window,
    follow: false,
    cutShort: false,
    readSkipped: false,
    stats: { requests: 1, received: 10, matched: 10, lastTimestampMs: null, incomplete: false, duplicates: 0 },
    totals: { denied: 0, fixable: 0, iamUserEvents: iamUsers.reduce((n, u) => n + u.eventCount, 0) },
    permissionSets: options.permissionSets ?? [],
    otherPrincipals: [],
    iamUsers,
  };
}

describe('mergeWindows', () => {
  it('Given overlapping windows, When merged, Then they become one spanning both', () => {
    expect(
      mergeWindows([
        { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T12:00:00.000Z' },
        { since: '2026-12-01T06:00:00.000Z', until: '2026-12-01T18:00:00.000Z' },
      ]),
    ).toEqual([{ since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T18:00:00.000Z' }]);
  });

  it('Given windows that touch, When merged, Then they become one', () => {
    expect(
      mergeWindows([
        { since: '2026-12-01T12:00:00.000Z', until: '2026-12-02T00:00:00.000Z' },
        { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T12:00:00.000Z' },
      ]),
    ).toEqual([{ since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }]);
  });

  it('Given a window inside another, When merged, Then the outer one remains', () => {
    expect(
      mergeWindows([
        { since: '2026-12-01T00:00:00.000Z', until: '2026-12-03T00:00:00.000Z' },
        { since: '2026-12-01T06:00:00.000Z', until: '2026-12-01T18:00:00.000Z' },
      ]),
    ).toEqual([{ since: '2026-12-01T00:00:00.000Z', until: '2026-12-03T00:00:00.000Z' }]);
  });

  it('Given disjoint windows out of order, When merged, Then they stay apart, oldest first', () => {
    expect(
      mergeWindows([
        { since: '2026-12-05T00:00:00.000Z', until: '2026-12-06T00:00:00.000Z' },
        { since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' },
        { since: '2026-12-03T00:00:00.000Z', until: '2026-12-04T00:00:00.000Z' },
      ]),
    ).toEqual([
      { since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' },
      { since: '2026-12-03T00:00:00.000Z', until: '2026-12-04T00:00:00.000Z' },
      { since: '2026-12-05T00:00:00.000Z', until: '2026-12-06T00:00:00.000Z' },
    ]);
  });

  it('Given a chain of overlaps and a gap, When merged, Then the chain joins and the gap stays', () => {
    expect(
      mergeWindows([
        { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T10:00:00.000Z' },
        { since: '2026-12-01T09:00:00.000Z', until: '2026-12-01T20:00:00.000Z' },
        { since: '2026-12-01T20:00:00.000Z', until: '2026-12-02T01:00:00.000Z' },
        { since: '2026-12-03T00:00:00.000Z', until: '2026-12-03T01:00:00.000Z' },
      ]),
    ).toEqual([
      { since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T01:00:00.000Z' },
      { since: '2026-12-03T00:00:00.000Z', until: '2026-12-03T01:00:00.000Z' },
    ]);
  });

  it('Given windows, When merged, Then the input is not changed', () => {
    const input = [
      { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T12:00:00.000Z' },
      { since: '2026-12-01T06:00:00.000Z', until: '2026-12-01T18:00:00.000Z' },
    ];
    const copy = structuredClone(input);

    mergeWindows(input);

    expect(input).toEqual(copy);
  });

  it('Given no window, When merged, Then there is none', () => {
    expect(mergeWindows([])).toEqual([]);
  });
});

describe('recordActivity', () => {
  let dir: string;
  let workspace: Workspace;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'iam2idc-record-activity-'));
    workspace = Workspace.at(dir);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function bind(): Promise<void> {
    await workspace.bindToAccount({ accountId: ACCOUNT, partition: 'aws', arn: 'arn:aws:iam::111111111111:user/admin' }, BOUND_AT);
  }

  async function activityOnDisk(): Promise<Record<string, unknown>> {
    const state = JSON.parse(await readFile(path.join(dir, 'workspace.json'), 'utf8')) as { phases: { activity?: Record<string, unknown> } };
    if (state.phases.activity === undefined) throw new Error('no phases.activity in workspace.json');
    return state.phases.activity;
  }

  it('Given a watch stopped before its first read ended (an empty window), When recorded, Then the users are kept but no window counts as read', async () => {
    await bind();
    const at = '2026-12-01T00:00:00.000Z';
    await recordActivity(workspace, report({ since: at, until: at }, [user('ci-deploy')]), FIRST_RUN);

    const written = await activityOnDisk();
    expect(written.windows).toEqual([]);
    expect(Object.keys(written.users as object)).toEqual(['ci-deploy']);
  });

  it('Given a workspace without workspace.json, When activity is recorded, Then nothing is written and null is returned', async () => {
    const result = await recordActivity(workspace, report({ since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }, [user('ci-deploy')]), FIRST_RUN);

    expect(result).toBeNull();
    expect(await workspace.readState()).toBeNull();
  });

  it('Given a first run, When activity is recorded, Then workspace.json holds the window, the users and the denials per set', async () => {
    await bind();
    const first = report(
      { since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' },
      [
        user('ci-deploy', {
          accessKeys: [{ accessKeyId: 'AKIAEXAMPLEKEY000001', lastSeen: '2026-12-01T12:00:00.000Z', count: 5 }],
        }),
        user('alice', { userId: 'AIDAEXAMPLEUSER00002', kind: 'human', consoleLastSeen: '2026-12-01T08:00:00.000Z', lastSeen: '2026-12-01T08:00:00.000Z' }),
      ],
      { permissionSets: [{ permissionSet: 'Developers', inMapping: true, total: 4, actions: [] }] },
    );

    const returned = await recordActivity(workspace, first, FIRST_RUN);
    const written = await activityOnDisk();

    expect(written).toEqual({
      firstRunAt: FIRST_RUN.toISOString(),
      lastRunAt: FIRST_RUN.toISOString(),
      logGroup: LOG_GROUP,
      windows: [{ since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }],
      users: {
        'ci-deploy': {
          userId: 'AIDAEXAMPLEUSER00001',
          lastSeen: '2026-12-01T12:00:00.000Z',
          lastAction: 's3:GetObject',
          eventCount: 5,
          accessKeys: { AKIAEXAMPLEKEY000001: '2026-12-01T12:00:00.000Z' },
          consoleLastSeen: null,
        },
        alice: {
          userId: 'AIDAEXAMPLEUSER00002',
          lastSeen: '2026-12-01T08:00:00.000Z',
          lastAction: 's3:GetObject',
          eventCount: 5,
          accessKeys: {},
          consoleLastSeen: '2026-12-01T08:00:00.000Z',
        },
      },
      deniedByPermissionSet: { Developers: 4 },
    });
    expect(returned).toEqual(written);
  });

  describe('Given two runs', () => {
    const firstWindow = { since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' };
    const secondWindow = { since: '2026-11-30T12:00:00.000Z', until: '2026-12-01T06:00:00.000Z' };

    async function twoRuns(firstUsers: IamUserActivity[], secondUsers: IamUserActivity[], secondLogGroup = LOG_GROUP): Promise<Record<string, unknown>> {
      await bind();
      await recordActivity(workspace, report(firstWindow, firstUsers), FIRST_RUN);
      await recordActivity(workspace, report(secondWindow, secondUsers, { logGroup: secondLogGroup }), SECOND_RUN);
      return activityOnDisk();
    }

    it('When the second window is older, Then the last use of a user stays the newer one', async () => {
      const activity = await twoRuns(
        [user('ci-deploy', { lastSeen: '2026-12-01T20:00:00.000Z', lastEvent: { time: '2026-12-01T20:00:00.000Z', action: 's3:PutObject', denied: false } })],
        [user('ci-deploy', { lastSeen: '2026-11-30T18:00:00.000Z', lastEvent: { time: '2026-11-30T18:00:00.000Z', action: 's3:GetObject', denied: false }, eventCount: 2 })],
      );

      expect(activity.users).toMatchObject({
        'ci-deploy': { userId: 'AIDAEXAMPLEUSER00001', lastSeen: '2026-12-01T20:00:00.000Z', lastAction: 's3:PutObject', eventCount: 2 },
      });
    });

    it('When the second run saw a newer use, Then the last use moves forward', async () => {
      const activity = await twoRuns(
        [user('ci-deploy', { lastSeen: '2026-12-01T20:00:00.000Z', lastEvent: { time: '2026-12-01T20:00:00.000Z', action: 's3:PutObject', denied: false } })],
        [user('ci-deploy', { lastSeen: '2026-12-02T07:00:00.000Z', lastEvent: { time: '2026-12-02T07:00:00.000Z', action: 'sqs:SendMessage', denied: true } })],
      );

      expect(activity.users).toMatchObject({ 'ci-deploy': { lastSeen: '2026-12-02T07:00:00.000Z', lastAction: 'sqs:SendMessage' } });
    });

    it('When both saw access keys, Then each key keeps its latest use, and keys seen only once are kept', async () => {
      const activity = await twoRuns(
        [
          user('ci-deploy', {
            lastSeen: '2026-12-01T20:00:00.000Z',
            accessKeys: [
              { accessKeyId: 'AKIAEXAMPLEKEY000001', lastSeen: '2026-12-01T20:00:00.000Z', count: 3 },
              { accessKeyId: 'AKIAEXAMPLEKEY000002', lastSeen: '2026-12-01T02:00:00.000Z', count: 1 },
            ],
          }),
        ],
        [
          user('ci-deploy', {
            lastSeen: '2026-12-01T05:00:00.000Z',
            accessKeys: [
              { accessKeyId: 'AKIAEXAMPLEKEY000001', lastSeen: '2026-11-30T13:00:00.000Z', count: 1 },
              { accessKeyId: 'AKIAEXAMPLEKEY000002', lastSeen: '2026-12-01T05:00:00.000Z', count: 2 },
              { accessKeyId: 'AKIAEXAMPLEKEY000003', lastSeen: '2026-11-30T14:00:00.000Z', count: 1 },
            ],
          }),
        ],
      );

      expect(activity.users).toMatchObject({
        'ci-deploy': {
          accessKeys: {
            AKIAEXAMPLEKEY000001: '2026-12-01T20:00:00.000Z',
            AKIAEXAMPLEKEY000002: '2026-12-01T05:00:00.000Z',
            AKIAEXAMPLEKEY000003: '2026-11-30T14:00:00.000Z',
          },
        },
      });
    });

    it('When both saw console use, Then the console last seen is the later one', async () => {
      const activity = await twoRuns(
        [user('alice', { consoleLastSeen: '2026-12-01T10:00:00.000Z', lastSeen: '2026-12-01T10:00:00.000Z' })],
        [user('alice', { consoleLastSeen: '2026-11-30T13:00:00.000Z', lastSeen: '2026-11-30T13:00:00.000Z' })],
      );

      expect(activity.users).toMatchObject({ alice: { consoleLastSeen: '2026-12-01T10:00:00.000Z', lastSeen: '2026-12-01T10:00:00.000Z' } });
    });

    it('When the windows overlap, Then they are merged into one', async () => {
      const activity = await twoRuns([], []);

      expect(activity.windows).toEqual([{ since: '2026-11-30T12:00:00.000Z', until: '2026-12-02T00:00:00.000Z' }]);
    });

    it('When the second run read another log group, Then only its window is kept', async () => {
      const activity = await twoRuns([], [], 'org-trail-logs');

      expect(activity.logGroup).toBe('org-trail-logs');
      expect(activity.windows).toEqual([secondWindow]);
    });

    it('When the user was re-created with a new UserId, Then the old user data is replaced', async () => {
      const activity = await twoRuns(
        [
          user('ci-deploy', {
            userId: 'AIDAEXAMPLEUSER00001',
            lastSeen: '2026-12-01T20:00:00.000Z',
            lastEvent: { time: '2026-12-01T20:00:00.000Z', action: 's3:PutObject', denied: false },
            accessKeys: [{ accessKeyId: 'AKIAEXAMPLEKEY000001', lastSeen: '2026-12-01T20:00:00.000Z', count: 3 }],
            consoleLastSeen: '2026-12-01T19:00:00.000Z',
          }),
        ],
        [
          user('ci-deploy', {
            userId: 'AIDAEXAMPLEUSER00099',
            lastSeen: '2026-12-01T05:00:00.000Z',
            lastEvent: { time: '2026-12-01T05:00:00.000Z', action: 'sqs:SendMessage', denied: false },
            eventCount: 1,
            accessKeys: [{ accessKeyId: 'AKIAEXAMPLEKEY000009', lastSeen: '2026-12-01T05:00:00.000Z', count: 1 }],
          }),
        ],
      );

      expect((activity.users as Record<string, unknown>)['ci-deploy']).toEqual({
        userId: 'AIDAEXAMPLEUSER00099',
        lastSeen: '2026-12-01T05:00:00.000Z',
        lastAction: 'sqs:SendMessage',
        eventCount: 1,
        accessKeys: { AKIAEXAMPLEKEY000009: '2026-12-01T05:00:00.000Z' },
        consoleLastSeen: null,
      });
    });

    it('When the earlier run had no UserId, Then it is the same user and the UserId is filled in', async () => {
      const activity = await twoRuns(
        [user('ci-deploy', { userId: null, lastSeen: '2026-12-01T20:00:00.000Z' })],
        [user('ci-deploy', { userId: 'AIDAEXAMPLEUSER00001', lastSeen: '2026-12-01T05:00:00.000Z' })],
      );

      expect(activity.users).toMatchObject({ 'ci-deploy': { userId: 'AIDAEXAMPLEUSER00001', lastSeen: '2026-12-01T20:00:00.000Z' } });
    });

    it('When the second run did not see a user, Then the user seen before is kept', async () => {
      const activity = await twoRuns([user('ci-deploy'), user('alice', { userId: 'AIDAEXAMPLEUSER00002' })], [user('alice', { userId: 'AIDAEXAMPLEUSER00002' })]);

      expect(Object.keys(activity.users as Record<string, unknown>).sort()).toEqual(['alice', 'ci-deploy']);
    });

    it('When recorded, Then firstRunAt is kept from the first run and lastRunAt is the second', async () => {
      const activity = await twoRuns([], []);

      expect(activity.firstRunAt).toBe(FIRST_RUN.toISOString());
      expect(activity.lastRunAt).toBe(SECOND_RUN.toISOString());
    });

    it('When recorded, Then the rest of workspace.json is untouched', async () => {
      await twoRuns([user('ci-deploy')], []);

      const state = await workspace.readState();
      expect(state).toMatchObject({ accountId: ACCOUNT, partition: 'aws', createdAt: BOUND_AT.toISOString(), createdBy: 'arn:aws:iam::111111111111:user/admin' });
    });
  });
});
