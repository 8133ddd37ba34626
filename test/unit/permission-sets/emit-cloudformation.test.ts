import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ScalarTag } from 'yaml';
import { assignLogicalIds, emitCloudFormation } from '../../../src/phases/create-permission-sets/emit-cloudformation.js';
import type { DesiredPermissionSet } from '../../../src/phases/create-permission-sets/types.js';

const GENERATED_AT = '2024-05-01T12:00:00.000Z';
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/** The short-form intrinsic functions, read back as their long form. */
const INTRINSICS: ScalarTag[] = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
];

const dataEngineers: DesiredPermissionSet = {
  name: 'Data.Engineers',
  description: 'Say "hi" to ${var}: it\'s #1 and\na new line',
  sessionDuration: 'PT4H',
  managedPolicies: ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
  customerManagedPolicies: [{ name: 'iam2idc-Data.Engineers-1', path: '/iam2idc/' }, { name: 'Shared', path: '/' }],
  inlinePolicy: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Own', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::data/${aws:username}/*' },
      { Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': false } } },
    ],
  },
  permissionsBoundary: { customerManagedPolicy: { name: 'Boundary', path: '/boundaries/' } },
  tags: { 'iam2idc:source': 'group/Data.Engineers', approved: 'yes', switch: 'on', account: '012345678901', since: '2012-10-17' },
};
const atB: DesiredPermissionSet = {
  name: 'a@b',
  description: null,
  sessionDuration: 'PT1H',
  managedPolicies: [],
  customerManagedPolicies: [],
  inlinePolicy: null,
  permissionsBoundary: { managedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
  tags: {},
};
const SETS = [dataEngineers, atB];

function emit(sets: DesiredPermissionSet[], instanceArn: string | null = INSTANCE_ARN): string {
  const { files } = emitCloudFormation(sets, { instanceArn, generatedAt: GENERATED_AT });
  expect(files.map((file) => file.path)).toEqual(['permission-sets.yaml']);
  return files[0]!.content;
}

type Tagged = { Resources: { PermissionSetDataEngineers: { Properties: { Tags: { Key: string; Value: unknown }[] } } } };

/** Reads the template as CloudFormation does: YAML 1.1, with the short-form intrinsic tags. */
function readTemplate(content: string): Record<string, Record<string, unknown>> {
  return parse(content, { version: '1.1', customTags: INTRINSICS }) as Record<string, Record<string, unknown>>;
}

describe('emitCloudFormation: the template', () => {
  it('Given sets using every field, When parsed back, Then the template has the expected structure', () => {
    expect(readTemplate(emit(SETS))).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Description: expect.any(String),
      Parameters: { InstanceArn: { Type: 'String', Description: expect.any(String), Default: INSTANCE_ARN } },
      Resources: {
        PermissionSetDataEngineers: {
          Type: 'AWS::SSO::PermissionSet',
          Properties: {
            InstanceArn: { Ref: 'InstanceArn' },
            Name: 'Data.Engineers',
            Description: dataEngineers.description,
            SessionDuration: 'PT4H',
            ManagedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'],
            CustomerManagedPolicyReferences: [
              { Name: 'Shared', Path: '/' },
              { Name: 'iam2idc-Data.Engineers-1', Path: '/iam2idc/' },
            ],
            InlinePolicy: dataEngineers.inlinePolicy,
            PermissionsBoundary: { CustomerManagedPolicyReference: { Name: 'Boundary', Path: '/boundaries/' } },
            Tags: [
              { Key: 'account', Value: '012345678901' },
              { Key: 'approved', Value: 'yes' },
              { Key: 'iam2idc:source', Value: 'group/Data.Engineers' },
              { Key: 'since', Value: '2012-10-17' },
              { Key: 'switch', Value: 'on' },
            ],
          },
        },
        PermissionSetab: {
          Type: 'AWS::SSO::PermissionSet',
          Properties: {
            InstanceArn: { Ref: 'InstanceArn' },
            Name: 'a@b',
            SessionDuration: 'PT1H',
            PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
          },
        },
      },
      Outputs: {
        PermissionSetDataEngineersArn: { Description: expect.any(String), Value: { 'Fn::GetAtt': ['PermissionSetDataEngineers', 'PermissionSetArn'] } },
        PermissionSetabArn: { Description: expect.any(String), Value: { 'Fn::GetAtt': ['PermissionSetab', 'PermissionSetArn'] } },
      },
    });
  });

  it('Given the template, When read as YAML 1.2 too, Then strings that YAML 1.1 would retype are still strings', () => {
    const tagsOf = (template: unknown) => (template as Tagged).Resources.PermissionSetDataEngineers.Properties.Tags;
    const asYaml12 = tagsOf(parse(emit(SETS), { customTags: INTRINSICS }));
    expect(asYaml12).toEqual(tagsOf(readTemplate(emit(SETS))));
    expect(asYaml12.every((tag) => typeof tag.Value === 'string')).toBe(true);
  });

  it('Given the text, When searched, Then the intrinsic functions use their short form', () => {
    const text = emit(SETS);
    expect(text).toContain('InstanceArn: !Ref InstanceArn');
    expect(text).toContain('!GetAtt PermissionSetab.PermissionSetArn');
  });

  it('Given no instance ARN, When emitted, Then the parameter has no default and must be given at deploy time', () => {
    expect(readTemplate(emit(SETS, null)).Parameters).toEqual({ InstanceArn: { Type: 'String', Description: expect.any(String) } });
  });

  it('Given no set, When emitted, Then the template has no resource and no outputs section', () => {
    const template = readTemplate(emit([]));
    expect(template.Resources).toEqual({});
    expect(template).not.toHaveProperty('Outputs');
  });

  it('Given more sets than a template may have outputs, When emitted, Then the outputs section is left out', () => {
    const sets = Array.from({ length: 201 }, (_, index) => ({ ...atB, name: `Set${index}` }));
    const template = readTemplate(emit(sets));
    expect(Object.keys(template.Resources!)).toHaveLength(201);
    expect(template).not.toHaveProperty('Outputs');
  });
});

