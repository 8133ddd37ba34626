import type { AccessKeySummary, CredentialReportRow } from '../../model/inventory.js';

/** An access key as ListAccessKeys describes it, with CreateDate as an ISO string. */
export interface ListedAccessKey {
  accessKeyId: string;
  createDate: string;
  status: 'Active' | 'Inactive';
}

export interface MatchedAccessKey {
  accessKeyId: string;
  /** The report slot that describes this key, or null when none can be said to. */
  summary: AccessKeySummary | null;
}

/*
 * The credential report names no key IDs: only "slot 1" and "slot 2", each with the date the key
 * was created (`access_key_N_last_rotated` is the key's CreateDate, since a key is rotated by
 * replacing it). ListAccessKeys has the IDs and CreateDate, so the dates are the join key. They
 * differ in form (`+00:00` vs `.000Z`, whole seconds in the report), hence the one-second window.
 *
 * The report may be up to 4 hours old: a key deleted and replaced since then has a CreateDate no
 * slot carries, and must get no slot rather than its predecessor's last-used data. So a slot and a
 * key whose dates are both known and differ are never paired. Only when a date is missing, or two
 * keys were created in the same second, does the order of creation decide (the older key takes the
 * lower slot). Status is not used: a key may have been (de)activated after the report was made.
 */
const SAME_SECOND_MS = 1000;

/**
 * Pairs each listed access key with the credential report slot that describes it.
 *
 * @returns one entry per key, in the order of `keys`.
 */
export function matchAccessKeysToReportSlots(
  keys: readonly ListedAccessKey[],
  row: CredentialReportRow,
): MatchedAccessKey[] {
  const keyTimes = keys.map((key) => timeOf(key.createDate));
  const slots = [...row.accessKeys].sort((a, b) => a.slot - b.slot);
  const slotTimes = slots.map((slot) => timeOf(slot.lastRotated));
  const assigned = new Map<number, AccessKeySummary>();
  const takenSlots = new Set<number>();

  const sameSecond = (keyIndex: number, slotIndex: number): boolean => {
    const keyTime = keyTimes[keyIndex];
    const slotTime = slotTimes[slotIndex];
    return keyTime !== null && slotTime !== null && Math.abs(keyTime - slotTime) < SAME_SECOND_MS;
  };
  const compatible = (keyIndex: number, slotIndex: number): boolean =>
    keyTimes[keyIndex] === null || slotTimes[slotIndex] === null || sameSecond(keyIndex, slotIndex);

  // First pass: a date that matches exactly one slot, which in turn matches no other key.
  keys.forEach((_key, keyIndex) => {
    const candidates = slots.flatMap((_slot, slotIndex) => (sameSecond(keyIndex, slotIndex) ? [slotIndex] : []));
    if (candidates.length !== 1) return;
    const slotIndex = candidates[0];
    const rivals = keys.filter((_other, otherIndex) => otherIndex !== keyIndex && sameSecond(otherIndex, slotIndex));
    if (rivals.length > 0) return;
    assigned.set(keyIndex, slots[slotIndex]);
    takenSlots.add(slotIndex);
  });

  // Second pass: what is left, oldest key first (keys without a date last, in list order).
  const remaining = keys.map((_key, index) => index).filter((index) => !assigned.has(index));
  remaining.sort((a, b) => compareTimes(keyTimes[a], keyTimes[b]) || a - b);
  for (const keyIndex of remaining) {
    const free = (index: number): boolean => !takenSlots.has(index);
    let slotIndex = slots.findIndex((_slot, index) => free(index) && sameSecond(keyIndex, index));
    if (slotIndex === -1) {
      slotIndex = slots.findIndex((_slot, index) => free(index) && compatible(keyIndex, index));
    }
    if (slotIndex === -1) continue;
    assigned.set(keyIndex, slots[slotIndex]);
    takenSlots.add(slotIndex);
  }

  return keys.map((key, index) => ({ accessKeyId: key.accessKeyId, summary: assigned.get(index) ?? null }));
}

function timeOf(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

function compareTimes(a: number | null, b: number | null): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}
