import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSince } from '../../../src/cli-args/parse-since.js';
import { UserError } from '../../../src/errors.js';
import { AUDIT_FILE, readAuditSnapshot } from '../../../src/workspace/audit-file.js';
import {
  readPolicyFile,
  readPolicyManifest,
  renderPolicyFile,
  writePolicyFile,
  writePolicyManifest,
  type PolicyFileManifest,
} from '../../../src/workspace/policy-files.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { allow, FIXTURE_NOW, policyDocument } from '../../fixtures/inventory.js';
import { typicalSnapshot } from '../../fixtures/snapshot.js';
import { caught } from '../support/caught.js';

const FILE = 'policies/developers.json';
const DOCUMENT = policyDocument(allow('s3:GetObject', 'arn:aws:s3:::app-bucket/*'));

let root: string;
let workspace: Workspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-policy-files-'));
  workspace = Workspace.at(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes the file the way the tool does and saves the manifest, as a finished run leaves them. */
async function writtenByTheTool(document = DOCUMENT): Promise<void> {
  const manifest: PolicyFileManifest = {};
  await writePolicyFile(workspace, FILE, document, manifest);
  await writePolicyManifest(workspace, manifest);
}

describe('readPolicyFile', () => {
  it('Given a file the tool wrote, When read with the saved manifest, Then it is the document and not an operator edit', async () => {
    await writtenByTheTool();

    const state = await readPolicyFile(workspace, FILE, await readPolicyManifest(workspace));

    expect(state).toEqual({ path: FILE, document: DOCUMENT, editedByOperator: false });
    expect(await readFile(workspace.resolve(FILE), 'utf8')).toBe(renderPolicyFile(DOCUMENT));
    expect((await stat(workspace.resolve(FILE))).mode & 0o777).toBe(0o600);
  });

  it('Given a file edited by hand after the tool wrote it, When read, Then it is an operator edit carrying the edited document', async () => {
    await writtenByTheTool();
    const edited = policyDocument(allow('s3:GetObject', 'arn:aws:s3:::other-bucket/*'));
    await writeFile(workspace.resolve(FILE), JSON.stringify(edited));

    const state = await readPolicyFile(workspace, FILE, await readPolicyManifest(workspace));

    expect(state).toEqual({ path: FILE, document: edited, editedByOperator: true });
  });

  it('Given only whitespace changed by hand, When read, Then it still counts as an edit (the bytes differ)', async () => {
    await writtenByTheTool();
    await writeFile(workspace.resolve(FILE), `${renderPolicyFile(DOCUMENT)}\n`);

    expect((await readPolicyFile(workspace, FILE, await readPolicyManifest(workspace))).editedByOperator).toBe(true);
  });

  it('Given a policy file the manifest does not know, When read, Then it is treated as the operator own', async () => {
    await workspace.writeText(FILE, renderPolicyFile(DOCUMENT));

    expect((await readPolicyFile(workspace, FILE, {})).editedByOperator).toBe(true);
  });

  it('Given no file, When read, Then the document is null and nothing is an edit', async () => {
    await expect(readPolicyFile(workspace, FILE, {})).resolves.toEqual({ path: FILE, document: null, editedByOperator: false });
  });

  it.each([
    ['invalid JSON', '{ "Version": "2012-10-17", '],
    ['a list', '[]'],
    ['no Statement', '{ "Version": "2012-10-17" }'],
    ['a statement without Effect', '{ "Statement": [{ "Action": "s3:GetObject", "Resource": "*" }] }'],
    ['a statement that is not an object', '{ "Statement": ["s3:GetObject"] }'],
  ])('Given a policy file with %s, When read, Then it is a usage error POLICY_FILE_INVALID naming the file', async (_label, text) => {
    await workspace.writeText(FILE, text);

    const error = await caught(readPolicyFile(workspace, FILE, {}));

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'POLICY_FILE_INVALID', exitCode: 2 });
    expect((error as UserError).message).toContain(workspace.resolve(FILE));
  });

  it('Given a single statement object instead of a list, When read, Then it is a valid policy', async () => {
    const single = { Version: '2012-10-17', Statement: allow('s3:GetObject') };
    await workspace.writeText(FILE, JSON.stringify(single));

    expect((await readPolicyFile(workspace, FILE, {})).document).toEqual(single);
  });
});

describe('readPolicyManifest', () => {
  it.each([
    ['missing', null],
    ['damaged', '{ not json'],
    ['a list', '[]'],
  ])('Given a %s manifest, When read, Then it is empty (every existing file counts as the operator own)', async (_label, text) => {
    if (text !== null) await workspace.writeText('policies/.generated.json', text);

    await expect(readPolicyManifest(workspace)).resolves.toEqual({});
  });
});

describe('readAuditSnapshot', () => {
  it('Given the audit the tool wrote, When read, Then it is the snapshot', async () => {
    const snapshot = typicalSnapshot();
    await workspace.writeJson(AUDIT_FILE, snapshot);

    await expect(readAuditSnapshot(workspace)).resolves.toEqual(snapshot);
  });

  it('Given no audit.json, When read, Then it is a usage error AUDIT_MISSING', async () => {
    const error = await caught(readAuditSnapshot(workspace));

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'AUDIT_MISSING' });
  });

  it.each([
    ['invalid JSON', '{"schemaVersion": 1,'],
    ['another schemaVersion', JSON.stringify({ ...typicalSnapshot(), schemaVersion: 2 })],
    ['no schemaVersion', JSON.stringify({ users: [], groups: [], roles: [], managedPolicies: [] })],
    ['a section that is not a list', JSON.stringify({ ...typicalSnapshot(), roles: {} })],
  ])('Given an audit.json with %s, When read, Then it is a usage error AUDIT_INVALID naming the file', async (_label, text) => {
    await workspace.writeText(AUDIT_FILE, text);

    const error = await caught(readAuditSnapshot(workspace));

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'AUDIT_INVALID' });
    expect((error as UserError).message).toContain(workspace.resolve(AUDIT_FILE));
  });
});

describe('parseSince', () => {
  const HOUR = 3_600_000;

  it.each([
    ['90d', 90 * 24 * HOUR],
    ['24h', 24 * HOUR],
    ['30m', 30 * 60_000],
    [' 2h ', 2 * HOUR],
    ['1.5h', 1.5 * HOUR],
  ])('Given the duration %s, When parsed, Then it is that long before now', (value, back) => {
    expect(parseSince(value, FIXTURE_NOW)).toEqual(new Date(FIXTURE_NOW.getTime() - back));
  });

  it.each([
    ['2025-05-01', '2025-05-01T00:00:00.000Z'],
    ['2025-05-01T08:30:00Z', '2025-05-01T08:30:00.000Z'],
    ['2025-05-01T08:30:00+02:00', '2025-05-01T06:30:00.000Z'],
  ])('Given the date %s, When parsed, Then it is that instant', (value, iso) => {
    expect(parseSince(value, FIXTURE_NOW).toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '90', '-5d', '0d', '90 parsecs', '2025-13-45', '31/01/2025', 'd90'])(
    'Given %j, When parsed, Then it is a usage error INVALID_TIME',
    (value) => {
      let error: unknown;
      try {
        parseSince(value, FIXTURE_NOW);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({ code: 'INVALID_TIME', exitCode: 2 });
    },
  );

  it('Given another flag name, When the value is refused, Then the error names that flag', () => {
    expect(() => parseSince('soon', FIXTURE_NOW, '--until')).toThrow(/--until/);
  });
});
