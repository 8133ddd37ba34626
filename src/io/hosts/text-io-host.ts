import ora from 'ora';
import type { CommandResult, IoMessage, ProgressHandle, TextFormat } from '../io-host.js';
import type { Prompter } from '../prompter.js';
import { BaseIoHost, type HostSettings } from './base-io-host.js';

export interface TextStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Plain text for pipelines and logs: messages on stderr, the rendered result on stdout,
 * progress as one line when a step ends.
 */
export class NonInteractiveIoHost extends BaseIoHost {
  constructor(
    settings: HostSettings,
    prompter: Prompter,
    protected readonly streams: TextStreams,
    protected readonly formats: { stdout: TextFormat; stderr: TextFormat },
  ) {
    super(settings, prompter);
  }

  startProgress(_code: string, text: string): ProgressHandle {
    let current = text;
    const line = (mark: string, final?: string) => this.streams.stderr.write(`${mark} ${final ?? current}\n`);
    return {
      update: (next) => {
        current = next;
      },
      succeed: (final) => line('✔', final),
      fail: (final) => line('✖', final),
      stop: () => undefined,
    };
  }

  result<T>(result: CommandResult<T>): void {
    this.streams.stdout.write(`${result.renderText(this.formats.stdout)}\n`);
  }

  show<T>(block: CommandResult<T>): void {
    this.streams.stderr.write(`${block.renderText(this.formats.stderr)}\n`);
  }

  stream<T>(record: CommandResult<T>): void {
    this.streams.stdout.write(`${record.renderText(this.formats.stdout)}\n`);
  }

  protected writeMessage(message: IoMessage): void {
    this.streams.stderr.write(`${this.prefix(message)}${message.message}\n`);
  }

  private prefix(message: IoMessage): string {
    const format = this.formats.stderr;
    switch (message.level) {
      case 'error':
        return format.red('✖ ');
      case 'warn':
        return format.yellow('⚠ ');
      case 'debug':
        return format.dim('[debug] ');
      case 'verbose':
        return format.dim('· ');
      case 'info':
        return '';
    }
  }
}

/** A person at a terminal: colour, tables, and a spinner on stderr while AWS is being read. */
export class TtyIoHost extends NonInteractiveIoHost {
  private spinner: ReturnType<typeof ora> | undefined;

  override startProgress(code: string, text: string): ProgressHandle {
    // A terminal that reports no width (a pty made by `script`, some CI consoles) would make the spinner
    // clear "every line" without end: plain lines instead.
    if (!((this.streams.stderr as NodeJS.WriteStream).columns > 0)) return super.startProgress(code, text);
    const spinner = ora({ text, stream: this.streams.stderr as NodeJS.WriteStream, color: 'cyan' }).start();
    this.spinner = spinner;
    const done = () => {
      if (this.spinner === spinner) this.spinner = undefined;
    };
    return {
      update: (next) => {
        spinner.text = next;
      },
      succeed: (final) => {
        spinner.succeed(final);
        done();
      },
      fail: (final) => {
        spinner.fail(final);
        done();
      },
      stop: () => {
        spinner.stop();
        done();
      },
    };
  }

  protected override writeMessage(message: IoMessage): void {
    // Keep a running spinner on its own line: clear it, print, and let it redraw.
    const spinner = this.spinner;
    spinner?.clear();
    super.writeMessage(message);
    spinner?.render();
  }
}
