import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import type { AuditSnapshot } from '../../../src/model/inventory.js';
import { planPolicySets, type PolicySetDraft } from '../../../src/phases/generate-policies/plan-policy-sets.js';
import { preparePolicyGeneration } from '../../../src/phases/generate-policies/prepare-policy-generation.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { ACCOUNT_ID, allow, policyDocument, userArn } from '../../fixtures/inventory.js';
import { DEPLOY_POLICY, READ_ONLY_ARN, S3_READ_ONLY_ARN, typicalSnapshot } from '../../fixtures/snapshot.js';

const OTHER_ACCOUNT = '222222222222';
const OU = 'ou-abcd-12345678';

/** The snapshot's deploy policy with a statement, so that inlining it shows in the packed policy. */
function snapshotWithDeployStatements(): AuditSnapshot {
  const deploy = { ...DEPLOY_POLICY, document: policyDocument(allow('s3:PutObject', 'arn:aws:s3:::app-bucket/*')) };
  return typicalSnapshot({ managedPolicies: [deploy] });
}

/** The mapping `audit` drafts for the snapshot, parsed as a command reads it. */
function draftedMapping(snapshot: AuditSnapshot): Mapping {
  return parseMapping(draftMapping(snapshot).toString(), 'mapping.yaml').mapping;
}

function draftNamed(drafts: PolicySetDraft[], name: string): PolicySetDraft {
  const draft = drafts.find((d) => d.name === name);
  if (!draft) throw new Error(`no draft for ${name}: ${drafts.map((d) => d.name).join(', ')}`);
  return draft;
}

describe('planPolicySets: sources', () => {
  it('Given a set drafted from an IAM group, When planned, Then it carries the group policies, packed, and its human members', () => {
    const snapshot = snapshotWithDeployStatements();

    const developers = draftNamed(planPolicySets(snapshot, draftedMapping(snapshot)), 'developers');

    expect(developers.source).toEqual({ kind: 'group', name: 'developers' });
    expect(developers.sources.awsManagedPolicyArns).toEqual([READ_ONLY_ARN]);
    expect(developers.sources.customerManaged.map((p) => p.arn)).toEqual([DEPLOY_POLICY.arn]);
    expect(developers.granted.managedPolicies).toEqual([READ_ONLY_ARN]);
    expect(developers.granted.customerManagedPolicies).toEqual([{ name: 'deploy-app', path: '/app/' }]);
    expect(developers.customerManagedAvailable).toBe(true);
    // ci-bot is a machine and mystery is drafted as skip: their activity must not shape a human's set.
    expect(developers.users).toEqual([
      { userName: 'jane.doe', arn: userArn('jane.doe') },
      { userName: 'bob', arn: userArn('bob') },
    ]);
  });

  it('Given a set drafted from the policies of one IAM user, When planned, Then it carries only that user policies and that user', () => {
    const snapshot = typicalSnapshot();

    const bob = draftNamed(planPolicySets(snapshot, draftedMapping(snapshot)), 'user-bob');

    expect(bob.source).toEqual({ kind: 'user', name: 'bob' });
    expect(bob.granted.managedPolicies).toEqual([S3_READ_ONLY_ARN]);
    expect(bob.users).toEqual([{ userName: 'bob', arn: userArn('bob') }]);
  });

  it('Given a member the operator reclassified as machine, When planned, Then that member is no longer a user of the set', () => {
    const snapshot = typicalSnapshot();
    const mapping = draftedMapping(snapshot);
    mapping.users['bob'] = { kind: 'machine' };

    const developers = draftNamed(planPolicySets(snapshot, mapping), 'developers');

    expect(developers.users.map((u) => u.userName)).toEqual(['jane.doe']);
  });

  it('Given a mapping that spells the source group in another case, When planned, Then the members are found as the policies are', () => {
    const snapshot = typicalSnapshot();
    const mapping = draftedMapping(snapshot);
    mapping.permissionSets['developers'] = { ...mapping.permissionSets['developers']!, source: { group: 'Developers' } };
    mapping.permissionSets['user-bob'] = { ...mapping.permissionSets['user-bob']!, source: { user: 'BOB' } };

    const drafts = planPolicySets(snapshot, mapping);

    expect(draftNamed(drafts, 'developers').granted.managedPolicies).toEqual([READ_ONLY_ARN]);
    expect(draftNamed(drafts, 'developers').users.map((u) => u.userName).sort()).toEqual(['bob', 'jane.doe']);
    expect(draftNamed(drafts, 'user-bob').users).toEqual([{ userName: 'bob', arn: userArn('bob') }]);
  });
});

