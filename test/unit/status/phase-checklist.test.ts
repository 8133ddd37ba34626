import { describe, expect, it } from 'vitest';
import { buildPhaseChecklist, type PhaseChecklist, type PhaseId, type PhaseStatus } from '../../../src/phases/status/phase-checklist.js';
import type { UserProgress } from '../../../src/phases/status/user-progress.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import type { UnfinishedRun } from '../../../src/plan/unfinished-runs.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { daysAgo } from '../support/time.js';

const NOW = new Date('2024-06-20T12:00:00.000Z');

/** A mapping with two people and the given permission sets (no assignments: the checklist only counts the sets). */
function mappingWith(sets: string[]): Mapping {
  const setLines = sets.length === 0 ? ' {}' : `\n${sets.map((s) => `  ${s}:\n    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]`).join('\n')}`;
  const text = [
    'version: 1',
    'account: "111111111111"',
    'protect:',
    '  users: []',
    '  tags: []',
    'users:',
    '  alice: { kind: human, userName: alice }',
    '  bob: { kind: human, userName: bob }',
    `permissionSets:${setLines}`,
    'groups: {}',
    'assignments: []',
    '',
  ].join('\n');
  return parseMapping(text, 'mapping.yaml').mapping;
}

function stateWith(phases: WorkspaceState['phases']): WorkspaceState {
  return {
    schemaVersion: 1,
    accountId: '111111111111',
    partition: 'aws',
    createdAt: daysAgo(30, NOW),
    createdBy: 'arn:aws:iam::111111111111:user/ops',
    identityCenter: null,
    phases,
  };
}

function person(userName: string, overrides: Partial<UserProgress> = {}): UserProgress {
  return {
    userName,
    kind: 'human',
    identityCenterUser: userName,
    groups: [],
    permissionSets: [],
    accessVerified: false,
    accessMissing: [],
    permissions: null,
    lastUsed: null,
    state: 'active',
    disabledAt: null,
    deletedAt: null,
    protected: false,
    migrated: false,
    ...overrides,
  };
}

const verified = (userName: string, overrides: Partial<UserProgress> = {}) => person(userName, { accessVerified: true, ...overrides });
const disabled = (userName: string, days: number, overrides: Partial<UserProgress> = {}) =>
  verified(userName, { state: 'disabled', disabledAt: daysAgo(days, NOW), migrated: true, ...overrides });
const deleted = (userName: string) => verified(userName, { state: 'deleted', deletedAt: daysAgo(1, NOW), migrated: true });

const SETS = ['developers', 'ops'];
const audit = { lastRunAt: daysAgo(20, NOW), userCount: 3 };
const policy = (ready: boolean) => ({ ready, basis: 'granted' as const, validatedBy: 'local' as const, inlinePolicyFile: null });
const allPolicies = { lastRunAt: daysAgo(19, NOW), sets: { developers: policy(true), ops: policy(true) } };
const allSets = { lastRunAt: daysAgo(18, NOW), instanceArn: 'arn:aws:sso:::instance/ssoins-1', arns: { developers: 'arn:ps-dev', ops: 'arn:ps-ops' } };
const assignments = { lastRunAt: daysAgo(17, NOW), access: {} };
const activity = {
  firstRunAt: daysAgo(14, NOW),
  lastRunAt: daysAgo(1, NOW),
  logGroup: 'aws-cloudtrail-logs',
  windows: [],
  users: {},
  deniedByPermissionSet: { developers: 2, ops: 1 },
};
/** Every phase up to the parallel run recorded in the workspace. */
const watched = stateWith({ audit, policies: allPolicies, permissionSets: allSets, assignments, activity });

function checklist(input: { state: WorkspaceState | null; mapping?: Mapping | null; mappingProblem?: string; users?: UserProgress[]; unfinished?: UnfinishedRun[]; now?: Date }): PhaseChecklist {
  return buildPhaseChecklist({
    state: input.state,
    mapping: input.mapping === undefined ? mappingWith(SETS) : input.mapping,
    mappingProblem: input.mappingProblem ?? null,
    users: input.users ?? [],
    unfinished: input.unfinished ?? [],
    now: input.now ?? NOW,
  });
}

/** A run the journal shows stopped before the end of its plan. */
function unfinishedRun(command: string, overrides: Partial<UnfinishedRun> = {}): UnfinishedRun {
  return { command, runId: `run-${command}`, startedAt: daysAgo(1, NOW), state: 'interrupted', done: 15, left: 11, failed: 0, inFlight: 0, leftTargets: [], locked: false, ...overrides };
}

