import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ScalarTag } from 'yaml';
import {
  emitAssignmentsCloudFormation,
  emitAssignmentsTerraform,
} from '../../../src/phases/assign/emit-assignments-iac.js';
import type { AssignmentsIacInput, EmitAssignmentsOptions } from '../../../src/phases/assign/emit-assignments-iac.js';

const GENERATED_AT = '2024-05-01T12:00:00.000Z';
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const STORE_ID = 'd-1234567890';
const KNOWN: EmitAssignmentsOptions = { instanceArn: INSTANCE_ARN, identityStoreId: STORE_ID, generatedAt: GENERATED_AT };
const UNKNOWN: EmitAssignmentsOptions = { instanceArn: null, identityStoreId: null, generatedAt: GENERATED_AT };
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

const AWKWARD_DESCRIPTION = 'Say "hi" to ${var} and %{if x} with a \\ and\na new line: it\'s #1';
const INPUT: AssignmentsIacInput = {
  groups: [
    { displayName: 'Data.Engineers', description: AWKWARD_DESCRIPTION, members: ['o\'brien@example.com', 'alice', 'alice'] },
    { displayName: 'Admins', description: null, members: ['alice'] },
  ],
  assignments: [
    { principalType: 'GROUP', principalName: 'Data.Engineers', permissionSetName: 'ReadOnly', accountId: '012345678901' },
    { principalType: 'GROUP', principalName: 'Admins', permissionSetName: 'a@b', accountId: '111122223333' },
    { principalType: 'USER', principalName: '1bob', permissionSetName: 'ReadOnly', accountId: '111122223333' },
    { principalType: 'GROUP', principalName: 'Legacy Ops', permissionSetName: 'ReadOnly', accountId: '111122223333' },
    { principalType: 'USER', principalName: '1bob', permissionSetName: 'ReadOnly', accountId: '111122223333' },
  ],
};

// ---- A reader for the HCL the emitter writes (one attribute per line), so tests check meaning. ----

interface Block { type: string; labels: string[]; attributes: Record<string, string>; blocks: Block[] }

/** Decodes a quoted HCL string, refusing an unescaped template sequence. */
function unquote(text: string): string {
  expect(text.startsWith('"') && text.endsWith('"')).toBe(true);
  let out = '';
  for (let at = 1; at < text.length - 1; at += 1) {
    const char = text[at]!;
    if (char === '\\') {
      const next = text[at + 1]!;
      if (next === 'u') { out += String.fromCodePoint(parseInt(text.slice(at + 2, at + 6), 16)); at += 5; continue; }
      const escaped = ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[next];
      if (escaped === undefined) throw new Error(`bad escape \\${next}`);
      out += escaped;
      at += 1;
    } else if ((char === '$' || char === '%') && text[at + 1] === char && text[at + 2] === '{') {
      out += `${char}{`;
      at += 2;
    } else if ((char === '$' || char === '%') && text[at + 1] === '{') {
      throw new Error(`template sequence in ${text}`);
    } else if (char === '"') {
      throw new Error(`unescaped quote in ${text}`);
    } else {
      out += char;
    }
  }
  return out;
}

/** Attribute values stay as written (strings quoted), blocks nest. */
function readHcl(text: string): Block {
  const root: Block = { type: '', labels: [], attributes: {}, blocks: [] };
  const stack = [root];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const top = stack[stack.length - 1]!;
    if (line === '}') { stack.pop(); continue; }
    const head = /^([a-z_]+)((?: "(?:[^"\\]|\\.)*")*) \{(\})?$/.exec(line);
    if (head) {
      const labels = [...head[2]!.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((m) => unquote(m[0]));
      const child: Block = { type: head[1]!, labels, attributes: {}, blocks: [] };
      top.blocks.push(child);
      if (!head[3]) stack.push(child);
      continue;
    }
    const attribute = /^([A-Za-z_][A-Za-z0-9_]*) *= (.+)$/.exec(line);
    if (!attribute) throw new Error(`unexpected line: ${line}`);
    if (attribute[1]! in top.attributes) throw new Error(`duplicate attribute ${attribute[1]}`);
    top.attributes[attribute[1]!] = attribute[2]!;
  }
  expect(stack).toHaveLength(1);
  return root;
}

/** `data.<type>.<name>` / `<type>.<name>` → block, refusing a repeated address. */
function addresses(file: Block): Map<string, Block> {
  const out = new Map<string, Block>();
  for (const block of file.blocks.filter((b) => b.type === 'resource' || b.type === 'data')) {
    const address = `${block.type === 'data' ? 'data.' : ''}${block.labels.join('.')}`;
    if (out.has(address)) throw new Error(`duplicate address ${address}`);
    expect(block.labels[1]).toMatch(IDENTIFIER);
    out.set(address, block);
  }
  return out;
}

