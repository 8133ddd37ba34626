import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../../src/model/inventory.js';
import { patchPath, suggestPolicyPatches, type PolicyPatch } from '../../../src/phases/watch-denied/suggest-policy-patches.js';
import type { DeniedActionGroup, PermissionSetDenials, WatchReport } from '../../../src/phases/watch-denied/watch-report.js';

const ACCOUNT = '111111111111';
const WINDOW = { since: '2026-11-29T10:00:00.000Z', until: '2026-11-30T10:00:00.000Z' };

function group(action: string, overrides: Partial<DeniedActionGroup> = {}): DeniedActionGroup {
  const resources = overrides.resources ?? [];
  return {
    action,
    actionKnown: true,
    deniedBy: 'identity-policy',
    explicit: false,
    fixable: true,
    count: 2,
    users: ['jane.doe'],
    firstSeen: '2026-11-29T12:00:00.000Z',
    lastSeen: '2026-11-30T09:00:00.000Z',
    exampleResources: resources.slice(0, 3),
    resources,
    withoutResource: resources.length === 0 ? 2 : 0,
    accounts: [ACCOUNT],
    regions: ['eu-west-1'],
    errorCodes: ['AccessDenied'],
    sampleMessage: null,
    ...overrides,
  };
}

function set(permissionSet: string, actions: DeniedActionGroup[], inMapping = true): PermissionSetDenials {
  return { permissionSet, inMapping, total: actions.reduce((n, g) => n + g.count, 0), actions };
}

function report(permissionSets: PermissionSetDenials[]): WatchReport {
  return {
    generatedAt: '2026-11-30T10:00:05.000Z',
    accountId: ACCOUNT,
    logGroup: { name: 'aws-cloudtrail-logs-111111111111', region: 'eu-west-1', reason: 'the trail delivers to it' },
    engine: 'filter',
    window: WINDOW,
    follow: false,
    cutShort: false,
    readSkipped: false,
    stats: { requests: 1, received: 10, matched: 10, lastTimestampMs: null, incomplete: false, duplicates: 0 },
    totals: { denied: 0, fixable: 0, iamUserEvents: 0 },
    permissionSets,
    otherPrincipals: [],
    iamUsers: [],
  };
}

async function onlyPatch(groups: DeniedActionGroup[]): Promise<PolicyPatch> {
  const patches = await suggestPolicyPatches(report([set('Developers', groups)]));
  expect(patches).toHaveLength(1);
  return patches[0] as PolicyPatch;
}

function statements(patch: PolicyPatch): PolicyStatement[] {
  const { Statement } = patch.document;
  return Array.isArray(Statement) ? Statement : [Statement];
}

