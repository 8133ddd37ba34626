import { DescribeLogGroupsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import { Fault } from '../../errors.js';
import type { ReadWindow } from './read-trail-events.js';

/** Above this many events in the window, FilterLogEvents gets slow and Logs Insights is offered. */
export const LARGE_WINDOW_EVENTS = 1_000_000;
/** A CloudTrail management event is about 1.5 KB of JSON; used only to estimate, never to decide alone. */
const BYTES_PER_TRAIL_EVENT = 1_500;
const DAY_MS = 86_400_000;

export interface LogGroupInfo {
  storedBytes: number | null;
  creationTime: number | null;
  retentionInDays: number | null;
  /** Roughly how many events the window holds, or null when it cannot be told. */
  estimatedEvents: number | null;
  /** The oldest time the log group can still hold events for, when retention or creation bounds it. */
  oldestRetainedMs: number | null;
}

/**
 * Looks the log group up (one DescribeLogGroups call) and estimates the events of the window from its
 * stored bytes, spread evenly over the time it holds. A missing group is a Fault naming it; a denied
 * call only means no estimate.
 */
export async function describeLogGroup(
  logs: Pick<CloudWatchLogsClient, 'send'>,
  logGroupName: string,
  window: ReadWindow,
  nowMs: number,
  abortSignal?: AbortSignal,
): Promise<LogGroupInfo | null> {
  let group;
  try {
    const output = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }), { abortSignal });
    group = (output.logGroups ?? []).find((g) => g.logGroupName === logGroupName);
  } catch (error) {
    if (isCredentialError(error) || !isAccessDenied(error)) throw error;
    return null;
  }
  if (group === undefined) {
    throw new Fault(
      'LOG_GROUP_NOT_FOUND',
      `The log group ${logGroupName} does not exist in this region.`,
      'Check the name and the region (--region, or give the log group ARN to --log-group); `aws cloudtrail describe-trails` shows where trails deliver.',
    );
  }
  const storedBytes = group.storedBytes ?? null;
  const creationTime = group.creationTime ?? null;
  const retentionInDays = group.retentionInDays ?? null;
  const retainedFrom = retentionInDays === null ? null : nowMs - retentionInDays * DAY_MS;
  const oldestRetainedMs = maxOf(creationTime, retainedFrom);
  return { storedBytes, creationTime, retentionInDays, oldestRetainedMs, estimatedEvents: estimateEvents(storedBytes, oldestRetainedMs, window, nowMs) };
}

function estimateEvents(storedBytes: number | null, oldestMs: number | null, window: ReadWindow, nowMs: number): number | null {
  if (storedBytes === null || oldestMs === null) return null;
  const heldSpan = Math.max(nowMs - oldestMs, 60_000);
  const overlap = Math.max(0, Math.min(window.endMs, nowMs) - Math.max(window.startMs, oldestMs));
  return Math.round((storedBytes / BYTES_PER_TRAIL_EVENT) * Math.min(1, overlap / heldSpan));
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
