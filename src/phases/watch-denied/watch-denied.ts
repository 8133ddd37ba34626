/**
 * The parallel run's watch: read a window of CloudTrail events from CloudWatch Logs, attribute each
 * to a permission set or an IAM user, and fold them into a report; with `follow`, keep polling
 * until the operator stops it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { isCredentialError } from '../../call-errors.js';
import { say, type IoHost, type ProgressHandle } from '../../io/io-host.js';
import type { InterruptController } from '../../plan/interrupt-controller.js';
import { classifyDenial } from './classify-denial.js';
import { describeLogGroup, LARGE_WINDOW_EVENTS } from './describe-log-group.js';
import { findTrailLogGroup, type TrailLogGroup } from './find-trail-log-group.js';
import { emptyReadStats, readTrailEvents, type QueryEngine, type ReadStats, type ReadWindow } from './read-trail-events.js';
import { EventActionResolver } from './resolve-event-action.js';
import { SeenEvents } from './seen-events.js';
import { isDenied } from './trail-event.js';
import { WatchAccumulator, type AccumulatorContext, type DenialLine } from './watch-accumulator.js';
import type { WatchReport } from './watch-report.js';

const silentProgress: ProgressHandle = { update: () => undefined, succeed: () => undefined, fail: () => undefined, stop: () => undefined };

/** CloudTrail delivers to CloudWatch Logs within about 5 minutes, not guaranteed: each poll looks back this far. */
export const FOLLOW_LOOKBACK_MS = 10 * 60_000;
const DEDUPLICATION_HORIZON_MS = 60 * 60_000;
const PROGRESS_EVERY = 1_000;

