import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { UserError } from '../../../src/errors.js';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import { mergeMapping } from '../../../src/phases/audit/merge-mapping.js';
import { parseMapping, renderMappingDocument } from '../../../src/workspace/mapping-file.js';
import { ACCOUNT_ID, makeGroup, makeUser } from '../../fixtures/inventory.js';
import { classified, makeSnapshot, S3_READ_ONLY_ARN, typicalSnapshot } from '../../fixtures/snapshot.js';

const LATER = '2025-07-15T09:00:00.000Z';

/** The draft of the typical account as the operator's file: rendered, then parsed back. */
function operatorFile(edit: (text: string) => string = (t) => t): Document {
  return parseDocument(edit(renderMappingDocument(draftMapping(typicalSnapshot()))));
}

const render = (doc: Document) => renderMappingDocument(doc);
const load = (doc: Document) => parseMapping(render(doc), 'mapping.yaml');

/** The typical account a while later, with `change` applied to its user and group lists. */
function laterSnapshot(change: (s: ReturnType<typeof typicalSnapshot>) => void = () => undefined) {
  const snapshot = typicalSnapshot({ generatedAt: LATER });
  change(snapshot);
  return snapshot;
}

const carol = makeUser({
  userName: 'carol',
  groups: ['developers'],
  attachedPolicies: [{ name: 'AmazonS3ReadOnlyAccess', arn: S3_READ_ONLY_ARN }],
  classification: classified('human', 'console password'),
});

