/**
 * CloudTrail event → IAM action. An event's `eventSource` is the service's endpoint host and its
 * `eventName` the API operation; both are close to, but not always, the IAM prefix and action
 * (see event-action-renames.ts). Whatever is derived is checked against the action database, so
 * an action that does not exist is never produced.
 */
import { canonicalAction } from './action-catalog.js';
import { EVENT_NAME_RENAMES, EVENT_SOURCE_PREFIXES, EVENTS_WITHOUT_ACTION } from './event-action-renames.js';

// Some services log the API version in the event name: Lambda `ListFunctions20150331`,
// `GetFunction20150331v2`, CloudFront `UpdateDistribution2020_05_31`.
// https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html
const API_VERSION_SUFFIX = /(?:\d{8}|\d{4}_\d{2}_\d{2})(?:v\d+)?$/;
const ENDPOINT_DOMAIN = /\.amazonaws\.com(?:\.cn)?$/;

const sourcePrefixes = lowerKeys(EVENT_SOURCE_PREFIXES);
const nameRenames = new Map(
  Object.entries(EVENT_NAME_RENAMES).map(([prefix, renames]) => [prefix.toLowerCase(), lowerKeys(renames)] as const),
);
const eventsWithoutAction = new Map(
  Object.entries(EVENTS_WITHOUT_ACTION).map(([prefix, names]) => [prefix.toLowerCase(), new Set(names.map((n) => n.toLowerCase()))] as const),
);

/**
 * The IAM action (canonical spelling) that authorises a CloudTrail event, e.g.
 * (`monitoring.amazonaws.com`, `GetMetricData`) → `cloudwatch:GetMetricData`,
 * (`lambda.amazonaws.com`, `GetFunction20150331v2`) → `lambda:GetFunction`,
 * (`s3.amazonaws.com`, `ListObjectsV2`) → `s3:ListBucket`. Null when no existing action can be
 * derived, and for events that no action authorises (`signin` `ConsoleLogin`).
 */
export async function eventToAction(eventSource: string, eventName: string): Promise<string | null> {
  const host = eventSource.trim().toLowerCase().replace(ENDPOINT_DOMAIN, '');
  const name = eventName.trim();
  if (host === '' || name === '') return null;
  for (const prefix of candidatePrefixes(host)) {
    if (eventsWithoutAction.get(prefix)?.has(name.toLowerCase())) return null;
    for (const candidate of candidateNames(prefix, name)) {
      const action = await canonicalAction(`${prefix}:${candidate}`);
      if (action !== null) return action;
    }
  }
  return null;
}

function candidatePrefixes(host: string): string[] {
  const mapped = sourcePrefixes.get(host);
  if (mapped !== undefined) return [...mapped];
  // `streams.dynamodb`, `runtime.lex`, `portal.sso`: the service is the last label.
  const lastLabel = host.slice(host.lastIndexOf('.') + 1);
  return [...new Set([host, lastLabel, ...(sourcePrefixes.get(lastLabel) ?? [])])];
}

function candidateNames(prefix: string, eventName: string): string[] {
  const renames = nameRenames.get(prefix);
  const undated = eventName.replace(API_VERSION_SUFFIX, '');
  const names = [eventName, undated].flatMap((name) => [renames?.get(name.toLowerCase()) ?? name]);
  return [...new Set(names)];
}

function lowerKeys<T>(record: Readonly<Record<string, T>>): Map<string, T> {
  return new Map(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value] as const));
}
