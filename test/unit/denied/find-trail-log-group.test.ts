import { DescribeTrailsCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { Fault, UserError } from '../../../src/errors.js';
import { findTrailLogGroup, parseLogGroupFlag } from '../../../src/phases/watch-denied/find-trail-log-group.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';

const { mocks, clients } = mockAws();

const ACCOUNT = '111111111111';
const CONTEXT = { accountId: ACCOUNT, region: 'us-east-1' };
const groupArn = (name: string, region = 'eu-west-1', suffix = ':*') => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}${suffix}`;

function trail(name: string, overrides: Partial<Trail> = {}): Trail {
  return {
    Name: name,
    TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}`,
    HomeRegion: 'us-east-1',
    S3BucketName: `${name}-bucket`,
    IsMultiRegionTrail: false,
    IsOrganizationTrail: false,
    ...overrides,
  };
}

describe('findTrailLogGroup', () => {
  it('Given a single-region, an organization and a multi-region trail that all deliver, When searched, Then the multi-region trail log group is chosen from one DescribeTrails call with shadow trails', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        trail('local', { CloudWatchLogsLogGroupArn: groupArn('CloudTrail/Local', 'us-east-1') }),
        trail('org', { IsOrganizationTrail: true, CloudWatchLogsLogGroupArn: groupArn('CloudTrail/Org', 'us-east-2') }),
        trail('everywhere', { IsMultiRegionTrail: true, CloudWatchLogsLogGroupArn: groupArn('CloudTrail/Default') }),
      ],
    });

    const found = await findTrailLogGroup(clients.cloudTrail, CONTEXT);

    expect(found).toMatchObject({ logGroupName: 'CloudTrail/Default', region: 'eu-west-1', trailName: 'everywhere', source: 'trail' });
    expect(mocks.cloudTrail).toHaveReceivedCommandTimes(DescribeTrailsCommand, 1);
    expect(mocks.cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
  });

  it('Given an organization trail and a single-region trail, When searched, Then the organization trail wins whatever the order', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        trail('a-local', { CloudWatchLogsLogGroupArn: groupArn('CloudTrail/Local') }),
        trail('z-org', { IsOrganizationTrail: true, CloudWatchLogsLogGroupArn: groupArn('CloudTrail/Org', 'us-west-2') }),
      ],
    });

    const found = await findTrailLogGroup(clients.cloudTrail, CONTEXT);

    expect(found).toMatchObject({ logGroupName: 'CloudTrail/Org', region: 'us-west-2', trailName: 'z-org' });
  });

  it('Given the preferred multi-region trail does not deliver to CloudWatch Logs, When searched, Then it is ignored and the single-region one that does is chosen', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [trail('everywhere', { IsMultiRegionTrail: true }), trail('local', { CloudWatchLogsLogGroupArn: groupArn('CloudTrail/Local', 'ap-south-1') })],
    });

    const found = await findTrailLogGroup(clients.cloudTrail, CONTEXT);

    expect(found).toMatchObject({ logGroupName: 'CloudTrail/Local', region: 'ap-south-1', trailName: 'local', source: 'trail' });
  });

  it('Given no trail at all, When searched, Then NO_TRAIL_LOG_GROUP says how to create a trail and make it deliver', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    const error = await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'NO_TRAIL_LOG_GROUP' });
    const { resolution } = error as Fault;
    expect(resolution).toContain('aws cloudtrail create-trail');
    expect(resolution).toContain('aws cloudtrail update-trail');
    expect(resolution).toContain('aws cloudtrail start-logging');
    expect(resolution).toContain('aws logs create-log-group');
    expect(resolution).toContain(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:`);
  });

  it('Given an undefined trail list, When searched, Then it is treated as no trail', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({});

    expect(await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT))).toMatchObject({ code: 'NO_TRAIL_LOG_GROUP' });
  });

  it('Given trails of which none delivers, When searched, Then NO_TRAIL_LOG_GROUP updates the existing (multi-region) trail instead of creating one', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('local'), trail('management-events', { IsMultiRegionTrail: true })] });

    const error = await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'NO_TRAIL_LOG_GROUP' });
    const { resolution } = error as Fault;
    expect(resolution).toContain('aws cloudtrail update-trail --name management-events ');
    expect(resolution).not.toContain('create-trail');
    expect(resolution).not.toContain('start-logging');
  });

  it('Given the only trail is homed in another region than the one the command runs in, When no trail delivers, Then update-trail is run in the trail home region (UpdateTrail answers InvalidHomeRegionException elsewhere)', async () => {
    // Seen from eu-west-1 as a shadow trail; its home region is us-east-1.
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('management-events', { IsMultiRegionTrail: true, HomeRegion: 'us-east-1' })] });

    const error = await caught(findTrailLogGroup(clients.cloudTrail, { accountId: ACCOUNT, region: 'eu-west-1' }));

    expect(error).toMatchObject({ code: 'NO_TRAIL_LOG_GROUP' });
    expect((error as Fault).resolution).toMatch(/aws cloudtrail update-trail --name management-events --region us-east-1 /);
  });

  it('Given a trail whose log group ARN is malformed, When searched, Then it counts as not delivering', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('odd', { CloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:12345:log-group:x' })] });

    expect(await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT))).toMatchObject({ code: 'NO_TRAIL_LOG_GROUP' });
  });

  it.each(['AccessDeniedException', 'AccessDenied'])('Given DescribeTrails fails with %s, When searched, Then a Fault TRAILS_UNREADABLE is raised with the cause', async (name) => {
    const denied = awsError(name);
    mocks.cloudTrail.on(DescribeTrailsCommand).rejects(denied);

    const error = await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'TRAILS_UNREADABLE' });
    expect((error as Fault).cause).toBe(denied);
  });

  it('Given another AWS service error, When searched, Then it is a Fault TRAILS_UNREADABLE too', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).rejects(awsError('ThrottlingException'));

    expect(await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT))).toMatchObject({ code: 'TRAILS_UNREADABLE' });
  });

  it.each(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId'])('Given a %s credential error, When searched, Then the SDK error propagates unchanged', async (name) => {
    const expired = awsError(name);
    mocks.cloudTrail.on(DescribeTrailsCommand).rejects(expired);

    expect(await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT))).toBe(expired);
  });

  it('Given a programming error (no $metadata), When searched, Then it propagates unchanged', async () => {
    const bug = new TypeError('x is not a function');
    mocks.cloudTrail.on(DescribeTrailsCommand).rejects(bug);

    expect(await caught(findTrailLogGroup(clients.cloudTrail, CONTEXT))).toBe(bug);
  });
});

describe('parseLogGroupFlag', () => {
  it('Given a plain log group name, When parsed, Then it is in the given region', () => {
    expect(parseLogGroupFlag('CloudTrail/DefaultLogGroup', 'eu-central-1')).toMatchObject({
      logGroupName: 'CloudTrail/DefaultLogGroup',
      region: 'eu-central-1',
      trailName: null,
      source: 'flag',
    });
  });

  it.each([
    ['with :*', groupArn('CloudTrail/Default', 'eu-west-1')],
    ['without :*', groupArn('CloudTrail/Default', 'eu-west-1', '')],
  ])('Given a log group ARN %s, When parsed, Then the name and the region come from the ARN', (_, arn) => {
    expect(parseLogGroupFlag(arn, 'us-east-1')).toMatchObject({ logGroupName: 'CloudTrail/Default', region: 'eu-west-1', trailName: null, source: 'flag' });
  });

  it('Given an ARN of another partition, When parsed, Then it is accepted', () => {
    expect(parseLogGroupFlag(`arn:aws-cn:logs:cn-north-1:${ACCOUNT}:log-group:trail-events:*`, 'us-east-1')).toMatchObject({ logGroupName: 'trail-events', region: 'cn-north-1' });
  });

  it.each([
    ['a name with spaces and !', 'not a group!'],
    ['an empty value', ''],
    ['a name over 512 characters', 'a'.repeat(513)],
  ])('Given %s, When parsed, Then a UserError INVALID_LOG_GROUP is raised', (_, value) => {
    let error: unknown;
    try {
      parseLogGroupFlag(value, 'us-east-1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'INVALID_LOG_GROUP' });
  });
});
