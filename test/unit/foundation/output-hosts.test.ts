import { describe, expect, it } from 'vitest';
import type { CommandResult, MessageLevel } from '../../../src/io/io-host.js';
import type { HostSettings } from '../../../src/io/hosts/base-io-host.js';
import { JsonIoHost } from '../../../src/io/hosts/json-io-host.js';
import { RefusingPrompter } from '../../../src/io/hosts/refusing-prompter.js';
import { NonInteractiveIoHost, TtyIoHost } from '../../../src/io/hosts/text-io-host.js';
import { createTextFormat } from '../../../src/io/text-format.js';
import { ANSI_ESCAPE, captureStream } from './streams.js';

const QUIET: HostSettings = { verbose: false, debug: false, yes: false };
const PLAIN = { stdout: createTextFormat(false), stderr: createTextFormat(false) };

function makeHost<T>(
  Host: new (...args: ConstructorParameters<typeof NonInteractiveIoHost>) => T,
  settings: Partial<HostSettings> = {},
) {
  const stdout = captureStream();
  const stderr = captureStream();
  const host = new Host({ ...QUIET, ...settings }, new RefusingPrompter('test'), { stdout, stderr }, PLAIN);
  return { host, stdout, stderr };
}

const RESULT: CommandResult<{ users: number }> = {
  data: { users: 3 },
  renderText: (f) => f.table(['users'], [[3]]),
};

function sendEveryLevel(host: NonInteractiveIoHost): void {
  const levels: MessageLevel[] = ['error', 'warn', 'info', 'verbose', 'debug'];
  for (const level of levels) host.notify({ level, code: `TEST_${level}`, message: `msg-${level}` });
}

describe('JsonIoHost', () => {
  it('Given messages, progress and a result, When the run ends, Then stdout holds exactly one JSON document: the result', () => {
    const { host, stdout, stderr } = makeHost(JsonIoHost, { verbose: true });
    sendEveryLevel(host);
    const progress = host.startProgress('P', 'reading');
    progress.succeed('read');
    host.result(RESULT);
    expect(JSON.parse(stdout.text())).toEqual({ users: 3 });
    expect(host.hasWrittenDocument).toBe(true);
    expect(stderr.text()).toContain('msg-warn');
    expect(stdout.text()).not.toContain('msg-');
  });

  it('Given a document was written, When a second one is attempted, Then stdout still holds only the first', () => {
    const { host, stdout, stderr } = makeHost(JsonIoHost);
    host.result(RESULT);
    host.writeDocument({ error: { code: 'X' } });
    expect(JSON.parse(stdout.text())).toEqual({ users: 3 });
    expect(stderr.text()).not.toBe('');
  });

  it('Given nothing was written, When asked, Then the host reports no document yet', () => {
    const { host, stdout } = makeHost(JsonIoHost);
    expect(host.hasWrittenDocument).toBe(false);
    expect(stdout.text()).toBe('');
  });
});

describe('NonInteractiveIoHost', () => {
  it('Given a result and messages, When reported, Then the result is on stdout and the messages on stderr', () => {
    const { host, stdout, stderr } = makeHost(NonInteractiveIoHost);
    host.notify({ level: 'warn', code: 'TEST_WARN', message: 'careful' });
    host.result({ data: {}, renderText: () => 'the result' });
    expect(stdout.text()).toBe('the result\n');
    expect(stderr.text()).toContain('careful');
    expect(stderr.text()).not.toContain('the result');
  });

  it.each([
    [{}, ['error', 'warn', 'info']],
    [{ verbose: true }, ['error', 'warn', 'info', 'verbose']],
    [{ debug: true }, ['error', 'warn', 'info', 'verbose', 'debug']],
  ])('Given settings %j, When every level is sent, Then stderr shows only %j', (settings, expected) => {
    const { host, stdout, stderr } = makeHost(NonInteractiveIoHost, settings);
    sendEveryLevel(host);
    const shown = ['error', 'warn', 'info', 'verbose', 'debug'].filter((level) => stderr.text().includes(`msg-${level}`));
    expect(shown).toEqual(expected);
    expect(stdout.text()).toBe('');
  });

  it('Given a progress step, When it succeeds or fails, Then one line per outcome goes to stderr and none to stdout', () => {
    const { host, stdout, stderr } = makeHost(NonInteractiveIoHost);
    const first = host.startProgress('P1', 'step one');
    first.update('step one, page 2');
    first.succeed();
    host.startProgress('P2', 'step two').fail('step two failed');
    host.startProgress('P3', 'step three').stop();
    const lines = stderr.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('step one, page 2');
    expect(lines[1]).toContain('step two failed');
    expect(stdout.text()).toBe('');
  });

  it('Given plain formats, When an error and a warning are shown, Then no ANSI escape is written', () => {
    const { host, stderr } = makeHost(NonInteractiveIoHost, { debug: true });
    sendEveryLevel(host);
    expect(stderr.text()).not.toMatch(ANSI_ESCAPE);
  });
});

describe('TtyIoHost', () => {
  it('Given a running spinner, When messages and a result are reported, Then stdout only gets the result', () => {
    const { host, stdout, stderr } = makeHost(TtyIoHost, { verbose: true });
    const progress = host.startProgress('P', 'reading IAM');
    host.notify({ level: 'warn', code: 'TEST_WARN', message: 'careful' });
    progress.update('reading IAM, page 2');
    progress.succeed('read IAM');
    host.result({ data: {}, renderText: () => 'the result' });
    expect(stdout.text()).toBe('the result\n');
    expect(stderr.text()).toContain('careful');
  });

  it('Given a spinner that failed or stopped, When a message follows, Then it still reaches stderr', () => {
    const { host, stderr } = makeHost(TtyIoHost);
    host.startProgress('P1', 'one').fail('one failed');
    host.startProgress('P2', 'two').stop();
    host.notify({ level: 'info', code: 'TEST_INFO', message: 'after' });
    expect(stderr.text()).toContain('after');
  });
});

describe('createTextFormat', () => {
  it('Given colour off, When every helper is used, Then each returns its text unchanged and no ANSI escape appears', () => {
    const f = createTextFormat(false);
    expect(f.color).toBe(false);
    for (const paint of [f.bold, f.dim, f.red, f.yellow, f.green, f.cyan]) expect(paint('abc')).toBe('abc');
    const table = f.table(['name', 'count'], [['alice', 1], ['bob', 22]]);
    expect(table).not.toMatch(ANSI_ESCAPE);
    expect(table).toContain('alice');
    expect(table).toContain('22');
  });

  it('Given colour on, When a helper is used, Then the text is wrapped in ANSI escapes', () => {
    const f = createTextFormat(true);
    expect(f.color).toBe(true);
    expect(f.red('abc')).toMatch(ANSI_ESCAPE);
    expect(f.table(['name'], [['alice']])).toMatch(ANSI_ESCAPE);
  });
});

describe('TtyIoHost progress on a terminal that reports no width', () => {
  it('Given a terminal of 0 columns (a pty made by script), When a long step runs, Then progress is plain lines, not a spinner that clears without end', () => {
    const stdout = captureStream(true);
    const stderr = Object.assign(captureStream(true), { columns: 0 });
    const host = new TtyIoHost(QUIET, new RefusingPrompter('test'), { stdout, stderr }, PLAIN);
    const progress = host.startProgress('P', 'applying');
    for (let i = 0; i < 50; i += 1) progress.update(`applying ${i}`);
    progress.succeed('applied');
    expect(stderr.text()).toBe('✔ applied\n');
  });
});
