import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type FilteredLogEvent,
  type FilterLogEventsCommandOutput,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it, vi } from 'vitest';
import { TestIoHost, type ScriptedAnswer } from '../support/test-io-host.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import type { TrailLogGroup } from '../../../src/phases/watch-denied/find-trail-log-group.js';
import type { DenialLine } from '../../../src/phases/watch-denied/watch-accumulator.js';
import { FOLLOW_LOOKBACK_MS, watchDenied, type WatchDeniedOptions } from '../../../src/phases/watch-denied/watch-denied.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { ACCOUNT, iamUserCall, identityCenterCall, insightsRow, logEvent, roleCall } from './support/cloudwatch-trail-fixtures.js';

const { mocks, clients } = mockAws();

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOG_GROUP = 'CloudTrail/Default';
const GIVEN: TrailLogGroup = { logGroupName: LOG_GROUP, region: 'eu-west-1', trailName: null, source: 'flag', reason: 'given with --log-group' };
const FAST = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 5 };

const iso = (ms: number) => new Date(ms).toISOString();
const page = (events: FilteredLogEvent[], nextToken?: string): FilterLogEventsCommandOutput => ({ events, nextToken, $metadata: {} });

const developersDenied = (eventId: string, ms: number) =>
  logEvent(identityCenterCall({ eventId, time: iso(ms), denied: { action: 's3:GetObject', resource: 'arn:aws:s3:::app-bucket/report.csv' } }), ms);
const sandboxDenied = (eventId: string, ms: number) =>
  logEvent(identityCenterCall({ eventId, time: iso(ms), user: 'kim', permissionSet: 'Sandbox', denied: { action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders' } }), ms);
const scpDenied = (eventId: string, ms: number) =>
  logEvent(roleCall({ eventId, time: iso(ms), eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', deniedBySCP: { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:eu-west-1:111111111111:instance/*' } }), ms);
const bobCall = (eventId: string, ms: number) => logEvent(iamUserCall({ eventId, time: iso(ms), eventName: 'ListBuckets' }), ms);

interface Harness {
  options: WatchDeniedOptions;
  io: TestIoHost;
  interrupts: InterruptController;
  logsFor: ReturnType<typeof vi.fn<(region: string) => typeof clients.logs>>;
  onDenial: ReturnType<typeof vi.fn<(line: DenialLine) => void>>;
  clock: { ms: number };
}

function harness(overrides: Partial<WatchDeniedOptions> = {}, answers: ScriptedAnswer[] = []): Harness {
  const clock = { ms: NOW };
  const io = new TestIoHost({ answers });
  const interrupts = new InterruptController();
  const logsFor = vi.fn((_region: string) => clients.logs);
  const onDenial = vi.fn((_line: DenialLine) => undefined);
  const options: WatchDeniedOptions = {
    aws: { logs: logsFor, cloudTrail: clients.cloudTrail },
    io,
    accountId: ACCOUNT,
    region: 'us-east-1',
    logGroup: GIVEN,
    since: new Date(NOW - DAY),
    until: null,
    engine: 'filter',
    follow: null,
    context: { accountId: ACCOUNT, mappedPermissionSets: new Set(['Developers']), userKinds: new Map() },
    now: () => new Date(clock.ms),
    interrupts,
    onDenial,
    insightsDelays: FAST,
    startQueries: true,
    ...overrides,
  };
  return { options, io, interrupts, logsFor, onDenial, clock };
}

/** DescribeLogGroups for the log group; by default small (1,000 events) and older than any window. */
function logGroupIs(group: Partial<LogGroup> = {}): void {
  mocks.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: LOG_GROUP, storedBytes: 1_500_000, creationTime: NOW - 90 * DAY, ...group }] });
}

/** Over 1,000,000 events in a one-day window: 3,000,000 events of 1.5 KB, all within the last day. */
const HUGE: Partial<LogGroup> = { storedBytes: 3_000_000 * 1_500, creationTime: NOW - DAY };

