import { CancelPolicyGenerationCommand, GetGeneratedPolicyCommand, StartPolicyGenerationCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePoliciesHandler, type GeneratePoliciesFlags } from '../../../src/commands/generate-policies.js';
import { TestIoHost } from '../support/test-io-host.js';
import { Journal } from '../../../src/plan/journal.js';
import { GENERATE_POLICY_KIND, generationToken } from '../../../src/phases/generate-policies/policy-generation-handler.js';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import type { GeneratePoliciesResult } from '../../../src/phases/generate-policies/generate-policies.js';
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
    expect(io.codes('info')).toEqual(expect.arrayContaining(['ACTIVITY_JOBS_NOT_STARTED', 'POLICY_OUTPUT_PLANNED', 'POLICIES_NOT_WRITTEN']));
    expect(result.changes).toContainEqual({ path: 'policies/developers.json', change: 'create' });
  });

  it('Given a dry-run, When the real run follows, Then it writes exactly the files the dry-run listed and starts the jobs it planned', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(awsError('AccessDeniedException', { message: 'denied', metadata: { httpStatusCode: 403 } }));
    const before = await directoryContents(root);
    const planned = (await run(true)).result.changes.filter((c) => c.change !== 'unchanged').map((c) => c.path);

    await run(false);

    const after = await directoryContents(root);
    const written = Object.keys(after).filter((file) => after[file] !== before[file]);
    // The real run also keeps its bookkeeping: the journal of its jobs and the phase record in workspace.json.
    const bookkeeping = new Set(['workspace.json', 'journal.jsonl', 'journal.index.json']);
    expect(written.filter((file) => !bookkeeping.has(file)).sort()).toEqual([...planned].sort());
    expect(mocks.accessAnalyzer).toHaveReceivedCommand(StartPolicyGenerationCommand);
  });

  it('Given a result on file and a start an earlier run left in doubt, When dry-run, Then the result is reused, the start is to be resumed, and nothing changes', async () => {
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).resolves({ jobId: 'job-a' });
    mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).resolves({
      jobDetails: { jobId: 'job-a', status: 'SUCCEEDED', startedOn: FIXTURE_NOW, completedOn: FIXTURE_NOW },
      generatedPolicyResult: { properties: { principalArn: userArn('alice'), isComplete: true }, generatedPolicies: [{ policy: JSON.stringify(policyDocument(allow('s3:GetObject', 'arn:aws:s3:::app/*'))) }] },
    });
    await generatePoliciesHandler(testCommandContext({ workspace, io: new TestIoHost(), now: () => FIXTURE_NOW, global: { dryRun: false } }), { ...FLAGS, users: ['alice'] });
    // bob's start was sent by a run that was killed before its answer was written.
    const journal = await Journal.open(workspace, 'killed-run', () => FIXTURE_NOW);
    const window = { startTime: new Date(FIXTURE_NOW.getTime() - 30 * 86_400_000).toISOString(), endTime: FIXTURE_NOW.toISOString() };
    const params = { userName: 'bob', principalArn: userArn('bob'), trail: { cloudTrailArn: TRAIL_ARN, allRegions: true }, accessRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/service-role/AccessAnalyzerMonitorServiceRole_1`, window, clientToken: generationToken(userArn('bob'), window) };
    await journal.append({ type: 'run', command: 'generate-policies', event: 'start' });
    await journal.append({ type: 'intent', actionId: 'generate-policies/bob', kind: GENERATE_POLICY_KIND, target: 'IAM user bob', params });
    await journal.close();
    mocks.accessAnalyzer.resetHistory();
    const before = await directoryContents(root);

    const { result } = await run(true);

    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(StartPolicyGenerationCommand, 0);
    expect(result.activity?.plannedJobs?.map((j) => [j.userName, j.step])).toEqual([['alice', 'reuse'], ['bob', 'resume']]);
    expect(result.activity?.analysedUsers).toEqual(['alice']);
    expect(await directoryContents(root)).toEqual(before);
  });
});
