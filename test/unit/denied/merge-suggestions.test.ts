import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../../../src/model/inventory.js';
import { mappingWithMergedFiles, mergeSuggestions, writeMergedPolicies } from '../../../src/phases/watch-denied/merge-suggestions.js';
import type { PolicyPatch, SuggestedAction } from '../../../src/phases/watch-denied/suggest-policy-patches.js';
import { countPolicyChars } from '../../../src/model/policy-size.js';
import { PolicyValidator } from '../../../src/phases/generate-policies/validate-policy.js';
import { MAPPING_FILE, parseMapping, type LoadedMapping } from '../../../src/workspace/mapping-file.js';
import { readPolicyManifest, writePolicyFile, writePolicyManifest, type PolicyFileManifest } from '../../../src/workspace/policy-files.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const IDENTITY = { accountId: '111111111111', partition: 'aws', arn: 'arn:aws:iam::111111111111:user/admin' };
const MANIFEST_FILE = 'policies/.generated.json';
const DEVELOPERS_FILE = 'policies/Developers.json';
const SECURITY_COMMENT = '# Sandbox: approved by security on 2026-11-30';
const BUCKET_OBJECTS = 'arn:aws:s3:::app-bucket/*';

const MAPPING_TEXT = `# iam2idc migration plan for account 111111111111
version: 1
account: "111111111111"

protect:
  users: []
  tags: []

users:
  jane:
    kind: human
    userName: jane

permissionSets:
  Developers:
    sessionDuration: PT8H
    managedPolicies: []
    inlinePolicyFile: ${DEVELOPERS_FILE}

  ${SECURITY_COMMENT}
  Sandbox:
    sessionDuration: PT4H
    managedPolicies:
      - arn:aws:iam::aws:policy/ReadOnlyAccess

groups:
  Engineers:
    members:
      - jane

assignments:
  - group: Engineers
    permissionSet: Developers
    targets:
      - "111111111111"
  - group: Engineers
    permissionSet: Sandbox
    targets:
      - "111111111111"
`;

const REGION_CONDITION = { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } };
const DEVELOPERS_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ReadReports', Effect: 'Allow', Action: 's3:GetObject', Resource: BUCKET_OBJECTS },
    { Sid: 'NoIam', Effect: 'Deny', Action: ['iam:*'], Resource: ['*'] },
    { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'], Condition: REGION_CONDITION },
  ],
};

let root: string;
let workspace: Workspace;
let manifest: PolicyFileManifest;
let loaded: LoadedMapping;
const validator = () => new PolicyValidator(null);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-merge-suggestions-'));
  workspace = Workspace.at(root);
  await workspace.bindToAccount(IDENTITY, NOW);
  await workspace.writeText(MAPPING_FILE, MAPPING_TEXT);
  await givenDevelopersPolicy(DEVELOPERS_POLICY);
  loaded = parseMapping(MAPPING_TEXT, MAPPING_FILE);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The Developers policy file as generate-policies leaves it: written, and its digest in the manifest. */
async function givenDevelopersPolicy(document: PolicyDocument): Promise<void> {
  manifest = {};
  await writePolicyFile(workspace, DEVELOPERS_FILE, document, manifest);
  await writePolicyManifest(workspace, manifest);
  manifest = await readPolicyManifest(workspace);
}

function suggested(action: string, resources: string[] | '*' = '*'): SuggestedAction {
  return { action, resources, scope: 'test', unverified: false, count: 1, users: ['jane'], lastSeen: NOW.toISOString() };
}

function patch(permissionSet: string, statements: PolicyStatement[]): PolicyPatch {
  const actions = statements.flatMap((s) => [s.Action ?? []].flat().map((a) => suggested(a, s.Resource === '*' ? '*' : [s.Resource ?? []].flat())));
  return {
    permissionSet,
    generatedAt: NOW.toISOString(),
    window: { since: '2026-11-30T12:00:00.000Z', until: NOW.toISOString() },
    document: { Version: '2012-10-17', Statement: statements },
    actions,
  };
}

const allow = (action: string | string[], resource: string | string[], sid?: string): PolicyStatement => ({ ...(sid ? { Sid: sid } : {}), Effect: 'Allow', Action: action, Resource: resource });

