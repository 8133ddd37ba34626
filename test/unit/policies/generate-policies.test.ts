import { GetGeneratedPolicyCommand, StartPolicyGenerationCommand, ValidatePolicyCommand } from '@aws-sdk/client-accessanalyzer';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import { expandActionPattern } from '../../../src/model/iam-actions/action-catalog.js';
import { statementsOf, toArray } from '../../../src/model/policy-statements.js';
import type { AuditSnapshot, PolicyDocument } from '../../../src/model/inventory.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import { withPlanRun } from '../../../src/plan/plan-run.js';
import type { ActivityRequest } from '../../../src/phases/generate-policies/gather-activity.js';
import { GENERATE_POLICIES } from '../../../src/phases/generate-policies/policy-generation-phase.js';
import { generatePolicies, type GeneratePoliciesOptions, type GeneratePoliciesResult } from '../../../src/phases/generate-policies/generate-policies.js';
import type { PolicySetResult } from '../../../src/phases/generate-policies/policy-set-result.js';
import { preparePolicyGeneration } from '../../../src/phases/generate-policies/prepare-policy-generation.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { ACCOUNT_ID, ADMINISTRATOR_ACCESS_ARN, allow, FIXTURE_NOW, makeGroup, makeManagedPolicy, makeRole, makeUser, policyDocument, roleArn, serviceTrustPolicy, userArn } from '../../fixtures/inventory.js';
import { classified, makeSnapshot, READ_ONLY_ARN } from '../../fixtures/snapshot.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const BUCKET = 'arn:aws:s3:::app-bucket/*';
const APP_ROLE = roleArn('app-role');
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT_ID}:trail/main`;
const ACCESS_ROLE = makeRole({ name: 'AccessAnalyzerMonitorServiceRole_1', path: '/service-role/', trustPolicy: serviceTrustPolicy('access-analyzer.amazonaws.com') });
const DEPLOY = makeManagedPolicy({ name: 'deploy-app', path: '/app/', document: policyDocument(allow('s3:PutObject', BUCKET)) });
const READ_ONLY_DOCUMENT = policyDocument(allow('ec2:Describe*'));
const GENERATED: Record<string, PolicyDocument> = {
  alice: policyDocument(allow(['ec2:DescribeInstances', 's3:GetObject'], BUCKET)),
  // An action the IAM action database does not know must never reach a policy file.
  bob: policyDocument(allow(['s3:GetObject', 's3:NotARealAction'], BUCKET)),
};
const OPERATOR_NOTE = '# operator note: reviewed with the platform team';

function fixtureSnapshot(): AuditSnapshot {
  const human = classified('human', 'console password');
  return makeSnapshot({
    users: [
      makeUser({ userName: 'alice', groups: ['developers', 'analysts'], classification: human }),
      makeUser({ userName: 'bob', groups: ['developers', 'ops'], classification: human }),
      makeUser({ userName: 'ci-bot', groups: ['developers'], classification: classified('machine', 'access key only') }),
      makeUser({ userName: 'ops-admin', groups: ['ops'], isCaller: true, classification: human }),
    ],
    groups: [
      makeGroup({
        name: 'developers',
        members: ['alice', 'bob', 'ci-bot'],
        attachedPolicies: [{ name: 'ReadOnlyAccess', arn: READ_ONLY_ARN }, { name: DEPLOY.name, arn: DEPLOY.arn }],
        inlinePolicies: [{ name: 's3-read', document: policyDocument(allow('s3:Get*', BUCKET), allow('iam:PassRole', APP_ROLE)) }],
      }),
      makeGroup({ name: 'analysts', members: ['alice'], inlinePolicies: [{ name: 'athena', document: policyDocument(allow('athena:StartQueryExecution')) }] }),
      makeGroup({ name: 'ops', members: ['bob', 'ops-admin'], attachedPolicies: [{ name: 'AdministratorAccess', arn: ADMINISTRATOR_ACCESS_ARN }] }),
    ],
    roles: [ACCESS_ROLE],
    managedPolicies: [DEPLOY],
  });
}

/** The drafted mapping with an operator comment, and with the managed policies of developers still to be filled in. */
function initialMappingText(): string {
  const doc = draftMapping(fixtureSnapshot());
  doc.setIn(['permissionSets', 'developers', 'managedPolicies'], doc.createNode([]));
  return doc.toString().replace('\npermissionSets:\n', `\n${OPERATOR_NOTE}\npermissionSets:\n`);
}

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-generate-'));
  workspace = Workspace.at(root);
  await workspace.bindToAccount({ accountId: ACCOUNT_ID, partition: 'aws', arn: userArn('ops-admin') }, FIXTURE_NOW);
  await workspace.writeText('mapping.yaml', initialMappingText());
  mocks.accessAnalyzer.on(ValidatePolicyCommand).resolves({ findings: [] });
});

