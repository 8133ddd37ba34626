/**
 * A loopback HTTP proxy in front of moto that makes the faults moto cannot: throttling and 500s in
 * each protocol's real shape, a reset connection, and the worst one for a tool that changes things,
 * a call that AWS applied but whose answer never arrived (the SDK then retries a call that already
 * happened). Every request is logged, so a test can count the changes that really reached moto.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeRequest, errorCodeOf, faultAnswer, isMutatingOperation, type AwsRequestInfo, type WireProtocol } from './fault-wire.js';
import { assertLoopback } from './moto.js';

export type { AwsRequestInfo } from './fault-wire.js';
export { isMutatingOperation } from './fault-wire.js';

/**
 * throttle / error500: answered by the proxy, never forwarded. reset: the client's connection is
 * reset, nothing forwarded. drop-after-apply: forwarded, moto's whole answer read (so the call was
 * applied), then the client's connection destroyed without a byte of it. hold: kept, neither forwarded
 * nor answered, until the test calls `release()` (a call in flight for as long as a test needs, to
 * interrupt a run in the middle of a step); a held request whose client went away is never forwarded.
 */
export type FaultKind = 'throttle' | 'error500' | 'reset' | 'drop-after-apply' | 'hold';

export interface FaultRule {
  fault: FaultKind;
  /** The operations it applies to (`PutUserPolicy`); every operation when omitted. */
  operation?: string | readonly string[];
  /** The signing service it applies to (`iam`, `sts`, `sso`…); every service when omitted. */
  service?: string;
  /** A further condition on the request, e.g. on its `UserName`. */
  when?: (request: AwsRequestInfo) => boolean;
  /** Fires at most this many times (default: no limit). */
  times?: number;
  /**
   * Fires on a matching request with this probability (default 1). For a seed, the n-th request of an
   * operation matching a rule always draws the same number, whatever order concurrent calls arrive in.
   */
  probability?: number;
}

export interface ProxyLogEntry {
  seq: number;
  protocol: WireProtocol;
  service: string | null;
  operation: string | null;
  mutating: boolean;
  /** The Query parameters (IAM, STS): which user or key a call was about. */
  params: Readonly<Record<string, string>>;
  fault: FaultKind | null;
  /** moto received the request (and so applied it, if it could). */
  forwarded: boolean;
  /** moto's status and error code; null when not forwarded or moto did not answer. */
  upstreamStatus: number | null;
  upstreamError: string | null;
  /** What the client got: an HTTP status, or null when its connection was cut. */
  clientStatus: number | null;
}

export interface FaultProxyOptions {
  /** moto's endpoint: loopback only. */
  upstream: string;
  /** The seed of every probability draw. */
  seed: number;
  rules?: readonly FaultRule[];
  /** A request with a larger body has its connection cut (AWS bodies here are a few KiB). */
  maxBodyBytes?: number;
  /** moto's answer is awaited this long, then the client's connection is cut. */
  upstreamTimeoutMs?: number;
  /** The log keeps this many entries; more is an error of the test, reported by `log`. */
  maxLogEntries?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL or an SDK client's `endpoint`. */
  endpoint: string;
  /** Replaces the rules; their counts start again, and their draws are a new stream (still fixed by the seed). */
  setRules(rules: readonly FaultRule[]): void;
  /** Every request since the start or the last `clearLog`, in arrival order. */
  log(): readonly ProxyLogEntry[];
  clearLog(): void;
  /** The mutating calls moto received, optionally of one service. */
  forwardedMutations(service?: string): ProxyLogEntry[];
  /** Requests held now by a `hold` rule. */
  held(): number;
  /** Lets every held request go on to moto (its client may have gone: then it is dropped). */
  release(): void;
  /** Stops listening and cuts every connection, keep-alive ones and those to moto included. */
  close(): Promise<void>;
}

const MAX_UPSTREAM_BYTES = 64 * 1024 * 1024;
// Connection-level headers are the proxy's own on each side (RFC 9110, section 7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length']);

interface RuleState {
  rule: FaultRule;
  fired: number;
  /** Matching requests seen, by operation: the index of each one's draw. */
  seen: Map<string, number>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  assertLoopback(options.upstream);
  const upstream = new URL(options.upstream);
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const upstreamTimeout = options.upstreamTimeoutMs ?? 30_000;
  const maxLog = options.maxLogEntries ?? 20_000;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let rules: RuleState[] = [];
  let entries: ProxyLogEntry[] = [];
  let overflow = 0;
  let seq = 0;
  let generation = 0;
  let holds: (() => void)[] = [];
  const release = () => {
    const waiting = holds;
    holds = [];
    for (const go of waiting) go();
  };

  const setRules = (next: readonly FaultRule[]) => {
    for (const rule of next) validate(rule);
    rules = next.map((rule) => ({ rule, fired: 0, seen: new Map() }));
    generation += 1;
  };
  setRules(options.rules ?? []);

