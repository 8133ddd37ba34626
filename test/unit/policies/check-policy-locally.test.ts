import { describe, expect, it } from 'vitest';
import { checkPolicyLocally } from '../../../src/phases/generate-policies/check-policy-locally.js';
import type { ValidationFinding } from '../../../src/phases/generate-policies/types.js';

const valid = () => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:list*'], Resource: 'arn:aws:s3:::bucket/*' },
    { Effect: 'Deny', NotAction: 'iam:*', NotResource: ['arn:aws:iam::111111111111:role/x'], Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
  ],
});

/** The findings as (severity, code, location), the part callers rely on. */
const summary = (findings: ValidationFinding[]) => findings.map(({ severity, code, location }) => ({ severity, code, location }));

async function check(document: unknown, maxChars?: number) {
  return summary(await checkPolicyLocally(document, maxChars === undefined ? undefined : { maxChars }));
}

function withStatement(statement: Record<string, unknown>) {
  return { Version: '2012-10-17', Statement: [statement] };
}

describe('checkPolicyLocally: a valid policy', () => {
  it('Given a valid identity policy, When checked, Then there is no finding', async () => {
    expect(await checkPolicyLocally(valid())).toEqual([]);
  });

  it('Given the same policy as JSON text, When checked, Then there is no finding', async () => {
    expect(await checkPolicyLocally(JSON.stringify(valid(), null, 2))).toEqual([]);
  });

  it('Given a single Statement object, When a rule fails, Then the location has no index', async () => {
    const document = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:NoSuchAction', Resource: '*' } };
    expect(await check(document)).toEqual([{ severity: 'ERROR', code: 'UNKNOWN_ACTION', location: 'Statement.Action' }]);
  });

  it('Given findings, When returned, Then each says it comes from the local checks', async () => {
    const findings = await checkPolicyLocally({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((finding) => finding.source === 'local' && finding.message.length > 0)).toBe(true);
  });
});

describe('checkPolicyLocally: document shape', () => {
  it('Given text that is not JSON, When checked, Then INVALID_JSON', async () => {
    expect(await check('{"Version": "2012-10-17",')).toEqual([{ severity: 'ERROR', code: 'INVALID_JSON', location: null }]);
  });

  it.each([[null], [[]], [42], ['"a string"']])('Given %j, When checked, Then POLICY_NOT_OBJECT', async (document) => {
    expect(await check(document)).toEqual([{ severity: 'ERROR', code: 'POLICY_NOT_OBJECT', location: null }]);
  });

  it('Given an unknown top-level element, When checked, Then UNKNOWN_ELEMENT names it', async () => {
    expect(await check({ ...valid(), Statements: [] })).toEqual([{ severity: 'ERROR', code: 'UNKNOWN_ELEMENT', location: 'Statements' }]);
  });

  it.each([
    [undefined, 'WARNING', 'MISSING_VERSION'],
    ['2008-10-17', 'WARNING', 'LEGACY_VERSION'],
    ['2020-01-01', 'ERROR', 'INVALID_VERSION'],
    [20121017, 'ERROR', 'INVALID_VERSION'],
  ])('Given Version %j, When checked, Then %s %s', async (version, severity, code) => {
    expect(await check({ ...valid(), Version: version })).toEqual([{ severity, code, location: 'Version' }]);
  });

  it.each([
    [undefined, 'MISSING_STATEMENT'],
    [[], 'EMPTY_STATEMENT'],
    ['Allow', 'INVALID_STATEMENT'],
  ])('Given Statement %j, When checked, Then %s', async (statement, code) => {
    expect(await check({ Version: '2012-10-17', Statement: statement })).toEqual([{ severity: 'ERROR', code, location: 'Statement' }]);
  });

  it('Given a statement that is not an object, When checked, Then INVALID_STATEMENT at its index', async () => {
    expect(await check({ Version: '2012-10-17', Statement: [valid().Statement[0], null] })).toEqual([
      { severity: 'ERROR', code: 'INVALID_STATEMENT', location: 'Statement[1]' },
    ]);
  });

  it('Given an unknown statement element, When checked, Then UNKNOWN_ELEMENT names it', async () => {
    expect(await check(withStatement({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Actions: [] }))).toEqual([
      { severity: 'ERROR', code: 'UNKNOWN_ELEMENT', location: 'Statement[0].Actions' },
    ]);
  });
});

describe('checkPolicyLocally: statements', () => {
  const base = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

  it.each([
    [{ ...base, Effect: undefined }, 'MISSING_EFFECT', 'Statement[0].Effect'],
    [{ ...base, Effect: 'allow' }, 'INVALID_EFFECT', 'Statement[0].Effect'],
    [{ ...base, NotAction: 'iam:*' }, 'ACTION_AND_NOT_ACTION', 'Statement[0]'],
    [{ ...base, Action: undefined }, 'MISSING_ACTION', 'Statement[0]'],
    [{ ...base, Action: [] }, 'INVALID_ACTION', 'Statement[0].Action'],
    [{ ...base, Action: ['s3:GetObject', 3] }, 'INVALID_ACTION', 'Statement[0].Action[1]'],
    [{ ...base, NotResource: 'arn:aws:s3:::b' }, 'RESOURCE_AND_NOT_RESOURCE', 'Statement[0]'],
    [{ ...base, Resource: undefined }, 'MISSING_RESOURCE', 'Statement[0]'],
    [{ ...base, Resource: ['arn:aws:s3:::b', 'my-bucket'] }, 'INVALID_RESOURCE', 'Statement[0].Resource[1]'],
    [{ ...base, Resource: {} }, 'INVALID_RESOURCE', 'Statement[0].Resource'],
    [{ ...base, Principal: { AWS: '*' } }, 'PRINCIPAL_IN_IDENTITY_POLICY', 'Statement[0].Principal'],
    [{ ...base, NotPrincipal: { AWS: '*' } }, 'PRINCIPAL_IN_IDENTITY_POLICY', 'Statement[0].NotPrincipal'],
    [{ ...base, Condition: 'aws:SecureTransport' }, 'INVALID_CONDITION', 'Statement[0].Condition'],
    [{ ...base, Condition: { Bool: 'true' } }, 'INVALID_CONDITION', 'Statement[0].Condition.Bool'],
    [{ ...base, Condition: { Bool: { 'aws:SecureTransport': { nested: true } } } }, 'INVALID_CONDITION', 'Statement[0].Condition.Bool.aws:SecureTransport'],
    [{ ...base, Sid: 'read-objects' }, 'INVALID_SID', 'Statement[0].Sid'],
    [{ ...base, Sid: 7 }, 'INVALID_SID', 'Statement[0].Sid'],
  ])('Given the statement %j, When checked, Then ERROR %s at %s', async (statement, code, location) => {
    const cleaned = Object.fromEntries(Object.entries(statement).filter(([, value]) => value !== undefined));
    expect(await check(withStatement(cleaned))).toEqual([{ severity: 'ERROR', code, location }]);
  });

  it('Given two statements with the same Sid, When checked, Then DUPLICATE_SID at the second', async () => {
    const document = { Version: '2012-10-17', Statement: [{ ...base, Sid: 'Read' }, { ...base, Sid: 'Other' }, { ...base, Sid: 'Read' }] };
    expect(await check(document)).toEqual([{ severity: 'ERROR', code: 'DUPLICATE_SID', location: 'Statement[2].Sid' }]);
  });

  it('Given a valid condition with lists, numbers and booleans, When checked, Then there is no finding', async () => {
    const condition = { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] }, NumericLessThan: { 's3:max-keys': 10 }, Bool: { 'aws:SecureTransport': true } };
    expect(await check(withStatement({ ...base, Condition: condition }))).toEqual([]);
  });
});

