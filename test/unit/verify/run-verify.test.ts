import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditSnapshot } from '../../../src/model/inventory.js';
import { computeVerification, runVerify, VERIFY_REPORT_FILE } from '../../../src/phases/verify/run-verify.js';
import { mappingSchema, type Mapping } from '../../../src/workspace/mapping-schema.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { ACCOUNT_ID, allow, FIXTURE_NOW, makeAwsManagedPolicy, makeUser, policyDocument, userArn } from '../../fixtures/inventory.js';
import { makeSnapshot } from '../../fixtures/snapshot.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';

const { mocks, clients } = mockAws();

const POWER_USER_ARN = 'arn:aws:iam::aws:policy/PowerUserAccess';
/** Enough of PowerUserAccess to tell it apart from nothing: everything but IAM and Organizations. */
const POWER_USER_DOCUMENT = policyDocument({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' });

/** One person whose IAM user and permission set both attach PowerUserAccess, which no audit read. */
function snapshot(overrides: Partial<AuditSnapshot> = {}): AuditSnapshot {
  return makeSnapshot({
    users: [makeUser({ userName: 'pat', attachedPolicies: [{ name: 'PowerUserAccess', arn: POWER_USER_ARN }], inlinePolicies: [{ name: 'own-keys', document: policyDocument(allow('s3:GetObject')) }] })],
    ...overrides,
  });
}

const MAPPING: Mapping = mappingSchema.parse({
  version: 1,
  account: ACCOUNT_ID,
  protect: {},
  groups: {},
  users: { pat: { kind: 'human', userName: 'pat' } },
  permissionSets: { power: { managedPolicies: [POWER_USER_ARN] } },
  assignments: [{ user: 'pat', permissionSet: 'power', targets: [ACCOUNT_ID] }],
});

function answerPowerUser(): void {
  mocks.iam.on(GetPolicyCommand, { PolicyArn: POWER_USER_ARN }).resolves({ Policy: { Arn: POWER_USER_ARN, DefaultVersionId: 'v7' } });
  mocks.iam
    .on(GetPolicyVersionCommand, { PolicyArn: POWER_USER_ARN, VersionId: 'v7' })
    .resolves({ PolicyVersion: { VersionId: 'v7', IsDefaultVersion: true, Document: encodeURIComponent(JSON.stringify(POWER_USER_DOCUMENT)) } });
}

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-verify-'));
  workspace = Workspace.at(root);
  await workspace.bindToAccount({ accountId: ACCOUNT_ID, partition: 'aws', arn: userArn('ops-admin') }, FIXTURE_NOW);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const verify = (snap: AuditSnapshot, mapping: Mapping = MAPPING) => computeVerification({ workspace, snapshot: snap, mapping, iam: clients.iam });

describe('verify and the AWS-managed documents it needs', () => {
  it('reads a document the audit does not hold once, though both sides attach it, and judges with it', async () => {
    answerPowerUser();
    const outcome = await verify(snapshot());
    expect(mocks.iam).toHaveReceivedCommandTimes(GetPolicyCommand, 1);
    expect(mocks.iam).toHaveReceivedCommandTimes(GetPolicyVersionCommand, 1);
    expect(outcome.unreadPolicies).toEqual([]);
    const [pat] = outcome.people;
    // The set keeps PowerUserAccess but not the user's inline grant, which PowerUserAccess already covers.
    expect(pat?.verdict).toBe('same');
    expect(pat?.unknownPolicies).toEqual([]);
  });

  it('makes no IAM call when the audit holds the document', async () => {
    const outcome = await verify(snapshot({ awsManagedPolicies: [makeAwsManagedPolicy('PowerUserAccess', POWER_USER_DOCUMENT)] }));
    expect(mocks.iam).toHaveReceivedCommandTimes(GetPolicyCommand, 0);
    expect(outcome.people[0]?.verdict).toBe('same');
  });

  it('tells a missing grant from a document that could not be read: the read is denied, the person unverified, never "same"', async () => {
    mocks.iam.on(GetPolicyCommand).rejects(awsError('AccessDenied', { message: 'not authorized to perform iam:GetPolicy' }));
    const outcome = await verify(snapshot());
    expect(outcome.unreadPolicies).toEqual([{ arn: POWER_USER_ARN, reason: expect.stringContaining('iam:GetPolicy') }]);
    const [pat] = outcome.people;
    expect(pat?.verdict).toBe('unverified');
    // Both sides that depend on the document are named: the IAM user's attachment and the set's.
    expect(pat?.unknownPolicies).toHaveLength(2);
    expect(pat?.unknownPolicies.every((where) => where.includes(POWER_USER_ARN))).toBe(true);
    expect(outcome.counts.unverified).toBe(1);
  });

  it('lets expired credentials stop the run instead of reporting everyone unverified', async () => {
    mocks.iam.on(GetPolicyCommand).rejects(awsError('ExpiredToken', { message: 'The security token included in the request is expired' }));
    const error = await caught(verify(snapshot()));
    expect(error).toMatchObject({ name: 'ExpiredToken' });
  });

  it('records each verdict for status and disable, and a run over some people keeps the others', async () => {
    answerPowerUser();
    const both = snapshot({ users: [...snapshot().users, makeUser({ userName: 'sam', attachedPolicies: [{ name: 'PowerUserAccess', arn: POWER_USER_ARN }] })] });
    const mapping = mappingSchema.parse({
      ...MAPPING,
      users: { ...MAPPING.users, sam: { kind: 'human', userName: 'sam' } },
      assignments: [...MAPPING.assignments, { user: 'sam', permissionSet: 'power', targets: [ACCOUNT_ID] }],
    });
    await runVerify({ workspace, snapshot: both, mapping, iam: clients.iam, now: () => FIXTURE_NOW });
    // Without its assignment sam receives no set, so everything the IAM user could do is lost.
    const lessMapping = mappingSchema.parse({ ...mapping, assignments: MAPPING.assignments });
    const second = await runVerify({ workspace, snapshot: both, mapping: lessMapping, iam: clients.iam, only: ['sam'], now: () => new Date(FIXTURE_NOW.getTime() + 1000) });
    expect(second.people.map((p) => [p.iamUser, p.verdict])).toEqual([['sam', 'loss']]);
    const state = await workspace.readState();
    expect(state?.phases.verify?.users).toMatchObject({ pat: { verdict: 'same' }, sam: { verdict: 'loss' } });
    expect(await workspace.readText(VERIFY_REPORT_FILE)).toContain('sam');
  });
});
