import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { UserError } from '../../../src/errors.js';
import { draftMapping } from '../../../src/phases/audit/draft-mapping.js';
import { loadMapping, parseMapping, renderMappingDocument } from '../../../src/workspace/mapping-file.js';
import { typicalSnapshot } from '../../fixtures/snapshot.js';

const FILE = 'ws/mapping.yaml';

/** The draft of the typical account, as text. */
function draftText(): string {
  return renderMappingDocument(draftMapping(typicalSnapshot()));
}

/** The draft with one change made through the YAML document API. */
function edited(path: (string | number)[], value: unknown): string {
  const doc = parseDocument(draftText());
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, doc.createNode(value));
  return doc.toString();
}

function userErrorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('parseMapping', () => {
  it('accepts the draft of a typical account unchanged, without errors', () => {
    // Given the draft of a typical account
    // When it is parsed back
    const { mapping, warnings } = parseMapping(draftText(), FILE);
    // Then it validates, and the values are the drafted ones
    expect(warnings).toEqual([]);
    expect(mapping.account).toBe('111111111111');
    expect(mapping.users['jane.doe']).toEqual({ kind: 'human', userName: 'jane.doe', email: 'jane@corp.example' });
    expect(mapping.permissionSets['developers']?.sessionDuration).toBe('PT8H');
  });

  it('keeps comments when the document is rendered again', () => {
    const text = draftText().replace('  bob:\n', '  # approved by security\n  bob:\n');
    const { document } = parseMapping(text, FILE);
    document.setIn(['users', 'bob', 'email'], 'bob@corp.example');
    const rendered = renderMappingDocument(document);
    expect(rendered).toContain('# approved by security');
    expect(rendered).toContain('# iam2idc migration plan');
    expect(parseMapping(rendered, FILE).mapping.users['bob']?.email).toBe('bob@corp.example');
  });

  it('rejects an invalid permission set name, naming the file, the field and the line', () => {
    const text = edited(['permissionSets', 'Dev Ops'], { sessionDuration: 'PT1H', managedPolicies: [] });
    const error = userErrorOf(() => parseMapping(text, FILE));
    expect(error.code).toBe('MAPPING_INVALID');
    expect(error.message).toContain(FILE);
    expect(error.message).toContain('permissionSets.Dev Ops.name');
    expect(error.message).toMatch(/line \d+/);
    expect(error.resolution).toContain(FILE);
  });

  it('rejects a permission set name longer than 32 characters', () => {
    const text = edited(['permissionSets', 'a'.repeat(33)], {});
    expect(userErrorOf(() => parseMapping(text, FILE)).message).toContain(`permissionSets.${'a'.repeat(33)}.name`);
  });

  it('rejects unknown keys, so that a misspelt field is not ignored', () => {
    const text = edited(['users', 'jane.doe', 'emial'], 'jane@corp.example');
    expect(userErrorOf(() => parseMapping(text, FILE)).message).toContain('users.jane.doe.emial');
  });

  it.each([
    [['permissionSets', 'ops', 'sessionDuration'], 8, 'permissionSets.ops.sessionDuration'],
    [['permissionSets', 'ops', 'sessionDuration'], 'PT13H', 'permissionSets.ops.sessionDuration'],
    [['users', 'bob', 'kind'], 'robot', 'users.bob.kind'],
    [['users', 'bob', 'email'], 'not-an-address', 'users.bob.email'],
    [['groups', 'ops', 'members'], 'jane.doe', 'groups.ops.members'],
    [['assignments', 0, 'targets'], ['12345'], 'assignments[0].targets[0]'],
    // A number that is not 12 digits long may be an account ID that lost its leading zeros.
    [['assignments', 0, 'targets'], [12345], 'assignments[0].targets[0]'],
    [['assignments', 0, 'user'], 'bob', 'assignments[0]'],
    [['permissionSets', 'ops', 'managedPolicies', 0], 'arn:aws:iam::111111111111:policy/x', 'permissionSets.ops.managedPolicies[0]'],
    [['permissionSets', 'ops', 'inlinePolicyFile'], '../secrets.json', 'permissionSets.ops.inlinePolicyFile'],
    [['users', 'bob', 'userName'], undefined, 'users.bob.userName'],
    [['version'], 2, 'version'],
  ])('rejects a wrong value at %j', (path, value, shown) => {
    const error = userErrorOf(() => parseMapping(edited(path, value), FILE));
    expect(error.code).toBe('MAPPING_INVALID');
    expect(error.message).toContain(shown);
  });

  it('accepts an unquoted account ID and other valid durations', () => {
    const text = edited(['permissionSets', 'ops', 'sessionDuration'], 'PT90M').replace(
      'account: "111111111111"',
      'account: 111111111111',
    );
    const { mapping } = parseMapping(text, FILE);
    expect(mapping.account).toBe('111111111111');
    expect(mapping.permissionSets['ops']?.sessionDuration).toBe('PT90M');
  });

  it('reports a YAML syntax error with its line', () => {
    const text = 'version: 1\naccount: "111111111111"\nusers:\n  bob: { kind: human\n';
    const error = userErrorOf(() => parseMapping(text, FILE));
    expect(error.code).toBe('MAPPING_YAML_SYNTAX');
    expect(error.message).toContain(FILE);
    expect(error.message).toMatch(/line \d+, column \d+/);
  });

  it('reports duplicate keys as an error rather than keeping one of them', () => {
    const text = draftText().replace('  ops-admin:\n', '  bob:\n    kind: machine\n  ops-admin:\n');
    const error = userErrorOf(() => parseMapping(text, FILE));
    expect(error.code).toBe('MAPPING_YAML_SYNTAX');
    expect(error.message).toMatch(/line \d+/);
  });

  it('rejects a truncated file', () => {
    const text = draftText();
    // Cut inside a flow sequence: a syntax error.
    const midValue = text.slice(0, text.lastIndexOf('"111111111111" ]') + 5);
    expect(userErrorOf(() => parseMapping(midValue, FILE)).code).toBe('MAPPING_YAML_SYNTAX');
    // Cut at a line break before the last section: still valid YAML, but a section is missing.
    const beforeAssignments = text.slice(0, text.indexOf('\nassignments:'));
    expect(userErrorOf(() => parseMapping(beforeAssignments, FILE)).message).toContain('assignments');
    expect(userErrorOf(() => parseMapping('', FILE)).code).toBe('MAPPING_INVALID');
  });

  it('rejects broken references between sections', () => {
    const doc = parseDocument(draftText());
    doc.setIn(['groups', 'ops', 'members'], doc.createNode(['jane.doe', 'nobody']));
    doc.setIn(['assignments', 1, 'permissionSet'], 'missing-set');
    const error = userErrorOf(() => parseMapping(doc.toString(), FILE));
    expect(error.message).toContain('groups.ops.members[1]');
    expect(error.message).toContain('assignments[1].permissionSet');
  });

  it('rejects two users that become the same Identity Center user', () => {
    const error = userErrorOf(() => parseMapping(edited(['users', 'bob', 'userName'], 'Jane.Doe'), FILE));
    // The second of the two, in file order, is the one reported.
    expect(error.message).toContain('users.jane.doe.userName');
    expect(error.message).toContain('bob');
  });

  it('warns, without failing, when a machine user is put in a group or assigned', () => {
    const doc = parseDocument(draftText());
    doc.setIn(['groups', 'ops', 'members'], doc.createNode(['jane.doe', 'ops-admin', 'ci-bot']));
    (doc.get('assignments') as { add(v: unknown): void }).add(
      doc.createNode({ user: 'ci-bot', permissionSet: 'ops', targets: ['111111111111'] }),
    );
    const { warnings } = parseMapping(doc.toString(), FILE);
    expect(warnings.map((w) => w.path)).toEqual([
      ['groups', 'ops', 'members', 2],
      ['assignments', 6, 'user'],
    ]);
  });
});

describe('loadMapping', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iam2idc-mapping-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates the file', async () => {
    const file = join(dir, 'mapping.yaml');
    await writeFile(file, draftText());
    const { mapping } = await loadMapping(file);
    expect(Object.keys(mapping.users)).toContain('ci-bot');
  });

  it('names the file in the error when it is invalid or missing', async () => {
    const file = join(dir, 'mapping.yaml');
    await writeFile(file, edited(['users', 'bob', 'kind'], 'robot'));
    await expect(loadMapping(file)).rejects.toThrow(file);
    await expect(loadMapping(join(dir, 'absent.yaml'))).rejects.toMatchObject({ code: 'MAPPING_NOT_FOUND' });
  });
});