afterEach(async () => {
  vi.useRealTimers();
  await rm(root, { recursive: true, force: true });
});

type RunOptions = { only?: string[]; io?: TestIoHost; snapshot?: AuditSnapshot; activity?: ActivityRequest | null } & Partial<Pick<GeneratePoliciesOptions, 'basis' | 'regenerate'>>;

const PROCESS = { pid: 4242, hostname: 'test-host', isProcessAlive: () => true };

/** Reads mapping.yaml as the command does, prepares, and generates, holding the workspace as the command does. */
async function run({ only, io = new TestIoHost(), snapshot = fixtureSnapshot(), activity = null, basis, regenerate = false }: RunOptions = {}) {
  const { mapping, document } = parseMapping((await workspace.readText('mapping.yaml')) ?? '', 'mapping.yaml');
  const prepared = await preparePolicyGeneration(workspace, { snapshot, mapping, mappingDocument: document }, only);
  const now = () => FIXTURE_NOW;
  const interrupts = new InterruptController();
  const result = await withPlanRun({ workspace, command: GENERATE_POLICIES, now, process: PROCESS, interrupts, dryRun: false }, async (planRun) => {
    const jobs = activity && {
      ...activity,
      run: { accountId: ACCOUNT_ID, engine: { workspace, io, now, interrupts, process: PROCESS, dryRun: false, run: planRun }, sealer: planRun, trust: await planRun!.fileTrust(ACCOUNT_ID) },
    };
    return generatePolicies({ prepared, workspace, aws: clients, io, now, activity: jobs, basis, regenerate, write: true });
  });
  return { result, io };
}

const setNamed = (result: GeneratePoliciesResult, name: string): PolicySetResult => result.sets.find((s) => s.name === name)!;
const readJson = async (relative: string) => JSON.parse((await workspace.readText(relative)) ?? 'null') as unknown;
const mappingOnDisk = async () => parseMapping((await workspace.readText('mapping.yaml')) ?? '', 'mapping.yaml').mapping;
const actionsOf = (document: unknown) => [...new Set(statementsOf(document as PolicyDocument).flatMap((s) => toArray(s.Action)))].sort();

