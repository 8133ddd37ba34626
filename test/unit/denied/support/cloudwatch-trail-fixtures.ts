/**
 * CloudTrail records as CloudWatch Logs holds them (one JSON document per log event), for the tests
 * of the parts of watch-denied that read them through mocked SDK clients.
 */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';

export const ACCOUNT = '111111111111';
export const IDC_ROLE = 'AWSReservedSSO_Developers_0123456789abcdef';

interface Common {
  eventId: string;
  /** ISO time of the call. */
  time: string;
  eventSource?: string;
  eventName?: string;
}

/** A call of an Identity Center user through the permission set's role. */
export function identityCenterCall(options: Common & { user?: string; permissionSet?: string; denied?: { action: string; resource: string } }): Record<string, unknown> {
  const role = options.permissionSet ? `AWSReservedSSO_${options.permissionSet}_0123456789abcdef` : IDC_ROLE;
  const user = options.user ?? 'jane';
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${user}`;
  return {
    ...base(options),
    userIdentity: {
      type: 'AssumedRole',
      arn,
      accountId: ACCOUNT,
      sessionContext: { sessionIssuer: { type: 'Role', userName: role, arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${role}` } },
    },
    ...(options.denied
      ? {
          errorCode: 'AccessDenied',
          errorMessage: `User: ${arn} is not authorized to perform: ${options.denied.action} on resource: ${options.denied.resource} because no identity-based policy allows the ${options.denied.action} action`,
        }
      : {}),
  };
}

/** A call of an ordinary IAM role session (an application), allowed unless `deniedBy` says. */
export function roleCall(options: Common & { deniedBySCP?: { action: string; resource: string } }): Record<string, unknown> {
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/i-0abc`;
  return {
    ...base(options),
    userIdentity: { type: 'AssumedRole', arn, accountId: ACCOUNT, sessionContext: { sessionIssuer: { type: 'Role', userName: 'app-role' } } },
    ...(options.deniedBySCP
      ? {
          errorCode: 'AccessDenied',
          errorMessage: `User: ${arn} is not authorized to perform: ${options.deniedBySCP.action} on resource: ${options.deniedBySCP.resource} with an explicit deny in a service control policy`,
        }
      : {}),
  };
}

/** A call of an IAM user with its long-term access key (allowed). */
export function iamUserCall(options: Common & { userName?: string }): Record<string, unknown> {
  const userName = options.userName ?? 'bob';
  return {
    ...base(options),
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAFIXTURE00000001',
      arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAFIXTURE000000001',
      userName,
    },
  };
}

/** A CloudTrail digest-like record: JSON, but no eventID/eventName, so not an event. */
export const DIGEST_RECORD = JSON.stringify({ awsAccountId: ACCOUNT, digestStartTime: '2026-12-01T07:00:00Z', digestEndTime: '2026-12-01T08:00:00Z' });

/** A FilterLogEvents event holding the record. */
let logEventCount = 0;
export function logEvent(record: Record<string, unknown> | string, timestamp: number, logStreamName = `${ACCOUNT}_CloudTrail_eu-west-1`): FilteredLogEvent {
  logEventCount += 1;
  return { logStreamName, timestamp, message: typeof record === 'string' ? record : JSON.stringify(record), eventId: `cwl-${logEventCount}` };
}

/** An Insights result row (`@timestamp` as Insights writes it, UTC with milliseconds). */
export function insightsRow(record: Record<string, unknown> | string, timestampMs: number): { field: string; value: string }[] {
  return [
    { field: '@timestamp', value: new Date(timestampMs).toISOString().replace('T', ' ').replace('Z', '') },
    { field: '@message', value: typeof record === 'string' ? record : JSON.stringify(record) },
    { field: '@ptr', value: `ptr-${timestampMs}` },
  ];
}

function base(options: Common): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventID: options.eventId,
    eventTime: options.time,
    eventSource: options.eventSource ?? 's3.amazonaws.com',
    eventName: options.eventName ?? 'GetObject',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0',
    recipientAccountId: ACCOUNT,
    eventType: 'AwsApiCall',
  };
}