describe('mergeSuggestions', () => {
  it('Given a patch for a set with an inline policy file, When merged, Then its statements merge into that policy and none of the policy is dropped', async () => {
    const patches = [patch('Developers', [allow(['s3:PutObject'], [BUCKET_OBJECTS], 'Iam2idcObservedDenial1'), allow(['dynamodb:GetItem'], '*', 'Iam2idcObservedDenial2')])];

    const result = await mergeSuggestions(workspace, loaded.mapping, patches, manifest, validator());

    expect(result.problems).toEqual([]);
    expect(result.unchanged).toEqual([]);
    expect(result.merged).toHaveLength(1);
    const [merged] = result.merged;
    expect(merged).toMatchObject({ permissionSet: 'Developers', file: DEVELOPERS_FILE, newFile: false, validatedBy: 'local' });
    expect(merged?.actionsAdded).toEqual(['s3:PutObject', 'dynamodb:GetItem']);
    expect(merged?.document.Statement).toEqual([
      { Sid: 'ReadReports', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [BUCKET_OBJECTS] },
      { Sid: 'NoIam', Effect: 'Deny', Action: ['iam:*'], Resource: ['*'] },
      { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'], Condition: REGION_CONDITION },
      { Sid: 'Iam2idcObservedDenial2', Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['*'] },
    ]);
    // Nothing is written before the operator confirms.
    expect(await readFile(workspace.resolve(DEVELOPERS_FILE), 'utf8')).toBe(`${JSON.stringify(DEVELOPERS_POLICY, null, 2)}\n`);
  });

  it('Given a patch for a set without an inline policy file, When merged, Then it becomes policies/<Set>.json, marked new', async () => {
    const result = await mergeSuggestions(workspace, loaded.mapping, [patch('Sandbox', [allow(['dynamodb:GetItem', 'dynamodb:Query'], '*', 'Iam2idcObservedDenial1')])], manifest, validator());

    expect(result.problems).toEqual([]);
    expect(result.merged).toEqual([
      expect.objectContaining({
        permissionSet: 'Sandbox',
        file: 'policies/Sandbox.json',
        newFile: true,
        actionsAdded: ['dynamodb:GetItem', 'dynamodb:Query'],
        document: { Version: '2012-10-17', Statement: [{ Sid: 'Iam2idcObservedDenial1', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: ['*'] }] },
      }),
    ]);
  });

  it('Given a patch whose actions the policy already has, When merged, Then the set is reported unchanged and not merged', async () => {
    const result = await mergeSuggestions(workspace, loaded.mapping, [patch('Developers', [allow('s3:GetObject', BUCKET_OBJECTS, 'Iam2idcObservedDenial1')])], manifest, validator());

    expect(result).toEqual({ merged: [], unchanged: ['Developers'], problems: [] });
  });

  it('Given a merge that would exceed the 10,240 characters of an inline policy, When merged, Then it is a problem and nothing is merged', async () => {
    const resources = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `arn:aws:s3:::${prefix}-bucket-${String(i).padStart(4, '0')}/*`);
    const big: PolicyDocument = { Version: '2012-10-17', Statement: [allow('s3:GetObject', resources('reports', 260))] };
    await givenDevelopersPolicy(big);
    const extra = patch('Developers', [allow('s3:PutObject', resources('uploads', 60))]);
    // The premise: the policy fits on its own, the merge does not.
    expect(countPolicyChars(big)).toBeLessThanOrEqual(10_240);
    expect(countPolicyChars({ Version: '2012-10-17', Statement: [...[big.Statement].flat(), ...[extra.document.Statement].flat()] })).toBeGreaterThan(10_240);

    const result = await mergeSuggestions(workspace, loaded.mapping, [extra], manifest, validator());

    expect(result.merged).toEqual([]);
    expect(result.unchanged).toEqual([]);
    expect(result.problems).toEqual([{ permissionSet: 'Developers', reason: expect.any(String) }]);
  });

  it('Given a patch for a permission set that mapping.yaml does not have, When merged, Then it is a problem', async () => {
    const result = await mergeSuggestions(workspace, loaded.mapping, [patch('Ghost', [allow('s3:GetObject', '*')]), patch('Sandbox', [allow('s3:ListBucket', '*')])], manifest, validator());

    expect(result.problems).toEqual([{ permissionSet: 'Ghost', reason: expect.any(String) }]);
    expect(result.merged.map((m) => m.permissionSet)).toEqual(['Sandbox']);
  });

  it('Given a patch that would not validate (an action that does not exist), When merged, Then it is a problem and not merged', async () => {
    const result = await mergeSuggestions(workspace, loaded.mapping, [patch('Sandbox', [allow('s3:NotARealAction', '*')])], manifest, validator());

    expect(result.merged).toEqual([]);
    expect(result.problems).toEqual([{ permissionSet: 'Sandbox', reason: expect.any(String) }]);
  });
});

