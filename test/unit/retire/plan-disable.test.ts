import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../../src/plan/plan-types.js';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import { countPolicyChars } from '../../../src/model/policy-size.js';
import {
  chooseDenyPolicy,
  planDisable,
  USER_INLINE_POLICY_BUDGET,
  USER_MANAGED_POLICY_QUOTA,
  type DisablePlanInput,
  type UserDecision,
} from '../../../src/phases/disable/plan-disable.js';
import type { PermissionCheck } from '../../../src/phases/verify/permission-checks.js';
import type { AccessKeyState, IamUserState, IamUsersSnapshot } from '../../../src/phases/disable/read-iam-users.js';
import { DENY_ALL_DOCUMENT, DENY_ALL_POLICY_NAME, RETIRE_KIND, userFingerprint } from '../../../src/phases/disable/retire-handlers.js';
import { parseMapping } from '../../../src/workspace/mapping-file.js';
import type { Mapping } from '../../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../../src/workspace/workspace-state.js';
import { accessKeyIdOf, accessKeyState, ACCOUNT_ID, iamUserState, userIdOf, usersSnapshot } from '../support/builders.js';

const DENY_ALL_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';
const CUTOVER = new Date('2026-03-01T00:00:00.000Z');
const BEFORE = '2026-02-01T09:00:00.000Z';
const AFTER = '2026-03-02T09:00:00.000Z';
const VALID_USER_NAME = /^[\w+=,.@-]{1,64}$/;

const CALLER_ID = userIdOf(1);

const MAPPING_YAML = `
version: 1
account: '${ACCOUNT_ID}'
protect:
  users: [break-glass]
  tags: ['team=security']
users:
  Ops.Admin: { kind: human, userName: ops.admin }
  alice: { kind: human, userName: alice }
  bob: { kind: human, userName: bob }
  carol: { kind: human, userName: carol }
  break-glass: { kind: human, userName: break-glass }
  sec: { kind: human, userName: sec }
  tagged: { kind: human, userName: tagged }
  ci: { kind: machine }
permissionSets:
  Developers: { managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'] }
groups:
  Devs: { members: [alice, bob, carol] }
assignments:
  - { group: Devs, permissionSet: Developers, targets: ['${ACCOUNT_ID}'] }
`;

const mapping = (text = MAPPING_YAML): Mapping => parseMapping(text, 'mapping.yaml').mapping;
const mappingWithoutProtectTags = () => mapping(MAPPING_YAML.replace("tags: ['team=security']", 'tags: []'));

function key(n: number, status: AccessKeyState['status'] = 'Active', lastUsed: string | null = BEFORE): AccessKeyState {
  return accessKeyState(n, { status, lastUsed, lastUsedService: lastUsed === null ? null : 'sts' });
}

/** A user whose credentials were read: these keys, and the password's last use (none by default). */
function iamUser(userName: string, n: number, overrides: Partial<IamUserState> & { keys?: AccessKeyState[]; passwordLastUsed?: string | null } = {}): IamUserState {
  const { keys, passwordLastUsed, ...rest } = overrides;
  return iamUserState(userName, n, { credentials: { passwordLastUsed: passwordLastUsed ?? null, accessKeys: keys ?? [] }, ...rest });
}

/** The account: the caller (under another case and a path), ordinary people, protected ones, a machine user. */
function users(): IamUserState[] {
  return [
    iamUser('Ops.Admin', 1, { path: '/admins/', keys: [key(10)], isAdmin: true }),
    iamUser('alice', 2, { keys: [key(20), key(21, 'Inactive')] }),
    iamUser('bob', 3, { keys: [key(30, 'Active', null)] }),
    iamUser('carol', 4, { keys: [key(40, 'Active', AFTER)] }),
    iamUser('break-glass', 5, { keys: [key(50)], isAdmin: true }),
    iamUser('sec', 6, { tags: [{ key: 'Team', value: 'Security' }], keys: [key(60)] }),
    iamUser('tagged', 7, { tags: [{ key: 'IAM2IDC:Protect', value: 'True' }], keys: [key(70)] }),
    iamUser('ci', 8, { keys: [key(80)] }),
  ];
}

