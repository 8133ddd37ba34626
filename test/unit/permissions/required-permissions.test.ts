import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isKnownAction } from '../../../src/model/iam-actions/action-catalog.js';
import { PHASES, permissionsFor, permissionsPolicy, renderPermissionsMarkdown, REQUIRED_PERMISSIONS } from '../../../src/model/required-permissions.js';

describe('the permissions the tool needs', () => {
  it('Given the table, When every action is looked up, Then each is a real IAM action', async () => {
    const unknown: string[] = [];
    for (const phase of REQUIRED_PERMISSIONS) for (const action of [...phase.required, ...phase.optional]) if (!(await isKnownAction(action))) unknown.push(`${phase.phase}: ${action}`);
    expect(unknown).toEqual([]);
  });

  it('Given the table, When it is read, Then every phase has an entry and every phase needs to know its caller', () => {
    expect(REQUIRED_PERMISSIONS.map((p) => p.phase)).toEqual([...PHASES]);
    for (const phase of REQUIRED_PERMISSIONS) expect(phase.required, phase.phase).toContain('sts:GetCallerIdentity');
  });

  it('Given some phases, When their permissions are merged, Then required ones are not repeated as optional and all are sorted', () => {
    const { required, optional } = permissionsFor(['audit', 'status']);
    expect(required).toEqual(['iam:GetAccountAuthorizationDetails', 'sts:GetCallerIdentity']);
    expect(optional).toContain('iam:GetCredentialReport');
    expect(optional.some((a) => required.includes(a))).toBe(false);
    expect([...optional].sort()).toEqual(optional);
  });

  it('Given a phase, When its policy is built without the optional actions, Then it allows exactly the required ones', () => {
    const policy = permissionsPolicy(['enable'], false);
    const statement = [policy.Statement].flat()[0];
    expect(statement?.Action).toEqual(permissionsFor(['enable']).required);
    expect(statement?.Effect).toBe('Allow');
  });

  it('Given docs/permissions.md, When compared with the table, Then it is the generated text (npm run docs:permissions rewrites it)', async () => {
    const committed = await readFile(new URL('../../../docs/permissions.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderPermissionsMarkdown());
  });
});
