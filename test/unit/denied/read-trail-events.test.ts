import {
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type FilterLogEventsCommandInput,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { INSIGHTS_ROW_LIMIT, TRAIL_FILTER_PATTERN, TRAIL_INSIGHTS_QUERY } from '../../../src/phases/watch-denied/event-filter.js';
import { emptyReadStats, insightsTimestamp, readTrailEvents, type ReadOptions, type WatchedEvent } from '../../../src/phases/watch-denied/read-trail-events.js';
import { mockAws } from '../support/aws-mocks.js';
import { DIGEST_RECORD, iamUserCall, identityCenterCall, insightsRow, logEvent, roleCall } from './support/cloudwatch-trail-fixtures.js';

const { mocks, clients } = mockAws();

const LOG_GROUP = 'CloudTrail/Default';
const START = Date.parse('2026-12-01T08:00:00.250Z');
const END = Date.parse('2026-12-01T09:00:00.750Z');
const START_SEC = Math.floor(START / 1000);
const END_SEC = Math.ceil(END / 1000);
const FAST = { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 5 };

/** An ISO time and its epoch milliseconds, `seconds` after the window starts. */
const at = (seconds: number) => ({ ms: START + seconds * 1000, iso: new Date(START + seconds * 1000).toISOString() });

function options(overrides: Partial<ReadOptions> = {}): ReadOptions {
  return { engine: 'filter', logGroupName: LOG_GROUP, window: { startMs: START, endMs: END }, stats: emptyReadStats(), insightsDelays: FAST, ...overrides };
}

async function collect(read: AsyncGenerator<WatchedEvent>): Promise<WatchedEvent[]> {
  const out: WatchedEvent[] = [];
  for await (const watched of read) out.push(watched);
  return out;
}

const page = (events: ReturnType<typeof logEvent>[], nextToken?: string): FilterLogEventsCommandOutput => ({ events, nextToken, $metadata: {} });

const denied = { action: 's3:GetObject', resource: 'arn:aws:s3:::app-bucket/report.csv' };

describe('emptyReadStats', () => {
  it('Given a new read, When its stats are made, Then nothing is counted yet', () => {
    expect(emptyReadStats()).toEqual({ requests: 0, received: 0, matched: 0, lastTimestampMs: null, incomplete: false });
  });
});

describe('readTrailEvents with FilterLogEvents', () => {
  it('Given three pages chained by nextToken (the middle one empty), When read, Then every page is asked for the window with the JSON pattern and only watched events come out', async () => {
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce(
        page(
          [
            logEvent(identityCenterCall({ eventId: 'ic-denied', time: at(1).iso, denied }), at(1).ms),
            logEvent(roleCall({ eventId: 'role-allowed', time: at(2).iso }), at(2).ms),
            logEvent('START RequestId: 42 Version: $LATEST', at(3).ms),
          ],
          'token-1',
        ),
      )
      .resolvesOnce(page([], 'token-2'))
      .resolvesOnce(
        page([
          logEvent(iamUserCall({ eventId: 'bob-call', time: at(4).iso }), at(4).ms),
          logEvent(DIGEST_RECORD, at(5).ms),
          logEvent(identityCenterCall({ eventId: 'ic-allowed', time: at(6).iso }), at(6).ms),
          logEvent(roleCall({ eventId: 'role-denied', time: at(7).iso, deniedBySCP: { action: 'ec2:RunInstances', resource: '*' } }), at(7).ms),
          logEvent(roleCall({ eventId: 'role-allowed-late', time: at(8).iso }), at(8).ms),
        ]),
      );
    const read = options();

    const events = await collect(readTrailEvents(clients.logs, read));

    expect(events.map((e) => [e.event.eventId, e.timestampMs])).toEqual([
      ['ic-denied', at(1).ms],
      ['bob-call', at(4).ms],
      ['role-denied', at(7).ms],
    ]);
    expect(read.stats).toEqual({ requests: 3, received: 8, matched: 3, lastTimestampMs: at(7).ms, incomplete: false });
    const calls = mocks.logs.commandCalls(FilterLogEventsCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toMatchObject({ logGroupName: LOG_GROUP, startTime: START, endTime: END, filterPattern: TRAIL_FILTER_PATTERN, limit: 10_000 });
    expect(mocks.logs).not.toHaveReceivedCommand(StartQueryCommand);
  });

  it('Given pages chained by nextToken, When read, Then each request carries the token of the page before it', async () => {
    const pages = [page([], 'token-1'), page([], 'token-2'), page([])];
    const sent: FilterLogEventsCommandInput[] = [];
    // The paginator reuses one input object, so the input is copied when each call is made.
    mocks.logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
      sent.push({ ...input });
      return pages.shift() ?? page([]);
    });

    await collect(readTrailEvents(clients.logs, options()));

    expect(sent.map((input) => input.nextToken)).toEqual([undefined, 'token-1', 'token-2']);
    expect(sent.every((input) => input.startTime === START && input.endTime === END && input.filterPattern === TRAIL_FILTER_PATTERN && input.limit === 10_000)).toBe(true);
  });

  it('Given an emulator that ignores the pattern and returns every event, When read, Then allowed calls of roles and Identity Center sessions are dropped on this side', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolvesOnce(
      page([
        logEvent(roleCall({ eventId: 'r1', time: at(1).iso }), at(1).ms),
        logEvent(identityCenterCall({ eventId: 'i1', time: at(2).iso }), at(2).ms),
        logEvent('{"not": "a trail event"', at(3).ms),
      ]),
    );
    const read = options();

    const events = await collect(readTrailEvents(clients.logs, read));

    expect(events).toEqual([]);
    expect(read.stats).toMatchObject({ requests: 1, received: 3, matched: 0, lastTimestampMs: null });
  });

  it('Given the service answers the same token twice, When read, Then the walk ends instead of looping', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolves(page([], 'stuck'));
    const read = options();

    await collect(readTrailEvents(clients.logs, read));

    expect(mocks.logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 2);
    expect(read.stats.requests).toBe(2);
  });

  it('Given the read is aborted while a page is consumed, When the page ends, Then no further page is asked for', async () => {
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce(page([logEvent(iamUserCall({ eventId: 'a', time: at(1).iso }), at(1).ms), logEvent(iamUserCall({ eventId: 'b', time: at(2).iso }), at(2).ms)], 'token-1'))
      .resolvesOnce(page([logEvent(iamUserCall({ eventId: 'c', time: at(3).iso }), at(3).ms)]));
    const abort = new AbortController();
    const seen: string[] = [];

    for await (const { event } of readTrailEvents(clients.logs, options({ abortSignal: abort.signal }))) {
      seen.push(event.eventId);
      abort.abort();
    }

    expect(seen).toEqual(['a', 'b']);
    expect(mocks.logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 1);
  });

  it('Given a log event without a timestamp, When read, Then its time is the CloudTrail eventTime', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolvesOnce({ events: [{ message: JSON.stringify(iamUserCall({ eventId: 'x', time: at(9).iso })) }], $metadata: {} });
    const read = options();

    const [only] = await collect(readTrailEvents(clients.logs, read));

    expect(only?.timestampMs).toBe(at(9).ms);
    expect(read.stats.lastTimestampMs).toBe(at(9).ms);
  });
});

