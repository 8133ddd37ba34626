import { DescribeTrailsCommand, GetEventSelectorsCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import {
  checkActivitySourceArns,
  discoverActivitySources,
  findAccessRole,
  POLICY_GENERATION_DOC,
} from '../../../src/phases/generate-policies/discover-activity-sources.js';
import { ACCOUNT_ID, makeRole, roleArn, serviceTrustPolicy, trustPolicy } from '../../fixtures/inventory.js';
import { makeSnapshot } from '../../fixtures/snapshot.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const trailArn = (name: string, region = 'us-east-1', account = ACCOUNT_ID) => `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
const ACCESS_ROLE = makeRole({ name: 'AccessAnalyzerMonitorServiceRole_ABC123', path: '/service-role/', trustPolicy: serviceTrustPolicy('access-analyzer.amazonaws.com') });

function trail(name: string, overrides: Partial<Trail> = {}): Trail {
  return { Name: name, TrailARN: trailArn(name), S3BucketName: `${name}-bucket`, HomeRegion: 'us-east-1', IsMultiRegionTrail: false, IsOrganizationTrail: false, HasCustomEventSelectors: false, ...overrides };
}

describe('discoverActivitySources', () => {
  it('Given a single-region, an organization and a multi-region trail, When discovered, Then the multi-region trail is chosen with all regions and the reason', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [trail('local'), trail('org', { IsOrganizationTrail: true, TrailARN: trailArn('org', 'us-east-1', '999999999999') }), trail('everywhere', { IsMultiRegionTrail: true })],
    });

    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot({ roles: [ACCESS_ROLE] }));

    expect(result.ready).toBe(true);
    if (!result.ready) return;
    expect(result.trail).toMatchObject({ source: 'discovered', name: 'everywhere', s3BucketName: 'everywhere-bucket', trail: { cloudTrailArn: trailArn('everywhere'), allRegions: true } });
    expect(result.trail.reason).toContain('multi-region');
    expect(result.accessRole).toMatchObject({ roleArn: roleArn(ACCESS_ROLE.name, '/service-role/'), source: 'audit' });
    expect(mocks.cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(mocks.cloudTrail).not.toHaveReceivedCommand(GetEventSelectorsCommand);
  });

  it('Given a multi-region trail seen twice (home and shadow) and only an organization trail otherwise, When discovered, Then trails are counted once and the organization one wins over single-region', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('local'), trail('org', { IsOrganizationTrail: true }), trail('org', { IsOrganizationTrail: true })] });

    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot({ roles: [ACCESS_ROLE] }));

    expect(result.trail?.name).toBe('org');
    expect(result.trail?.reason).toContain('1 other trail');
  });

  it('Given only a single-region trail, When discovered, Then generation is asked for its home region only', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('local', { HomeRegion: 'eu-west-1', TrailARN: trailArn('local', 'eu-west-1') })] });

    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot({ roles: [ACCESS_ROLE] }));

    expect(result.trail?.trail).toEqual({ cloudTrailArn: trailArn('local', 'eu-west-1'), allRegions: false, regions: ['eu-west-1'] });
  });

  it('Given the preferred trail logs data events only, When discovered, Then the next trail that logs management events is chosen', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [trail('data-only', { IsMultiRegionTrail: true, HasCustomEventSelectors: true }), trail('advanced', { HasCustomEventSelectors: true })],
    });
    mocks.cloudTrail
      .on(GetEventSelectorsCommand, { TrailName: trailArn('data-only') })
      .resolves({ EventSelectors: [{ IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }] })
      .on(GetEventSelectorsCommand, { TrailName: trailArn('advanced') })
      .resolves({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });

    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot({ roles: [ACCESS_ROLE] }));

    expect(result.trail?.name).toBe('advanced');
  });

  it('Given no trail, When discovered, Then NO_TRAIL says how to create one, and a found role is still returned', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot({ roles: [ACCESS_ROLE] }));

    expect(result.ready).toBe(false);
    if (result.ready) return;
    expect(result.problems.map((p) => p.code)).toEqual(['NO_TRAIL']);
    expect(result.problems[0].resolution).toMatch(/aws cloudtrail create-trail --name \S+ --s3-bucket-name \S+ --is-multi-region-trail/);
    expect(result.problems[0].resolution).toContain('aws cloudtrail start-logging');
    expect(result.accessRole?.roleArn).toBe(ACCESS_ROLE.arn);
  });

  it('Given DescribeTrails is denied, When discovered, Then the problem names cloudtrail:DescribeTrails', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException'));

    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot({ roles: [ACCESS_ROLE] }));

    expect(result.ready).toBe(false);
    if (result.ready) return;
    expect(result.problems[0]).toMatchObject({ code: 'TRAILS_UNREADABLE', missingAction: 'cloudtrail:DescribeTrails' });
  });

  it('Given expired credentials, When discovered, Then the error propagates', async () => {
    mocks.cloudTrail.on(DescribeTrailsCommand).rejects(awsError('ExpiredTokenException'));

    await expect(discoverActivitySources(clients.cloudTrail, makeSnapshot())).rejects.toMatchObject({ name: 'ExpiredTokenException' });
  });

  it('Given --trail-arn and --access-role-arn, When discovered, Then they are used as given with no AWS call', async () => {
    const result = await discoverActivitySources(clients.cloudTrail, makeSnapshot(), { trailArn: trailArn('given'), accessRoleArn: roleArn('my-role') });

    expect(result).toMatchObject({ ready: true, trail: { source: 'flag', name: 'given', trail: { cloudTrailArn: trailArn('given'), allRegions: true } }, accessRole: { source: 'flag', roleArn: roleArn('my-role') } });
    expect(mocks.cloudTrail.calls()).toHaveLength(0);
  });
});