describe('generatePolicies from the IAM groups only', () => {
  it('Given a drafted mapping, When generated, Then each set with inline statements gets its policy file, and mapping, report and state follow', async () => {
    const { result } = await run();

    expect(result.sets.map((s) => [s.name, s.basis, s.file, s.inlinePolicyFile])).toEqual([
      ['analysts', 'granted', 'written', 'policies/analysts.json'],
      ['developers', 'granted', 'written', 'policies/developers.json'],
      ['ops', 'granted', 'none', null],
    ]);
    expect(await readJson('policies/developers.json')).toEqual(policyDocument({ Effect: 'Allow', Action: ['s3:Get*'], Resource: [BUCKET] }, { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [APP_ROLE] }));
    expect(await readJson('policies/analysts.json')).toEqual(policyDocument({ Effect: 'Allow', Action: ['athena:StartQueryExecution'], Resource: ['*'] }));
    expect(await workspace.readText('policies/ops.json')).toBeNull();
    expect(result.files).toEqual([workspace.resolve('policies/analysts.json'), workspace.resolve('policies/developers.json')]);

    const mapping = await mappingOnDisk();
    expect(mapping.permissionSets['developers']).toMatchObject({ managedPolicies: [READ_ONLY_ARN], customerManagedPolicies: [{ name: 'deploy-app', path: '/app/' }], inlinePolicyFile: 'policies/developers.json' });
    expect(mapping.permissionSets['ops']).toMatchObject({ managedPolicies: [ADMINISTRATOR_ACCESS_ARN], customerManagedPolicies: [] });
    expect(mapping.permissionSets['ops']?.inlinePolicyFile).toBeUndefined();
    const commentLines = (text: string) => text.split('\n').filter((line) => line.trimStart().startsWith('#'));
    expect(commentLines(await readFile(result.mappingPath, 'utf8'))).toEqual(commentLines(initialMappingText()));
    expect(commentLines(initialMappingText())).toContain(OPERATOR_NOTE);

    expect(result.reportPath).toBe(workspace.resolve('reports/policies.md'));
    for (const name of ['analysts', 'developers', 'ops']) expect(await readFile(result.reportPath, 'utf8')).toContain(`## ${name}`);

    const recorded = (validatedBy: string, inlinePolicyFile: string | null) => ({ ready: true, basis: 'granted', validatedBy, inlinePolicyFile });
    expect((await workspace.readState())?.phases.policies).toEqual({
      lastRunAt: FIXTURE_NOW.toISOString(),
      sets: { analysts: recorded('access-analyzer', 'policies/analysts.json'), developers: recorded('access-analyzer', 'policies/developers.json'), ops: recorded('none', null) },
    });
    expect(mocks.cloudTrail.calls()).toHaveLength(0);
    expect(mocks.iam.calls()).toHaveLength(0);
  });

  it('Given Access Analyzer finds an ERROR in one document, When generated, Then each document is validated and that set is not ready', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).callsFake((input: { policyDocument: string }) => ({
      findings: input.policyDocument.includes('athena:') ? [{ findingType: 'ERROR', issueCode: 'INVALID_ACTION', findingDetails: 'x', learnMoreLink: 'x', locations: [] }] : [],
    }));

    const { result } = await run();

    const validated = mocks.accessAnalyzer.commandCalls(ValidatePolicyCommand).map((c) => JSON.parse(c.args[0].input.policyDocument ?? '') as unknown);
    expect(validated).toEqual([await readJson('policies/analysts.json'), await readJson('policies/developers.json')]);
    expect(setNamed(result, 'analysts')).toMatchObject({ ready: false, validation: { byAccessAnalyzer: true, counts: { ERROR: 1 } } });
    expect(setNamed(result, 'developers')).toMatchObject({ ready: true, validation: { byAccessAnalyzer: true, findings: [] } });
    expect((await workspace.readState())?.phases.policies?.sets['analysts']?.ready).toBe(false);
  });

  it('Given ValidatePolicy is denied, When generated, Then the local checks run for every set with one warning for the run', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).rejects(awsError('AccessDeniedException'));

    const { result, io } = await run();

    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(ValidatePolicyCommand, 1);
    expect(io.codes('warn').filter((code) => code === 'ACCESS_ANALYZER_DENIED')).toHaveLength(1);
    expect(result.validationSkip).toMatchObject({ code: 'ACCESS_ANALYZER_DENIED', missingAction: 'access-analyzer:ValidatePolicy' });
    expect(result.sets.map((s) => [s.name, s.validation.byAccessAnalyzer, s.ready])).toEqual([['analysts', false, true], ['developers', false, true], ['ops', false, true]]);
    expect((await workspace.readState())?.phases.policies?.sets['developers']?.validatedBy).toBe('local');
  });

  it('Given a group whose inline policies exceed the inline limit, When generated, Then overflow policies are written, referenced and validated', async () => {
    const snapshot = fixtureSnapshot();
    snapshot.groups.push(makeGroup({ name: 'big', inlinePolicies: [{ name: 'ec2', document: policyDocument(allow(await expandActionPattern('ec2:*'))) }] }));
    await workspace.writeText('mapping.yaml', draftMapping(snapshot).toString());

    const { result } = await run({ snapshot, only: ['big'] });

    const big = setNamed(result, 'big');
    expect(big.overflowFiles.length).toBeGreaterThan(0);
    expect(big.customerManagedPolicies).toEqual(big.overflowFiles.map((file) => ({ name: path.basename(file, '.json'), path: '/iam2idc/' })));
    expect(result.files).toEqual([workspace.resolve('policies/big.json'), ...big.overflowFiles.map((file) => workspace.resolve(file))]);
    const written = await Promise.all(['policies/big.json', ...big.overflowFiles].map(readJson));
    expect(new Set(written.flatMap(actionsOf))).toEqual(new Set(await expandActionPattern('ec2:*')));
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(ValidatePolicyCommand, 1 + big.overflowFiles.length);
    expect((await mappingOnDisk()).permissionSets['big']?.customerManagedPolicies).toEqual(big.customerManagedPolicies);
  });
});

