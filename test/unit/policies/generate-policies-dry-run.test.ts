import { CancelPolicyGenerationCommand, GetGeneratedPolicyCommand, StartPolicyGenerationCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePoliciesHandler, type GeneratePoliciesFlags } from '../../../src/commands/generate-policies.js';
import { TestIoHost } from '../support/test-io-host.js';
import { draftMapping } from '../../../src/services/audit/draft-mapping.js';
import type { GeneratePoliciesResult } from '../../../src/services/policies/generate-policies.js';
import { AUDIT_FILE } from '../../../src/workspace/audit-file.js';
import { renderMappingDocument } from '../../../src/workspace/mapping-file.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { ACCOUNT_ID, allow, FIXTURE_NOW, makeGroup, makeRole, makeUser, policyDocument, serviceTrustPolicy, userArn } from '../../fixtures/inventory.js';
import { classified, makeSnapshot } from '../../fixtures/snapshot.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { directoryContents, testCommandContext } from '../support/command-context.js';

const { mocks } = mockAws();

const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT_ID}:trail/main`;
const SNAPSHOT = makeSnapshot({
  users: [
    makeUser({ userName: 'alice', groups: ['developers'], classification: classified('human', 'console password') }),
    makeUser({ userName: 'bob', groups: ['developers'], classification: classified('human', 'console password') }),
  ],
  groups: [makeGroup({ name: 'developers', members: ['alice', 'bob'], inlinePolicies: [{ name: 's3', document: policyDocument(allow('s3:GetObject', 'arn:aws:s3:::app/*')) }] })],
  roles: [makeRole({ name: 'AccessAnalyzerMonitorServiceRole_1', path: '/service-role/', trustPolicy: serviceTrustPolicy('access-analyzer.amazonaws.com') })],
});
const FLAGS: GeneratePoliciesFlags = { fromActivity: true, since: '30d', use: 'proposed' };

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-generate-dry-'));
  workspace = Workspace.at(root);
  await workspace.bindToAccount({ accountId: ACCOUNT_ID, partition: 'aws', arn: userArn('ops') }, FIXTURE_NOW);
  await workspace.writeJson(AUDIT_FILE, SNAPSHOT);
  await workspace.writeText('mapping.yaml', renderMappingDocument(draftMapping(SNAPSHOT)));
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT_ID, Arn: userArn('ops'), UserId: 'AIDAOPS' });
  mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'main', TrailARN: TRAIL_ARN, IsMultiRegionTrail: true, HomeRegion: 'us-east-1' }] });
  mocks.accessAnalyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
  mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-1' });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(dryRun: boolean): Promise<{ io: TestIoHost; result: GeneratePoliciesResult }> {
  const io = new TestIoHost();
  await generatePoliciesHandler(testCommandContext({ workspace, io, now: () => FIXTURE_NOW, global: { dryRun } }), FLAGS);
  return { io, result: io.results[0] as GeneratePoliciesResult };
}

describe('generate-policies --from-activity --dry-run', () => {
  it('Given a trail and an access role, When dry-run, Then no job starts, nothing is written, and the jobs and files a real run makes are reported', async () => {
    const before = await directoryContents(root);

    const { io, result } = await run(true);

    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(StartPolicyGenerationCommand, 0);
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(CancelPolicyGenerationCommand, 0);
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(GetGeneratedPolicyCommand, 0);
    expect(await directoryContents(root)).toEqual(before);
    expect(result.dryRun).toBe(true);
    expect(result.files).toEqual([]);
    expect(result.activity?.plannedJobs?.map((j) => [j.userName, j.step, j.permissionSets])).toEqual([['alice', 'start', ['developers']], ['bob', 'start', ['developers']]]);
    expect(result.activity?.plannedJobs?.[0]?.window?.startTime).toBe(new Date(FIXTURE_NOW.getTime() - 30 * 86_400_000).toISOString());
    expect(io.codes('info')).toEqual(expect.arrayContaining(['ACTIVITY_JOB_PLANNED', 'ACTIVITY_JOBS_NOT_STARTED', 'POLICY_OUTPUT_PLANNED', 'POLICIES_NOT_WRITTEN']));
    expect(result.changes).toContainEqual({ path: 'policies/developers.json', change: 'create' });
  });

  it('Given a dry-run, When the real run follows, Then it writes exactly the files the dry-run listed and starts the jobs it planned', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(awsError('AccessDeniedException', { message: 'denied', metadata: { httpStatusCode: 403 } }));
    const before = await directoryContents(root);
    const planned = (await run(true)).result.changes.filter((c) => c.change !== 'unchanged').map((c) => c.path);

    await run(false);

    const after = await directoryContents(root);
    const written = Object.keys(after).filter((file) => after[file] !== before[file]);
    // The real run also keeps its bookkeeping: the job queue and the phase record in workspace.json.
    expect(written.filter((file) => file !== 'workspace.json' && file !== 'policies/generation-queue.json').sort()).toEqual([...planned].sort());
    expect(mocks.accessAnalyzer).toHaveReceivedCommand(StartPolicyGenerationCommand);
  });

  it('Given a queue with a finished and a running job, When dry-run, Then the finished one is reused, the running one awaited, and the queue file is left as it was', async () => {
    const job = (userName: string, status: 'SUCCEEDED' | 'IN_PROGRESS', jobId: string) => ({
      userName, principalArn: userArn(userName), permissionSets: ['developers'], status, jobId, attempts: 1,
      createdAt: FIXTURE_NOW.toISOString(), updatedAt: FIXTURE_NOW.toISOString(), startRequestedAt: null, startedAt: FIXTURE_NOW.toISOString(),
      completedAt: status === 'SUCCEEDED' ? FIXTURE_NOW.toISOString() : null, failureReason: null,
      window: { startTime: '2025-05-01T00:00:00.000Z', endTime: FIXTURE_NOW.toISOString() }, trail: { cloudTrailArn: TRAIL_ARN, allRegions: true },
      policies: status === 'SUCCEEDED' ? [policyDocument(allow('s3:GetObject', 'arn:aws:s3:::app/*'))] : null, analysed: null, isComplete: null,
    });
    await workspace.writeJson('policies/generation-queue.json', { schemaVersion: 1, dailyStarts: { day: '2025-06-01', count: 2 }, jobs: [job('alice', 'SUCCEEDED', 'job-a'), job('bob', 'IN_PROGRESS', 'job-b')] });
    const before = await directoryContents(root);

    const { result } = await run(true);

    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(StartPolicyGenerationCommand, 0);
    expect(result.activity?.plannedJobs?.map((j) => [j.userName, j.step, j.jobId])).toEqual([['bob', 'await', 'job-b'], ['alice', 'reuse', 'job-a']]);
    expect(result.activity?.analysedUsers).toEqual(['alice']);
    expect(await directoryContents(root)).toEqual(before);
  });
});