describe('readTrailEvents with Logs Insights', () => {
  it('Given a query that is Running and then Complete, When read, Then the window is asked for in epoch seconds with the Insights query and the watched rows come out', async () => {
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    mocks.logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running', results: [] })
      .resolvesOnce({
        status: 'Complete',
        results: [
          insightsRow(identityCenterCall({ eventId: 'ic-denied', time: at(1).iso, denied }), at(1).ms),
          insightsRow(roleCall({ eventId: 'role-allowed', time: at(2).iso }), at(2).ms),
          insightsRow(iamUserCall({ eventId: 'bob-call', time: at(3).iso }), at(3).ms),
        ],
      });
    const read = options({ engine: 'insights' });

    const events = await collect(readTrailEvents(clients.logs, read));

    expect(events.map((e) => [e.event.eventId, e.timestampMs])).toEqual([
      ['ic-denied', at(1).ms],
      ['bob-call', at(3).ms],
    ]);
    expect(read.stats).toEqual({ requests: 1, received: 3, matched: 2, lastTimestampMs: at(3).ms, incomplete: false });
    expect(mocks.logs).toHaveReceivedCommandTimes(StartQueryCommand, 1);
    expect(mocks.logs).toHaveReceivedCommandWith(StartQueryCommand, {
      logGroupName: LOG_GROUP,
      startTime: START_SEC,
      endTime: END_SEC,
      queryString: TRAIL_INSIGHTS_QUERY,
      limit: INSIGHTS_ROW_LIMIT,
    });
    expect(mocks.logs).toHaveReceivedCommandTimes(GetQueryResultsCommand, 2);
    expect(mocks.logs).toHaveReceivedNthCommandWith(GetQueryResultsCommand, 2, { queryId: 'q-1' });
    expect(mocks.logs).not.toHaveReceivedCommand(FilterLogEventsCommand);
    expect(mocks.logs).not.toHaveReceivedCommand(StopQueryCommand);
  });

  it('Given rows in the first and last seconds but outside the window, When read, Then they are left out', async () => {
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    mocks.logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        insightsRow(iamUserCall({ eventId: 'too-early', time: new Date(START - 100).toISOString() }), START - 100),
        insightsRow(iamUserCall({ eventId: 'inside', time: at(1).iso }), at(1).ms),
        insightsRow(iamUserCall({ eventId: 'too-late', time: new Date(END + 100).toISOString() }), END + 100),
      ],
    });

    const events = await collect(readTrailEvents(clients.logs, options({ engine: 'insights' })));

    expect(events.map((e) => e.event.eventId)).toEqual(['inside']);
  });

  it('Given a first answer of exactly 10,000 rows, When read, Then a second query starts at the second of the last row, and a shorter answer ends the walk', async () => {
    const firstRows = Array.from({ length: INSIGHTS_ROW_LIMIT }, (_, i) => {
      const ms = START + 1_000 + i * 100;
      return insightsRow(iamUserCall({ eventId: `e-${i}`, time: new Date(ms).toISOString() }), ms);
    });
    const lastMs = START + 1_000 + (INSIGHTS_ROW_LIMIT - 1) * 100;
    mocks.logs.on(StartQueryCommand).resolvesOnce({ queryId: 'q-1' }).resolvesOnce({ queryId: 'q-2' });
    mocks.logs
      .on(GetQueryResultsCommand, { queryId: 'q-1' })
      .resolves({ status: 'Complete', results: firstRows })
      .on(GetQueryResultsCommand, { queryId: 'q-2' })
      .resolves({
        status: 'Complete',
        results: [
          insightsRow(iamUserCall({ eventId: `e-${INSIGHTS_ROW_LIMIT - 1}`, time: new Date(lastMs).toISOString() }), lastMs),
          insightsRow(iamUserCall({ eventId: 'after', time: new Date(lastMs + 5_000).toISOString() }), lastMs + 5_000),
        ],
      });
    const read = options({ engine: 'insights' });

    const events = await collect(readTrailEvents(clients.logs, read));

    expect(mocks.logs).toHaveReceivedCommandTimes(StartQueryCommand, 2);
    expect(mocks.logs).toHaveReceivedNthCommandWith(StartQueryCommand, 1, { startTime: START_SEC, endTime: END_SEC });
    expect(mocks.logs).toHaveReceivedNthCommandWith(StartQueryCommand, 2, { logGroupName: LOG_GROUP, startTime: Math.floor(lastMs / 1000), endTime: END_SEC, queryString: TRAIL_INSIGHTS_QUERY });
    // De-duplication is the caller's: the repeated last row comes out twice.
    expect(events).toHaveLength(INSIGHTS_ROW_LIMIT + 2);
    expect(events.at(-1)?.event.eventId).toBe('after');
    expect(read.stats).toMatchObject({ requests: 2, received: INSIGHTS_ROW_LIMIT + 2, matched: INSIGHTS_ROW_LIMIT + 2, lastTimestampMs: lastMs + 5_000, incomplete: false });
  });

  it('Given 10,000 rows all in the first second, When read, Then the walk skips past that second and marks the read incomplete', async () => {
    const sameSecond = Array.from({ length: INSIGHTS_ROW_LIMIT }, (_, i) => insightsRow(iamUserCall({ eventId: `s-${i}`, time: new Date(START).toISOString() }), START));
    mocks.logs.on(StartQueryCommand).resolvesOnce({ queryId: 'q-1' }).resolvesOnce({ queryId: 'q-2' });
    mocks.logs.on(GetQueryResultsCommand, { queryId: 'q-1' }).resolves({ status: 'Complete', results: sameSecond }).on(GetQueryResultsCommand, { queryId: 'q-2' }).resolves({ status: 'Complete', results: [] });
    const read = options({ engine: 'insights' });

    await collect(readTrailEvents(clients.logs, read));

    expect(mocks.logs).toHaveReceivedNthCommandWith(StartQueryCommand, 2, { startTime: START_SEC + 1 });
    expect(read.stats.incomplete).toBe(true);
    expect(read.stats.requests).toBe(2);
  });

  it.each(['Failed', 'Cancelled', 'Timeout'] as const)('Given the query ends %s, When read, Then a Fault INSIGHTS_QUERY_FAILED is raised', async (status) => {
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    mocks.logs.on(GetQueryResultsCommand).resolvesOnce({ status: 'Running' }).resolvesOnce({ status });

    const error = await collect(readTrailEvents(clients.logs, options({ engine: 'insights' }))).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'INSIGHTS_QUERY_FAILED' });
    expect(mocks.logs).not.toHaveReceivedCommand(StopQueryCommand);
  });

  it('Given a query that never completes within the wait, When read, Then it is stopped and a Fault INSIGHTS_QUERY_FAILED is raised', async () => {
    mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-slow' });
    mocks.logs.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    mocks.logs.on(StopQueryCommand).resolves({ success: true });

    const error = await collect(readTrailEvents(clients.logs, options({ engine: 'insights', insightsDelays: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.1 } }))).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INSIGHTS_QUERY_FAILED' });
    expect(mocks.logs).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q-slow' });
  });

  it('Given StartQuery answers without a query ID, When read, Then a Fault INSIGHTS_NO_QUERY_ID is raised and no results are asked for', async () => {
    mocks.logs.on(StartQueryCommand).resolves({});

    const error = await collect(readTrailEvents(clients.logs, options({ engine: 'insights' }))).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'INSIGHTS_NO_QUERY_ID' });
    expect(mocks.logs).not.toHaveReceivedCommand(GetQueryResultsCommand);
  });
});

