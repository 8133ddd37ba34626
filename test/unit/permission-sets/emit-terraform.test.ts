import { describe, expect, it } from 'vitest';
import { assignTerraformIdentifiers, emitTerraform, quoteHclString } from '../../../src/phases/create-permission-sets/emit-terraform.js';
import type { DesiredPermissionSet } from '../../../src/phases/create-permission-sets/types.js';

const GENERATED_AT = '2024-05-01T12:00:00.000Z';
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const dataEngineers: DesiredPermissionSet = {
  name: 'Data.Engineers',
  description: 'Say "hi" to ${var} and %{if x} with a \\ and\na new line',
  sessionDuration: 'PT4H',
  managedPolicies: ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
  customerManagedPolicies: [{ name: 'iam2idc-Data.Engineers-1', path: '/iam2idc/' }, { name: 'Shared', path: '/' }],
  inlinePolicy: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Own', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/${aws:username}/*' },
      { Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': false } } },
    ],
  },
  permissionsBoundary: { customerManagedPolicy: { name: 'Boundary', path: '/boundaries/' } },
  tags: { 'iam2idc:source': 'group/Data.Engineers', for: 'yes' },
};
const adminAtB: DesiredPermissionSet = {
  name: 'a@b',
  description: null,
  sessionDuration: 'PT1H',
  managedPolicies: [],
  customerManagedPolicies: [],
  inlinePolicy: null,
  permissionsBoundary: { managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
  tags: {},
};
const readOnly: DesiredPermissionSet = { ...adminAtB, name: 'ReadOnly', description: 'Read only', permissionsBoundary: null, managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] };
const SETS = [readOnly, dataEngineers, adminAtB];

// ---- A reader for the HCL subset the emitter writes, so that tests check meaning, not text. ----

type Expr = string | number | boolean | null | Expr[] | { [key: string]: Expr } | { ref: string } | { call: string; args: Expr[] } | { index: number; of: Expr };
interface Block { type: string; labels: string[]; attributes: Record<string, Expr>; blocks: Block[] }

function readHcl(text: string): Block {
  const source = text.replace(/^#.*$/gm, '');
  let at = 0;
  const skip = (newlines: boolean) => {
    while (at < source.length && (source[at] === ' ' || (newlines && source[at] === '\n'))) at += 1;
  };
  const expect_ = (token: string) => {
    if (!source.startsWith(token, at)) throw new Error(`expected ${token} at ${at}: ${source.slice(at, at + 30)}`);
    at += token.length;
  };
  const word = () => /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(at))?.[0] ?? '';
  const readString = (): string => {
    expect_('"');
    let out = '';
    for (;;) {
      const char = source[at]!;
      if (char === '"') break;
      if (char === '\n') throw new Error('new line inside a string');
      if (char === '\\') {
        const next = source[at + 1]!;
        if (next === 'u') { out += String.fromCodePoint(parseInt(source.slice(at + 2, at + 6), 16)); at += 6; continue; }
        out += ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[next] ?? fail(`bad escape \\${next}`);
        at += 2;
        continue;
      }
      if ((char === '$' || char === '%') && source[at + 1] === char && source[at + 2] === '{') { out += `${char}{`; at += 3; continue; }
      if ((char === '$' || char === '%') && source[at + 1] === '{') throw new Error(`template sequence in a string at ${at}`);
      out += char;
      at += 1;
    }
    at += 1;
    return out;
  };
  const readExpr = (): Expr => {
    const value = readOperand();
    const index = /^\[(\d+)\]/.exec(source.slice(at));
    if (!index) return value;
    at += index[0].length;
    return { index: Number(index[1]), of: value };
  };
  const readOperand = (): Expr => {
    skip(false);
    const char = source[at];
    if (char === '"') return readString();
    if (char === '[') {
      at += 1;
      const items: Expr[] = [];
      for (skip(true); source[at] !== ']'; skip(true)) {
        items.push(readExpr());
        skip(true);
        if (source[at] === ',') at += 1;
        else if (source[at] !== ']') fail(`expected , or ] at ${at}`);
      }
      at += 1;
      return items;
    }
    if (char === '{') {
      at += 1;
      const object: Record<string, Expr> = {};
      for (skip(true); source[at] !== '}'; skip(true)) {
        let key = word();
        if (source[at] === '"') key = readString();
        else at += key.length;
        if (key in object) fail(`duplicate key ${key}`);
        skip(false);
        expect_('=');
        object[key] = readExpr();
        skip(false);
        if (source[at] === ',') at += 1;
      }
      at += 1;
      return object;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(at));
    if (number) { at += number[0].length; return Number(number[0]); }
    const ref = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(source.slice(at))![0];
    at += ref.length;
    if (ref === 'true' || ref === 'false') return ref === 'true';
    if (ref === 'null') return null;
    if (source[at] === '(') {
      at += 1;
      const args = [readExpr()];
      skip(true);
      expect_(')');
      return { call: ref, args };
    }
    return { ref };
  };
  const readBody = (block: Block, closing: string) => {
    for (skip(true); at < source.length && source[at] !== closing; skip(true)) {
      const name = word();
      at += name.length;
      skip(false);
      if (source[at] === '=') {
        at += 1;
        if (name in block.attributes) fail(`duplicate attribute ${name}`);
        block.attributes[name] = readExpr();
        continue;
      }
      const child: Block = { type: name, labels: [], attributes: {}, blocks: [] };
      for (; source[at] === '"'; skip(false)) child.labels.push(readString());
      expect_('{');
      readBody(child, '}');
      expect_('}');
      block.blocks.push(child);
    }
  };
  const root: Block = { type: 'file', labels: [], attributes: {}, blocks: [] };
  readBody(root, '');
  return root;
}