function ofType(all: Map<string, Block>, prefix: string): Block[] {
  return [...all.entries()].filter(([address]) => address.startsWith(`${prefix}.`)).map(([, block]) => block);
}

/** Follows `<address>.<attribute>` to the block it names. */
function target(all: Map<string, Block>, expression: string): Block {
  const address = expression.slice(0, expression.lastIndexOf('.'));
  const block = all.get(address);
  if (!block) throw new Error(`dangling reference ${expression}`);
  return block;
}

function uniqueValue(block: Block): string {
  return unquote(block.blocks[0]!.blocks[0]!.attributes.attribute_value!);
}

function emitTf(input: AssignmentsIacInput = INPUT, options: EmitAssignmentsOptions = KNOWN): string {
  const { files } = emitAssignmentsTerraform(input, options);
  expect(files.map((file) => file.path)).toEqual(['assignments.tf']);
  return files[0]!.content;
}

describe('emitAssignmentsTerraform', () => {
  it('Given groups with members, When emitted, Then each group is a resource and each unique member a membership of a user looked up by name', () => {
    const all = addresses(readHcl(emitTf()));
    const groups = ofType(all, 'aws_identitystore_group');
    expect(groups.map((g) => unquote(g.attributes.display_name!))).toEqual(['Admins', 'Data.Engineers']);
    expect(groups[0]!.attributes.description).toBeUndefined();
    expect(unquote(groups[1]!.attributes.description!)).toBe(AWKWARD_DESCRIPTION);
    expect(groups.every((g) => g.attributes.identity_store_id === 'local.assignments_identity_store_id')).toBe(true);

    const users = ofType(all, 'data.aws_identitystore_user');
    expect(users.map(uniqueValue)).toEqual(['1bob', 'alice', 'o\'brien@example.com']);
    for (const user of users) expect(unquote(user.blocks[0]!.blocks[0]!.attributes.attribute_path!)).toBe('UserName');

    const memberships = ofType(all, 'aws_identitystore_group_membership').map((m) => [
      unquote(target(all, m.attributes.group_id!).attributes.display_name!),
      uniqueValue(target(all, m.attributes.member_id!)),
    ]);
    expect(memberships).toEqual([['Admins', 'alice'], ['Data.Engineers', 'alice'], ['Data.Engineers', 'o\'brien@example.com']]);
    for (const m of ofType(all, 'aws_identitystore_group_membership')) {
      expect(m.attributes.group_id).toMatch(/^aws_identitystore_group\.[^.]+\.group_id$/);
      expect(m.attributes.member_id).toMatch(/^data\.aws_identitystore_user\.[^.]+\.user_id$/);
    }
  });

  it('Given user and group assignments, When emitted, Then each unique assignment points at its principal, its permission set by name and its account', () => {
    const all = addresses(readHcl(emitTf()));
    const sets = ofType(all, 'data.aws_ssoadmin_permission_set');
    expect(sets.map((s) => unquote(s.attributes.name!))).toEqual(['ReadOnly', 'a@b']);
    expect(sets.every((s) => s.attributes.instance_arn === 'local.assignments_instance_arn')).toBe(true);

    const assignments = ofType(all, 'aws_ssoadmin_account_assignment').map((a) => {
      expect(a.attributes.permission_set_arn).toMatch(/\.arn$/);
      expect(unquote(a.attributes.target_type!)).toBe('AWS_ACCOUNT');
      const principal = target(all, a.attributes.principal_id!);
      return [
        unquote(a.attributes.principal_type!),
        principal.attributes.display_name ? unquote(principal.attributes.display_name) : uniqueValue(principal),
        unquote(target(all, a.attributes.permission_set_arn!).attributes.name!),
        unquote(a.attributes.target_id!),
      ];
    });
    expect(assignments).toEqual([
      ['GROUP', 'Admins', 'a@b', '111122223333'],
      ['GROUP', 'Data.Engineers', 'ReadOnly', '012345678901'],
      ['GROUP', 'Legacy Ops', 'ReadOnly', '111122223333'],
      ['USER', '1bob', 'ReadOnly', '111122223333'],
    ]);
  });

  it('Given a group assigned but not defined, When emitted, Then it is looked up by display name, not created', () => {
    const all = addresses(readHcl(emitTf()));
    const existing = ofType(all, 'data.aws_identitystore_group');
    expect(existing.map(uniqueValue)).toEqual(['Legacy Ops']);
    expect(unquote(existing[0]!.blocks[0]!.blocks[0]!.attributes.attribute_path!)).toBe('DisplayName');
    expect(ofType(all, 'aws_identitystore_group').map((g) => unquote(g.attributes.display_name!))).not.toContain('Legacy Ops');
  });

  it('Given a known instance and identity store, When emitted, Then variables default to them and the locals read the variables', () => {
    const file = readHcl(emitTf());
    expect(file.blocks.some((b) => b.type === 'data' && b.labels[0] === 'aws_ssoadmin_instances')).toBe(false);
    const variables = file.blocks.filter((b) => b.type === 'variable');
    expect(variables.map((v) => [v.labels[0], unquote(v.attributes.default!)])).toEqual([
      ['assignments_sso_instance_arn', INSTANCE_ARN],
      ['assignments_identity_store_id', STORE_ID],
    ]);
    expect(file.blocks.find((b) => b.type === 'locals')!.attributes).toEqual({
      assignments_instance_arn: 'var.assignments_sso_instance_arn',
      assignments_identity_store_id: 'var.assignments_identity_store_id',
    });
  });

  it('Given no instance or identity store, When emitted, Then the instances data source supplies both and no variable is declared', () => {
    const file = readHcl(emitTf(INPUT, UNKNOWN));
    expect(file.blocks.filter((b) => b.type === 'variable')).toEqual([]);
    expect(file.blocks.filter((b) => b.type === 'data' && b.labels[0] === 'aws_ssoadmin_instances').map((b) => b.labels)).toEqual([['aws_ssoadmin_instances', 'assignments']]);
    expect(file.blocks.find((b) => b.type === 'locals')!.attributes).toEqual({
      assignments_instance_arn: 'tolist(data.aws_ssoadmin_instances.assignments.arns)[0]',
      assignments_identity_store_id: 'tolist(data.aws_ssoadmin_instances.assignments.identity_store_ids)[0]',
    });
  });

  it('Given names with template sequences, When emitted, Then the text escapes them and reads back unchanged', () => {
    const input: AssignmentsIacInput = {
      groups: [{ displayName: '${evil}', description: '%{ if true }', members: ['u${x}'] }],
      assignments: [{ principalType: 'GROUP', principalName: '${evil}', permissionSetName: 'P%{x}', accountId: '111122223333' }],
    };
    const text = emitTf(input);
    expect(text).toContain('"$${evil}"');
    expect(text).toContain('"%%{ if true }"');
    const all = addresses(readHcl(text));
    expect(unquote(ofType(all, 'aws_identitystore_group')[0]!.attributes.display_name!)).toBe('${evil}');
    expect(uniqueValue(ofType(all, 'data.aws_identitystore_user')[0]!)).toBe('u${x}');
    expect(unquote(ofType(all, 'data.aws_ssoadmin_permission_set')[0]!.attributes.name!)).toBe('P%{x}');
  });

  it('Given names that map to the same identifier, When emitted, Then every address is valid and unique', () => {
    const input: AssignmentsIacInput = {
      groups: [
        { displayName: 'a.b', description: null, members: ['x.y', 'x_y'] },
        { displayName: 'a_b', description: null, members: ['x.y'] },
        { displayName: 'a b', description: null, members: [] },
      ],
      assignments: [],
    };
    const all = addresses(readHcl(emitTf(input)));
    expect(ofType(all, 'aws_identitystore_group')).toHaveLength(3);
    expect(ofType(all, 'aws_identitystore_group_membership')).toHaveLength(3);
    expect(all.get('aws_identitystore_group.a_b')!.attributes.display_name).toBe('"a_b"');
  });

  it('Given the same input in any order, When emitted twice, Then the bytes are identical and start with the generated header', () => {
    const first = emitTf();
    const shuffled: AssignmentsIacInput = {
      groups: [...INPUT.groups].reverse().map((g) => ({ ...g, members: [...g.members].reverse() })),
      assignments: [...INPUT.assignments].reverse(),
    };
    expect(emitTf(shuffled)).toBe(first);
    expect(emitTf()).toBe(first);
    expect(first.split('\n')[0]).toContain(GENERATED_AT);
    expect(first.endsWith('}\n')).toBe(true);
  });

  it('Given a timestamp with a new line, When emitted, Then the header stays a comment', () => {
    const text = emitTf(INPUT, { ...KNOWN, generatedAt: 'now\nresource "x" "y" {}' });
    expect(text.split('\n')[0]).toBe('# Generated by iam2idc at now resource "x" "y" {} from the migration mapping.');
  });

  it('Given a group defined twice, When emitted, Then it is refused', () => {
    const group = { displayName: 'Admins', description: null, members: [] };
    expect(() => emitAssignmentsTerraform({ groups: [group, group], assignments: [] }, KNOWN)).toThrow(/Admins/);
  });
});

