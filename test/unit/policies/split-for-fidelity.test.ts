import { describe, expect, it } from 'vitest';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import type { PolicyStatement } from '../../../src/model/inventory.js';
import { libraryOfSnapshot } from '../../../src/phases/generate-policies/plan-policy-sets.js';
import { splitForFidelity } from '../../../src/phases/generate-policies/split-for-fidelity.js';
import { parseMapping, renderMappingDocument } from '../../../src/workspace/mapping-file.js';
import { allow, makeGroup, makeUser, policyDocument } from '../../fixtures/inventory.js';
import { classified, makeSnapshot } from '../../fixtures/snapshot.js';

const deny = (action: string): PolicyStatement => ({ Effect: 'Deny', Action: action, Resource: '*' });
const human = classified('human', 'console password');

function account(extra: { carolGroups?: string[] } = {}) {
  return makeSnapshot({
    users: [
      makeUser({ userName: 'alice', groups: ['queues', 'readers'], inlinePolicies: [{ name: 'no-delete', document: policyDocument(deny('sqs:DeleteQueue')) }], classification: human }),
      makeUser({ userName: 'bob', groups: ['queues'], classification: human }),
      makeUser({ userName: 'carol', groups: extra.carolGroups ?? ['queues'], classification: human }),
    ],
    groups: [
      makeGroup({ name: 'queues', members: ['alice', 'bob', 'carol'], inlinePolicies: [{ name: 'sqs', document: policyDocument(allow('sqs:*')) }] }),
      makeGroup({ name: 'readers', members: ['alice'], inlinePolicies: [{ name: 's3', document: policyDocument(allow('s3:GetObject')) }] }),
    ],
  });
}

function drafted(snapshot: ReturnType<typeof account>) {
  return parseMapping(renderMappingDocument(draftMapping(snapshot)), 'mapping.yaml');
}

describe('splitForFidelity', () => {
  it('gives the person whose Deny meets the set\'s Allow a copy of the set of their own, assigned directly, out of the group', () => {
    const snapshot = account();
    const { mapping, document } = drafted(snapshot);
    const outcome = splitForFidelity(snapshot, mapping, document, libraryOfSnapshot(snapshot));
    expect(outcome.splits).toEqual([expect.objectContaining({ from: 'queues', to: 'queues-alice', members: ['alice'] })]);
    expect(outcome.splits[0]?.because).toContain('user alice inline no-delete');
    expect(outcome.mapping.groups['queues']?.members).toEqual(['bob', 'carol']);
    expect(outcome.mapping.assignments).toContainEqual({ user: 'alice', permissionSet: 'queues-alice', targets: ['111111111111'] });
    // The same edits reach the file, and it still reads as a valid mapping.
    const reread = parseMapping(renderMappingDocument(document), 'mapping.yaml').mapping;
    expect(reread.permissionSets['queues-alice']?.source).toEqual({ group: 'queues' });
    expect(reread.groups['queues']?.members).toEqual(['bob', 'carol']);
    expect(reread.assignments).toEqual(outcome.mapping.assignments);
  });

  it('leaves a set alone when its Denies meet none of its Allows: the readers set needs nothing of alice\'s', () => {
    const snapshot = account();
    const { mapping, document } = drafted(snapshot);
    const outcome = splitForFidelity(snapshot, mapping, document, libraryOfSnapshot(snapshot));
    expect(outcome.splits.some((s) => s.from === 'readers')).toBe(false);
  });

  it('is stable: run again on its own result, it splits nothing more', () => {
    const snapshot = account();
    const first = drafted(snapshot);
    const once = splitForFidelity(snapshot, first.mapping, first.document, libraryOfSnapshot(snapshot));
    const again = parseMapping(renderMappingDocument(first.document), 'mapping.yaml');
    expect(splitForFidelity(snapshot, again.mapping, again.document, libraryOfSnapshot(snapshot)).splits).toEqual([]);
    expect(once.splits).toHaveLength(1);
  });

  it('does not split when the group also carries another set, and says why', () => {
    const snapshot = account();
    const { mapping, document } = drafted(snapshot);
    mapping.assignments.push({ group: 'queues', permissionSet: 'readers', targets: ['111111111111'] });
    const outcome = splitForFidelity(snapshot, mapping, document, libraryOfSnapshot(snapshot));
    expect(outcome.splits.filter((s) => s.from === 'queues')).toEqual([]);
    expect(outcome.blocked).toEqual([expect.objectContaining({ set: 'queues', reason: expect.stringContaining('group queues also carries readers') })]);
  });
});
