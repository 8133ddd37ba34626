import { describe, expect, it } from 'vitest';
import { SafetyRefusal } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import type { IoHost, MessageLevel } from '../../../src/io/io-host.js';
import { createIoHost, whyNoPrompt, type IoHostOptions, type ProcessStreams } from '../../../src/io/hosts/create-io-host.js';
import { JsonIoHost } from '../../../src/io/hosts/json-io-host.js';
import { RefusingPrompter } from '../../../src/io/hosts/refusing-prompter.js';
import { TestIoHost } from '../support/test-io-host.js';
import { NonInteractiveIoHost, TtyIoHost } from '../../../src/io/hosts/text-io-host.js';
import { ANSI_ESCAPE, captureStream, openInput } from './streams.js';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const PROMPT_TIMEOUT_MS = 2_000;

const OPTIONS: IoHostOptions = { output: 'table', color: true, input: true, verbose: false, debug: false, yes: false };

function streams(tty: { stdin?: boolean; stdout?: boolean; stderr?: boolean }, env: Record<string, string> = {}) {
  return {
    stdin: openInput(tty.stdin),
    stdout: captureStream(tty.stdout),
    stderr: captureStream(tty.stderr),
    env,
  } satisfies ProcessStreams;
}

describe('whyNoPrompt', () => {
  it('Given stdin and stderr are terminals and nothing forbids input, When asked, Then a prompt can be shown', () => {
    expect(whyNoPrompt({ input: true }, streams({ stdin: true, stderr: true }))).toBeNull();
  });

  it.each([
    ['--no-input', { input: false }, streams({ stdin: true, stderr: true })],
    ['CI set', { input: true }, streams({ stdin: true, stderr: true }, { CI: 'true' })],
    ['stdin a pipe', { input: true }, streams({ stdin: false, stderr: true })],
    ['stderr a pipe', { input: true }, streams({ stdin: true, stderr: false })],
  ])('Given %s, When asked, Then no prompt can be shown and a reason is given', (_case, options, given) => {
    const reason = whyNoPrompt(options, given);
    expect(typeof reason).toBe('string');
    expect(reason).not.toBe('');
  });
});

