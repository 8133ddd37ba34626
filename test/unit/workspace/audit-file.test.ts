import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { readAuditSnapshot } from '../../../src/workspace/audit-file.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { makeUser } from '../../fixtures/inventory.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-audit-file-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** An audit.json as an earlier version wrote it: no AWS-managed documents, no admin levels. */
function olderAudit() {
  const { adminAccess: _adminAccess, ...user } = makeUser({ userName: 'alice' });
  return { schemaVersion: 1, users: [user], groups: [], roles: [], managedPolicies: [], findings: [], gaps: [] };
}

describe('readAuditSnapshot', () => {
  it('Given an audit.json written before AWS-managed documents and admin levels were recorded, When read, Then it is accepted as it is', async () => {
    const workspace = Workspace.at(path.join(root, 'ws'));
    await workspace.writeJson('audit.json', olderAudit());

    const snapshot = await readAuditSnapshot(workspace);

    expect(snapshot.awsManagedPolicies).toBeUndefined();
    expect(snapshot.users[0]?.adminAccess).toBeUndefined();
    expect(snapshot.users[0]?.userName).toBe('alice');
  });

  it('Given an audit.json without its users, When read, Then it is refused and the fix is named', async () => {
    const workspace = Workspace.at(path.join(root, 'ws'));
    const { users: _users, ...broken } = olderAudit();
    await workspace.writeJson('audit.json', broken);

    await expect(readAuditSnapshot(workspace)).rejects.toMatchObject({ constructor: UserError, code: 'AUDIT_INVALID' });
  });
});
