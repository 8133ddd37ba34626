import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { EmulatorClients } from './aws-clients.js';
import { createEmulatorTrail } from './workspace-files.js';

export const TRAIL_LOG_GROUP = 'CloudTrail/OrgTrail';
const TRAIL_NAME = 'org-activity';

/** What a seeded event is made of; the rest of the CloudTrail record is filled in realistically. */
export interface SeedEvent {
  id: string;
  /** Minutes before now. */
  minutesAgo: number;
  identity: Record<string, unknown>;
  eventSource: string;
  eventName: string;
  errorCode?: string;
  errorMessage?: string;
  resources?: string[];
  region?: string;
  recipientAccountId?: string;
  sourceIp?: string;
  userAgent?: string;
  extra?: Record<string, unknown>;
}

/** An Identity Center session of `userName` through `permissionSet`, as CloudTrail records it. */
export function idcSession(accountId: string, permissionSet: string, userName: string): Record<string, unknown> {
  const role = `AWSReservedSSO_${permissionSet}_0a1b2c3d4e5f6a7b`;
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEIDC000001:${userName}`,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role}/${userName}`,
    accountId,
    accessKeyId: 'ASIAEXAMPLEIDC000001',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEIDC000001', arn: `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/${role}`, accountId, userName: role },
      attributes: { creationDate: new Date().toISOString(), mfaAuthenticated: 'false' },
    },
  };
}

/** A call signed by an IAM user's key (or, with `console`, made in a console session). */
export function iamUserCall(accountId: string, user: { name: string; userId: string }, accessKeyId: string | null): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: user.userId,
    arn: `arn:aws:iam::${accountId}:user/${user.name}`,
    accountId,
    ...(accessKeyId ? { accessKeyId } : {}),
    userName: user.name,
  };
}

/**
 * A multi-region trail that delivers to a CloudWatch Logs log group, as an operator would have it,
 * and the log group itself with two streams (CloudTrail writes one per account and region).
 */
export async function seedTrailLogGroup(clients: EmulatorClients, accountId: string): Promise<void> {
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: TRAIL_LOG_GROUP }));
  for (const stream of streamNames(accountId)) await clients.logs.send(new CreateLogStreamCommand({ logGroupName: TRAIL_LOG_GROUP, logStreamName: stream }));
  await createEmulatorTrail(clients, TRAIL_NAME, {
    logGroupArn: `arn:aws:logs:us-east-1:${accountId}:log-group:${TRAIL_LOG_GROUP}:*`,
    roleArn: `arn:aws:iam::${accountId}:role/CloudTrail_CloudWatchLogs_Role`,
  });
}

/** Writes events to the log group's first stream, or to the second with `stream: 1` (a duplicate delivery). */
export async function putTrailEvents(clients: EmulatorClients, accountId: string, events: SeedEvent[], options: { now?: number; stream?: 0 | 1 } = {}): Promise<void> {
  const now = options.now ?? Date.now();
  const logEvents = events
    .map((e) => ({ timestamp: now - e.minutesAgo * 60_000, message: JSON.stringify(toRecord(e, accountId, now)) }))
    .sort((a, b) => a.timestamp - b.timestamp);
  await clients.logs.send(new PutLogEventsCommand({ logGroupName: TRAIL_LOG_GROUP, logStreamName: streamNames(accountId)[options.stream ?? 0], logEvents }));
}

/** A line in the log group that is not a CloudTrail record (the reader must skip it). */
export async function putForeignLine(clients: EmulatorClients, accountId: string): Promise<void> {
  await clients.logs.send(
    new PutLogEventsCommand({ logGroupName: TRAIL_LOG_GROUP, logStreamName: streamNames(accountId)[1], logEvents: [{ timestamp: Date.now() - 60_000, message: 'CloudTrail validation digest delivered' }] }),
  );
}

function streamNames(accountId: string): [string, string] {
  return [`${accountId}_CloudTrail_us-east-1`, `${accountId}_CloudTrail_eu-west-1`];
}

function toRecord(e: SeedEvent, accountId: string, now: number): Record<string, unknown> {
  return {
    eventVersion: '1.10',
    userIdentity: e.identity,
    eventTime: new Date(now - e.minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: e.region ?? 'us-east-1',
    sourceIPAddress: e.sourceIp ?? '198.51.100.7',
    userAgent: e.userAgent ?? 'aws-cli/2.22.0 md/awscrt#0.23.4 ua/2.1 os/linux#6.8',
    ...(e.errorCode ? { errorCode: e.errorCode, errorMessage: e.errorMessage } : {}),
    requestParameters: null,
    responseElements: null,
    requestID: `req-${e.id}`,
    eventID: `0000000-${e.id}`,
    readOnly: true,
    ...(e.resources ? { resources: e.resources.map((ARN) => ({ accountId, type: 'AWS::Resource', ARN })) } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: e.recipientAccountId ?? accountId,
    eventCategory: 'Management',
    ...e.extra,
  };
}
