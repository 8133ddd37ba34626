import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AccessKey } from './aws-clients.js';
import { DEFAULT_TEST_KEY, EMULATOR_REGION } from './aws-clients.js';
import { assertLoopback } from './moto.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_BIN = join(REPO_ROOT, 'bin', 'iam2idc.js');

export interface CliEnvOptions {
  endpoint: string;
  /** The key the CLI signs with; null runs it with no credentials at all. Default: the emulator's default caller. */
  accessKey?: AccessKey | null;
  /** Extra variables; `undefined` removes one that the harness would otherwise set. */
  env?: Record<string, string | undefined>;
}

export interface RunCliOptions extends CliEnvOptions {
  /** Text written to stdin then closed, or 'keep-open' for a pipe that never ends (a hang would time out). */
  stdin?: string | 'keep-open';
  cwd?: string;
  timeoutMs?: number;
  /** Runs the CLI under this umask (e.g. 0o000) to prove that it sets file modes itself. */
  umask?: number;
  /** Node options placed before the script, e.g. `['--import', './scripts/bench-rss.mjs']`. */
  nodeArgs?: string[];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Parses stdout as the single JSON document that `-o json` promises. */
  json<T>(): T;
}

/**
 * Runs the built CLI (`node bin/iam2idc.js ...`) as a child process against the emulator, with an
 * environment built from scratch: no inherited AWS_* variables, and a throwaway HOME so that the
 * developer's ~/.aws can never be read or written.
 */
export function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  return runNode([...(options.nodeArgs ?? []), CLI_BIN, ...args], options);
}

/** Runs `node <argv>` with the same clean, emulator-only environment as `runCli`. */
export async function runNode(argv: string[], options: RunCliOptions): Promise<CliResult> {
  const home = await mkdtemp(join(tmpdir(), 'iam2idc-e2e-home-'));
  try {
    return await spawnNode(argv, options, buildCliEnv(options, home));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * The environment for a child that must talk to the emulator and nothing else. `home` replaces
 * HOME, so no profile, SSO cache or credentials file of the developer is ever in reach.
 */
export function buildCliEnv(options: CliEnvOptions, home: string): Record<string, string> {
  assertLoopback(options.endpoint);
  const key = options.accessKey === undefined ? DEFAULT_TEST_KEY : options.accessKey;
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    TMPDIR: process.env.TMPDIR,
    TERM: process.env.TERM,
    LANG: process.env.LANG,
    HOME: home,
    USERPROFILE: home,
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_REGION: EMULATOR_REGION,
    AWS_ACCESS_KEY_ID: key?.id,
    AWS_SECRET_ACCESS_KEY: key?.secret,
    AWS_SESSION_TOKEN: key?.sessionToken,
    // Without this, a missing key sends the SDK to the instance metadata service and a 1 s+ timeout.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
    ...options.env,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function spawnNode(argv: string[], options: RunCliOptions, env: Record<string, string>): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    // Node cannot set a child's umask, so a shell sets it and then execs node in its place.
    const [command, args] =
      options.umask === undefined
        ? [process.execPath, argv]
        : ['/bin/sh', ['-c', `umask ${options.umask.toString(8).padStart(3, '0')} && exec "$0" "$@"`, process.execPath, ...argv]];
    const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // The child may exit without reading its input: that is not an error of the harness.
    child.stdin.on('error', () => {});
    if (options.stdin !== 'keep-open') child.stdin.end(options.stdin ?? '');

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout,
        stderr,
        json<T>(): T {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`stdout is not one JSON document (exit ${code}).\nstdout:\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
  });
}
