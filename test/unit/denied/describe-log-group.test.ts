import { DescribeLogGroupsCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { describeLogGroup } from '../../../src/phases/watch-denied/describe-log-group.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { DAY_MS, msDaysAgo } from '../support/time.js';

const { mocks, clients } = mockAws();

const NAME = 'CloudTrail/Default';
const NOW = Date.parse('2026-12-01T12:00:00Z');
/** 1,000,000 events of about 1.5 KB. */
const MILLION_EVENTS_BYTES = 1_500_000_000;

const window = (fromDaysAgo: number, toDaysAgo = 0) => ({ startMs: msDaysAgo(fromDaysAgo, NOW), endMs: msDaysAgo(toDaysAgo, NOW) });

function answer(group: Partial<LogGroup>): void {
  mocks.logs.on(DescribeLogGroupsCommand).resolves({
    logGroups: [
      { logGroupName: `${NAME}-archive`, storedBytes: 1, creationTime: msDaysAgo(1, NOW) },
      { logGroupName: NAME, ...group },
      { logGroupName: `${NAME}2`, storedBytes: 2, creationTime: msDaysAgo(2, NOW) },
    ],
  });
}

async function estimate(group: Partial<LogGroup>, span: { startMs: number; endMs: number }): Promise<number | null> {
  answer(group);
  const info = await describeLogGroup(clients.logs, NAME, span, NOW);
  return info?.estimatedEvents ?? null;
}

describe('describeLogGroup', () => {
  it('Given prefix matches around the group, When described, Then the exact name is picked with one DescribeLogGroups call', async () => {
    answer({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW), retentionInDays: 365 });

    const info = await describeLogGroup(clients.logs, NAME, window(10), NOW);

    expect(info).toMatchObject({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW), retentionInDays: 365 });
    expect(mocks.logs).toHaveReceivedCommandTimes(DescribeLogGroupsCommand, 1);
    expect(mocks.logs).toHaveReceivedCommandWith(DescribeLogGroupsCommand, { logGroupNamePrefix: NAME });
  });

  it('Given only groups that start with the name, When described, Then LOG_GROUP_NOT_FOUND is raised', async () => {
    mocks.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: `${NAME}-archive` }] });

    const error = await describeLogGroup(clients.logs, NAME, window(1), NOW).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'LOG_GROUP_NOT_FOUND' });
  });

  it('Given no group at all, When described, Then LOG_GROUP_NOT_FOUND is raised', async () => {
    mocks.logs.on(DescribeLogGroupsCommand).resolves({});

    await expect(describeLogGroup(clients.logs, NAME, window(1), NOW)).rejects.toMatchObject({ code: 'LOG_GROUP_NOT_FOUND' });
  });

  it.each(['AccessDeniedException', 'AccessDenied'])('Given DescribeLogGroups fails with %s, When described, Then there is no information (null) rather than an error', async (name) => {
    mocks.logs.on(DescribeLogGroupsCommand).rejects(awsError(name));

    expect(await describeLogGroup(clients.logs, NAME, window(1), NOW)).toBeNull();
  });

  it.each(['ExpiredTokenException', 'ThrottlingException'])('Given DescribeLogGroups fails with %s, When described, Then the error propagates', async (name) => {
    const error = awsError(name);
    mocks.logs.on(DescribeLogGroupsCommand).rejects(error);

    await expect(describeLogGroup(clients.logs, NAME, window(1), NOW)).rejects.toBe(error);
  });

  it('Given a window that covers the whole retained span, When estimated, Then it is the stored events', async () => {
    expect(await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(100))).toBe(1_000_000);
  });

  it('Given a window over half of the retained span, When estimated, Then it is about half the events of the full span', async () => {
    const full = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(100));
    const half = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(50));

    expect(full).not.toBeNull();
    expect(half).toBeCloseTo((full ?? 0) / 2, -2);
  });

  it('Given more stored bytes for the same span, When estimated, Then the estimate grows with them', async () => {
    const small = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(30));
    const large = await estimate({ storedBytes: 4 * MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(30));

    expect(large).toBe(4 * (small ?? 0));
    expect(large).toBeGreaterThan(small ?? Infinity);
  });

  it('Given a window wholly before the oldest retained time, When estimated, Then it is 0', async () => {
    expect(await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(200, 150))).toBe(0);
    expect(await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(400, NOW), retentionInDays: 30 }, window(60, 31))).toBe(0);
  });

  it('Given a window that starts before the oldest retained time, When estimated, Then only the part inside the retained span counts', async () => {
    const inside = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(50));
    const straddling = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(150, 50));

    expect(straddling).toBe(inside);
  });

  it('Given a window reaching past now, When estimated, Then the future holds no events', async () => {
    const untilNow = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, window(10));
    const intoFuture = await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(100, NOW) }, { startMs: msDaysAgo(10, NOW), endMs: NOW + 10 * DAY_MS });

    expect(intoFuture).toBe(untilNow);
  });

  it('Given no stored bytes, or neither creation time nor retention, When estimated, Then the estimate is unknown (null)', async () => {
    answer({ creationTime: msDaysAgo(100, NOW) });
    expect((await describeLogGroup(clients.logs, NAME, window(10), NOW))?.estimatedEvents).toBeNull();

    answer({ storedBytes: MILLION_EVENTS_BYTES });
    expect(await describeLogGroup(clients.logs, NAME, window(10), NOW)).toMatchObject({ estimatedEvents: null, oldestRetainedMs: null });
  });

  it.each([
    ['retention is the tighter bound', msDaysAgo(100, NOW), 30, msDaysAgo(30, NOW)],
    ['creation is the tighter bound', msDaysAgo(10, NOW), 30, msDaysAgo(10, NOW)],
    ['there is no retention', msDaysAgo(100, NOW), undefined, msDaysAgo(100, NOW)],
    ['there is no creation time', undefined, 7, msDaysAgo(7, NOW)],
  ])('Given %s, When described, Then oldestRetainedMs is the later of creation and now − retention', async (_, creationTime, retentionInDays, expected) => {
    answer({ storedBytes: MILLION_EVENTS_BYTES, creationTime, retentionInDays });

    expect((await describeLogGroup(clients.logs, NAME, window(365), NOW))?.oldestRetainedMs).toBe(expected);
  });

  it('Given a 30-day retention on an old group, When the last 15 days are estimated, Then it is half of what it stores', async () => {
    expect(await estimate({ storedBytes: MILLION_EVENTS_BYTES, creationTime: msDaysAgo(400, NOW), retentionInDays: 30 }, window(15))).toBe(500_000);
  });
});