function actionsOf(statement: PolicyStatement): string[] {
  return statement.Action === undefined ? [] : Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The Resource of the statement that allows `action`. */
function resourceFor(patch: PolicyPatch, action: string): PolicyStatement['Resource'] {
  const matching = statements(patch).filter((s) => actionsOf(s).includes(action));
  expect(matching).toHaveLength(1);
  return matching[0]?.Resource;
}

function normalised(resource: PolicyStatement['Resource']): string[] | '*' {
  if (resource === '*' || (Array.isArray(resource) && resource.length === 1 && resource[0] === '*')) return '*';
  return resource === undefined ? [] : [resource].flat().sort();
}

describe('suggestPolicyPatches: which denials become suggestions', () => {
  it('Given sets in and out of the mapping, When suggested, Then only the mapped ones get a patch', async () => {
    const patches = await suggestPolicyPatches(
      report([set('Developers', [group('s3:ListAllMyBuckets')]), set('AdministratorAccess', [group('s3:ListAllMyBuckets')], false)]),
    );

    expect(patches.map((p) => p.permissionSet)).toEqual(['Developers']);
    expect(patches[0]).toMatchObject({ generatedAt: '2026-11-30T10:00:05.000Z', window: WINDOW });
  });

  it('Given fixable, unknown-cause and unfixable groups, When suggested, Then only the fixable and unknown ones are suggested, the unknown ones unverified', async () => {
    const patch = await onlyPatch([
      group('s3:ListAllMyBuckets'),
      group('ec2:DescribeInstances', { deniedBy: 'unknown', explicit: null, fixable: false }),
      group('s3:DeleteBucket', { deniedBy: 'identity-policy', explicit: true, fixable: false }),
      group('bedrock:InvokeModel', { deniedBy: 'service-control-policy', explicit: true, fixable: false }),
      group('organizations:ListAccounts', { deniedBy: 'service-control-policy', explicit: false, fixable: false }),
      group('iam:CreateRole', { deniedBy: 'permissions-boundary', explicit: false, fixable: false }),
      group('kms:Decrypt', { deniedBy: 'resource-policy', explicit: false, fixable: false }),
      group('sqs:SendMessage', { deniedBy: 'session-policy', explicit: false, fixable: false }),
      group('s3:PutObject', { deniedBy: 'vpc-endpoint-policy', explicit: false, fixable: false }),
      group('s3:GetObject', { deniedBy: 'resource-control-policy', explicit: true, fixable: false }),
    ]);

    expect(patch.actions.map((a) => [a.action, a.unverified])).toEqual([
      ['s3:ListAllMyBuckets', false],
      ['ec2:DescribeInstances', true],
    ]);
    const allowed = statements(patch).flatMap(actionsOf).sort();
    expect(allowed).toEqual(['ec2:DescribeInstances', 's3:ListAllMyBuckets']);
  });

  it('Given a fixable group whose action is not known, When suggested, Then it is not suggested', async () => {
    const patch = await onlyPatch([group('s3:ListAllMyBuckets'), group('newsvc:DoThing', { actionKnown: false })]);

    expect(patch.actions.map((a) => a.action)).toEqual(['s3:ListAllMyBuckets']);
    expect(statements(patch).flatMap(actionsOf)).not.toContain('newsvc:DoThing');
  });

  it('Given a mapped set with nothing suggestable, When suggested, Then it gets no patch', async () => {
    const patches = await suggestPolicyPatches(
      report([
        set('Developers', [
          group('s3:DeleteBucket', { explicit: true, fixable: false }),
          group('bedrock:InvokeModel', { deniedBy: 'service-control-policy', explicit: true, fixable: false }),
          group('newsvc:DoThing', { actionKnown: false }),
        ]),
        set('Empty', []),
      ]),
    );

    expect(patches).toEqual([]);
  });

  it('Given a suggestion, When suggested, Then its evidence is carried over', async () => {
    const patch = await onlyPatch([group('s3:ListAllMyBuckets', { count: 7, users: ['bob', 'jane.doe'], lastSeen: '2026-11-30T09:59:00.000Z' })]);

    expect(patch.actions[0]).toMatchObject({ action: 's3:ListAllMyBuckets', count: 7, users: ['bob', 'jane.doe'], lastSeen: '2026-11-30T09:59:00.000Z', unverified: false });
    expect(patch.actions[0]?.scope.length).toBeGreaterThan(0);
  });
});

describe('suggestPolicyPatches: scoping the resources', () => {
  it('Given s3:GetObject denied on two objects, each denial naming its object, When suggested, Then the statement allows exactly those two', async () => {
    const objects = ['arn:aws:s3:::acme-data/reports/2026.csv', 'arn:aws:s3:::acme-data/reports/2025.csv'];
    const patch = await onlyPatch([group('s3:GetObject', { resources: objects, withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toEqual(objects);
    expect(normalised(resourceFor(patch, 's3:GetObject'))).toEqual([...objects].sort());
  });

  it('Given an object key holding * and ?, When suggested, Then the statement names it literally, not as a wildcard', async () => {
    const patch = await onlyPatch([group('s3:GetObject', { resources: ['arn:aws:s3:::acme-data/what?-*.csv'], withoutResource: 0 })]);

    expect(normalised(resourceFor(patch, 's3:GetObject'))).toEqual(['arn:aws:s3:::acme-data/what${?}-${*}.csv']);
  });

  it('Given a wildcard-only action, When suggested, Then the resource is "*" even when resources were seen', async () => {
    const patch = await onlyPatch([group('s3:ListAllMyBuckets', { resources: ['arn:aws:s3:::acme-data'], withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toBe('*');
    expect(normalised(resourceFor(patch, 's3:ListAllMyBuckets'))).toBe('*');
  });

  it('Given a group where some denials named no resource, When suggested, Then the resource is "*"', async () => {
    const patch = await onlyPatch([group('s3:GetObject', { resources: ['arn:aws:s3:::acme-data/a.csv'], withoutResource: 1 })]);

    expect(patch.actions[0]?.resources).toBe('*');
    expect(normalised(resourceFor(patch, 's3:GetObject'))).toBe('*');
  });

  it('Given a group with no resources at all, When suggested, Then the resource is "*"', async () => {
    const patch = await onlyPatch([group('s3:GetObject', { resources: [], withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toBe('*');
  });

  it('Given ten resources, When suggested, Then they are still scoped', async () => {
    const objects = Array.from({ length: 10 }, (_, i) => `arn:aws:s3:::acme-data/part-${String(i).padStart(2, '0')}.csv`);
    const patch = await onlyPatch([group('s3:GetObject', { resources: objects, withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toEqual(objects);
  });

  it('Given more than ten resources, When suggested, Then the resource is "*"', async () => {
    const objects = Array.from({ length: 11 }, (_, i) => `arn:aws:s3:::acme-data/part-${String(i).padStart(2, '0')}.csv`);
    const patch = await onlyPatch([group('s3:GetObject', { resources: objects, withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toBe('*');
    expect(normalised(resourceFor(patch, 's3:GetObject'))).toBe('*');
  });

  it('Given ec2:RunInstances, which needs several resource types, with one instance seen, When suggested, Then the resource is "*"', async () => {
    const patch = await onlyPatch([group('ec2:RunInstances', { resources: ['arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc123def4567890'], withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toBe('*');
  });

  it('Given an action with one required resource type and a matching ARN, When suggested, Then it is scoped to it', async () => {
    const table = 'arn:aws:dynamodb:eu-west-1:111111111111:table/Orders';
    const patch = await onlyPatch([group('dynamodb:GetItem', { resources: [table], withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toEqual([table]);
    expect(normalised(resourceFor(patch, 'dynamodb:GetItem'))).toEqual([table]);
  });

  it.each([
    ['an SQS queue for s3:GetObject', 's3:GetObject', 'arn:aws:sqs:eu-west-1:111111111111:orders'],
    ['a bucket for s3:GetObject (an object is needed)', 's3:GetObject', 'arn:aws:s3:::acme-data'],
    ['an IAM user for iam:GetRole', 'iam:GetRole', 'arn:aws:iam::111111111111:user/alice'],
  ])('Given a resource that is not a resource type of the action (%s), When suggested, Then the resource is "*"', async (_label, action, arn) => {
    const patch = await onlyPatch([group(action, { resources: [arn], withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toBe('*');
    expect(normalised(resourceFor(patch, action))).toBe('*');
  });

  it('Given one matching and one foreign resource, When suggested, Then the resource is "*"', async () => {
    const patch = await onlyPatch([
      group('s3:GetObject', { resources: ['arn:aws:s3:::acme-data/a.csv', 'arn:aws:sqs:eu-west-1:111111111111:orders'], withoutResource: 0 }),
    ]);

    expect(patch.actions[0]?.resources).toBe('*');
  });

  it('Given an IAM role with a path, When suggested for iam:GetRole, Then it is scoped to it', async () => {
    const role = 'arn:aws:iam::111111111111:role/service-role/ci-deploy';
    const patch = await onlyPatch([group('iam:GetRole', { resources: [role], withoutResource: 0 })]);

    expect(patch.actions[0]?.resources).toEqual([role]);
  });
});

describe('suggestPolicyPatches: the policy document', () => {
  const objects = ['arn:aws:s3:::acme-data/a.csv', 'arn:aws:s3:::acme-data/b.csv'];
  const groups = [
    group('s3:ListAllMyBuckets'),
    group('ec2:DescribeInstances', { deniedBy: 'unknown', explicit: null, fixable: false }),
    group('s3:GetObject', { resources: objects, withoutResource: 0 }),
    group('s3:PutObject', { resources: objects, withoutResource: 0 }),
    group('dynamodb:GetItem', { resources: ['arn:aws:dynamodb:eu-west-1:111111111111:table/Orders'], withoutResource: 0 }),
  ];

  it('Given several suggestions, When suggested, Then the document is a valid Allow-only policy naming every suggested action', async () => {
    const patch = await onlyPatch(groups);
    const all = statements(patch);

    expect(patch.document.Version).toBe('2012-10-17');
    expect(all.length).toBeGreaterThan(0);
    for (const statement of all) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
      expect(statement.Resource).toBeDefined();
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
    }
    expect(new Set(all.map((s) => s.Sid)).size).toBe(all.length);
    const allowed = all.flatMap(actionsOf);
    for (const action of patch.actions) expect(allowed).toContain(action.action);
    expect(allowed.sort()).toEqual(['dynamodb:GetItem', 'ec2:DescribeInstances', 's3:GetObject', 's3:ListAllMyBuckets', 's3:PutObject']);
  });

  it('Given actions with the same resources, When suggested, Then they share a statement, and others do not', async () => {
    const patch = await onlyPatch(groups);
    const all = statements(patch);

    expect(all).toHaveLength(3);
    const byActions = Object.fromEntries(all.map((s) => [actionsOf(s).slice().sort().join(','), normalised(s.Resource)]));
    expect(byActions).toEqual({
      'ec2:DescribeInstances,s3:ListAllMyBuckets': '*',
      's3:GetObject,s3:PutObject': objects,
      'dynamodb:GetItem': ['arn:aws:dynamodb:eu-west-1:111111111111:table/Orders'],
    });
  });

  it('Given two mapped sets, When suggested, Then each gets its own patch with only its actions', async () => {
    const patches = await suggestPolicyPatches(
      report([set('Developers', [group('s3:ListAllMyBuckets')]), set('DataEng', [group('athena:StartQueryExecution', { deniedBy: 'unknown', explicit: null, fixable: false })])]),
    );

    const bySet = Object.fromEntries(patches.map((p) => [p.permissionSet, statements(p).flatMap(actionsOf)]));
    expect(bySet).toEqual({ Developers: ['s3:ListAllMyBuckets'], DataEng: ['athena:StartQueryExecution'] });
  });
});

describe('patchPath', () => {
  it.each([
    ['Developers', 'policies/patches/Developers.patch.json'],
    ['Data_Eng_Team', 'policies/patches/Data_Eng_Team.patch.json'],
  ])('Given the set %s, When its patch path is asked, Then it is %s', (permissionSet, expected) => {
    expect(patchPath(permissionSet)).toBe(expected);
  });
});