function fail(message: string): never {
  throw new Error(message);
}

function resources(file: Block): Map<string, Block> {
  const found = new Map<string, Block>();
  for (const block of file.blocks.filter((b) => b.type === 'resource')) {
    const address = block.labels.join('.');
    expect(found.has(address), `duplicate ${address}`).toBe(false);
    found.set(address, block);
  }
  return found;
}

function emit(sets: DesiredPermissionSet[], instanceArn: string | null = INSTANCE_ARN) {
  const { files } = emitTerraform(sets, { instanceArn, generatedAt: GENERATED_AT });
  expect(files.map((file) => file.path)).toEqual(['permission-sets.tf']);
  return files[0]!.content;
}

describe('emitTerraform: resources', () => {
  it('Given sets using every field, When emitted, Then each set has its permission set and only the attachments it needs', () => {
    const all = resources(readHcl(emit(SETS)));
    expect([...all.keys()].sort()).toEqual([
      'aws_ssoadmin_customer_managed_policy_attachment.Data_Engineers',
      'aws_ssoadmin_managed_policy_attachment.Data_Engineers',
      'aws_ssoadmin_managed_policy_attachment.ReadOnly',
      'aws_ssoadmin_permission_set.Data_Engineers',
      'aws_ssoadmin_permission_set.ReadOnly',
      'aws_ssoadmin_permission_set.a_b',
      'aws_ssoadmin_permission_set_inline_policy.Data_Engineers',
      'aws_ssoadmin_permissions_boundary_attachment.Data_Engineers',
      'aws_ssoadmin_permissions_boundary_attachment.a_b',
    ]);
    for (const block of all.values()) expect(block.labels[1]).toMatch(IDENTIFIER);
  });

  it('Given a description with quotes, a backslash, a new line and template sequences, When read back as HCL, Then every attribute equals the input', () => {
    const set = resources(readHcl(emit(SETS))).get('aws_ssoadmin_permission_set.Data_Engineers')!;
    expect(set.attributes).toEqual({
      name: 'Data.Engineers',
      description: dataEngineers.description,
      instance_arn: { ref: 'local.instance_arn' },
      session_duration: 'PT4H',
      tags: { for: 'yes', 'iam2idc:source': 'group/Data.Engineers' },
    });
  });

  it('Given the text, When searched, Then the template sequences are escaped as $${ and %%{', () => {
    const text = emit(SETS);
    expect(text).toContain('$${var}');
    expect(text).toContain('%%{if x}');
    expect(text).toContain('$${aws:username}');
  });

  it('Given a set without a description, tags or inline policy, When emitted, Then those attributes and resources are absent', () => {
    const set = resources(readHcl(emit([adminAtB]))).get('aws_ssoadmin_permission_set.a_b')!;
    expect(Object.keys(set.attributes).sort()).toEqual(['instance_arn', 'name', 'session_duration']);
  });

  it('Given managed and customer-managed policies, When emitted, Then each attachment iterates over the sorted policies', () => {
    const all = resources(readHcl(emit(SETS)));
    const managed = all.get('aws_ssoadmin_managed_policy_attachment.Data_Engineers')!;
    expect(managed.attributes).toEqual({
      for_each: { call: 'toset', args: [['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess']] },
      instance_arn: { ref: 'local.instance_arn' },
      permission_set_arn: { ref: 'aws_ssoadmin_permission_set.Data_Engineers.arn' },
      managed_policy_arn: { ref: 'each.value' },
    });
    const customer = all.get('aws_ssoadmin_customer_managed_policy_attachment.Data_Engineers')!;
    expect(customer.attributes.for_each).toEqual({
      '/Shared': { name: 'Shared', path: '/' },
      '/iam2idc/iam2idc-Data.Engineers-1': { name: 'iam2idc-Data.Engineers-1', path: '/iam2idc/' },
    });
    expect(customer.blocks).toEqual([
      { type: 'customer_managed_policy_reference', labels: [], attributes: { name: { ref: 'each.value.name' }, path: { ref: 'each.value.path' } }, blocks: [] },
    ]);
  });

  it('Given an inline policy with policy variables, numbers and booleans, When read back, Then jsonencode receives the same document', () => {
    const inline = resources(readHcl(emit(SETS))).get('aws_ssoadmin_permission_set_inline_policy.Data_Engineers')!;
    expect(inline.attributes.inline_policy).toEqual({ call: 'jsonencode', args: [dataEngineers.inlinePolicy] });
  });

  it('Given a boundary of each kind, When emitted, Then each is a permissions_boundary block of its kind', () => {
    const all = resources(readHcl(emit(SETS)));
    expect(all.get('aws_ssoadmin_permissions_boundary_attachment.a_b')!.blocks).toEqual([
      { type: 'permissions_boundary', labels: [], attributes: { managed_policy_arn: 'arn:aws:iam::aws:policy/PowerUserAccess' }, blocks: [] },
    ]);
    expect(all.get('aws_ssoadmin_permissions_boundary_attachment.Data_Engineers')!.blocks[0]!.blocks).toEqual([
      { type: 'customer_managed_policy_reference', labels: [], attributes: { name: 'Boundary', path: '/boundaries/' }, blocks: [] },
    ]);
  });
});

