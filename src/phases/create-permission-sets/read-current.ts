import { paginateListPermissionSets } from '@aws-sdk/client-sso-admin';
import pMap from 'p-map';
import {
  describePermissionSet,
  getInlinePolicy,
  getPermissionsBoundary,
  listCustomerManagedReferences,
  listManagedPolicyArns,
  listOutdatedPermissionSets,
  listPermissionSetTags,
  listProvisionedAccounts,
  type DescribedPermissionSet,
  type SsoAdmin,
} from './permission-set-readers.js';
import type { CurrentPermissionSet, UnreadablePart } from './types.js';

/** IdC APIs share about 20 TPS per account, and each set takes several calls: stay well below it. */
export const SSO_ADMIN_READ_CONCURRENCY = 4;

/** `signal` stops the reads (Ctrl-C); `concurrency` bounds the calls in flight. */
export interface ReadCurrentOptions {
  signal?: AbortSignal;
  concurrency?: number;
}

/**
 * Every permission set of the instance by name. Identity Center has no lookup by name, so each set
 * is described once to learn it; nothing else is read about the sets. Names are unique within an
 * instance; should an endpoint hold two with one name, the first by ARN is taken, every run alike.
 */
export async function listPermissionSetsByName(ssoAdmin: SsoAdmin, instanceArn: string, options: ReadCurrentOptions = {}): Promise<Map<string, DescribedPermissionSet>> {
  const arns: string[] = [];
  for await (const page of paginateListPermissionSets({ client: ssoAdmin }, { InstanceArn: instanceArn })) {
    arns.push(...(page.PermissionSets ?? []));
  }
  const described = await pMap([...new Set(arns)].sort(), (arn) => describePermissionSet(ssoAdmin, instanceArn, arn, options.signal), {
    concurrency: options.concurrency ?? SSO_ADMIN_READ_CONCURRENCY,
    signal: options.signal,
  });
  const byName = new Map<string, DescribedPermissionSet>();
  for (const set of described) if (set !== null && !byName.has(set.name)) byName.set(set.name, set);
  return byName;
}

/**
 * Everything the plan compares about one set, read one call after another (the concurrency is
 * across sets). `outdatedAccounts` is left out: it is read per account, for all sets at once.
 */
export async function readPermissionSetDetails(ssoAdmin: SsoAdmin, instanceArn: string, set: DescribedPermissionSet, signal?: AbortSignal): Promise<CurrentPermissionSet> {
  const managedPolicies = await listManagedPolicyArns(ssoAdmin, instanceArn, set.arn);
  const customerManagedPolicies = await listCustomerManagedReferences(ssoAdmin, instanceArn, set.arn);
  const inlinePolicy = await getInlinePolicy(ssoAdmin, instanceArn, set.arn, signal);
  const boundary = await getPermissionsBoundary(ssoAdmin, instanceArn, set.arn, signal);
  const provisionedAccounts = await listProvisionedAccounts(ssoAdmin, instanceArn, set.arn);
  const tags = await listPermissionSetTags(ssoAdmin, instanceArn, set.arn);
  const unreadable: UnreadablePart[] = [];
  if (boundary === 'unreadable') unreadable.push('permissionsBoundary');
  if (tags === 'unreadable') unreadable.push('tags');
  return {
    arn: set.arn,
    name: set.name,
    description: set.description,
    sessionDuration: set.sessionDuration,
    managedPolicies,
    customerManagedPolicies,
    inlinePolicy,
    permissionsBoundary: boundary === 'unreadable' ? null : boundary,
    tags: tags === 'unreadable' ? {} : tags,
    provisionedAccounts,
    ...(unreadable.length > 0 ? { unreadable } : {}),
  };
}

/** One set by ARN, as `readCurrentPermissionSets` would read it (without `outdatedAccounts`), or null when it is gone. */
export async function readPermissionSet(ssoAdmin: SsoAdmin, instanceArn: string, arn: string, signal?: AbortSignal): Promise<CurrentPermissionSet | null> {
  const described = await describePermissionSet(ssoAdmin, instanceArn, arn, signal);
  return described === null ? null : readPermissionSetDetails(ssoAdmin, instanceArn, described, signal);
}

/**
 * The current state of the permission sets among `names` that exist. Sets with other names are only
 * described to learn their name (there is no lookup by name) and are never read further or touched.
 * For sets that are provisioned, each of their accounts is asked once which sets it lacks the latest
 * version of, so that a change whose provisioning failed is provisioned again.
 */
export async function readCurrentPermissionSets(
  ssoAdmin: SsoAdmin,
  instanceArn: string,
  names: string[],
  options: ReadCurrentOptions = {},
): Promise<Map<string, CurrentPermissionSet>> {
  const concurrency = options.concurrency ?? SSO_ADMIN_READ_CONCURRENCY;
  const byName = await listPermissionSetsByName(ssoAdmin, instanceArn, options);
  const wanted = [...new Set(names)].map((name) => byName.get(name)).filter((set): set is DescribedPermissionSet => set !== undefined);
  const sets = await pMap(wanted, (set) => readPermissionSetDetails(ssoAdmin, instanceArn, set, options.signal), { concurrency, signal: options.signal });

  const accounts = [...new Set(sets.flatMap((set) => set.provisionedAccounts))].sort();
  const outdatedByAccount = await pMap(accounts, async (account) => [account, await listOutdatedPermissionSets(ssoAdmin, instanceArn, account)] as const, {
    concurrency,
    signal: options.signal,
  });
  const current = new Map<string, CurrentPermissionSet>();
  for (const set of sets) {
    const outdatedAccounts = outdatedByAccount.filter(([account, arns]) => set.provisionedAccounts.includes(account) && arns.has(set.arn)).map(([account]) => account);
    current.set(set.name, { ...set, outdatedAccounts });
  }
  return current;
}
