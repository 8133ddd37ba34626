/**
 * Reading CloudTrail events out of CloudWatch Logs, with either API:
 * - `FilterLogEvents` (the default): paginated, filtered on the server by a JSON pattern. It scans
 *   the log group's events one page at a time, so a window with millions of events takes long.
 * - Logs Insights (`StartQuery` / `GetQueryResults`): the query runs in parallel on the service side,
 *   which is much faster on large windows, but is billed per GB scanned and returns at most 10,000
 *   rows, so the window is walked in time order: each query starts at the last row of the previous one.
 * Both yield the same parsed events, filtered again on this side (see event-filter.ts).
 */
import {
  GetQueryResultsCommand,
  paginateFilterLogEvents,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import { Fault } from '../../errors.js';
import { INSIGHTS_ROW_LIMIT, isWatchedEvent, TRAIL_FILTER_PATTERN, TRAIL_INSIGHTS_QUERY } from './event-filter.js';
import { parseTrailEvent, type TrailEvent } from './trail-event.js';

export type QueryEngine = 'filter' | 'insights';

export interface ReadWindow {
  startMs: number;
  endMs: number;
}

/** What a read saw, updated as it goes (for progress and the report). */
export interface ReadStats {
  /** Pages of FilterLogEvents, or Insights queries. */
  requests: number;
  /** Log events received from the service. */
  received: number;
  /** Of those, CloudTrail events this tool watches. */
  matched: number;
  /** The newest log event timestamp seen (ms), to continue from in --follow. */
  lastTimestampMs: number | null;
  /** True when Insights met more than 10,000 events in one second, so some may be missing. */
  incomplete: boolean;
}

export interface WatchedEvent {
  event: TrailEvent;
  /** The log event's timestamp (ms), which both APIs filter the window by. */
  timestampMs: number;
}

export interface ReadOptions {
  engine: QueryEngine;
  logGroupName: string;
  window: ReadWindow;
  stats: ReadStats;
  /** Stops the read between requests (the first Ctrl-C of --follow). */
  abortSignal?: AbortSignal;
  /** Cancels the request in flight (the second Ctrl-C). */
  requestAbortSignal?: AbortSignal;
  /** Insights polling, in seconds (tests shorten it). */
  insightsDelays?: { minDelay: number; maxDelay: number; maxWaitTime: number };
}

type LogsSender = CloudWatchLogsClient;

export function emptyReadStats(): ReadStats {
  return { requests: 0, received: 0, matched: 0, lastTimestampMs: null, incomplete: false };
}

/** The watched events of the window, oldest first per request; duplicates are the caller's concern. */
export function readTrailEvents(logs: LogsSender, options: ReadOptions): AsyncGenerator<WatchedEvent> {
  return options.engine === 'insights' ? readWithInsights(logs, options) : readWithFilter(logs, options);
}

async function* readWithFilter(logs: LogsSender, options: ReadOptions): AsyncGenerator<WatchedEvent> {
  const { stats, window } = options;
  // CloudWatch Logs may answer a page with no events and a token while it is still searching;
  // stopOnSameToken ends the walk should a token ever repeat.
  const pages = paginateFilterLogEvents(
    { client: logs, pageSize: 10_000, stopOnSameToken: true },
    { logGroupName: options.logGroupName, startTime: window.startMs, endTime: window.endMs, filterPattern: TRAIL_FILTER_PATTERN },
    { abortSignal: options.requestAbortSignal },
  );
  for await (const page of pages) {
    stats.requests += 1;
    for (const logEvent of page.events ?? []) {
      const watched = toWatched(logEvent.message, logEvent.timestamp, stats);
      if (watched) yield watched;
    }
    if (options.abortSignal?.aborted) return;
  }
}

async function* readWithInsights(logs: LogsSender, options: ReadOptions): AsyncGenerator<WatchedEvent> {
  const { stats, window } = options;
  // Insights takes seconds; the end is rounded up so the window's last events are included.
  let startSec = Math.floor(window.startMs / 1000);
  const endSec = Math.ceil(window.endMs / 1000);
  while (startSec <= endSec) {
    const rows = await runInsightsQuery(logs, options, startSec, endSec);
    stats.requests += 1;
    let lastSec = startSec;
    for (const row of rows) {
      const timestampMs = insightsTimestamp(row['@timestamp']);
      if (timestampMs !== null) lastSec = Math.max(lastSec, Math.floor(timestampMs / 1000));
      if (timestampMs !== null && (timestampMs < window.startMs || timestampMs > window.endMs)) continue;
      const watched = toWatched(row['@message'], timestampMs ?? undefined, stats);
      if (watched) yield watched;
    }
    if (rows.length < INSIGHTS_ROW_LIMIT || options.abortSignal?.aborted) return;
    // A full answer: go on from the second of its last row (its events come again and are de-duplicated).
    if (lastSec <= startSec) {
      // More than 10,000 watched events in one second: skip past it rather than loop forever.
      stats.incomplete = true;
      startSec += 1;
    } else {
      startSec = lastSec;
    }
  }
}

async function runInsightsQuery(logs: LogsSender, options: ReadOptions, startTime: number, endTime: number): Promise<Record<string, string>[]> {
  const started = await logs.send(
    new StartQueryCommand({ logGroupName: options.logGroupName, startTime, endTime, queryString: TRAIL_INSIGHTS_QUERY, limit: INSIGHTS_ROW_LIMIT }),
    { abortSignal: options.abortSignal },
  );
  const queryId = started.queryId;
  if (!queryId) throw new Fault('INSIGHTS_NO_QUERY_ID', 'Logs Insights started a query without an ID.', 'Re-run with --query-engine filter.');
  let output: GetQueryResultsCommandOutput | undefined;
  const delays = options.insightsDelays ?? { minDelay: 1, maxDelay: 10, maxWaitTime: 3_600 };
  const result = await createWaiter({ client: logs, ...delays, abortSignal: options.abortSignal }, { queryId }, async (client, input) => {
    output = await client.send(new GetQueryResultsCommand(input));
    switch (output.status) {
      case 'Complete':
        return { state: WaiterState.SUCCESS };
      case 'Failed':
      case 'Cancelled':
      case 'Timeout':
        return { state: WaiterState.FAILURE, reason: output.status };
      default:
        return { state: WaiterState.RETRY };
    }
  });
  if (result.state !== WaiterState.SUCCESS || output === undefined) {
    // Best effort: a query left running keeps costing until it ends on its own.
    if (result.state === WaiterState.ABORTED || result.state === WaiterState.TIMEOUT) await logs.send(new StopQueryCommand({ queryId })).catch(() => undefined);
    throw new Fault(
      'INSIGHTS_QUERY_FAILED',
      `The Logs Insights query over ${options.logGroupName} did not complete (${String(output?.status ?? result.state)}).`,
      'Re-run with a shorter --since window, or with --query-engine filter.',
    );
  }
  return (output.results ?? []).map((fields) => Object.fromEntries(fields.map((f) => [f.field ?? '', f.value ?? ''])));
}

/** Insights writes `@timestamp` as `2026-12-01 08:00:00.000` (UTC); some emulators as epoch milliseconds. */
export function insightsTimestamp(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(`${value.replace(' ', 'T')}${/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? '' : 'Z'}`);
  return Number.isNaN(parsed) ? null : parsed;
}

function toWatched(message: string | undefined, timestamp: number | undefined, stats: ReadStats): WatchedEvent | null {
  stats.received += 1;
  if (message === undefined) return null;
  const event = parseTrailEvent(message);
  if (event === null || !isWatchedEvent(event)) return null;
  stats.matched += 1;
  const timestampMs = timestamp ?? Date.parse(event.eventTime);
  stats.lastTimestampMs = Math.max(stats.lastTimestampMs ?? 0, timestampMs);
  return { event, timestampMs };
}