describe('checkPolicyLocally: actions', () => {
  it('Given an unknown action among known ones, When checked, Then UNKNOWN_ACTION at its index', async () => {
    const statement = { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjekt', 'S3:getobjectversion'], Resource: '*' };
    expect(await check(withStatement(statement))).toEqual([{ severity: 'ERROR', code: 'UNKNOWN_ACTION', location: 'Statement[0].Action[1]' }]);
  });

  it.each(['s3:NoSuch*', 'nosuchservice:*', 'nosuchservice:GetObject', 'GetObject', 's3*', 's3:Get:Object'])(
    'Given the action %j, When checked, Then UNKNOWN_ACTION',
    async (action) => {
      expect(await check(withStatement({ Effect: 'Allow', Action: action, Resource: '*' }))).toEqual([
        { severity: 'ERROR', code: 'UNKNOWN_ACTION', location: 'Statement[0].Action' },
      ]);
    },
  );

  it('Given an unknown action in NotAction, When checked, Then UNKNOWN_ACTION there too', async () => {
    expect(await check(withStatement({ Effect: 'Deny', NotAction: ['iam:*', 'iam:NoSuchAction'], Resource: '*' }))).toEqual([
      { severity: 'ERROR', code: 'UNKNOWN_ACTION', location: 'Statement[0].NotAction[1]' },
    ]);
  });

  it.each(['s3:Get*', 'ec2:Describe*', 's3:Get?bject', '*:GetObject', 'iam:*'])('Given the pattern %j, When checked, Then it is accepted', async (action) => {
    expect(await check(withStatement({ Effect: 'Allow', Action: action, Resource: '*' }))).toEqual([]);
  });

  it.each(['*', '*:*'])('Given %j in an Allow, When checked, Then a SECURITY_WARNING', async (action) => {
    expect(await check(withStatement({ Effect: 'Allow', Action: [action], Resource: '*' }))).toEqual([
      { severity: 'SECURITY_WARNING', code: 'ALLOW_ALL_ACTIONS', location: 'Statement[0].Action[0]' },
    ]);
  });

  it('Given * in a Deny or in a NotAction, When checked, Then there is no finding', async () => {
    expect(await check(withStatement({ Effect: 'Deny', Action: '*', Resource: '*' }))).toEqual([]);
    expect(await check(withStatement({ Effect: 'Allow', NotAction: '*', Resource: '*' }))).toEqual([]);
  });
});

describe('checkPolicyLocally: size', () => {
  const bigPolicy = () => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: 120 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `arn:aws:s3:::a-rather-long-bucket-name-number-${i}/*`,
    })),
  });

  it('Given a policy over 10,240 non-whitespace characters, When checked, Then POLICY_TOO_LARGE', async () => {
    expect(JSON.stringify(bigPolicy()).length).toBeGreaterThan(10_240);
    expect(await check(bigPolicy())).toEqual([{ severity: 'ERROR', code: 'POLICY_TOO_LARGE', location: null }]);
  });

  it('Given pretty-printed text, When checked against its exact compact size, Then whitespace does not count', async () => {
    const compact = JSON.stringify(valid()).replace(/\s/g, '').length;
    const pretty = JSON.stringify(valid(), null, 4);
    expect(await check(pretty, compact)).toEqual([]);
    expect(await check(pretty, compact - 1)).toEqual([{ severity: 'ERROR', code: 'POLICY_TOO_LARGE', location: null }]);
  });
});
