import { describe, expect, it } from 'vitest';
import {
  attributePrincipal,
  describePrincipal,
  permissionSetOfRole,
  type Principal,
} from '../../../src/phases/watch-denied/attribute-principal.js';
import { isDenied, isDeniedErrorCode, parseTrailEvent, type TrailEvent } from '../../../src/phases/watch-denied/trail-event.js';

const ACCOUNT = '111111111111';
const IDC_ROLE = 'AWSReservedSSO_Developers_0123456789abcdef';
const IDENTITY_STORE_ARN = 'arn:aws:identitystore::111111111111:identitystore/d-1234567890';

/** A CloudTrail record as CloudTrail writes it into CloudWatch Logs, with the fields a test changes. */
function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: iamUserIdentity(),
    eventTime: '2026-11-30T10:15:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'ListObjects',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: '[aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64]',
    requestParameters: { bucketName: 'acme-data', Host: 'acme-data.s3.eu-west-1.amazonaws.com' },
    responseElements: null,
    requestID: 'B3F2C7D8E9A01234',
    eventID: '4d3c5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::acme-data' },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Data',
    ...overrides,
  };
}

function iamUserIdentity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSER00001',
    arn: 'arn:aws:iam::111111111111:user/alice',
    accountId: ACCOUNT,
    accessKeyId: 'AKIAEXAMPLEKEY000001',
    userName: 'alice',
    ...overrides,
  };
}

function idcIdentity(roleName: string, sessionName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLE00001:${sessionName}`,
    arn: `arn:aws:sts::111111111111:assumed-role/${roleName}/${sessionName}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLEKEY000002',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLE00001',
        arn: `arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/${roleName}`,
        accountId: ACCOUNT,
        userName: roleName,
      },
      attributes: { creationDate: '2026-11-30T09:00:00Z', mfaAuthenticated: 'false' },
    },
    ...extra,
  };
}

function parse(overrides: Record<string, unknown> = {}): TrailEvent {
  const event = parseTrailEvent(JSON.stringify(record(overrides)));
  if (event === null) throw new Error('expected a CloudTrail event');
  return event;
}

function principalOf(overrides: Record<string, unknown>): Principal {
  return parse(overrides).principal;
}

describe('parseTrailEvent: the fields of a CloudTrail record', () => {
  it('Given a complete record, When parsed, Then every field the watch needs is read', () => {
    const event = parse({ errorCode: 'AccessDenied', errorMessage: 'Access Denied' });

    expect(event).toEqual({
      eventId: '4d3c5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      eventTime: '2026-11-30T10:15:00.000Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'ListObjects',
      region: 'eu-west-1',
      recipientAccountId: ACCOUNT,
      sourceIp: '203.0.113.10',
      userAgent: '[aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64]',
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
      principal: {
        type: 'iam-user',
        userName: 'alice',
        userId: 'AIDAEXAMPLEUSER00001',
        accountId: ACCOUNT,
        accessKeyId: 'AKIAEXAMPLEKEY000001',
        credential: 'access-key',
      },
      resources: ['arn:aws:s3:::acme-data'],
    });
  });

  it('Given a successful call, When parsed, Then the error fields are null', () => {
    const event = parse();

    expect(event.errorCode).toBeNull();
    expect(event.errorMessage).toBeNull();
    expect(isDenied(event)).toBe(false);
  });

  it.each([
    ['2026-11-30T10:15:00Z', '2026-11-30T10:15:00.000Z'],
    ['2026-11-30T10:15:00.5Z', '2026-11-30T10:15:00.500Z'],
    ['2026-11-30T11:15:00+01:00', '2026-11-30T10:15:00.000Z'],
  ])('Given eventTime %s, When parsed, Then it is normalised to the ISO form %s', (eventTime, expected) => {
    expect(parse({ eventTime }).eventTime).toBe(expected);
  });

  it('Given resources listing one ARN twice, a non-ARN value and entries without an ARN, When parsed, Then only the distinct ARNs remain, in order', () => {
    const event = parse({
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::acme-data/reports/2026.csv' },
        { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::acme-data' },
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::acme-data/reports/2026.csv' },
        { type: 'AWS::KMS::Key', ARN: 'not-an-arn' },
        { type: 'AWS::S3::Bucket', ARN: '' },
        { type: 'AWS::S3::Bucket', accountId: ACCOUNT },
        'arn:aws:s3:::bare-string',
        null,
      ],
    });

    expect(event.resources).toEqual(['arn:aws:s3:::acme-data/reports/2026.csv', 'arn:aws:s3:::acme-data']);
  });

  it('Given a record without resources, When parsed, Then the resource list is empty', () => {
    const withoutResources = record();
    delete withoutResources.resources;

    expect(parseTrailEvent(JSON.stringify(withoutResources))?.resources).toEqual([]);
  });

  it('Given a record without userIdentity, When parsed, Then the principal is "other" of an unknown type', () => {
    const withoutIdentity = record();
    delete withoutIdentity.userIdentity;

    expect(parseTrailEvent(JSON.stringify(withoutIdentity))?.principal).toEqual({ type: 'other', identityType: 'Unknown', arn: null });
  });
});