  const choose = (info: AwsRequestInfo): FaultKind | null => {
    for (const [index, state] of rules.entries()) {
      const { rule } = state;
      if (!matches(rule, info)) continue;
      const key = info.operation ?? '';
      const n = state.seen.get(key) ?? 0;
      state.seen.set(key, n + 1);
      if (state.fired >= (rule.times ?? Infinity)) continue;
      if (rule.probability !== undefined && draw(`${options.seed}/${generation}/${index}/${key}/${n}`) >= rule.probability) continue;
      state.fired += 1;
      return rule.fault;
    }
    return null;
  };

  const record = (entry: Omit<ProxyLogEntry, 'seq'>): ProxyLogEntry => {
    const full = { seq: seq++, ...entry };
    if (entries.length < maxLog) entries.push(full);
    else overflow += 1;
    return full;
  };

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: withoutHopByHop(req.headers, body.length), agent, timeout: upstreamTimeout },
        (res) => {
          readAll(res, MAX_UPSTREAM_BYTES).then((data) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: data }), reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`moto did not answer within ${upstreamTimeout} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: Buffer;
    try {
      body = await readAll(req, maxBody);
    } catch {
      // Too large, or the client went away: nothing is forwarded.
      req.socket.destroy();
      return;
    }
    const info = describeRequest(req.headers, body.toString('utf8'));
    const fault = choose(info);
    const base = { protocol: info.protocol, service: info.service, operation: info.operation, mutating: isMutatingOperation(info.operation), params: info.params, fault };
    if (fault === 'throttle' || fault === 'error500') {
      const answer = faultAnswer(fault, info, randomUUID());
      record({ ...base, forwarded: false, upstreamStatus: null, upstreamError: null, clientStatus: answer.status });
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) }).end(answer.body);
      return;
    }
    if (fault === 'reset') {
      record({ ...base, forwarded: false, upstreamStatus: null, upstreamError: null, clientStatus: null });
      // A TCP RST, as a load balancer dropping the connection sends: the SDK sees ECONNRESET.
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'hold') {
      let gone = false;
      await new Promise<void>((resolve) => {
        holds.push(resolve);
        // The client gave up (aborted, or killed): the request leaves the hold and goes nowhere.
        req.socket.once('close', () => {
          gone = true;
          holds = holds.filter((go) => go !== resolve);
          resolve();
        });
      });
      if (gone || req.socket.destroyed) {
        record({ ...base, forwarded: false, upstreamStatus: null, upstreamError: null, clientStatus: null });
        return;
      }
    }
    let answer;
    try {
      answer = await forward(req, body);
    } catch {
      record({ ...base, forwarded: true, upstreamStatus: null, upstreamError: 'no answer from moto', clientStatus: null });
      req.socket.destroy();
      return;
    }
    const upstreamError = errorCodeOf(answer.status, answer.body.toString('utf8'));
    if (fault === 'drop-after-apply') {
      record({ ...base, forwarded: true, upstreamStatus: answer.status, upstreamError, clientStatus: null });
      // moto has applied the call; the client only sees its connection close with no answer.
      req.socket.destroy();
      return;
    }
    record({ ...base, forwarded: true, upstreamStatus: answer.status, upstreamError, clientStatus: answer.status });
    res.writeHead(answer.status, { ...withoutHopByHop(answer.headers), 'content-length': answer.body.length }).end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.maxConnections = 256;
  server.requestTimeout = upstreamTimeout + 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRules,
    log: () => {
      if (overflow > 0) throw new Error(`the fault proxy's log is full: ${overflow} request(s) past ${maxLog} were not kept`);
      return entries;
    },
    clearLog: () => {
      entries = [];
      overflow = 0;
    },
    held: () => holds.length,
    release,
    forwardedMutations: (service) => entries.filter((e) => e.forwarded && e.mutating && (service === undefined || e.service === service)),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        release();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      })),
  };
}

function validate(rule: FaultRule): void {
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 0)) throw new Error(`fault rule: times must be a whole number, got ${rule.times}`);
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new Error(`fault rule: probability must be within [0, 1], got ${rule.probability}`);
}

function matches(rule: FaultRule, info: AwsRequestInfo): boolean {
  if (rule.service !== undefined && info.service !== rule.service) return false;
  if (rule.operation !== undefined) {
    const wanted = typeof rule.operation === 'string' ? [rule.operation] : rule.operation;
    if (info.operation === null || !wanted.includes(info.operation)) return false;
  }
  return rule.when === undefined || rule.when(info);
}

/** A number in [0, 1) fixed by its key: the seed, the rule set, the rule, the operation and the request's rank. */
function draw(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

function readAll(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        reject(new Error(`body over ${limit} bytes`));
      } else chunks.push(chunk);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    // 'close' after 'end' is a no-op; before it, the peer went away mid-body.
    stream.once('close', () => reject(new Error('the stream closed before its end')));
  });
}

function withoutHopByHop(headers: IncomingHttpHeaders, contentLength?: number): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name)));
  if (contentLength !== undefined) kept['content-length'] = contentLength;
  return kept;
}
