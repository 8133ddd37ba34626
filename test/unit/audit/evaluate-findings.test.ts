import { describe, expect, it } from 'vitest';
import {
  FINDING_RULES,
  ROOT_SUBJECT,
  evaluateFindings,
  type FindingRule,
} from '../../../src/phases/audit/evaluate-findings.js';
import type { AdminAccess, Finding, RootAccountSummary, Severity, UserRecord } from '../../../src/model/inventory.js';
import {
  ADMINISTRATOR_ACCESS_ARN,
  FIXTURE_NOW,
  accessKey,
  consolePassword,
  makeRoot,
  makeUser,
  makeUserWithoutCredentialData,
  policyDocument,
} from '../../fixtures/inventory.js';
import { daysAgo } from '../support/time.js';

const mfa = { active: true, virtualDeviceSerials: [] };
const adminPath = { via: 'group-managed-policy' as const, source: 'admins' };
const roleRoute = { via: 'assume-role' as const, source: 'arn:aws:iam::111111111111:role/Admin', actions: ['sts:AssumeRole'], through: ['managed-policy arn:aws:iam::aws:policy/PowerUserAccess'] };
const access = (level: AdminAccess['level'], paths: Partial<AdminAccess> = {}): AdminAccess => ({
  level,
  paths: [],
  nearAdminPaths: [],
  conditionalPaths: [],
  deniedBy: [],
  unreadPolicies: [],
  ...paths,
});

function evaluate(users: UserRecord[], root: RootAccountSummary | null = makeRoot()): Finding[] {
  return evaluateFindings({ users, root, now: FIXTURE_NOW });
}

function rules(users: UserRecord[], root: RootAccountSummary | null = makeRoot()): string[] {
  return evaluate(users, root).map((finding) => finding.rule);
}

