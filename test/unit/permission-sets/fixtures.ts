import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-sso-admin';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import type { CurrentPermissionSet, DesiredPermissionSet, PollingOptions } from '../../../src/phases/create-permission-sets/types.js';
import { mappingSchema, type Mapping } from '../../../src/workspace/mapping-schema.js';
import { awsError, type mockAws } from '../support/aws-mocks.js';

/**
 * Fixture ID scheme for permission sets: instance `ssoins-1111111111111111`, set n is
 * `ps-<n padded to 16>`, accounts 111111111111 (the workspace's) and 222222222222.
 */
export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const READ_ONLY_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const VIEW_ONLY_ARN = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';
export const S3_READ_ONLY_ARN = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

/** Waiters in tests poll every millisecond or two. */
export const FAST_POLLING: PollingOptions = { minDelaySeconds: 0.001, maxDelaySeconds: 0.002, maxWaitSeconds: 2 };

export function psArn(n: number): string {
  return `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${String(n).padStart(16, '0')}`;
}

export function policy(...statements: PolicyDocument['Statement'][]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements.flat() };
}

export function allowStatement(action: string | string[], resource: string | string[] = '*'): PolicyDocument['Statement'] {
  return { Effect: 'Allow', Action: action, Resource: resource };
}

export function desiredSet(overrides: Partial<DesiredPermissionSet> & { name: string }): DesiredPermissionSet {
  return {
    description: null,
    sessionDuration: 'PT8H',
    managedPolicies: [],
    customerManagedPolicies: [],
    inlinePolicy: null,
    permissionsBoundary: null,
    tags: { 'iam2idc:managed': 'true' },
    ...overrides,
  };
}

/** The current state that matches `desired` exactly, at ARN `psArn(n)`. */
export function currentOf(desired: DesiredPermissionSet, n: number, overrides: Partial<CurrentPermissionSet> = {}): CurrentPermissionSet {
  return { ...desired, arn: psArn(n), provisionedAccounts: [], outdatedAccounts: [], ...overrides };
}

/** A valid mapping with the given permission sets (parsed, so defaults apply). */
export function mappingWith(permissionSets: Record<string, unknown>): Mapping {
  return mappingSchema.parse({ version: 1, account: ACCOUNT_A, protect: null, users: null, permissionSets, groups: null, assignments: null });
}

export type SsoAdminMock = ReturnType<typeof mockAws>['mocks']['ssoAdmin'];

export interface StubbedSet {
  arn: string;
  name: string;
  description?: string;
  sessionDuration?: string | number;
  managed?: string[];
  customerManaged?: { Name: string; Path: string }[];
  inline?: string;
  boundary?: { ManagedPolicyArn?: string; CustomerManagedPolicyReference?: { Name: string; Path?: string } } | null;
  tags?: { Key: string; Value: string }[];
  accounts?: string[];
}

/** Registers the answers Identity Center gives about the sets, as ListPermissionSets plus one set of reads each. */
export function stubPermissionSets(mock: SsoAdminMock, sets: StubbedSet[]): void {
  mock.on(ListPermissionSetsCommand).resolves({ PermissionSets: sets.map((s) => s.arn) });
  for (const set of sets) stubPermissionSet(mock, set);
}

export function stubPermissionSet(mock: SsoAdminMock, set: StubbedSet): void {
  const by = { PermissionSetArn: set.arn };
  mock.on(DescribePermissionSetCommand, by).resolves({
    PermissionSet: { Name: set.name, PermissionSetArn: set.arn, Description: set.description, SessionDuration: (set.sessionDuration ?? 'PT8H') as string },
  });
  mock.on(ListManagedPoliciesInPermissionSetCommand, by).resolves({ AttachedManagedPolicies: (set.managed ?? []).map((Arn) => ({ Arn, Name: Arn.split('/').pop() })) });
  mock.on(ListCustomerManagedPolicyReferencesInPermissionSetCommand, by).resolves({ CustomerManagedPolicyReferences: set.customerManaged ?? [] });
  mock.on(GetInlinePolicyForPermissionSetCommand, by).resolves({ InlinePolicy: set.inline ?? '' });
  if (set.boundary) mock.on(GetPermissionsBoundaryForPermissionSetCommand, by).resolves({ PermissionsBoundary: set.boundary });
  else mock.on(GetPermissionsBoundaryForPermissionSetCommand, by).rejects(awsError('ResourceNotFoundException'));
  mock.on(ListAccountsForProvisionedPermissionSetCommand, by).resolves({ AccountIds: set.accounts ?? [] });
  mock.on(ListTagsForResourceCommand, { ResourceArn: set.arn }).resolves({ Tags: set.tags ?? [{ Key: 'iam2idc:managed', Value: 'true' }] });
}

/** The names of the commands a mock received, in order. */
export function commandNames(mock: SsoAdminMock): string[] {
  return mock.calls().map((call) => (call.args[0] as object).constructor.name);
}

/** Commands that change Identity Center (everything but List/Describe/Get). */
export function mutatingCommandNames(mock: SsoAdminMock): string[] {
  return commandNames(mock).filter((name) => !/^(List|Describe|Get)/.test(name));
}
