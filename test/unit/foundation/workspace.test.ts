import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafetyRefusal, UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { Workspace, WORKSPACE_STATE_FILE, type BoundIdentity } from '../../../src/workspace/workspace.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const IDENTITY: BoundIdentity = { accountId: ACCOUNT, partition: 'aws', arn: `arn:aws:iam::${ACCOUNT}:user/admin` };
const OTHER: BoundIdentity = { accountId: OTHER_ACCOUNT, partition: 'aws', arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/admin` };
const NOW = new Date('2024-06-01T12:00:00.000Z');
const LATER = new Date('2024-07-01T12:00:00.000Z');

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-ws-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

/** Every entry under `dir`, relative, sorted. */
async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

function validState(): WorkspaceState {
  return {
    schemaVersion: 1,
    accountId: ACCOUNT,
    partition: 'aws',
    createdAt: NOW.toISOString(),
    createdBy: IDENTITY.arn,
    identityCenter: null,
    phases: {},
  };
}

describe('Workspace binding', () => {
  it('Given no workspace yet, When it is opened, Then nothing is created and there is no state', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await expect(ws.readState()).resolves.toBeNull();
    await expect(stat(ws.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('Given a new workspace, When it is first bound, Then workspace.json records the account', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    const state = await ws.bindToAccount(IDENTITY, NOW);
    expect(state).toMatchObject({ accountId: ACCOUNT, partition: 'aws', createdAt: NOW.toISOString(), createdBy: IDENTITY.arn });
    expect(JSON.parse(await readFile(ws.resolve(WORKSPACE_STATE_FILE), 'utf8'))).toEqual(state);
    await expect(ws.readState()).resolves.toEqual(state);
  });

  it('Given a bound workspace, When bound again to the same account, Then the recorded state is kept', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    const first = await ws.bindToAccount(IDENTITY, NOW);
    const again = await Workspace.at(ws.dir).bindToAccount({ ...IDENTITY, arn: `arn:aws:iam::${ACCOUNT}:user/other` }, LATER);
    expect(again).toEqual(first);
  });

  it('Given a workspace bound to one account, When another account binds it, Then it is a safety refusal naming the bound account', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await ws.bindToAccount(IDENTITY, NOW);
    const attempt = ws.bindToAccount(OTHER, LATER);
    await expect(attempt).rejects.toBeInstanceOf(SafetyRefusal);
    const error = (await attempt.catch((e: unknown) => e)) as SafetyRefusal;
    expect(error.code).toBe('WORKSPACE_ACCOUNT_MISMATCH');
    expect(error.exitCode).toBe(ExitCode.SafetyRefusal);
    expect(error.message).toContain(ACCOUNT);
    expect((await ws.readState())?.accountId).toBe(ACCOUNT);
  });
});

describe('Workspace state validation', () => {
  const cases: [string, string][] = [
    ['truncated JSON', '{"schemaVersion": 1, "accountId": "1111'],
    ['not JSON at all', 'accountId: 111111111111\n'],
    ['a wrong type', JSON.stringify({ ...validState(), accountId: 111111111111 })],
    ['a malformed account ID', JSON.stringify({ ...validState(), accountId: '1234' })],
    ['an unknown key', JSON.stringify({ ...validState(), extra: true })],
    ['an unknown nested key', JSON.stringify({ ...validState(), phases: { audit: { lastRunAt: NOW.toISOString(), userCount: 1, x: 1 } } })],
    ['a missing field', JSON.stringify({ ...validState(), partition: undefined })],
    ['another schema version', JSON.stringify({ ...validState(), schemaVersion: 2 })],
    ['an array', '[]'],
  ];

  it.each(cases)('Given workspace.json with %s, When it is read or bound, Then it is a usage error and the file is left alone', async (_case, content) => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await ws.writeText(WORKSPACE_STATE_FILE, content);
    for (const attempt of [() => ws.readState(), () => ws.bindToAccount(IDENTITY, NOW)]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({ code: 'WORKSPACE_STATE_INVALID', exitCode: ExitCode.UsageError });
    }
    expect(await readFile(ws.resolve(WORKSPACE_STATE_FILE), 'utf8')).toBe(content);
  });

  it('Given a change that makes the state invalid, When it is written, Then it is rejected and the file is left as it was', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await ws.bindToAccount({ accountId: '111111111111', partition: 'aws', arn: 'arn:aws:iam::111111111111:user/ops' }, new Date('2024-06-01T00:00:00.000Z'));
    const before = await ws.readText(WORKSPACE_STATE_FILE);
    await expect(ws.updateState({ phase: 'audit', update: () => ({ lastRunAt: 'not a time', userCount: -1 }) })).rejects.toThrow();
    await expect(ws.readText(WORKSPACE_STATE_FILE)).resolves.toBe(before);
  });

  it('Given a workspace not bound yet, When a change is recorded, Then nothing is written', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await expect(ws.updateState({ phase: 'audit', update: () => ({ lastRunAt: '2024-06-01T00:00:00.000Z', userCount: 1 }) })).resolves.toBeNull();
    await expect(ws.readText(WORKSPACE_STATE_FILE)).resolves.toBeNull();
  });

  it('Given two changes recorded at once, When both are written, Then neither loses the other', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await ws.bindToAccount({ accountId: '111111111111', partition: 'aws', arn: 'arn:aws:iam::111111111111:user/ops' }, new Date('2024-06-01T00:00:00.000Z'));
    await Promise.all([
      ws.updateState({ phase: 'audit', update: () => ({ lastRunAt: '2024-06-01T00:00:00.000Z', userCount: 3 }) }),
      ws.updateState({ identityCenter: () => ({ instanceArn: 'arn:aws:sso:::instance/ssoins-1', identityStoreId: 'd-1', region: 'eu-west-1' }) }),
    ]);
    const state = await ws.readState();
    expect(state?.phases.audit?.userCount).toBe(3);
    expect(state?.identityCenter?.identityStoreId).toBe('d-1');
  });
});

describe('Workspace file modes', () => {
  let savedUmask: number;

  beforeEach(() => {
    savedUmask = process.umask();
  });

  afterEach(() => {
    process.umask(savedUmask);
  });

  it.each([[0o000], [0o022], [0o077]])('Given umask %o, When files are written, Then directories are 0700 and files 0600', async (umask) => {
    process.umask(umask);
    const ws = Workspace.at(path.join(root, 'parent', 'ws'));
    await ws.bindToAccount(IDENTITY, NOW);
    await ws.writeText('reports/deep/audit.md', '# audit\n');
    await ws.writeJson('audit.json', { schemaVersion: 1 });
    for (const dir of [path.join(root, 'parent'), ws.dir, ws.resolve('reports'), ws.resolve('reports/deep')]) {
      expect(await modeOf(dir), dir).toBe(0o700);
    }
    for (const file of [WORKSPACE_STATE_FILE, 'reports/deep/audit.md', 'audit.json']) {
      expect(await modeOf(ws.resolve(file)), file).toBe(0o600);
    }
  });

  it('Given an existing file made readable to others, When it is rewritten, Then it is 0600 again', async () => {
    process.umask(0);
    const ws = Workspace.at(path.join(root, 'ws'));
    const file = await ws.writeText('mapping.yaml', 'a: 1\n');
    await chmod(file, 0o644);
    await ws.writeText('mapping.yaml', 'a: 2\n');
    expect(await modeOf(file)).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('a: 2\n');
  });
});

describe('Workspace atomic writes', () => {
  it('Given many writes, some to the same file at once, When they finish, Then only the target files remain', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await ws.bindToAccount(IDENTITY, NOW);
    const contents = Array.from({ length: 10 }, (_, i) => `${JSON.stringify({ version: i, pad: 'x'.repeat(10_000) })}\n`);
    await Promise.all(contents.map((content) => ws.writeText('audit.json', content)));
    await ws.writeJson('policies/a.json', { Version: '2012-10-17' });
    expect(await listAll(ws.dir)).toEqual(['audit.json', 'policies', path.join('policies', 'a.json'), WORKSPACE_STATE_FILE].sort());
    expect(contents).toContain(await readFile(ws.resolve('audit.json'), 'utf8'));
  });

  it('Given a target that cannot be replaced, When it is written, Then the write fails and leaves no temp file', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    await ws.writeText('reports/keep.md', 'keep\n');
    await expect(ws.writeText('reports', 'not a directory')).rejects.toThrow();
    expect(await listAll(ws.dir)).toEqual(['reports', path.join('reports', 'keep.md')]);
  });

  it('Given a file written before, When it is read back, Then the text round-trips and a missing file reads as null', async () => {
    const ws = Workspace.at(path.join(root, 'ws'));
    const written = await ws.writeText('notes.txt', 'héllo\n');
    expect(written).toBe(ws.resolve('notes.txt'));
    await expect(ws.readText('notes.txt')).resolves.toBe('héllo\n');
    await expect(ws.readText('missing.txt')).resolves.toBeNull();
  });
});
