import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AwsContext } from '../../../src/aws/aws-context.js';
import type { CommandContext } from '../../../src/command-context.js';
import type { GlobalOptions } from '../../../src/global-options.js';
import type { TestIoHost } from './test-io-host.js';
import { InterruptController } from '../../../src/plan/interrupt-controller.js';
import type { Workspace } from '../../../src/workspace/workspace.js';

/**
 * The context a command handler gets, for unit tests: a real AwsContext (whose clients the
 * aws-sdk-client-mock stubs of `mockAws()` answer), the test's workspace and IoHost, no prompts.
 */
export function testCommandContext(options: { workspace: Workspace; io: TestIoHost; now: () => Date; global?: Partial<GlobalOptions> }): CommandContext {
  const aws = new AwsContext({
    config: { profile: undefined, region: 'us-east-1', regionSource: 'fallback', ssoProfile: false },
    credentials: async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }),
  });
  return {
    options: { workspace: options.workspace.dir, output: 'table', dryRun: false, yes: false, input: false, color: false, verbose: false, debug: false, ...options.global },
    io: options.io,
    aws,
    workspace: options.workspace,
    now: options.now,
    interrupts: new InterruptController(),
    process: { pid: process.pid, hostname: 'test-host', isProcessAlive: () => false },
    noPromptReason: 'unit test',
    env: {},
  };
}

/** Every file under `root` with its content, by relative path: a dry-run must leave it equal. */
export async function directoryContents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(root, full)] = await readFile(full, 'utf8');
  }
  return out;
}
