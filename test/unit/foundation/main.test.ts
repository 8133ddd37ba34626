import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/command-context.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { main } from '../../../src/main.js';
import { TOOL_VERSION } from '../../../src/version.js';
import { ANSI_ESCAPE, captureStream, openInput, type CapturedStream } from './streams.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';

/** A closed loopback port: even a signed request could not leave the machine. */
const DEAD_ENDPOINT = 'http://127.0.0.1:9';
const RUN_TIMEOUT_MS = 15_000;

interface FakeRun {
  runtime: Runtime;
  stdout: CapturedStream;
  stderr: CapturedStream;
}

let home: string;
let cwd: string;
let env: Record<string, string>;
let savedEnv: NodeJS.ProcessEnv;

/**
 * The SDK's credential chain reads `process.env`, not the runtime's env, so both get the same
 * credential-free settings: no keys, no profile, IMDS off, config files that do not exist.
 */
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'iam2idc-main-home-'));
  cwd = await mkdtemp(path.join(tmpdir(), 'iam2idc-main-cwd-'));
  env = {
    HOME: home,
    PATH: process.env.PATH ?? '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(home, 'no-such-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-such-credentials'),
    AWS_ENDPOINT_URL: DEAD_ENDPOINT,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  savedEnv = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('AWS_') || key === 'CI' || key === 'NO_COLOR' || key === 'IAM2IDC_WORKSPACE') delete process.env[key];
  }
  Object.assign(process.env, env);
});

afterEach(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await rm(home, { recursive: true, force: true });
  await rm(cwd, { recursive: true, force: true });
});

function fakeRuntime(): FakeRun {
  const stdout = captureStream();
  const stderr = captureStream();
  const runtime: Runtime = {
    stdin: openInput(),
    stdout,
    stderr,
    env,
    cwd,
    now: () => new Date('2024-06-01T12:00:00Z'),
    interrupts: new InterruptController(),
    process: { pid: process.pid, hostname: 'test-host', isProcessAlive: () => false },
  };
  return { runtime, stdout, stderr };
}

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runtime, stdout, stderr } = fakeRuntime();
  const code = await main(['node', 'iam2idc', ...args], runtime);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('main: help and version', () => {
  it('Given --version, When run, Then it prints the package version on stdout and exits 0', async () => {
    const result = await run('--version');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout.trim()).toBe(TOOL_VERSION);
  });

  it('Given --help, When run, Then usage listing the global options is printed on stdout and it exits 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).toContain('--workspace');
    expect(result.stdout).toContain('audit');
  });

  it.each([[['audit', '--help']], [['help', 'audit']]])('Given %j, When run, Then usage is printed on stdout and it exits 0', async (args) => {
    const result = await run(...args);
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).not.toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('main: usage errors', () => {
  it.each([
    ['an unknown option', ['audit', '--bogus']],
    ['an unknown global option', ['--bogus', 'audit']],
    ['an unknown command', ['frobnicate']],
    ['an unsupported output format', ['-o', 'xml', 'audit']],
    ['a short account ID', ['audit', '--yes', '--confirm-account', '123']],
    ['a non-numeric account ID', ['--confirm-account', '11111111111x', 'audit']],
    ['an option without its value', ['audit', '--profile']],
  ])('Given %s, When run, Then it exits 2 before any AWS call and leaves stdout empty', async (_case, args) => {
    const result = await run(...args);
    expect(result.code).toBe(ExitCode.UsageError);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('main: the guided session without a terminal', () => {
  it.each([[[]], [['migrate']], [['--no-input', 'migrate']]])('Given %j and no terminal, When run, Then it refuses at once with exit 3, makes no AWS call and names the phase commands', async (args) => {
    const result = await run(...args);
    expect(result.code).toBe(ExitCode.SafetyRefusal);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('iam2idc audit');
    expect(result.stderr).toContain('iam2idc disable --yes --confirm-account');
    // Nothing was bound or written: the refusal came before GetCallerIdentity.
    expect(await readdir(cwd)).toEqual([]);
  });

  it('Given -o json, When the session is asked for, Then it is a usage error (exit 2) with one JSON document', async () => {
    const result = await run('-o', 'json', 'migrate');
    expect(result.code).toBe(ExitCode.UsageError);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'SESSION_NOT_JSON' } });
  });
});

describe('main: no credentials', () => {
  it(
    'Given no AWS credentials anywhere, When audit runs, Then it exits 4 and creates no workspace',
    async () => {
      const result = await run('audit');
      expect(result.code).toBe(ExitCode.AwsConfig);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toBe('');
      expect(await readdir(cwd)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'Given no AWS credentials and -o json, When audit runs, Then stdout is exactly one JSON error document',
    async () => {
      const result = await run('-o', 'json', 'audit');
      expect(result.code).toBe(ExitCode.AwsConfig);
      const document = JSON.parse(result.stdout) as { error: Record<string, unknown> };
      expect(Object.keys(document)).toEqual(['error']);
      expect(document.error).toEqual({ code: 'AWS_CREDENTIALS', message: expect.any(String), resolution: expect.any(String) });
      expect(document.error.resolution).not.toBe('');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'Given a named profile that does not exist, When audit runs, Then it exits 4 and the fix names the profile',
    async () => {
      const result = await run('audit', '--profile', 'nowhere', '-o', 'json');
      expect(result.code).toBe(ExitCode.AwsConfig);
      const document = JSON.parse(result.stdout) as { error: { code: string; resolution: string } };
      expect(document.error.code).toBe('AWS_CREDENTIALS');
      expect(document.error.resolution).toContain('--profile nowhere');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'Given no credentials and --no-color, When audit runs, Then stderr carries no ANSI escapes',
    async () => {
      const result = await run('audit', '--no-color', '--debug');
      expect(result.code).toBe(ExitCode.AwsConfig);
      expect(result.stderr).not.toMatch(ANSI_ESCAPE);
    },
    RUN_TIMEOUT_MS,
  );
});
