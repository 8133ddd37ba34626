import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import { readCurrentPermissionSets } from '../../../src/phases/create-permission-sets/read-current.js';
import { PermissionSetInputError, readDesiredPermissionSets, type ReadPolicy } from '../../../src/phases/create-permission-sets/read-desired.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import { mockAws } from '../support/aws-mocks.js';
import { INSTANCE_ARN, READ_ONLY_ARN, allowStatement, mappingWith, policy } from './fixtures.js';

const { mocks, clients } = mockAws();

const DEV_POLICY = policy(allowStatement(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::app-bucket/*'));

function policyFiles(files: Record<string, PolicyDocument>): ReadPolicy {
  return async (path) => files[path] ?? null;
}

/** A policy of about `chars` characters: one statement with many distinct actions. */
function policyOfSize(chars: number): PolicyDocument {
  const actions = Array.from({ length: Math.ceil(chars / 20) }, (_, i) => `s3:GetObjectVersion${String(i).padStart(5, '0')}`);
  return policy(allowStatement(actions));
}

/** A mapping whose values the schema would refuse: the limits must hold whatever the source. */
function withRaw(mapping: Mapping, name: string, patch: Record<string, unknown>): Mapping {
  const sets = mapping.permissionSets as Record<string, Record<string, unknown>>;
  sets[name] = { ...sets[name], ...patch };
  return mapping;
}

describe('readDesiredPermissionSets', () => {
  it('Given a mapping and its policy files, When read, Then each set carries its settings, policies and provenance tags', async () => {
    const mapping = mappingWith({
      Developers: { description: 'Developers of the app', sessionDuration: 'PT4H', managedPolicies: [READ_ONLY_ARN, READ_ONLY_ARN], inlinePolicyFile: 'policies/Developers.json', source: { group: 'Developers' }, permissionsBoundary: null },
      'user-bob': { customerManagedPolicies: [{ name: 'deploy', path: '/app/' }], source: { user: 'bob' } },
    });

    const sets = await readDesiredPermissionSets(mapping, policyFiles({ 'policies/Developers.json': DEV_POLICY }));

    expect(sets).toEqual([
      {
        name: 'Developers',
        description: 'Developers of the app',
        sessionDuration: 'PT4H',
        managedPolicies: [READ_ONLY_ARN],
        customerManagedPolicies: [],
        inlinePolicy: DEV_POLICY,
        permissionsBoundary: null,
        tags: { 'iam2idc:managed': 'true', 'iam2idc:source': 'group:Developers' },
      },
      {
        name: 'user-bob',
        description: null,
        sessionDuration: 'PT8H',
        managedPolicies: [],
        customerManagedPolicies: [{ name: 'deploy', path: '/app/' }],
        inlinePolicy: null,
        // Not in the mapping: whatever boundary the set has is left alone.
        permissionsBoundary: undefined,
        tags: { 'iam2idc:managed': 'true', 'iam2idc:source': 'user:bob' },
      },
    ]);
  });

  it('Given limits broken in two sets, When read and then compared with AWS, Then one usage error names every file and field, before any AWS call', async () => {
    const mapping = mappingWith({ Developers: { inlinePolicyFile: 'policies/Developers.json' }, Ops: {} });
    withRaw(mapping, 'Developers', { sessionDuration: 'PT13H', description: 'x'.repeat(701) });
    withRaw(mapping, 'Ops', { managedPolicies: Array.from({ length: 15 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`), customerManagedPolicies: Array.from({ length: 6 }, (_, i) => ({ name: `c${i}`, path: '/' })) });
    const files = policyFiles({ 'policies/Developers.json': policyOfSize(11_000) });

    const run = async () => {
      const desired = await readDesiredPermissionSets(mapping, files);
      return readCurrentPermissionSets(clients.ssoAdmin, INSTANCE_ARN, desired.map((d) => d.name));
    };

    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionSetInputError);
    expect(error).toMatchObject({ code: 'PERMISSION_SET_INVALID', exitCode: 2 });
    expect((error as PermissionSetInputError).problems.map((p) => [p.file, p.field])).toEqual([
      ['mapping.yaml', 'permissionSets.Developers.description'],
      ['mapping.yaml', 'permissionSets.Developers.sessionDuration'],
      ['policies/Developers.json', 'permissionSets.Developers.inlinePolicyFile'],
      ['mapping.yaml', 'permissionSets.Ops.managedPolicies'],
    ]);
    expect(mocks.ssoAdmin.calls()).toHaveLength(0);
  });

  it('Given a description with characters Identity Center refuses, When read, Then the description field is named', async () => {
    const mapping = mappingWith({ Developers: { description: 'Deploys 🚀' } });

    const error = await readDesiredPermissionSets(mapping, policyFiles({})).catch((e: unknown) => e);

    expect((error as PermissionSetInputError).problems.map((p) => p.field)).toEqual(['permissionSets.Developers.description']);
  });

  it('Given an inline policy file that the mapping names but that does not exist, When read, Then it is POLICY_FILE_MISSING', async () => {
    const mapping = mappingWith({ Developers: { inlinePolicyFile: 'policies/Developers.json' } });

    const error = await readDesiredPermissionSets(mapping, policyFiles({})).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'POLICY_FILE_MISSING', problems: [{ file: 'policies/Developers.json', field: 'permissionSets.Developers.inlinePolicyFile' }] });
  });

  it('Given a policy file that is not a policy, When read, Then it is listed with the other problems', async () => {
    const mapping = mappingWith({ Developers: { inlinePolicyFile: 'policies/Developers.json' }, Ops: {} });
    withRaw(mapping, 'Ops', { sessionDuration: 'PT30M' });
    const broken: ReadPolicy = async () => {
      throw new UserError('POLICY_FILE_INVALID', 'not JSON', 'fix it');
    };

    const error = await readDesiredPermissionSets(mapping, broken).catch((e: unknown) => e);

    expect((error as PermissionSetInputError).problems.map((p) => p.field)).toEqual(['permissionSets.Developers.inlinePolicyFile', 'permissionSets.Ops.sessionDuration']);
  });

  it('Given a set that generate-policies marked not ready, When read, Then it is POLICY_NOT_READY', async () => {
    const mapping = mappingWith({ Developers: { managedPolicies: [READ_ONLY_ARN] }, Ops: { managedPolicies: [READ_ONLY_ARN] } });

    const error = await readDesiredPermissionSets(mapping, policyFiles({}), { policyStatus: { Developers: { ready: false }, Ops: { ready: true } } }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'POLICY_NOT_READY', exitCode: 2, problems: [{ field: 'permissionSets.Developers' }] });
  });

  it('Given --only with a subset, When read, Then only those sets are read and checked', async () => {
    const mapping = mappingWith({ Developers: { managedPolicies: [READ_ONLY_ARN] }, Ops: {} });
    withRaw(mapping, 'Ops', { sessionDuration: 'PT13H' });

    const sets = await readDesiredPermissionSets(mapping, policyFiles({}), { only: ['Developers'] });

    expect(sets.map((s) => s.name)).toEqual(['Developers']);
  });

  it('Given --only with a name the mapping does not have, When read, Then it is a usage error', async () => {
    const mapping = mappingWith({ Developers: {} });

    const result = readDesiredPermissionSets(mapping, policyFiles({}), { only: ['Nope'] });

    await expect(result).rejects.toMatchObject({ code: 'PERMISSION_SET_UNKNOWN', exitCode: 2 });
  });
});
