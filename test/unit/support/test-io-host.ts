import type { ConfirmRequest, InputRequest, IoMessage, ProgressHandle, SelectRequest, TypedConfirmRequest } from '../../../src/io/io-host.js';
import type { Prompter } from '../../../src/io/prompter.js';
import { createTextFormat } from '../../../src/io/text-format.js';
import { BaseIoHost, type HostSettings } from '../../../src/io/hosts/base-io-host.js';
import { RefusingPrompter } from '../../../src/io/hosts/refusing-prompter.js';

/** One scripted answer, matched to the question by its code. */
export interface ScriptedAnswer {
  code: string;
  answer: boolean | string | unknown;
}

/** Answers questions from a script, in order; a question nobody scripted is refused like on a pipe. */
class ScriptedPrompter implements Prompter {
  private readonly refusing = new RefusingPrompter('no scripted answer');

  constructor(private readonly answers: ScriptedAnswer[]) {}

  confirm(request: ConfirmRequest): Promise<boolean> {
    return this.next(request.code, () => this.refusing.confirm(request)) as Promise<boolean>;
  }
  typed(request: TypedConfirmRequest): Promise<string> {
    return this.next(request.code, () => this.refusing.typed(request)) as Promise<string>;
  }
  select<T>(request: SelectRequest<T>): Promise<T> {
    return this.next(request.code, () => this.refusing.select(request)) as Promise<T>;
  }
  input(request: InputRequest): Promise<string> {
    return this.next(request.code, () => this.refusing.input(request)) as Promise<string>;
  }

  private next(code: string, otherwise: () => Promise<unknown>): Promise<unknown> {
    const index = this.answers.findIndex((a) => a.code === code);
    if (index < 0) return otherwise();
    const [answer] = this.answers.splice(index, 1);
    return Promise.resolve(answer?.answer);
  }
}

/** Records everything a service says, for tests to assert on codes and data rather than wording. */
export class TestIoHost extends BaseIoHost {
  readonly messages: IoMessage[] = [];
  readonly results: unknown[] = [];
  readonly shown: unknown[] = [];
  readonly streamed: unknown[] = [];
  readonly progress: { code: string; text: string; outcome?: 'succeed' | 'fail' | 'stop' }[] = [];

  constructor(options: { answers?: ScriptedAnswer[]; settings?: Partial<HostSettings> } = {}) {
    super(
      { verbose: true, debug: true, yes: false, ...options.settings },
      new ScriptedPrompter([...(options.answers ?? [])]),
    );
  }

  codes(level?: IoMessage['level']): string[] {
    return this.messages.filter((m) => !level || m.level === level).map((m) => m.code);
  }

  startProgress(code: string, text: string): ProgressHandle {
    const entry: (typeof this.progress)[number] = { code, text };
    this.progress.push(entry);
    return {
      update: (next) => {
        entry.text = next;
      },
      succeed: () => {
        entry.outcome = 'succeed';
      },
      fail: () => {
        entry.outcome = 'fail';
      },
      stop: () => {
        entry.outcome = 'stop';
      },
    };
  }

  result<T>(result: { data: T; renderText: (f: ReturnType<typeof createTextFormat>) => string }): void {
    // Render too, so a renderer that throws fails the test.
    result.renderText(createTextFormat(false));
    this.results.push(result.data);
  }

  show<T>(block: { data: T; renderText: (f: ReturnType<typeof createTextFormat>) => string }): void {
    block.renderText(createTextFormat(false));
    this.shown.push(block.data);
  }

  stream<T>(record: { data: T; renderText: (f: ReturnType<typeof createTextFormat>) => string }): void {
    record.renderText(createTextFormat(false));
    this.streamed.push(record.data);
  }

  protected writeMessage(message: IoMessage): void {
    this.messages.push(message);
  }
}
