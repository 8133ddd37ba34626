import type { IoHost } from '../io-host.js';
import { createTextFormat } from '../text-format.js';
import type { HostSettings } from './base-io-host.js';
import { InquirerPrompter } from './inquirer-prompter.js';
import { JsonIoHost } from './json-io-host.js';
import { RefusingPrompter } from './refusing-prompter.js';
import { NonInteractiveIoHost, TtyIoHost } from './text-io-host.js';

export interface IoHostOptions extends HostSettings {
  output: 'table' | 'json';
  /** `--no-color` (commander turns it into `color: false`). */
  color: boolean;
  /** `--no-input`. */
  input: boolean;
}

export interface ProcessStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

/** Why no prompt can be shown, or null when one can (stdin and stderr are TTYs, no --no-input, no CI). */
export function whyNoPrompt(options: Pick<IoHostOptions, 'input'>, streams: ProcessStreams): string | null {
  if (!options.input) return '--no-input was given';
  if (streams.env.CI) return 'CI is set';
  if (!streams.stdin.isTTY) return 'stdin is not a terminal';
  if (!streams.stderr.isTTY) return 'stderr is not a terminal';
  return null;
}

/** Picks the host for this run from the flags and the terminal. */
export function createIoHost(options: IoHostOptions, streams: ProcessStreams): IoHost {
  const noPrompt = whyNoPrompt(options, streams);
  const prompter = noPrompt
    ? new RefusingPrompter(noPrompt)
    : new InquirerPrompter({ input: streams.stdin, output: streams.stderr });
  const colorWanted = options.color && !streams.env.NO_COLOR;
  const formats = {
    stdout: createTextFormat(colorWanted && Boolean(streams.stdout.isTTY) && options.output === 'table'),
    stderr: createTextFormat(colorWanted && Boolean(streams.stderr.isTTY)),
  };
  const textStreams = { stdout: streams.stdout, stderr: streams.stderr };
  if (options.output === 'json') return new JsonIoHost(options, prompter, textStreams, formats);
  if (streams.stderr.isTTY) return new TtyIoHost(options, prompter, textStreams, formats);
  return new NonInteractiveIoHost(options, prompter, textStreams, formats);
}