function filterInputs(): { startTime?: number; endTime?: number }[] {
  return mocks.logs.commandCalls(FilterLogEventsCommand).map((call) => ({ startTime: call.args[0].input.startTime, endTime: call.args[0].input.endTime }));
}

describe('watchDenied: where it reads', () => {
  it('Given no --log-group, When watched, Then the log group is discovered from the trails and read in its region', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'everywhere', IsMultiRegionTrail: true, CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${LOG_GROUP}:*` }],
    });
    logGroupIs();
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const { options, logsFor, io } = harness({ logGroup: null });

    const report = await watchDenied(options);

    expect(mocks.cloudTrail).toHaveReceivedCommandTimes(DescribeTrailsCommand, 1);
    expect(logsFor).toHaveBeenCalledWith('eu-west-1');
    expect(mocks.logs).toHaveReceivedCommandWith(DescribeLogGroupsCommand, { logGroupNamePrefix: LOG_GROUP });
    expect(mocks.logs).toHaveReceivedCommandWith(FilterLogEventsCommand, { logGroupName: LOG_GROUP, startTime: NOW - DAY, endTime: NOW });
    expect(report.logGroup).toMatchObject({ name: LOG_GROUP, region: 'eu-west-1' });
    expect(io.codes('verbose')).toContain('LOG_GROUP');
  });

  it('Given --log-group, When watched, Then the trails are not looked up', async () => {
    logGroupIs();
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const { options, logsFor } = harness({ logGroup: { ...GIVEN, region: 'ap-south-1' } });

    const report = await watchDenied(options);

    expect(mocks.cloudTrail).not.toHaveReceivedCommand(DescribeTrailsCommand);
    expect(logsFor).toHaveBeenCalledWith('ap-south-1');
    expect(report.logGroup).toMatchObject({ name: LOG_GROUP, region: 'ap-south-1' });
  });

  it('Given --until, When watched, Then the window ends there', async () => {
    logGroupIs();
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const until = new Date(NOW - HOUR);
    const { options } = harness({ until });

    const report = await watchDenied(options);

    expect(filterInputs()).toEqual([{ startTime: NOW - DAY, endTime: NOW - HOUR }]);
    expect(report.window).toEqual({ since: iso(NOW - DAY), until: iso(NOW - HOUR) });
  });

  it('Given a log group that keeps fewer days than the window, When watched, Then WINDOW_BEFORE_RETENTION is warned and the read goes on', async () => {
    logGroupIs({ retentionInDays: 7 });
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const { options, io } = harness({ since: new Date(NOW - 30 * DAY) });

    await watchDenied(options);

    expect(io.codes('warn')).toContain('WINDOW_BEFORE_RETENTION');
    expect(mocks.logs).toHaveReceivedCommand(FilterLogEventsCommand);
  });
});

describe('watchDenied: the report', () => {
  it('Given one event read twice (two pages, two log streams), When watched, Then it is counted once and the report groups denials by permission set and lists the IAM users', async () => {
    logGroupIs();
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce(page([developersDenied('d-1', NOW - 3 * HOUR), bobCall('bob-1', NOW - 2 * HOUR), sandboxDenied('s-1', NOW - 2 * HOUR)], 'token-1'))
      .resolvesOnce(page([{ ...developersDenied('d-1', NOW - 3 * HOUR), logStreamName: `${ACCOUNT}_CloudTrail_us-east-1` }, scpDenied('r-1', NOW - HOUR)]));
    const { options, onDenial, io } = harness();

    const report = await watchDenied(options);

    expect(report.stats).toMatchObject({ requests: 2, received: 5, matched: 5, duplicates: 1, lastTimestampMs: NOW - HOUR });
    expect(report.totals).toEqual({ denied: 3, iamUserEvents: 1, fixable: 2 });
    expect(report.permissionSets).toEqual([
      expect.objectContaining({
        permissionSet: 'Developers',
        inMapping: true,
        total: 1,
        actions: [expect.objectContaining({ action: 's3:GetObject', count: 1, fixable: true, deniedBy: 'identity-policy', users: ['jane'] })],
      }),
      expect.objectContaining({ permissionSet: 'Sandbox', inMapping: false, total: 1, actions: [expect.objectContaining({ action: 'dynamodb:GetItem', users: ['kim'] })] }),
    ]);
    expect(report.otherPrincipals).toEqual([
      expect.objectContaining({ type: 'role', total: 1, actions: [expect.objectContaining({ action: 'ec2:RunInstances', deniedBy: 'service-control-policy', explicit: true, fixable: false })] }),
    ]);
    expect(report.iamUsers).toEqual([expect.objectContaining({ userName: 'bob', kind: null, eventCount: 1, deniedCount: 0, lastSeen: iso(NOW - 2 * HOUR) })]);
    expect(report).toMatchObject({ accountId: ACCOUNT, engine: 'filter', follow: false, generatedAt: iso(NOW), window: { since: iso(NOW - DAY), until: iso(NOW) } });
    expect(onDenial.mock.calls.map(([line]) => line.eventId)).toEqual(['d-1', 's-1', 'r-1']);
    expect(io.progress).toEqual([expect.objectContaining({ code: 'READ_EVENTS', outcome: 'succeed' })]);
  });

  it('Given a read that fails, When watched without follow, Then the error propagates and the progress is marked failed', async () => {
    logGroupIs();
    const error = awsError('ServiceUnavailableException');
    mocks.logs.on(FilterLogEventsCommand).rejects(error);
    const { options, io } = harness();

    await expect(watchDenied(options)).rejects.toBe(error);
    expect(io.progress).toEqual([expect.objectContaining({ code: 'READ_EVENTS', outcome: 'fail' })]);
  });
});

describe('watchDenied: choosing the query engine', () => {
  it('Given engine auto and a small log group, When watched, Then FilterLogEvents is used without asking', async () => {
    logGroupIs();
    mocks.logs.on(FilterLogEventsCommand).resolves(page([developersDenied('d-1', NOW - HOUR)]));
    const { options, io } = harness({ engine: 'auto' });

    const report = await watchDenied(options);

    expect(report.engine).toBe('filter');
    expect(mocks.logs).toHaveReceivedCommand(FilterLogEventsCommand);
    expect(mocks.logs).not.toHaveReceivedCommand(StartQueryCommand);
    expect(io.codes('warn')).not.toContain('LARGE_WINDOW');
  });

  it('Given engine auto and DescribeLogGroups denied, When watched, Then FilterLogEvents is used (no estimate, no question)', async () => {
    mocks.logs.on(DescribeLogGroupsCommand).rejects(awsError('AccessDeniedException'));
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const { options, io } = harness({ engine: 'auto' });

    const report = await watchDenied(options);

    expect(report.engine).toBe('filter');
    expect(io.codes('warn')).not.toContain('LARGE_WINDOW');
  });

  it('Given engine auto, a window of over a million events and the answer insights, When watched, Then Logs Insights reads the window', async () => {
    logGroupIs(HUGE);
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    mocks.logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [insightsRow(identityCenterCall({ eventId: 'd-1', time: iso(NOW - HOUR), denied: { action: 's3:GetObject', resource: 'arn:aws:s3:::app-bucket/x' } }), NOW - HOUR)],
    });
    const { options, io } = harness({ engine: 'auto' }, [{ code: 'QUERY_ENGINE', answer: 'insights' }]);

    const report = await watchDenied(options);

    expect(report.engine).toBe('insights');
    expect(mocks.logs).toHaveReceivedCommandWith(StartQueryCommand, { logGroupName: LOG_GROUP, startTime: Math.floor((NOW - DAY) / 1000), endTime: Math.ceil(NOW / 1000) });
    expect(mocks.logs).not.toHaveReceivedCommand(FilterLogEventsCommand);
    expect(report.totals.denied).toBe(1);
    expect(io.codes('warn')).not.toContain('LARGE_WINDOW');
  });

  it('Given engine auto, a window of over a million events and nobody to answer, When watched, Then the default FilterLogEvents is used and LARGE_WINDOW is warned', async () => {
    logGroupIs(HUGE);
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const { options, io } = harness({ engine: 'auto' });

    const report = await watchDenied(options);

    expect(report.engine).toBe('filter');
    expect(io.codes('warn')).toContain('LARGE_WINDOW');
    expect(mocks.logs).toHaveReceivedCommand(FilterLogEventsCommand);
    expect(mocks.logs).not.toHaveReceivedCommand(StartQueryCommand);
  });

  it('Given engine filter and a huge log group, When watched, Then nothing is asked and no LARGE_WINDOW is warned', async () => {
    logGroupIs(HUGE);
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const { options, io } = harness({ engine: 'filter' }, [{ code: 'QUERY_ENGINE', answer: 'insights' }]);

    const report = await watchDenied(options);

    expect(report.engine).toBe('filter');
    expect(mocks.logs).not.toHaveReceivedCommand(StartQueryCommand);
    expect(io.codes('warn')).not.toContain('LARGE_WINDOW');
  });
});

describe('watchDenied --follow', () => {
  /** A sleep that moves the fake clock on and asks to stop on its `stopAt`-th call. */
  function fakeSleep(h: Harness, stopAt: number) {
    let calls = 0;
    const sleep = vi.fn(async (ms: number, _signal: AbortSignal) => {
      calls += 1;
      h.clock.ms += ms;
      if (calls === stopAt) h.interrupts.interrupt();
    });
    h.options.sleep = sleep;
    return sleep;
  }

  it('Given polls that re-read the overlap, bring new denials and fail once throttled, When followed until Ctrl-C, Then each poll looks back from the last event, nothing is reported twice, and the window ends at the last successful poll', async () => {
    logGroupIs();
    const T0 = NOW;
    mocks.logs
      .on(FilterLogEventsCommand)
      // The first window: a denial and a call of an IAM user.
      .resolvesOnce(page([developersDenied('d-1', T0 - 5 * 60_000), bobCall('bob-1', T0 - 4 * 60_000)]))
      // Poll 1: only the overlap again.
      .resolvesOnce(page([developersDenied('d-1', T0 - 5 * 60_000), bobCall('bob-1', T0 - 4 * 60_000)]))
      // Poll 2: the overlap and a new denial.
      .resolvesOnce(page([developersDenied('d-1', T0 - 5 * 60_000), developersDenied('d-2', T0 + 1_500)]))
      // Poll 3: throttled.
      .rejectsOnce(awsError('ThrottlingException'))
      // Poll 4: the overlap and a new denial.
      .resolvesOnce(page([developersDenied('d-2', T0 + 1_500), scpDenied('r-3', T0 + 3_500)]))
      // Poll 5: throttled again, then Ctrl-C during the next wait.
      .rejectsOnce(awsError('ThrottlingException'));
    const h = harness({ follow: { intervalMs: 1_000 }, since: new Date(T0 - HOUR) });
    const sleep = fakeSleep(h, 6);

    const report = await watchDenied(h.options);

    expect(filterInputs()).toEqual([
      { startTime: T0 - HOUR, endTime: T0 },
      { startTime: T0 - 4 * 60_000 - FOLLOW_LOOKBACK_MS, endTime: T0 + 1_000 },
      { startTime: T0 - 4 * 60_000 - FOLLOW_LOOKBACK_MS, endTime: T0 + 2_000 },
      { startTime: T0 + 1_500 - FOLLOW_LOOKBACK_MS, endTime: T0 + 3_000 },
      { startTime: T0 + 1_500 - FOLLOW_LOOKBACK_MS, endTime: T0 + 4_000 },
      { startTime: T0 + 3_500 - FOLLOW_LOOKBACK_MS, endTime: T0 + 5_000 },
    ]);
    expect(sleep).toHaveBeenCalledTimes(6);
    expect(sleep.mock.calls.every(([ms]) => ms === 1_000)).toBe(true);
    expect(h.onDenial.mock.calls.map(([line]) => line.eventId)).toEqual(['d-1', 'd-2', 'r-3']);
    expect(h.io.codes('warn').filter((c) => c === 'FOLLOW_POLL_FAILED')).toHaveLength(2);
    expect(h.io.codes('info')).toContain('FOLLOWING');
    expect(report.follow).toBe(true);
    expect(report.window).toEqual({ since: iso(T0 - HOUR), until: iso(T0 + 4_000) });
    expect(report.totals).toMatchObject({ denied: 3, iamUserEvents: 1 });
    expect(report.stats.duplicates).toBe(4);
    expect(report.iamUsers.map((u) => [u.userName, u.eventCount])).toEqual([['bob', 1]]);
    // Only the first read shows progress, and the controller is disarmed once the watch ends.
    expect(h.io.progress).toHaveLength(1);
    expect(h.interrupts.interrupt()).toBe('unarmed');
  });

  it('Given a first window without events, When followed, Then the first poll looks back from the end of that window', async () => {
    logGroupIs();
    mocks.logs.on(FilterLogEventsCommand).resolvesOnce(page([])).resolvesOnce(page([sandboxDenied('s-1', NOW + 500)]));
    const h = harness({ follow: { intervalMs: 2_000 }, since: new Date(NOW - HOUR) });
    fakeSleep(h, 2);

    const report = await watchDenied(h.options);

    expect(filterInputs()).toEqual([
      { startTime: NOW - HOUR, endTime: NOW },
      { startTime: NOW - FOLLOW_LOOKBACK_MS, endTime: NOW + 2_000 },
    ]);
    expect(h.onDenial.mock.calls.map(([line]) => line.eventId)).toEqual(['s-1']);
    expect(report.window.until).toBe(iso(NOW + 2_000));
  });

  it('Given a poll window that would start before --since, When followed, Then it starts at --since', async () => {
    logGroupIs();
    mocks.logs.on(FilterLogEventsCommand).resolves(page([]));
    const since = new Date(NOW - 60_000);
    const h = harness({ follow: { intervalMs: 1_000 }, since });
    fakeSleep(h, 2);

    await watchDenied(h.options);

    expect(filterInputs()[1]).toEqual({ startTime: since.getTime(), endTime: NOW + 1_000 });
  });

  it('Given Ctrl-C while a poll is still reading (more pages to come), When the watch stops, Then the window ends at the last poll that was read in full', async () => {
    logGroupIs();
    const h = harness({ follow: { intervalMs: 1_000 }, since: new Date(NOW - HOUR) });
    fakeSleep(h, 99);
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce(page([]))
      .resolvesOnce(page([]))
      .callsFakeOnce(() => {
        h.interrupts.interrupt();
        return page([developersDenied('d-9', NOW + 1_500)], 'more-to-read');
      });

    const report = await watchDenied(h.options);

    // Poll 2 (up to NOW + 2 s) stopped after its first page: only poll 1 (up to NOW + 1 s) was read in full.
    expect(mocks.logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 3);
    expect(h.onDenial).toHaveBeenCalledTimes(1);
    expect(report.window.until).toBe(iso(NOW + 1_000));
  });

  it('Given credentials that expire during a poll, When followed, Then the watch ends with that error and the controller is disarmed', async () => {
    logGroupIs();
    const expired = awsError('ExpiredTokenException');
    mocks.logs.on(FilterLogEventsCommand).resolvesOnce(page([])).rejectsOnce(expired);
    const h = harness({ follow: { intervalMs: 1_000 } });
    fakeSleep(h, 99);

    await expect(watchDenied(h.options)).rejects.toBe(expired);
    expect(h.io.codes('warn')).not.toContain('FOLLOW_POLL_FAILED');
    expect(h.interrupts.interrupt()).toBe('unarmed');
  });
});