describe('parseTrailEvent: lines that are not CloudTrail events', () => {
  const digestRecord = {
    awsAccountId: ACCOUNT,
    digestStartTime: '2026-11-30T09:00:00Z',
    digestEndTime: '2026-11-30T10:00:00Z',
    digestS3Bucket: 'acme-trail',
    digestS3Object: 'AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/11/30/x.json.gz',
    logFiles: [],
  };

  it.each([
    ['plain text', 'START RequestId: 1234 Version: $LATEST'],
    ['truncated JSON', '{"eventID": "abc", "eventName":'],
    ['an empty line', ''],
    ['a JSON array', JSON.stringify([record()])],
    ['a JSON string', JSON.stringify('hello')],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['a digest record', JSON.stringify(digestRecord)],
    ['a record without eventID', JSON.stringify(record({ eventID: undefined }))],
    ['a record without eventName', JSON.stringify(record({ eventName: undefined }))],
    ['a record without eventSource', JSON.stringify(record({ eventSource: undefined }))],
    ['a record with an empty eventID', JSON.stringify(record({ eventID: '' }))],
    ['a record without eventTime', JSON.stringify(record({ eventTime: undefined }))],
    ['a record with an invalid eventTime', JSON.stringify(record({ eventTime: 'yesterday at noon' }))],
    ['a record with a numeric eventTime', JSON.stringify(record({ eventTime: 1796033700000 }))],
  ])('Given %s, When parsed, Then the result is null', (_label, message) => {
    expect(parseTrailEvent(message)).toBeNull();
  });
});

describe('parseTrailEvent: IAM users and how they authenticated', () => {
  it('Given a long-term access key (AKIA…), When attributed, Then the credential is the access key', () => {
    expect(principalOf({})).toEqual({
      type: 'iam-user',
      userName: 'alice',
      userId: 'AIDAEXAMPLEUSER00001',
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      credential: 'access-key',
    });
  });

  it('Given temporary credentials of the user (ASIA…, from sts:GetSessionToken), When attributed, Then the credential is a session', () => {
    const principal = principalOf({
      userIdentity: iamUserIdentity({
        accessKeyId: 'ASIAEXAMPLEKEY000003',
        sessionContext: { attributes: { creationDate: '2026-11-30T09:00:00Z', mfaAuthenticated: 'true' } },
      }),
    });

    expect(principal).toMatchObject({ type: 'iam-user', userName: 'alice', accessKeyId: 'ASIAEXAMPLEKEY000003', credential: 'session' });
  });

  it('Given a ConsoleLogin event, which carries no key, When attributed, Then the credential is the console', () => {
    const principal = principalOf({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventCategory: 'Management',
      userIdentity: iamUserIdentity({ accessKeyId: undefined }),
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'Yes' },
      resources: undefined,
    });

    expect(principal).toEqual({
      type: 'iam-user',
      userName: 'alice',
      userId: 'AIDAEXAMPLEUSER00001',
      accountId: ACCOUNT,
      accessKeyId: null,
      credential: 'console',
    });
  });

  it.each([
    ['the string "true"', 'true'],
    ['the boolean true', true],
  ])('Given a console call with sessionCredentialFromConsole as %s, When attributed, Then the credential is the console, not the session key', (_label, flag) => {
    const principal = principalOf({
      userIdentity: iamUserIdentity({ accessKeyId: 'ASIAEXAMPLEKEY000004' }),
      sessionCredentialFromConsole: flag,
    });

    expect(principal).toMatchObject({ type: 'iam-user', accessKeyId: 'ASIAEXAMPLEKEY000004', credential: 'console' });
  });

  it.each([
    ['the string "false"', 'false'],
    ['the boolean false', false],
  ])('Given sessionCredentialFromConsole as %s, When attributed, Then the key decides the credential', (_label, flag) => {
    const principal = principalOf({
      userIdentity: iamUserIdentity({ accessKeyId: 'ASIAEXAMPLEKEY000004' }),
      sessionCredentialFromConsole: flag,
    });

    expect(principal).toMatchObject({ credential: 'session' });
  });

  it('Given no key and no console flag, When attributed, Then the credential is unknown', () => {
    expect(principalOf({ userIdentity: iamUserIdentity({ accessKeyId: undefined }) })).toMatchObject({ type: 'iam-user', accessKeyId: null, credential: 'unknown' });
  });

  it('Given a user without userName but with a path in its ARN, When attributed, Then the name is read from the ARN', () => {
    const principal = principalOf({
      userIdentity: iamUserIdentity({ userName: undefined, arn: 'arn:aws:iam::111111111111:user/engineering/ops/bob' }),
    });

    expect(principal).toMatchObject({ type: 'iam-user', userName: 'bob' });
  });
});

