import { describe, expect, it } from 'vitest';
import {
  matchAccessKeysToReportSlots,
  type ListedAccessKey,
} from '../../../src/phases/audit/match-access-keys.js';
import type { AccessKeySummary, CredentialReportRow } from '../../../src/model/inventory.js';

const ACCOUNT = '111111111111';
// Fixture key IDs follow the user ID scheme: AKIA + padding + a running number.
const KEY_1 = 'AKIAAAAAAAAAAAAA0001';
const KEY_2 = 'AKIAAAAAAAAAAAAA0002';

function slot(n: 1 | 2, lastRotated: string | null, active = true): AccessKeySummary {
  return {
    slot: n,
    active,
    lastRotated,
    lastUsedDate: `2024-05-0${n}T00:00:00+00:00`,
    lastUsedRegion: 'us-east-1',
    lastUsedService: n === 1 ? 's3' : 'ec2',
  };
}

function rowWith(accessKeys: AccessKeySummary[]): CredentialReportRow {
  return {
    user: 'deploy',
    arn: `arn:aws:iam::${ACCOUNT}:user/deploy`,
    userCreationTime: '2020-01-01T00:00:00+00:00',
    passwordEnabled: false,
    passwordLastUsed: null,
    passwordLastChanged: null,
    passwordNextRotation: null,
    mfaActive: false,
    accessKeys,
    certificates: [],
  };
}

function key(accessKeyId: string, createDate: string, status: ListedAccessKey['status'] = 'Active'): ListedAccessKey {
  return { accessKeyId, createDate, status };
}

/** Which slot each key got, by key ID. */
function slotsOf(keys: ListedAccessKey[], row: CredentialReportRow): Record<string, number | null> {
  return Object.fromEntries(
    matchAccessKeysToReportSlots(keys, row).map((match) => [match.accessKeyId, match.summary?.slot ?? null]),
  );
}

describe('matchAccessKeysToReportSlots', () => {
  it('Given two keys whose CreateDates equal the slot dates in another format, When matched, Then each gets its slot', () => {
    const row = rowWith([slot(1, '2021-01-01T00:00:00+00:00'), slot(2, '2024-05-29T08:00:00+00:00')]);
    const keys = [key(KEY_1, '2021-01-01T00:00:00.000Z'), key(KEY_2, '2024-05-29T08:00:00.000Z')];

    const matches = matchAccessKeysToReportSlots(keys, row);

    expect(matches).toEqual([
      { accessKeyId: KEY_1, summary: row.accessKeys[0] },
      { accessKeyId: KEY_2, summary: row.accessKeys[1] },
    ]);
  });

  it('Given keys listed newest first, When matched, Then the dates decide and the result keeps the list order', () => {
    const row = rowWith([slot(1, '2021-01-01T00:00:00+00:00'), slot(2, '2024-05-29T08:00:00+00:00')]);
    const keys = [key(KEY_2, '2024-05-29T08:00:00Z'), key(KEY_1, '2021-01-01T00:00:00Z')];

    const matches = matchAccessKeysToReportSlots(keys, row);

    expect(matches.map((match) => [match.accessKeyId, match.summary?.slot])).toEqual([
      [KEY_2, 2],
      [KEY_1, 1],
    ]);
  });

  it('Given the newer key sits in slot 1, When matched, Then the dates win over the order of creation', () => {
    const row = rowWith([slot(1, '2024-05-29T08:00:00+00:00'), slot(2, '2021-01-01T00:00:00+00:00')]);
    const keys = [key(KEY_1, '2021-01-01T00:00:00Z'), key(KEY_2, '2024-05-29T08:00:00Z')];

    expect(slotsOf(keys, row)).toEqual({ [KEY_1]: 2, [KEY_2]: 1 });
  });

  it('Given a CreateDate with milliseconds, When matched, Then the report date to the second still matches', () => {
    const row = rowWith([slot(1, '2023-03-03T03:03:03+00:00')]);

    expect(slotsOf([key(KEY_1, '2023-03-03T03:03:03.987Z')], row)).toEqual({ [KEY_1]: 1 });
  });

  it('Given an inactive key, When matched, Then status does not prevent the date match', () => {
    const row = rowWith([slot(1, '2023-03-03T03:03:03+00:00', true)]);

    expect(slotsOf([key(KEY_1, '2023-03-03T03:03:03Z', 'Inactive')], row)).toEqual({ [KEY_1]: 1 });
  });

  it('Given a key created after the report (a replaced key), When matched, Then it gets no slot and the other key still matches', () => {
    const row = rowWith([slot(1, '2021-01-01T00:00:00+00:00'), slot(2, '2022-02-02T00:00:00+00:00')]);
    const keys = [key(KEY_1, '2021-01-01T00:00:00Z'), key(KEY_2, '2024-06-01T10:00:00Z')];

    expect(slotsOf(keys, row)).toEqual({ [KEY_1]: 1, [KEY_2]: null });
  });

  it('Given dates two seconds apart, When matched, Then they are not the same key', () => {
    const row = rowWith([slot(1, '2023-03-03T03:03:03+00:00')]);

    expect(slotsOf([key(KEY_1, '2023-03-03T03:03:05Z')], row)).toEqual({ [KEY_1]: null });
  });

  it('Given a report row without keys, When matched, Then every key gets null', () => {
    expect(slotsOf([key(KEY_1, '2023-03-03T03:03:03Z')], rowWith([]))).toEqual({ [KEY_1]: null });
  });

  it('Given no keys, When matched, Then the result is empty', () => {
    expect(matchAccessKeysToReportSlots([], rowWith([slot(1, '2021-01-01T00:00:00+00:00')]))).toEqual([]);
  });

  it('Given slots without rotation dates, When matched, Then the older key takes the lower slot', () => {
    const row = rowWith([slot(1, null), slot(2, null)]);
    const keys = [key(KEY_2, '2024-05-29T08:00:00Z'), key(KEY_1, '2021-01-01T00:00:00Z')];

    expect(slotsOf(keys, row)).toEqual({ [KEY_1]: 1, [KEY_2]: 2 });
  });

  it('Given a key without a CreateDate, When matched, Then it takes the slot the dated key left over', () => {
    const row = rowWith([slot(1, '2021-01-01T00:00:00+00:00'), slot(2, '2024-05-29T08:00:00+00:00')]);
    const keys = [key(KEY_1, ''), key(KEY_2, '2021-01-01T00:00:00Z')];

    expect(slotsOf(keys, row)).toEqual({ [KEY_1]: 2, [KEY_2]: 1 });
  });

  it('Given two keys created in the same second, When matched, Then the order of creation breaks the tie', () => {
    const row = rowWith([slot(1, '2024-05-29T08:00:00+00:00'), slot(2, '2024-05-29T08:00:00+00:00')]);
    const keys = [key(KEY_2, '2024-05-29T08:00:00.900Z'), key(KEY_1, '2024-05-29T08:00:00.100Z')];

    expect(slotsOf(keys, row)).toEqual({ [KEY_1]: 1, [KEY_2]: 2 });
  });

  it('Given one undated slot and one dated slot, When a key matches the dated one, Then it is not given the undated one', () => {
    const row = rowWith([slot(1, null), slot(2, '2024-05-29T08:00:00+00:00')]);
    const keys = [key(KEY_1, '2021-01-01T00:00:00Z'), key(KEY_2, '2024-05-29T08:00:00Z')];

    expect(slotsOf(keys, row)).toEqual({ [KEY_1]: 1, [KEY_2]: 2 });
  });
});