function snapshot(list: IamUserState[] = users(), missing: string[] = []): IamUsersSnapshot {
  return usersSnapshot(list, missing);
}

const verified = { verified: true, missing: [] };
function state(): Pick<WorkspaceState, 'phases'> {
  return {
    phases: {
      assignments: {
        lastRunAt: CUTOVER.toISOString(),
        access: {
          'Ops.Admin': verified,
          alice: verified,
          bob: verified,
          carol: verified,
          'break-glass': verified,
          sec: verified,
          tagged: verified,
          zed: { verified: false, missing: ['assignment Developers in 111111111111'] },
        },
      },
    },
  };
}

function plan(overrides: Partial<DisablePlanInput> & { names?: string[]; explicit?: boolean } = {}) {
  const { names, explicit, ...rest } = overrides;
  const input: DisablePlanInput = {
    snapshot: snapshot(),
    mapping: mapping(),
    state: state(),
    callerUserId: CALLER_ID,
    partition: 'aws',
    targets: { names: names ?? ['ops.admin', 'alice', 'bob', 'carol', 'break-glass', 'sec', 'tagged'], explicit: explicit ?? false },
    forced: new Set(),
    cutover: CUTOVER,
    mode: 'all',
    permissions: keptFor(['ops.admin', 'alice', 'bob', 'carol', 'break-glass', 'sec', 'tagged', 'zed']),
    ...rest,
  };
  return planDisable(input);
}

/** verify found these people's permission sets grant what their IAM users had. */
function keptFor(names: string[], verdict: PermissionCheck['verdict'] = 'same', escalations: string[] = []): Map<string, PermissionCheck> {
  return new Map(names.map((n) => [n.toLowerCase(), { verdict, escalations, unknown: verdict === 'unverified' ? ['permission set Developers'] : [] }]));
}

const decisionOf = (decisions: UserDecision[], userName: string): UserDecision => {
  const found = decisions.find((d) => d.userName === userName);
  if (!found) throw new Error(`no decision for ${userName}`);
  return found;
};
const actionsFor = (actions: PlannedAction[], userName: string) => actions.filter((a) => a.principal?.userName === userName);
const kindsFor = (actions: PlannedAction[], userName: string) => actionsFor(actions, userName).map((a) => a.kind);
const params = (action: PlannedAction | undefined) => action?.params as Record<string, unknown>;

/** A single inline policy of exactly `chars` characters, as countPolicyChars counts them. */
function policyOfSize(chars: number, statements = 1): PolicyDocument {
  const build = (pad: number): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: statements }, (_, i) => ({ Sid: i === 0 ? `S${'x'.repeat(pad)}` : `S${i}`, Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' })),
  });
  const base = countPolicyChars(build(0));
  if (chars < base) throw new Error(`a policy of ${statements} statement(s) has at least ${base} characters`);
  const document = build(chars - base);
  expect(countPolicyChars(document)).toBe(chars);
  return document;
}
const DENY_CHARS = countPolicyChars(DENY_ALL_DOCUMENT);
const ROOM = USER_INLINE_POLICY_BUDGET - DENY_CHARS;
const managedPolicies = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `Policy${i}`, arn: `arn:aws:iam::${ACCOUNT_ID}:policy/Policy${i}` }));