describe('evaluateFindings: user rules', () => {
  const cases: Array<[string, UserRecord, FindingRule[]]> = [
    ['a person with console, MFA and recent use', makeUser({ console: consolePassword(), mfa }), []],
    ['a console password without MFA', makeUser({ console: consolePassword() }), ['console-without-mfa']],
    ['a console password, MFA data unreadable', makeUser({ console: consolePassword(), mfa: null }), []],
    ['a console password unused for 120 days', makeUser({ console: consolePassword({ lastUsed: daysAgo(120, FIXTURE_NOW) }), mfa }), ['password-unused-90-days']],
    ['a console password never used, set 200 days ago', makeUser({ console: consolePassword({ lastUsed: null, lastChanged: daysAgo(200, FIXTURE_NOW) }), mfa }), ['password-unused-90-days']],
    ['a console password never used, set 10 days ago', makeUser({ console: consolePassword({ lastUsed: null, lastChanged: daysAgo(10, FIXTURE_NOW) }), mfa }), []],
    ['a disabled password unused for years', makeUser({ console: { enabled: false, lastUsed: daysAgo(900, FIXTURE_NOW), lastChanged: null } }), []],
    ['an active key 120 days old, in use', makeUser({ accessKeys: [accessKey({ lastRotated: daysAgo(120, FIXTURE_NOW) })] }), ['access-key-older-than-90-days']],
    ['an active key 30 days old, in use', makeUser({ accessKeys: [accessKey()] }), []],
    ['an active key last used 100 days ago', makeUser({ accessKeys: [accessKey({ lastRotated: daysAgo(400, FIXTURE_NOW), lastUsedDate: daysAgo(100, FIXTURE_NOW) })] }), ['access-key-unused-90-days']],
    ['an active key never used, created 30 days ago', makeUser({ accessKeys: [accessKey({ lastUsedDate: null })] }), ['access-key-never-used']],
    ['an active key never used, created 400 days ago', makeUser({ accessKeys: [accessKey({ lastUsedDate: null, lastRotated: daysAgo(400, FIXTURE_NOW) })] }), ['access-key-never-used']],
    ['an active key never used, created 2 days ago', makeUser({ accessKeys: [accessKey({ lastUsedDate: null, lastRotated: daysAgo(2, FIXTURE_NOW) })] }), []],
    ['an active key never used, creation unknown', makeUser({ accessKeys: [accessKey({ lastUsedDate: null, lastRotated: null })] }), []],
    [
      'inactive keys that are old and unused',
      makeUser({ accessKeys: [accessKey({ active: false, lastRotated: daysAgo(500, FIXTURE_NOW), lastUsedDate: daysAgo(300, FIXTURE_NOW) }), accessKey({ slot: 2, active: false, lastUsedDate: null, lastRotated: daysAgo(500, FIXTURE_NOW) })] }),
      [],
    ],
    [
      'two active keys, one old and one never used',
      makeUser({ accessKeys: [accessKey({ lastRotated: daysAgo(200, FIXTURE_NOW) }), accessKey({ slot: 2, lastUsedDate: null })] }),
      ['access-key-never-used', 'access-key-older-than-90-days'],
    ],
    ['an administrator', makeUser({ adminPaths: [adminPath] }), ['iam-user-administrator']],
    ['isAdmin set without paths', makeUser({ isAdmin: true }), ['iam-user-administrator']],
    ['a near-administrator', makeUser({ adminAccess: access('near-admin', { nearAdminPaths: [roleRoute] }) }), ['iam-user-near-administrator']],
    ['a conditional administrator', makeUser({ adminAccess: access('conditional-admin', { conditionalPaths: [{ ...adminPath, unknownKeys: ['aws:MultiFactorAuthPresent'] }] }) }), ['iam-user-conditional-administrator']],
    ['administrator access cancelled by a Deny', makeUser({ adminAccess: access('none', { deniedBy: [{ via: 'managed-policy', source: 'arn:aws:iam::aws:policy/AWSDenyAll' }] }) }), []],
    ['a directly attached managed policy', makeUser({ attachedPolicies: [{ name: 'AdministratorAccess', arn: ADMINISTRATOR_ACCESS_ARN }] }), ['policy-attached-to-user']],
    ['a direct inline policy', makeUser({ inlinePolicies: [{ name: 'p', document: policyDocument() }] }), ['policy-attached-to-user']],
    ['unreadable credential data', makeUserWithoutCredentialData(), []],
    ['an empty user', makeUser(), []],
  ];

  it.each(cases)('Given %s, When findings are evaluated, Then the rules are %j', (_name, user, expected) => {
    expect(rules([user])).toEqual(expected);
  });

  it('Given each finding, When its severity is read, Then it is the rule severity', () => {
    const user = makeUser({
      console: consolePassword({ lastUsed: daysAgo(200, FIXTURE_NOW) }),
      adminPaths: [adminPath],
      inlinePolicies: [{ name: 'p', document: policyDocument() }],
      accessKeys: [accessKey({ lastRotated: daysAgo(200, FIXTURE_NOW) }), accessKey({ slot: 2, lastUsedDate: null })],
    });
    const findings = evaluate([user], makeRoot({ mfaActive: false, accessKeysPresent: true }));
    const expected: Record<FindingRule, Severity> = {
      'root-access-keys': 'critical',
      'root-without-mfa': 'critical',
      'console-without-mfa': 'high',
      'iam-user-administrator': 'high',
      'iam-user-near-administrator': 'high',
      'iam-user-conditional-administrator': 'high',
      'access-key-older-than-90-days': 'medium',
      'access-key-unused-90-days': 'medium',
      'access-key-never-used': 'medium',
      'policy-attached-to-user': 'low',
      'password-unused-90-days': 'low',
    };
    expect(FINDING_RULES).toEqual(expected);
    for (const finding of findings) expect(finding.severity).toBe(expected[finding.rule as FindingRule]);
    expect(new Set(findings.map((finding) => finding.rule)).size).toBe(8);
  });

  it('Given any finding, When read, Then it names its subject and has a message and a recommendation', () => {
    const findings = evaluate([makeUser({ userName: 'bob', console: consolePassword(), adminPaths: [adminPath] })]);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.subject).toBe('bob');
      expect(finding.message).toContain('bob');
      expect(finding.recommendation.length).toBeGreaterThan(20);
    }
  });

  it('Given a near-administrator through a role, When evaluated, Then the message says which role and through which policy', () => {
    const [finding] = evaluate([makeUser({ userName: 'bob', adminAccess: access('near-admin', { nearAdminPaths: [roleRoute] }) })]);
    expect(finding?.message).toBe(
      'bob can make itself administrator in one step (assuming role arn:aws:iam::111111111111:role/Admin (sts:AssumeRole; through managed-policy arn:aws:iam::aws:policy/PowerUserAccess)).',
    );
  });

  it('Given a conditional administrator, When evaluated, Then the message names the unknown condition', () => {
    const [finding] = evaluate([makeUser({ userName: 'ann', adminAccess: access('conditional-admin', { conditionalPaths: [{ via: 'inline-policy', source: 'mfa-admin', unknownKeys: ['aws:MultiFactorAuthPresent'] }] }) })]);
    expect(finding?.message).toContain('inline policy mfa-admin, depending on aws:MultiFactorAuthPresent');
  });

  it('Given an admin classified human and one classified machine, When evaluated, Then the recommendations differ', () => {
    const human = makeUser({ userName: 'h', adminPaths: [adminPath], classification: { kind: 'human', reasons: [] } });
    const machine = makeUser({ userName: 'm', adminPaths: [adminPath], classification: { kind: 'machine', reasons: [] } });
    const [forHuman, forMachine] = evaluate([human, machine]);
    expect(forHuman?.recommendation).toMatch(/Identity Center/);
    expect(forMachine?.recommendation).toMatch(/role/);
    expect(forHuman?.recommendation).not.toBe(forMachine?.recommendation);
  });
});

