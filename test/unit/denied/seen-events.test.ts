import { describe, expect, it } from 'vitest';
import { SeenEvents } from '../../../src/phases/watch-denied/seen-events.js';

const T0 = Date.parse('2026-11-30T10:00:00Z');

describe('SeenEvents', () => {
  it('Given a new event ID, When offered, Then it is seen for the first time', () => {
    const seen = new SeenEvents(60_000);

    expect(seen.firstTime('event-1', T0)).toBe(true);
    expect(seen.size).toBe(1);
  });

  it('Given an event ID already offered, When offered again, Then it is a repeat, whatever its timestamp', () => {
    const seen = new SeenEvents(60_000);
    seen.firstTime('event-1', T0);

    expect(seen.firstTime('event-1', T0)).toBe(false);
    expect(seen.firstTime('event-1', T0 + 1_000)).toBe(false);
    expect(seen.size).toBe(1);
  });

  it('Given several distinct IDs, When each is offered, Then each is new once', () => {
    const seen = new SeenEvents(60_000);
    const ids = ['a', 'b', 'c', 'd'];

    expect(ids.map((id, i) => seen.firstTime(id, T0 + i))).toEqual([true, true, true, true]);
    expect(ids.map((id, i) => seen.firstTime(id, T0 + i))).toEqual([false, false, false, false]);
  });

  it('Given IDs older than the horizon behind the newest, When the set is pruned, Then they are forgotten and the recent ones remembered', () => {
    const seen = new SeenEvents(1_000, 3);
    seen.firstTime('old-1', T0);
    seen.firstTime('old-2', T0 + 500);
    // The third ID reaches pruneEvery: the cutoff is T0 + 5000 - 1000, so both older ones go.
    seen.firstTime('new-1', T0 + 5_000);

    expect(seen.size).toBe(1);
    expect(seen.firstTime('new-1', T0 + 5_000)).toBe(false);
    expect(seen.firstTime('old-1', T0)).toBe(true);
    expect(seen.firstTime('old-2', T0 + 500)).toBe(true);
  });

  it('Given IDs within the horizon, When the set is pruned, Then none is forgotten', () => {
    const seen = new SeenEvents(1_000, 3);
    seen.firstTime('a', T0 + 4_000);
    seen.firstTime('b', T0 + 4_500);
    seen.firstTime('c', T0 + 5_000);

    expect(seen.size).toBe(3);
    expect(['a', 'b', 'c'].map((id) => seen.firstTime(id, T0 + 5_000))).toEqual([false, false, false]);
  });

  it('Given an ID exactly at the horizon, When the set is pruned, Then it is still remembered', () => {
    const seen = new SeenEvents(1_000, 3);
    seen.firstTime('edge', T0 + 4_000);
    seen.firstTime('old', T0 + 3_999);
    seen.firstTime('newest', T0 + 5_000);

    expect(seen.firstTime('edge', T0 + 4_000)).toBe(false);
    expect(seen.firstTime('old', T0 + 3_999)).toBe(true);
  });

  it('Given the newest event arrives before older ones, When pruned, Then the horizon is measured from the newest, not the latest offered', () => {
    const seen = new SeenEvents(1_000, 3);
    seen.firstTime('newest', T0 + 10_000);
    seen.firstTime('recent', T0 + 9_500);
    seen.firstTime('stale', T0 + 2_000);

    expect(seen.firstTime('newest', T0 + 10_000)).toBe(false);
    expect(seen.firstTime('recent', T0 + 9_500)).toBe(false);
    expect(seen.firstTime('stale', T0 + 2_000)).toBe(true);
  });

  it('Given a long stream over a short horizon, When offered, Then memory stays bounded', () => {
    const seen = new SeenEvents(1_000, 10);
    for (let i = 0; i < 1_000; i += 1) seen.firstTime(`event-${i}`, T0 + i * 100);

    // Only the last ~10 IDs are within 1 s of the newest; pruning keeps the set near that.
    expect(seen.size).toBeLessThanOrEqual(30);
    expect(seen.firstTime('event-999', T0 + 99_900)).toBe(false);
    expect(seen.firstTime('event-0', T0)).toBe(true);
  });
});