function states(result: PhaseChecklist): Record<PhaseId, PhaseStatus['state']> {
  return Object.fromEntries(result.phases.map((p) => [p.id, p.state])) as Record<PhaseId, PhaseStatus['state']>;
}

describe('buildPhaseChecklist', () => {
  it('Given any workspace, When the checklist is built, Then it lists the seven phases in the order of the journey', () => {
    const result = checklist({ state: null, mapping: null });
    expect(result.phases.map((p) => p.id)).toEqual(['audit', 'generate-policies', 'create-permission-sets', 'assign', 'watch-denied', 'disable', 'cleanup']);
    for (const phase of result.phases) expect(phase.detail).not.toBe('');
  });

  it('Given nothing done (no state, no mapping, no people), When the checklist is built, Then every phase is pending (nothing is known before the audit) and the audit is recommended', () => {
    const result = checklist({ state: null, mapping: null });
    expect(Object.values(states(result))).toEqual(Array(7).fill('pending'));
    expect(result.next.phase).toBe('audit');
  });

  it('Given a bound workspace that was never audited, even with later phases recorded, When the checklist is built, Then nothing counts as done and the audit comes next', () => {
    const result = checklist({ state: stateWith({ policies: allPolicies, permissionSets: allSets, activity }), users: [deleted('alice'), deleted('bob')] });
    expect(Object.values(states(result))).toEqual(Array(7).fill('pending'));
    expect(result.next.phase).toBe('audit');
  });

  it('Given an audited account whose permission set policies are not generated, When the checklist is built, Then the audit is done and generate-policies comes next', () => {
    const result = checklist({ state: stateWith({ audit }), users: [person('alice'), person('bob')] });
    expect(states(result)).toMatchObject({ audit: 'done', 'generate-policies': 'pending', 'create-permission-sets': 'pending', assign: 'pending', 'watch-denied': 'pending', disable: 'pending', cleanup: 'pending' });
    expect(result.next.phase).toBe('generate-policies');
  });

  it('Given policies ready for one set of two (the other failed validation), When the checklist is built, Then generate-policies is partial and still comes next', () => {
    const policies = { lastRunAt: daysAgo(19, NOW), sets: { developers: policy(true), ops: policy(false) } };
    const result = checklist({ state: stateWith({ audit, policies }), users: [person('alice')] });
    expect(states(result)['generate-policies']).toBe('partial');
    expect(result.next.phase).toBe('generate-policies');
  });

  it('Given ready policies only for sets that are not in the mapping, When the checklist is built, Then they do not count towards the mapping\'s sets', () => {
    const policies = { lastRunAt: daysAgo(19, NOW), sets: { removed: policy(true), other: policy(true) } };
    const result = checklist({ state: stateWith({ audit, policies }), users: [person('alice')] });
    expect(states(result)['generate-policies']).toBe('pending');
    expect(result.next.phase).toBe('generate-policies');
  });

  it('Given every policy ready but no permission set created, When the checklist is built, Then create-permission-sets comes next', () => {
    const result = checklist({ state: stateWith({ audit, policies: allPolicies }), users: [person('alice')] });
    expect(states(result)).toMatchObject({ 'generate-policies': 'done', 'create-permission-sets': 'pending' });
    expect(result.next.phase).toBe('create-permission-sets');
  });

  it('Given one of two permission sets created, When the checklist is built, Then create-permission-sets is partial and still comes next', () => {
    const permissionSets = { ...allSets, arns: { developers: 'arn:ps-dev' } };
    const result = checklist({ state: stateWith({ audit, policies: allPolicies, permissionSets }), users: [person('alice')] });
    expect(states(result)['create-permission-sets']).toBe('partial');
    expect(result.next.phase).toBe('create-permission-sets');
  });

  it('Given every permission set created but nobody with verified access, When the checklist is built, Then assign is pending and comes next', () => {
    const result = checklist({ state: stateWith({ audit, policies: allPolicies, permissionSets: allSets }), users: [person('alice'), person('bob')] });
    expect(states(result)).toMatchObject({ 'create-permission-sets': 'done', assign: 'pending' });
    expect(result.next.phase).toBe('assign');
  });

  it('Given some people with verified access, When the checklist is built, Then assign is partial and still comes next', () => {
    const result = checklist({ state: stateWith({ audit, policies: allPolicies, permissionSets: allSets, assignments }), users: [verified('alice'), person('bob')] });
    expect(states(result).assign).toBe('partial');
    expect(result.next.phase).toBe('assign');
  });

  it('Given a protected person without verified access, When the checklist is built, Then assign still waits for them (only disable and cleanup leave protected people out)', () => {
    const result = checklist({ state: stateWith({ audit, policies: allPolicies, permissionSets: allSets, assignments }), users: [verified('alice'), person('breakglass', { protected: true })] });
    expect(states(result).assign).toBe('partial');
    expect(result.next.phase).toBe('assign');
  });

  it('Given machine users without Identity Center access, When the checklist is built, Then they are not counted as people to assign', () => {
    const users = [verified('alice'), verified('bob'), person('ci-bot', { kind: 'machine', identityCenterUser: null })];
    const result = checklist({ state: stateWith({ audit, policies: allPolicies, permissionSets: allSets, assignments }), users });
    expect(states(result).assign).toBe('done');
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given every person with verified access but no parallel run watched, When the checklist is built, Then watch-denied comes next', () => {
    const result = checklist({ state: stateWith({ audit, policies: allPolicies, permissionSets: allSets, assignments }), users: [verified('alice'), verified('bob')] });
    expect(states(result)).toMatchObject({ assign: 'done', 'watch-denied': 'pending', disable: 'pending' });
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given the parallel run recorded and verified people still active, When the checklist is built, Then disable comes next', () => {
    const result = checklist({ state: watched, users: [verified('alice'), verified('bob')] });
    expect(states(result)).toMatchObject({ 'watch-denied': 'done', disable: 'pending', cleanup: 'pending' });
    expect(result.next.phase).toBe('disable');
  });

  it('Given one of two people disabled, When the checklist is built, Then disable is partial and still comes next for the other', () => {
    const result = checklist({ state: watched, users: [disabled('alice', 10), verified('bob')] });
    expect(states(result)).toMatchObject({ disable: 'partial', cleanup: 'pending' });
    // disable comes before cleanup, even though alice is due for deletion
    expect(result.next.phase).toBe('disable');
  });

  it('Given every person disabled less than 7 days ago, When the checklist is built, Then disable is done and watch-denied comes next until cleanup is due', () => {
    const result = checklist({ state: watched, users: [disabled('alice', 3), disabled('bob', 6)] });
    expect(states(result)).toMatchObject({ disable: 'done', cleanup: 'pending' });
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given a person disabled 7 days ago less one millisecond, When the checklist is built, Then cleanup is not due yet', () => {
    const result = checklist({ state: watched, users: [verified('alice', { state: 'disabled', disabledAt: daysAgo(7, NOW, -1) })] });
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given a person disabled exactly 7 days ago, When the checklist is built, Then cleanup comes next', () => {
    const result = checklist({ state: watched, users: [verified('alice', { state: 'disabled', disabledAt: daysAgo(7, NOW) })] });
    expect(result.next.phase).toBe('cleanup');
  });

  it('Given one person disabled 10 days ago and another 2 days ago, When the checklist is built, Then cleanup comes next for the older one', () => {
    const result = checklist({ state: watched, users: [disabled('alice', 10), disabled('bob', 2)] });
    expect(result.next.phase).toBe('cleanup');
  });

  it('Given one person deleted and one still disabled (recently), When the checklist is built, Then cleanup is partial and watch-denied comes next', () => {
    const result = checklist({ state: watched, users: [deleted('alice'), disabled('bob', 2)] });
    expect(states(result)).toMatchObject({ disable: 'done', cleanup: 'partial' });
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given every person deleted, When the checklist is built, Then every phase is done and nothing is left to do', () => {
    const result = checklist({ state: watched, users: [deleted('alice'), deleted('bob')] });
    expect(Object.values(states(result))).toEqual(Array(7).fill('done'));
    expect(result.next.phase).toBeNull();
    expect(result.next.why).not.toBe('');
  });

  it('Given a protected person kept active with verified access and the others deleted, When the checklist is built, Then the protected one is not left to disable or delete', () => {
    const users = [deleted('alice'), deleted('bob'), verified('breakglass', { protected: true })];
    const result = checklist({ state: watched, users });
    expect(states(result)).toMatchObject({ assign: 'done', disable: 'done', cleanup: 'done' });
    expect(result.next.phase).toBeNull();
  });

  it('Given only a protected verified person left active, When the checklist is built, Then disable is not recommended for them', () => {
    const users = [disabled('alice', 2), verified('breakglass', { protected: true })];
    const result = checklist({ state: watched, users });
    expect(states(result).disable).toBe('done');
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given an active machine user after every person is deleted, When the checklist is built, Then it is not left to disable', () => {
    const users = [deleted('alice'), deleted('bob'), person('ci-bot', { kind: 'machine', identityCenterUser: null })];
    const result = checklist({ state: watched, users });
    expect(states(result)).toMatchObject({ disable: 'done', cleanup: 'done' });
    expect(result.next.phase).toBeNull();
  });

  it('Given an audited account with no people and no permission set, When the checklist is built, Then the phases with nothing to do count as done and watch-denied comes next', () => {
    const result = checklist({ state: stateWith({ audit }), mapping: mappingWith([]), users: [] });
    expect(states(result)).toEqual({
      audit: 'done',
      'generate-policies': 'done',
      'create-permission-sets': 'done',
      assign: 'done',
      'watch-denied': 'pending',
      disable: 'done',
      cleanup: 'done',
    });
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given no parallel run watched but everything else done, When the checklist is built, Then watch-denied comes before disable', () => {
    const state = stateWith({ audit, policies: allPolicies, permissionSets: allSets, assignments });
    const result = checklist({ state, users: [verified('alice')] });
    expect(result.next.phase).toBe('watch-denied');
  });

  it('Given create-permission-sets interrupted with 15 done and 11 left, When the checklist is built, Then it is unfinished and running it again is next, not assign', () => {
    const state = stateWith({ audit, policies: allPolicies, permissionSets: allSets });
    const result = checklist({ state, users: [person('alice')], unfinished: [unfinishedRun('create-permission-sets')] });
    expect(states(result)['create-permission-sets']).toBe('unfinished');
    expect(result.phases.find((p) => p.id === 'create-permission-sets')?.detail).toMatch(/15 done, 11 left/);
    expect(result.next).toMatchObject({ phase: 'create-permission-sets', command: 'create-permission-sets', finished: false });
  });

  it('Given an interrupted cleanup, When the checklist is built, Then cleanup is unfinished and next, whatever else is pending', () => {
    const result = checklist({ state: watched, users: [disabled('alice', 10), verified('bob')], unfinished: [unfinishedRun('cleanup', { state: 'unended', inFlight: 1 })] });
    expect(states(result).cleanup).toBe('unfinished');
    expect(result.next).toMatchObject({ phase: 'cleanup', command: 'cleanup' });
  });

  it('Given an enable that stopped midway, When the checklist is built, Then disable shows it unfinished and the next step is to run enable again', () => {
    const result = checklist({ state: watched, users: [disabled('alice', 1)], unfinished: [unfinishedRun('enable', { state: 'stopped' })] });
    expect(states(result).disable).toBe('unfinished');
    expect(result.next).toMatchObject({ phase: null, command: 'enable' });
  });

  it('Given generate-policies stopped by the daily limit of Access Analyzer, When the checklist is built, Then it is unfinished and next', () => {
    const result = checklist({ state: stateWith({ audit }), users: [person('alice')], unfinished: [unfinishedRun('generate-policies', { state: 'stopped' })] });
    expect(states(result)['generate-policies']).toBe('unfinished');
    expect(result.next).toMatchObject({ phase: 'generate-policies', command: 'generate-policies' });
  });

  it('Given a run that still holds the workspace, When the checklist is built, Then the next step says to let it finish or unlock it', () => {
    const result = checklist({ state: watched, users: [verified('alice')], unfinished: [unfinishedRun('disable', { state: 'unended', locked: true })] });
    expect(result.next.why).toMatch(/unlock/);
  });

  it('Given an invalid mapping.yaml, When the checklist is built, Then the phases that read it are blocked, none is done, and the next step is to fix the file', () => {
    const result = checklist({ state: watched, mapping: null, mappingProblem: 'permissionSets.ops: not a valid name', users: [verified('alice')] });
    expect(states(result)).toMatchObject({ audit: 'done', 'generate-policies': 'blocked', 'create-permission-sets': 'blocked', assign: 'blocked', disable: 'blocked', cleanup: 'blocked' });
    expect(result.next).toMatchObject({ phase: null, command: null, finished: false });
    expect(result.next.why).toContain('permissionSets.ops');
  });

  it('Given everyone deleted, and then one person restored, When the checklist is built, Then only the first is finished, as status --check migrated would say', () => {
    expect(checklist({ state: watched, users: [deleted('alice'), deleted('bob')] }).next.finished).toBe(true);
    const restored = verified('bob', { state: 'active', accessVerified: false, migrated: false });
    const result = checklist({ state: watched, users: [deleted('alice'), restored] });
    expect(result.next).toMatchObject({ phase: 'assign', finished: false });
  });
});