describe('planPolicySets: customer-managed policies', () => {
  it.each([
    ['another account', [ACCOUNT_ID, OTHER_ACCOUNT]],
    ['an OU', [OU]],
  ])('Given a set also assigned to %s, When planned, Then its customer-managed policy is inlined with a note', (_label, targets) => {
    const snapshot = snapshotWithDeployStatements();
    const mapping = draftedMapping(snapshot);
    mapping.assignments.push({ group: 'developers', permissionSet: 'developers', targets });

    const developers = draftNamed(planPolicySets(snapshot, mapping), 'developers');

    expect(developers.customerManagedAvailable).toBe(false);
    expect(developers.granted.customerManagedPolicies).toEqual([]);
    expect(developers.granted.inlinePolicy?.Statement).toEqual([{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::app-bucket/*'] }]);
    expect(developers.granted.notes.map((n) => n.code)).toContain('CUSTOMER_MANAGED_INLINED');
  });

  it('Given a set that is not assigned yet, When planned, Then it is known only for the audited account and references its customer-managed policy', () => {
    const snapshot = snapshotWithDeployStatements();
    const mapping = draftedMapping(snapshot);
    mapping.assignments = mapping.assignments.filter((a) => a.permissionSet !== 'developers');

    const developers = draftNamed(planPolicySets(snapshot, mapping), 'developers');

    expect(developers.customerManagedAvailable).toBe(true);
    expect(developers.granted.customerManagedPolicies).toEqual([{ name: 'deploy-app', path: '/app/' }]);
  });

  it('Given another set assigned elsewhere, When planned, Then only that set loses its customer-managed references', () => {
    const snapshot = snapshotWithDeployStatements();
    const mapping = draftedMapping(snapshot);
    mapping.assignments.push({ group: 'ops', permissionSet: 'ops', targets: [OTHER_ACCOUNT] });

    const drafts = planPolicySets(snapshot, mapping);

    expect(draftNamed(drafts, 'ops').customerManagedAvailable).toBe(false);
    expect(draftNamed(drafts, 'developers').customerManagedAvailable).toBe(true);
  });
});

describe('planPolicySets: which sets', () => {
  it('Given a set without a source, When planned, Then it is the operator own and is left out', () => {
    const snapshot = typicalSnapshot();
    const mapping = draftedMapping(snapshot);
    mapping.permissionSets['hand-made'] = { sessionDuration: 'PT8H', managedPolicies: [READ_ONLY_ARN], customerManagedPolicies: [] };

    const names = planPolicySets(snapshot, mapping).map((d) => d.name);

    expect(names).not.toContain('hand-made');
    expect(names).toEqual(expect.arrayContaining(['developers', 'ops', 'user-bob']));
  });

  it('Given an only filter, When planned, Then only the named sets are drafted', () => {
    const snapshot = typicalSnapshot();

    const drafts = planPolicySets(snapshot, draftedMapping(snapshot), ['ops', 'user-bob']);

    expect(drafts.map((d) => d.name).sort()).toEqual(['ops', 'user-bob']);
  });

  it('Given an only filter that names a set without a source, When planned, Then nothing is drafted', () => {
    const snapshot = typicalSnapshot();
    const mapping = draftedMapping(snapshot);
    mapping.permissionSets['hand-made'] = { sessionDuration: 'PT8H', managedPolicies: [], customerManagedPolicies: [] };

    expect(planPolicySets(snapshot, mapping, ['hand-made'])).toEqual([]);
  });

  it.each([
    ['group', { group: 'ghosts' }],
    ['user', { user: 'nobody' }],
  ])('Given a set whose source %s is not in the audit, When planned, Then it is a usage error POLICY_SOURCE_NOT_FOUND', (_kind, source) => {
    const snapshot = typicalSnapshot();
    const mapping = draftedMapping(snapshot);
    mapping.permissionSets['developers'] = { ...mapping.permissionSets['developers']!, source };

    let caught: unknown;
    try {
      planPolicySets(snapshot, mapping);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(UserError);
    expect(caught).toMatchObject({ code: 'POLICY_SOURCE_NOT_FOUND' });
  });

  it('Given an unknown source outside the only filter, When planned, Then the other sets are drafted', () => {
    const snapshot = typicalSnapshot();
    const mapping = draftedMapping(snapshot);
    mapping.permissionSets['developers'] = { ...mapping.permissionSets['developers']!, source: { group: 'ghosts' } };

    expect(planPolicySets(snapshot, mapping, ['ops']).map((d) => d.name)).toEqual(['ops']);
  });
});

describe('preparePolicyGeneration: names checked before any file or AWS call', () => {
  // A workspace that does not exist: the checks must fail before anything is read.
  const nowhere = Workspace.at('/nonexistent/iam2idc-workspace');

  it.each([
    ['UNKNOWN_PERMISSION_SET', ['developers', 'no-such-set'], undefined],
    ['UNKNOWN_USER', undefined, ['jane.doe', 'no-such-user']],
  ])('Given names the mapping or the audit does not know, When prepared, Then it is a usage error %s', async (code, only, users) => {
    const snapshot = typicalSnapshot();
    const { mapping, document } = parseMapping(draftMapping(snapshot).toString(), 'mapping.yaml');

    const prepared = preparePolicyGeneration(nowhere, { snapshot, mapping, mappingDocument: document }, only, users);

    await expect(prepared).rejects.toBeInstanceOf(UserError);
    await expect(prepared).rejects.toMatchObject({ code });
  });
});
