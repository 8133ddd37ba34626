/**
 * Identity Center groups, their memberships and account assignments as Terraform or CloudFormation,
 * for teams who apply through infrastructure as code instead of `assign`. Pure: no AWS call, and the
 * same input always gives the same bytes (groups, members and assignments are sorted and deduplicated).
 *
 * Users and permission sets are referenced, never created: Terraform looks them up by name with data
 * sources; CloudFormation cannot, so the template takes their IDs and ARNs as parameters.
 */
import { Document, Scalar } from 'yaml';
import { assignLogicalIds } from '../create-permission-sets/emit-cloudformation.js';
import { assignTerraformIdentifiers } from '../create-permission-sets/emit-terraform.js';
import { hclAttribute, hclBlock, quoteHclString, renderHclBody, type HclItem } from '../../iac/hcl.js';

export interface AssignmentsIacGroup {
  displayName: string;
  description: string | null;
  /** IAM Identity Center user names. */
  members: string[];
}

export interface AssignmentsIacAssignment {
  principalType: 'USER' | 'GROUP';
  /** A user name, or a group display name (a group from `groups` or one that already exists). */
  principalName: string;
  permissionSetName: string;
  accountId: string;
}

export interface AssignmentsIacInput {
  groups: AssignmentsIacGroup[];
  assignments: AssignmentsIacAssignment[];
}

export interface EmitAssignmentsOptions {
  /** The Identity Center instance; null looks it up (Terraform) or leaves it to deploy time (CloudFormation). */
  instanceArn: string | null;
  /** The instance's identity store; null looks it up (Terraform) or leaves it to deploy time (CloudFormation). */
  identityStoreId: string | null;
  /** When the file was generated, for its header comment (an ISO timestamp). */
  generatedAt: string;
}

export interface EmitAssignmentsResult {
  files: { path: string; content: string }[];
}

/** The file `emitAssignmentsTerraform` writes, relative to the output directory. */
export const ASSIGNMENTS_TERRAFORM_FILE = 'assignments.tf';
/** The file `emitAssignmentsCloudFormation` writes, relative to the output directory. */
export const ASSIGNMENTS_CLOUDFORMATION_FILE = 'assignments.yaml';

/** CloudFormation's per-template limits. */
const MAX_PARAMETERS = 200;
const MAX_RESOURCES = 500;

// ---------------------------------------------------------------------------------------------
// The normalised input both formats render.
// ---------------------------------------------------------------------------------------------

interface Model {
  /** Groups to create, sorted by display name, with sorted unique members. */
  groups: AssignmentsIacGroup[];
  /** Groups assigned but not created here: they must already exist. Sorted. */
  existingGroups: string[];
  /** Every user referenced by a membership or an assignment. Sorted. */
  users: string[];
  permissionSets: string[];
  memberships: { group: string; user: string }[];
  assignments: AssignmentsIacAssignment[];
}

function normalise(input: AssignmentsIacInput): Model {
  const groups = [...input.groups].sort((a, b) => compareText(a.displayName, b.displayName));
  groups.forEach((group, index) => {
    // Display names are unique in an identity store, and two definitions cannot both be applied.
    if (index > 0 && groups[index - 1]!.displayName === group.displayName) {
      throw new Error(`The group ${JSON.stringify(group.displayName)} is defined more than once.`);
    }
  });
  const created = groups.map((group) => ({ ...group, members: sortedUnique(group.members) }));
  const createdNames = new Set(created.map((group) => group.displayName));

  const byKey = new Map<string, AssignmentsIacAssignment>();
  for (const a of input.assignments) {
    const copy: AssignmentsIacAssignment = { principalType: a.principalType, principalName: a.principalName, permissionSetName: a.permissionSetName, accountId: a.accountId };
    byKey.set(JSON.stringify([copy.principalType, copy.principalName, copy.permissionSetName, copy.accountId]), copy);
  }
  const assignments = [...byKey.keys()].sort(compareText).map((key) => byKey.get(key)!);

  const memberships = created.flatMap((group) => group.members.map((user) => ({ group: group.displayName, user })));
  const assignedUsers = assignments.filter((a) => a.principalType === 'USER').map((a) => a.principalName);
  const assignedGroups = assignments.filter((a) => a.principalType === 'GROUP').map((a) => a.principalName);
  return {
    groups: created,
    existingGroups: sortedUnique(assignedGroups.filter((name) => !createdNames.has(name))),
    users: sortedUnique([...memberships.map((m) => m.user), ...assignedUsers]),
    permissionSets: sortedUnique(assignments.map((a) => a.permissionSetName)),
    memberships,
    assignments,
  };
}

