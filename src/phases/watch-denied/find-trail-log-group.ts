import { DescribeTrailsCommand, type CloudTrailClient, type Trail } from '@aws-sdk/client-cloudtrail';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import { Fault, UserError } from '../../errors.js';

/** The CloudWatch Logs log group CloudTrail delivers to, and where it lives. */
export interface TrailLogGroup {
  logGroupName: string;
  region: string;
  /** The trail that delivers to it, when discovered through DescribeTrails. */
  trailName: string | null;
  source: 'flag' | 'trail';
  /** Why this log group, in one sentence. */
  reason: string;
}

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_GROUP_ARN = /^arn:[\w-]+:logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512})(?::\*)?$/;
const DOC = 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html';

/**
 * Reads `--log-group` (a name in the current region, or a log group ARN) before any AWS call.
 * @throws UserError `INVALID_LOG_GROUP`
 */
export function parseLogGroupFlag(value: string, region: string): TrailLogGroup {
  const arn = LOG_GROUP_ARN.exec(value);
  if (arn) return { logGroupName: arn[3] as string, region: arn[1] as string, trailName: null, source: 'flag', reason: 'given with --log-group' };
  if (LOG_GROUP_NAME.test(value)) return { logGroupName: value, region, trailName: null, source: 'flag', reason: 'given with --log-group' };
  throw new UserError(
    'INVALID_LOG_GROUP',
    `--log-group ${value} is neither a log group name nor a log group ARN.`,
    'Give the name (e.g. CloudTrail/DefaultLogGroup) or the ARN that `aws cloudtrail describe-trails --query "trailList[].CloudWatchLogsLogGroupArn"` shows.',
  );
}

/**
 * The log group CloudTrail delivers this account's events to, from one DescribeTrails call (shadow
 * trails included, so that a multi-region or organization trail homed elsewhere is seen). A
 * multi-region trail is preferred, then an organization trail, then any other; the others are named
 * in the reason so the operator can pick one with --log-group.
 * @throws Fault `NO_TRAIL_LOG_GROUP` with the commands that set delivery up, or `TRAILS_UNREADABLE`
 */
export async function findTrailLogGroup(
  cloudTrail: Pick<CloudTrailClient, 'send'>,
  context: { accountId: string; region: string; abortSignal?: AbortSignal },
): Promise<TrailLogGroup> {
  let trails: Trail[];
  try {
    const output = await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal: context.abortSignal });
    trails = output?.trailList ?? [];
  } catch (error) {
    if (isCredentialError(error) || !(error instanceof Error) || !('$metadata' in error)) throw error;
    throw new Fault(
      'TRAILS_UNREADABLE',
      isAccessDenied(error) ? 'The caller may not list CloudTrail trails (cloudtrail:DescribeTrails).' : `Listing CloudTrail trails failed (${error.name}).`,
      'Grant cloudtrail:DescribeTrails, or name the log group with --log-group.',
      { cause: error },
    );
  }
  const delivering = uniqueBy(
    trails.flatMap((trail) => {
      const match = LOG_GROUP_ARN.exec(trail.CloudWatchLogsLogGroupArn ?? '');
      return match ? [{ trail, logGroupName: match[3] as string, region: match[1] as string }] : [];
    }),
    (entry) => `${entry.region}/${entry.logGroupName}`,
  ).sort((a, b) => rank(a.trail) - rank(b.trail) || (a.trail.Name ?? '').localeCompare(b.trail.Name ?? ''));
  const [best, ...others] = delivering;
  if (best === undefined) throw noLogGroup(trails, context);
  const kind = best.trail.IsMultiRegionTrail ? 'multi-region trail' : best.trail.IsOrganizationTrail ? 'organization trail' : 'trail';
  const alternatives = others.length > 0 ? `; ${others.length} other log group(s) also receive trail events (${others.map((o) => o.logGroupName).join(', ')}): choose with --log-group` : '';
  return {
    logGroupName: best.logGroupName,
    region: best.region,
    trailName: best.trail.Name ?? null,
    source: 'trail',
    reason: `the ${kind} ${best.trail.Name ?? best.trail.TrailARN} delivers to it${alternatives}`,
  };
}

function rank(trail: Trail): number {
  if (trail.IsMultiRegionTrail === true) return 0;
  return trail.IsOrganizationTrail === true ? 1 : 2;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/** Exactly what to create so that CloudTrail delivers to CloudWatch Logs. */
function noLogGroup(trails: Trail[], context: { accountId: string; region: string }): Fault {
  const { accountId } = context;
  const group = 'CloudTrail/iam2idc';
  const role = 'iam2idc-cloudtrail-to-logs';
  const existing = trails.find((t) => t.IsMultiRegionTrail) ?? trails[0];
  // UpdateTrail must be called in the trail's home region, and the trail delivers to a log group there.
  const region = existing?.HomeRegion ?? context.region;
  const trailName = existing?.Name ?? 'iam2idc-activity';
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const write = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:${region}:${accountId}:log-group:${group}:log-stream:*` }],
  });
  const bucket = `aws-cloudtrail-logs-${accountId}-iam2idc`;
  const createTrail = existing
    ? []
    : [
        `aws s3api create-bucket --bucket ${bucket} --region ${region}${region === 'us-east-1' ? '' : ` --create-bucket-configuration LocationConstraint=${region}`}`,
        '# give the bucket the CloudTrail bucket policy: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
        `aws cloudtrail create-trail --name ${trailName} --s3-bucket-name ${bucket} --is-multi-region-trail --region ${region}`,
      ];
  const steps = [
    ...createTrail,
    `aws logs create-log-group --log-group-name ${group} --region ${region}`,
    `aws iam create-role --role-name ${role} --assume-role-policy-document '${trust}'`,
    `aws iam put-role-policy --role-name ${role} --policy-name deliver-to-logs --policy-document '${write}'`,
    `aws cloudtrail update-trail --name ${trailName} --region ${region} --cloud-watch-logs-log-group-arn arn:aws:logs:${region}:${accountId}:log-group:${group}:* --cloud-watch-logs-role-arn arn:aws:iam::${accountId}:role/${role}`,
    ...(existing ? [] : [`aws cloudtrail start-logging --name ${trailName} --region ${region}`]),
    'Events are delivered from then on (within about 5 minutes); run watch-denied again once people have worked through Identity Center.',
  ];
  const message =
    trails.length === 0
      ? 'No CloudTrail trail records this account\'s API calls, so there are no denied calls to read.'
      : `None of the ${trails.length} CloudTrail trail(s) delivers to CloudWatch Logs, where watch-denied reads events.`;
  return new Fault('NO_TRAIL_LOG_GROUP', message, [`Set up delivery to CloudWatch Logs (${DOC}):`, ...steps.map((s) => `  ${s}`)].join('\n'));
}
