import { confirm, input, select } from '@inquirer/prompts';
import { Interrupted, SafetyRefusal } from '../../errors.js';
import type { ConfirmRequest, InputRequest, SelectRequest, TypedConfirmRequest } from '../io-host.js';
import type { Prompter } from '../prompter.js';

/** Prompts on the terminal; questions go to stderr so stdout keeps only the result. */
export class InquirerPrompter implements Prompter {
  constructor(private readonly streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream }) {}

  confirm(request: ConfirmRequest): Promise<boolean> {
    return this.ask((signal) => confirm({ message: request.message, default: request.defaultValue ?? false }, this.context(signal)));
  }

  typed(request: TypedConfirmRequest): Promise<string> {
    return this.ask((signal) => input({ message: request.message }, this.context(signal)));
  }

  select<T>(request: SelectRequest<T>): Promise<T> {
    return this.ask((signal) =>
      // Every choice on one page when it fits: a menu whose last entry ("stop") scrolls out of view hides it.
      select<T>({ message: request.message, choices: request.choices, default: request.defaultValue, pageSize: Math.min(Math.max(request.choices.length, 7), 15) }, this.context(signal)),
    );
  }

  input(request: InputRequest): Promise<string> {
    return this.ask((signal) =>
      input({ message: request.message, default: request.defaultValue, validate: request.validate }, this.context(signal)),
    );
  }

  private context(signal?: AbortSignal) {
    return { input: this.streams.input, output: this.streams.output, clearPromptOnDone: false, signal };
  }

  private async ask<T>(prompt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // readline alone never settles a prompt when its input ends; abort it so EOF reads as "no".
    const eof = new AbortController();
    const onEnd = () => eof.abort();
    // A stream that has already ended never emits 'end' again: without this check the prompt would wait forever.
    if ((this.streams.input as { readableEnded?: boolean }).readableEnded) eof.abort();
    else this.streams.input.once('end', onEnd);
    try {
      return await prompt(eof.signal);
    } catch (error) {
      // Ctrl-C in a prompt: the run stops like any other interrupt.
      if (error instanceof Error && error.name === 'ExitPromptError') {
        throw new Interrupted('INTERRUPTED', 'Interrupted at a prompt.', 'Re-run the command when ready.', { cause: error });
      }
      // The input stream ended (EOF): nobody answered, which is a no.
      if (error instanceof Error && error.name === 'AbortPromptError') {
        throw new SafetyRefusal('NOT_CONFIRMED', 'The prompt was closed without an answer.', 'Re-run the command and answer the prompt.');
      }
      throw error;
    } finally {
      this.streams.input.removeListener('end', onEnd);
    }
  }
}