function membershipKey(m: { group: string; user: string }): string {
  return `${m.group}/${m.user}`;
}

function assignmentKey(a: AssignmentsIacAssignment): string {
  return `${a.principalType.toLowerCase()}/${a.principalName}/${a.permissionSetName}/${a.accountId}`;
}

/** A name → identifier lookup built from names assigned in order. */
function lookup(names: string[], ids: string[]): (name: string) => string {
  const map = new Map(names.map((name, index) => [name, ids[index]!]));
  return (name) => map.get(name)!;
}

// ---------------------------------------------------------------------------------------------
// Terraform
// ---------------------------------------------------------------------------------------------

// Distinct from the names permission-sets.tf declares, so that both files can share a directory.
const TF_INSTANCES = 'data.aws_ssoadmin_instances.assignments';
const TF_INSTANCE_LOCAL = 'assignments_instance_arn';
const TF_STORE_LOCAL = 'assignments_identity_store_id';
const TF_INSTANCE_VARIABLE = 'assignments_sso_instance_arn';
const TF_STORE_VARIABLE = 'assignments_identity_store_id';

/**
 * Renders the groups, memberships and assignments as one `assignments.tf`. Users, permission sets
 * and groups that are assigned but not created here are read with data sources, so they must exist
 * before `terraform plan` (apply the permission sets first).
 */
export function emitAssignmentsTerraform(input: AssignmentsIacInput, options: EmitAssignmentsOptions): EmitAssignmentsResult {
  const model = normalise(input);
  const allGroups = [...model.groups.map((group) => group.displayName), ...model.existingGroups];
  const groupId = lookup(allGroups, terraformIds(allGroups, 'group_'));
  const userId = lookup(model.users, terraformIds(model.users, 'user_'));
  const setId = lookup(model.permissionSets, terraformIds(model.permissionSets, 'ps_'));
  const membershipKeys = model.memberships.map(membershipKey);
  const membershipIds = terraformIds(membershipKeys, 'group_');
  const assignmentIds = assignTerraformIdentifiers(model.assignments.map(assignmentKey));

  const store = `local.${TF_STORE_LOCAL}`;
  const instance = `local.${TF_INSTANCE_LOCAL}`;
  const groupIdExpression = (name: string) => (model.existingGroups.includes(name)
    ? `data.aws_identitystore_group.${groupId(name)}.group_id`
    : `aws_identitystore_group.${groupId(name)}.group_id`);

  const blocks: HclItem[] = [...instanceBlocks(options)];
  for (const name of model.permissionSets) {
    blocks.push(hclBlock('data', ['aws_ssoadmin_permission_set', setId(name)], [
      hclAttribute('instance_arn', instance),
      hclAttribute('name', quoteHclString(name)),
    ]));
  }
  for (const name of model.users) blocks.push(lookupBlock('aws_identitystore_user', userId(name), store, 'UserName', name));
  for (const name of model.existingGroups) blocks.push(lookupBlock('aws_identitystore_group', groupId(name), store, 'DisplayName', name));
  for (const group of model.groups) {
    const body: HclItem[] = [hclAttribute('identity_store_id', store), hclAttribute('display_name', quoteHclString(group.displayName))];
    if (group.description !== null) body.push(hclAttribute('description', quoteHclString(group.description)));
    blocks.push(hclBlock('resource', ['aws_identitystore_group', groupId(group.displayName)], body));
  }
  model.memberships.forEach((m, index) => {
    blocks.push(hclBlock('resource', ['aws_identitystore_group_membership', membershipIds[index]!], [
      hclAttribute('identity_store_id', store),
      hclAttribute('group_id', groupIdExpression(m.group)),
      hclAttribute('member_id', `data.aws_identitystore_user.${userId(m.user)}.user_id`),
    ]));
  });
  model.assignments.forEach((a, index) => {
    const principal = a.principalType === 'USER' ? `data.aws_identitystore_user.${userId(a.principalName)}.user_id` : groupIdExpression(a.principalName);
    blocks.push(hclBlock('resource', ['aws_ssoadmin_account_assignment', assignmentIds[index]!], [
      hclAttribute('instance_arn', instance),
      hclAttribute('permission_set_arn', `data.aws_ssoadmin_permission_set.${setId(a.permissionSetName)}.arn`),
      null,
      hclAttribute('principal_id', principal),
      hclAttribute('principal_type', quoteHclString(a.principalType)),
      null,
      hclAttribute('target_id', quoteHclString(a.accountId)),
      hclAttribute('target_type', quoteHclString('AWS_ACCOUNT')),
    ]));
  });

  const body = blocks.flatMap((item, index) => (index === 0 ? [item] : [null, item]));
  const content = [...terraformHeader(options.generatedAt), '', ...renderHclBody(body, 0), ''].join('\n');
  return { files: [{ path: ASSIGNMENTS_TERRAFORM_FILE, content }] };
}

