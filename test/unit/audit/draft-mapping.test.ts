import { describe, expect, it } from 'vitest';
import { isMap, isScalar } from 'yaml';
import type { Document } from 'yaml';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import { parseMapping, renderMappingDocument } from '../../../src/workspace/mapping-file.js';
import { normalisePermissionSetName } from '../../../src/workspace/mapping-schema.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import { ACCOUNT_ID, makeUser } from '../../fixtures/inventory.js';
import {
  classified,
  DEPLOY_POLICY,
  LONG_GROUP_EU,
  LONG_GROUP_US,
  makeSnapshot,
  READ_ONLY_ARN,
  S3_READ_ONLY_ARN,
  typicalSnapshot,
} from '../../fixtures/snapshot.js';

function draft(snapshot = typicalSnapshot()): { doc: Document; mapping: Mapping; text: string } {
  const doc = draftMapping(snapshot);
  const text = renderMappingDocument(doc);
  return { doc, mapping: parseMapping(text, 'mapping.yaml').mapping, text };
}

/** The comment above an entry of a section, wherever the parser attached it. */
function commentAbove(text: string, section: string, key: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`${section}:`);
  const at = lines.findIndex((l, i) => i > start && l === `  ${key}:`);
  const above: string[] = [];
  for (let i = at - 1; i > start && lines[i]?.trimStart().startsWith('#'); i--) above.unshift(lines[i] ?? '');
  return above.join('\n');
}

describe('draftMapping', () => {
  it('drafts a mapping that validates without issues', () => {
    const { mapping } = draft();
    expect(mapping.version).toBe(1);
    expect(mapping.account).toBe(ACCOUNT_ID);
    expect(Object.keys(mapping.users).sort()).toEqual(['bob', 'breakglass-admin', 'ci-bot', 'jane.doe', 'mystery', 'ops-admin']);
  });

  it('makes each human an Identity Center user of the same name, with the email from a tag', () => {
    const { mapping } = draft();
    expect(mapping.users['jane.doe']).toEqual({ kind: 'human', userName: 'jane.doe', email: 'jane@corp.example' });
    expect(mapping.users['bob']).toEqual({ kind: 'human', userName: 'bob' });
  });

  it('drafts machine users as machine and unclassified users as skip', () => {
    const { mapping } = draft();
    expect(mapping.users['ci-bot']?.kind).toBe('machine');
    expect(mapping.users['mystery']?.kind).toBe('skip');
  });

  it('never puts a machine or skipped user in a group or an assignment', () => {
    const { mapping } = draft();
    const members = Object.values(mapping.groups).flatMap((g) => g.members);
    expect(members).not.toContain('ci-bot');
    expect(members).not.toContain('mystery');
    expect(mapping.assignments.map((a) => a.user)).not.toContain('ci-bot');
  });

  it('protects the caller and users tagged for protection', () => {
    const { mapping } = draft();
    expect(mapping.protect.users.sort()).toEqual(['breakglass-admin', 'ops-admin']);
    expect(mapping.protect.tags).toEqual(['iam2idc:protect=true']);
  });

  it('turns each IAM group into a permission set and a group of the same name, assigned on the account', () => {
    const { mapping } = draft();
    expect(mapping.permissionSets['developers']).toEqual({
      description: expect.stringContaining('developers'),
      sessionDuration: 'PT8H',
      managedPolicies: [READ_ONLY_ARN],
      customerManagedPolicies: [{ name: DEPLOY_POLICY.name, path: '/app/' }],
      inlinePolicyFile: 'policies/developers.json',
      source: { group: 'developers' },
    });
    expect(mapping.groups['developers']?.members).toEqual(['bob', 'jane.doe']);
    expect(mapping.assignments).toContainEqual({ group: 'developers', permissionSet: 'developers', targets: [ACCOUNT_ID] });
  });

  it('cuts long group names to 32 characters and keeps them unique', () => {
    const { mapping } = draft();
    const fromLong = Object.entries(mapping.permissionSets)
      .filter(([, ps]) => ps.source?.group === LONG_GROUP_EU || ps.source?.group === LONG_GROUP_US)
      .map(([name]) => name);
    expect(fromLong).toHaveLength(2);
    expect(new Set(fromLong).size).toBe(2);
    for (const name of fromLong) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(mapping.groups[name]).toBeDefined();
    }
  });

  it('replaces characters a permission set name cannot hold', () => {
    expect(normalisePermissionSetName('Dev Ops!')).toBe('Dev-Ops');
    expect(normalisePermissionSetName('x'.repeat(40))).toHaveLength(32);
  });

  it('keeps the characters a permission set name allows', () => {
    const user = makeUser({
      userName: 'svc+ops@corp',
      attachedPolicies: [{ name: 'ReadOnlyAccess', arn: READ_ONLY_ARN }],
      classification: classified('human', 'console password'),
    });
    const { mapping } = draft(makeSnapshot({ users: [user] }));
    expect(Object.keys(mapping.permissionSets)).toEqual(['user-svc+ops@corp']);
  });

  it('gives a human with policies of its own a per-user permission set and assignment', () => {
    const { mapping } = draft();
    expect(mapping.permissionSets['user-bob']).toMatchObject({ managedPolicies: [S3_READ_ONLY_ARN], source: { user: 'bob' } });
    expect(mapping.assignments).toContainEqual({ user: 'bob', permissionSet: 'user-bob', targets: [ACCOUNT_ID] });
    expect(Object.values(mapping.permissionSets).map((ps) => ps.source?.user)).not.toContain('ci-bot');
  });

  it('explains each user and the file in comments', () => {
    const { doc, text } = draft();
    for (const section of ['protect', 'users', 'permissionSets', 'groups', 'assignments']) {
      expect(doc.commentBefore).toContain(section);
    }
    expect(commentAbove(text, 'users', 'jane.doe')).toMatch(/human: console password, MFA/);
    expect(commentAbove(text, 'users', 'ci-bot')).toMatch(/machine/);
    expect(commentAbove(text, 'users', 'ci-bot')).toMatch(/IAM role/);
    expect(commentAbove(text, 'users', 'mystery')).toMatch(/skip/);
    expect(commentAbove(text, 'users', 'ops-admin')).toMatch(/protected/);
    expect(text).toMatch(/inlinePolicyFile: policies\/developers\.json #.*generate-policies/);
  });

  it('drafts an empty account', () => {
    const { mapping } = draft(makeSnapshot());
    expect(mapping).toMatchObject({ users: {}, permissionSets: {}, groups: {}, assignments: [] });
  });

  it('ignores an email tag that is not an address', () => {
    const user = makeUser({
      userName: 'ann',
      tags: [{ key: 'EMAIL', value: 'ask HR' }],
      classification: classified('human', 'console password'),
    });
    const { doc, mapping } = draft(makeSnapshot({ users: [user] }));
    expect(mapping.users['ann']?.email).toBeUndefined();
    const entry = doc.getIn(['users', 'ann'], true);
    expect(isMap(entry) && entry.items.every((p) => isScalar(p.key) && p.key.value !== 'email')).toBe(true);
  });
});
