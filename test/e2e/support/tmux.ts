import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** True when tmux can be run here; the terminal tests are skipped otherwise. */
export const hasTmux = await exec('tmux', ['-V']).then(
  () => true,
  () => false,
);

/** A command running in a detached tmux pane: a real terminal that a test types into and reads. */
export class TerminalSession {
  private constructor(readonly name: string) {}

  /**
   * Starts `command` in a new pane with exactly `env`, from a script file run with an empty
   * environment, so that nothing of the test's own shell or of the tmux server leaks in. The pane stays open after the command, for the screen to be read.
   */
  static async start(name: string, scratch: string, env: Record<string, string>, cwd: string, command: string): Promise<TerminalSession> {
    const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
    const exports = Object.entries(env).map(([key, value]) => `export ${key}=${quote(value)}`).join('\n');
    const script = join(scratch, `${name}.sh`);
    await writeFile(script, `${exports}\ncd ${quote(cwd)}\n${command}\necho "EXIT=$?"\nsleep 600\n`);
    // env -i: the tmux server keeps the environment of whoever started it (CI=true on a CI machine).
    await exec('tmux', ['new-session', '-d', '-s', name, '-x', '200', '-y', '80', `env -i /bin/bash --noprofile --norc ${quote(script)}`]);
    return new TerminalSession(name);
  }

  async screen(escapes = false): Promise<string> {
    const { stdout } = await exec('tmux', ['capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-S', '-300', '-t', this.name]);
    return stdout;
  }

  async waitFor(marker: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (marker.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${marker} on the terminal:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Waits until `marker` stands on the screen (scrollback included) at least `count` times: earlier prompts stay visible. */
  async waitForCount(marker: RegExp, count: number, timeoutMs = 90_000): Promise<string> {
    const global = new RegExp(marker.source, 'g');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if ((screen.match(global) ?? []).length >= count) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} × ${marker} on the terminal:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Types keys as a person would: text, or tmux key names such as Enter or C-c. */
  async send(...keys: string[]): Promise<void> {
    await exec('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  async kill(): Promise<void> {
    await exec('tmux', ['kill-session', '-t', this.name]).catch(() => undefined);
  }
}
