import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  paginateListAccountsForProvisionedPermissionSet,
  paginateListCustomerManagedPolicyReferencesInPermissionSet,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSetsProvisionedToAccount,
  paginateListTagsForResource,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { isForeignResponse } from '../../aws/map-aws-error.js';
import { Fault } from '../../errors.js';
import { sessionDurationSeconds } from '../../workspace/mapping-schema.js';
import { decodePolicyDocument } from '../../model/decode-policy-document.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { customerManagedKey } from './permission-set-actions.js';
import type { PermissionsBoundary } from './types.js';

/**
 * One read of one aspect of a permission set each. The planner's reader and the handlers' `isDone`
 * checks share them, so that "already done" means exactly what the plan compared.
 */

/** The Identity Center client; a full client because the SDK paginators require one. */
export type SsoAdmin = SSOAdminClient;

/** What `DescribePermissionSet` says about a set. */
export interface DescribedPermissionSet {
  arn: string;
  name: string;
  description: string | null;
  sessionDuration: string;
}

/** Answers that mean "not here" rather than a failure. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

/** The set's name and settings, or null when it no longer exists. */
export async function describePermissionSet(ssoAdmin: SsoAdmin, instanceArn: string, arn: string, signal?: AbortSignal): Promise<DescribedPermissionSet | null> {
  try {
    const out = await ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }), { abortSignal: signal });
    const set = out.PermissionSet;
    if (!set?.Name) return null;
    return {
      arn,
      name: set.Name,
      // An empty description and none at all are the same to Identity Center.
      description: set.Description ? set.Description : null,
      sessionDuration: normaliseSessionDuration(set.SessionDuration),
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * An ISO-8601 duration in its shortest form (`PT8H`, `PT1H30M`). Some endpoints answer a number of
 * seconds instead of the ISO text (moto after an update); both are read the same way. A set created
 * without a duration has AWS's default of one hour.
 */
export function normaliseSessionDuration(raw: unknown): string {
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' ? sessionDurationSeconds(raw) : null;
  if (seconds === null || !Number.isFinite(seconds)) return typeof raw === 'string' && raw !== '' ? raw : 'PT1H';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const text = `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 ? `${s}S` : ''}`;
  return text === 'PT' ? 'PT0S' : text;
}

/** The AWS-managed policies attached to the set, sorted. */
export async function listManagedPolicyArns(ssoAdmin: SsoAdmin, instanceArn: string, arn: string): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateListManagedPoliciesInPermissionSet({ client: ssoAdmin }, { InstanceArn: instanceArn, PermissionSetArn: arn })) {
    for (const policy of page.AttachedManagedPolicies ?? []) if (policy.Arn) arns.push(policy.Arn);
  }
  return arns.sort();
}

/** The customer-managed policy references of the set, sorted by path and name. */
export async function listCustomerManagedReferences(ssoAdmin: SsoAdmin, instanceArn: string, arn: string): Promise<{ name: string; path: string }[]> {
  const refs: { name: string; path: string }[] = [];
  const input = { InstanceArn: instanceArn, PermissionSetArn: arn };
  for await (const page of paginateListCustomerManagedPolicyReferencesInPermissionSet({ client: ssoAdmin }, input)) {
    for (const ref of page.CustomerManagedPolicyReferences ?? []) if (ref.Name) refs.push({ name: ref.Name, path: ref.Path ?? '/' });
  }
  return refs.sort((a, b) => customerManagedKey(a).localeCompare(customerManagedKey(b)));
}

/** The inline policy, or null when there is none (Identity Center answers an empty string then). */
export async function getInlinePolicy(ssoAdmin: SsoAdmin, instanceArn: string, arn: string, signal?: AbortSignal): Promise<PolicyDocument | null> {
  const out = await ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }), { abortSignal: signal });
  const text = out.InlinePolicy ?? '';
  if (text.trim() === '') return null;
  const document = decodePolicyDocument(text);
  if (document === null) {
    throw new Fault(
      'PERMISSION_SET_POLICY_UNREADABLE',
      `The inline policy of permission set ${arn} is not JSON.`,
      'Check the permission set in the IAM Identity Center console, then run the command again.',
    );
  }
  return document;
}

/**
 * The permissions boundary, null when there is none (`ResourceNotFoundException`), or 'unreadable'
 * when the endpoint does not offer the API at all (a 404 or a body that is not the service's).
 */
export async function getPermissionsBoundary(ssoAdmin: SsoAdmin, instanceArn: string, arn: string, signal?: AbortSignal): Promise<PermissionsBoundary | null | 'unreadable'> {
  try {
    const out = await ssoAdmin.send(new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }), { abortSignal: signal });
    const boundary = out.PermissionsBoundary;
    if (boundary?.ManagedPolicyArn) return { managedPolicyArn: boundary.ManagedPolicyArn };
    const ref = boundary?.CustomerManagedPolicyReference;
    if (ref?.Name) return { customerManagedPolicy: { name: ref.Name, path: ref.Path ?? '/' } };
    return null;
  } catch (error) {
    if (isNotFound(error)) return null;
    if (isForeignResponse(error)) return 'unreadable';
    throw error;
  }
}

/** The set's tags, or 'unreadable' when the endpoint does not offer the API. */
export async function listPermissionSetTags(ssoAdmin: SsoAdmin, instanceArn: string, arn: string): Promise<Record<string, string> | 'unreadable'> {
  const tags: Record<string, string> = {};
  try {
    for await (const page of paginateListTagsForResource({ client: ssoAdmin }, { InstanceArn: instanceArn, ResourceArn: arn })) {
      for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    }
  } catch (error) {
    if (isForeignResponse(error)) return 'unreadable';
    throw error;
  }
  return tags;
}

/** The accounts the set is provisioned to, sorted. */
export async function listProvisionedAccounts(ssoAdmin: SsoAdmin, instanceArn: string, arn: string): Promise<string[]> {
  const accounts: string[] = [];
  for await (const page of paginateListAccountsForProvisionedPermissionSet({ client: ssoAdmin }, { InstanceArn: instanceArn, PermissionSetArn: arn })) {
    accounts.push(...(page.AccountIds ?? []));
  }
  return [...new Set(accounts)].sort();
}

/**
 * The sets provisioned to `accountId` whose latest version is not there yet: a change whose
 * provisioning failed, or a run that stopped between a change and its provisioning.
 */
export async function listOutdatedPermissionSets(ssoAdmin: SsoAdmin, instanceArn: string, accountId: string): Promise<Set<string>> {
  const arns = new Set<string>();
  const input = { InstanceArn: instanceArn, AccountId: accountId, ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED' as const };
  for await (const page of paginateListPermissionSetsProvisionedToAccount({ client: ssoAdmin }, input)) {
    for (const arn of page.PermissionSets ?? []) arns.add(arn);
  }
  return arns;
}