export interface WatchDeniedOptions {
  aws: { logs: (region: string) => CloudWatchLogsClient; cloudTrail: Pick<CloudTrailClient, 'send'> };
  io: IoHost;
  accountId: string;
  region: string;
  /** `--log-group`, already parsed; otherwise discovered from the trails. */
  logGroup: TrailLogGroup | null;
  since: Date;
  /** null: up to now. */
  until: Date | null;
  engine: QueryEngine | 'auto';
  /** `--follow`: poll every `intervalMs` until interrupted. */
  follow: { intervalMs: number } | null;
  context: AccumulatorContext;
  /**
   * false: never start a Logs Insights query (StartQuery starts billed work); a window that would
   * need one is not read (the command's `--dry-run`). FilterLogEvents, a plain read, still runs.
   */
  startQueries: boolean;
  now: () => Date;
  interrupts: InterruptController;
  /** Called for every new denial, in the order read (the command prints them in --follow). */
  onDenial?: (line: DenialLine) => void;
  /** Waiting between polls; tests replace it. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  insightsDelays?: { minDelay: number; maxDelay: number; maxWaitTime: number };
}

/** Reads the window (and, with follow, everything after it) and returns the report. */
export async function watchDenied(options: WatchDeniedOptions): Promise<WatchReport> {
  const { io } = options;
  const logGroup = options.logGroup ?? (await findTrailLogGroup(options.aws.cloudTrail, { accountId: options.accountId, region: options.region }));
  say.verbose(io, 'LOG_GROUP', `Reading ${logGroup.logGroupName} (${logGroup.region}): ${logGroup.reason}.`);
  const logs = options.aws.logs(logGroup.region);
  const firstWindow: ReadWindow = { startMs: options.since.getTime(), endMs: (options.until ?? options.now()).getTime() };
  const info = await describeLogGroup(logs, logGroup.logGroupName, firstWindow, options.now().getTime());
  if (info && info.oldestRetainedMs !== null && info.oldestRetainedMs > firstWindow.startMs) {
    const bound = info.retentionInDays === null ? 'was created' : `keeps ${info.retentionInDays} days of events, so it holds nothing before`;
    say.warn(io, 'WINDOW_BEFORE_RETENTION', `${logGroup.logGroupName} ${bound} ${new Date(info.oldestRetainedMs).toISOString()}: the window starts earlier, and calls before that are not in the report.`);
  }
  const engine = await chooseEngine(options.engine, info?.estimatedEvents ?? null, io);
  const readSkipped = engine === 'insights' && !options.startQueries;
  if (readSkipped) {
    say.warn(io, 'INSIGHTS_QUERY_SKIPPED', `Dry run: a real run would query ${logGroup.logGroupName} (${logGroup.region}) with Logs Insights from ${new Date(firstWindow.startMs).toISOString()} to ${new Date(firstWindow.endMs).toISOString()}; no query was started, so the report below is empty. Use --query-engine filter to preview with FilterLogEvents reads.`, { logGroup: logGroup.logGroupName, region: logGroup.region, window: firstWindow });
  }

  const stats = emptyReadStats();
  const seen = new SeenEvents(DEDUPLICATION_HORIZON_MS);
  const resolver = new EventActionResolver();
  const accumulator = new WatchAccumulator(options.context);
  let duplicates = 0;
  const stop = new AbortController();
  const disarm = options.follow ? options.interrupts.arm() : () => undefined;
  const stopListener = options.interrupts.onStopRequested(() => stop.abort());
  // Only the first read shows progress: the polls of --follow would print a line every interval.
  let polls = 0;
  let cutShort = false;
  /** Reads one window; false when Ctrl-C cut it short, so that it does not count as read. */
  const read = async (window: ReadWindow): Promise<boolean> => {
    const progress = polls++ === 0 ? io.startProgress('READ_EVENTS', `Reading CloudTrail events from ${logGroup.logGroupName}…`) : silentProgress;
    try {
      for await (const { event, timestampMs } of readTrailEvents(logs, { engine, logGroupName: logGroup.logGroupName, window, stats, abortSignal: stop.signal, requestAbortSignal: options.interrupts.abortSignal, insightsDelays: options.insightsDelays })) {
        if (!seen.firstTime(event.eventId, timestampMs)) {
          duplicates += 1;
          continue;
        }
        const cause = isDenied(event) ? classifyDenial(event.errorMessage) : null;
        const line = accumulator.add(event, await resolver.resolve(event, cause?.action ?? null));
        if (line) options.onDenial?.(line);
        if (stats.matched % PROGRESS_EVERY === 0) progress.update(`Reading CloudTrail events from ${logGroup.logGroupName}: ${stats.matched} watched of ${stats.received}…`);
      }
      if (stop.signal.aborted) throw stop.signal.reason;
      progress.succeed(`Read ${stats.received} event(s) from ${logGroup.logGroupName}: ${accumulator.counts.denied} denied, ${accumulator.counts.iamUserEvents} by IAM users.`);
      return true;
    } catch (error) {
      // Stopping --follow may cut a read short: what was read still makes the summary, but the
      // window is not counted as read, since disable weighs the absence of calls in it.
      if (stop.signal.aborted) {
        progress.stop();
        cutShort = true;
        return false;
      }
      progress.fail();
      throw error;
    }
  };

  // The window reported (and recorded for disable) ends where the last complete read ended.
  let until = firstWindow.startMs;
  try {
    if (!readSkipped && (await read(firstWindow))) until = firstWindow.endMs;
    if (options.follow && !cutShort && !readSkipped) until = await follow(options, read, stats, firstWindow.endMs, stop.signal);
  } finally {
    stopListener();
    disarm();
  }
  if (stats.incomplete) say.warn(io, 'INSIGHTS_INCOMPLETE', 'More than 10,000 watched events fell in one second: some of that second may be missing from the report.');
  return {
    generatedAt: options.now().toISOString(),
    accountId: options.accountId,
    logGroup: { name: logGroup.logGroupName, region: logGroup.region, reason: logGroup.reason },
    engine,
    window: { since: options.since.toISOString(), until: new Date(until).toISOString() },
    follow: options.follow !== null,
    cutShort,
    readSkipped,
    stats: { ...stats, duplicates },
    totals: { ...accumulator.counts, fixable: accumulator.permissionSets().reduce((n, s) => n + s.actions.filter((a) => a.fixable).reduce((m, a) => m + a.count, 0), 0) },
    permissionSets: accumulator.permissionSets(),
    otherPrincipals: accumulator.otherPrincipals(),
    iamUsers: accumulator.iamUsers(),
  };
}

/**
 * Polls from the last event time (looking back over the delivery delay) until the stop signal, and
 * returns the end of the last window read to its end. A failed poll is reported and retried at the next one,
 * so that a network blip does not end a long watch; credential errors still end it.
 */
async function follow(options: WatchDeniedOptions, read: (w: ReadWindow) => Promise<boolean>, stats: ReadStats, firstEnd: number, stop: AbortSignal): Promise<number> {
  const sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
  const interval = options.follow?.intervalMs ?? 30_000;
  say.info(options.io, 'FOLLOWING', `Watching for new denials every ${Math.round(interval / 1000)} s. Press Ctrl-C to stop and see the summary.`);
  let lastEnd = firstEnd;
  while (!stop.aborted) {
    await sleep(interval, stop);
    if (stop.aborted) break;
    const endMs = options.now().getTime();
    const from = Math.min(stats.lastTimestampMs ?? lastEnd, lastEnd) - FOLLOW_LOOKBACK_MS;
    try {
      if (await read({ startMs: Math.max(from, options.since.getTime()), endMs })) lastEnd = endMs;
    } catch (error) {
      if (isCredentialError(error)) throw error;
      say.warn(options.io, 'FOLLOW_POLL_FAILED', `Reading new events failed (${error instanceof Error ? error.name : String(error)}); trying again in ${Math.round(interval / 1000)} s.`);
    }
  }
  return lastEnd;
}

async function chooseEngine(engine: QueryEngine | 'auto', estimatedEvents: number | null, io: IoHost): Promise<QueryEngine> {
  if (engine !== 'auto') return engine;
  if (estimatedEvents === null || estimatedEvents < LARGE_WINDOW_EVENTS) return 'filter';
  const about = `about ${Math.round(estimatedEvents / 100_000) / 10} million events`;
  const choice = await io.select<QueryEngine>({
    code: 'QUERY_ENGINE',
    message: `The window holds ${about}. FilterLogEvents reads them page by page and may take a long time; Logs Insights scans them in parallel (billed per GB scanned). Which one?`,
    choices: [
      { name: 'Logs Insights (fast; billed per GB scanned)', value: 'insights' },
      { name: 'FilterLogEvents (slow on large windows)', value: 'filter' },
    ],
    defaultValue: 'filter',
  });
  if (choice === 'filter') {
    say.warn(io, 'LARGE_WINDOW', `The window holds ${about}: reading it with FilterLogEvents may take long. --query-engine insights is faster (billed per GB scanned), or shorten --since.`);
  }
  return choice;
}
