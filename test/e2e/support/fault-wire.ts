/**
 * What the fault proxy reads from an AWS request, and the error answers it makes up, in the shapes
 * real AWS uses: IAM and STS speak the Query protocol (a form body with `Action=<Op>`, XML errors),
 * Identity Center, Organizations, CloudTrail and Logs speak JSON 1.1 (`X-Amz-Target: <Service>.<Op>`).
 */
import type { IncomingHttpHeaders } from 'node:http';

export type WireProtocol = 'query' | 'json' | 'other';

export interface AwsRequestInfo {
  protocol: WireProtocol;
  /** The signing name of the SigV4 credential scope: iam, sts, sso, identitystore… (null when unsigned). */
  service: string | null;
  /** `Action=` of a Query body, or the suffix of `X-Amz-Target`; null when neither is there. */
  operation: string | null;
  /** The form parameters of a Query request (empty for other protocols). */
  params: Readonly<Record<string, string>>;
  /** The parsed body of a JSON request (null for other protocols or a body that is not JSON). */
  json: unknown;
}

/** The faults answered by the proxy itself, without forwarding. */
export type AnsweredFault = 'throttle' | 'error500';

export interface WireAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Real IAM and STS name their API version in the error document's namespace.
const QUERY_NAMESPACES: Readonly<Record<string, string>> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/** Reads protocol, service and operation from a request's headers and (whole) body. */
export function describeRequest(headers: IncomingHttpHeaders, body: string): AwsRequestInfo {
  const service = SCOPE.exec(headers.authorization ?? '')?.[1] ?? null;
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.length > 0) {
    return { protocol: 'json', service, operation: target.slice(target.lastIndexOf('.') + 1), params: {}, json: parseJson(body) };
  }
  const contentType = headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(body));
    if (params.Action) return { protocol: 'query', service, operation: params.Action, params, json: null };
  }
  return { protocol: 'other', service, operation: null, params: {}, json: null };
}

/**
 * True for calls that change something. IAM's and Identity Center's verbs are regular: reads are
 * Get, List, Describe, Simulate and Generate (a credential report changes no principal).
 */
export function isMutatingOperation(operation: string | null): boolean {
  return operation !== null && /^(Add|Attach|Change|Create|Deactivate|Delete|Detach|Enable|Provision|Put|Remove|Reset|Resync|Set|Tag|Untag|Update|Upload)/.test(operation);
}

/**
 * The answer AWS gives when it throttles (HTTP 400 `Throttling` / `ThrottlingException`, which the SDK
 * classifies as throttling and retries with its longer backoff) or fails inside (HTTP 500
 * `InternalFailure`, which the SDK retries as transient).
 */
export function faultAnswer(fault: AnsweredFault, request: AwsRequestInfo, requestId: string): WireAnswer {
  const { status, code, message, type } =
    fault === 'throttle'
      ? { status: 400, code: request.protocol === 'query' ? 'Throttling' : 'ThrottlingException', message: 'Rate exceeded', type: 'Sender' }
      : { status: 500, code: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.', type: 'Receiver' };
  if (request.protocol === 'query') {
    const namespace = QUERY_NAMESPACES[request.service ?? ''];
    const open = namespace ? `<ErrorResponse xmlns="${namespace}">` : '<ErrorResponse>';
    const body = `${open}<Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
  }
  // JSON 1.1 services put the code in `__type`; REST services also say it in x-amzn-ErrorType.
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, ...(request.protocol === 'other' ? { 'x-amzn-errortype': code } : {}) },
    body: JSON.stringify({ __type: code, message }),
  };
}

/** The error code of an AWS error answer (XML `<Code>` or JSON `__type`), or null for a success. */
export function errorCodeOf(status: number, body: string): string | null {
  if (status < 400) return null;
  const xml = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  if (xml) return xml;
  const type = (parseJson(body) as { __type?: unknown } | null)?.__type;
  // JSON services may qualify the type: `com.amazon.coral.service#ThrottlingException`.
  return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : `HTTP ${status}`;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
