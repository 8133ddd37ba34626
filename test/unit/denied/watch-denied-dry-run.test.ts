import { DescribeLogGroupsCommand, FilterLogEventsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchDeniedHandler, type WatchDeniedFlags } from '../../../src/commands/watch-denied.js';
import { TestIoHost } from '../support/test-io-host.js';
import type { WatchDeniedResult } from '../../../src/phases/watch-denied/run-watch-denied.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { mockAws } from '../support/aws-mocks.js';
import { directoryContents, testCommandContext } from '../support/command-context.js';
import { ACCOUNT, identityCenterCall, logEvent } from './support/cloudwatch-trail-fixtures.js';

const { mocks } = mockAws();

const NOW = new Date('2026-12-01T12:00:00Z');
const LOG_GROUP = 'CloudTrail/Default';
const FLAGS: WatchDeniedFlags = { logGroup: LOG_GROUP, since: '24h', interval: '30s', queryEngine: 'filter' };

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-watch-dry-'));
  workspace = Workspace.at(root);
  await workspace.bindToAccount({ accountId: ACCOUNT, partition: 'aws', arn: `arn:aws:iam::${ACCOUNT}:user/ops` }, NOW);
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ops`, UserId: 'AIDAOPS' });
  mocks.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: LOG_GROUP, storedBytes: 1_500_000, creationTime: NOW.getTime() - 90 * 86_400_000 }] });
  const time = NOW.getTime() - 3_600_000;
  mocks.logs.on(FilterLogEventsCommand).resolves({ events: [logEvent(identityCenterCall({ eventId: 'e1', time: new Date(time).toISOString(), denied: { action: 's3:GetObject', resource: 'arn:aws:s3:::app/report.csv' } }), time)] });
  mocks.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function watch(flags: Partial<WatchDeniedFlags>, dryRun: boolean): Promise<{ io: TestIoHost; result: WatchDeniedResult; code: number }> {
  const io = new TestIoHost();
  const code = await watchDeniedHandler(testCommandContext({ workspace, io, now: () => NOW, global: { dryRun } }), { ...FLAGS, ...flags });
  return { io, result: io.results[0] as WatchDeniedResult, code };
}

describe('watch-denied --dry-run', () => {
  it('Given --query-engine insights, When dry-run, Then no Logs Insights query is started, the skip is said, and nothing is written', async () => {
    const before = await directoryContents(root);

    const { io, result, code } = await watch({ queryEngine: 'insights' }, true);

    expect(code).toBe(0);
    expect(mocks.logs).toHaveReceivedCommandTimes(StartQueryCommand, 0);
    expect(io.codes('warn')).toContain('INSIGHTS_QUERY_SKIPPED');
    expect(result).toMatchObject({ dryRun: true, report: { readSkipped: true, totals: { denied: 0 } } });
    expect(await directoryContents(root)).toEqual(before);
  });

  it('Given FilterLogEvents, When dry-run, Then the window is read and reported, but no report, patch or activity record is written', async () => {
    const before = await directoryContents(root);

    const { io, result } = await watch({}, true);

    expect(mocks.logs).toHaveReceivedCommand(FilterLogEventsCommand);
    expect(mocks.logs).toHaveReceivedCommandTimes(StartQueryCommand, 0);
    expect(result.report.totals.denied).toBe(1);
    expect(io.codes('info')).toContain('WATCH_NOT_WRITTEN');
    expect(await directoryContents(root)).toEqual(before);
  });

  it('Given the same flags without --dry-run, When watched, Then the reports the dry-run named are written', async () => {
    const planned = (await watch({}, true)).result.files;

    const { result } = await watch({}, false);

    expect(result.files).toEqual(planned);
    expect(Object.keys(await directoryContents(root))).toEqual(expect.arrayContaining([planned.json, planned.markdown]));
  });
});
