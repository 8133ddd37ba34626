import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import { parseCredentialReport } from '../../../src/phases/audit/parse-credential-report.js';

// Fixture account 111111111111; the report carries ARNs, not user IDs.
const ACCOUNT = '111111111111';

/** The header exactly as AWS writes it, in its order. */
const AWS_COLUMNS = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed',
  'password_next_rotation', 'mfa_active',
  'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date',
  'access_key_1_last_used_region', 'access_key_1_last_used_service',
  'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date',
  'access_key_2_last_used_region', 'access_key_2_last_used_service',
  'cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated',
] as const;

type Column = (typeof AWS_COLUMNS)[number];
type Fields = Partial<Record<Column, string>>;

/** A user with console access and no keys or certificates, as the report writes one. */
function userLine(user: string, fields: Fields = {}): Fields {
  return {
    user,
    arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
    user_creation_time: '2023-01-10T09:00:00+00:00',
    password_enabled: 'true',
    password_last_used: '2024-05-01T12:00:00+00:00',
    password_last_changed: '2023-01-10T09:05:00+00:00',
    password_next_rotation: 'N/A',
    mfa_active: 'true',
    access_key_1_active: 'false',
    access_key_1_last_rotated: 'N/A',
    access_key_1_last_used_date: 'N/A',
    access_key_1_last_used_region: 'N/A',
    access_key_1_last_used_service: 'N/A',
    access_key_2_active: 'false',
    access_key_2_last_rotated: 'N/A',
    access_key_2_last_used_date: 'N/A',
    access_key_2_last_used_region: 'N/A',
    access_key_2_last_used_service: 'N/A',
    cert_1_active: 'false',
    cert_1_last_rotated: 'N/A',
    cert_2_active: 'false',
    cert_2_last_rotated: 'N/A',
    ...fields,
  };
}

function rootLine(fields: Fields = {}): Fields {
  return userLine('<root_account>', {
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    password_enabled: 'not_supported',
    password_last_changed: 'not_supported',
    password_next_rotation: 'not_supported',
    ...fields,
  });
}

/** Writes a report in AWS's column order, quoting only where CSV requires it. */
function reportCsv(lines: Fields[], columns: readonly string[] = AWS_COLUMNS): string {
  const quote = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const body = lines.map((line) => columns.map((column) => quote(line[column as Column] ?? '')).join(','));
  return [columns.join(','), ...body].join('\n') + '\n';
}

function faultOf(action: () => unknown): Fault {
  try {
    action();
  } catch (error) {
    if (error instanceof Fault) return error;
    throw error;
  }
  throw new Error('expected a Fault');
}

