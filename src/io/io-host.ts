/**
 * The one channel between the tool's core and the person or pipeline running it.
 * Services report and ask through this interface only; the concrete hosts in `hosts/`
 * decide how (colour and spinners on a terminal, plain text, one JSON document, or a test recorder).
 */

export type MessageLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug';

export interface IoMessage {
  level: MessageLevel;
  /** Stable code that tests and tooling match on, e.g. `AUDIT_CREDENTIAL_REPORT_DENIED`. */
  code: string;
  message: string;
  data?: unknown;
}

/** A long-running step; on a terminal it is a spinner, elsewhere a log line when it ends. */
export interface ProgressHandle {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface ConfirmRequest {
  code: string;
  message: string;
  /** Answer when `--yes` is given. Destructive confirmations use `TypedConfirmRequest` instead. */
  defaultValue?: boolean;
}

/** A destructive confirmation: the operator types `expected` (the account ID). */
export interface TypedConfirmRequest {
  code: string;
  message: string;
  expected: string;
}

export interface SelectRequest<T> {
  code: string;
  message: string;
  choices: { name: string; value: T; description?: string }[];
  /**
   * The answer when nobody can be asked (no terminal, `--no-input`, `CI`) or with `--yes`. Without
   * one, such a run refuses: only choices with a safe default may have one.
   */
  defaultValue?: T;
}

export interface InputRequest {
  code: string;
  message: string;
  defaultValue?: string;
  validate?: (value: string) => true | string;
}

/** A command's result: the data for `-o json`, and how to show it as text. */
export interface CommandResult<T = unknown> {
  data: T;
  renderText: (format: TextFormat) => string;
}

/** What a text renderer may use; the host decides whether colour is on. */
export interface TextFormat {
  color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  table(head: string[], rows: (string | number)[][]): string;
}

export interface IoHost {
  notify(message: IoMessage): void;
  startProgress(code: string, text: string): ProgressHandle;
  confirm(request: ConfirmRequest): Promise<boolean>;
  confirmTyped(request: TypedConfirmRequest): Promise<boolean>;
  select<T>(request: SelectRequest<T>): Promise<T>;
  input(request: InputRequest): Promise<string>;
  result<T>(result: CommandResult<T>): void;
  /**
   * Shows a block that the operator reads before answering (a plan preview). Text hosts write it to
   * stderr; the JSON host leaves it out, since its one document carries the same data.
   */
  show<T>(block: CommandResult<T>): void;
  /**
   * One record of a result that arrives over time (a new denial in `watch-denied --follow`). Text hosts
   * write its line to stdout; the JSON host keeps stdout for its one document and writes it to stderr.
   */
  stream<T>(record: CommandResult<T>): void;
}

/** Shorthands for services, so that call sites stay one line. */
export const say = {
  info: (io: IoHost, code: string, message: string, data?: unknown) => io.notify({ level: 'info', code, message, data }),
  warn: (io: IoHost, code: string, message: string, data?: unknown) => io.notify({ level: 'warn', code, message, data }),
  verbose: (io: IoHost, code: string, message: string, data?: unknown) =>
    io.notify({ level: 'verbose', code, message, data }),
};