describe('generatePolicies run again', () => {
  it('Given a finished run, When run again, Then every file is rewritten byte for byte and reported unchanged', async () => {
    await run();
    const files = ['policies/developers.json', 'policies/analysts.json', 'mapping.yaml', 'reports/policies.md', 'policies/.generated.json'];
    const before = await Promise.all(files.map((f) => workspace.readText(f)));

    const { result } = await run();

    expect(result.sets.map((s) => [s.name, s.file])).toEqual([['analysts', 'unchanged'], ['developers', 'unchanged'], ['ops', 'none']]);
    expect(await Promise.all(files.map((f) => workspace.readText(f)))).toEqual(before);
  });

  it('Given a policy file edited by hand, When run again, Then it is kept unless regenerate is asked for', async () => {
    await run();
    const generated = await workspace.readText('policies/developers.json');
    const edited = JSON.stringify(policyDocument(allow('s3:GetObject', BUCKET)));
    await writeFile(workspace.resolve('policies/developers.json'), edited);

    const kept = await run();

    expect(setNamed(kept.result, 'developers')).toMatchObject({ file: 'kept-operator-edit', basis: 'granted', inlinePolicyFile: 'policies/developers.json' });
    expect(kept.io.codes('info')).toContain('POLICY_FILE_KEPT');
    expect(await workspace.readText('policies/developers.json')).toBe(edited);
    expect(kept.result.files).not.toContain(workspace.resolve('policies/developers.json'));

    const replaced = await run({ regenerate: true });

    expect(setNamed(replaced.result, 'developers').file).toBe('written');
    expect(await workspace.readText('policies/developers.json')).toBe(generated);
    expect(setNamed((await run()).result, 'developers').file).toBe('unchanged');
  });
});

/** One job per user, IN_PROGRESS once for the users in `slow`, then SUCCEEDED with the user's generated policy. */
function mockActivity(options: { trails?: boolean; slow?: string[] } = {}): void {
  mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: options.trails === false ? [] : [{ Name: 'main', TrailARN: TRAIL_ARN, IsMultiRegionTrail: true, HomeRegion: 'us-east-1' }] });
  mocks.accessAnalyzer.on(StartPolicyGenerationCommand).callsFake((input: { policyGenerationDetails: { principalArn: string } }) => ({ jobId: `job-${input.policyGenerationDetails.principalArn.split('/').pop()}` }));
  const slow = new Set(options.slow ?? []);
  mocks.accessAnalyzer.on(GetGeneratedPolicyCommand).callsFake((input: { jobId: string }) => {
    const user = input.jobId.slice('job-'.length);
    if (slow.delete(user)) return { jobDetails: { jobId: input.jobId, status: 'IN_PROGRESS', startedOn: FIXTURE_NOW } };
    return {
      jobDetails: { jobId: input.jobId, status: 'SUCCEEDED', startedOn: FIXTURE_NOW, completedOn: FIXTURE_NOW },
      generatedPolicyResult: { properties: { principalArn: userArn(user), isComplete: true }, generatedPolicies: [{ policy: JSON.stringify(GENERATED[user]) }] },
    };
  });
  mocks.iam.on(GetPolicyCommand, { PolicyArn: READ_ONLY_ARN }).resolves({ Policy: { Arn: READ_ONLY_ARN, DefaultVersionId: 'v9' } });
  mocks.iam.on(GetPolicyVersionCommand, { PolicyArn: READ_ONLY_ARN, VersionId: 'v9' }).resolves({ PolicyVersion: { VersionId: 'v9', Document: encodeURIComponent(JSON.stringify(READ_ONLY_DOCUMENT)) } });
}

