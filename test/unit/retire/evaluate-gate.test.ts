import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateCheck, type GateInput } from '../../../src/phases/disable/evaluate-gate.js';
import type { AccessKeyState } from '../../../src/phases/disable/read-iam-users.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';

type Phases = WorkspaceState['phases'];
type Activity = NonNullable<Phases['activity']>['users'][string];

const USER_ID = 'AIDA00000000000000001';
const OTHER_USER_ID = 'AIDA00000000000000002';
const CUTOVER = new Date('2026-03-01T00:00:00.000Z');
const BEFORE = '2026-02-01T09:00:00.000Z';
const AFTER = '2026-03-02T09:00:00.000Z';

function key(accessKeyId: string, lastUsed: string | null, status: AccessKeyState['status'] = 'Active'): AccessKeyState {
  return { accessKeyId, status, createDate: '2024-01-01T00:00:00.000Z', lastUsed, lastUsedService: lastUsed === null ? null : 's3' };
}

function assignments(access: Record<string, { verified: boolean; missing: string[] }>): Phases['assignments'] {
  return { lastRunAt: CUTOVER.toISOString(), access };
}

function activity(users: Record<string, Partial<Activity>>): Phases['activity'] {
  const full = Object.fromEntries(
    Object.entries(users).map(([name, a]) => [
      name,
      { userId: USER_ID, lastSeen: BEFORE, lastAction: 's3:GetObject', eventCount: 1, accessKeys: {}, consoleLastSeen: null, ...a },
    ]),
  );
  return { firstRunAt: BEFORE, lastRunAt: AFTER, logGroup: 'iam2idc-trail', windows: [{ since: BEFORE, until: AFTER }], users: full, deniedByPermissionSet: {} };
}

/** A human user `alice` whose access is verified and who left no trace since the cut-over, with the given changes. */
function input(overrides: {
  kind?: GateInput['kind'];
  keys?: AccessKeyState[];
  passwordLastUsed?: string | null;
  phases?: Partial<Phases>;
} = {}): GateInput {
  const credentials = { passwordLastUsed: overrides.passwordLastUsed ?? null, accessKeys: overrides.keys ?? [] };
  return {
    user: { userName: 'alice', userId: USER_ID, credentials },
    kind: overrides.kind ?? 'human',
    state: { phases: { assignments: assignments({ alice: { verified: true, missing: [] } }), ...overrides.phases } },
    cutover: CUTOVER,
  };
}

const byCode = (checks: GateCheck[]) => Object.fromEntries(checks.map((c) => [c.code, c.passed]));