describe('parseTrailEvent: role sessions and Identity Center', () => {
  it('Given a session of an Identity Center role, When attributed, Then it is the permission set and the Identity Center user name', () => {
    const principal = principalOf({ userIdentity: idcIdentity(IDC_ROLE, 'jane.doe') });

    expect(principal).toEqual({
      type: 'identity-center',
      permissionSet: 'Developers',
      userName: 'jane.doe',
      roleName: IDC_ROLE,
      accountId: ACCOUNT,
      identityStoreUserId: null,
    });
  });

  it('Given a permission set name with underscores, When attributed, Then only the fixed suffix is split off', () => {
    const principal = principalOf({ userIdentity: idcIdentity('AWSReservedSSO_Data_Eng_Team_0123456789abcdef', 'jane.doe') });

    expect(principal).toMatchObject({ type: 'identity-center', permissionSet: 'Data_Eng_Team', userName: 'jane.doe' });
  });

  it('Given an identity-enhanced session with onBehalfOf, When attributed, Then the Identity Store user ID is kept', () => {
    const principal = principalOf({
      userIdentity: idcIdentity(IDC_ROLE, 'jane.doe@example.com', {
        onBehalfOf: { userId: '94482488-3041-7026-18f3-be45837cd0e4', identityStoreArn: IDENTITY_STORE_ARN },
      }),
    });

    expect(principal).toEqual({
      type: 'identity-center',
      permissionSet: 'Developers',
      userName: 'jane.doe@example.com',
      roleName: IDC_ROLE,
      accountId: ACCOUNT,
      identityStoreUserId: '94482488-3041-7026-18f3-be45837cd0e4',
    });
  });

  it('Given an Identity Center session without sessionIssuer, When attributed, Then the role and account are read from the ARN', () => {
    const principal = principalOf({
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEROLE00001:jane.doe',
        arn: `arn:aws:sts::222222222222:assumed-role/${IDC_ROLE}/jane.doe`,
      },
    });

    expect(principal).toMatchObject({ type: 'identity-center', permissionSet: 'Developers', userName: 'jane.doe', roleName: IDC_ROLE, accountId: '222222222222' });
  });

  it('Given a session of an ordinary role, When attributed, Then it is a role with its session name', () => {
    const principal = principalOf({
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEROLE00009:i-0abc123def4567890',
        arn: 'arn:aws:sts::111111111111:assumed-role/ci-deploy/i-0abc123def4567890',
        accountId: ACCOUNT,
        accessKeyId: 'ASIAEXAMPLEKEY000005',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLE00009', arn: 'arn:aws:iam::111111111111:role/ci-deploy', accountId: ACCOUNT, userName: 'ci-deploy' },
          attributes: { creationDate: '2026-11-30T09:00:00Z', mfaAuthenticated: 'false' },
        },
      },
    });

    expect(principal).toEqual({ type: 'role', roleName: 'ci-deploy', sessionName: 'i-0abc123def4567890', accountId: ACCOUNT });
  });

  it.each([
    ['upper-case hex', 'AWSReservedSSO_Developers_0123456789ABCDEF'],
    ['15 hex digits', 'AWSReservedSSO_Developers_0123456789abcde'],
    ['17 hex digits', 'AWSReservedSSO_Developers_0123456789abcdef0'],
    ['non-hex letters', 'AWSReservedSSO_Developers_0123456789abcxyz'],
    ['no suffix', 'AWSReservedSSO_Developers'],
  ])('Given a role name like AWSReservedSSO_ with %s, When attributed, Then it is an ordinary role', (_label, roleName) => {
    expect(principalOf({ userIdentity: idcIdentity(roleName, 'jane.doe') })).toMatchObject({ type: 'role', roleName, sessionName: 'jane.doe' });
  });

  it('Given an AssumedRole without role name or ARN, When attributed, Then it is "other"', () => {
    expect(principalOf({ userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLEROLE00001:x' } })).toEqual({ type: 'other', identityType: 'AssumedRole', arn: null });
  });
});

describe('parseTrailEvent: other identity types', () => {
  it('Given an IdentityCenterUser (a call to an Identity Center API), When attributed, Then the Identity Store user and store are kept', () => {
    const principal = principalOf({
      eventSource: 'sso.amazonaws.com',
      eventName: 'ListAccounts',
      userIdentity: {
        type: 'IdentityCenterUser',
        accountId: ACCOUNT,
        onBehalfOf: { userId: '94482488-3041-7026-18f3-be45837cd0e4', identityStoreArn: IDENTITY_STORE_ARN },
        credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
      },
    });

    expect(principal).toEqual({ type: 'identity-center-user', userId: '94482488-3041-7026-18f3-be45837cd0e4', identityStoreArn: IDENTITY_STORE_ARN });
  });

  it('Given the root user, When attributed, Then it is root of its account', () => {
    const principal = principalOf({
      userIdentity: { type: 'Root', principalId: ACCOUNT, arn: 'arn:aws:iam::111111111111:root', accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLEKEY000006' },
    });

    expect(principal).toEqual({ type: 'root', accountId: ACCOUNT });
  });

  it('Given a call by an AWS service, When attributed, Then it is the service that invoked it', () => {
    const principal = principalOf({ userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } });

    expect(principal).toEqual({ type: 'aws-service', service: 'cloudtrail.amazonaws.com' });
  });

  it.each([
    [
      'FederatedUser',
      { type: 'FederatedUser', principalId: '111111111111:bob', arn: 'arn:aws:sts::111111111111:federated-user/bob', accountId: ACCOUNT },
      'arn:aws:sts::111111111111:federated-user/bob',
    ],
    ['WebIdentityUser', { type: 'WebIdentityUser', principalId: 'accounts.google.com:1234', userName: '1234' }, null],
    ['AWSAccount', { type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: '333333333333' }, null],
    ['SAMLUser', { type: 'SAMLUser', principalId: 'x', userName: 'bob' }, null],
  ])('Given a %s identity, When attributed, Then it is "other" with its type and ARN', (type, userIdentity, arn) => {
    expect(principalOf({ userIdentity })).toEqual({ type: 'other', identityType: type, arn });
  });
});

describe('attributePrincipal', () => {
  it('Given an IAM user identity and a ConsoleLogin context, When attributed directly, Then the credential is the console', () => {
    const principal = attributePrincipal(iamUserIdentity({ accessKeyId: undefined }), { eventName: 'ConsoleLogin', sessionCredentialFromConsole: false });

    expect(principal).toMatchObject({ type: 'iam-user', userName: 'alice', credential: 'console' });
  });

  it('Given an empty identity, When attributed, Then it is "other" of an unknown type, never an error', () => {
    expect(attributePrincipal({}, { eventName: 'GetObject', sessionCredentialFromConsole: false })).toEqual({ type: 'other', identityType: 'Unknown', arn: null });
  });
});

describe('permissionSetOfRole', () => {
  it.each([
    ['AWSReservedSSO_Developers_0123456789abcdef', 'Developers'],
    ['AWSReservedSSO_Data_Eng_Team_0123456789abcdef', 'Data_Eng_Team'],
    ['AWSReservedSSO_Ops+Admin=1,2.3@x-y_fedcba9876543210', 'Ops+Admin=1,2.3@x-y'],
    ['AWSReservedSSO_AdministratorAccess_a1b2c3d4e5f60718', 'AdministratorAccess'],
  ])('Given the Identity Center role %s, When read, Then the permission set is %s', (roleName, permissionSet) => {
    expect(permissionSetOfRole(roleName)).toBe(permissionSet);
  });

  it.each([
    'ci-deploy',
    'AWSReservedSSO_Developers_0123456789ABCDEF',
    'AWSReservedSSO_Developers_0123456789abcde',
    'AWSReservedSSO__0123456789abcdef',
    'AWSReservedSSO_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456_0123456789abcdef',
    'awsreservedsso_Developers_0123456789abcdef',
    'MyAWSReservedSSO_Developers_0123456789abcdef',
  ])('Given the role %s, When read, Then it is no permission set', (roleName) => {
    expect(permissionSetOfRole(roleName)).toBeNull();
  });
});

describe('describePrincipal', () => {
  const principals: Principal[] = [
    { type: 'identity-center', permissionSet: 'Developers', userName: 'jane.doe', roleName: IDC_ROLE, accountId: ACCOUNT, identityStoreUserId: null },
    { type: 'iam-user', userName: 'alice', userId: 'AIDAEXAMPLEUSER00001', accountId: ACCOUNT, accessKeyId: null, credential: 'unknown' },
    { type: 'identity-center-user', userId: '94482488-3041-7026-18f3-be45837cd0e4', identityStoreArn: null },
    { type: 'root', accountId: ACCOUNT },
    { type: 'aws-service', service: 'cloudtrail.amazonaws.com' },
    { type: 'role', roleName: 'ci-deploy', sessionName: 'build-42', accountId: ACCOUNT },
    { type: 'other', identityType: 'FederatedUser', arn: 'arn:aws:sts::111111111111:federated-user/bob' },
  ];

  it('Given each kind of principal, When described, Then the line names it', () => {
    const lines = principals.map(describePrincipal);

    expect(lines[0]).toContain('jane.doe');
    expect(lines[0]).toContain('Developers');
    expect(lines[1]).toContain('alice');
    expect(lines[2]).toContain('94482488-3041-7026-18f3-be45837cd0e4');
    expect(lines[3]).toContain(ACCOUNT);
    expect(lines[4]).toContain('cloudtrail.amazonaws.com');
    expect(lines[5]).toContain('ci-deploy');
    expect(lines[5]).toContain('build-42');
    expect(lines[6]).toContain('arn:aws:sts::111111111111:federated-user/bob');
  });

  it('Given different principals, When described, Then no two share a line (the line is their grouping key)', () => {
    const lines = principals.map(describePrincipal);

    expect(new Set(lines).size).toBe(principals.length);
    expect(lines.every((line) => line.length > 0)).toBe(true);
  });

  it('Given an "other" principal without ARN, When described, Then its identity type is named', () => {
    expect(describePrincipal({ type: 'other', identityType: 'WebIdentityUser', arn: null })).toContain('WebIdentityUser');
  });
});

describe('isDeniedErrorCode', () => {
  it.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation'])(
    'Given the error code %s, When checked, Then it is a denial',
    (errorCode) => {
      expect(isDeniedErrorCode(errorCode)).toBe(true);
    },
  );

  it.each([['ThrottlingException'], ['NoSuchEntity'], ['NoSuchBucket'], ['ValidationException'], ['InvalidClientTokenId'], [null]])(
    'Given the error code %s, When checked, Then it is not a denial',
    (errorCode) => {
      expect(isDeniedErrorCode(errorCode)).toBe(false);
    },
  );

  it('Given a parsed denied event, When checked with isDenied, Then it is a denial', () => {
    expect(isDenied(parse({ errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' }))).toBe(true);
  });
});
