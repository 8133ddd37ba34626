/** Clock arithmetic for tests, against the clock each test passes in (never the real one). */

export const DAY_MS = 86_400_000;

/** The ISO timestamp `days` before `now`, and `extraMs` further back (a negative `extraMs` comes forward). */
export function daysAgo(days: number, now: Date, extraMs = 0): string {
  return new Date(now.getTime() - days * DAY_MS - extraMs).toISOString();
}

/** The epoch milliseconds `days` before `now` (itself epoch milliseconds), for APIs that count in ms. */
export function msDaysAgo(days: number, now: number): number {
  return now - days * DAY_MS;
}
