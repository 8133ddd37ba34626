import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import { PS_KIND } from '../../../src/phases/create-permission-sets/permission-set-actions.js';
import { ABSENT_FINGERPRINT, fingerprintPermissionSet, planPermissionSets } from '../../../src/phases/create-permission-sets/plan-permission-sets.js';
import type { CurrentPermissionSet, DesiredPermissionSet } from '../../../src/phases/create-permission-sets/types.js';
import { ACCOUNT_A, ACCOUNT_B, INSTANCE_ARN, READ_ONLY_ARN, S3_READ_ONLY_ARN, VIEW_ONLY_ARN, allowStatement, currentOf, desiredSet, policy } from './fixtures.js';

const DEV_POLICY = policy(allowStatement(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::app-bucket/*'));

const summary = (actions: PlannedAction[]) => actions.map((a) => [a.id, a.kind, a.risk]);
const plan = (desired: DesiredPermissionSet[], current: CurrentPermissionSet[]) => planPermissionSets(desired, new Map(current.map((c) => [c.name, c])), INSTANCE_ARN);

describe('planPermissionSets: new sets', () => {
  it('Given a set that does not exist, When planned, Then it is created and then given each policy, all depending on the creation', () => {
    const developers = desiredSet({
      name: 'Developers',
      managedPolicies: [VIEW_ONLY_ARN, READ_ONLY_ARN],
      customerManagedPolicies: [{ name: 'deploy', path: '/app/' }],
      inlinePolicy: DEV_POLICY,
      permissionsBoundary: { managedPolicyArn: S3_READ_ONLY_ARN },
      tags: { 'iam2idc:managed': 'true', 'iam2idc:source': 'group:Developers' },
    });

    const actions = plan([developers], []);

    expect(summary(actions)).toEqual([
      ['ps/Developers/create', PS_KIND.create, 'broadening'],
      ['ps/Developers/attach-managed/ReadOnlyAccess', PS_KIND.attachManaged, 'broadening'],
      ['ps/Developers/attach-managed/job-function/ViewOnlyAccess', PS_KIND.attachManaged, 'broadening'],
      ['ps/Developers/attach-customer-managed/app/deploy', PS_KIND.attachCustomerManaged, 'broadening'],
      ['ps/Developers/put-inline', PS_KIND.putInline, 'broadening'],
      ['ps/Developers/put-boundary', PS_KIND.putBoundary, 'narrowing'],
    ]);
    expect(actions.slice(1).every((a) => a.dependsOn.join() === 'ps/Developers/create')).toBe(true);
    expect(actions.every((a) => a.fingerprint === ABSENT_FINGERPRINT && a.service === 'sso-admin' && a.target === 'permission set Developers')).toBe(true);
    expect(actions[0]?.params).toEqual({
      instanceArn: INSTANCE_ARN,
      permissionSetName: 'Developers',
      description: null,
      sessionDuration: 'PT8H',
      tags: { 'iam2idc:managed': 'true', 'iam2idc:source': 'group:Developers' },
    });
  });

  it('Given a plan, When saved as JSON, Then it round-trips and addresses sets by name, never by ARN', () => {
    const developers = desiredSet({ name: 'Developers', managedPolicies: [READ_ONLY_ARN], inlinePolicy: DEV_POLICY });
    const ops = desiredSet({ name: 'Ops', managedPolicies: [READ_ONLY_ARN] });

    const actions = plan([developers, ops], [currentOf(desiredSet({ name: 'Ops' }), 2, { provisionedAccounts: [ACCOUNT_A] })]);

    expect(JSON.parse(JSON.stringify(actions))).toEqual(actions);
    expect(JSON.stringify(actions.map((a) => a.params))).not.toContain(':permissionSet/');
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });
});

describe('planPermissionSets: existing sets', () => {
  const base = desiredSet({
    name: 'Developers',
    description: 'Developers of the app',
    managedPolicies: [READ_ONLY_ARN],
    customerManagedPolicies: [{ name: 'deploy', path: '/app/' }],
    inlinePolicy: DEV_POLICY,
  });

  it('Given a set that matches, with its policy formatted and ordered differently, When planned, Then nothing is planned', () => {
    const reordered = { Statement: [{ Resource: ['arn:aws:s3:::app-bucket/*'], Action: ['s3:PutObject', 's3:GetObject', 's3:GetObject'], Effect: 'Allow' as const }], Version: '2012-10-17' };
    const current = currentOf(base, 1, { inlinePolicy: reordered, sessionDuration: 'PT480M', tags: { 'iam2idc:managed': 'true', 'cost-center': '42' }, provisionedAccounts: [ACCOUNT_A] });

    expect(plan([base], [current])).toEqual([]);
  });

  it('Given a set that is not in the mapping, When planned, Then it never appears', () => {
    const other = currentOf(desiredSet({ name: 'SomeoneElses', managedPolicies: [READ_ONLY_ARN] }), 9, { provisionedAccounts: [ACCOUNT_A], outdatedAccounts: [ACCOUNT_A] });

    const actions = plan([base], [currentOf(base, 1), other]);

    expect(actions).toEqual([]);
  });

  it('Given every kind of difference, When planned, Then each becomes one action of the right kind and risk', () => {
    const desired = { ...base, description: 'New text', sessionDuration: 'PT12H', managedPolicies: [VIEW_ONLY_ARN], customerManagedPolicies: [{ name: 'deploy2', path: '/' }], tags: { 'iam2idc:managed': 'true', 'iam2idc:source': 'group:Developers' } };
    const current = currentOf(base, 1, {
      permissionsBoundary: { managedPolicyArn: S3_READ_ONLY_ARN },
      inlinePolicy: policy(allowStatement('s3:GetObject', 'arn:aws:s3:::app-bucket/*')),
      tags: { 'iam2idc:managed': 'true', 'iam2idc:legacy': 'x', 'cost-center': '42' },
    });

    const actions = plan([desired], [current]);

    expect(summary(actions)).toEqual([
      ['ps/Developers/update', PS_KIND.update, 'broadening'],
      ['ps/Developers/attach-managed/job-function/ViewOnlyAccess', PS_KIND.attachManaged, 'broadening'],
      ['ps/Developers/detach-managed/ReadOnlyAccess', PS_KIND.detachManaged, 'narrowing'],
      ['ps/Developers/attach-customer-managed/deploy2', PS_KIND.attachCustomerManaged, 'broadening'],
      ['ps/Developers/detach-customer-managed/app/deploy', PS_KIND.detachCustomerManaged, 'narrowing'],
      ['ps/Developers/put-inline', PS_KIND.putInline, 'broadening'],
      ['ps/Developers/delete-boundary', PS_KIND.deleteBoundary, 'broadening'],
      ['ps/Developers/tag', PS_KIND.tag, 'narrowing'],
      ['ps/Developers/untag', PS_KIND.untag, 'narrowing'],
    ]);
    expect(actions.every((a) => a.dependsOn.length === 0 && a.fingerprint === fingerprintPermissionSet(current))).toBe(true);
    expect(actions.find((a) => a.kind === PS_KIND.update)?.params).toMatchObject({ description: 'New text', sessionDuration: 'PT12H' });
    // Tags that are not the tool's are someone else's.
    expect(actions.find((a) => a.kind === PS_KIND.untag)?.params).toMatchObject({ tagKeys: ['iam2idc:legacy'] });
  });

  it('Given a shorter session, a removed inline policy and a new boundary, When planned, Then they are narrowing', () => {
    const desired = { ...base, sessionDuration: 'PT1H', inlinePolicy: null, permissionsBoundary: { managedPolicyArn: S3_READ_ONLY_ARN } };

    const actions = plan([desired], [currentOf(base, 1)]);

    expect(summary(actions)).toEqual([
      ['ps/Developers/update', PS_KIND.update, 'narrowing'],
      ['ps/Developers/delete-inline', PS_KIND.deleteInline, 'narrowing'],
      ['ps/Developers/put-boundary', PS_KIND.putBoundary, 'narrowing'],
    ]);
  });

  it('Given an inline policy that loses an action, When planned, Then the put is narrowing; one that gains an action is broadening', () => {
    const smaller = { ...base, inlinePolicy: policy(allowStatement('s3:GetObject', 'arn:aws:s3:::app-bucket/*')) };
    const wider = { ...base, inlinePolicy: policy(allowStatement(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::*')) };

    expect(plan([smaller], [currentOf(base, 1)]).map((a) => a.risk)).toEqual(['narrowing']);
    expect(plan([wider], [currentOf(base, 1)]).map((a) => a.risk)).toEqual(['broadening']);
  });

  it('Given no description in the mapping and one in Identity Center, When planned, Then it is left as it is', () => {
    expect(plan([{ ...base, description: null }], [currentOf(base, 1)])).toEqual([]);
  });

  it('Given a provisioned set that changes, When planned, Then one provisioning follows all its changes but not its tags', () => {
    const desired = { ...base, managedPolicies: [READ_ONLY_ARN, VIEW_ONLY_ARN], inlinePolicy: null, tags: { 'iam2idc:managed': 'false' } };
    const current = currentOf(base, 1, { provisionedAccounts: [ACCOUNT_A, ACCOUNT_B] });

    const actions = plan([desired], [current]);

    const provision = actions.at(-1);
    expect(provision).toMatchObject({ id: 'ps/Developers/provision', kind: PS_KIND.provision, risk: 'broadening', params: { instanceArn: INSTANCE_ARN, permissionSetName: 'Developers' } });
    expect(provision?.dependsOn).toEqual(['ps/Developers/attach-managed/job-function/ViewOnlyAccess', 'ps/Developers/delete-inline']);
  });

  it('Given a set that is not provisioned anywhere, When it changes, Then nothing is provisioned', () => {
    const actions = plan([{ ...base, managedPolicies: [] }], [currentOf(base, 1)]);

    expect(actions.map((a) => a.kind)).toEqual([PS_KIND.detachManaged]);
  });

  it('Given an unchanged set that an account does not have the latest version of, When planned, Then only the provisioning is planned', () => {
    const actions = plan([base], [currentOf(base, 1, { provisionedAccounts: [ACCOUNT_A], outdatedAccounts: [ACCOUNT_A] })]);

    expect(summary(actions)).toEqual([['ps/Developers/provision', PS_KIND.provision, 'broadening']]);
    expect(actions[0]?.dependsOn).toEqual([]);
  });

  it('Given a set with a boundary the mapping does not mention, When planned, Then the boundary is left alone', () => {
    const current = currentOf(base, 1, { permissionsBoundary: { managedPolicyArn: S3_READ_ONLY_ARN } });

    expect(plan([{ ...base, permissionsBoundary: undefined }], [current])).toEqual([]);
  });

  it('Given tags and a boundary that the endpoint could not read, When planned, Then they are not changed blindly', () => {
    const current = currentOf(base, 1, { tags: {}, permissionsBoundary: null, unreadable: ['tags', 'permissionsBoundary'] });

    expect(plan([{ ...base, permissionsBoundary: { managedPolicyArn: S3_READ_ONLY_ARN } }], [current])).toEqual([]);
  });
});

describe('fingerprintPermissionSet', () => {
  const developers = currentOf(desiredSet({ name: 'Developers', managedPolicies: [READ_ONLY_ARN, VIEW_ONLY_ARN], inlinePolicy: DEV_POLICY }), 1, { provisionedAccounts: [ACCOUNT_A] });

  it('Given the same state read in another order, When fingerprinted, Then the fingerprint is the same', () => {
    const reordered = { ...developers, managedPolicies: [VIEW_ONLY_ARN, READ_ONLY_ARN], outdatedAccounts: [ACCOUNT_A] };

    expect(fingerprintPermissionSet(reordered)).toBe(fingerprintPermissionSet(developers));
  });

  it('Given a change to the set, a re-created set or no set, When fingerprinted, Then each differs', () => {
    const fingerprints = new Set([
      fingerprintPermissionSet(developers),
      fingerprintPermissionSet({ ...developers, managedPolicies: [READ_ONLY_ARN] }),
      fingerprintPermissionSet({ ...developers, arn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-9999999999999999' }),
      fingerprintPermissionSet({ ...developers, provisionedAccounts: [ACCOUNT_A, ACCOUNT_B] }),
      fingerprintPermissionSet(undefined),
    ]);

    expect(fingerprints.size).toBe(5);
    expect(fingerprintPermissionSet(undefined)).toBe(ABSENT_FINGERPRINT);
  });

});
