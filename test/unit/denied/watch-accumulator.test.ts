import { describe, expect, it } from 'vitest';
import type { IamUserCredential, Principal } from '../../../src/phases/watch-denied/attribute-principal.js';
import type { ResolvedAction } from '../../../src/phases/watch-denied/resolve-event-action.js';
import { parseTrailEvent, type TrailEvent } from '../../../src/phases/watch-denied/trail-event.js';
import { WatchAccumulator, type AccumulatorContext } from '../../../src/phases/watch-denied/watch-accumulator.js';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const BUCKET = 'arn:aws:s3:::acme-data';
const object = (key: string) => `${BUCKET}/${key}`;

let nextId = 0;

function trailEvent(overrides: Partial<TrailEvent> = {}): TrailEvent {
  nextId += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(nextId).padStart(12, '0')}`,
    eventTime: '2026-11-30T10:00:00.000Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    region: 'eu-west-1',
    recipientAccountId: ACCOUNT,
    sourceIp: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0',
    errorCode: null,
    errorMessage: null,
    principal: idc('Developers', 'jane.doe'),
    resources: [],
    ...overrides,
  };
}

function idc(permissionSet: string, userName: string): Principal {
  return {
    type: 'identity-center',
    permissionSet,
    userName,
    roleName: `AWSReservedSSO_${permissionSet}_0123456789abcdef`,
    accountId: ACCOUNT,
    identityStoreUserId: null,
  };
}

function iamUser(
  userName: string,
  options: { userId?: string | null; accountId?: string | null; accessKeyId?: string | null; credential?: IamUserCredential } = {},
): Principal {
  return {
    type: 'iam-user',
    userName,
    userId: options.userId === undefined ? 'AIDAEXAMPLEUSER00001' : options.userId,
    accountId: options.accountId === undefined ? ACCOUNT : options.accountId,
    accessKeyId: options.accessKeyId === undefined ? 'AKIAEXAMPLEKEY000001' : options.accessKeyId,
    credential: options.credential ?? 'access-key',
  };
}

function sessionArn(principal: Principal): string {
  if (principal.type === 'identity-center') return `arn:aws:sts::${ACCOUNT}:assumed-role/${principal.roleName}/${principal.userName}`;
  if (principal.type === 'iam-user') return `arn:aws:iam::${ACCOUNT}:user/${principal.userName}`;
  return `arn:aws:iam::${ACCOUNT}:root`;
}

/** A denial with the AWS message shape "… is not authorized to perform: <action> on resource: <arn> because …". */
function denial(principal: Principal, action: string, resource: string | null, options: Partial<TrailEvent> & { reason?: string } = {}): TrailEvent {
  const { reason = 'because no identity-based policy allows the {action} action', ...overrides } = options;
  const on = resource === null ? '' : ` on resource: ${resource}`;
  return trailEvent({
    principal,
    errorCode: 'AccessDenied',
    errorMessage: `User: ${sessionArn(principal)} is not authorized to perform: ${action}${on} ${reason.replace('{action}', action)}`,
    ...overrides,
  });
}

const known = (action: string): ResolvedAction => ({ action, known: true });

function accumulator(context: Partial<AccumulatorContext> = {}): WatchAccumulator {
  return new WatchAccumulator({
    accountId: ACCOUNT,
    mappedPermissionSets: new Set(['Developers']),
    userKinds: new Map(),
    ...context,
  });
}

describe('WatchAccumulator: denials of Identity Center sessions', () => {
  it('Given denials of two sets, When folded, Then they are grouped by permission set and action with their evidence', () => {
    const acc = accumulator();
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv'), { eventTime: '2026-11-30T10:05:00.000Z' }), known('s3:GetObject'));
    acc.add(denial(idc('Developers', 'bob'), 's3:GetObject', object('b.csv'), { eventTime: '2026-11-30T10:01:00.000Z', region: 'us-east-1' }), known('s3:GetObject'));
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv'), { eventTime: '2026-11-30T10:09:00.000Z' }), known('s3:GetObject'));
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:ListBucket', BUCKET, { eventTime: '2026-11-30T10:02:00.000Z' }), known('s3:ListBucket'));
    acc.add(denial(idc('Ops', 'carol'), 'ec2:StopInstances', 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc123def4567890'), known('ec2:StopInstances'));

    const sets = acc.permissionSets();

    expect(sets.map((s) => [s.permissionSet, s.total])).toEqual([
      ['Developers', 4],
      ['Ops', 1],
    ]);
    const developers = sets[0];
    expect(developers?.actions.map((g) => [g.action, g.count])).toEqual([
      ['s3:GetObject', 3],
      ['s3:ListBucket', 1],
    ]);
    expect(developers?.actions[0]).toEqual({
      action: 's3:GetObject',
      actionKnown: true,
      deniedBy: 'identity-policy',
      explicit: false,
      fixable: true,
      count: 3,
      users: ['bob', 'jane.doe'],
      firstSeen: '2026-11-30T10:01:00.000Z',
      lastSeen: '2026-11-30T10:09:00.000Z',
      exampleResources: [object('a.csv'), object('b.csv')],
      resources: [object('a.csv'), object('b.csv')],
      withoutResource: 0,
      accounts: [ACCOUNT],
      regions: ['eu-west-1', 'us-east-1'],
      errorCodes: ['AccessDenied'],
      sampleMessage: expect.stringContaining('s3:GetObject'),
    });
    expect(acc.otherPrincipals()).toEqual([]);
    expect(acc.counts).toEqual({ denied: 5, iamUserEvents: 0 });
  });

  it('Given one action denied on five resources, When folded, Then three are examples and all five are kept for scoping', () => {
    const acc = accumulator();
    const keys = ['e.csv', 'd.csv', 'c.csv', 'b.csv', 'a.csv'];
    for (const key of keys) acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object(key)), known('s3:GetObject'));

    const [group] = acc.permissionSets()[0]?.actions ?? [];

    expect(group?.exampleResources).toEqual([object('e.csv'), object('d.csv'), object('c.csv')]);
    expect(group?.resources).toEqual(keys.map(object).sort());
    expect(group?.withoutResource).toBe(0);
  });

  it('Given denials naming no resource, in the message or in resources, When folded, Then they are counted as without resource', () => {
    const acc = accumulator();
    const encoded = { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation. Encoded authorization failure message: abc123' };
    acc.add(trailEvent({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', ...encoded }), known('ec2:RunInstances'));
    acc.add(trailEvent({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', ...encoded, resources: ['arn:aws:ec2:eu-west-1:111111111111:instance/i-1'] }), known('ec2:RunInstances'));

    const [group] = acc.permissionSets()[0]?.actions ?? [];

    expect(group).toMatchObject({ action: 'ec2:RunInstances', deniedBy: 'unknown', explicit: null, fixable: false, count: 2, withoutResource: 1 });
    expect(group?.resources).toEqual(['arn:aws:ec2:eu-west-1:111111111111:instance/i-1']);
    expect(group?.errorCodes).toEqual(['Client.UnauthorizedOperation']);
  });

  it('Given a message that names a resource and an event that lists others, When folded, Then the message resource is used', () => {
    const acc = accumulator();
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', `"${object('a.csv')}"`, { resources: [BUCKET, object('a.csv')] }), known('s3:GetObject'));

    expect(acc.permissionSets()[0]?.actions[0]?.resources).toEqual([object('a.csv')]);
  });

  it('Given the same action denied by the identity policy and by an SCP, When folded, Then they are two groups', () => {
    const acc = accumulator();
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));
    acc.add(denial(idc('Developers', 'bob'), 's3:GetObject', object('a.csv'), { reason: 'with an explicit deny in a service control policy' }), known('s3:GetObject'));

    const actions = acc.permissionSets()[0]?.actions ?? [];

    expect(actions.map((g) => ({ action: g.action, deniedBy: g.deniedBy, explicit: g.explicit, fixable: g.fixable, count: g.count, users: g.users }))).toEqual([
      { action: 's3:GetObject', deniedBy: 'identity-policy', explicit: false, fixable: true, count: 2, users: ['jane.doe'] },
      { action: 's3:GetObject', deniedBy: 'service-control-policy', explicit: true, fixable: false, count: 1, users: ['bob'] },
    ]);
    expect(acc.permissionSets()[0]?.total).toBe(3);
  });

  it('Given an explicit and an implicit identity-policy denial of one action, When folded, Then they are two groups', () => {
    const acc = accumulator();
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:DeleteObject', object('a.csv')), known('s3:DeleteObject'));
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:DeleteObject', object('a.csv'), { reason: 'with an explicit deny in an identity-based policy' }), known('s3:DeleteObject'));

    const groups = acc.permissionSets()[0]?.actions ?? [];

    expect(groups.map((g) => g.explicit).sort()).toEqual([false, true]);
  });

  it('Given an unknown action, When folded, Then the group says the action is not known', () => {
    const acc = accumulator();
    acc.add(denial(idc('Developers', 'jane.doe'), 'newsvc:DoThing', null), { action: 'newsvc:DoThing', known: false });

    expect(acc.permissionSets()[0]?.actions[0]).toMatchObject({ action: 'newsvc:DoThing', actionKnown: false });
  });

  it('Given sets in and out of the mapping, When reported, Then inMapping follows the mapped permission sets', () => {
    const acc = accumulator({ mappedPermissionSets: new Set(['Developers', 'ReadOnly']) });
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));
    acc.add(denial(idc('AdministratorAccess', 'root.admin'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));

    const inMapping = Object.fromEntries(acc.permissionSets().map((s) => [s.permissionSet, s.inMapping]));

    expect(inMapping).toEqual({ Developers: true, AdministratorAccess: false });
  });

  it('Given sets with equal totals, When reported, Then they are sorted by name', () => {
    const acc = accumulator();
    for (const set of ['Zeta', 'Alpha', 'Mid']) acc.add(denial(idc(set, 'jane.doe'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));
    acc.add(denial(idc('Mid', 'jane.doe'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));

    expect(acc.permissionSets().map((s) => s.permissionSet)).toEqual(['Mid', 'Alpha', 'Zeta']);
  });
});

describe('WatchAccumulator: the value of add()', () => {
  it('Given a denial of an Identity Center session, When added, Then the line names the set, the user and the cause', () => {
    const acc = accumulator();
    const event = denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv'), { region: 'eu-west-1', eventTime: '2026-11-30T10:07:00.000Z' });

    const line = acc.add(event, known('s3:GetObject'));

    expect(line).toEqual({
      eventId: event.eventId,
      time: '2026-11-30T10:07:00.000Z',
      permissionSet: 'Developers',
      principal: 'jane.doe',
      action: 's3:GetObject',
      resource: object('a.csv'),
      region: 'eu-west-1',
      accountId: ACCOUNT,
      cause: { deniedBy: 'identity-policy', explicit: false, fixableByPermissionSet: true, action: 's3:GetObject', resource: object('a.csv') },
    });
  });

  it('Given a denial of an IAM user, When added, Then the line has no permission set and names the user', () => {
    const acc = accumulator();

    const line = acc.add(denial(iamUser('alice'), 'iam:ListUsers', null), known('iam:ListUsers'));

    expect(line?.permissionSet).toBeNull();
    expect(line?.principal).toContain('alice');
    expect(line?.resource).toBeNull();
    expect(line?.cause.deniedBy).toBe('identity-policy');
  });

  it.each([
    ['an Identity Center session', idc('Developers', 'jane.doe')],
    ['an IAM user', iamUser('alice')],
  ])('Given an allowed call of %s, When added, Then no line is returned and nothing is counted as denied', (_label, principal) => {
    const acc = accumulator();

    expect(acc.add(trailEvent({ principal }), known('s3:GetObject'))).toBeNull();
    expect(acc.add(trailEvent({ principal, errorCode: 'NoSuchKey', errorMessage: 'The specified key does not exist.' }), known('s3:GetObject'))).toBeNull();
    expect(acc.counts.denied).toBe(0);
    expect(acc.permissionSets()).toEqual([]);
    expect(acc.otherPrincipals()).toEqual([]);
  });
});

describe('WatchAccumulator: denials of other principals', () => {
  it('Given denials of an IAM user, a role and root, When folded, Then they are listed per principal and not as permission sets', () => {
    const acc = accumulator();
    const role: Principal = { type: 'role', roleName: 'ci-deploy', sessionName: 'build-42', accountId: ACCOUNT };
    const root: Principal = { type: 'root', accountId: ACCOUNT };
    acc.add(denial(iamUser('alice'), 'iam:ListUsers', null), known('iam:ListUsers'));
    acc.add(denial(iamUser('alice'), 'iam:ListUsers', null), known('iam:ListUsers'));
    acc.add(denial(iamUser('alice'), 'iam:ListRoles', null), known('iam:ListRoles'));
    acc.add(denial(role, 's3:PutObject', object('build.zip')), known('s3:PutObject'));
    acc.add(denial(root, 'organizations:LeaveOrganization', null, { reason: 'with an explicit deny in a service control policy' }), known('organizations:LeaveOrganization'));

    const others = acc.otherPrincipals();
    const byType = (type: Principal['type']) => others.find((p) => p.type === type);

    expect(acc.permissionSets()).toEqual([]);
    expect(others.map((p) => p.type)[0]).toBe('iam-user');
    expect(others.map((p) => [p.type, p.total]).sort()).toEqual([
      ['iam-user', 3],
      ['role', 1],
      ['root', 1],
    ]);
    expect(byType('iam-user')?.principal).toContain('alice');
    expect(byType('iam-user')?.actions.map((g) => [g.action, g.count])).toEqual([
      ['iam:ListUsers', 2],
      ['iam:ListRoles', 1],
    ]);
    expect(byType('iam-user')?.actions[0]?.users).toEqual([byType('iam-user')?.principal]);
    expect(byType('role')?.principal).toContain('ci-deploy');
    expect(byType('role')?.actions[0]).toMatchObject({ action: 's3:PutObject', resources: [object('build.zip')] });
    expect(byType('root')?.actions[0]).toMatchObject({ deniedBy: 'service-control-policy', explicit: true, fixable: false });
    expect(acc.counts.denied).toBe(5);
  });

  it('Given a denial of an Identity Center session and of an IAM user, When folded, Then each goes to its own list', () => {
    const acc = accumulator();
    acc.add(denial(idc('Developers', 'jane.doe'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));
    acc.add(denial(iamUser('alice'), 's3:GetObject', object('a.csv')), known('s3:GetObject'));

    expect(acc.permissionSets().map((s) => [s.permissionSet, s.total])).toEqual([['Developers', 1]]);
    expect(acc.otherPrincipals().map((p) => [p.type, p.total])).toEqual([['iam-user', 1]]);
  });
});

describe('WatchAccumulator: IAM users still in use', () => {
  it('Given calls of users of the workspace account and of another account, When reported, Then only the workspace account users are listed', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: iamUser('alice') }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('mallory', { accountId: OTHER_ACCOUNT, userId: 'AIDAEXAMPLEUSER00009' }), recipientAccountId: OTHER_ACCOUNT }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('trent', { accountId: null, userId: 'AIDAEXAMPLEUSER00008' }), recipientAccountId: OTHER_ACCOUNT }), known('s3:GetObject'));

    expect(acc.iamUsers().map((u) => u.userName)).toEqual(['alice']);
    expect(acc.counts.iamUserEvents).toBe(1);
  });

  it('Given an IAM user event parsed from CloudTrail JSON of another account, When added, Then the user is not listed', () => {
    const acc = accumulator();
    const json = {
      eventID: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
      eventTime: '2026-11-30T10:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      awsRegion: 'eu-west-1',
      recipientAccountId: OTHER_ACCOUNT,
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEUSER00002',
        arn: 'arn:aws:iam::222222222222:user/alice',
        accountId: OTHER_ACCOUNT,
        accessKeyId: 'AKIAEXAMPLEKEY000002',
        userName: 'alice',
      },
    };
    const event = parseTrailEvent(JSON.stringify(json));
    if (event === null) throw new Error('expected a CloudTrail event');

    acc.add(event, known('sts:GetCallerIdentity'));

    expect(acc.iamUsers()).toEqual([]);
  });

  it('Given a user event without accountId, When added, Then the recipient account decides', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: iamUser('alice', { accountId: null }), recipientAccountId: ACCOUNT }), known('s3:GetObject'));

    expect(acc.iamUsers().map((u) => u.userName)).toEqual(['alice']);
  });

  it('Given calls arriving out of order, When reported, Then first and last seen and the last event follow the event times', () => {
    const acc = accumulator();
    const user = iamUser('alice');
    acc.add(trailEvent({ principal: user, eventTime: '2026-11-30T11:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: user, eventTime: '2026-11-30T12:00:00.000Z', errorCode: 'AccessDenied', errorMessage: 'Access Denied' }), known('s3:PutObject'));
    acc.add(trailEvent({ principal: user, eventTime: '2026-11-30T11:30:00.000Z' }), known('s3:ListBucket'));
    acc.add(trailEvent({ principal: user, eventTime: '2026-11-30T09:00:00.000Z' }), known('sts:GetCallerIdentity'));

    const [alice] = acc.iamUsers();

    expect(alice).toMatchObject({
      userName: 'alice',
      userId: 'AIDAEXAMPLEUSER00001',
      eventCount: 4,
      deniedCount: 1,
      firstSeen: '2026-11-30T09:00:00.000Z',
      lastSeen: '2026-11-30T12:00:00.000Z',
      lastEvent: { time: '2026-11-30T12:00:00.000Z', action: 's3:PutObject', denied: true },
    });
  });

  it('Given source IPs and user agents, When reported, Then the top values come with their counts, most frequent first', () => {
    const acc = accumulator();
    const user = iamUser('alice');
    const calls: Array<[string, string]> = [
      ['203.0.113.10', 'aws-cli/2.15.0'],
      ['203.0.113.10', 'aws-cli/2.15.0'],
      ['203.0.113.10', 'Boto3/1.34.0'],
      ['198.51.100.7', 'Boto3/1.34.0'],
      ['198.51.100.7', 'aws-cli/2.15.0'],
      ['192.0.2.1', 'terraform/1.9.0'],
    ];
    for (const [sourceIp, userAgent] of calls) acc.add(trailEvent({ principal: user, sourceIp, userAgent }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: user, sourceIp: null, userAgent: null }), known('s3:GetObject'));

    const [alice] = acc.iamUsers();

    expect(alice?.sourceIps).toEqual([
      { value: '203.0.113.10', count: 3 },
      { value: '198.51.100.7', count: 2 },
      { value: '192.0.2.1', count: 1 },
    ]);
    expect(alice?.userAgents).toEqual([
      { value: 'aws-cli/2.15.0', count: 3 },
      { value: 'Boto3/1.34.0', count: 2 },
      { value: 'terraform/1.9.0', count: 1 },
    ]);
    expect(alice?.eventCount).toBe(7);
  });

  it('Given more than five source IPs, When reported, Then only the top five are listed', () => {
    const acc = accumulator();
    for (let i = 1; i <= 8; i += 1) {
      for (let n = 0; n < i; n += 1) acc.add(trailEvent({ principal: iamUser('alice'), sourceIp: `198.51.100.${i}` }), known('s3:GetObject'));
    }

    expect(acc.iamUsers()[0]?.sourceIps.map((v) => [v.value, v.count])).toEqual([
      ['198.51.100.8', 8],
      ['198.51.100.7', 7],
      ['198.51.100.6', 6],
      ['198.51.100.5', 5],
      ['198.51.100.4', 4],
    ]);
  });

  it('Given a very long user agent, When reported, Then it is shortened', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: iamUser('alice'), userAgent: `Mozilla/5.0 ${'x'.repeat(500)}` }), known('s3:GetObject'));

    const [agent] = acc.iamUsers()[0]?.userAgents ?? [];

    expect(agent?.value.startsWith('Mozilla/5.0 x')).toBe(true);
    expect(agent?.value.length).toBeLessThan(500);
  });

  it('Given calls with two keys, a session and the console, When reported, Then each key has its last use and calls, and the console is apart', () => {
    const acc = accumulator();
    const key1 = iamUser('alice', { accessKeyId: 'AKIAEXAMPLEKEY000001' });
    const key2 = iamUser('alice', { accessKeyId: 'AKIAEXAMPLEKEY000002' });
    const session = iamUser('alice', { accessKeyId: 'ASIAEXAMPLEKEY000003', credential: 'session' });
    const consoleLogin = iamUser('alice', { accessKeyId: null, credential: 'console' });
    const consoleCall = iamUser('alice', { accessKeyId: 'ASIAEXAMPLEKEY000004', credential: 'console' });
    acc.add(trailEvent({ principal: key1, eventTime: '2026-11-30T10:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: key1, eventTime: '2026-11-30T12:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: key1, eventTime: '2026-11-30T11:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: key2, eventTime: '2026-11-30T08:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: session, eventTime: '2026-11-30T09:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: consoleLogin, eventTime: '2026-11-30T13:00:00.000Z', eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin' }), { action: 'signin:ConsoleLogin', known: false });
    acc.add(trailEvent({ principal: consoleCall, eventTime: '2026-11-30T13:30:00.000Z' }), known('s3:ListAllMyBuckets'));
    acc.add(trailEvent({ principal: consoleCall, eventTime: '2026-11-30T13:10:00.000Z' }), known('s3:ListAllMyBuckets'));

    const [alice] = acc.iamUsers();

    expect(alice?.accessKeys).toEqual([
      { accessKeyId: 'AKIAEXAMPLEKEY000001', lastSeen: '2026-11-30T12:00:00.000Z', count: 3 },
      { accessKeyId: 'ASIAEXAMPLEKEY000003', lastSeen: '2026-11-30T09:00:00.000Z', count: 1 },
      { accessKeyId: 'AKIAEXAMPLEKEY000002', lastSeen: '2026-11-30T08:00:00.000Z', count: 1 },
    ]);
    expect(alice?.consoleLastSeen).toBe('2026-11-30T13:30:00.000Z');
    expect(alice?.lastSeen).toBe('2026-11-30T13:30:00.000Z');
    expect(alice?.eventCount).toBe(8);
  });

  it('Given a user who only used keys, When reported, Then consoleLastSeen is null', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: iamUser('ci-deploy') }), known('s3:GetObject'));

    expect(acc.iamUsers()[0]?.consoleLastSeen).toBeNull();
  });

  it('Given users listed in the mapping with another casing, When reported, Then their kind is found, and unlisted users have none', () => {
    const acc = accumulator({ userKinds: new Map<string, 'human' | 'machine' | 'skip'>([
        ['alice', 'human'],
        ['ci-deploy', 'machine'],
        ['legacy', 'skip'],
      ]) });
    acc.add(trailEvent({ principal: iamUser('Alice', { userId: 'AIDAEXAMPLEUSER00001' }) }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('CI-Deploy', { userId: 'AIDAEXAMPLEUSER00002' }) }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('legacy', { userId: 'AIDAEXAMPLEUSER00003' }) }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('stranger', { userId: 'AIDAEXAMPLEUSER00004' }) }), known('s3:GetObject'));

    const kinds = Object.fromEntries(acc.iamUsers().map((u) => [u.userName, u.kind]));

    expect(kinds).toEqual({ Alice: 'human', 'CI-Deploy': 'machine', legacy: 'skip', stranger: null });
  });

  it('Given several users, When reported, Then the most recently seen comes first', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: iamUser('bob', { userId: 'AIDAEXAMPLEUSER00002' }), eventTime: '2026-11-30T09:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('alice'), eventTime: '2026-11-30T11:00:00.000Z' }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('carol', { userId: 'AIDAEXAMPLEUSER00003' }), eventTime: '2026-11-30T10:00:00.000Z' }), known('s3:GetObject'));

    expect(acc.iamUsers().map((u) => u.userName)).toEqual(['alice', 'carol', 'bob']);
  });

  it('Given a first event without UserId and a later one with it, When reported, Then the UserId is filled in', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: iamUser('alice', { userId: null }) }), known('s3:GetObject'));
    acc.add(trailEvent({ principal: iamUser('alice', { userId: 'AIDAEXAMPLEUSER00001' }) }), known('s3:GetObject'));

    expect(acc.iamUsers()[0]?.userId).toBe('AIDAEXAMPLEUSER00001');
  });

  it('Given calls of Identity Center sessions only, When reported, Then no IAM user is listed', () => {
    const acc = accumulator();
    acc.add(trailEvent({ principal: idc('Developers', 'jane.doe') }), known('s3:GetObject'));

    expect(acc.iamUsers()).toEqual([]);
    expect(acc.counts.iamUserEvents).toBe(0);
  });
});