describe('findAccessRole', () => {
  it('Given no role trusts Access Analyzer, When searched, Then NO_ACCESS_ROLE links the doc and says what the role needs', () => {
    const roles = [makeRole({ name: 'app' }), makeRole({ name: 'humans', trustPolicy: trustPolicy(`arn:aws:iam::${ACCOUNT_ID}:root`) })];

    const result = findAccessRole(roles);

    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.problem).toMatchObject({ code: 'NO_ACCESS_ROLE', docUrl: POLICY_GENERATION_DOC });
    expect(result.problem.resolution).toContain('access-analyzer.amazonaws.com');
    expect(result.problem.resolution).toContain('s3:GetObject');
    expect(result.problem.resolution).toContain('kms:Decrypt');
  });

  it('Given a custom role and the console role both trust Access Analyzer, When searched, Then the console role is preferred', () => {
    const custom = makeRole({ name: 'aa-reader', trustPolicy: serviceTrustPolicy('access-analyzer.amazonaws.com') });

    const result = findAccessRole([custom, ACCESS_ROLE]);

    expect(result).toMatchObject({ found: true, choice: { roleArn: ACCESS_ROLE.arn, source: 'audit' } });
  });

  it('Given a role whose trust for Access Analyzer is a Deny, When searched, Then it is not used', () => {
    const denied = makeRole({
      name: 'AccessAnalyzerMonitorServiceRole_X',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { Service: ['access-analyzer.amazonaws.com'] }, Action: 'sts:AssumeRole' }] },
    });

    expect(findAccessRole([denied]).found).toBe(false);
  });
});

describe('checkActivitySourceArns', () => {
  it.each([
    ['trailArn', 'my-trail', 'INVALID_TRAIL_ARN'],
    ['trailArn', `arn:aws:s3:::bucket`, 'INVALID_TRAIL_ARN'],
    ['trailArn', `arn:aws:cloudtrail:us-east-1:12345:trail/x`, 'INVALID_TRAIL_ARN'],
    ['accessRoleArn', `arn:aws:iam::${ACCOUNT_ID}:user/bob`, 'INVALID_ACCESS_ROLE_ARN'],
    ['accessRoleArn', 'AccessAnalyzerMonitorServiceRole', 'INVALID_ACCESS_ROLE_ARN'],
  ])('Given %s %s, When checked, Then a UserError %s is raised', (field, value, code) => {
    let caught: unknown;
    try {
      checkActivitySourceArns({ [field]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect(caught).toMatchObject({ code });
  });

  it('Given well-formed ARNs (role with a path, GovCloud trail), When checked, Then they pass', () => {
    expect(() =>
      checkActivitySourceArns({ trailArn: `arn:aws-us-gov:cloudtrail:us-gov-west-1:${ACCOUNT_ID}:trail/main.trail_1`, accessRoleArn: roleArn('AccessAnalyzerMonitorServiceRole_1', '/service-role/') }),
    ).not.toThrow();
  });
});