/** Runs with fake timers, so that the waiter's seconds-long polling delays pass at once. */
async function runWithFakeTimers(options: RunOptions): ReturnType<typeof run> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  let settled = false;
  const promise = run(options).finally(() => void (settled = true));
  promise.catch(() => undefined);
  while (!settled) {
    await vi.advanceTimersByTimeAsync(1_000);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

const ACTIVITY: ActivityRequest = { regenerate: false };
const startedFor = () => mocks.accessAnalyzer.commandCalls(StartPolicyGenerationCommand).map((c) => c.args[0].input.policyGenerationDetails?.principalArn);

describe('generatePolicies with activity', () => {
  it('Given a trail, an access role and finished jobs, When the proposed basis is used, Then the set carries only the proposed inline policy', async () => {
    mockActivity({ slow: ['alice'] });

    const { result } = await runWithFakeTimers({ only: ['developers'], activity: ACTIVITY, basis: 'proposed' });

    expect(startedFor()).toEqual([userArn('alice'), userArn('bob')]);
    expect(mocks.accessAnalyzer.commandCalls(StartPolicyGenerationCommand)[0]?.args[0].input.cloudTrailDetails).toMatchObject({ trails: [{ cloudTrailArn: TRAIL_ARN, allRegions: true }], accessRole: ACCESS_ROLE.arn });
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(GetGeneratedPolicyCommand, 3);
    expect(mocks.iam).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
    expect(result.activity).toEqual({ analysedUsers: ['alice', 'bob'], remainingUsers: [], stop: null, trailArn: TRAIL_ARN, plannedJobs: null });

    const developers = setNamed(result, 'developers');
    const invisible = ['iam:PassRole', 's3:GetObjectAcl', 's3:GetObjectAttributes', 's3:GetObjectTagging', 's3:GetObjectVersion', 's3:PutObject'];
    expect(developers).toMatchObject({ basis: 'proposed', managedPolicies: [], customerManagedPolicies: [], file: 'written', ready: true });
    expect(developers.notes.map((n) => n.code)).toContain('UNKNOWN_ACTIONS_LEFT_OUT');
    expect(developers.comparison).toMatchObject({ used: 2, usedButNotGranted: [], invisibleKept: invisible, usersAnalysed: ['alice', 'bob'], usersMissing: [] });
    const file = await readJson('policies/developers.json');
    expect(actionsOf(file)).toEqual(['ec2:DescribeInstances', ...invisible, 's3:GetObject'].sort());
    expect((file as PolicyDocument).Statement).toContainEqual({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [APP_ROLE] });
    expect((await mappingOnDisk()).permissionSets['developers']).toMatchObject({ managedPolicies: [], customerManagedPolicies: [], inlinePolicyFile: 'policies/developers.json' });
    expect((await workspace.readState())?.phases.policies?.sets['developers']?.basis).toBe('proposed');
  });

  it('Given no basis flag, When the operator answers used, Then the set carries what CloudTrail saw', async () => {
    mockActivity();
    const io = new TestIoHost({ answers: [{ code: 'POLICY_BASIS', answer: 'used' }] });

    const { result } = await run({ only: ['developers'], activity: ACTIVITY, io });

    expect(setNamed(result, 'developers')).toMatchObject({ basis: 'used', managedPolicies: [], customerManagedPolicies: [] });
    expect(actionsOf(await readJson('policies/developers.json'))).toEqual(['ec2:DescribeInstances', 's3:GetObject']);
  });

  it('Given no basis flag and nobody to answer, When generated, Then the default granted basis is kept, with the comparison', async () => {
    mockActivity();
    const noActivity = (await run({ only: ['developers'] })).result;
    const grantedFile = await workspace.readText('policies/developers.json');

    const { result } = await run({ only: ['developers'], activity: ACTIVITY });

    expect(setNamed(result, 'developers')).toMatchObject({ basis: 'granted', managedPolicies: [READ_ONLY_ARN], customerManagedPolicies: [{ name: 'deploy-app', path: '/app/' }], file: 'unchanged' });
    expect(setNamed(result, 'developers').comparison).toMatchObject({ usersAnalysed: ['alice', 'bob'], usedButNotGranted: [] });
    expect(setNamed(noActivity, 'developers').comparison).toBeNull();
    expect(await workspace.readText('policies/developers.json')).toBe(grantedFile);
  });

  it('Given no trail, When generated, Then it warns ACTIVITY_NO_TRAIL and still writes the group-derived policies', async () => {
    mockActivity({ trails: false });

    const { result, io } = await run({ activity: ACTIVITY, basis: 'proposed' });

    expect(io.codes('warn')).toEqual(expect.arrayContaining(['ACTIVITY_NO_TRAIL', 'ACTIVITY_SKIPPED']));
    expect(mocks.accessAnalyzer).not.toHaveReceivedCommand(StartPolicyGenerationCommand);
    expect(result.activity).toEqual({ analysedUsers: [], remainingUsers: [], stop: null, trailArn: null, plannedJobs: null });
    expect(result.sets.map((s) => [s.name, s.basis, s.file, s.comparison])).toEqual([['analysts', 'granted', 'written', null], ['developers', 'granted', 'written', null], ['ops', 'granted', 'none', null]]);
    expect(await workspace.readText('policies/developers.json')).not.toBeNull();
  });

  it('Given StartPolicyGeneration is denied, When generated, Then the jobs stop with a warning and the sets keep the granted policy', async () => {
    mockActivity();
    mocks.accessAnalyzer.on(StartPolicyGenerationCommand).rejects(awsError('AccessDeniedException'));

    const { result, io } = await run({ only: ['developers'], activity: ACTIVITY, basis: 'proposed' });

    expect(io.codes('warn')).toContain('ACTIVITY_ACCESS_DENIED');
    expect(result.activity).toEqual({ analysedUsers: [], remainingUsers: ['alice', 'bob'], stop: 'ACCESS_DENIED', trailArn: TRAIL_ARN, plannedJobs: null });
    expect(setNamed(result, 'developers')).toMatchObject({ basis: 'granted', file: 'written', comparison: null });
  });

  it('Given activity for only some users of a set, When generated, Then it stays granted with the warning ACTIVITY_INCOMPLETE', async () => {
    mockActivity();
    const io = new TestIoHost({ answers: [{ code: 'POLICY_BASIS', answer: 'proposed' }] });

    const { result } = await run({ only: ['developers'], activity: { ...ACTIVITY, users: ['alice'] }, basis: 'proposed', io });

    expect(startedFor()).toEqual([userArn('alice')]);
    expect(io.codes('warn')).toContain('ACTIVITY_INCOMPLETE');
    expect(setNamed(result, 'developers')).toMatchObject({ basis: 'granted', managedPolicies: [READ_ONLY_ARN] });
    expect(setNamed(result, 'developers').comparison).toMatchObject({ usersAnalysed: ['alice'], usersMissing: ['bob'] });
  });
});
