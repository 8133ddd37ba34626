/**
 * The policies admin detection evaluates, each named by how it reaches the principal
 * (`group Developers managed-policy <arn>`), so that a statement the evaluator holds responsible
 * can be told back as an admin path. Documents come from the inventory: customer-managed policies
 * from GetAccountAuthorizationDetails, AWS-managed ones as the audit read them, and the two the tool
 * relies on (AdministratorAccess, AWSDenyAll) as AWS publishes them when they were not read.
 */
import type { NamedPolicy, PrincipalPolicies } from '../effective-access.js';
import { knownAwsManagedDocuments } from '../principal-policies.js';
import { statementsOf } from '../policy-statements.js';
import type { AdminPath, Group, ManagedPolicy, PolicyDocument, PolicyStatement, Role, UserRecord } from '../inventory.js';

export type AdminAccessUser = Pick<UserRecord, 'userName' | 'arn' | 'groups' | 'inlinePolicies' | 'attachedPolicies'> & {
  permissionsBoundary?: string | null;
};

/** A principal's policies, with the admin path each label stands for. */
export interface LabelledPolicies {
  policies: PrincipalPolicies;
  /** The user's path for each label of its own policies and boundary. */
  pathOf: ReadonlyMap<string, AdminPath>;
  /** Every policy by label, to find the statement a verdict points at. */
  byLabel: ReadonlyMap<string, NamedPolicy>;
  /** Policies that reach the principal but whose documents are not known. */
  unread: string[];
}

/** Every document known by ARN: the known AWS-managed ones, then those read, then customer-managed ones. */
export function policyDocumentsByArn(input: {
  partition: string;
  managedPolicies: ReadonlyMap<string, ManagedPolicy>;
  awsManagedPolicies?: ReadonlyMap<string, ManagedPolicy>;
}): Map<string, PolicyDocument> {
  const documents = knownAwsManagedDocuments(input.partition);
  for (const [arn, policy] of input.awsManagedPolicies ?? []) documents.set(arn, policy.document);
  for (const [arn, policy] of input.managedPolicies) documents.set(arn, policy.document);
  return documents;
}

/** A user's own policies, every group's, and its permissions boundary. */
export function gatherUserPolicies(
  user: AdminAccessUser,
  groupsByName: ReadonlyMap<string, Group>,
  documents: ReadonlyMap<string, PolicyDocument>,
): LabelledPolicies {
  const identity: NamedPolicy[] = [];
  const pathOf = new Map<string, AdminPath>();
  const unread: string[] = [];
  const add = (label: string, document: PolicyDocument | undefined, path: AdminPath): void => {
    if (document === undefined) unread.push(label);
    else if (!pathOf.has(label)) {
      identity.push({ source: label, document });
      pathOf.set(label, path);
    }
  };
  for (const policy of user.inlinePolicies) add(`inline-policy ${policy.name}`, policy.document, { via: 'inline-policy', source: policy.name });
  for (const { arn } of user.attachedPolicies) add(`managed-policy ${arn}`, documents.get(arn), { via: 'managed-policy', source: arn });
  for (const name of new Set(user.groups)) {
    const group = groupsByName.get(name);
    if (group === undefined) {
      unread.push(`group ${name}`);
      continue;
    }
    for (const policy of group.inlinePolicies) add(groupInlineLabel(group, policy.name), policy.document, { via: 'group-inline-policy', source: group.name });
    for (const { arn } of group.attachedPolicies) add(groupManagedLabel(group, arn), documents.get(arn), { via: 'group-managed-policy', source: group.name });
  }
  const boundary = boundaryOf(user.permissionsBoundary ?? null, documents, unread);
  if (boundary !== null) pathOf.set(boundary.source, { via: 'permissions-boundary', source: user.permissionsBoundary ?? '' });
  const byLabel = new Map([...identity, ...(boundary ? [boundary] : [])].map((p) => [p.source, p]));
  return { policies: { identity, boundary }, pathOf, byLabel, unread };
}

/** A group's inline and attached policies, labelled as they reach a member. Unknown documents go to `unread`. */
export function groupPolicies(group: Group, documents: ReadonlyMap<string, PolicyDocument>, unread: string[] = []): NamedPolicy[] {
  const policies: NamedPolicy[] = group.inlinePolicies.map((p) => ({ source: groupInlineLabel(group, p.name), document: p.document }));
  for (const { arn } of group.attachedPolicies) {
    const label = groupManagedLabel(group, arn);
    const document = documents.get(arn);
    if (document === undefined) unread.push(label);
    else policies.push({ source: label, document });
  }
  return policies;
}

/** A role's own inline and attached policies (its permissions boundary is not in the inventory). */
export function rolePolicies(role: Role, documents: ReadonlyMap<string, PolicyDocument>): NamedPolicy[] {
  const policies: NamedPolicy[] = role.inlinePolicies.map((p) => ({ source: `role ${role.name} inline-policy ${p.name}`, document: p.document }));
  for (const { arn } of role.attachedPolicies) {
    const document = documents.get(arn);
    if (document !== undefined) policies.push({ source: `role ${role.name} managed-policy ${arn}`, document });
  }
  return policies;
}

/** The statement a verdict names, when its policy is known. */
export function statementOf(byLabel: ReadonlyMap<string, NamedPolicy>, ref: { source: string; index: number }): PolicyStatement | undefined {
  const policy = byLabel.get(ref.source);
  return policy ? statementsOf(policy.document)[ref.index] : undefined;
}

const allowsOnly = new WeakMap<NamedPolicy, NamedPolicy>();
const deniesOnly = new WeakMap<NamedPolicy, NamedPolicy>();

/** The same policies without their Deny statements: what would be allowed if no Deny stood in the way. */
export function withoutDenies(policies: PrincipalPolicies): PrincipalPolicies {
  return { identity: policies.identity.map((p) => filtered(p, 'Allow', allowsOnly)), boundary: policies.boundary ? filtered(policies.boundary, 'Allow', allowsOnly) : null };
}

/** Only the Deny statements of a policy. */
export function denyStatementsOf(policy: NamedPolicy): NamedPolicy {
  return filtered(policy, 'Deny', deniesOnly);
}

function filtered(policy: NamedPolicy, effect: 'Allow' | 'Deny', cache: WeakMap<NamedPolicy, NamedPolicy>): NamedPolicy {
  let result = cache.get(policy);
  if (result === undefined) {
    result = { source: policy.source, document: { ...policy.document, Statement: statementsOf(policy.document).filter((s) => s.Effect === effect) } };
    cache.set(policy, result);
  }
  return result;
}

/** The key of the condition that stands for a boundary whose document is not known. */
export const UNREAD_BOUNDARY_KEY = 'iam2idc:BoundaryDocumentKnown';

/**
 * A boundary whose document is not known caps the user in a way nobody can tell: it is evaluated as
 * allowing everything under a condition that is never known, so nothing it caps is `allowed`.
 */
function boundaryOf(arn: string | null, documents: ReadonlyMap<string, PolicyDocument>, unread: string[]): NamedPolicy | null {
  if (arn === null) return null;
  const label = `permissions-boundary ${arn}`;
  const document = documents.get(arn);
  if (document !== undefined) return { source: label, document };
  unread.push(label);
  return {
    source: `${label} (document not read)`,
    document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { [UNREAD_BOUNDARY_KEY]: 'true' } } }] },
  };
}

const groupInlineLabel = (group: Group, name: string): string => `group ${group.name} inline-policy ${name}`;
const groupManagedLabel = (group: Group, arn: string): string => `group ${group.name} managed-policy ${arn}`;
