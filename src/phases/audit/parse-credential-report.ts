import { CsvError, parse } from 'csv-parse/sync';
import { Fault } from '../../errors.js';
import type { AccessKeySummary, CredentialReportRow, SigningCertificateSummary } from '../../model/inventory.js';

/** The user name the credential report gives the account's root user. */
export const ROOT_ACCOUNT_USER = '<root_account>';

/**
 * The columns this parser reads. AWS may add columns over time, so extra columns are accepted and
 * the order is not checked; a missing one means this is not a credential report (or a truncated one).
 */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

type Column = (typeof CREDENTIAL_REPORT_COLUMNS)[number];
type RawRow = Record<Column, string | undefined>;

/**
 * Markers the report uses instead of a value: `N/A` (never happened, or no such credential),
 * `no_information` (password use before IAM started tracking it in Oct 2014), `not_supported`
 * (fields that do not apply to the root user).
 */
const NO_VALUE = new Set(['', 'n/a', 'no_information', 'not_supported']);

export interface ParsedCredentialReport {
  /** Every IAM user in the report, in report order. */
  rows: CredentialReportRow[];
  /** The `<root_account>` row, or null when the report has none. */
  root: CredentialReportRow | null;
}

/**
 * Parses the CSV body of `GetCredentialReport` into typed rows, with the root user kept apart.
 * Marker values become null, `true`/`false` become booleans, and dates stay the ISO strings AWS wrote.
 *
 * @throws Fault `CREDENTIAL_REPORT_BAD_HEADER` when the CSV lacks a credential report column,
 *   `CREDENTIAL_REPORT_MALFORMED` when the CSV itself cannot be read.
 */
export function parseCredentialReport(csv: string): ParsedCredentialReport {
  let headerSeen = false;
  let records: RawRow[];
  try {
    records = parse<RawRow>(csv, {
      bom: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        headerSeen = true;
        checkHeader(header);
        return header;
      },
    });
  } catch (error) {
    if (error instanceof CsvError) {
      throw new Fault(
        'CREDENTIAL_REPORT_MALFORMED',
        `The credential report is not valid CSV (${error.code}).`,
        'Run the audit again to fetch a fresh credential report.',
        { cause: error },
      );
    }
    throw error;
  }
  if (!headerSeen) {
    throw badHeader(CREDENTIAL_REPORT_COLUMNS);
  }

  const rows: CredentialReportRow[] = [];
  let root: CredentialReportRow | null = null;
  for (const record of records) {
    const row = toRow(record);
    if (row.user === ROOT_ACCOUNT_USER) {
      root ??= row;
    } else {
      rows.push(row);
    }
  }
  return { rows, root };
}

function checkHeader(header: string[]): void {
  const present = new Set(header.map((name) => name.trim()));
  const missing = CREDENTIAL_REPORT_COLUMNS.filter((column) => !present.has(column));
  if (missing.length > 0) {
    throw badHeader(missing);
  }
}

function badHeader(missing: readonly string[]): Fault {
  return new Fault(
    'CREDENTIAL_REPORT_BAD_HEADER',
    `The credential report lacks the column(s): ${missing.join(', ')}.`,
    'Check that the data is an IAM credential report (GetCredentialReport, text/csv) and run the audit again.',
  );
}

function toRow(record: RawRow): CredentialReportRow {
  return {
    user: record.user ?? '',
    arn: record.arn ?? '',
    userCreationTime: text(record.user_creation_time),
    passwordEnabled: flag(record.password_enabled),
    passwordLastUsed: text(record.password_last_used),
    passwordLastChanged: text(record.password_last_changed),
    passwordNextRotation: text(record.password_next_rotation),
    // The type has no "unknown" here; AWS always writes true/false, and anything else is read as
    // "no MFA" so that findings err on the cautious side.
    mfaActive: flag(record.mfa_active) === true,
    accessKeys: accessKeys(record),
    certificates: certificates(record),
  };
}

function accessKeys(record: RawRow): AccessKeySummary[] {
  const slots: AccessKeySummary[] = [];
  for (const slot of [1, 2] as const) {
    const active = flag(record[`access_key_${slot}_active`]);
    const lastRotated = text(record[`access_key_${slot}_last_rotated`]);
    if (!credentialExists(active, lastRotated)) continue;
    slots.push({
      slot,
      active: active === true,
      lastRotated,
      lastUsedDate: text(record[`access_key_${slot}_last_used_date`]),
      lastUsedRegion: text(record[`access_key_${slot}_last_used_region`]),
      lastUsedService: text(record[`access_key_${slot}_last_used_service`]),
    });
  }
  return slots;
}

function certificates(record: RawRow): SigningCertificateSummary[] {
  const slots: SigningCertificateSummary[] = [];
  for (const slot of [1, 2] as const) {
    const active = flag(record[`cert_${slot}_active`]);
    const lastRotated = text(record[`cert_${slot}_last_rotated`]);
    if (!credentialExists(active, lastRotated)) continue;
    slots.push({ slot, active: active === true, lastRotated });
  }
  return slots;
}

/**
 * An empty slot reads `false` + `N/A`. A deactivated key or certificate also reads `false`, but keeps
 * its rotation date, so the date is what tells the two apart.
 */
function credentialExists(active: boolean | null, lastRotated: string | null): boolean {
  return active === true || lastRotated !== null;
}

function text(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return NO_VALUE.has(trimmed.toLowerCase()) ? null : trimmed;
}

function flag(value: string | undefined): boolean | null {
  const normalised = text(value)?.toLowerCase();
  if (normalised === 'true') return true;
  if (normalised === 'false') return false;
  return null;
}
