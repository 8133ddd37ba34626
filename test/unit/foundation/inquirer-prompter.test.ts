import { describe, expect, it } from 'vitest';
import { Interrupted, SafetyRefusal } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { InquirerPrompter } from '../../../src/io/hosts/inquirer-prompter.js';
import { TtyIoHost } from '../../../src/io/hosts/text-io-host.js';
import { createTextFormat } from '../../../src/io/text-format.js';
import { captureStream, openInput } from './streams.js';

const ACCOUNT = '111111111111';
const PROMPT_TIMEOUT_MS = 3_000;
const TYPED = { code: 'TEST_TYPED', message: 'Type the account ID', expected: ACCOUNT };

/** A terminal-like session: keys go in through `stdin`, the prompt is drawn on `stderr`. */
function terminal() {
  const stdin = openInput(true);
  const stdout = captureStream(true);
  const stderr = captureStream(true);
  const prompter = new InquirerPrompter({ input: stdin, output: stderr });
  const host = new TtyIoHost({ verbose: false, debug: false, yes: false }, prompter, { stdout, stderr }, {
    stdout: createTextFormat(false),
    stderr: createTextFormat(false),
  });
  return { stdin, stdout, stderr, prompter, host };
}

/** Lets the prompt render and attach to the input before keys arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('InquirerPrompter at end of input', () => {
  it(
    'Given a confirm prompt, When the input ends without an answer, Then it is refused with exit 3 instead of hanging',
    async () => {
      const { stdin, prompter } = terminal();
      const answer = prompter.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' });
      stdin.end();
      await expect(answer).rejects.toBeInstanceOf(SafetyRefusal);
      await expect(answer).rejects.toMatchObject({ code: 'NOT_CONFIRMED', exitCode: ExitCode.SafetyRefusal });
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given a typed confirmation, When the input ends after the prompt is drawn, Then the host refuses with exit 3',
    async () => {
      const { stdin, host } = terminal();
      const answer = host.confirmTyped(TYPED);
      await settle();
      stdin.end();
      await expect(answer).rejects.toMatchObject({ name: 'SafetyRefusal', code: 'NOT_CONFIRMED' });
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given a partly typed answer, When the input ends before Enter, Then it is refused rather than taken as an answer',
    async () => {
      const { stdin, host } = terminal();
      const answer = host.confirmTyped(TYPED);
      await settle();
      stdin.end(ACCOUNT);
      await expect(answer).rejects.toBeInstanceOf(SafetyRefusal);
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given an input that has already ended, When another prompt is asked, Then it is refused at once',
    async () => {
      const { stdin, prompter } = terminal();
      const first = prompter.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' });
      stdin.end();
      await expect(first).rejects.toBeInstanceOf(SafetyRefusal);
      await expect(prompter.typed(TYPED)).rejects.toMatchObject({ code: 'NOT_CONFIRMED' });
      await expect(prompter.select({ code: 'TEST_SELECT', message: 'Pick', choices: [{ name: 'a', value: 'a' }] })).rejects.toBeInstanceOf(
        SafetyRefusal,
      );
    },
    PROMPT_TIMEOUT_MS,
  );
});

describe('InquirerPrompter answered through BaseIoHost', () => {
  it(
    'Given a typed confirmation, When the operator types the account ID, Then it is confirmed',
    async () => {
      const { stdin, host } = terminal();
      const answer = host.confirmTyped(TYPED);
      await settle();
      stdin.write(`${ACCOUNT}\r`);
      await expect(answer).resolves.toBe(true);
    },
    PROMPT_TIMEOUT_MS,
  );

  it.each([['222222222222'], [ACCOUNT.slice(0, 11)], ['y']])(
    'Given a typed confirmation, When the operator types %j, Then it is not confirmed',
    async (typed) => {
      const { stdin, host } = terminal();
      const answer = host.confirmTyped(TYPED);
      await settle();
      stdin.write(`${typed}\r`);
      await expect(answer).resolves.toBe(false);
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given a yes/no confirmation, When the operator answers y, Then it is confirmed and the prompt is drawn on stderr only',
    async () => {
      const { stdin, stdout, stderr, host } = terminal();
      const answer = host.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' });
      await settle();
      stdin.write('y\r');
      await expect(answer).resolves.toBe(true);
      expect(stderr.text()).toContain('Go on?');
      expect(stdout.text()).toBe('');
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given a yes/no confirmation, When the operator just presses Enter, Then the answer is no by default',
    async () => {
      const { stdin, host } = terminal();
      const answer = host.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' });
      await settle();
      stdin.write('\r');
      await expect(answer).resolves.toBe(false);
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given a prompt, When the operator presses Ctrl-C, Then the run is interrupted (exit 130)',
    async () => {
      const { stdin, host } = terminal();
      const answer = host.confirmTyped(TYPED);
      await settle();
      stdin.write('\u0003');
      await expect(answer).rejects.toBeInstanceOf(Interrupted);
      await expect(answer).rejects.toMatchObject({ exitCode: ExitCode.Interrupted });
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given several prompts in a row, When each is answered, Then no end-of-input listener is left behind',
    async () => {
      const { stdin, host } = terminal();
      const before = stdin.listenerCount('end');
      for (const typed of [ACCOUNT, 'nope']) {
        const answer = host.confirmTyped(TYPED);
        await settle();
        stdin.write(`${typed}\r`);
        await answer;
      }
      expect(stdin.listenerCount('end')).toBe(before);
    },
    PROMPT_TIMEOUT_MS,
  );
});
