import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
} from '@aws-sdk/client-sso-admin';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { sessionDurationSeconds } from '../../../src/workspace/mapping-schema.js';

/** A permission set as the emulator holds it, read with the plain SDK (not with the CLI's readers). */
export interface EmulatorPermissionSet {
  arn: string;
  name: string;
  description: string | null;
  /** In seconds: moto may answer an ISO duration or a number of seconds. */
  sessionSeconds: number | null;
  managedPolicies: string[];
  customerManagedPolicies: { name: string; path: string }[];
  /** The parsed inline policy, or null when the set has none. */
  inlinePolicy: unknown;
}

/** The one Identity Center instance the emulator has. */
export async function emulatorInstanceArn(ssoAdmin: SSOAdminClient): Promise<string> {
  const { Instances } = await ssoAdmin.send(new ListInstancesCommand({}));
  if (Instances?.length !== 1 || !Instances[0]?.InstanceArn) throw new Error(`expected one Identity Center instance, found ${Instances?.length ?? 0}`);
  return Instances[0].InstanceArn;
}

/** Every permission set of the instance, by name, with its attachments and inline policy. */
export async function readEmulatorPermissionSets(ssoAdmin: SSOAdminClient, instanceArn: string): Promise<Map<string, EmulatorPermissionSet>> {
  const sets = new Map<string, EmulatorPermissionSet>();
  let nextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, NextToken: nextToken }));
    for (const arn of page.PermissionSets ?? []) {
      const set = await readEmulatorPermissionSet(ssoAdmin, instanceArn, arn);
      sets.set(set.name, set);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return sets;
}

async function readEmulatorPermissionSet(ssoAdmin: SSOAdminClient, instanceArn: string, arn: string): Promise<EmulatorPermissionSet> {
  const input = { InstanceArn: instanceArn, PermissionSetArn: arn };
  const { PermissionSet: described } = await ssoAdmin.send(new DescribePermissionSetCommand(input));
  const managed = await ssoAdmin.send(new ListManagedPoliciesInPermissionSetCommand(input));
  const customer = await ssoAdmin.send(new ListCustomerManagedPolicyReferencesInPermissionSetCommand(input));
  const { InlinePolicy } = await ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand(input));
  return {
    arn,
    name: described?.Name ?? '',
    description: described?.Description || null,
    sessionSeconds: durationSeconds(described?.SessionDuration),
    managedPolicies: (managed.AttachedManagedPolicies ?? []).map((p) => p.Arn ?? '').sort(),
    customerManagedPolicies: (customer.CustomerManagedPolicyReferences ?? []).map((r) => ({ name: r.Name ?? '', path: r.Path ?? '/' })).sort(byKey),
    inlinePolicy: InlinePolicy ? (JSON.parse(InlinePolicy) as unknown) : null,
  };
}

/** Seconds of an ISO-8601 duration, or of a number of seconds as some emulators answer. */
export function durationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) : sessionDurationSeconds(value);
}

export const byKey = (a: { name: string; path: string }, b: { name: string; path: string }) => `${a.path}${a.name}`.localeCompare(`${b.path}${b.name}`);

export interface SdkRequest {
  /** e.g. `CreatePermissionSet` */
  operation: string;
  input: Record<string, unknown>;
}

/** The sso-admin requests a `--debug` run logged on stderr: one line per request, before it is sent. */
export function ssoAdminRequests(stderr: string): SdkRequest[] {
  const requests: SdkRequest[] = [];
  for (const match of stderr.matchAll(/^\[debug\] sso-admin\.(\w+) (\{.*\})$/gm)) {
    requests.push({ operation: match[1]!, input: JSON.parse(match[2]!) as Record<string, unknown> });
  }
  return requests;
}

/** Operations that change Identity Center. */
const MUTATING = /^(Create|Attach|Put|Delete|Update|Provision|Detach|Tag|Untag)/;

export function mutatingRequests(stderr: string): SdkRequest[] {
  return ssoAdminRequests(stderr).filter((r) => MUTATING.test(r.operation));
}

/** The sso-admin operation each kind of planned action sends. */
export const OPERATION_OF_KIND: Record<string, string> = {
  'sso.CreatePermissionSet': 'CreatePermissionSet',
  'sso.UpdatePermissionSet': 'UpdatePermissionSet',
  'sso.AttachManagedPolicy': 'AttachManagedPolicyToPermissionSet',
  'sso.DetachManagedPolicy': 'DetachManagedPolicyFromPermissionSet',
  'sso.AttachCustomerManagedPolicyReference': 'AttachCustomerManagedPolicyReferenceToPermissionSet',
  'sso.DetachCustomerManagedPolicyReference': 'DetachCustomerManagedPolicyReferenceFromPermissionSet',
  'sso.PutInlinePolicy': 'PutInlinePolicyToPermissionSet',
  'sso.DeleteInlinePolicy': 'DeleteInlinePolicyFromPermissionSet',
  'sso.TagPermissionSet': 'TagResource',
  'sso.UntagPermissionSet': 'UntagResource',
  'sso.PutPermissionsBoundary': 'PutPermissionsBoundaryToPermissionSet',
  'sso.DeletePermissionsBoundary': 'DeletePermissionsBoundaryFromPermissionSet',
  'sso.ProvisionPermissionSet': 'ProvisionPermissionSet',
};

/** `create-permission-sets -o json`, as far as the tests read it. */
export interface CreatePermissionSetsJson {
  instanceArn: string;
  planFile: string | null;
  execution: {
    runId: string | null;
    dryRun: boolean;
    interrupted: boolean;
    counts: Record<'planned' | 'done' | 'skipped' | 'failed' | 'not-run' | 'refused' | 'unknown', number>;
    actions: { id: string; kind: string; target: string; status: string; reason: string | null }[];
  };
  arns: Record<string, string>;
}

/** The permission sets of mapping.yaml, as the tests read them. */
export interface MappingPermissionSets {
  permissionSets: Record<
    string,
    { description?: string; sessionDuration: string; managedPolicies: string[]; customerManagedPolicies: { name: string; path: string }[]; inlinePolicyFile?: string }
  >;
}

/** How many of each sso-admin operation, e.g. `{ CreatePermissionSet: 11 }`. */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
