import type { ApiCallCounter } from './api-call-counter.js';
import { redactSecrets } from '../redact-secrets.js';

/** The part of an SDK client this module needs: its middleware stack. */
interface MiddlewareClient {
  middlewareStack: {
    add: (middleware: never, options: { step: 'initialize'; name: string; override?: boolean }) => void;
  };
}

export type DebugSink = (line: string) => void;

/**
 * Adds the tool's middleware to one client: every call is counted, and with `--debug` each
 * request (inputs redacted) and its outcome are logged.
 */
export function instrumentClient(
  client: MiddlewareClient,
  service: string,
  counter: ApiCallCounter,
  debug: DebugSink | undefined,
): void {
  const middleware = (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: { input: unknown }) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counter.record(service, operation);
      debug?.(`${service}.${operation} ${JSON.stringify(redactSecrets(args.input))}`);
      const started = Date.now();
      try {
        const output = await next(args);
        debug?.(`${service}.${operation} ok in ${Date.now() - started} ms`);
        return output;
      } catch (error) {
        debug?.(`${service}.${operation} failed in ${Date.now() - started} ms: ${(error as Error).name}`);
        throw error;
      }
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'iam2idcInstrumentation', override: true });
}
