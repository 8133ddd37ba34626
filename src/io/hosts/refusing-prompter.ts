import { SafetyRefusal } from '../../errors.js';
import type { Prompter } from '../prompter.js';

/**
 * Used whenever nobody can answer (no TTY, `--no-input`, `CI`). A question that needs an answer
 * is a refusal, never a hang and never an implicit yes.
 */
export class RefusingPrompter implements Prompter {
  constructor(private readonly why: string) {}

  confirm(request: { code: string; message: string }): Promise<boolean> {
    return Promise.reject(this.refusal(request.code, request.message));
  }
  typed(request: { code: string; message: string }): Promise<string> {
    return Promise.reject(this.refusal(request.code, request.message));
  }
  select<T>(request: { code: string; message: string; defaultValue?: T }): Promise<T> {
    // A choice with a safe default needs nobody: take it, as the flags' documentation says.
    if (request.defaultValue !== undefined) return Promise.resolve(request.defaultValue);
    return Promise.reject(this.refusal(request.code, request.message));
  }
  input(request: { code: string; message: string }): Promise<string> {
    return Promise.reject(this.refusal(request.code, request.message));
  }

  private refusal(code: string, question: string): SafetyRefusal {
    return new SafetyRefusal(
      'NO_INTERACTIVE_INPUT',
      `An answer is needed (${code}: ${question}) but no prompt can be shown: ${this.why}.`,
      'Run it in a terminal, or answer with flags: --yes, plus --confirm-account <account-id> for destructive commands.',
    );
  }
}
