import type { CommandResult } from '../io-host.js';
import { NonInteractiveIoHost } from './text-io-host.js';

/**
 * `-o json`: exactly one JSON document, the command's result, on stdout. Messages still go to
 * stderr as text, so a pipeline sees warnings without corrupting the document.
 */
export class JsonIoHost extends NonInteractiveIoHost {
  private written = false;

  override result<T>(result: CommandResult<T>): void {
    this.writeDocument(result.data);
  }

  override show(): void {
    // The result document carries the plan; stdout must stay one JSON document.
  }

  override stream<T>(record: CommandResult<T>): void {
    // The final document carries every record; people watching still see them as they come.
    this.streams.stderr.write(`${record.renderText(this.formats.stderr)}\n`);
  }

  /** Writes the one document; a second call is a programming error and is ignored loudly on stderr. */
  writeDocument(data: unknown): void {
    if (this.written) {
      this.streams.stderr.write('internal: a second JSON result was suppressed\n');
      return;
    }
    this.written = true;
    this.streams.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  }

  get hasWrittenDocument(): boolean {
    return this.written;
  }
}
