import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** The launcher that mends moto's AWS-managed policy data before serving. */
const LAUNCHER = fileURLToPath(new URL('./moto-launcher.py', import.meta.url));

/** Interpreters tried in order; `IAM2IDC_PYTHON` wins when a developer keeps moto in a venv. */
const PYTHON_CANDIDATES = [process.env.IAM2IDC_PYTHON, 'python3', 'python'].filter(
  (p): p is string => typeof p === 'string' && p.length > 0,
);

const START_TIMEOUT_MS = 30_000;

export interface MotoInstall {
  python: string;
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Finds a Python interpreter that can import moto's server (moto plus its werkzeug/flask extras).
 * Resolves null when none can, so callers decide between skipping and failing.
 */
export async function findMoto(): Promise<MotoInstall | null> {
  for (const python of PYTHON_CANDIDATES) {
    // `moto.moto_server.werkzeug_app` imports flask: a plain `pip install moto` lacks it.
    const probe = spawnSync(python, ['-c', 'import moto, moto.moto_server.werkzeug_app'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    if (probe.status === 0) return { python };
  }
  return null;
}

/**
 * Starts moto on a loopback port chosen by the OS and resolves once it answers HTTP.
 * The launcher exits on its own if this process dies, and `stop()` ends it explicitly.
 */
export async function startMoto(options: { python?: string; verbose?: boolean } = {}): Promise<MotoServer> {
  const python = options.python ?? (await findMoto())?.python;
  if (!python) throw new Error('moto is not installed: pip install "moto[server]"');

  const args = [LAUNCHER, '--host', '127.0.0.1', '--port', '0', '--owner-pid', String(process.pid)];
  if (options.verbose) args.push('--verbose');
  const child = spawn(python, args, {
    stdio: ['ignore', 'pipe', options.verbose ? 'inherit' : 'pipe'],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });

  // Keep the tail of stderr for the error message if start-up fails, and keep draining
  // the pipe afterwards so a chatty emulator can never block on a full pipe.
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const port = await readPort(child.stdout!, exited);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(endpoint);
    return { endpoint, stop };
  } catch (error) {
    await stop();
    throw new Error(`moto did not start: ${(error as Error).message}\n${stderrTail}`);
  }
}

/** Reads the launcher's `{"port": ...}` line, or fails if it exits or stalls first. */
async function readPort(stdout: NodeJS.ReadableStream, exited: Promise<number | null>): Promise<number> {
  const lines = createInterface({ input: stdout });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    lines.once('close', () => reject(new Error('launcher closed stdout before reporting its port')));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no port after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
  });
  const died = exited.then((code) => {
    throw new Error(`launcher exited with code ${code}`);
  });
  try {
    const line = await Promise.race([firstLine, timeout, died]);
    const { port } = JSON.parse(line) as { port: number };
    return port;
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

/** Polls moto's own API until it answers: the socket is bound before the app is ready. */
async function waitUntilAnswering(endpoint: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${endpoint} did not answer within ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Clears every account and service in the emulator (moto keeps its data in memory). */
export async function resetMoto(endpoint: string): Promise<void> {
  assertLoopback(endpoint);
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

/** The emulator accepts any credentials: the harness must never talk to anything but this machine. */
export function assertLoopback(endpoint: string): void {
  const { hostname } = new URL(endpoint);
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname)) {
    throw new Error(`refusing non-loopback emulator endpoint ${endpoint}`);
  }
}
