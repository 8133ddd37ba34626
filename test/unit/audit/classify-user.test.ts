import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_WEIGHTS,
  classifyUser,
  type ClassificationReasonCode,
} from '../../../src/phases/audit/classify-user.js';
import type { UserKind, UserRecord } from '../../../src/model/inventory.js';
import {
  FIXTURE_NOW,
  accessKey,
  consolePassword,
  makeUser,
  makeUserWithoutCredentialData,
} from '../../fixtures/inventory.js';
import { daysAgo } from '../support/time.js';

const mfa = { active: true, virtualDeviceSerials: ['arn:aws:iam::111111111111:mfa/phone'] };
const noPassword = { enabled: false, lastUsed: null, lastChanged: null };
const tag = (key: string, value: string) => ({ key, value });

function classify(user: UserRecord) {
  return classifyUser(user, { now: FIXTURE_NOW });
}

function codes(user: UserRecord): ClassificationReasonCode[] {
  return classify(user).reasons.map((reason) => reason.code as ClassificationReasonCode);
}

describe('classifyUser: typical accounts', () => {
  const cases: Array<[string, UserRecord, UserKind, ClassificationReasonCode[]]> = [
    [
      'a person with console password and MFA',
      makeUser({ userName: 'alice', console: consolePassword(), mfa }),
      'human',
      ['console-password', 'mfa-active', 'password-used-recently'],
    ],
    [
      'a person with a console password only',
      makeUser({ userName: 'bob', console: consolePassword({ lastUsed: null }) }),
      'human',
      ['console-password'],
    ],
    [
      'a person with console, MFA and a CLI key',
      makeUser({ userName: 'carol', console: consolePassword(), mfa, accessKeys: [accessKey()] }),
      'human',
      ['console-password', 'mfa-active', 'password-used-recently'],
    ],
    [
      'the CI user ci-deploy with keys only, used yesterday',
      makeUser({ userName: 'ci-deploy', accessKeys: [accessKey()] }),
      'machine',
      ['key-only-access', 'name-machine-token', 'keys-used-recently'],
    ],
    [
      'a key-only user with a neutral name',
      makeUser({ userName: 'reporting', accessKeys: [accessKey({ lastUsedDate: null })] }),
      'machine',
      ['key-only-access'],
    ],
    [
      'jane.doe with keys only, used recently (person-like name against key-only access)',
      makeUser({ userName: 'jane.doe', accessKeys: [accessKey()] }),
      'unknown',
      ['key-only-access', 'name-person', 'keys-used-recently'],
    ],
    [
      'jane.doe with an unused key only',
      makeUser({ userName: 'jane.doe', accessKeys: [accessKey({ lastUsedDate: null })] }),
      'unknown',
      ['key-only-access', 'name-person'],
    ],
    [
      'a service-named user with a console password',
      makeUser({ userName: 'svc-reports', console: consolePassword({ lastUsed: null }) }),
      'unknown',
      ['console-password', 'name-machine-token'],
    ],
    ['an empty user (no password, no keys)', makeUser({ userName: 'old-account' }), 'unknown', []],
    ['an empty user with a machine name', makeUser({ userName: 'svc-backup' }), 'unknown', ['name-machine-token']],
    ['an empty user with a person name', makeUser({ userName: 'john_smith' }), 'unknown', ['name-person']],
    [
      'a user with only inactive keys',
      makeUser({ userName: 'dave', accessKeys: [accessKey({ active: false })] }),
      'unknown',
      [],
    ],
    [
      'a user whose password was removed after recent use',
      makeUser({ userName: 'erin', console: { enabled: false, lastUsed: daysAgo(5, FIXTURE_NOW), lastChanged: null } }),
      'unknown',
      ['password-used-recently'],
    ],
    [
      'a key-only user whose keys were last used long ago',
      makeUser({ userName: 'terraform', accessKeys: [accessKey({ lastUsedDate: daysAgo(200, FIXTURE_NOW) })] }),
      'machine',
      ['key-only-access', 'name-machine-token'],
    ],
  ];

  it.each(cases)('Given %s, When classified, Then it is %s with the expected reasons', (_name, user, kind, expected) => {
    const result = classify(user);
    expect(result.kind).toBe(kind);
    expect(result.reasons.map((reason) => reason.code)).toEqual(expected);
  });

  it('Given any classification, When reasons are listed, Then each points to a side and has a detail', () => {
    const result = classify(makeUser({ userName: 'ci-deploy', accessKeys: [accessKey()] }));
    for (const reason of result.reasons) {
      expect(['human', 'machine']).toContain(reason.points);
      expect(reason.detail.length).toBeGreaterThan(0);
    }
    expect(result.reasons.every((reason) => reason.points === 'machine')).toBe(true);
  });
});

