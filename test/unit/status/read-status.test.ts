import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCredentialReportCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestIoHost } from '../support/test-io-host.js';
import { readStatus } from '../../../src/phases/status/read-status.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();
const ACCOUNT = '111111111111';
const NOW = new Date('2026-12-01T12:00:00Z');

const MAPPING = parseMapping(
  [
    'version: 1',
    `account: '${ACCOUNT}'`,
    'protect: { users: [], tags: [] }',
    'users:',
    '  alice: { kind: human, userName: alice }',
    '  bob: { kind: human, userName: bob }',
    'permissionSets: {}',
    'groups: {}',
    'assignments: []',
  ].join('\n'),
  'mapping.yaml',
).mapping;

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const row = (user: string, passwordLastUsed: string) =>
  `${user},arn:aws:iam::${ACCOUNT}:user/${user},2025-01-01T00:00:00+00:00,true,${passwordLastUsed},N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;

let dir: string;
let workspace: Workspace;
let state: WorkspaceState;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'iam2idc-status-'));
  workspace = Workspace.at(dir);
  state = await workspace.bindToAccount({ accountId: ACCOUNT, partition: 'aws', arn: `arn:aws:iam::${ACCOUNT}:user/ops` }, NOW);
  state = { ...state, phases: { audit: { lastRunAt: NOW.toISOString(), userCount: 2 }, assignments: { lastRunAt: NOW.toISOString(), access: { alice: { verified: true, missing: [] }, bob: { verified: true, missing: [] } } } } };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const snapshot = { users: [{ userName: 'alice', tags: [], classification: { kind: 'human', reasons: [] } }, { userName: 'bob', tags: [], classification: { kind: 'human', reasons: [] } }] } as never;

describe('readStatus', () => {
  it('Given a fresh credential report, When the status is read, Then the last use comes from it and a user missing from it is deleted', async () => {
    mocks.iam.on(GetCredentialReportCommand).resolves({ Content: new TextEncoder().encode(`${HEADER}\n${row('alice', '2026-11-30T08:00:00+00:00')}\n`), ReportFormat: 'text/csv', GeneratedTime: NOW });

    const result = await readStatus({ iam: clients.iam, workspace, state, mapping: MAPPING, snapshot, io: new TestIoHost(), now: () => NOW });

    const byName = new Map(result.users.map((u) => [u.userName, u]));
    expect(byName.get('alice')).toMatchObject({ state: 'active', lastUsed: '2026-11-30T08:00:00+00:00', migrated: false });
    expect(byName.get('bob')).toMatchObject({ state: 'deleted', migrated: true });
    expect(result.gaps).toEqual([]);
    expect(result.allMigrated).toBe(false);
  });

  it('Given the credential report is denied, When the status is read, Then it says so as a gap, nobody is taken for deleted, and the run goes on', async () => {
    mocks.iam.on(GetCredentialReportCommand).rejects(awsError('AccessDenied'));

    const result = await readStatus({ iam: clients.iam, workspace, state, mapping: MAPPING, snapshot, io: new TestIoHost(), now: () => NOW });

    expect(result.gaps).toHaveLength(1);
    expect(result.users.every((u) => u.state === 'active')).toBe(true);
  });

  it('Given expired credentials, When the status is read, Then the error propagates (exit 4 upstream), not a gap', async () => {
    mocks.iam.on(GetCredentialReportCommand).rejects(awsError('ExpiredToken'));

    await expect(readStatus({ iam: clients.iam, workspace, state, mapping: MAPPING, snapshot, io: new TestIoHost(), now: () => NOW })).rejects.toMatchObject({ name: 'ExpiredToken' });
  });
});
