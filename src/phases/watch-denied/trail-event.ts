/**
 * One CloudTrail event as it reaches CloudWatch Logs (the log event's message is the event's JSON),
 * reduced to what the parallel run needs: who made the call, what it was, and whether it was denied.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import { attributePrincipal, type Principal } from './attribute-principal.js';
import { isObject, text } from './json-fields.js';

export interface TrailEvent {
  /** CloudTrail's `eventID`: unique per event, the key for de-duplication. */
  eventId: string;
  /** ISO-8601, as CloudTrail writes it (UTC). */
  eventTime: string;
  eventSource: string;
  eventName: string;
  region: string | null;
  /** The account that received the call; for an organization trail, one of many. */
  recipientAccountId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  principal: Principal;
  /** ARNs the event names (`resources[].ARN`), when CloudTrail records them. */
  resources: string[];
}

/**
 * Parses a log event message into a TrailEvent, or null when it is not a CloudTrail event (a log
 * group may hold other lines, and CloudTrail digest or insight records have no eventID/eventName).
 */
export function parseTrailEvent(message: string): TrailEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return null;
  }
  if (!isObject(raw)) return null;
  const eventId = text(raw.eventID);
  const eventTime = text(raw.eventTime);
  const eventSource = text(raw.eventSource);
  const eventName = text(raw.eventName);
  if (eventId === null || eventTime === null || eventSource === null || eventName === null) return null;
  if (Number.isNaN(Date.parse(eventTime))) return null;
  return {
    eventId,
    eventTime: new Date(eventTime).toISOString(),
    eventSource,
    eventName,
    region: text(raw.awsRegion),
    recipientAccountId: text(raw.recipientAccountId),
    sourceIp: text(raw.sourceIPAddress),
    userAgent: text(raw.userAgent),
    errorCode: text(raw.errorCode),
    errorMessage: text(raw.errorMessage),
    principal: attributePrincipal(isObject(raw.userIdentity) ? raw.userIdentity : {}, {
      eventName,
      sessionCredentialFromConsole: raw.sessionCredentialFromConsole === true || raw.sessionCredentialFromConsole === 'true',
    }),
    resources: resourceArns(raw.resources),
  };
}

/**
 * Whether the error code is one of a denied call: `AccessDenied`, `AccessDeniedException`, and the
 * EC2 family `UnauthorizedOperation` / `Client.UnauthorizedOperation`.
 */
export function isDeniedErrorCode(errorCode: string | null): boolean {
  if (errorCode === null) return false;
  return errorCode.startsWith('AccessDenied') || errorCode.endsWith('UnauthorizedOperation');
}

export function isDenied(event: Pick<TrailEvent, 'errorCode'>): boolean {
  return isDeniedErrorCode(event.errorCode);
}

function resourceArns(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const arns = value.map((entry) => (isObject(entry) ? text(entry.ARN) : null)).filter((arn): arn is string => arn !== null && arn.startsWith('arn:'));
  return [...new Set(arns)];
}