describe('classifyUser: tags', () => {
  const cases: Array<[string, UserRecord, UserKind, ClassificationReasonCode]> = [
    ['iam2idc:kind=machine on a console+MFA user', makeUser({ userName: 'alice', console: consolePassword(), mfa, tags: [tag('iam2idc:kind', 'machine')] }), 'machine', 'tag-iam2idc-kind'],
    ['iam2idc:kind=human on ci-deploy with keys only', makeUser({ userName: 'ci-deploy', accessKeys: [accessKey()], tags: [tag('iam2idc:kind', 'Human')] }), 'human', 'tag-iam2idc-kind'],
    ['Type=Service on a console user', makeUser({ userName: 'bob', console: consolePassword(), tags: [tag('Type', 'Service')] }), 'machine', 'tag-kind'],
    ['usage=automation on an empty user', makeUser({ userName: 'x', tags: [tag('usage', 'automation')] }), 'machine', 'tag-kind'],
    ['kind=person on a key-only user', makeUser({ userName: 'jane.doe', accessKeys: [accessKey()], tags: [tag('kind', 'person')] }), 'human', 'tag-kind'],
    ['type=human with unreadable credential data', makeUserWithoutCredentialData({ userName: 'x', tags: [tag('type', 'human')] }), 'human', 'tag-kind'],
    ['an Email tag on a console user', makeUser({ userName: 'frank', console: consolePassword({ lastUsed: null }), tags: [tag('Email', 'frank@example.com')] }), 'human', 'console-password'],
    ['iam2idc:kind=human against type=service', makeUser({ userName: 'x', tags: [tag('type', 'service'), tag('iam2idc:kind', 'human')] }), 'human', 'tag-iam2idc-kind'],
  ];

  it.each(cases)('Given %s, When classified, Then it is %s and the strongest reason is %s', (_name, user, kind, firstCode) => {
    const result = classify(user);
    expect(result.kind).toBe(kind);
    expect(result.reasons[0]?.code).toBe(firstCode);
  });

  it('Given two common kind tags that disagree, When classified, Then it is unknown', () => {
    const user = makeUser({ userName: 'x', console: consolePassword(), tags: [tag('type', 'service'), tag('kind', 'human')] });
    expect(classify(user).kind).toBe('unknown');
  });

  it('Given tags with unknown values or keys, When classified, Then they are ignored', () => {
    const user = makeUser({ userName: 'x', tags: [tag('iam2idc:kind', 'skip'), tag('type', 'whatever'), tag('team', 'machine'), tag('email', 'not-an-address')] });
    expect(classify(user)).toEqual({ kind: 'unknown', reasons: [] });
  });

  it('Given an e-mail tag and a person-like name on an empty user, When classified, Then together they decide human', () => {
    const user = makeUser({ userName: 'jane.doe', tags: [tag('email', 'jane.doe@example.com')] });
    expect(classify(user).kind).toBe('human');
    expect(codes(user)).toEqual(['tag-email', 'name-person']);
  });
});