describe('evaluateGate', () => {
  it('Given a human user with verified access and no use since the cut-over, When evaluated, Then all four checks pass in order', () => {
    const gate = evaluateGate(input({ keys: [key('AKIA0000000000000001', BEFORE)], passwordLastUsed: BEFORE }));

    expect(gate.checks.map((c) => [c.code, c.passed])).toEqual([
      ['IDENTITY_CENTER_ACCESS', true],
      ['KEYS_UNUSED', true],
      ['CONSOLE_UNUSED', true],
      ['CLOUDTRAIL_UNUSED', true],
    ]);
    expect(gate.passed).toBe(true);
  });

  describe('Identity Center access of a human user', () => {
    it('Given the access is recorded as not verified, When evaluated, Then IDENTITY_CENTER_ACCESS fails', () => {
      const gate = evaluateGate(input({ phases: { assignments: assignments({ alice: { verified: false, missing: ['assignment Developers in 111111111111'] } }) } }));
      expect(byCode(gate.checks)['IDENTITY_CENTER_ACCESS']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given the access is not verified with nothing listed as missing, When evaluated, Then IDENTITY_CENTER_ACCESS still fails', () => {
      const gate = evaluateGate(input({ phases: { assignments: assignments({ alice: { verified: false, missing: [] } }) } }));
      expect(byCode(gate.checks)['IDENTITY_CENTER_ACCESS']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given assign recorded other users but not this one, When evaluated, Then IDENTITY_CENTER_ACCESS fails', () => {
      const gate = evaluateGate(input({ phases: { assignments: assignments({ bob: { verified: true, missing: [] } }) } }));
      expect(byCode(gate.checks)['IDENTITY_CENTER_ACCESS']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given assign never ran (no assignments phase), When evaluated, Then IDENTITY_CENTER_ACCESS fails', () => {
      const gate = evaluateGate(input({ phases: { assignments: undefined } }));
      expect(byCode(gate.checks)['IDENTITY_CENTER_ACCESS']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given a verified and a missing record, When evaluated, Then the two failing messages differ from each other and from the passing one', () => {
      const verified = evaluateGate(input()).checks[0];
      const unverified = evaluateGate(input({ phases: { assignments: assignments({ alice: { verified: false, missing: ['x'] } }) } })).checks[0];
      const missing = evaluateGate(input({ phases: { assignments: undefined } })).checks[0];
      expect(new Set([verified?.message, unverified?.message, missing?.message]).size).toBe(3);
    });
  });

  it.each(['machine', 'skip', 'unknown'] as const)('Given a %s user with no Identity Center access recorded, When evaluated, Then there is no IDENTITY_CENTER_ACCESS check and the gate passes', (kind) => {
    const gate = evaluateGate(input({ kind, phases: { assignments: undefined } }));
    expect(gate.checks.map((c) => c.code)).toEqual(['KEYS_UNUSED', 'CONSOLE_UNUSED', 'CLOUDTRAIL_UNUSED']);
    expect(gate.passed).toBe(true);
  });

  describe('access keys', () => {
    it('Given a key used after the cut-over, When evaluated, Then KEYS_UNUSED fails', () => {
      const gate = evaluateGate(input({ keys: [key('AKIA0000000000000001', AFTER)] }));
      expect(byCode(gate.checks)['KEYS_UNUSED']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given an inactive key used after the cut-over, When evaluated, Then KEYS_UNUSED still fails (it was used)', () => {
      const gate = evaluateGate(input({ keys: [key('AKIA0000000000000001', AFTER, 'Inactive')] }));
      expect(byCode(gate.checks)['KEYS_UNUSED']).toBe(false);
    });

    it('Given a key used before the cut-over, When evaluated, Then KEYS_UNUSED passes', () => {
      const gate = evaluateGate(input({ keys: [key('AKIA0000000000000001', BEFORE)] }));
      expect(byCode(gate.checks)['KEYS_UNUSED']).toBe(true);
      expect(gate.passed).toBe(true);
    });

    it('Given a key never used, When evaluated, Then KEYS_UNUSED passes', () => {
      const gate = evaluateGate(input({ keys: [key('AKIA0000000000000001', null)] }));
      expect(byCode(gate.checks)['KEYS_UNUSED']).toBe(true);
      expect(gate.passed).toBe(true);
    });

    it('Given one key never used and another used after the cut-over, When evaluated, Then KEYS_UNUSED fails', () => {
      const gate = evaluateGate(input({ keys: [key('AKIA0000000000000001', null), key('AKIA0000000000000002', AFTER)] }));
      expect(byCode(gate.checks)['KEYS_UNUSED']).toBe(false);
    });

    it('Given no access key at all, When evaluated, Then KEYS_UNUSED passes', () => {
      expect(byCode(evaluateGate(input({ keys: [] })).checks)['KEYS_UNUSED']).toBe(true);
    });
  });

  describe('console password', () => {
    it('Given the password was used after the cut-over, When evaluated, Then CONSOLE_UNUSED fails', () => {
      const gate = evaluateGate(input({ passwordLastUsed: AFTER }));
      expect(byCode(gate.checks)['CONSOLE_UNUSED']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given the password was last used before the cut-over, When evaluated, Then CONSOLE_UNUSED passes', () => {
      expect(byCode(evaluateGate(input({ passwordLastUsed: BEFORE })).checks)['CONSOLE_UNUSED']).toBe(true);
    });

    it('Given the password was never used, When evaluated, Then CONSOLE_UNUSED passes', () => {
      expect(byCode(evaluateGate(input({ passwordLastUsed: null })).checks)['CONSOLE_UNUSED']).toBe(true);
    });
  });

  describe('CloudTrail activity', () => {
    it('Given the user was seen after the cut-over under its own UserId, When evaluated, Then CLOUDTRAIL_UNUSED fails', () => {
      const gate = evaluateGate(input({ phases: { activity: activity({ alice: { lastSeen: AFTER } }) } }));
      expect(byCode(gate.checks)['CLOUDTRAIL_UNUSED']).toBe(false);
      expect(gate.passed).toBe(false);
    });

    it('Given the user was seen after the cut-over with no UserId recorded, When evaluated, Then CLOUDTRAIL_UNUSED fails', () => {
      const gate = evaluateGate(input({ phases: { activity: activity({ alice: { lastSeen: AFTER, userId: null } }) } }));
      expect(byCode(gate.checks)['CLOUDTRAIL_UNUSED']).toBe(false);
    });

    it('Given activity after the cut-over recorded for another UserId (an earlier user of the same name), When evaluated, Then CLOUDTRAIL_UNUSED passes', () => {
      const gate = evaluateGate(input({ phases: { activity: activity({ alice: { lastSeen: AFTER, userId: OTHER_USER_ID } }) } }));
      expect(byCode(gate.checks)['CLOUDTRAIL_UNUSED']).toBe(true);
      expect(gate.passed).toBe(true);
    });

    it('Given the user was last seen before the cut-over, When evaluated, Then CLOUDTRAIL_UNUSED passes', () => {
      expect(byCode(evaluateGate(input({ phases: { activity: activity({ alice: { lastSeen: BEFORE } }) } })).checks)['CLOUDTRAIL_UNUSED']).toBe(true);
    });

    it('Given watch-denied ran but never saw this user, When evaluated, Then CLOUDTRAIL_UNUSED passes', () => {
      expect(byCode(evaluateGate(input({ phases: { activity: activity({ bob: { lastSeen: AFTER } }) } })).checks)['CLOUDTRAIL_UNUSED']).toBe(true);
    });

    it('Given no activity recorded at all, When evaluated, Then CLOUDTRAIL_UNUSED passes', () => {
      const gate = evaluateGate(input({ phases: { activity: undefined } }));
      expect(byCode(gate.checks)['CLOUDTRAIL_UNUSED']).toBe(true);
      expect(gate.passed).toBe(true);
    });
  });

  it.each<[string, Parameters<typeof input>[0], GateCheck['code']]>([
    ['Identity Center access is not verified', { phases: { assignments: undefined } }, 'IDENTITY_CENTER_ACCESS'],
    ['a key was used after the cut-over', { keys: [key('AKIA0000000000000001', AFTER)] }, 'KEYS_UNUSED'],
    ['the console was used after the cut-over', { passwordLastUsed: AFTER }, 'CONSOLE_UNUSED'],
    ['CloudTrail saw the user after the cut-over', { phases: { activity: activity({ alice: { lastSeen: AFTER } }) } }, 'CLOUDTRAIL_UNUSED'],
  ])('Given only that %s, When evaluated, Then exactly that check fails and the gate does not pass', (_label, overrides, failing) => {
    const gate = evaluateGate(input(overrides));
    expect(gate.checks.filter((c) => !c.passed).map((c) => c.code)).toEqual([failing]);
    expect(gate.passed).toBe(false);
  });

  it('Given every piece of evidence fails, When evaluated, Then every check fails', () => {
    const gate = evaluateGate(
      input({ keys: [key('AKIA0000000000000001', AFTER)], passwordLastUsed: AFTER, phases: { assignments: undefined, activity: activity({ alice: { lastSeen: AFTER } }) } }),
    );
    expect(gate.checks.every((c) => !c.passed)).toBe(true);
    expect(gate.checks).toHaveLength(4);
    expect(gate.passed).toBe(false);
  });
});
