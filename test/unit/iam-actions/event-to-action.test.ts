import { describe, expect, it } from 'vitest';
import { canonicalAction, isKnownAction, isKnownService } from '../../../src/model/iam-actions/action-catalog.js';
import {
  EVENT_NAME_RENAMES,
  EVENT_SOURCE_PREFIXES,
  EVENTS_WITHOUT_ACTION,
} from '../../../src/model/iam-actions/event-action-renames.js';
import { eventToAction } from '../../../src/model/iam-actions/event-to-action.js';

describe('eventToAction', () => {
  it.each([
    ['s3.amazonaws.com', 'GetObject', 's3:GetObject'],
    ['iam.amazonaws.com', 'CreateUser', 'iam:CreateUser'],
    ['ec2.amazonaws.com', 'RunInstances', 'ec2:RunInstances'],
    ['monitoring.amazonaws.com', 'GetMetricData', 'cloudwatch:GetMetricData'],
    ['email.amazonaws.com', 'SendEmail', 'ses:SendEmail'],
    ['ses.amazonaws.com', 'SendEmail', 'ses:SendEmail'],
    ['sso.amazonaws.com', 'CreatePermissionSet', 'sso:CreatePermissionSet'],
    ['elasticloadbalancing.amazonaws.com', 'DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancers'],
    ['es.amazonaws.com', 'DescribeDomain', 'es:DescribeDomain'],
    ['opensearch.amazonaws.com', 'DescribeDomain', 'es:DescribeDomain'],
    ['tagging.amazonaws.com', 'GetResources', 'tag:GetResources'],
    ['rdsdata.amazonaws.com', 'ExecuteStatement', 'rds-data:ExecuteStatement'],
    ['cloudcontrolapi.amazonaws.com', 'GetResource', 'cloudformation:GetResource'],
    ['streams.dynamodb.amazonaws.com', 'GetRecords', 'dynamodb:GetRecords'],
    ['lambda.amazonaws.com', 'ListFunctions20150331', 'lambda:ListFunctions'],
    ['lambda.amazonaws.com', 'GetFunction20150331v2', 'lambda:GetFunction'],
    ['lambda.amazonaws.com', 'Invoke', 'lambda:InvokeFunction'],
    ['cloudfront.amazonaws.com', 'UpdateDistribution2020_05_31', 'cloudfront:UpdateDistribution'],
    ['s3.amazonaws.com', 'ListObjects', 's3:ListBucket'],
    ['s3.amazonaws.com', 'ListObjectsV2', 's3:ListBucket'],
    ['s3.amazonaws.com', 'HeadObject', 's3:GetObject'],
    ['s3.amazonaws.com', 'HeadBucket', 's3:ListBucket'],
    ['s3.amazonaws.com', 'GetBucketLocation', 's3:GetBucketLocation'],
    ['s3.amazonaws.com', 'PutObjectAcl', 's3:PutObjectAcl'],
    ['s3.amazonaws.com', 'GetBucketCors', 's3:GetBucketCORS'],
    ['sts.amazonaws.com', 'AssumeRoleWithSAML', 'sts:AssumeRoleWithSAML'],
    ['sts.amazonaws.com', 'AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithWebIdentity'],
    ['S3.AMAZONAWS.COM', 'getobject', 's3:GetObject'],
  ])('Given %s %s, When mapped, Then the action is %s', async (source, name, expected) => {
    expect(await eventToAction(source, name)).toBe(expected);
  });

  it.each([
    ['signin.amazonaws.com', 'ConsoleLogin'],
    ['signin.amazonaws.com', 'CheckMfa'],
    ['sso.amazonaws.com', 'Federate'],
    ['s3.amazonaws.com', 'NoSuchOperation'],
    ['nosuchservice.amazonaws.com', 'GetObject'],
    ['apigateway.amazonaws.com', 'GetRestApis'],
    ['dynamodb.amazonaws.com', 'TransactWriteItems'],
    ['s3.amazonaws.com', '*'],
    ['s3.amazonaws.com', 'Get*'],
    ['s3.amazonaws.com', 'GetObject:x'],
    ['', 'GetObject'],
    ['s3.amazonaws.com', ''],
  ])('Given %j %j, When mapped, Then no action is produced', async (source, name) => {
    expect(await eventToAction(source, name)).toBeNull();
  });
});

describe('the rename tables', () => {
  const renames = Object.entries(EVENT_NAME_RENAMES).flatMap(([prefix, table]) =>
    Object.entries(table).map(([eventName, action]) => [prefix, eventName, action] as const),
  );

  it.each(renames)('Given the rename %s %s → %s, When checked, Then the target action exists', async (prefix, _eventName, action) => {
    expect(await isKnownAction(`${prefix}:${action}`)).toBe(true);
  });

  it.each(renames)('Given the rename %s %s, When the event is mapped, Then the renamed action comes back', async (prefix, eventName, action) => {
    expect(await eventToAction(`${prefix}.amazonaws.com`, eventName)).toBe(await canonicalAction(`${prefix}:${action}`));
  });

  it('Given the event-source table, When checked, Then every prefix it names is a known service', async () => {
    const prefixes = Object.values(EVENT_SOURCE_PREFIXES).flat();
    expect(prefixes.length).toBeGreaterThan(0);
    for (const prefix of prefixes) expect({ prefix, known: await isKnownService(prefix) }).toEqual({ prefix, known: true });
  });

  it('Given the event-source table, When checked, Then no source host is itself a service prefix it would hide', async () => {
    for (const [host, prefixes] of Object.entries(EVENT_SOURCE_PREFIXES)) {
      if (await isKnownService(host)) expect({ host, tried: prefixes.includes(host) }).toEqual({ host, tried: true });
    }
  });

  it('Given the events without action, When mapped, Then each is null and its service is known', async () => {
    for (const [prefix, names] of Object.entries(EVENTS_WITHOUT_ACTION)) {
      expect(await isKnownService(prefix)).toBe(true);
      for (const name of names) expect({ name, action: await eventToAction(`${prefix}.amazonaws.com`, name) }).toEqual({ name, action: null });
    }
  });
});