/** Terraform identifiers for names, with `prefix` in front of a name that cannot start one. */
function terraformIds(names: string[], prefix: string): string[] {
  return assignTerraformIdentifiers(names.map((name) => (/^[A-Za-z_]/.test(name) ? name : prefix + name)));
}

function terraformHeader(generatedAt: string): string[] {
  // A newline in the timestamp would end the comment and leave text that is not HCL.
  const when = generatedAt.replace(/[\r\n]+/g, ' ');
  return [
    `# Generated by iam2idc at ${when} from the migration mapping.`,
    '# Needs the hashicorp/aws provider >= 5.0 (aws_identitystore_* resources and alternate_identifier lookups).',
    '# Users and permission sets are looked up by name: they must exist before `terraform plan`.',
    '# Manage these groups and assignments either here or with `iam2idc assign`, not both.',
  ];
}

function instanceBlocks(options: EmitAssignmentsOptions): HclItem[] {
  const blocks: HclItem[] = [];
  // An account has one Identity Center instance, so the first (only) element is the one.
  if (options.instanceArn === null || options.identityStoreId === null) {
    blocks.push(hclBlock('data', ['aws_ssoadmin_instances', 'assignments'], []));
  }
  if (options.instanceArn !== null) {
    blocks.push(variable(TF_INSTANCE_VARIABLE, 'ARN of the IAM Identity Center instance that holds the permission sets.', options.instanceArn));
  }
  if (options.identityStoreId !== null) {
    blocks.push(variable(TF_STORE_VARIABLE, 'ID of the identity store of the IAM Identity Center instance.', options.identityStoreId));
  }
  blocks.push(hclBlock('locals', [], [
    hclAttribute(TF_INSTANCE_LOCAL, options.instanceArn === null ? `tolist(${TF_INSTANCES}.arns)[0]` : `var.${TF_INSTANCE_VARIABLE}`),
    hclAttribute(TF_STORE_LOCAL, options.identityStoreId === null ? `tolist(${TF_INSTANCES}.identity_store_ids)[0]` : `var.${TF_STORE_VARIABLE}`),
  ]));
  return blocks;
}

function variable(name: string, description: string, value: string): HclItem {
  return hclBlock('variable', [name], [
    hclAttribute('description', quoteHclString(description)),
    hclAttribute('type', 'string'),
    hclAttribute('default', quoteHclString(value)),
  ]);
}