describe('emitTerraform: the Identity Center instance', () => {
  it('Given a known instance ARN, When emitted, Then a variable defaults to it and the local reads the variable', () => {
    const file = readHcl(emit([readOnly]));
    const variable = file.blocks.find((b) => b.type === 'variable')!;
    expect(variable.labels).toEqual(['sso_instance_arn']);
    expect(variable.attributes.default).toEqual(INSTANCE_ARN);
    expect(file.blocks.find((b) => b.type === 'locals')!.attributes).toEqual({ instance_arn: { ref: 'var.sso_instance_arn' } });
    expect(file.blocks.some((b) => b.type === 'data')).toBe(false);
  });

  it('Given no instance ARN, When emitted, Then the data source finds it and no variable is declared', () => {
    const file = readHcl(emit([readOnly], null));
    expect(file.blocks.find((b) => b.type === 'data')!.labels).toEqual(['aws_ssoadmin_instances', 'this']);
    expect(file.blocks.find((b) => b.type === 'locals')!.attributes).toEqual({
      instance_arn: { index: 0, of: { call: 'tolist', args: [{ ref: 'data.aws_ssoadmin_instances.this.arns' }] } },
    });
    expect(file.blocks.some((b) => b.type === 'variable')).toBe(false);
  });
});

describe('emitTerraform: determinism and identifiers', () => {
  it('Given the same sets in any order, When emitted twice, Then the bytes are identical and start with the generated header', () => {
    const first = emit(SETS);
    expect(emit([...SETS].reverse())).toBe(first);
    expect(first.split('\n')[0]).toContain(GENERATED_AT);
    expect(first.startsWith('# Generated by iam2idc')).toBe(true);
  });

  it('Given names that map to the same identifier, When assigned, Then all are valid and unique and a valid name keeps itself', () => {
    const names = ['Data.Engineers', 'Data@Engineers', 'Data_Engineers', '1Admins', '-x', 'a@b', 'a@b'];
    const ids = assignTerraformIdentifiers(names);
    expect(new Set(ids).size).toBe(names.length);
    for (const id of ids) expect(id).toMatch(IDENTIFIER);
    expect(ids[2]).toBe('Data_Engineers');
    expect(assignTerraformIdentifiers(names)).toEqual(ids);
  });

  it('Given colliding set names, When emitted, Then the file still reads back with one resource per address', () => {
    const sets = ['Data.Engineers', 'Data_Engineers', 'Data@Engineers'].map((name) => ({ ...readOnly, name }));
    const names = [...resources(readHcl(emit(sets))).values()].filter((b) => b.labels[0] === 'aws_ssoadmin_permission_set').map((b) => b.attributes.name);
    expect(names.sort()).toEqual(['Data.Engineers', 'Data@Engineers', 'Data_Engineers']);
  });

  it.each([
    ['plain', '"plain"'],
    ['${a} %{b} $${c}', '"$${a} %%{b} $$${c}"'],
    ['tab\tbell\u0007', '"tab\\tbell\\u0007"'],
  ])('Given %j, When quoted, Then the HCL literal is %s', (value, quoted) => {
    expect(quoteHclString(value)).toBe(quoted);
  });
});
