/**
 * Which CloudTrail events the parallel run reads: every denied call (whoever made it), and every call
 * of an IAM user (allowed or not), since those users are not ready to be switched off.
 *
 * The same selection is applied twice: on the server, so that only matching events travel, and on
 * this side, because some log groups and emulators ignore JSON filter patterns and return everything.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import { isDenied, type TrailEvent } from './trail-event.js';

/** `FilterLogEvents` pattern: JSON string comparisons accept `*` as a wildcard at either end. */
export const TRAIL_FILTER_PATTERN =
  '{ ($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation") || ($.userIdentity.type = "IAMUser") }';

/** Logs Insights: the same selection, oldest first, at the most rows one query returns. */
export const INSIGHTS_ROW_LIMIT = 10_000;
export const TRAIL_INSIGHTS_QUERY = [
  'fields @timestamp, @message',
  '| filter errorCode like /^AccessDenied/ or errorCode like /UnauthorizedOperation$/ or userIdentity.type = "IAMUser"',
  '| sort @timestamp asc',
  `| limit ${INSIGHTS_ROW_LIMIT}`,
].join('\n');

/** The client-side half of the selection. */
export function isWatchedEvent(event: TrailEvent): boolean {
  return isDenied(event) || event.principal.type === 'iam-user';
}