describe('insightsTimestamp', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('Given the Insights format, When parsed on a machine in another time zone, Then it is read as UTC', () => {
    process.env.TZ = 'America/New_York';

    expect(insightsTimestamp('2026-12-01 08:00:00.000')).toBe(Date.UTC(2026, 11, 1, 8, 0, 0, 0));
    expect(insightsTimestamp('2026-12-01 08:00:00.123')).toBe(Date.UTC(2026, 11, 1, 8, 0, 0, 123));
  });

  it.each([
    ['an epoch-millisecond string', '1796112000123', 1_796_112_000_123],
    ['an ISO time with Z', '2026-12-01T08:00:00.000Z', Date.UTC(2026, 11, 1, 8)],
    ['a time with an offset', '2026-12-01 09:00:00.000+01:00', Date.UTC(2026, 11, 1, 8)],
  ])('Given %s, When parsed, Then it is that instant', (_, value, expected) => {
    expect(insightsTimestamp(value)).toBe(expected);
  });

  it.each([['empty', ''], ['missing', undefined], ['junk', 'junk'], ['a word with z', 'zero'], ['a date that does not exist', '2026-13-45 99:00:00.000']])(
    'Given %s, When parsed, Then it is null',
    (_, value) => {
      expect(insightsTimestamp(value)).toBeNull();
    },
  );
});