describe('planDisable', () => {
  it('Given verify finds an escalation for a person, When planned, even with --force-user, Then they are left out as ESCALATION with no action', () => {
    const escalated = new Map([...keptFor(['alice', 'bob']), ...keptFor(['carol'], 'escalation', ['sqs:DeleteQueue'])]);
    const result = plan({ names: ['alice', 'bob', 'carol'], permissions: escalated, forced: new Set(['carol']) });
    const carol = result.decisions.find((d) => d.userName === 'carol');
    expect(carol?.status).toBe('excluded');
    expect(carol?.exclusion?.code).toBe('ESCALATION');
    expect(carol?.exclusion?.message).toContain('sqs:DeleteQueue');
    expect(result.actions.some((a) => a.principal?.userName === 'carol')).toBe(false);
    expect(result.actions.some((a) => a.principal?.userName === 'alice')).toBe(true);
  });

  it('Given a person verify could not compare, When planned, Then the gate fails for them, and --force-user may take them past it', () => {
    const unverified = new Map([...keptFor(['alice']), ...keptFor(['carol'], 'unverified')]);
    const left = plan({ names: ['alice', 'carol'], permissions: unverified });
    expect(left.decisions.find((d) => d.userName === 'carol')?.exclusion?.code).toBe('GATE');
    const forced = plan({ names: ['alice', 'carol'], permissions: unverified, forced: new Set(['carol']) });
    expect(forced.decisions.find((d) => d.userName === 'carol')?.status).toBe('forced');
  });

  it('Given a person missing from verify\'s verdicts, When planned, Then the gate fails for them (never passed by default)', () => {
    const result = plan({ names: ['alice', 'carol'], permissions: keptFor(['alice']) });
    expect(result.decisions.find((d) => d.userName === 'carol')?.gate.checks.find((c) => c.code === 'PERMISSIONS_KEPT')?.passed).toBe(false);
    expect(result.decisions.find((d) => d.userName === 'alice')?.status).toBe('planned');
  });

  describe('default targets (not named explicitly)', () => {
    it('Given the caller under another case and path, When planned, Then it is excluded as CALLER by UserId and nothing touches it', () => {
      const { actions, decisions } = plan();
      const caller = decisionOf(decisions, 'Ops.Admin');
      expect([caller.status, caller.exclusion?.code]).toEqual(['excluded', 'CALLER']);
      expect(actionsFor(actions, 'Ops.Admin')).toEqual([]);
      expect(actions.some((a) => a.principal?.userId === CALLER_ID)).toBe(false);
    });

    it('Given a user that only shares the caller name but has another UserId, When planned, Then it is not the caller', () => {
      const { decisions } = plan({ callerUserId: userIdOf(99) });
      expect(decisionOf(decisions, 'Ops.Admin').status).toBe('planned');
    });

    it('Given a user protected by name in mapping.protect.users, When planned, Then it is excluded PROTECTED', () => {
      const { actions, decisions } = plan();
      expect([decisionOf(decisions, 'break-glass').status, decisionOf(decisions, 'break-glass').exclusion?.code]).toEqual(['excluded', 'PROTECTED']);
      expect(actionsFor(actions, 'break-glass')).toEqual([]);
    });

    it('Given a user protected by a mapping protect tag (other case), When planned, Then it is excluded PROTECTED', () => {
      const { actions, decisions } = plan();
      expect(decisionOf(decisions, 'sec').exclusion?.code).toBe('PROTECTED');
      expect(actionsFor(actions, 'sec')).toEqual([]);
    });

    it('Given a user tagged iam2idc:protect=true and a mapping whose protect.tags is empty, When planned, Then it is still excluded PROTECTED', () => {
      const { actions, decisions } = plan({ mapping: mappingWithoutProtectTags() });
      expect([decisionOf(decisions, 'tagged').status, decisionOf(decisions, 'tagged').exclusion?.code]).toEqual(['excluded', 'PROTECTED']);
      expect(actionsFor(actions, 'tagged')).toEqual([]);
      // Without the mapping tag, `sec` is an ordinary user again.
      expect(decisionOf(decisions, 'sec').status).toBe('planned');
    });

    it('Given the ordinary users, When planned, Then they are planned and only they have actions', () => {
      const { actions, decisions } = plan();
      expect(decisions.map((d) => [d.userName, d.status, d.exclusion?.code ?? null])).toEqual([
        ['Ops.Admin', 'excluded', 'CALLER'],
        ['alice', 'planned', null],
        ['bob', 'planned', null],
        ['carol', 'excluded', 'GATE'],
        ['break-glass', 'excluded', 'PROTECTED'],
        ['sec', 'excluded', 'PROTECTED'],
        ['tagged', 'excluded', 'PROTECTED'],
      ]);
      expect([...new Set(actions.map((a) => a.principal?.userName))]).toEqual(['alice', 'bob']);
    });
  });

  describe('explicit targets (--users)', () => {
    it('Given the caller, a name-protected and two tag-protected users named explicitly, When planned, Then they are guarded and their actions stay in the plan', () => {
      const names = ['ops.admin', 'break-glass', 'sec', 'tagged'];
      const { actions, decisions } = plan({ names, explicit: true });
      expect(decisions.map((d) => [d.userName, d.status, d.exclusion])).toEqual([
        ['Ops.Admin', 'guarded', null],
        ['break-glass', 'guarded', null],
        ['sec', 'guarded', null],
        ['tagged', 'guarded', null],
      ]);
      for (const name of ['Ops.Admin', 'break-glass', 'sec', 'tagged']) expect(kindsFor(actions, name)).toEqual([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.deactivateKey]);
      expect(actionsFor(actions, 'Ops.Admin').every((a) => a.principal?.userId === CALLER_ID)).toBe(true);
    });

    it('Given a guarded user who also fails the gate, When planned, Then it is still guarded (left to the engine), not excluded', () => {
      const list = users().map((u) => (u.userName === 'tagged' ? { ...u, credentials: { passwordLastUsed: AFTER, accessKeys: [key(70)] } } : u));
      const { decisions } = plan({ snapshot: snapshot(list), names: ['tagged'], explicit: true });
      expect(decisionOf(decisions, 'tagged').status).toBe('guarded');
      expect(decisionOf(decisions, 'tagged').gate.passed).toBe(false);
    });

    it('Given an ordinary user named explicitly, When planned, Then it is planned, not guarded', () => {
      expect(decisionOf(plan({ names: ['alice'], explicit: true }).decisions, 'alice').status).toBe('planned');
    });

    it('Given a machine user named explicitly, When planned, Then it is planned without an Identity Center check', () => {
      const { actions, decisions } = plan({ names: ['ci'], explicit: true });
      const ci = decisionOf(decisions, 'ci');
      expect([ci.kind, ci.status]).toEqual(['machine', 'planned']);
      expect(ci.gate.checks.map((c) => c.code)).not.toContain('IDENTITY_CENTER_ACCESS');
      expect(kindsFor(actions, 'ci')).toEqual([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.deactivateKey]);
    });

    it('Given a name in another case, When planned, Then the IAM user is found and actions name it as IAM spells it', () => {
      const { actions, decisions } = plan({ names: ['ALICE'], explicit: true });
      expect(decisions.map((d) => [d.userName, d.status])).toEqual([['alice', 'planned']]);
      expect(actions.every((a) => a.principal?.userName === 'alice' && params(a)['userName'] === 'alice')).toBe(true);
    });
    it('Given the same user named twice in different case (the CLI dedupes exact names only), When planned, Then it has one decision and no duplicate action', () => {
      const { actions, decisions } = plan({ names: ['alice', 'ALICE'], explicit: true });
      expect(decisions.map((d) => d.userName)).toEqual(['alice']);
      expect(actions.map((a) => a.id)).toEqual([...new Set(actions.map((a) => a.id))]);
      expect(actions).toHaveLength(2);
    });
  });

  describe('the evidence gate', () => {
    it('Given a user whose key was used after the cut-over, When planned, Then it is excluded GATE with no action', () => {
      const { actions, decisions } = plan({ names: ['carol'] });
      const carol = decisionOf(decisions, 'carol');
      expect([carol.status, carol.exclusion?.code]).toEqual(['excluded', 'GATE']);
      expect(carol.gate.checks.filter((c) => !c.passed).map((c) => c.code)).toEqual(['KEYS_UNUSED']);
      expect(actions).toEqual([]);
    });

    it('Given that user is forced, When planned, Then it is forced and its actions are planned', () => {
      const { actions, decisions } = plan({ names: ['carol'], explicit: true, forced: new Set(['carol']) });
      expect(decisionOf(decisions, 'carol').status).toBe('forced');
      expect(kindsFor(actions, 'carol')).toEqual([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.deactivateKey]);
    });

    it('Given a user with unverified Identity Center access, When planned, Then it is excluded GATE', () => {
      const list = [...users(), iamUser('zed', 9, { keys: [key(90)] })];
      const { decisions } = plan({ snapshot: snapshot(list), names: ['zed'], mapping: mapping(MAPPING_YAML.replace('  ci: { kind: machine }', '  ci: { kind: machine }\n  zed: { kind: human, userName: zed }')) });
      expect(decisionOf(decisions, 'zed').exclusion?.code).toBe('GATE');
    });

    it('Given a forced user that passes the gate anyway, When planned, Then it is simply planned', () => {
      expect(decisionOf(plan({ names: ['alice'], forced: new Set(['alice']) }).decisions, 'alice').status).toBe('planned');
    });

    it('Given --force-user spelt in another case than the IAM user (as --users may be), When planned, Then the user is still forced', () => {
      // The command accepts `--users Carol --force-user Carol` for IAM user `carol` (it compares them without case).
      const { actions, decisions } = plan({ names: ['Carol'], explicit: true, forced: new Set(['Carol']) });
      expect(decisionOf(decisions, 'carol').status).toBe('forced');
      expect(kindsFor(actions, 'carol')).toEqual([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.deactivateKey]);
    });
  });

  it('Given mapping.yaml spells a user in another case than IAM does, When planned, Then its verified access is found as its kind is', () => {
    // IAM user names ignore case; the kind is looked up without case, and assign records access under the mapping's spelling.
    const text = MAPPING_YAML.replace('  alice: { kind: human, userName: alice }', '  Alice: { kind: human, userName: alice }');
    const recorded: Record<string, { verified: boolean; missing: string[] }> = { ...state().phases.assignments?.access };
    const access = Object.fromEntries(Object.entries({ ...recorded, Alice: verified }).filter(([name]) => name !== 'alice'));
    const { decisions } = plan({ mapping: mapping(text.replace('members: [alice, bob, carol]', 'members: [Alice, bob, carol]')), state: { phases: { assignments: { lastRunAt: CUTOVER.toISOString(), access } } }, names: ['alice'] });
    const alice = decisionOf(decisions, 'alice');
    expect(alice.kind).toBe('human');
    expect(alice.gate.checks.find((c) => c.code === 'IDENTITY_CENTER_ACCESS')?.passed).toBe(true);
    expect(alice.status).toBe('planned');
  });

  it('Given a target name that is not an IAM user, When planned, Then it has an excluded NOT_FOUND decision and no action', () => {
    const { actions, decisions } = plan({ snapshot: snapshot(users(), ['ghost']), names: ['ghost', 'alice'], explicit: true });
    const ghost = decisionOf(decisions, 'ghost');
    expect([ghost.status, ghost.exclusion?.code, ghost.userId]).toEqual(['excluded', 'NOT_FOUND', null]);
    expect(actions.some((a) => a.principal?.userName === 'ghost' || a.id.includes('ghost'))).toBe(false);
    expect(decisionOf(decisions, 'alice').status).toBe('planned');
  });

  it('Given a user with the deny-all present and every key inactive, When planned, Then it is nothing-to-do with no action', () => {
    const done = iamUser('alice', 2, { inlinePolicies: [{ name: DENY_ALL_POLICY_NAME, document: DENY_ALL_DOCUMENT }], keys: [key(20, 'Inactive'), key(21, 'Inactive')] });
    const { actions, decisions } = plan({ snapshot: snapshot([done]), names: ['alice'] });
    const alice = decisionOf(decisions, 'alice');
    expect([alice.status, alice.exclusion, alice.denyPolicy?.kind]).toEqual(['nothing-to-do', null, 'present']);
    expect(actions).toEqual([]);
  });

  it('Given a user with AWSDenyAll attached and no key, When planned, Then it is nothing-to-do', () => {
    const done = iamUser('bob', 3, { attachedPolicies: [{ name: 'AWSDenyAll', arn: DENY_ALL_ARN }] });
    const { actions, decisions } = plan({ snapshot: snapshot([done]), names: ['bob'] });
    expect(decisionOf(decisions, 'bob').status).toBe('nothing-to-do');
    expect(actions).toEqual([]);
  });

  it('Given a user with the deny-all present but an active key, When planned, Then only the key is deactivated, with no dependency', () => {
    const half = iamUser('alice', 2, { inlinePolicies: [{ name: DENY_ALL_POLICY_NAME, document: DENY_ALL_DOCUMENT }], keys: [key(20), key(21, 'Inactive')] });
    const { actions, decisions } = plan({ snapshot: snapshot([half]), names: ['alice'] });
    expect(decisionOf(decisions, 'alice').status).toBe('planned');
    expect(actions.map((a) => [a.kind, params(a)['accessKeyId'], a.dependsOn])).toEqual([[RETIRE_KIND.deactivateKey, accessKeyIdOf(20), []]]);
  });

  describe('modes', () => {
    it("Given mode 'keys-only', When planned, Then no deny action is planned and denyPolicy is null", () => {
      const { actions, decisions } = plan({ mode: 'keys-only' });
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.every((a) => a.kind === RETIRE_KIND.deactivateKey)).toBe(true);
      expect(actions.every((a) => a.dependsOn.length === 0)).toBe(true);
      expect(decisionOf(decisions, 'alice').denyPolicy).toBeNull();
    });

    it("Given mode 'deny-only', When planned, Then no key action is planned and no key is marked for deactivation", () => {
      const { actions, decisions } = plan({ mode: 'deny-only' });
      expect(actions.map((a) => [a.principal?.userName, a.kind])).toEqual([
        ['alice', RETIRE_KIND.putDenyPolicy],
        ['bob', RETIRE_KIND.putDenyPolicy],
      ]);
      expect(decisionOf(decisions, 'alice').keys.every((k) => !k.deactivate)).toBe(true);
    });

    it("Given mode 'keys-only' and a user with only inactive keys, When planned, Then it is nothing-to-do", () => {
      const idle = iamUser('alice', 2, { keys: [key(20, 'Inactive')] });
      const { actions, decisions } = plan({ snapshot: snapshot([idle]), names: ['alice'], mode: 'keys-only' });
      expect(decisionOf(decisions, 'alice').status).toBe('nothing-to-do');
      expect(actions).toEqual([]);
    });
  });

  describe('the actions', () => {
    it('Given a user with an active and an inactive key, When planned, Then only the active key gets a deactivate action', () => {
      const { actions, decisions } = plan({ names: ['alice'] });
      const keyActions = actionsFor(actions, 'alice').filter((a) => a.kind === RETIRE_KIND.deactivateKey);
      expect(keyActions.map((a) => params(a)['accessKeyId'])).toEqual([accessKeyIdOf(20)]);
      expect(decisionOf(decisions, 'alice').keys.map((k) => [k.accessKeyId, k.deactivate])).toEqual([
        [accessKeyIdOf(20), true],
        [accessKeyIdOf(21), false],
      ]);
    });

    it('Given a user with several active keys, When planned, Then each active key is deactivated after the deny policy', () => {
      const many = iamUser('alice', 2, { keys: [key(20), key(21), key(22, 'Inactive')] });
      const { actions } = plan({ snapshot: snapshot([many]), names: ['alice'] });
      const deny = actions.find((a) => a.kind === RETIRE_KIND.putDenyPolicy);
      expect(deny?.dependsOn).toEqual([]);
      const keys = actions.filter((a) => a.kind === RETIRE_KIND.deactivateKey);
      expect(keys.map((a) => params(a)['accessKeyId'])).toEqual([accessKeyIdOf(20), accessKeyIdOf(21)]);
      for (const action of keys) expect(action.dependsOn).toEqual([deny?.id]);
    });

    it('Given a full plan, When planned, Then every action is narrowing, on iam, with a principal equal to its params and a valid user name', () => {
      const { actions } = plan({ names: ['ops.admin', 'alice', 'bob', 'carol', 'break-glass', 'sec', 'tagged', 'ci'], explicit: true, forced: new Set(['carol']) });
      expect(actions.length).toBeGreaterThanOrEqual(16);
      for (const action of actions) {
        expect(action.risk).toBe('narrowing');
        expect(action.service).toBe('iam');
        expect(action.principal).toEqual({ userName: params(action)['userName'], userId: params(action)['userId'] });
        expect(action.principal?.userName).toMatch(VALID_USER_NAME);
        expect(String(params(action)['userName'])).toMatch(VALID_USER_NAME);
        expect(action.principal?.userId).toMatch(/^AIDA\d{17}$/);
      }
      expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
    });

    it('Given several users, When planned, Then the actions of one user share one fingerprint (UserId and every key) and users differ', () => {
      const { actions } = plan();
      const alice = actionsFor(actions, 'alice');
      const bob = actionsFor(actions, 'bob');
      expect(alice).toHaveLength(2);
      expect(new Set(alice.map((a) => a.fingerprint))).toEqual(new Set([userFingerprint(userIdOf(2), [accessKeyIdOf(20), accessKeyIdOf(21)])]));
      expect(new Set(bob.map((a) => a.fingerprint))).toEqual(new Set([userFingerprint(userIdOf(3), [accessKeyIdOf(30)])]));
      expect(alice[0]?.fingerprint).not.toBe(bob[0]?.fingerprint);
    });

    it('Given a user that fits the inline budget, When planned, Then the deny action puts the inline deny-all with AWSDenyAll as fallback', () => {
      const { actions } = plan({ names: ['bob'] });
      const deny = actions.find((a) => a.principal?.userName === 'bob' && a.kind === RETIRE_KIND.putDenyPolicy);
      expect(params(deny)).toEqual({ userName: 'bob', userId: userIdOf(3), policyName: DENY_ALL_POLICY_NAME, fallbackPolicyArn: DENY_ALL_ARN });
    });
  });

  describe('the inline budget', () => {
    const withInline = (...documents: PolicyDocument[]) => iamUser('bob', 3, { keys: [key(30)], inlinePolicies: documents.map((document, i) => ({ name: `own-${i}`, document })) });
    const denyOf = (user: IamUserState, mode: DisablePlanInput['mode'] = 'all') => {
      const result = plan({ snapshot: snapshot([user]), names: ['bob'], mode });
      return { ...result, bob: decisionOf(result.decisions, 'bob') };
    };

    it('Given inline policies that leave exactly room for the deny-all, When planned, Then it is inline', () => {
      const { actions, bob } = denyOf(withInline(policyOfSize(ROOM)));
      expect(bob.denyPolicy?.kind).toBe('inline');
      expect(actions.map((a) => a.kind)).toEqual([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.deactivateKey]);
    });

    it('Given two inline policies that together leave exactly room, When planned, Then the sizes are summed and it is inline', () => {
      const half = Math.floor(ROOM / 2);
      expect(denyOf(withInline(policyOfSize(half), policyOfSize(ROOM - half))).bob.denyPolicy?.kind).toBe('inline');
      expect(denyOf(withInline(policyOfSize(half), policyOfSize(ROOM - half + 1))).bob.denyPolicy?.kind).toBe('managed');
    });

    it('Given inline policies that fit only because white space is not counted, When planned, Then it is inline', () => {
      const document = policyOfSize(ROOM, 12);
      expect(JSON.stringify(document, null, 2).length).toBeGreaterThan(ROOM);
      expect(denyOf(withInline(document)).bob.denyPolicy?.kind).toBe('inline');
    });

    it('Given inline policies one character too big, When planned, Then AWSDenyAll is attached instead', () => {
      const { actions, bob } = denyOf(withInline(policyOfSize(ROOM + 1)));
      expect(bob.denyPolicy).toMatchObject({ kind: 'managed', policyArn: DENY_ALL_ARN });
      const deny = actions.find((a) => a.id === actions[1]?.dependsOn[0]);
      expect(deny?.kind).toBe(RETIRE_KIND.attachDenyPolicy);
      expect(params(deny)).toEqual({ userName: 'bob', userId: userIdOf(3), policyArn: DENY_ALL_ARN });
      expect(actions.map((a) => a.kind)).toEqual([RETIRE_KIND.attachDenyPolicy, RETIRE_KIND.deactivateKey]);
    });

    it('Given an overflowing inline budget and 9 managed policies, When planned, Then AWSDenyAll still fits as the tenth', () => {
      const user = { ...withInline(policyOfSize(ROOM + 1)), attachedPolicies: managedPolicies(USER_MANAGED_POLICY_QUOTA - 1) };
      expect(denyOf(user).bob.status).toBe('planned');
      expect(denyOf(user).bob.denyPolicy?.kind).toBe('managed');
    });

    it('Given an overflowing inline budget and already 10 managed policies, When planned, Then it is excluded NO_ROOM_FOR_DENY with no action', () => {
      const user = { ...withInline(policyOfSize(ROOM + 1)), attachedPolicies: managedPolicies(USER_MANAGED_POLICY_QUOTA) };
      const { actions, bob } = denyOf(user);
      expect([bob.status, bob.exclusion?.code]).toEqual(['excluded', 'NO_ROOM_FOR_DENY']);
      expect(actions).toEqual([]);
    });

    it("Given the same user and mode 'keys-only', When planned, Then its keys are planned", () => {
      const user = { ...withInline(policyOfSize(ROOM + 1)), attachedPolicies: managedPolicies(USER_MANAGED_POLICY_QUOTA) };
      const { actions, bob } = denyOf(user, 'keys-only');
      expect(bob.status).toBe('planned');
      expect(actions.map((a) => [a.kind, params(a)['accessKeyId']])).toEqual([[RETIRE_KIND.deactivateKey, accessKeyIdOf(30)]]);
    });

    it('Given 10 managed policies but room in the inline budget, When planned, Then the inline deny-all is used', () => {
      const user = { ...withInline(policyOfSize(200)), attachedPolicies: managedPolicies(USER_MANAGED_POLICY_QUOTA) };
      expect(denyOf(user).bob.denyPolicy?.kind).toBe('inline');
    });
  });
});