describe('emitCloudFormation: determinism and logical IDs', () => {
  it('Given the same sets in any order, When emitted twice, Then the bytes are identical and start with the generated header', () => {
    const first = emit(SETS);
    expect(emit([...SETS].reverse())).toBe(first);
    expect(first.split('\n')[0]).toMatch(/^# Generated by iam2idc at /);
    expect(first.split('\n')[0]).toContain(GENERATED_AT);
  });

  it('Given names that share letters and digits, When emitted, Then every logical ID is alphanumeric and unique across resources and outputs', () => {
    const names = ['Data.Engineers', 'DataEngineers', 'Data-Engineers', 'X', 'XArn', '+=,', 'a@b'];
    const template = readTemplate(emit(names.map((name) => ({ ...atB, name }))));
    const resourceIds = Object.keys(template.Resources!);
    const outputIds = Object.keys(template.Outputs!);
    const all = [...resourceIds, ...outputIds, 'InstanceArn'];
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id).toMatch(LOGICAL_ID);
    const byName = Object.fromEntries(Object.entries(template.Resources!).map(([id, r]) => [(r as { Properties: { Name: string } }).Properties.Name, id]));
    expect(Object.keys(byName).sort()).toEqual([...names].sort());
    expect(byName.DataEngineers).toBe('PermissionSetDataEngineers');
    expect(byName.X).toBe('PermissionSetX');
  });

  it('Given the same names, When assigned twice, Then the IDs are the same', () => {
    const names = ['a.b', 'a-b', 'ab'];
    expect(assignLogicalIds(names)).toEqual(assignLogicalIds(names));
    expect(assignLogicalIds(names)[2]).toBe('PermissionSetab');
  });
});