// ---- CloudFormation ----

/** The short-form intrinsic functions, read back as their long form. */
const INTRINSICS: ScalarTag[] = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
];

type Template = {
  AWSTemplateFormatVersion: string;
  Parameters: Record<string, { Type: string; Description: string; Default?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

function emitCfn(input: AssignmentsIacInput = INPUT, options: EmitAssignmentsOptions = KNOWN): string {
  const { files } = emitAssignmentsCloudFormation(input, options);
  expect(files.map((file) => file.path)).toEqual(['assignments.yaml']);
  return files[0]!.content;
}

/** Reads the template as CloudFormation does: YAML 1.1, with the short-form intrinsic tags. */
function readTemplate(content: string): Template {
  return parse(content, { version: '1.1', customTags: INTRINSICS }) as Template;
}

function ofKind(template: Template, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => [id, r.Properties]);
}

describe('emitAssignmentsCloudFormation', () => {
  it('Given groups, members and assignments, When parsed back, Then the template has the expected resources and parameters', () => {
    const template = readTemplate(emitCfn());
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(template.Parameters)).toEqual([
      'InstanceArn', 'IdentityStoreId',
      'PermissionSetReadOnlyArn', 'PermissionSetabArn',
      'User1bobId', 'UseraliceId', 'UserobrienexamplecomId',
      'ExistingGroupLegacyOpsId',
    ]);
    expect(template.Parameters.InstanceArn!.Default).toBe(INSTANCE_ARN);
    expect(template.Parameters.IdentityStoreId!.Default).toBe(STORE_ID);
    for (const id of [...Object.keys(template.Parameters), ...Object.keys(template.Resources)]) expect(id).toMatch(LOGICAL_ID);

    expect(template.Resources.GroupDataEngineers).toEqual({
      Type: 'AWS::IdentityStore::Group',
      Properties: { IdentityStoreId: { Ref: 'IdentityStoreId' }, DisplayName: 'Data.Engineers', Description: AWKWARD_DESCRIPTION },
    });
    expect(template.Resources.GroupAdmins!.Properties).toEqual({ IdentityStoreId: { Ref: 'IdentityStoreId' }, DisplayName: 'Admins' });

    expect(ofKind(template, 'AWS::IdentityStore::GroupMembership').map(([, p]) => p)).toEqual([
      { IdentityStoreId: { Ref: 'IdentityStoreId' }, GroupId: { 'Fn::GetAtt': ['GroupAdmins', 'GroupId'] }, MemberId: { UserId: { Ref: 'UseraliceId' } } },
      { IdentityStoreId: { Ref: 'IdentityStoreId' }, GroupId: { 'Fn::GetAtt': ['GroupDataEngineers', 'GroupId'] }, MemberId: { UserId: { Ref: 'UseraliceId' } } },
      { IdentityStoreId: { Ref: 'IdentityStoreId' }, GroupId: { 'Fn::GetAtt': ['GroupDataEngineers', 'GroupId'] }, MemberId: { UserId: { Ref: 'UserobrienexamplecomId' } } },
    ]);

    const common = { InstanceArn: { Ref: 'InstanceArn' }, TargetType: 'AWS_ACCOUNT' };
    expect(ofKind(template, 'AWS::SSO::Assignment').map(([, p]) => p)).toEqual([
      { ...common, PermissionSetArn: { Ref: 'PermissionSetabArn' }, PrincipalId: { 'Fn::GetAtt': ['GroupAdmins', 'GroupId'] }, PrincipalType: 'GROUP', TargetId: '111122223333' },
      { ...common, PermissionSetArn: { Ref: 'PermissionSetReadOnlyArn' }, PrincipalId: { 'Fn::GetAtt': ['GroupDataEngineers', 'GroupId'] }, PrincipalType: 'GROUP', TargetId: '012345678901' },
      { ...common, PermissionSetArn: { Ref: 'PermissionSetReadOnlyArn' }, PrincipalId: { Ref: 'ExistingGroupLegacyOpsId' }, PrincipalType: 'GROUP', TargetId: '111122223333' },
      { ...common, PermissionSetArn: { Ref: 'PermissionSetReadOnlyArn' }, PrincipalId: { Ref: 'User1bobId' }, PrincipalType: 'USER', TargetId: '111122223333' },
    ]);
  });

  it('Given every reference, When parsed back, Then each Ref and GetAtt names a parameter or resource of the template', () => {
    const template = readTemplate(emitCfn());
    const refs: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (typeof record.Ref === 'string') refs.push(record.Ref);
        else if (Array.isArray(record['Fn::GetAtt'])) refs.push(String(record['Fn::GetAtt'][0]));
        else Object.values(record).forEach(walk);
      }
    };
    walk(template.Resources);
    const declared = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources)]);
    expect(refs.filter((ref) => !declared.has(ref))).toEqual([]);
    expect(new Set(refs)).toEqual(new Set(Object.keys(template.Parameters).concat(['GroupAdmins', 'GroupDataEngineers'])));
  });

  it('Given user parameters, When read, Then each description gives a get-user-id command that survives a quote in the name', () => {
    const template = readTemplate(emitCfn());
    const description = template.Parameters.UserobrienexamplecomId!.Description;
    expect(description).toContain('aws identitystore get-user-id');
    expect(description).toContain(`--identity-store-id '${STORE_ID}'`);
    expect(description).toContain(`--alternate-identifier '{"UniqueAttribute":{"AttributePath":"UserName","AttributeValue":"o'\\''brien@example.com"}}'`);
    expect(template.Parameters.ExistingGroupLegacyOpsId!.Description).toContain('aws identitystore get-group-id');
    expect(template.Parameters.PermissionSetabArn!.Description).toContain('"a@b"');
  });

  it('Given no instance or identity store, When emitted, Then their parameters have no default', () => {
    const template = readTemplate(emitCfn(INPUT, UNKNOWN));
    expect(template.Parameters.InstanceArn).not.toHaveProperty('Default');
    expect(template.Parameters.IdentityStoreId).not.toHaveProperty('Default');
    expect(template.Parameters.UseraliceId!.Description).toContain("--identity-store-id '<IdentityStoreId>'");
  });

  it('Given account IDs and names that YAML 1.1 would read as numbers or booleans, When parsed back, Then they stay strings', () => {
    const input: AssignmentsIacInput = {
      groups: [{ displayName: 'yes', description: '0123', members: ['on'] }],
      assignments: [{ principalType: 'GROUP', principalName: 'yes', permissionSetName: 'no', accountId: '012345678901' }],
    };
    const template = readTemplate(emitCfn(input));
    expect(ofKind(template, 'AWS::IdentityStore::Group')[0]![1]).toMatchObject({ DisplayName: 'yes', Description: '0123' });
    expect(ofKind(template, 'AWS::SSO::Assignment')[0]![1]).toMatchObject({ TargetId: '012345678901' });
    expect(Object.keys(template.Parameters)).toContain('UseronId');
  });

  it('Given names that map to the same logical ID, When emitted, Then every ID is valid and unique and every membership is kept', () => {
    const input: AssignmentsIacInput = {
      groups: [
        { displayName: 'a.b', description: null, members: ['x.y', 'xy'] },
        { displayName: 'ab', description: null, members: ['x.y'] },
        { displayName: 'a-b', description: null, members: [] },
      ],
      assignments: [],
    };
    const template = readTemplate(emitCfn(input));
    expect(ofKind(template, 'AWS::IdentityStore::Group').map(([, p]) => p.DisplayName)).toEqual(['a-b', 'a.b', 'ab']);
    expect(template.Resources.Groupab!.Properties.DisplayName).toBe('ab');
    expect(ofKind(template, 'AWS::IdentityStore::GroupMembership')).toHaveLength(3);
    expect(Object.keys(template.Parameters).filter((id) => id.startsWith('User'))).toHaveLength(2);
  });

  it('Given the same input in any order, When emitted twice, Then the bytes are identical and start with the generated header', () => {
    const first = emitCfn();
    const shuffled: AssignmentsIacInput = {
      groups: [...INPUT.groups].reverse().map((g) => ({ ...g, members: [...g.members].reverse() })),
      assignments: [...INPUT.assignments].reverse(),
    };
    expect(emitCfn(shuffled)).toBe(first);
    expect(emitCfn()).toBe(first);
    expect(first.split('\n')[0]).toContain(GENERATED_AT);
    expect(first.split('\n')[0]!.startsWith('#')).toBe(true);
  });

  it('Given more users than CloudFormation takes parameters, When emitted, Then the header warns the template will be rejected', () => {
    const members = Array.from({ length: 250 }, (_, index) => `user${index}`);
    const text = emitCfn({ groups: [{ displayName: 'Everyone', description: null, members }], assignments: [] });
    expect(text).toMatch(/^# WARNING: CloudFormation will reject this template: it has 252 parameters/m);
    expect(emitCfn()).not.toContain('WARNING');
  });
});