function lookupBlock(type: string, id: string, store: string, path: string, value: string): HclItem {
  return hclBlock('data', [type, id], [
    hclAttribute('identity_store_id', store),
    null,
    hclBlock('alternate_identifier', [], [
      hclBlock('unique_attribute', [], [
        hclAttribute('attribute_path', quoteHclString(path)),
        hclAttribute('attribute_value', quoteHclString(value)),
      ]),
    ]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// CloudFormation
// ---------------------------------------------------------------------------------------------

const INSTANCE_ARN_PARAMETER = 'InstanceArn';
const IDENTITY_STORE_PARAMETER = 'IdentityStoreId';
/** The prefix `assignLogicalIds` puts on every ID; removed to get a bare, unique stem. */
const SHARED_PREFIX = 'PermissionSet';

/**
 * Renders the groups, memberships and assignments as one `assignments.yaml` template. CloudFormation
 * cannot look a user or a permission set up by name, so each user's ID, each permission set's ARN and
 * each assigned group that is not created here are template parameters, described with how to find them.
 */
export function emitAssignmentsCloudFormation(input: AssignmentsIacInput, options: EmitAssignmentsOptions): EmitAssignmentsResult {
  const model = normalise(input);
  // Each kind has its own prefix, and no prefix starts another, so IDs of different kinds never meet.
  const groupRef = lookup(model.groups.map((g) => g.displayName), stems(model.groups.map((g) => g.displayName)).map((s) => `Group${s}`));
  const existingRef = lookup(model.existingGroups, stems(model.existingGroups).map((s) => `ExistingGroup${s}Id`));
  const userRef = lookup(model.users, stems(model.users).map((s) => `User${s}Id`));
  const setRef = lookup(model.permissionSets, stems(model.permissionSets).map((s) => `PermissionSet${s}Arn`));
  const membershipIds = stems(model.memberships.map(membershipKey)).map((s) => `Membership${s}`);
  const assignmentIds = stems(model.assignments.map(assignmentKey)).map((s) => `Assignment${s}`);
  const existing = new Set(model.existingGroups);
  const groupIdValue = (name: string) => (existing.has(name) ? tagged('!Ref', existingRef(name)) : tagged('!GetAtt', `${groupRef(name)}.GroupId`));
  const storeHint = options.identityStoreId ?? '<IdentityStoreId>';

  const parameters: Record<string, unknown> = {
    [INSTANCE_ARN_PARAMETER]: withDefault({ Type: 'String', Description: 'ARN of the IAM Identity Center instance that holds the permission sets.' }, options.instanceArn),
    [IDENTITY_STORE_PARAMETER]: withDefault({ Type: 'String', Description: 'ID of the identity store of the IAM Identity Center instance.' }, options.identityStoreId),
  };
  for (const name of model.permissionSets) {
    parameters[setRef(name)] = {
      Type: 'String',
      Description: `ARN of the permission set ${JSON.stringify(name)}: the output of the permission sets template, or from \`aws sso-admin list-permission-sets\` and \`aws sso-admin describe-permission-set\`.`,
    };
  }
  for (const name of model.users) {
    parameters[userRef(name)] = {
      Type: 'String',
      Description: `ID of the user ${JSON.stringify(name)}: ${lookupCommand('get-user-id', storeHint, 'UserName', name)}`,
    };
  }
  for (const name of model.existingGroups) {
    parameters[existingRef(name)] = {
      Type: 'String',
      Description: `ID of the existing group ${JSON.stringify(name)}: ${lookupCommand('get-group-id', storeHint, 'DisplayName', name)}`,
    };
  }

  const resources: Record<string, unknown> = {};
  for (const group of model.groups) {
    const properties: Record<string, unknown> = { IdentityStoreId: tagged('!Ref', IDENTITY_STORE_PARAMETER), DisplayName: group.displayName };
    if (group.description !== null) properties.Description = group.description;
    resources[groupRef(group.displayName)] = { Type: 'AWS::IdentityStore::Group', Properties: properties };
  }
  model.memberships.forEach((m, index) => {
    resources[membershipIds[index]!] = {
      Type: 'AWS::IdentityStore::GroupMembership',
      Properties: {
        IdentityStoreId: tagged('!Ref', IDENTITY_STORE_PARAMETER),
        GroupId: groupIdValue(m.group),
        MemberId: { UserId: tagged('!Ref', userRef(m.user)) },
      },
    };
  });
  model.assignments.forEach((a, index) => {
    resources[assignmentIds[index]!] = {
      Type: 'AWS::SSO::Assignment',
      Properties: {
        InstanceArn: tagged('!Ref', INSTANCE_ARN_PARAMETER),
        PermissionSetArn: tagged('!Ref', setRef(a.permissionSetName)),
        PrincipalId: a.principalType === 'USER' ? tagged('!Ref', userRef(a.principalName)) : groupIdValue(a.principalName),
        PrincipalType: a.principalType,
        TargetId: a.accountId,
        TargetType: 'AWS_ACCOUNT',
      },
    };
  });

  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'IAM Identity Center groups, group memberships and account assignments generated by iam2idc.',
    Parameters: parameters,
    Resources: resources,
  };
  const over: string[] = [];
  if (Object.keys(parameters).length > MAX_PARAMETERS) over.push(`${Object.keys(parameters).length} parameters (limit ${MAX_PARAMETERS})`);
  if (Object.keys(resources).length > MAX_RESOURCES) over.push(`${Object.keys(resources).length} resources (limit ${MAX_RESOURCES})`);

  // CloudFormation reads YAML 1.1, where `yes`, `on` or `012345678901` are not plain strings:
  // rendering as 1.1 makes the library quote every such string.
  const document = new Document(null, { version: '1.1' });
  document.contents = document.createNode(template, { aliasDuplicateObjects: false });
  document.commentBefore = cloudFormationHeader(options.generatedAt, over);
  const content = document.toString({ lineWidth: 0 });
  return { files: [{ path: ASSIGNMENTS_CLOUDFORMATION_FILE, content }] };
}

/** Unique stems of letters and digits for names in a given order, from the shared logical-ID rule. */
function stems(names: string[]): string[] {
  return assignLogicalIds(names).map((id) => id.slice(SHARED_PREFIX.length));
}

function withDefault(parameter: Record<string, unknown>, value: string | null): Record<string, unknown> {
  return value === null ? parameter : { ...parameter, Default: value };
}

function lookupCommand(command: string, store: string, path: string, value: string): string {
  const identifier = JSON.stringify({ UniqueAttribute: { AttributePath: path, AttributeValue: value } });
  return `aws identitystore ${command} --identity-store-id ${shellQuote(store)} --alternate-identifier ${shellQuote(identifier)} --query ${path === 'UserName' ? 'UserId' : 'GroupId'} --output text`;
}

/** POSIX shell single quotes: a `'` inside becomes `'\''`. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", () => "'\\''")}'`;
}

function cloudFormationHeader(generatedAt: string, over: string[]): string {
  // A newline in the timestamp would end the comment and leave text that is not YAML.
  const when = generatedAt.replace(/[\r\n]+/g, ' ');
  const lines = [
    ` Generated by iam2idc at ${when} from the migration mapping.`,
    ' Fill the User*Id, ExistingGroup*Id and PermissionSet*Arn parameters with the IDs and ARNs their descriptions explain how to find.',
    ' Manage these groups and assignments either here or with `iam2idc assign`, not both.',
  ];
  if (over.length > 0) lines.push(` WARNING: CloudFormation will reject this template: it has ${over.join(' and ')}. Split the mapping.`);
  return lines.join('\n');
}

/** A scalar with an intrinsic function's short-form tag, e.g. `!Ref InstanceArn`. */
function tagged(tag: '!Ref' | '!GetAtt', value: string): Scalar<string> {
  const scalar = new Scalar(value);
  scalar.tag = tag;
  return scalar;
}

// ---------------------------------------------------------------------------------------------

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort(compareText);
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