describe('mappingWithMergedFiles', () => {
  it('Given a merge into a new file, When the mapping is projected, Then the set points at it and the original mapping is untouched', async () => {
    const { merged } = await mergeSuggestions(workspace, loaded.mapping, [patch('Sandbox', [allow('dynamodb:GetItem', '*')]), patch('Developers', [allow('s3:PutObject', BUCKET_OBJECTS)])], manifest, validator());

    const projected = mappingWithMergedFiles(loaded.mapping, merged);

    expect(projected.permissionSets['Sandbox']).toMatchObject({ inlinePolicyFile: 'policies/Sandbox.json', sessionDuration: 'PT4H', managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    expect(projected.permissionSets['Developers']?.inlinePolicyFile).toBe(DEVELOPERS_FILE);
    expect(loaded.mapping.permissionSets['Sandbox']?.inlinePolicyFile).toBeUndefined();
    expect(projected.users).toEqual(loaded.mapping.users);
  });
});

describe('writeMergedPolicies', () => {
  it('Given a merge into a new file, When written, Then the policy is written, mapping.yaml points at it with its comments kept, the set is ready in workspace.json, and the manifest is left alone', async () => {
    const manifestBefore = await readFile(workspace.resolve(MANIFEST_FILE), 'utf8');
    const { merged } = await mergeSuggestions(workspace, loaded.mapping, [patch('Sandbox', [allow('dynamodb:GetItem', '*', 'Iam2idcObservedDenial1')])], manifest, validator());

    const written = await writeMergedPolicies(workspace, merged, loaded.document, NOW);

    expect(written).toEqual(expect.arrayContaining([workspace.resolve('policies/Sandbox.json'), workspace.resolve(MAPPING_FILE)]));
    expect(JSON.parse(await readFile(workspace.resolve('policies/Sandbox.json'), 'utf8'))).toEqual(merged[0]?.document);
    const mappingText = await readFile(workspace.resolve(MAPPING_FILE), 'utf8');
    expect(mappingText).toContain(SECURITY_COMMENT);
    expect(mappingText).toContain('# iam2idc migration plan for account 111111111111');
    const reparsed = parseMapping(mappingText, MAPPING_FILE).mapping;
    expect(reparsed.permissionSets['Sandbox']?.inlinePolicyFile).toBe('policies/Sandbox.json');
    expect(reparsed.permissionSets['Developers']?.inlinePolicyFile).toBe(DEVELOPERS_FILE);
    const state = await workspace.readState();
    expect(state?.phases.policies?.sets['Sandbox']).toEqual({ ready: true, basis: 'granted', validatedBy: 'local', inlinePolicyFile: 'policies/Sandbox.json' });
    expect(await readFile(workspace.resolve(MANIFEST_FILE), 'utf8')).toBe(manifestBefore);
  });

  it('Given a merge into an existing file and sets already recorded, When written, Then the file is updated, mapping.yaml is not rewritten, and only the merged set changes in workspace.json', async () => {
    const state = await workspace.updateState({
      phase: 'policies',
      update: () => ({
        lastRunAt: '2026-11-01T00:00:00.000Z',
        sets: {
          Developers: { ready: false, basis: 'used', validatedBy: 'none', inlinePolicyFile: DEVELOPERS_FILE },
          Sandbox: { ready: true, basis: 'granted', validatedBy: 'access-analyzer', inlinePolicyFile: null },
        },
      }),
    });
    if (!state) throw new Error('the workspace is bound in beforeEach');
    const manifestBefore = await readFile(workspace.resolve(MANIFEST_FILE), 'utf8');
    const { merged } = await mergeSuggestions(workspace, loaded.mapping, [patch('Developers', [allow('s3:PutObject', BUCKET_OBJECTS)])], manifest, validator());

    const written = await writeMergedPolicies(workspace, merged, loaded.document, NOW);

    expect(written).toEqual([workspace.resolve(DEVELOPERS_FILE)]);
    expect(await readFile(workspace.resolve(MAPPING_FILE), 'utf8')).toBe(MAPPING_TEXT);
    expect(JSON.parse(await readFile(workspace.resolve(DEVELOPERS_FILE), 'utf8'))).toEqual(merged[0]?.document);
    const after = await workspace.readState();
    expect(after?.phases.policies).toEqual({
      lastRunAt: '2026-11-01T00:00:00.000Z',
      sets: {
        Developers: { ready: true, basis: 'used', validatedBy: 'local', inlinePolicyFile: DEVELOPERS_FILE },
        Sandbox: { ready: true, basis: 'granted', validatedBy: 'access-analyzer', inlinePolicyFile: null },
      },
    });
    expect(await readFile(workspace.resolve(MANIFEST_FILE), 'utf8')).toBe(manifestBefore);
  });

  it('Given a workspace without workspace.json, When written, Then the policies are written and no state is created', async () => {
    await rm(workspace.resolve('workspace.json'));
    const { merged } = await mergeSuggestions(workspace, loaded.mapping, [patch('Developers', [allow('s3:PutObject', BUCKET_OBJECTS)])], manifest, validator());

    await writeMergedPolicies(workspace, merged, loaded.document, NOW);

    expect(await workspace.readState()).toBeNull();
    expect(JSON.parse(await readFile(workspace.resolve(DEVELOPERS_FILE), 'utf8'))).toEqual(merged[0]?.document);
  });
});