describe('createIoHost', () => {
  it('Given -o json, When the host is made, Then it is the JSON host even on a terminal', () => {
    const host = createIoHost({ ...OPTIONS, output: 'json' }, streams({ stdin: true, stdout: true, stderr: true }));
    expect(host).toBeInstanceOf(JsonIoHost);
  });

  it('Given stderr is a terminal, When the host is made, Then it is the terminal host', () => {
    const host = createIoHost(OPTIONS, streams({ stdin: true, stdout: true, stderr: true }));
    expect(host).toBeInstanceOf(TtyIoHost);
  });

  it('Given stderr is a pipe, When the host is made, Then it is the plain-text host', () => {
    const host = createIoHost(OPTIONS, streams({}));
    expect(host).toBeInstanceOf(NonInteractiveIoHost);
    expect(host).not.toBeInstanceOf(TtyIoHost);
    expect(host).not.toBeInstanceOf(JsonIoHost);
  });

  it(
    'Given stdin is a pipe that stays open and no --yes, When a confirmation is needed, Then it is refused at once with exit 3',
    async () => {
      const host = createIoHost(OPTIONS, streams({ stdin: false, stderr: true }));
      const answer = host.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' });
      await expect(answer).rejects.toBeInstanceOf(SafetyRefusal);
      await expect(answer).rejects.toMatchObject({ code: 'NO_INTERACTIVE_INPUT', exitCode: ExitCode.SafetyRefusal });
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given terminals but CI set, When a typed confirmation is needed, Then it is refused instead of prompting',
    async () => {
      const host = createIoHost(OPTIONS, streams({ stdin: true, stderr: true }, { CI: '1' }));
      await expect(host.confirmTyped({ code: 'TEST_TYPED', message: 'Type it', expected: ACCOUNT })).rejects.toMatchObject({
        code: 'NO_INTERACTIVE_INPUT',
        exitCode: ExitCode.SafetyRefusal,
      });
    },
    PROMPT_TIMEOUT_MS,
  );

  it(
    'Given terminals, When the prompt input ends without an answer, Then the confirmation is refused (the real prompter is used)',
    async () => {
      const given = streams({ stdin: true, stderr: true });
      const host = createIoHost(OPTIONS, given);
      const answer = host.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' });
      given.stdin.end();
      await expect(answer).rejects.toMatchObject({ code: 'NOT_CONFIRMED', exitCode: ExitCode.SafetyRefusal });
      expect(given.stdout.text()).toBe('');
    },
    PROMPT_TIMEOUT_MS,
  );

  it('Given colour wanted on terminals, When a warning is shown, Then stderr carries colour', () => {
    const given = streams({ stdin: true, stdout: true, stderr: true });
    createIoHost(OPTIONS, given).notify({ level: 'warn', code: 'TEST_WARN', message: 'careful' });
    expect(given.stderr.text()).toMatch(ANSI_ESCAPE);
  });

  it.each([
    ['NO_COLOR', OPTIONS, { NO_COLOR: '1' }],
    ['--no-color', { ...OPTIONS, color: false }, {}],
  ])('Given %s on terminals, When a warning and a result are shown, Then no ANSI escape is written', (_case, options, env) => {
    const given = streams({ stdin: true, stdout: true, stderr: true }, env);
    const host = createIoHost(options, given);
    host.notify({ level: 'warn', code: 'TEST_WARN', message: 'careful' });
    host.result({ data: {}, renderText: (f) => `${f.red('bad')} ${f.table(['a'], [['b']])}` });
    expect(given.stderr.text()).not.toMatch(ANSI_ESCAPE);
    expect(given.stdout.text()).not.toMatch(ANSI_ESCAPE);
  });

  it('Given stdout is a pipe, When a result is rendered, Then it has no colour even when stderr is a terminal', () => {
    const given = streams({ stdin: true, stdout: false, stderr: true });
    createIoHost(OPTIONS, given).result({ data: {}, renderText: (f) => f.green('ok') });
    expect(given.stdout.text()).toBe('ok\n');
  });
});

describe('BaseIoHost confirmations', () => {
  it('Given --yes, When a yes/no confirmation is asked, Then it is answered yes without prompting', async () => {
    const host = new TestIoHost({ settings: { yes: true } });
    await expect(host.confirm({ code: 'TEST_CONFIRM', message: 'Go on?' })).resolves.toBe(true);
    await expect(host.confirm({ code: 'TEST_CONFIRM', message: 'Go on?', defaultValue: false })).resolves.toBe(true);
  });

  it('Given --yes and --confirm-account equal to the account, When a typed confirmation is asked, Then it is confirmed', async () => {
    const host = new TestIoHost({ settings: { yes: true, confirmAccount: ACCOUNT } });
    await expect(host.confirmTyped({ code: 'TEST_TYPED', message: 'Type it', expected: ACCOUNT })).resolves.toBe(true);
  });

  it.each([
    ['without --confirm-account', undefined],
    ['with another --confirm-account', OTHER_ACCOUNT],
  ])('Given --yes %s, When a typed confirmation is asked, Then it is a safety refusal', async (_case, confirmAccount) => {
    const host = new TestIoHost({
      settings: { yes: true, confirmAccount },
      answers: [{ code: 'TEST_TYPED', answer: ACCOUNT }],
    });
    const answer = host.confirmTyped({ code: 'TEST_TYPED', message: 'Type it', expected: ACCOUNT });
    await expect(answer).rejects.toBeInstanceOf(SafetyRefusal);
    await expect(answer).rejects.toMatchObject({ code: 'CONFIRM_ACCOUNT_MISMATCH', exitCode: ExitCode.SafetyRefusal });
  });

  it.each([
    [ACCOUNT, true],
    [`  ${ACCOUNT}  `, true],
    [OTHER_ACCOUNT, false],
    [ACCOUNT.slice(0, 11), false],
    [`${ACCOUNT}1`, false],
    ['', false],
    ['yes', false],
  ])('Given no --yes and the operator types %j, When a typed confirmation is asked, Then it returns %s', async (typed, expected) => {
    const host = new TestIoHost({ answers: [{ code: 'TEST_TYPED', answer: typed }] });
    await expect(host.confirmTyped({ code: 'TEST_TYPED', message: 'Type it', expected: ACCOUNT })).resolves.toBe(expected);
  });
});

describe('BaseIoHost message levels', () => {
  const levels: MessageLevel[] = ['error', 'warn', 'info', 'verbose', 'debug'];
  const shown = (host: TestIoHost) => {
    for (const level of levels) host.notify({ level, code: `TEST_${level.toUpperCase()}`, message: level });
    return host.messages.map((m) => m.level);
  };

  it('Given neither --verbose nor --debug, When every level is sent, Then verbose and debug are dropped', () => {
    expect(shown(new TestIoHost({ settings: { verbose: false, debug: false } }))).toEqual(['error', 'warn', 'info']);
  });

  it('Given --verbose, When every level is sent, Then only debug is dropped', () => {
    expect(shown(new TestIoHost({ settings: { verbose: true, debug: false } }))).toEqual(['error', 'warn', 'info', 'verbose']);
  });

  it('Given --debug, When every level is sent, Then everything is shown', () => {
    expect(shown(new TestIoHost({ settings: { verbose: false, debug: true } }))).toEqual(levels);
  });
});

describe('RefusingPrompter', () => {
  const prompter = new RefusingPrompter('stdin is not a terminal');
  const questions: [string, () => Promise<unknown>][] = [
    ['confirm', () => prompter.confirm({ code: 'Q', message: 'm' })],
    ['typed', () => prompter.typed({ code: 'Q', message: 'm' })],
    ['select', () => prompter.select({ code: 'Q', message: 'm' })],
    ['input', () => prompter.input({ code: 'Q', message: 'm' })],
  ];

  it.each(questions)(
    'Given nobody can answer, When %s is asked, Then it is refused with exit 3 and never hangs',
    async (_kind, ask) => {
      const answer = ask();
      await expect(answer).rejects.toBeInstanceOf(SafetyRefusal);
      await expect(answer).rejects.toMatchObject({ code: 'NO_INTERACTIVE_INPUT', exitCode: ExitCode.SafetyRefusal });
    },
    PROMPT_TIMEOUT_MS,
  );

  it('Given a plain-text host on a pipe, When select and input are asked, Then both are refused', async () => {
    const host: IoHost = createIoHost(OPTIONS, streams({}));
    await expect(host.select({ code: 'Q', message: 'm', choices: [{ name: 'a', value: 1 }] })).rejects.toBeInstanceOf(SafetyRefusal);
    await expect(host.input({ code: 'Q', message: 'm' })).rejects.toBeInstanceOf(SafetyRefusal);
  });
});

describe('TestIoHost', () => {
  it('Given answers scripted by code, When questions come in another order, Then each gets the answer for its code', async () => {
    const host = new TestIoHost({
      answers: [
        { code: 'PICK', answer: 'b' },
        { code: 'GO', answer: false },
        { code: 'NAME', answer: 'alice' },
      ],
    });
    await expect(host.confirm({ code: 'GO', message: 'm' })).resolves.toBe(false);
    await expect(host.input({ code: 'NAME', message: 'm' })).resolves.toBe('alice');
    await expect(
      host.select({ code: 'PICK', message: 'm', choices: [{ name: 'a', value: 'a' }, { name: 'b', value: 'b' }] }),
    ).resolves.toBe('b');
  });

  it('Given two answers for one code, When it is asked twice, Then they are used in order and a third ask is refused', async () => {
    const host = new TestIoHost({ answers: [{ code: 'GO', answer: true }, { code: 'GO', answer: false }] });
    await expect(host.confirm({ code: 'GO', message: 'm' })).resolves.toBe(true);
    await expect(host.confirm({ code: 'GO', message: 'm' })).resolves.toBe(false);
    await expect(host.confirm({ code: 'GO', message: 'm' })).rejects.toBeInstanceOf(SafetyRefusal);
  });

  it('Given messages, progress and a result, When they are reported, Then the host records codes, outcomes and data', () => {
    const host = new TestIoHost();
    host.notify({ level: 'warn', code: 'W1', message: 'w' });
    host.notify({ level: 'info', code: 'I1', message: 'i' });
    const progress = host.startProgress('P1', 'reading');
    progress.update('still reading');
    progress.succeed();
    host.result({ data: { ok: 1 }, renderText: (f) => f.table(['x'], [[1]]) });
    expect(host.codes()).toEqual(['W1', 'I1']);
    expect(host.codes('warn')).toEqual(['W1']);
    expect(host.progress).toEqual([{ code: 'P1', text: 'still reading', outcome: 'succeed' }]);
    expect(host.results).toEqual([{ ok: 1 }]);
  });

  it('Given a renderer that throws, When the result is reported, Then the error surfaces', () => {
    const host = new TestIoHost();
    const renderText = () => {
      throw new TypeError('broken renderer');
    };
    expect(() => host.result({ data: {}, renderText })).toThrow(TypeError);
  });
});
