import { paginateListAccountAssignments, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import pMap from 'p-map';
import type { CurrentAssignment, PrincipalType } from './plan-assignments.js';

/** IdC APIs share about 20 TPS per account: stay well below it while reading. */
export const ASSIGNMENT_READ_CONCURRENCY = 4;

/** An assignment as `ListAccountAssignments` returns it, before its principal is named. */
export type ListedAssignment = Omit<CurrentAssignment, 'principalName'>;

export interface ReadAssignmentsOptions {
  signal?: AbortSignal;
  concurrency?: number;
}

/**
 * Every assignment of each permission set (name → ARN) in each account, one paginated
 * `ListAccountAssignments` per pair, with bounded concurrency. Sets missing from `permissionSets`
 * (not created yet) have no assignments to read. Sorted, so that plans come out the same every run.
 */
export async function readAccountAssignments(
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  accounts: readonly string[],
  permissionSets: ReadonlyMap<string, string>,
  options: ReadAssignmentsOptions = {},
): Promise<ListedAssignment[]> {
  const pairs = [...new Set(accounts)].sort().flatMap((accountId) => [...permissionSets].sort(([a], [b]) => a.localeCompare(b)).map(([name, arn]) => ({ accountId, name, arn })));
  const pages = await pMap(pairs, (pair) => listAssignments(ssoAdmin, instanceArn, pair.accountId, pair.name, pair.arn, options.signal), {
    concurrency: options.concurrency ?? ASSIGNMENT_READ_CONCURRENCY,
    signal: options.signal,
  });
  return pages.flat();
}

/** The assignments of one permission set in one account. */
export async function listAssignments(ssoAdmin: SSOAdminClient, instanceArn: string, accountId: string, permissionSetName: string, permissionSetArn: string, signal?: AbortSignal): Promise<ListedAssignment[]> {
  const found: ListedAssignment[] = [];
  const paginator = paginateListAccountAssignments({ client: ssoAdmin }, { InstanceArn: instanceArn, AccountId: accountId, PermissionSetArn: permissionSetArn });
  for await (const page of paginator) {
    signal?.throwIfAborted();
    for (const a of page.AccountAssignments ?? []) {
      if (!a.PrincipalId || (a.PrincipalType !== 'USER' && a.PrincipalType !== 'GROUP')) continue;
      found.push({ accountId, permissionSetName, principalType: a.PrincipalType as PrincipalType, principalId: a.PrincipalId });
    }
  }
  return found;
}

/**
 * Names the principals of listed assignments. `nameOf` answers null for a principal that is gone
 * from the identity store; such an assignment stays, unnamed, so that nothing plans over it.
 */
export async function nameAssignments(
  listed: readonly ListedAssignment[],
  nameOf: (principalType: PrincipalType, principalId: string) => Promise<string | null>,
  options: ReadAssignmentsOptions = {},
): Promise<CurrentAssignment[]> {
  const names = new Map<string, Promise<string | null>>();
  const lookup = (type: PrincipalType, id: string) => {
    const key = `${type}:${id}`;
    let pending = names.get(key);
    if (pending === undefined) {
      pending = nameOf(type, id);
      names.set(key, pending);
    }
    return pending;
  };
  return pMap(listed, async (a) => ({ ...a, principalName: await lookup(a.principalType, a.principalId) }), {
    concurrency: options.concurrency ?? ASSIGNMENT_READ_CONCURRENCY,
    signal: options.signal,
  });
}