describe('parseCredentialReport', () => {
  it('Given a user with a password and MFA, When parsed, Then flags become booleans and dates stay ISO strings', () => {
    const { rows, root } = parseCredentialReport(reportCsv([userLine('alice')]));

    expect(root).toBeNull();
    expect(rows).toEqual([
      {
        user: 'alice',
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        userCreationTime: '2023-01-10T09:00:00+00:00',
        passwordEnabled: true,
        passwordLastUsed: '2024-05-01T12:00:00+00:00',
        passwordLastChanged: '2023-01-10T09:05:00+00:00',
        passwordNextRotation: null,
        mfaActive: true,
        accessKeys: [],
        certificates: [],
      },
    ]);
  });

  it('Given a user name with a comma and a field with quotes, When parsed, Then the quoted fields are read whole', () => {
    const csv = reportCsv([
      userLine('ops,bot', { access_key_1_active: 'true', access_key_1_last_used_service: 'say "hi", iam' }),
    ]);

    const { rows } = parseCredentialReport(csv);

    expect(csv).toContain('"ops,bot"');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.user).toBe('ops,bot');
    expect(rows[0]?.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ops,bot`);
    expect(rows[0]?.accessKeys[0]?.lastUsedService).toBe('say "hi", iam');
  });

  it('Given N/A, no_information and empty values, When parsed, Then they become null', () => {
    const csv = reportCsv([
      userLine('bob', {
        user_creation_time: '',
        password_enabled: 'false',
        password_last_used: 'no_information',
        password_last_changed: 'N/A',
        mfa_active: 'false',
      }),
    ]);

    const [bob] = parseCredentialReport(csv).rows;

    expect(bob).toMatchObject({
      userCreationTime: null,
      passwordEnabled: false,
      passwordLastUsed: null,
      passwordLastChanged: null,
      passwordNextRotation: null,
      mfaActive: false,
    });
  });

  it('Given a <root_account> row with not_supported fields, When parsed, Then it is returned as root and not among the users', () => {
    const csv = reportCsv([
      rootLine({ mfa_active: 'true', access_key_1_active: 'true', access_key_1_last_rotated: '2020-02-02T02:02:02+00:00' }),
      userLine('alice'),
    ]);

    const { rows, root } = parseCredentialReport(csv);

    expect(rows.map((row) => row.user)).toEqual(['alice']);
    expect(root).toMatchObject({
      user: '<root_account>',
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      passwordEnabled: null,
      passwordLastChanged: null,
      passwordNextRotation: null,
      mfaActive: true,
    });
    expect(root?.accessKeys).toEqual([
      expect.objectContaining({ slot: 1, active: true, lastRotated: '2020-02-02T02:02:02+00:00' }),
    ]);
  });

  it('Given an inactive key that keeps its rotation date, When parsed, Then the slot is kept as inactive', () => {
    const csv = reportCsv([
      userLine('carol', {
        access_key_1_active: 'false',
        access_key_1_last_rotated: '2022-03-04T05:06:07+00:00',
        access_key_1_last_used_date: '2022-06-01T00:00:00+00:00',
        access_key_1_last_used_region: 'eu-west-1',
        access_key_1_last_used_service: 's3',
      }),
    ]);

    const [carol] = parseCredentialReport(csv).rows;

    expect(carol?.accessKeys).toEqual([
      {
        slot: 1,
        active: false,
        lastRotated: '2022-03-04T05:06:07+00:00',
        lastUsedDate: '2022-06-01T00:00:00+00:00',
        lastUsedRegion: 'eu-west-1',
        lastUsedService: 's3',
      },
    ]);
  });

  it('Given two keys, one never used, When parsed, Then both slots are returned with nulls for the unused one', () => {
    const csv = reportCsv([
      userLine('deploy', {
        password_enabled: 'false',
        access_key_1_active: 'true',
        access_key_1_last_rotated: '2021-01-01T00:00:00+00:00',
        access_key_1_last_used_date: '2024-05-30T10:00:00+00:00',
        access_key_1_last_used_region: 'us-east-1',
        access_key_1_last_used_service: 'sts',
        access_key_2_active: 'true',
        access_key_2_last_rotated: '2024-05-29T08:00:00+00:00',
      }),
    ]);

    const [deploy] = parseCredentialReport(csv).rows;

    expect(deploy?.accessKeys).toEqual([
      expect.objectContaining({ slot: 1, active: true, lastUsedService: 'sts' }),
      {
        slot: 2,
        active: true,
        lastRotated: '2024-05-29T08:00:00+00:00',
        lastUsedDate: null,
        lastUsedRegion: null,
        lastUsedService: null,
      },
    ]);
  });

  it('Given an empty key slot 1 and a key in slot 2, When parsed, Then only slot 2 is returned', () => {
    const csv = reportCsv([
      userLine('erin', { access_key_2_active: 'true', access_key_2_last_rotated: '2024-01-01T00:00:00+00:00' }),
    ]);

    const [erin] = parseCredentialReport(csv).rows;

    expect(erin?.accessKeys.map((key) => key.slot)).toEqual([2]);
  });

  it('Given signing certificates, active and inactive, When parsed, Then both are returned; an empty slot is not', () => {
    const csv = reportCsv([
      userLine('frank', {
        cert_1_active: 'true',
        cert_1_last_rotated: '2019-09-09T09:09:09+00:00',
        cert_2_active: 'false',
        cert_2_last_rotated: '2020-10-10T10:10:10+00:00',
      }),
      userLine('gina'),
    ]);

    const [frank, gina] = parseCredentialReport(csv).rows;

    expect(frank?.certificates).toEqual([
      { slot: 1, active: true, lastRotated: '2019-09-09T09:09:09+00:00' },
      { slot: 2, active: false, lastRotated: '2020-10-10T10:10:10+00:00' },
    ]);
    expect(gina?.certificates).toEqual([]);
  });

  it('Given a not_supported marker in a key field, When parsed, Then it becomes null', () => {
    const csv = reportCsv([
      userLine('hank', { access_key_1_active: 'true', access_key_1_last_used_region: 'not_supported' }),
    ]);

    const [hank] = parseCredentialReport(csv).rows;

    expect(hank?.accessKeys[0]).toMatchObject({ slot: 1, active: true, lastRotated: null, lastUsedRegion: null });
  });

  it('Given a report with a BOM, CRLF line ends and an extra trailing column, When parsed, Then it is read normally', () => {
    const columns = [...AWS_COLUMNS, 'some_future_column'];
    const csv = '\ufeff' + reportCsv([userLine('ivan')], columns).replaceAll('\n', '\r\n');

    const { rows } = parseCredentialReport(csv);

    expect(rows.map((row) => row.user)).toEqual(['ivan']);
  });

  it('Given only the header, When parsed, Then there are no rows and no root', () => {
    expect(parseCredentialReport(reportCsv([]))).toEqual({ rows: [], root: null });
  });

  it('Given a header without the key columns, When parsed, Then a bad-header Fault names a resolution', () => {
    const columns = AWS_COLUMNS.filter((column) => !column.startsWith('access_key_2'));

    const fault = faultOf(() => parseCredentialReport(reportCsv([userLine('alice')], columns)));

    expect(fault.code).toBe('CREDENTIAL_REPORT_BAD_HEADER');
    expect(fault.resolution).not.toBe('');
    expect(fault.message).toContain('access_key_2_active');
  });

  it('Given something that is not a credential report, When parsed, Then a bad-header Fault is raised', () => {
    expect(faultOf(() => parseCredentialReport('name,value\nx,1\n')).code).toBe('CREDENTIAL_REPORT_BAD_HEADER');
    expect(faultOf(() => parseCredentialReport('')).code).toBe('CREDENTIAL_REPORT_BAD_HEADER');
  });

  it('Given a row with a missing field or an unclosed quote, When parsed, Then a malformed Fault is raised', () => {
    const truncated = reportCsv([userLine('alice')]).trimEnd().replace(/,[^,]*$/, '');
    const unclosed = reportCsv([userLine('alice')]).replace('alice,', '"alice,');

    expect(faultOf(() => parseCredentialReport(truncated)).code).toBe('CREDENTIAL_REPORT_MALFORMED');
    expect(faultOf(() => parseCredentialReport(unclosed)).code).toBe('CREDENTIAL_REPORT_MALFORMED');
  });
});
