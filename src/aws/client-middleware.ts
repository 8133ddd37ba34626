import type { ApiCallCounter } from './api-call-counter.js';

/** The part of an SDK client this module needs: its middleware stack. */
interface MiddlewareClient {
  middlewareStack: {
    add: (middleware: never, options: { step: 'initialize'; name: string; override?: boolean }) => void;
  };
}

export type DebugSink = (line: string) => void;

// Pagination tokens (NextToken, Marker) are not secrets and help when reading a --debug log.
const SECRET_KEY = /secret|password|(session|access|refresh|id|security)_?token|^token$|private|credential|^content$/i;

/** Replaces every value whose key looks secret, at any depth, so a request log never leaks one. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? '<redacted>' : redactSecrets(inner)]),
    );
  }
  return value;
}

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
