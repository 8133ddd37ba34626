/**
 * The policies that decide what one principal may do, gathered for the effective-access model:
 * an IAM user (its own policies, every group's, and its permissions boundary: one evaluation) and a
 * permission set (its inline, AWS-managed and customer-managed policies and its boundary, evaluated
 * alone in a role session). A policy whose document is not known is named in `unknown`, never
 * guessed: a verdict that leans on it cannot be trusted.
 */
import type { Group, ManagedPolicy, PolicyDocument, UserRecord } from './inventory.js';
import type { NamedPolicy, PrincipalPolicies } from './effective-access.js';

/** Every policy document a run knows, by ARN, and the groups by lower-case name. */
export interface PolicyLibrary {
  documents: ReadonlyMap<string, PolicyDocument>;
  groups: ReadonlyMap<string, Group>;
  partition: string;
  accountId: string;
}

export interface GatheredPolicies {
  policies: PrincipalPolicies;
  /** Policies named but not known (an AWS-managed document not read, a customer-managed policy missing). */
  unknown: string[];
}

/** What a permission set carries, as the mapping and its policy file describe it. */
export interface PermissionSetContent {
  name: string;
  managedPolicies: readonly string[];
  customerManagedPolicies: readonly { name: string; path: string }[];
  inlinePolicy: PolicyDocument | null;
  permissionsBoundary?: { managedPolicyArn: string } | { customerManagedPolicy: { name: string; path: string } } | null;
}

/** The documents AWS publishes for the two AWS-managed policies the tool itself relies on. */
export function knownAwsManagedDocuments(partition: string): Map<string, PolicyDocument> {
  return new Map<string, PolicyDocument>([
    [`arn:${partition}:iam::aws:policy/AdministratorAccess`, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    [`arn:${partition}:iam::aws:policy/AWSDenyAll`, { Version: '2012-10-17', Statement: [{ Sid: 'DenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] }],
  ]);
}

export function buildPolicyLibrary(input: {
  groups: readonly Group[];
  managedPolicies: readonly ManagedPolicy[];
  awsManagedDocuments: ReadonlyMap<string, PolicyDocument>;
  partition: string;
  accountId: string;
}): PolicyLibrary {
  const documents = new Map(knownAwsManagedDocuments(input.partition));
  for (const [arn, document] of input.awsManagedDocuments) documents.set(arn, document);
  for (const policy of input.managedPolicies) documents.set(policy.arn, policy.document);
  return { documents, groups: new Map(input.groups.map((g) => [g.name.toLowerCase(), g])), partition: input.partition, accountId: input.accountId };
}

type IamUserPolicySource = Pick<UserRecord, 'userName' | 'groups' | 'inlinePolicies' | 'attachedPolicies' | 'permissionsBoundary'>;

/** The IAM user's access in one evaluation: its own and its groups' policies, capped by its boundary. */
export function iamUserPolicies(user: IamUserPolicySource, library: PolicyLibrary): GatheredPolicies {
  const unknown: string[] = [];
  const identity: NamedPolicy[] = [];
  const managed = (owner: string, arn: string) => {
    const document = library.documents.get(arn);
    if (document === undefined) unknown.push(`${owner} managed ${arn}`);
    else identity.push({ source: `${owner} managed ${arn}`, document });
  };
  const owner = `user ${user.userName}`;
  for (const policy of user.inlinePolicies) identity.push({ source: `${owner} inline ${policy.name}`, document: policy.document });
  for (const policy of user.attachedPolicies) managed(owner, policy.arn);
  for (const name of user.groups) {
    const group = library.groups.get(name.toLowerCase());
    if (group === undefined) {
      unknown.push(`group ${name}`);
      continue;
    }
    for (const policy of group.inlinePolicies) identity.push({ source: `group ${group.name} inline ${policy.name}`, document: policy.document });
    for (const policy of group.attachedPolicies) managed(`group ${group.name}`, policy.arn);
  }
  let boundary: NamedPolicy | null = null;
  if (user.permissionsBoundary !== null) {
    const document = library.documents.get(user.permissionsBoundary);
    if (document === undefined) unknown.push(`${owner} boundary ${user.permissionsBoundary}`);
    else boundary = { source: `${owner} boundary ${user.permissionsBoundary}`, document };
  }
  return { policies: { identity, boundary }, unknown };
}

/** The ARN a customer-managed policy reference names in an account. */
export function customerManagedPolicyArn(reference: { name: string; path: string }, library: Pick<PolicyLibrary, 'partition' | 'accountId'>): string {
  return `arn:${library.partition}:iam::${library.accountId}:policy${reference.path}${reference.name}`;
}

/** A permission set's access, evaluated alone: its own policies capped by its own boundary. */
export function permissionSetPolicies(set: PermissionSetContent, library: PolicyLibrary): GatheredPolicies {
  const unknown: string[] = [];
  const owner = `permission set ${set.name}`;
  const byArn = (label: string, arn: string): NamedPolicy | null => {
    const document = library.documents.get(arn);
    if (document === undefined) {
      unknown.push(`${owner} ${label}`);
      return null;
    }
    return { source: `${owner} ${label}`, document };
  };
  const identity: NamedPolicy[] = [];
  if (set.inlinePolicy !== null) identity.push({ source: `${owner} inline`, document: set.inlinePolicy });
  for (const arn of set.managedPolicies) {
    const policy = byArn(`managed ${arn}`, arn);
    if (policy) identity.push(policy);
  }
  for (const reference of set.customerManagedPolicies) {
    const policy = byArn(`customer-managed ${reference.path}${reference.name}`, customerManagedPolicyArn(reference, library));
    if (policy) identity.push(policy);
  }
  const declared = set.permissionsBoundary ?? null;
  let boundary: NamedPolicy | null = null;
  if (declared !== null) {
    boundary =
      'managedPolicyArn' in declared
        ? byArn(`boundary ${declared.managedPolicyArn}`, declared.managedPolicyArn)
        : byArn(`boundary ${declared.customerManagedPolicy.path}${declared.customerManagedPolicy.name}`, customerManagedPolicyArn(declared.customerManagedPolicy, library));
    // A boundary that is named but unknown caps the set in a way nobody can evaluate: allow nothing here.
    if (boundary === null) boundary = { source: `${owner} boundary (unknown)`, document: { Statement: [] } };
  }
  return { policies: { identity, boundary }, unknown };
}
