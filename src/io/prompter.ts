import type { ConfirmRequest, InputRequest, SelectRequest, TypedConfirmRequest } from './io-host.js';

/** How a host asks a question. Hosts that cannot ask use `RefusingPrompter`. */
export interface Prompter {
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** Returns what the operator typed. */
  typed(request: TypedConfirmRequest): Promise<string>;
  select<T>(request: SelectRequest<T>): Promise<T>;
  input(request: InputRequest): Promise<string>;
}