describe('chooseDenyPolicy', () => {
  const none = { inlinePolicies: [], attachedPolicies: [] };

  it('Given a user with no policy, When chosen, Then it is the inline iam2idc-deny-all', () => {
    expect(chooseDenyPolicy(none, 'aws')).toMatchObject({ kind: 'inline', policyName: DENY_ALL_POLICY_NAME });
  });

  it('Given a user that already has iam2idc-deny-all inline, When chosen, Then it is present', () => {
    expect(chooseDenyPolicy({ ...none, inlinePolicies: [{ name: DENY_ALL_POLICY_NAME, document: DENY_ALL_DOCUMENT }] }, 'aws').kind).toBe('present');
  });

  it('Given a user that already has AWSDenyAll attached, When chosen, Then it is present', () => {
    expect(chooseDenyPolicy({ ...none, attachedPolicies: [{ name: 'AWSDenyAll', arn: DENY_ALL_ARN }] }, 'aws').kind).toBe('present');
  });

  it('Given a full inline budget and a deny-all already present, When chosen, Then it is present, not managed', () => {
    const user = { inlinePolicies: [{ name: 'big', document: policyOfSize(USER_INLINE_POLICY_BUDGET) }], attachedPolicies: [{ name: 'AWSDenyAll', arn: DENY_ALL_ARN }] };
    expect(chooseDenyPolicy(user, 'aws').kind).toBe('present');
  });

  it('Given another partition, When the budget is full, Then AWSDenyAll of that partition is chosen, and one of another partition is not taken as present', () => {
    const user = { inlinePolicies: [{ name: 'big', document: policyOfSize(ROOM + 1) }], attachedPolicies: [{ name: 'AWSDenyAll', arn: DENY_ALL_ARN }] };
    expect(chooseDenyPolicy(user, 'aws-us-gov')).toMatchObject({ kind: 'managed', policyArn: 'arn:aws-us-gov:iam::aws:policy/AWSDenyAll' });
  });

  it('Given inline policies at the budget boundary, When chosen, Then exactly the budget is inline and one more is managed', () => {
    expect(chooseDenyPolicy({ ...none, inlinePolicies: [{ name: 'p', document: policyOfSize(ROOM) }] }, 'aws').kind).toBe('inline');
    expect(chooseDenyPolicy({ ...none, inlinePolicies: [{ name: 'p', document: policyOfSize(ROOM + 1) }] }, 'aws')).toMatchObject({ kind: 'managed', policyArn: DENY_ALL_ARN });
  });

  it('Given an inline policy of another name with a deny-all document, When chosen, Then it is not taken for the deny-all iam2idc adds', () => {
    expect(chooseDenyPolicy({ ...none, inlinePolicies: [{ name: 'legacy-deny', document: DENY_ALL_DOCUMENT }] }, 'aws').kind).toBe('inline');
  });
});
