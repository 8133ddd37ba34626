/**
 * Actions that a policy generated from CloudTrail (IAM Access Analyzer policy generation) misses
 * even when they were used, so a usage-based policy must carry them over from what was granted.
 *
 * Three reasons:
 * - `permission-only`: not an API operation but a permission checked inside another call
 *   (`iam:PassRole` during `ec2:RunInstances`), so no event of its own is ever written.
 * - `data-event`: the call is a CloudTrail data event, which trails do not log by default, and
 *   which policy generation does not turn into actions even when logged: "IAM Access Analyzer
 *   does not identify action-level activity for data events, such as Amazon S3 data events".
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
 * - `often-excluded`: management events that trails commonly leave out for their volume. AWS KMS
 *   cryptographic calls are excluded by the trail setting "Exclude AWS KMS events", and many of
 *   them are made by a service on the user's behalf (S3 SSE-KMS reads, which are data events).
 *   Keeping them when they are granted costs little; dropping them breaks reads of encrypted data.
 *
 * Deliberately absent: ordinary management events (they are logged and generated), such as
 * `secretsmanager:GetSecretValue`, `ssm:GetParameter`, `sts:AssumeRole`, `kms:CreateGrant`.
 */
import { matchesActionPattern } from '../policy-statements.js';

export type InvisibleReason = 'permission-only' | 'data-event' | 'often-excluded';

export interface InvisibleAction {
  /** Canonical spelling, as in the action database. */
  action: string;
  reason: InvisibleReason;
}

const PERMISSION_ONLY = [
  'iam:PassRole',
  // Checked during sts:AssumeRole* when session tags or a source identity are passed.
  'sts:TagSession',
  'sts:SetSourceIdentity',
  // IAM database authentication: checked when the database token is used, not an AWS API call.
  'rds-db:connect',
  // Calls to an API Gateway API are not logged to CloudTrail (only to the stage's access logs).
  'execute-api:Invoke',
];

const DATA_EVENTS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectAcl',
  's3:GetObjectTagging',
  's3:GetObjectAttributes',
  's3:PutObject',
  's3:PutObjectAcl',
  's3:PutObjectTagging',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:RestoreObject',
  's3:AbortMultipartUpload',
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
  's3:ListMultipartUploadParts',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'lambda:InvokeFunction',
  'lambda:InvokeFunctionUrl',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sns:Publish',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:SubscribeToShard',
  // CloudWatch Logs reads and writes of log events are data events, never management events.
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
];

const OFTEN_EXCLUDED = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Every action CloudTrail-based policy generation cannot see, with the reason. */
export const INVISIBLE_ACTIONS: readonly InvisibleAction[] = [
  ...PERMISSION_ONLY.map((action) => ({ action, reason: 'permission-only' as const })),
  ...DATA_EVENTS.map((action) => ({ action, reason: 'data-event' as const })),
  ...OFTEN_EXCLUDED.map((action) => ({ action, reason: 'often-excluded' as const })),
];

/**
 * The invisible actions that the given actions grant, in the order of {@link INVISIBLE_ACTIONS}.
 * `grantedActions` may hold concrete actions or IAM patterns (`iam:*`, `s3:Get*`, `*`); matching
 * ignores case, as IAM does.
 */
export function invisibleActionsGranted(grantedActions: string[]): string[] {
  // Expanded grants can hold every action of AWS: look concrete actions up in a set, and match
  // only the real patterns.
  const exact = new Set<string>();
  const patterns: string[] = [];
  for (const granted of grantedActions) {
    if (granted.includes('*') || granted.includes('?')) patterns.push(granted);
    else exact.add(granted.toLowerCase());
  }
  return INVISIBLE_ACTIONS.filter(
    ({ action }) => exact.has(action.toLowerCase()) || patterns.some((pattern) => matchesActionPattern(pattern, action)),
  ).map(({ action }) => action);
}

/** Why CloudTrail cannot show `action`, or null when it can. Ignores case. */
export function invisibleReason(action: string): InvisibleReason | null {
  const lower = action.toLowerCase();
  return INVISIBLE_ACTIONS.find((entry) => entry.action.toLowerCase() === lower)?.reason ?? null;
}