describe('classifyUser: unreadable credential data', () => {
  const cases: Array<[string, UserRecord, UserKind]> = [
    ['a plain name', makeUserWithoutCredentialData({ userName: 'alice' }), 'unknown'],
    ['a machine name alone', makeUserWithoutCredentialData({ userName: 'ci-deploy' }), 'unknown'],
    ['a person name alone', makeUserWithoutCredentialData({ userName: 'jane.doe' }), 'unknown'],
    ['a person name and an e-mail tag', makeUserWithoutCredentialData({ userName: 'jane.doe', tags: [tag('Email', 'jane@example.com')] }), 'human'],
    ['an iam2idc:kind tag', makeUserWithoutCredentialData({ userName: 'alice', tags: [tag('iam2idc:kind', 'machine')] }), 'machine'],
    ['a known MFA device but no report', makeUserWithoutCredentialData({ userName: 'alice', mfa }), 'unknown'],
  ];

  it.each(cases)('Given null console/keys/MFA and %s, When classified, Then it does not throw and is %s', (_name, user, kind) => {
    expect(classify(user).kind).toBe(kind);
  });

  it('Given null credential data and active keys unknown, When classified, Then key-only access is never inferred', () => {
    const user = makeUser({ userName: 'x', console: null, accessKeys: [accessKey()] });
    expect(codes(user)).not.toContain('key-only-access');
  });
});

describe('classifyUser: user name patterns', () => {
  const cases: Array<[string, ClassificationReasonCode | null]> = [
    ['svc-billing', 'name-machine-token'],
    ['billing_service', 'name-machine-token'],
    ['deploy.bot', 'name-machine-token'],
    ['ci_deploy', 'name-machine-token'],
    ['github-actions', 'name-machine-token'],
    ['gitlab-runner', 'name-machine-token'],
    ['jenkins', 'name-machine-token'],
    ['backup01', 'name-machine-token'],
    ['etl2warehouse', 'name-machine-token'],
    ['monitor@example.com', 'name-machine-token'],
    ['SYSTEM-sync', 'name-machine-token'],
    ['happy-path', null],
    ['capital', null],
    ['cicd', null],
    ['jane.doe', 'name-person'],
    ['Jane_Doe', 'name-person'],
    ['jane.m.doe', null],
    ['jane.doe2', null],
    ['jdoe', null],
    ['jane.doe@example.com', 'name-email'],
    ['jane@api.example.com', 'name-email'],
  ];

  it.each(cases)('Given the user name %s, When classified, Then the name reason is %s', (userName, expected) => {
    const nameCodes = codes(makeUser({ userName })).filter((code) => code.startsWith('name-'));
    expect(nameCodes).toEqual(expected === null ? [] : [expected]);
  });
});

describe('classifyUser: weights', () => {
  it('Given the documented weights, When compared, Then tags outweigh credentials and credentials outweigh names', () => {
    expect(CLASSIFICATION_WEIGHTS['tag-iam2idc-kind']).toBeGreaterThan(2 * CLASSIFICATION_WEIGHTS['tag-kind']);
    expect(CLASSIFICATION_WEIGHTS['console-password']).toBeGreaterThan(CLASSIFICATION_WEIGHTS['name-machine-token']);
    expect(CLASSIFICATION_WEIGHTS['key-only-access']).toBeGreaterThan(CLASSIFICATION_WEIGHTS['name-person']);
  });

  it('Given a password used at the boundary of 90 days, When classified, Then 90 days is recent and 91 is not', () => {
    const at = (days: number) => codes(makeUser({ userName: 'x', console: consolePassword({ lastUsed: daysAgo(days, FIXTURE_NOW) }) }));
    expect(at(90)).toContain('password-used-recently');
    expect(at(91)).not.toContain('password-used-recently');
  });

  it('Given an unparseable date, When classified, Then it is ignored rather than thrown on', () => {
    const user = makeUser({ userName: 'x', console: { ...noPassword, lastUsed: 'not-a-date' } });
    expect(classify(user)).toEqual({ kind: 'unknown', reasons: [] });
  });
});