describe('evaluateFindings: root rules', () => {
  const cases: Array<[string, RootAccountSummary | null, FindingRule[]]> = [
    ['a root with MFA and no keys', makeRoot(), []],
    ['no root summary', null, []],
    ['a root without MFA', makeRoot({ mfaActive: false }), ['root-without-mfa']],
    ['a root with unknown MFA state', makeRoot({ mfaActive: null }), []],
    ['a root with keys present (account summary)', makeRoot({ accessKeysPresent: true }), ['root-access-keys']],
    ['a root with an active key in the report', makeRoot({ accessKeysPresent: null, accessKeys: [accessKey()] }), ['root-access-keys']],
    ['a root with an inactive key only', makeRoot({ accessKeys: [accessKey({ active: false })] }), []],
    ['a root with keys and no MFA', makeRoot({ mfaActive: false, accessKeysPresent: true }), ['root-access-keys', 'root-without-mfa']],
  ];

  it.each(cases)('Given %s, When evaluated, Then the rules are %j', (_name, root, expected) => {
    const findings = evaluate([], root);
    expect(findings.map((finding) => finding.rule)).toEqual(expected);
    for (const finding of findings) {
      expect(finding.subject).toBe(ROOT_SUBJECT);
      expect(finding.severity).toBe('critical');
    }
  });

  it('Given root keys, When evaluated, Then the recommendation is to delete them', () => {
    const [finding] = evaluate([], makeRoot({ accessKeysPresent: true }));
    expect(finding?.recommendation).toMatch(/[Dd]elete/);
  });
});

describe('evaluateFindings: ordering', () => {
  it('Given findings of several severities and subjects, When evaluated, Then they sort by severity, then subject', () => {
    const users = [
      makeUser({ userName: 'zoe', console: consolePassword(), inlinePolicies: [{ name: 'p', document: policyDocument() }] }),
      makeUser({ userName: 'adam', accessKeys: [accessKey({ lastRotated: daysAgo(120, FIXTURE_NOW) })], adminPaths: [adminPath] }),
      makeUser({ userName: 'mia', console: consolePassword() }),
    ];
    const findings = evaluate(users, makeRoot({ mfaActive: false }));
    expect(findings.map((finding) => [finding.severity, finding.subject, finding.rule])).toEqual([
      ['critical', ROOT_SUBJECT, 'root-without-mfa'],
      ['high', 'adam', 'iam-user-administrator'],
      ['high', 'mia', 'console-without-mfa'],
      ['high', 'zoe', 'console-without-mfa'],
      ['medium', 'adam', 'access-key-older-than-90-days'],
      ['low', 'zoe', 'policy-attached-to-user'],
    ]);
  });

  it('Given the same users in another order, When evaluated, Then the output is identical', () => {
    const users = [
      makeUser({ userName: 'a', console: consolePassword(), accessKeys: [accessKey({ lastUsedDate: null }), accessKey({ slot: 2, lastUsedDate: null })] }),
      makeUser({ userName: 'b', console: consolePassword() }),
    ];
    expect(evaluate([...users].reverse())).toEqual(evaluate(users));
  });
});