describe('mergeMapping', () => {
  it('changes nothing when the audit found the same account', () => {
    const existing = operatorFile();
    const result = mergeMapping(existing, typicalSnapshot());
    expect(result).toMatchObject({ added: [], removed: [], addedGroups: [], changed: false });
    expect(render(result.document)).toBe(render(existing));
  });

  it('keeps the operator’s values and comments', () => {
    // Given an operator who changed a kind, a duration, a group, and wrote comments
    const existing = operatorFile((t) =>
      t
        .replace('  mystery:\n    kind: skip', '  # shared login of the NOC: decided with security\n  mystery:\n    kind: machine')
        .replace('assignments:\n', 'assignments:\n  # reviewed 2025-06-10\n'),
    );
    existing.setIn(['permissionSets', 'developers', 'sessionDuration'], 'PT2H');
    existing.setIn(['users', 'bob', 'displayName'], 'Bob Builder');
    // When a later audit finds a new user
    const { document, added } = mergeMapping(
      existing,
      laterSnapshot((s) => {
        s.users.push(carol);
        s.groups[0]?.members.push('carol');
      }),
    );
    // Then every edit is still there
    const text = render(document);
    const { mapping } = load(document);
    expect(added).toEqual(['carol']);
    expect(mapping.users['mystery']?.kind).toBe('machine');
    expect(mapping.users['bob']?.displayName).toBe('Bob Builder');
    expect(mapping.permissionSets['developers']?.sessionDuration).toBe('PT2H');
    expect(text).toContain('# shared login of the NOC: decided with security');
    expect(text).toContain('# reviewed 2025-06-10');
    expect(text).toContain('# iam2idc migration plan');
  });

  it('adds a user that appeared, with the drafted defaults and a note', () => {
    const { document, added } = mergeMapping(
      operatorFile(),
      laterSnapshot((s) => {
        s.users.push(carol);
        s.groups[0]?.members.push('carol');
      }),
    );
    const { mapping } = load(document);
    expect(added).toEqual(['carol']);
    expect(mapping.users['carol']).toEqual({ kind: 'human', userName: 'carol' });
    expect(mapping.groups['developers']?.members).toContain('carol');
    expect(mapping.permissionSets['user-carol']?.source).toEqual({ user: 'carol' });
    expect(mapping.assignments).toContainEqual({ user: 'carol', permissionSet: 'user-carol', targets: [ACCOUNT_ID] });
    expect(render(document)).toMatch(/#.*new since the last audit.*2025-07-15[^\n]*\n( *#[^\n]*\n)* {2}carol:/);
  });

  it('protects a new user tagged for protection', () => {
    const tagged = makeUser({ userName: 'vault', tags: [{ key: 'iam2idc:protect', value: 'TRUE' }], classification: classified('machine') });
    const { document } = mergeMapping(operatorFile(), laterSnapshot((s) => s.users.push(tagged)));
    expect(load(document).mapping.protect.users).toContain('vault');
  });

  it('flags a user that disappeared without deleting its entry', () => {
    const { document, removed } = mergeMapping(
      operatorFile(),
      laterSnapshot((s) => {
        s.users = s.users.filter((u) => u.userName !== 'bob');
      }),
    );
    const text = render(document);
    expect(removed).toEqual(['bob']);
    expect(load(document).mapping.users['bob']).toEqual({ kind: 'human', userName: 'bob' });
    expect(text).toMatch(/#[^\n]*not found in the audit of 2025-07-15[^\n]*\n {2}bob:/);
  });

  it('flags the first user of the section, whose comment the parser keeps on the section', () => {
    // bob is the first entry of `users`; its comment belongs to the map once the file is parsed.
    const snapshot = laterSnapshot((s) => {
      s.users = s.users.filter((u) => u.userName !== 'bob');
    });
    const once = mergeMapping(operatorFile(), snapshot);
    const twice = mergeMapping(parseDocument(render(once.document)), snapshot);
    expect(twice).toMatchObject({ added: [], removed: [], changed: false });
    expect(render(twice.document).match(/not found in the audit/g)).toHaveLength(1);
    expect(render(twice.document)).toMatch(/# human: console password, MFA/);
  });

  it('is a no-op the second time, for additions and removals alike', () => {
    const snapshot = laterSnapshot((s) => {
      s.users = s.users.filter((u) => u.userName !== 'jane.doe');
      s.users.push(carol);
      s.groups.push(makeGroup({ name: 'auditors', members: ['carol'] }));
    });
    const first = mergeMapping(operatorFile(), snapshot);
    expect(first).toMatchObject({ added: ['carol'], removed: ['jane.doe'], addedGroups: ['auditors'], changed: true });
    const second = mergeMapping(parseDocument(render(first.document)), snapshot);
    expect(second).toMatchObject({ added: [], removed: [], addedGroups: [], changed: false });
    expect(render(second.document)).toBe(render(first.document));
  });

  it('lifts the flag when a user comes back', () => {
    const gone = mergeMapping(
      operatorFile(),
      laterSnapshot((s) => {
        s.users = s.users.filter((u) => u.userName !== 'ci-bot');
      }),
    );
    const back = mergeMapping(parseDocument(render(gone.document)), laterSnapshot());
    expect(back).toMatchObject({ added: [], removed: [], changed: true });
    expect(render(back.document)).not.toContain('not found in the audit');
    expect(render(back.document)).toContain('# machine: no console password');
  });

  it('adds a new IAM group only when no permission set comes from it', () => {
    // The operator renamed the developers permission set and group: its source still says where it came from.
    const existing = operatorFile((t) => t.replaceAll('developers:\n', 'Engineering:\n').replaceAll('Set: developers', 'Set: Engineering').replaceAll('group: developers\n', 'group: Engineering\n'));
    const snapshot = laterSnapshot((s) => s.groups.push(makeGroup({ name: 'auditors', members: ['jane.doe', 'ci-bot'] })));
    const { document, addedGroups } = mergeMapping(existing, snapshot);
    const { mapping } = load(document);
    expect(addedGroups).toEqual(['auditors']);
    expect(mapping.permissionSets['developers']).toBeUndefined();
    expect(mapping.permissionSets['auditors']?.source).toEqual({ group: 'auditors' });
    expect(mapping.groups['auditors']?.members).toEqual(['jane.doe']);
    expect(mapping.assignments).toContainEqual({ group: 'auditors', permissionSet: 'auditors', targets: [ACCOUNT_ID] });
  });

  it('does not re-add a user the operator removed from the mapping', () => {
    const existing = operatorFile();
    existing.deleteIn(['users', 'mystery']);
    const previous = typicalSnapshot().users.map((u) => u.userName);
    const { added, document } = mergeMapping(existing, laterSnapshot(), previous);
    expect(added).toEqual([]);
    expect(load(document).mapping.users['mystery']).toBeUndefined();
  });

  it('does not modify the document it is given', () => {
    const existing = operatorFile();
    const before = render(existing);
    mergeMapping(existing, laterSnapshot((s) => s.users.push(carol)));
    expect(render(existing)).toBe(before);
  });

  it('drafts afresh when the file is empty', () => {
    const { document, added } = mergeMapping(parseDocument(''), typicalSnapshot());
    expect(added).toHaveLength(typicalSnapshot().users.length);
    expect(load(document).mapping.account).toBe(ACCOUNT_ID);
  });

  it('refuses an audit of another account', () => {
    const other = makeSnapshot({ caller: { ...makeSnapshot().caller, accountId: '222222222222' } });
    expect(() => mergeMapping(operatorFile(), other)).toThrow(UserError);
  });
});
